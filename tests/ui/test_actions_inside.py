"""Getting inside from the keyboard, in the real app (pilot): `F` starts port-forwards from
its dialog, `:pf` shows their states as they change (active, moved, reconnecting, failed)
and stops them; read-only mode and RBAC refuse shell, attach, debug and port-forward in
words before anything is sent. (The terminal hand-over itself: test_shell_pty.py.)"""

from __future__ import annotations

import socket
from typing import Any

import aiohttp
from textual.widgets import OptionList

from kubetui.cluster.portforward import Target
from kubetui.kinds import builtin
from kubetui.ui.screens.containers_screen import ContainersScreen
from kubetui.ui.screens.dialogs import ChoiceDialog, ConfirmDialog, PortForwardDialog
from kubetui.ui.screens.portforwards_screen import PortForwardsScreen
from tests.fast_cluster import POD, Cluster
from tests.ui.action_host import action_app, noted, notes, opened
from tests.ui.app_helpers import header_text
from tests.waiting import wait_for

SERVICE = builtin("Service")
INSIDE = ("shell", "attach", "debug", "port_forward")
STREAM_PATHS = ("/exec", "/attach", "/portforward", "/ephemeralcontainers")


def web(cluster: Cluster, replicas: int = 2) -> None:
    labels = {"app": "web"}
    cluster.create({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "default", "labels": labels},
        "spec": {"replicas": replicas, "selector": {"matchLabels": labels},
                 "template": {"metadata": {"labels": labels}, "spec": {"containers": [
                     {"name": "app", "image": "nginx:1.25",
                      "ports": [{"name": "http", "containerPort": 8080}]}]}}}})
    cluster.create({"apiVersion": "v1", "kind": "Service",
                    "metadata": {"name": "web", "namespace": "default"},
                    "spec": {"selector": labels,
                             "ports": [{"name": "http", "port": 80, "targetPort": "http"}]}})


def ready_pods(cluster: Cluster) -> list[str]:
    return [p["metadata"]["name"] for p in cluster.live_pods("web")
            if any(c.get("type") == "Ready" and c.get("status") == "True"
                   for c in (p.get("status") or {}).get("conditions") or ())]


def rows(screen: PortForwardsScreen) -> list[list[str]]:
    table = screen.table
    return [[cell.plain for cell in table.get_row_at(i)] for i in range(table.row_count)]


def stream_requests(cluster: Cluster) -> list[str]:
    return [r.path for r in cluster.running.server.requests
            if r.path.endswith(STREAM_PATHS)]


async def http_get(port: int) -> tuple[int, str]:
    async with aiohttp.ClientSession() as http:
        async with http.get(f"http://127.0.0.1:{port}/",
                            timeout=aiohttp.ClientTimeout(total=10)) as resp:
            return resp.status, await resp.text()


async def test_port_forward_from_its_key_and_the_pf_view_through_every_state(
        cluster: Cluster) -> None:
    web(cluster)
    await wait_for(lambda: len(ready_pods(cluster)) == 2, timeout=30)
    app = action_app(SERVICE)
    async with app.run_test(size=(160, 40)) as pilot:
        await opened(app, pilot, "web")
        await pilot.press("slash", *"web", "enter")  # past the `kubernetes` Service
        await wait_for(lambda: app.main_table.selected_entry.name == "web")
        await pilot.press("F")
        dialog = await wait_for(lambda: isinstance(app.screen, PortForwardDialog)
                                and app.screen)
        ports = dialog.query_one("#ports").value
        assert ports.endswith(":80") and "," not in ports  # the Service's one port
        await pilot.press("enter")
        await wait_for(lambda: noted(app, "-> service/web:80 (active)"))
        [forward] = app.session.forwards.forwards
        assert forward.address == "127.0.0.1" and forward.pod_port == 8080
        status, body = await http_get(forward.local_port)
        assert status == 200 and f"default/{forward.pod}," in body
        await wait_for(lambda: "1 port-forward" in header_text(app))

        await pilot.press("colon", *"pf", "enter")
        screen = await wait_for(lambda: isinstance(app.screen, PortForwardsScreen)
                                and app.screen)
        await wait_for(lambda: rows(screen) and rows(screen)[0][4] == "0/1")
        row = rows(screen)[0]
        assert row[:4] == [forward.local, "default/service/web:80", f"{forward.pod}:8080",
                           "active"]
        assert row[5] != "0 Bytes" and row[6] != "0 Bytes"  # bytes in and out

        first = forward.pod  # its pod replaced: the forward moves to a ready one
        await cluster.client.request("DELETE", f"/api/v1/namespaces/default/pods/{first}",
                                     {"gracePeriodSeconds": 0})
        await wait_for(lambda: rows(screen)[0][3].startswith(f"active, moved {first} -> "),
                       timeout=30)
        status, body = await http_get(forward.local_port)
        assert status == 200 and first not in body

        await cluster.client.request(  # no pod left behind the Service
            "PATCH", "/apis/apps/v1/namespaces/default/deployments/web/scale",
            {"spec": {"replicas": 0}}, content_type="application/merge-patch+json")
        await wait_for(lambda: rows(screen)[0][3].startswith("reconnecting: pod ")
                       and rows(screen)[0][3].endswith("no ready pod behind service/web"),
                       timeout=30)
        # the narrow STATE column cuts it; the line under the table says it whole
        await wait_for(lambda: str(screen.query_one("#pf-detail").render()) ==
                       f"{forward.describe()} · {rows(screen)[0][3]}")

        with socket.socket() as busy:  # a local port already taken: failed, with why
            busy.bind(("127.0.0.1", 0))
            busy.listen()
            taken = busy.getsockname()[1]
            await app.session.forwards.start(Target(SERVICE, "default", "web"), 80, taken)
            await wait_for(lambda: len(rows(screen)) == 2)
            assert rows(screen)[1][3].startswith(f"failed: cannot listen on 127.0.0.1:{taken}")

        await pilot.press("ctrl+d")  # stop the first, after asking
        await wait_for(lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("tab", "enter")
        await wait_for(lambda: len(rows(screen)) == 1)
        assert noted(app, f"stopped {forward.describe()}")
        assert forward not in app.session.forwards.forwards
        await pilot.press("ctrl+c")  # quitting stops the one left, and says so
    assert app.farewell == (f"kubetui: stopped 1 port-forward(s): 127.0.0.1:{taken} -> "
                            f"service/web:80")


async def test_readonly_mode_hides_and_refuses_getting_inside(cluster: Cluster) -> None:
    web(cluster, replicas=1)
    await wait_for(lambda: len(ready_pods(cluster)) == 1, timeout=30)
    pod = ready_pods(cluster)[0]
    app = action_app(POD, readonly=True)
    async with app.run_test(size=(160, 40)) as pilot:
        await opened(app, pilot, pod)
        shown = {b.binding.action for b in app.screen.active_bindings.values() if b.enabled}
        assert not shown & set(INSIDE)
        for key in ("s", "a", "D", "F"):
            await pilot.press(key)
            await pilot.pause()
            assert app.screen is app.screen_stack[0]
        for name in INSIDE:  # asked another way (a remapped key, the palette): refused
            app.start_action(name)
            words = name.replace("_", " ")
            await wait_for(lambda: noted(app, f"read-only mode: {words} is disabled"))
    assert stream_requests(cluster) == []
    assert cluster.running.server.mutating_requests() == []


async def test_rbac_refusals_are_said_before_anything_is_opened(cluster: Cluster) -> None:
    web(cluster, replicas=1)
    await wait_for(lambda: len(ready_pods(cluster)) == 1, timeout=30)
    pod = ready_pods(cluster)[0]
    cluster.running.sandbox.faults.rbac = "readonly"
    refusals: dict[str, Any] = {
        "s": f'you may not create pods/exec "{pod}" in namespace "default"',
        "a": f'you may not create pods/attach "{pod}" in namespace "default"',
        "D": f'you may not patch pods/ephemeralcontainers "{pod}" in namespace "default"',
        "F": f'you may not create pods/portforward "{pod}" in namespace "default"'}
    app = action_app(POD)
    async with app.run_test(size=(160, 40)) as pilot:
        await opened(app, pilot, pod)
        for key, words in refusals.items():
            await pilot.press(key)
            await wait_for(lambda: noted(app, words), message=key)
            assert app.screen is app.screen_stack[0]  # no dialog: refused before asking
    app = action_app(SERVICE)
    async with app.run_test(size=(160, 40)) as pilot:
        await opened(app, pilot, "web")
        await pilot.press("slash", *"web", "enter")
        await wait_for(lambda: app.main_table.selected_entry.name == "web")
        await pilot.press("F")
        await wait_for(lambda: noted(
            app, 'you may not create pods/portforward in namespace "default"'))
    assert stream_requests(cluster) == []


async def pod_with_sidecar_not_running(cluster: Cluster,
                                       annotations: dict[str, str] | None = None) -> None:
    """Pod `two`: container `app` running, `sidecar` waiting on its image."""
    cluster.create({"apiVersion": "v1", "kind": "Pod",
                    "metadata": {"name": "two", "namespace": "default",
                                 "annotations": annotations or {}},
                    "spec": {"containers": [
                        {"name": "app", "image": "nginx:1.25"},
                        {"name": "sidecar", "image": "registry.example/app:imagepullbackoff"}]}})
    await wait_for(lambda: "ImagePull" in str(cluster.store.get(
        ("", "pods"), "default", "two").get("status", {}).get("containerStatuses")),
        timeout=30)


async def test_shell_picks_among_containers_and_refuses_one_not_running(
        cluster: Cluster) -> None:
    await pod_with_sidecar_not_running(cluster, {
        "kubectl.kubernetes.io/default-container": "sidecar"})
    app = action_app(POD)
    async with app.run_test(size=(160, 40)) as pilot:
        await opened(app, pilot, "two")
        await pilot.press("s")
        dialog = await wait_for(lambda: isinstance(app.screen, ChoiceDialog) and app.screen)
        options = dialog.query_one(OptionList)
        assert [str(options.get_option_at_index(i).prompt).split(" (")[0]
                for i in range(options.option_count)] == ["app", "sidecar"]
        assert options.highlighted == 1  # the default-container annotation's
        await pilot.press("enter")
        note = await wait_for(lambda: noted(app, "is not running"))
        assert note.startswith("container sidecar of pod two is not running (waiting: ")
        assert app.screen is app.screen_stack[0]
    assert stream_requests(cluster) == []


async def test_s_on_a_container_row_takes_that_container_and_keeps_the_gates(
        cluster: Cluster) -> None:
    """`s` in the containers view (Enter on a pod) asks no question: the row's container,
    here one not running, refused in words. Read-only mode hides the key there too, and
    refuses the action asked another way. (A shell opened so: test_shell_pty.py.)"""
    await pod_with_sidecar_not_running(cluster)
    for readonly in (False, True):
        app = action_app(POD, readonly=readonly)
        async with app.run_test(size=(160, 40)) as pilot:
            await opened(app, pilot, "two")
            await pilot.press("enter")
            screen = await wait_for(lambda: isinstance(app.screen, ContainersScreen)
                                    and app.screen)
            table = screen.table
            await wait_for(lambda: table.row_count == 2)
            assert table.select_uid(next(table.entry_at(i).uid for i in range(2)
                                         if table.entry_at(i).name == "sidecar"))
            shown = {b.binding.action for b in screen.active_bindings.values() if b.enabled}
            assert ("shell" in shown) is not readonly
            await pilot.press("s")
            if readonly:
                await pilot.pause()
                assert not [m for _, m in notes(app) if "shell" in m]
                screen.action_shell()  # asked another way (a remapped key): refused
                await wait_for(lambda: noted(app, "read-only mode: shell is disabled"))
            else:
                note = await wait_for(lambda: noted(app, "is not running"))
                assert note.startswith("container sidecar of pod two is not running "
                                       "(waiting: ")
            assert app.screen is screen  # no dialog asked which container
    assert stream_requests(cluster) == []
