"""The last view of each context (kind, namespace, filter), kept between runs as k9s
does, in `$XDG_STATE_HOME/kubetui/views.json` (default `~/.local/state`). No Textual.

A missing, unreadable or malformed file means no saved view: losing it costs a person a
few keys, never a start-up error."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path


@dataclass(frozen=True)
class SavedView:
    resource: str  # what `:` accepts: `pods`, `deployments.apps`
    namespace: str | None  # None: all namespaces
    filter: str = ""


def state_path() -> Path:
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "kubetui" / "views.json"


def _read(path: Path) -> dict[str, dict]:
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def load_view(context: str, path: Path | None = None) -> SavedView | None:
    entry = _read(path or state_path()).get(context)
    if not isinstance(entry, dict) or not isinstance(entry.get("resource"), str):
        return None
    namespace = entry.get("namespace")
    text = entry.get("filter")
    return SavedView(entry["resource"], namespace if isinstance(namespace, str) else None,
                     text if isinstance(text, str) else "")


def save_view(context: str, view: SavedView, path: Path | None = None) -> None:
    """Remember `view` for `context` (the other contexts' views are kept). Written to a
    temporary file then renamed, so a crash never leaves half a file."""
    path = path or state_path()
    data = _read(path)
    if data.get(context) == asdict(view):
        return
    data[context] = asdict(view)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(".tmp")
        temporary.write_text(json.dumps(data, indent=1, sort_keys=True))
        temporary.replace(path)
    except OSError:
        pass
