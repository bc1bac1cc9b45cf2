"""k9s's `hotkeys.yaml`: a key that runs a `:` command.

```yaml
hotKeys:
  shift-0:
    shortCut: Shift-0
    description: Viewing pods
    command: pods
```
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from kubetui.k9s.keys import k9s_key
from kubetui.k9s.problems import Problem, read_mapping

_FIELDS = ("shortCut", "override", "description", "command", "keepHistory")


@dataclass(frozen=True)
class HotKey:
    name: str
    key: str  # Textual's spelling (see keys.k9s_key)
    shortcut: str  # as written in the file, for help
    command: str
    description: str = ""
    override: bool = False  # take the key even where kubetui binds it
    keep_history: bool = False
    source: Path | None = None


def parse_hotkeys(path: Path, data: Mapping[str, object]) -> tuple[list[HotKey],
                                                                   list[Problem]]:
    problems = [Problem(path, str(key), "unknown setting (k9s knows 'hotKeys')")
                for key in data if key != "hotKeys"]
    entries = data.get("hotKeys") or {}
    if not isinstance(entries, Mapping):
        return [], [*problems, Problem(path, "hotKeys", "must map names to hotkeys")]
    hotkeys: list[HotKey] = []
    for name, entry in entries.items():
        name = str(name)
        if not isinstance(entry, Mapping):
            problems.append(Problem(path, name, "must be a mapping with shortCut and "
                                                "command"))
            continue
        unknown = [str(k) for k in entry if k not in _FIELDS]
        shortcut, command = entry.get("shortCut"), entry.get("command")
        key = k9s_key(shortcut) if isinstance(shortcut, str) else None
        if unknown:
            problems.append(Problem(path, name, f"unknown field {unknown[0]!r} (known: "
                                                f"{', '.join(_FIELDS)})"))
        elif key is None:
            problems.append(Problem(path, name, f"shortCut {shortcut!r} is not a key k9s "
                                                "knows (a-z, Shift-A, Ctrl-A, F1...)"))
        elif not isinstance(command, str) or not command.strip():
            problems.append(Problem(path, name, "needs a command, e.g. 'pods'"))
        else:
            hotkeys.append(HotKey(
                name=name, key=key, shortcut=shortcut, command=command.strip(),
                description=str(entry.get("description") or command),
                override=entry.get("override") is True,
                keep_history=entry.get("keepHistory") is True, source=path))
    return hotkeys, problems


def load_hotkeys(path: Path) -> tuple[list[HotKey], list[Problem]]:
    data, problems = read_mapping(path)
    if data is None:
        return [], problems
    return parse_hotkeys(path, data)
