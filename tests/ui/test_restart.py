"""The API server restarted under a running kubetui (issue 11): the sandbox is stopped and
started again on the same port with the same `state_dir` (same CA, certificate and token:
the same endpoint to its clients), but with another store whose resourceVersions are
lower, as an etcd restored from a backup. The view converges to the new server's list, and
the header never says "live" while the table still shows what the old server had."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from kubetui.sandbox.run import RunningSandbox
from tests.conftest import start_sandbox, stop_sandbox
from tests.ui.app_helpers import app_for, header_text, live, names, until

PODS, CONFIGMAPS = ("", "pods"), ("", "configmaps")


def pod(name: str) -> dict[str, Any]:
    return {"metadata": {"name": name, "namespace": "default"},
            "spec": {"containers": [{"name": "main", "image": "nginx"}]}}


def server_pods(sb: RunningSandbox) -> list[str]:
    return sorted(p["metadata"]["name"] for p in sb.sandbox.store.list(PODS, "default")[0])


async def start(config: Path, state: Path, **options: Any) -> RunningSandbox:
    return await start_sandbox(config, state_dir=str(state), controllers=False, **options)


@pytest.mark.parametrize("second", ["restored", "another-scenario"])
async def test_view_converges_after_the_api_server_restarts(
        isolated_home: Path, monkeypatch: pytest.MonkeyPatch, second: str) -> None:
    config, state = isolated_home / ".kube" / "config", isolated_home / "state"
    monkeypatch.setenv("KUBECONFIG", str(config))
    first = await start(config, state)
    store = first.sandbox.store
    for i in range(40):
        store.create(PODS, pod(f"web-{i:02}"))
    store.create(CONFIGMAPS, {"metadata": {"name": "busy", "namespace": "default"}})
    for i in range(300):  # a busy cluster: resourceVersions well above the new server's
        cm = store.get(CONFIGMAPS, "default", "busy")
        store.update(CONFIGMAPS, {**cm, "data": {"n": str(i)}})
    port, old_rv = first.server.port, store.rv
    app = app_for(str(config))
    samples: list[tuple[str, list[str]]] = []
    try:
        async with app.run_test(size=(160, 60)) as pilot:
            await live(app, "pods")
            await until(lambda: names(app) == server_pods(first))
            await stop_sandbox(first)
            await until(lambda: "live" not in header_text(app), message="the loss shown")

            if second == "restored":  # the same names, then changes made after the restore
                new = await start(config, state, port=port)
                for i in range(40):
                    new.sandbox.store.create(PODS, pod(f"web-{i:02}"))
                for i in range(31):
                    new.sandbox.store.delete(PODS, "default", f"web-{i:02}")
                for i in range(5):
                    new.sandbox.store.create(PODS, pod(f"new-{i}"))
            else:
                new = await start(config, state, port=port, scenario="demo")
            try:
                assert new.sandbox.store.rv < old_rv  # the restored server is "behind"
                expected = server_pods(new)
                assert expected != names(app)

                def sample() -> bool:
                    samples.append((header_text(app), names(app)))
                    return names(app) == server_pods(new) and "live" in header_text(app)

                await until(sample, timeout=60, message="the view converged")
                await pilot.pause()
                assert names(app) == server_pods(new)
            finally:
                await stop_sandbox(new)
    finally:
        if first.server._runner is not None:
            await stop_sandbox(first)
    # The old server's rows stayed a while (the new server is asked whether the last
    # resourceVersion means anything to it, and waits 3 s before saying no), and all that
    # while the header did not say live.
    old = [f"web-{i:02}" for i in range(40)]
    assert any(rows == old for _, rows in samples)
    assert [header for header, rows in samples if rows == old and "live" in header] == []
