"""Start-up imports only what the first screen needs (issue 19: time to first rows).

Each check runs in a fresh interpreter, as `kubetui` starts."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

#: Never needed to open a connection and show a table: kubernetes-asyncio's client
#: package alone loads ~800 model classes; the sandbox is a separate server.
NOT_AT_START = ("kubernetes_asyncio", "urllib3", "dateutil", "kubetui.sandbox")

#: What only later screens and keys need: the other screens and dialogs, the action flows
#: (shell, attach, debug, port-forward dialogs, the editor), logs, describe, aliases, Helm. They
#: load when first used; at start they cost ~40 ms of CPU before the first rows.
ONLY_LATER = (
    "kubetui.ui.screens.containers_screen",
    "kubetui.ui.screens.contexts", "kubetui.ui.screens.dialogs",
    "kubetui.ui.screens.events_screen", "kubetui.ui.screens.helm_screens",
    "kubetui.ui.screens.help", "kubetui.ui.screens.log_screen",
    "kubetui.ui.screens.object_screens", "kubetui.ui.screens.portforwards_screen",
    "kubetui.ui.screens.problems_screen", "kubetui.ui.screens.pulses_screen",
    "kubetui.ui.screens.rollout_screen", "kubetui.ui.screens.text_screen",
    "kubetui.ui.screens.xray_screen", "kubetui.ui.aliases",
    "kubetui.ui.actions.flows", "kubetui.ui.actions.inside", "kubetui.ui.actions.editor",
    "kubetui.ui.widgets.log_view", "kubetui.ui.widgets.text_view",
    "kubetui.cluster.logs", "kubetui.cluster.exec", "kubetui.cluster.debug",
    "kubetui.render.describe", "kubetui.helm", "kubetui.cluster.helm_watch",
)

KUBECONFIG = """apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "https://127.0.0.1:1"}}]
users: [{name: u, user: {token: t}}]
contexts: [{name: ctx, context: {cluster: c, user: u}}]
current-context: ctx
"""


def _loaded_after(code: str) -> set[str]:
    code += "\nimport sys; print('\\n'.join(sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    return set(out.stdout.split())


@pytest.mark.parametrize("entry", ["kubetui.cli", "kubetui.ui.app"])
def test_the_entry_points_leave_later_modules_unloaded(entry: str) -> None:
    loaded = _loaded_after(f"import {entry}")
    assert entry in loaded
    assert sorted(m for m in loaded if m.startswith(NOT_AT_START + ONLY_LATER)) == []


def test_making_the_app_leaves_later_screens_unloaded() -> None:
    kubeconfig = Path(os.environ["KUBECONFIG"])  # (the isolated home's)
    kubeconfig.parent.mkdir(parents=True, exist_ok=True)
    kubeconfig.write_text(KUBECONFIG)
    loaded = _loaded_after("from kubetui.config import Settings\n"
                           "from kubetui.ui.app import make_app\n"
                           "app = make_app(Settings(all_namespaces=True))\n"
                           "assert app.kubeconfig.current == 'ctx'")
    assert "kubetui.ui.widgets.resource_table" in loaded
    assert sorted(m for m in loaded if m.startswith(NOT_AT_START + ONLY_LATER)) == []


def test_the_later_modules_named_exist() -> None:
    """A renamed module must not leave the list above checking nothing."""
    loaded = _loaded_after("\n".join(f"import {m}" for m in ONLY_LATER))
    assert set(ONLY_LATER) <= loaded


def test_the_collector_is_on_again_after_the_app_is_imported() -> None:
    """The app's module pauses garbage collection while its imports load, and only then."""
    loaded = _loaded_after("import gc\nimport kubetui.ui.app\nassert gc.isenabled()\n"
                           "gc.disable()\nimport importlib\nimportlib.reload(kubetui.ui.app)\n"
                           "assert not gc.isenabled()")
    assert "kubetui.ui.app" in loaded
