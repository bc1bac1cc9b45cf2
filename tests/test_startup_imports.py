"""Start-up imports only what the first screen needs (issue 19: time to first rows).

Each check runs in a fresh interpreter, as `kubetui` starts."""

from __future__ import annotations

import subprocess
import sys

import pytest

#: Never needed to open a connection and show a table: kubernetes-asyncio's client
#: package alone loads ~800 model classes; the sandbox is a separate server.
NOT_AT_START = ("kubernetes_asyncio", "urllib3", "dateutil", "kubetui.sandbox")


def _loaded_after(module: str) -> set[str]:
    code = f"import sys, {module}; print('\\n'.join(sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    return set(out.stdout.split())


@pytest.mark.parametrize("entry", ["kubetui.cli", "kubetui.ui.app"])
def test_the_entry_points_leave_later_modules_unloaded(entry: str) -> None:
    loaded = _loaded_after(entry)
    assert entry in loaded
    assert sorted(m for m in loaded if m.startswith(NOT_AT_START)) == []
