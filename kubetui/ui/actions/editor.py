"""The person's editor for `e` (edit), kubectl's way: $KUBE_EDITOR, $EDITOR, else vi."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shlex
import shutil
from pathlib import Path

from textual.app import App, SuspendNotSupported

from kubetui.cluster.actions import EditorFailed
from kubetui.private_files import private_dir, write_private


def _editor_command() -> list[str]:
    """kubectl's choice: $KUBE_EDITOR, $EDITOR, else vi."""
    for var in ("KUBE_EDITOR", "EDITOR"):
        value = os.environ.get(var, "").strip()
        if value:
            return shlex.split(value)
    return ["vi"]


async def run_editor(app: App, text: str, name: str) -> str:
    """Hand `text` to the person's editor in a temporary file, the TUI suspended meanwhile;
    the saved text comes back. Screen updates are held while the editor owns the
    terminal (the event loop, and so the watches, keep running). The file (which may hold
    a Secret's values) is 0600 in a private folder, removed after, and on SIGHUP too."""
    command = _editor_command()
    folder = private_dir("kubetui-edit-")
    try:
        path = write_private(folder / f"{name}.yaml", text)
        with app.batch_update(), contextlib.ExitStack() as stack:
            with contextlib.suppress(SuspendNotSupported):  # headless (tests), web
                stack.enter_context(app.suspend())
            try:
                proc = await asyncio.create_subprocess_exec(*command, str(path))
            except OSError as e:
                raise EditorFailed(f"cannot run the editor {command[0]!r}: "
                                   f"{e.strerror or e}") from None
            code = await proc.wait()
        if code != 0:
            raise EditorFailed(f"the editor {command[0]!r} exited with status {code}")
        return path.read_text()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
