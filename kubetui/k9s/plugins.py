"""k9s's plugins: a key that runs a command on the selected row.

Read from `plugins.yaml` (`plugins:` mapping) and from the plugin folders, whose files hold
either several plugins (a mapping of names) or one plugin (named after the file):

```yaml
plugins:
  fred:
    shortCut: Ctrl-L
    description: Pod logs
    scopes: [pods]
    command: kubectl
    background: false
    args: [logs, -f, $NAME, -n, $NAMESPACE, --context, $CONTEXT]
```

`dangerous: true` marks a plugin that changes things: `--readonly` refuses it, as k9s does.
`confirm: true` asks before running, showing the command line.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from kubetui.k9s.keys import k9s_key
from kubetui.k9s.problems import Problem, read_mapping
from kubetui.k9s.variables import substitute

_FIELDS = frozenset({"shortCut", "override", "description", "scopes", "command", "args",
                     "background", "confirm", "dangerous", "overwriteOutput", "pipes",
                     "inputs"})
#: k9s fields kubetui reads but cannot honour yet: a plugin using them is skipped.
_UNSUPPORTED = ("pipes", "inputs")
_FLAGS = ("override", "background", "confirm", "dangerous", "overwriteOutput")


@dataclass(frozen=True)
class Plugin:
    name: str
    key: str  # Textual's spelling (see keys.k9s_key)
    shortcut: str  # as written, for help
    command: str
    args: tuple[str, ...] = ()
    scopes: tuple[str, ...] = ("all",)
    description: str = ""
    background: bool = False
    confirm: bool = False
    dangerous: bool = False
    override: bool = False
    source: Path | None = None

    def applies_to(self, names: Iterable[str]) -> bool:
        """Whether the plugin is offered on a view whose kind answers to `names`
        (plural, singular, short names...)."""
        scopes = {s.lower() for s in self.scopes}
        return "all" in scopes or bool(scopes & {n.lower() for n in names})

    def argv(self, variables: Mapping[str, str]) -> list[str]:
        """The command line to run, variables substituted (the command is run directly,
        not through a shell, as k9s runs it)."""
        return [self.command, *(substitute(a, variables) for a in self.args)]


def _plugin(path: Path, name: str, entry: object) -> Plugin | Problem:
    if not isinstance(entry, Mapping):
        return Problem(path, name, "must be a mapping with shortCut, scopes and command")
    unknown = sorted(str(k) for k in entry if k not in _FIELDS)
    if unknown:
        return Problem(path, name, f"unknown field {unknown[0]!r}")
    used = [f for f in _UNSUPPORTED if entry.get(f)]
    if used:
        return Problem(path, name, f"{used[0]!r} is not supported by kubetui yet; "
                                   "plugin skipped")
    shortcut, command = entry.get("shortCut"), entry.get("command")
    key = k9s_key(shortcut) if isinstance(shortcut, str) else None
    if key is None:
        return Problem(path, name, f"shortCut {shortcut!r} is not a key k9s knows "
                                   "(a-z, Shift-A, Ctrl-A, F1...)")
    if not isinstance(command, str) or not command.strip():
        return Problem(path, name, "needs a command to run")
    args, scopes = entry.get("args") or [], entry.get("scopes") or []
    if not isinstance(args, list) or not all(isinstance(a, str | int | float) for a in args):
        return Problem(path, name, "'args' must be a list of strings")
    if not isinstance(scopes, list) or not scopes or not all(isinstance(s, str)
                                                             for s in scopes):
        return Problem(path, name, "'scopes' must list resource names (or 'all')")
    bad = [f for f in _FLAGS if f in entry and not isinstance(entry[f], bool)]
    if bad:
        return Problem(path, name, f"{bad[0]!r} must be true or false")
    return Plugin(name=name, key=key, shortcut=shortcut, command=command.strip(),
                  args=tuple(str(a) for a in args), scopes=tuple(scopes),
                  description=str(entry.get("description") or name),
                  background=entry.get("background") is True,
                  confirm=entry.get("confirm") is True,
                  dangerous=entry.get("dangerous") is True,
                  override=entry.get("override") is True, source=path)


def parse_plugins(path: Path, data: Mapping[str, object], *, snippet_allowed: bool = False
                  ) -> tuple[list[Plugin], list[Problem]]:
    """`plugins: {name: plugin}`; in a plugin folder also `{name: plugin}` or one plugin
    whose name is the file's."""
    if "plugins" in data:
        problems = [Problem(path, str(k), "unknown setting beside 'plugins'")
                    for k in data if k != "plugins"]
        entries = data["plugins"] or {}
        if not isinstance(entries, Mapping):
            return [], [*problems, Problem(path, "plugins", "must map names to plugins")]
    elif snippet_allowed and "command" in data:
        problems, entries = [], {path.stem: data}
    elif snippet_allowed:
        problems, entries = [], data
    else:
        return [], [Problem(path, str(k), "unknown setting (k9s knows 'plugins')")
                    for k in data]
    plugins: list[Plugin] = []
    for name, entry in entries.items():
        found = _plugin(path, str(name), entry)
        (plugins if isinstance(found, Plugin) else problems).append(found)  # type: ignore[arg-type]
    return plugins, problems


def load_plugins(files: Iterable[Path], folders: Iterable[Path]
                 ) -> tuple[dict[str, Plugin], list[Problem]]:
    """Every plugin by name (a later file's plugin replaces an earlier one of the same
    name), from `files` (plugins.yaml) then every .yaml/.yml file under `folders`."""
    found: dict[str, Plugin] = {}
    problems: list[Problem] = []
    sources = [(p, False) for p in files]
    for folder in folders:
        if folder.is_dir():
            sources += [(p, True) for p in sorted(folder.rglob("*"))
                        if p.suffix in (".yaml", ".yml") and p.is_file()]
    for path, in_folder in sources:
        data, bad = read_mapping(path)
        problems += bad
        if data is not None:
            plugins, bad = parse_plugins(path, data, snippet_allowed=in_folder)
            problems += bad
            found.update((p.name, p) for p in plugins)
    return found, problems
