"""Shell-like completion of a file path typed in a dialog (the apply dialog's): tab
extends what was typed as far as the matching names agree; a lone directory gets its /."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Completion:
    text: str  # the field's new text (unchanged when nothing matched)
    choices: tuple[str, ...]  # the names that still match when there are several


def complete_path(text: str, cwd: Path | None = None) -> Completion:
    folder_text, _, prefix = text.rpartition("/")
    folder_text = folder_text + "/" if text.count("/") else ""
    folder = Path(os.path.expanduser(folder_text or "."))
    if not folder.is_absolute():
        folder = (cwd or Path.cwd()) / folder
    try:
        names = sorted(e.name + ("/" if e.is_dir() else "") for e in os.scandir(folder)
                       if e.name.startswith(prefix)
                       and (prefix.startswith(".") or not e.name.startswith(".")))
    except OSError:
        names = []
    if not names:
        return Completion(text, ())
    common = os.path.commonprefix(names)
    return Completion(folder_text + common, tuple(names) if len(names) > 1 else ())
