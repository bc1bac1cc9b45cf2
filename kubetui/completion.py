"""Shell completion: `kubetui completion bash|zsh|fish` prints a script that asks kubetui
itself for the words (`kubetui [--kubeconfig K] [--context C] __complete WHAT`), so that
contexts and namespaces come from the kubeconfig in use and, when the cluster answers
within a moment, namespaces from the cluster too.

kubectl (1.26+) completes a plugin's arguments by running `kubectl_complete-tui ARGS... WORD`
and reading cobra's format: one candidate per line, then `:DIRECTIVE`.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterable

from kubetui.kinds import BUILTIN_KINDS

#: How long completion waits for the cluster before answering from the kubeconfig alone.
CLUSTER_WAIT = 1.5
WHATS = ("contexts", "namespaces", "kinds")
SHELLS = ("bash", "zsh", "fish")
#: Options whose next word completion fills, and with what.
VALUE_OPTIONS = {"--context": "contexts", "-n": "namespaces", "--namespace": "namespaces",
                 "-c": "kinds", "--command": "kinds"}
FILE_OPTIONS = ("--kubeconfig", "--config")
OPTIONS = ("--kubeconfig", "--context", "-n", "--namespace", "-A", "--all-namespaces",
           "-c", "--command", "--readonly", "--config", "--demo", "--version", "--help")
COMMANDS = ("sandbox", "completion")
# cobra's ShellCompDirective values
_NO_FILES, _DEFAULT = 4, 0


def kinds() -> list[str]:
    return sorted({name for kind in BUILTIN_KINDS for name in kind.aliases})


def contexts(kubeconfig: str | None) -> list[str]:
    from kubetui.cluster import kubeconfig as kubeconfigs
    from kubetui.cluster.errors import ConfigError

    try:
        return [c.name for c in kubeconfigs.load(kubeconfig).contexts]
    except ConfigError:
        return []


async def _cluster_namespaces(kubeconfig: str | None, context: str | None) -> list[str]:
    from kubetui.cluster import kubeconfig as kubeconfigs
    from kubetui.cluster.client import ClusterClient

    config = kubeconfigs.load(kubeconfig, context)
    async with await ClusterClient.connect(config, context or config.current) as client:
        found = await client.request("GET", "/api/v1/namespaces")
    return [str(item["metadata"]["name"]) for item in found.get("items") or ()]


def namespaces(kubeconfig: str | None, context: str | None) -> list[str]:
    """The kubeconfig's namespaces, plus the cluster's when it answers in time."""
    from kubetui.cluster import kubeconfig as kubeconfigs
    from kubetui.cluster.errors import ClusterError, ConfigError

    names: set[str] = set()
    try:
        config = kubeconfigs.load(kubeconfig, context)
        names.update(c.namespace for c in config.contexts)
    except ConfigError:
        return []
    with contextlib.suppress(ClusterError, ConfigError, OSError, TimeoutError):
        names.update(asyncio.run(asyncio.wait_for(
            _cluster_namespaces(kubeconfig, context), CLUSTER_WAIT)))
    return sorted(n for n in names if n)


def candidates(what: str, kubeconfig: str | None, context: str | None) -> list[str]:
    if what == "contexts":
        return contexts(kubeconfig)
    if what == "namespaces":
        return namespaces(kubeconfig, context)
    return kinds()


def _flag_value(words: list[str], flag: str) -> str | None:
    for i, word in enumerate(words):
        if word == flag and i + 1 < len(words):
            return words[i + 1]
        if word.startswith(flag + "="):
            return word.partition("=")[2]
    return None


def kubectl_plugin_completion(args: list[str]) -> list[str]:
    """cobra's answer for `kubectl tui ARGS...` where the last arg is the word being typed:
    candidates then `:directive`."""
    *before, word = args or [""]
    previous = before[-1] if before else ""
    kubeconfig, context = _flag_value(before, "--kubeconfig"), _flag_value(before, "--context")
    if previous in FILE_OPTIONS:
        return [f":{_DEFAULT}"]
    if previous in VALUE_OPTIONS:
        found: Iterable[str] = candidates(VALUE_OPTIONS[previous], kubeconfig, context)
    else:
        found = [o for o in OPTIONS if o.startswith("--") or o in ("-n", "-A", "-c")]
    return [c for c in found if c.startswith(word)] + [f":{_NO_FILES}"]


def script(shell: str, prog: str = "kubetui") -> str:
    """The completion script for `shell`, completing `prog`."""
    value_cases = {what: [o for o, w in VALUE_OPTIONS.items() if w == what] for what in WHATS}
    if shell == "bash":
        cases = "".join(
            f"        {'|'.join(opts)}) words=$(\"{prog}\" \"${{flags[@]}}\" __complete "
            f"{what} 2>/dev/null);;\n" for what, opts in value_cases.items())
        return f"""# bash completion for {prog}; load with: source <({prog} completion bash)
_{prog.replace('-', '_')}_complete() {{
    local cur="${{COMP_WORDS[COMP_CWORD]}}" prev="${{COMP_WORDS[COMP_CWORD-1]}}"
    local flags=() words i
    for ((i = 1; i < COMP_CWORD - 1; i++)); do
        case "${{COMP_WORDS[i]}}" in
            --kubeconfig|--context) flags+=("${{COMP_WORDS[i]}}" "${{COMP_WORDS[i+1]}}");;
        esac
    done
    case "$prev" in
{cases}        {'|'.join(FILE_OPTIONS)}) COMPREPLY=($(compgen -f -- "$cur")); return;;
        completion) words="{' '.join(SHELLS)}";;
        *) words="{' '.join(OPTIONS + COMMANDS)}";;
    esac
    COMPREPLY=($(compgen -W "$words" -- "$cur"))
}}
complete -F _{prog.replace('-', '_')}_complete {prog}
"""
    if shell == "zsh":
        cases = "".join(
            f"        {'|'.join(opts)}) found=(${{(f)\"$({prog} $flags __complete {what} "
            f"2>/dev/null)\"}});;\n" for what, opts in value_cases.items())
        return f"""#compdef {prog}
# zsh completion for {prog}; load with: source <({prog} completion zsh)
_{prog.replace('-', '_')}_complete() {{
    local prev=${{words[CURRENT-1]}} i
    local -a flags found
    for ((i = 2; i < CURRENT - 1; i++)); do
        case ${{words[i]}} in
            --kubeconfig|--context) flags+=(${{words[i]}} ${{words[i+1]}});;
        esac
    done
    case $prev in
{cases.replace('$flags', '${flags[@]}')}        {'|'.join(FILE_OPTIONS)}) _files; return;;
        completion) found=({' '.join(SHELLS)});;
        *) found=({' '.join(OPTIONS + COMMANDS)});;
    esac
    compadd -- $found
}}
compdef _{prog.replace('-', '_')}_complete {prog}
"""
    if shell == "fish":
        lines = [f"# fish completion for {prog}; load with: {prog} completion fish | source",
                 f"function __{prog.replace('-', '_')}_words",
                 "    set -l flags",
                 "    set -l tokens (commandline -opc)",
                 "    for i in (seq 2 (math (count $tokens) - 1))",
                 "        if contains -- $tokens[$i] --kubeconfig --context",
                 "            set -a flags $tokens[$i] $tokens[(math $i + 1)]",
                 "        end",
                 "    end",
                 f"    {prog} $flags __complete $argv 2>/dev/null",
                 "end",
                 f"complete -c {prog} -f"]
        for option in OPTIONS:
            long = option.startswith("--")
            flag = f"-l {option[2:]}" if long else f"-s {option[1:]}"
            what = VALUE_OPTIONS.get(option)
            if what:
                lines.append(f"complete -c {prog} {flag} -x -a "
                             f"'(__{prog.replace('-', '_')}_words {what})'")
            elif option in FILE_OPTIONS:
                lines.append(f"complete -c {prog} {flag} -r -F")
            else:
                lines.append(f"complete -c {prog} {flag}")
        lines += [f"complete -c {prog} -n __fish_use_subcommand -a '{' '.join(COMMANDS)}'",
                  f"complete -c {prog} -n '__fish_seen_subcommand_from completion' "
                  f"-a '{' '.join(SHELLS)}'"]
        return "\n".join(lines) + "\n"
    raise ValueError(f"no completion for shell {shell!r} (known: {', '.join(SHELLS)})")
