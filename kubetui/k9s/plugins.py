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
`confirm: true` asks before running, showing the command line (the default when the plugin
has `inputs`, as in k9s). Every field of k9s's plugin (`internal/config/plugin.go`) is
honoured: `inputs` are asked in a dialog before the run and substituted as `$INPUT_<NAME>`;
`pipes` feed the command's output through further commands; `overwriteOutput` says a
background plugin's output in a notification instead of a view.
"""

from __future__ import annotations

import shlex
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from kubetui.k9s.keys import k9s_key
from kubetui.k9s.problems import Problem, read_mapping
from kubetui.k9s.variables import is_number, substitute

_FIELDS = frozenset({"shortCut", "override", "description", "scopes", "command", "args",
                     "background", "confirm", "dangerous", "overwriteOutput", "pipes",
                     "inputs"})
_FLAGS = ("override", "background", "confirm", "dangerous", "overwriteOutput")
_INPUT_FIELDS = frozenset({"name", "label", "type", "required", "default", "options"})
INPUT_TYPES = ("string", "number", "bool", "dropdown")
#: k9s's schema allows at most this many inputs per plugin.
MAX_INPUTS = 5


@dataclass(frozen=True)
class PluginInput:
    """One field asked before the plugin runs; its value is `$INPUT_<NAME>`."""

    name: str
    type: str  # one of INPUT_TYPES
    label: str = ""
    required: bool = False
    default: str = ""
    options: tuple[str, ...] = ()

    @property
    def variable(self) -> str:
        return f"INPUT_{self.name.upper()}"

    def problem(self, value: str) -> str | None:
        """Why `value` cannot be used for this input (k9s's dialog rules); None if it can."""
        if self.required and not value:
            return f"{self.label or self.name} is required"
        if self.type == "number" and value and not is_number(value):
            return f"{self.label or self.name} must be a number"
        if self.type == "dropdown" and value and value not in self.options:
            return f"{self.label or self.name} must be one of {', '.join(self.options)}"
        return None


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
    #: A background plugin's output is said in a notification instead of a view.
    overwrite_output: bool = False
    #: Commands its output goes through, each as its words (k9s: shell words, no variables).
    pipes: tuple[tuple[str, ...], ...] = ()
    inputs: tuple[PluginInput, ...] = ()
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

    def commands(self, variables: Mapping[str, str]) -> list[list[str]]:
        """The command, then each pipe it feeds (as k9s: no variables in pipes)."""
        return [self.argv(variables), *(list(p) for p in self.pipes)]


def _default_text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def _inputs(entry: object) -> tuple[tuple[PluginInput, ...], str | None]:
    """k9s's `inputs`, checked as k9s's schema and `Plugin.Validate` check them."""
    if not isinstance(entry, list):
        return (), "'inputs' must be a list of fields"
    if len(entry) > MAX_INPUTS:
        return (), f"'inputs' has {len(entry)} fields; k9s allows at most {MAX_INPUTS}"
    found: list[PluginInput] = []
    for raw in entry:
        if not isinstance(raw, Mapping) or not isinstance(raw.get("name"), str) \
                or not raw["name"].strip():
            return (), "each input needs a 'name' and a 'type'"
        name = raw["name"].strip()
        unknown = sorted(str(k) for k in raw if k not in _INPUT_FIELDS)
        kind, options = raw.get("type"), raw.get("options") or []
        if unknown:
            return (), f"input {name!r}: unknown field {unknown[0]!r}"
        if kind not in INPUT_TYPES:
            return (), f"input {name!r}: type {kind!r} is not one of {', '.join(INPUT_TYPES)}"
        if not isinstance(options, list) or not all(isinstance(o, str) for o in options):
            return (), f"input {name!r}: 'options' must list strings"
        if any(i.name == name for i in found):
            return (), f"duplicate input name {name!r}"
        if "required" in raw and not isinstance(raw["required"], bool):
            return (), f"input {name!r}: 'required' must be true or false"
        default = _default_text(raw.get("default"))
        field = PluginInput(name, kind, str(raw.get("label") or ""), raw.get("required") is True,
                            default, tuple(options))
        if kind == "dropdown" and not options:
            return (), f"input {name!r}: a dropdown needs 'options'"
        if default and (kind == "bool" and default not in ("true", "false")
                        or kind != "bool" and field.problem(default)):
            return (), f"input {name!r}: default {default!r} is not a valid {kind}"
        found.append(field)
    return tuple(found), None


def _pipes(entry: object, path: Path, name: str
           ) -> tuple[tuple[tuple[str, ...], ...], list[Problem], str | None]:
    """k9s's `pipes`: shell words each; k9s skips a pipe of fewer than two words, and so
    does kubetui, saying so."""
    if not isinstance(entry, list) or not all(isinstance(p, str) for p in entry):
        return (), [], "'pipes' must be a list of commands"
    kept, problems = [], []
    for pipe in entry:
        try:
            words = shlex.split(pipe)
        except ValueError as e:
            return (), [], f"pipe {pipe!r}: {e}"
        if len(words) < 2:
            problems.append(Problem(path, name, f"pipe {pipe!r} skipped: k9s runs a pipe "
                                                "only with a command and arguments"))
        else:
            kept.append(tuple(words))
    return tuple(kept), problems, None


def _plugin(path: Path, name: str, entry: object) -> tuple[Plugin | None, list[Problem]]:
    """The plugin, or None; with what was wrong (a warning when the plugin is kept)."""
    def skip(message: str) -> tuple[None, list[Problem]]:
        return None, [Problem(path, name, message)]

    if not isinstance(entry, Mapping):
        return skip("must be a mapping with shortCut, scopes and command")
    unknown = sorted(str(k) for k in entry if k not in _FIELDS)
    if unknown:
        return skip(f"unknown field {unknown[0]!r}")
    shortcut, command = entry.get("shortCut"), entry.get("command")
    key = k9s_key(shortcut) if isinstance(shortcut, str) else None
    if key is None:
        return skip(f"shortCut {shortcut!r} is not a key k9s knows (a-z, Shift-A, Ctrl-A, "
                    "F1...)")
    if not isinstance(command, str) or not command.strip():
        return skip("needs a command to run")
    args, scopes = entry.get("args") or [], entry.get("scopes") or []
    if not isinstance(args, list) or not all(isinstance(a, str | int | float) for a in args):
        return skip("'args' must be a list of strings")
    if not isinstance(scopes, list) or not scopes or not all(isinstance(s, str)
                                                             for s in scopes):
        return skip("'scopes' must list resource names (or 'all')")
    bad = [f for f in _FLAGS if f in entry and not isinstance(entry[f], bool)]
    if bad:
        return skip(f"{bad[0]!r} must be true or false")
    inputs, why = _inputs(entry.get("inputs") or [])
    if why:
        return skip(why)
    pipes, warnings, why = _pipes(entry.get("pipes") or [], path, name)
    if why:
        return skip(why)
    # k9s: confirm defaults to true when the plugin asks for inputs.
    confirm = entry["confirm"] if "confirm" in entry else bool(inputs)
    return Plugin(name=name, key=key, shortcut=shortcut, command=command.strip(),
                  args=tuple(str(a) for a in args), scopes=tuple(scopes),
                  description=str(entry.get("description") or name),
                  background=entry.get("background") is True, confirm=confirm,
                  dangerous=entry.get("dangerous") is True,
                  override=entry.get("override") is True,
                  overwrite_output=entry.get("overwriteOutput") is True,
                  pipes=pipes, inputs=inputs, source=path), warnings


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
        found, bad = _plugin(path, str(name), entry)
        problems += bad
        if found is not None:
            plugins.append(found)
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
