"""Command line: `kubetui [options]` opens the UI; `kubetui sandbox` serves a sandbox."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import shutil
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from kubetui import __version__
from kubetui.completion import SHELLS, WHATS, candidates, script
from kubetui.config import Settings
from kubetui.private_files import private_dir, remove_on_signals

if TYPE_CHECKING:
    from kubetui.sandbox.run import SandboxOptions


def _state_dir() -> Path:
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "kubetui"


T = TypeVar("T", int, float)


def _not_negative(parse: Callable[[str], T], what: str) -> Callable[[str], T]:
    """An argparse type: `parse`d, refused when negative."""
    def check(text: str) -> T:
        try:
            value = parse(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not {what}: {text!r}") from None
        if value < 0:  # type: ignore[operator]
            raise argparse.ArgumentTypeError(f"must not be negative: {text!r}")
        return value
    return check


_non_negative_int = _not_negative(int, "a whole number")
_positive_float = _not_negative(float, "a number")


def _fraction(text: str) -> float:
    value = _positive_float(text)
    if value > 1:
        raise argparse.ArgumentTypeError(f"must be between 0 and 1: {text!r}")
    return value


def _rbac_mode(text: str) -> str:
    from kubetui.sandbox.apiserver.rbac import check_mode

    try:
        return check_mode(text)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from None


def add_sandbox_arguments(p: argparse.ArgumentParser | argparse._ArgumentGroup) -> None:
    """Scenario and fault switches, shared by `kubetui sandbox` and `kubetui --demo`."""
    p.add_argument("--scenario", default=None, choices=("demo", "empty", "scale"),
                   help="what the cluster holds at start (default: demo for --demo, "
                        "empty for sandbox)")
    p.add_argument("--nodes", type=_non_negative_int, default=None, metavar="N",
                   help="how many nodes the cluster has (default: the scenario's own: 1 for "
                        "empty, 4 for demo, enough for the pods for scale)")
    p.add_argument("--auth", choices=("token", "cert"), default="token",
                   help="the kubeconfig's credential: a bearer token, or a client "
                        "certificate signed by the sandbox's CA (as kind and kubeadm write)")
    p.add_argument("--pods", type=int, default=1000, help="scale scenario: pods to create")
    p.add_argument("--namespaces", type=int, default=10,
                   help="scale scenario: namespaces to spread them over")
    p.add_argument("--churn", type=_positive_float, default=0.0,
                   help="scale scenario: pods changed per second")
    p.add_argument("--pace", type=_positive_float, default=1.0,
                   help="multiply the simulated kubelet's delays (pulls, starts, probes, "
                        "back-offs) by this; 0.1 makes pods come up ten times faster")
    p.add_argument("--drop-watches-every", type=_positive_float, default=0.0, metavar="S",
                   help="cut every open watch connection every S seconds")
    p.add_argument("--drop-streams-every", type=_positive_float, default=0.0, metavar="S",
                   help="cut every open exec, attach and port-forward connection every S "
                        "seconds")
    p.add_argument("--watch-history", type=int, default=10_000, metavar="N",
                   help="keep only N events of watch history (older resourceVersions get 410)")
    p.add_argument("--event-limit", type=int, default=20_000, metavar="N",
                   help="keep at most N events, forgetting the least recently written "
                        "first (besides their hour-long TTL)")
    p.add_argument("--error-rate", type=_fraction, default=0.0, metavar="F",
                   help="answer a fraction F of requests with 500 or 429")
    p.add_argument("--latency-ms", type=int, default=0, metavar="M",
                   help="delay every response by M milliseconds")
    p.add_argument("--token-ttl", type=_positive_float, default=0.0, metavar="S",
                   help="bearer tokens stop working after S seconds (the kubeconfig's token "
                        "file is refreshed)")
    p.add_argument("--rbac", type=_rbac_mode, default="full",
                   help="full; readonly (every write is answered 403); namespace=NS[,NS] "
                        "(only those namespaces: cluster-wide reads are 403 too)")


def build_parser(prog: str = "kubetui") -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog=prog, description="A terminal UI for Kubernetes.")
    p.add_argument("--version", action="version", version=f"kubetui {__version__}")
    p.add_argument("--kubeconfig", default=None, help="kubeconfig file (default: $KUBECONFIG "
                   "or ~/.kube/config)")
    p.add_argument("--context", default=None, help="context to open (default: the "
                   "kubeconfig's current-context)")
    where = p.add_mutually_exclusive_group()
    where.add_argument("-n", "--namespace", default=None,
                       help="namespace to open (default: the context's)")
    where.add_argument("-A", "--all-namespaces", action="store_true",
                       help="open on all namespaces")
    p.add_argument("-c", "--command", dest="view", default=None, metavar="RESOURCE",
                   help="the view to open, as k9s's -c (e.g. deploy; default: pods)")
    p.add_argument("--readonly", action="store_true",
                   help="hide and refuse every action that changes the cluster")
    p.add_argument("--no-restore", action="store_true",
                   help="open on pods, not on the view, namespace and filter the context "
                        "was left on (kept in $XDG_STATE_HOME/kubetui/views.json)")
    p.add_argument("--config", default=None, metavar="PATH",
                   help="config file (default: $XDG_CONFIG_HOME/kubetui/config.yaml)")
    p.add_argument("--demo", action="store_true",
                   help="start a sandbox cluster (scenario demo) and open the UI on it")
    add_sandbox_arguments(p.add_argument_group("sandbox options for --demo"))
    sub = p.add_subparsers(dest="subcommand")
    sp = sub.add_parser("sandbox", help="serve the built-in sandbox cluster for other clients",
                        description="Serve the sandbox cluster (an in-process Kubernetes API "
                                    "server with controllers) until interrupted.")
    sp.add_argument("--host", default="127.0.0.1")
    sp.add_argument("--port", type=int, default=0, help="0 picks a free port")
    sp.add_argument("--kubeconfig", default=None,
                    help="where to write a kubeconfig for the sandbox (default: "
                         "$XDG_STATE_HOME/kubetui/sandbox.kubeconfig)")
    sp.add_argument("--state-dir", default=None, metavar="DIR",
                    help="keep the serving CA, certificate and token in DIR: started again "
                         "with the same DIR and --port, the sandbox is the same endpoint "
                         "to its clients (its objects start afresh)")
    add_sandbox_arguments(sp)
    cp = sub.add_parser("completion", help="print a shell completion script",
                        description="Print the completion script for SHELL; e.g. "
                                    "`source <(kubetui completion bash)`.")
    cp.add_argument("shell", choices=SHELLS)
    return p


def _sandbox_options(args: argparse.Namespace, default_scenario: str) -> SandboxOptions:
    from kubetui.sandbox.core import Faults
    from kubetui.sandbox.run import SandboxOptions

    return SandboxOptions(
        host=getattr(args, "host", "127.0.0.1"), port=getattr(args, "port", 0),
        kubeconfig=args.kubeconfig, scenario=args.scenario or default_scenario,
        nodes=args.nodes, auth=args.auth, pods=args.pods, namespaces=args.namespaces,
        churn=args.churn, pace=args.pace, watch_history=args.watch_history,
        event_limit=args.event_limit,
        state_dir=getattr(args, "state_dir", None),
        faults=Faults(drop_watches_every=args.drop_watches_every,
                      drop_streams_every=args.drop_streams_every, error_rate=args.error_rate,
                      latency_ms=args.latency_ms, token_ttl=args.token_ttl, rbac=args.rbac),
    )


async def _serve_sandbox(args: argparse.Namespace) -> int:
    from kubetui.sandbox.run import RunningSandbox

    if not args.kubeconfig:
        args.kubeconfig = str(_state_dir() / "sandbox.kubeconfig")
    opts = _sandbox_options(args, "empty")
    opts.freeze_heap_every = 5.0  # this process is the sandbox alone (see run.py)
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        running = await RunningSandbox.start(opts)
    except OSError as e:
        print(f"kubetui sandbox: cannot listen on {opts.host}:{opts.port}: {e.strerror}",
              file=sys.stderr)
        return 1
    print(f"kubetui sandbox: serving {running.url} (scenario {opts.scenario}); "
          f"kubeconfig {running.kubeconfig}, context {opts.context}", flush=True)
    await stop.wait()
    await running.stop()
    print("kubetui sandbox: stopped", flush=True)
    return 0


@contextlib.contextmanager
def demo_sandbox(opts: SandboxOptions) -> Iterator[Path]:
    """A sandbox serving from a background thread (its own event loop) while the UI runs in
    the foreground; yields its kubeconfig, written in a temporary folder removed at exit."""
    from kubetui.sandbox.run import RunningSandbox

    folder = private_dir("kubetui-demo-")  # its kubeconfig holds the token
    opts.kubeconfig = str(folder / "kubeconfig")
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="kubetui-sandbox", daemon=True)
    thread.start()
    try:
        running = asyncio.run_coroutine_threadsafe(RunningSandbox.start(opts), loop).result()
        try:
            assert running.kubeconfig is not None
            yield running.kubeconfig
        finally:
            asyncio.run_coroutine_threadsafe(running.stop(), loop).result(timeout=30)
    finally:
        # Whatever a failed start left running (controllers) ends with the loop.
        asyncio.run_coroutine_threadsafe(_cancel_tasks(), loop).result(timeout=30)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=10)
        loop.close()
        shutil.rmtree(folder, ignore_errors=True)


async def _cancel_tasks() -> None:
    tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


def _settings(args: argparse.Namespace) -> Settings:
    return Settings(kubeconfig=args.kubeconfig, context=args.context,
                    namespace=args.namespace, all_namespaces=args.all_namespaces,
                    readonly=args.readonly, view=args.view, restore=not args.no_restore,
                    config_path=Path(args.config).expanduser() if args.config else None)


def run_ui(settings: Settings, prog: str = "kubetui") -> int:
    """Open the UI. Problems with the kubeconfig or the config file are reported here,
    before the screen is taken; connection problems are shown in the UI."""
    from kubetui.cluster.errors import ConfigError
    from kubetui.config import ConfigFileError
    from kubetui.ui.app import make_app

    try:
        app = make_app(settings)
    except (ConfigError, ConfigFileError) as e:
        print(f"{prog}: {e}", file=sys.stderr)
        return 1
    # Log records must not be written over the screen: they go to a file.
    log_file = _state_dir() / "kubetui.log"
    log_file.parent.mkdir(parents=True, exist_ok=True)
    logging.basicConfig(filename=log_file, level=logging.WARNING,
                        format="%(asctime)s %(name)s %(levelname)s %(message)s")
    remove_on_signals()  # client keys and edit files go with a hang-up too
    app.run()
    if app.farewell:
        print(app.farewell, file=sys.stderr)
    return app.return_code or 0


def _complete(parser: argparse.ArgumentParser, argv: list[str]) -> int:
    """`kubetui [--kubeconfig K] [--context C] __complete WHAT`: the words the completion
    scripts offer, one a line."""
    at = argv.index("__complete")
    what = argv[at + 1] if at + 1 < len(argv) else ""
    if what not in WHATS:
        print(f"kubetui __complete: expected one of {', '.join(WHATS)}", file=sys.stderr)
        return 2
    known, _ = parser.parse_known_args(argv[:at])
    print("\n".join(candidates(what, known.kubeconfig, known.context)))
    return 0


def main(argv: list[str] | None = None, prog: str = "kubetui") -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = build_parser(prog)
    if "__complete" in argv:
        return _complete(parser, argv)
    args = parser.parse_args(argv)
    if args.subcommand == "sandbox":
        return asyncio.run(_serve_sandbox(args))
    if args.subcommand == "completion":
        print(script(args.shell, prog), end="")
        return 0
    settings = _settings(args)
    if not args.demo:
        return run_ui(settings, prog)
    try:
        with demo_sandbox(_sandbox_options(args, "demo")) as kubeconfig:
            settings.kubeconfig, settings.context = str(kubeconfig), None
            if not settings.namespace:
                # The demo's trouble is spread over its namespaces: show them all.
                settings.all_namespaces = True
            return run_ui(settings, prog)
    except (OSError, ImportError) as e:
        print(f"kubetui: cannot start the demo sandbox: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
