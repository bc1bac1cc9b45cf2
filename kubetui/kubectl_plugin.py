"""`kubectl tui`: kubectl runs the `kubectl-tui` executable found on PATH with the words
after `tui`, so kubectl's global flags `--context`, `-n/--namespace` and `--kubeconfig`
arrive here and mean what they mean to kubectl. `kubectl_complete-tui` answers kubectl's
completion (kubectl 1.26+)."""

from __future__ import annotations

import sys

from kubetui.cli import main as kubetui_main
from kubetui.completion import kubectl_plugin_completion

#: kubectl's other global flags: accepted by kubectl, not (yet) by kubetui; named in the
#: error instead of argparse's bare "unrecognized arguments".
_UNSUPPORTED = ("--cluster", "--user", "--server", "-s", "--token", "--as", "--as-group",
                "--as-uid", "--certificate-authority", "--client-certificate",
                "--client-key", "--insecure-skip-tls-verify", "--tls-server-name",
                "--request-timeout", "--username", "--password", "--cache-dir")


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    for word in argv:
        flag = word.partition("=")[0]
        if flag in _UNSUPPORTED:
            print(f"kubectl tui: kubectl's {flag} is not supported; choose the cluster and "
                  "user with --context (and --kubeconfig)", file=sys.stderr)
            return 2
    return kubetui_main(argv, prog="kubectl tui")


def complete(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    print("\n".join(kubectl_plugin_completion(argv)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
