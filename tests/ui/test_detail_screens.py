"""Describe, YAML and Events screens in a tiny host app, against the real sandbox."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
import pytest_asyncio
from textual.app import App

from kubetui.cluster import kubeconfig
from kubetui.cluster.client import ClusterClient
from kubetui.cluster.reflector import StoreSettings
from kubetui.cluster.store import WatchStore
from kubetui.kinds import builtin
from kubetui.ui.screens.events_screen import EventsScreen
from kubetui.ui.screens.object_screens import DescribeScreen, YamlScreen
from kubetui.ui.widgets.events_view import EventsView
from tests.waiting import wait_for

pytestmark = pytest.mark.asyncio

FAST = StoreSettings(flush_interval=0.02, linger=0.2, backoff_base=0.05, backoff_max=0.3)
DEPLOY, SECRET = builtin("Deployment"), builtin("Secret")
PASSWORD = base64.b64encode(b"hunter2-very-secret").decode()


class Host(App[None]):
    """Nothing but a place to push the screens onto."""


@pytest_asyncio.fixture
async def store(sandbox: Any) -> AsyncIterator[WatchStore]:
    cfg = kubeconfig.load()
    client = await ClusterClient.connect(cfg, cfg.current)
    watch_store = WatchStore(client, FAST)
    yield watch_store
    await watch_store.close()
    await client.close()


async def create(store: WatchStore, path: str, body: dict[str, Any]) -> dict[str, Any]:
    return await store.client.request("POST", path, body)


def deployment(name: str, replicas: int) -> dict[str, Any]:
    labels = {"app": name}
    return {"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": name, "namespace": "default"},
            "spec": {"replicas": replicas, "selector": {"matchLabels": labels},
                     "template": {"metadata": {"labels": labels},
                                  "spec": {"containers": [{"name": "app",
                                                           "image": "nginx:1.25"}]}}}}


def event(name: str, type_: str, reason: str, message: str,
          seen_ago: int = 0) -> dict[str, Any]:
    """An Event last seen `seen_ago` seconds ago (timestamps have whole seconds: two
    events made within one second tie on LAST SEEN)."""
    stamp = (datetime.now(timezone.utc) - timedelta(seconds=seen_ago)).strftime(
        "%Y-%m-%dT%H:%M:%SZ")
    return {"apiVersion": "v1", "kind": "Event",
            "metadata": {"name": name, "namespace": "default"},
            "involvedObject": {"kind": "Pod", "namespace": "default", "name": "web-1",
                               "uid": "u-1", "apiVersion": "v1"},
            "type": type_, "reason": reason, "message": message,
            "source": {"component": "kubelet"}, "count": 1,
            "firstTimestamp": stamp, "lastTimestamp": stamp}


async def test_describe_deployment_shows_events_and_follows_a_scale(store: WatchStore) -> None:
    await create(store, "/apis/apps/v1/namespaces/default/deployments", deployment("web", 2))
    app = Host()
    async with app.run_test(size=(140, 50)) as pilot:
        screen = DescribeScreen(store, DEPLOY, "default", "web")
        await app.push_screen(screen)
        await wait_for(lambda: "Scaled up replica set web-" in screen.view.text
                       and "2 desired" in screen.view.text, timeout=20)
        lines = screen.view.lines
        assert lines[0].split() == ["Name:", "web"]
        assert lines[1].split() == ["Namespace:", "default"]
        assert any(line.startswith("StrategyType:") and line.endswith("RollingUpdate")
                   for line in lines)
        assert "Events:" in lines
        assert any(line.split()[:2] == ["Normal", "ScalingReplicaSet"] for line in lines)
        assert any(line.startswith("NewReplicaSet:") and "web-" in line for line in lines)

        loads = screen.loads
        await store.client.request(
            "PATCH", "/apis/apps/v1/namespaces/default/deployments/web/scale",
            {"spec": {"replicas": 3}}, content_type="application/merge-patch+json")
        # No key pressed: the screen re-reads the Deployment when the watch reports it.
        await wait_for(lambda: "3 desired" in screen.view.text
                       and "from 2 to 3" in screen.view.text, timeout=20)
        assert screen.loads > loads

        await pilot.press("escape")
        await wait_for(lambda: app.screen is not screen)


async def test_describe_search_highlights_and_moves(store: WatchStore) -> None:
    await create(store, "/apis/apps/v1/namespaces/default/deployments", deployment("api", 1))
    app = Host()
    async with app.run_test(size=(140, 50)) as pilot:
        screen = DescribeScreen(store, DEPLOY, "default", "api")
        await app.push_screen(screen)
        await wait_for(lambda: screen.loads > 0 and "Name:" in screen.view.text)
        await pilot.press("slash", *"replicas")
        found = screen.view.matches
        assert len(found) >= 2
        await pilot.press("enter")
        first = screen.view.current_match
        await pilot.press("n")
        assert screen.view.current_match != first
        await pilot.press("N")
        assert screen.view.current_match == first
        await pilot.press("slash", "escape")  # closes the search box, clears the search
        assert screen.view.matches == []
        assert app.screen is screen


async def test_yaml_of_a_secret_is_masked_until_x(store: WatchStore) -> None:
    await create(store, "/api/v1/namespaces/default/secrets",
                 {"apiVersion": "v1", "kind": "Secret", "type": "Opaque",
                  "metadata": {"name": "db", "namespace": "default"},
                  "data": {"password": PASSWORD}})
    app = Host()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = YamlScreen(store, SECRET, "default", "db")
        await app.push_screen(screen)
        await wait_for(lambda: "kind: Secret" in screen.view.text)
        assert "  password: '********'" in screen.view.lines
        assert PASSWORD not in screen.view.text

        await pilot.press("x")  # decoded, as k9s shows them
        assert "  password: hunter2-very-secret" in screen.view.lines
        await pilot.press("x")
        assert "  password: '********'" in screen.view.lines
        assert PASSWORD not in screen.view.text

        # A change to the Secret shows without a key press, still masked.
        await store.client.request(
            "PATCH", "/api/v1/namespaces/default/secrets/db",
            {"metadata": {"labels": {"tier": "db"}}},
            content_type="application/merge-patch+json")
        await wait_for(lambda: "    tier: db" in screen.view.lines)
        assert PASSWORD not in screen.view.text


async def test_events_view_puts_a_new_warning_on_top(store: WatchStore) -> None:
    await create(store, "/api/v1/namespaces/default/events",
                 event("web-1.a", "Normal", "Pulled", "Container image already present",
                       seen_ago=30))
    app = Host()
    async with app.run_test(size=(140, 30)):
        screen = EventsScreen(store, "default")
        await app.push_screen(screen)
        view = screen.query_one(EventsView)
        await wait_for(lambda: view.table.row_count == 1)

        await create(store, "/api/v1/namespaces/default/events",
                     event("web-1.b", "Warning", "BackOff",
                           "Back-off restarting failed container app"))
        await wait_for(lambda: view.table.row_count == 2)
        top = view.table.entry_at(0)
        assert top.name == "web-1.b"
        assert top.health == "failed"  # drawn in the table's error colour
        assert view.table.selected_uid == top.uid
        # kubectl's -o wide columns in its order, as many as fit; the message is also
        # shown whole under the table.
        shown = view.table.shown_columns
        assert shown[:7] == ["LAST SEEN", "TYPE", "REASON", "OBJECT", "SUBOBJECT", "SOURCE",
                             "MESSAGE"]
        assert view.detail.endswith("Back-off restarting failed container app")


async def test_events_view_for_one_object(store: WatchStore) -> None:
    other = event("db-1.a", "Warning", "Failed", "not ours")
    other["involvedObject"].update(name="db-1", uid="u-2")
    await create(store, "/api/v1/namespaces/default/events", other)
    earlier = event("web-1.old", "Warning", "Failed", "an earlier pod of the same name")
    earlier["involvedObject"]["uid"] = "u-0"
    await create(store, "/api/v1/namespaces/default/events", earlier)
    await create(store, "/api/v1/namespaces/default/events",
                 event("web-1.a", "Normal", "Started", "Started container app"))
    app = Host()
    async with app.run_test(size=(140, 30)):
        screen = EventsScreen(store, "default", involved=("Pod", "web-1", "u-1"))
        await app.push_screen(screen)
        view = screen.query_one(EventsView)
        await wait_for(lambda: view.table.row_count == 1)
        assert view.table.entry_at(0).name == "web-1.a"


async def test_yaml_of_a_five_thousand_line_object_scrolls(store: WatchStore) -> None:
    data = {f"key-{i:04d}": f"line one\nline two {i}" for i in range(1700)}
    await create(store, "/api/v1/namespaces/default/configmaps",
                 {"apiVersion": "v1", "kind": "ConfigMap",
                  "metadata": {"name": "big", "namespace": "default"}, "data": data})
    app = Host()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = YamlScreen(store, builtin("ConfigMap"), "default", "big")
        await app.push_screen(screen)
        await wait_for(lambda: len(screen.view.lines) > 5000)
        await pilot.press("G")
        await wait_for(lambda: screen.view.scroll_y >= len(screen.view.lines) - 30)
        await pilot.press("slash", *"two 1699", "enter")
        assert screen.view.current_match is not None
        assert screen.view.lines[screen.view.current_match[0]] == "    line two 1699"


async def test_describe_on_a_slow_server_says_it_is_loading(sandbox, store: WatchStore
                                                            ) -> None:
    await create(store, "/apis/apps/v1/namespaces/default/deployments", deployment("slow", 1))
    sandbox.sandbox.faults.latency_ms = 3000
    app = Host()
    async with app.run_test(size=(120, 40)):
        screen = DescribeScreen(store, DEPLOY, "default", "slow")
        await app.push_screen(screen)
        await wait_for(lambda: screen.is_mounted, timeout=2)
        assert screen.view.lines == ["Loading deployments.apps slow…"]  # not a blank screen
        title = str(screen.query_one("#detail-title").render())
        assert "loading…" in title and screen.loads == 0
        await wait_for(lambda: "Name:" in screen.view.text, timeout=20)
        assert "loading" not in str(screen.query_one("#detail-title").render())


async def test_w_wraps_long_lines_and_arrows_scroll_sideways_by_a_page(
        store: WatchStore) -> None:
    long = "".join(f"{i:03d}." for i in range(50))  # 200 columns, each place labelled
    await create(store, "/api/v1/namespaces/default/configmaps",
                 {"apiVersion": "v1", "kind": "ConfigMap",
                  "metadata": {"name": "wide", "namespace": "default"},
                  "data": {"long": long, "short": "x"}})
    app = Host()
    async with app.run_test(size=(80, 30)) as pilot:
        screen = YamlScreen(store, builtin("ConfigMap"), "default", "wide")
        await app.push_screen(screen)
        view = screen.view
        await wait_for(lambda: any(long in line for line in view.lines))
        width = view.scrollable_content_region.width

        def rows() -> list[str]:
            return [view.render_line(y).text.rstrip() for y in range(view.size.height)]

        line = next(r for r in rows() if r.lstrip().startswith("long:"))
        assert len(line) <= width and "049." not in "".join(rows())  # cut at the edge
        await pilot.press("right")  # a page to the right, not a column
        await pilot.pause()
        assert view.scroll_x == width
        await pilot.press("left")
        await pilot.pause()
        assert view.scroll_x == 0

        await pilot.press("w")
        await pilot.pause()
        shown = rows()
        start = next(i for i, r in enumerate(shown) if r.lstrip().startswith("long:"))
        joined = "".join(view.render_line(y).text for y in range(start, start + 3))
        assert long in joined  # the whole value, over three rows
        assert shown[start + 3].lstrip().startswith("short:")
        await pilot.press("slash", *"049.", "enter")  # search finds it on a wrapped row
        assert view.current_match is not None
        await pilot.press("w")
        await pilot.pause()
        assert not view.wrap and len(view.lines) == view.virtual_size.height
