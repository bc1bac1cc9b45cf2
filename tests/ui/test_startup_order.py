"""What the first screen waits for (issue 19): the view's own list goes first; the
metrics polls and the header's problem count start once it is in, and still come."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest

from kubetui.cluster import kubeconfig
from kubetui.cluster.errors import ClusterError
from kubetui.kinds import builtin
from kubetui.config import Settings
from kubetui.model.session import Session
from kubetui.model.views import POD
from kubetui.ui.app import make_app
from kubetui.view_state import SavedView, save_view
from tests.ui.app_helpers import FAST, Api, app_for, header_text, live, names, until
from tests.ui.test_metrics_columns import cells, pinned_pod

FIRST_PAGE = f"limit={FAST.page_limit(0)}"  # a list's first request asks for this many
#: FAST's half-second linger, long enough for the app's first view to take the early
#: list's stream over on a quiet machine, not always under load (a second list then).
EARLY = replace(FAST, linger=30.0)


async def test_the_views_list_goes_before_metrics_and_the_problem_count(sandbox,
                                                                        api: Api) -> None:
    await api.node("node-1")
    for i in range(5):
        await pinned_pod(api, f"web-{i}", "100m", "64Mi")
    # One pod a page: the list takes five requests, one after the other.
    app = make_app(Settings(store=replace(FAST, page_size=1), all_namespaces=True))
    async with app.run_test(size=(200, 40)):
        await live(app, "pods")
        await until(lambda: "problems" in header_text(app), 20, "the problem count")
        await until(lambda: cells(app, "web-0", "CPU") not in (None, ("",)), 20,
                    "the pods' metrics")

    served = sandbox.server.requests
    pod_pages = [i for i, r in enumerate(served) if r.path == "/api/v1/pods"
                 and "watch=" not in r.query]
    later = [i for i, r in enumerate(served)
             if r.path in ("/apis/metrics.k8s.io/v1beta1/pods", "/api/v1/events",
                           "/apis/apps/v1/deployments")]
    assert len(pod_pages) >= 5
    assert later and min(later) > pod_pages[4], [(r.path, r.query) for r in served]


async def test_a_paged_list_shows_the_top_of_the_sorted_list_once_synced(sandbox,
                                                                         api: Api) -> None:
    # The server lists by namespace, then name: over three pages, the rows that sort
    # first by name come last. They reach the table in two batches (the first page at
    # once, the rest when the list is complete).
    await api.create("/api/v1/namespaces", {"metadata": {"name": "later"}})
    for i in range(3):
        await api.pod(f"z-{i}")
        await api.pod(f"a-{i}", namespace="later")
    app = make_app(Settings(store=replace(FAST, page_size=2, list_flush_interval=30.0),
                            all_namespaces=True))
    async with app.run_test(size=(200, 40)):
        await live(app, "pods")
        table = app.main_table
        await until(lambda: table.row_count == 6, 10, "every pod")
        assert [table.entry_at(i).name for i in range(6)] == \
            ["a-0", "a-1", "a-2", "z-0", "z-1", "z-2"]
        assert table.selected_uid == table.entry_at(0).uid
        assert table.scroll_y == 0


async def test_the_first_views_list_goes_out_with_discovery(sandbox, api: Api) -> None:
    """The first view is pods: their list is sent beside the version and discovery
    requests, and the view's feed takes that stream over. Each request takes 300 ms
    here: the namespace pane's list, sent once connected, comes a round trip later."""
    await api.pod("web-1", "default")
    sandbox.sandbox.faults.latency_ms = 300
    app = make_app(Settings(store=EARLY, all_namespaces=True))
    async with app.run_test(size=(200, 40)):
        await live(app, "pods")
        assert app.main_table.row_count == 1
        await pane_listed(sandbox)

    served = [(r.path, r.query) for r in sandbox.server.requests]
    assert served.count(("/api/v1/pods", FIRST_PAGE)) == 1, served  # listed once
    assert served.index(("/api/v1/pods", FIRST_PAGE)) < \
        served.index(("/api/v1/namespaces", FIRST_PAGE)), served


async def pane_listed(sandbox) -> None:
    """The namespace pane's list has reached the server (sent once connected, it may
    still be on its way when the view is live)."""
    await until(lambda: any(r.path == "/api/v1/namespaces" for r in sandbox.server.requests),
                10, "the pane's list")


@pytest.mark.parametrize("how", ["saved", "command"])
async def test_a_built_in_first_view_is_listed_early_too(sandbox, api: Api, how: str) -> None:
    """The view a saved state (or `--command`) names, when it is a built-in kind: known
    before discovery, listed with it."""
    await api.namespace("shop")
    await api.deployment("web", "shop", replicas=1)
    if how == "saved":
        save_view("kubetui-sandbox", SavedView("deployments.apps", "shop"))
        app = make_app(Settings(store=EARLY, restore=True))
    else:
        app = make_app(Settings(store=EARLY, view="deploy", namespace="shop"))
    assert app._early_list("kubetui-sandbox") == (builtin("Deployment"), "shop")
    sandbox.sandbox.faults.latency_ms = 300
    async with app.run_test(size=(200, 40)):
        await live(app, "deployments")
        await until(lambda: names(app) == ["web"])
        await pane_listed(sandbox)

    served = [(r.path, r.query) for r in sandbox.server.requests]
    listed = ("/apis/apps/v1/namespaces/shop/deployments", FIRST_PAGE)
    assert served.count(listed) == 1, served
    assert served.index(listed) < served.index(("/api/v1/namespaces", FIRST_PAGE)), served


async def test_a_first_view_of_a_custom_kind_waits_for_discovery(sandbox) -> None:
    save_view("kubetui-sandbox", SavedView("widgets.example.com", None))
    assert app_for(restore=True)._early_list("kubetui-sandbox") is None
    assert app_for(view="widgets")._early_list("kubetui-sandbox") is None
    assert app_for()._early_list("kubetui-sandbox") == (POD, "default")  # (not restoring)


async def test_a_session_opened_with_an_early_list_has_its_stream_running(sandbox) -> None:
    config = kubeconfig.load()
    session = await Session.open(config, config.current, FAST, early=(POD, None))
    try:
        assert session.kinds and session.version
        assert session.store.streams == [("", "pods", "")]  # started with discovery
    finally:
        await session.close()
    plain = await Session.open(config, config.current, FAST)
    try:
        assert plain.store.streams == []
    finally:
        await plain.close()


async def test_a_failed_connection_stops_its_early_list(tmp_path) -> None:
    config_file = tmp_path / "config"
    config_file.write_text(
        "apiVersion: v1\nkind: Config\ncurrent-context: gone\n"
        "clusters: [{name: c, cluster: {server: 'https://127.0.0.1:1', "
        "insecure-skip-tls-verify: true}}]\n"
        "users: [{name: u, user: {token: t}}]\n"
        "contexts: [{name: gone, context: {cluster: c, user: u}}]\n")
    config = kubeconfig.load(str(config_file))
    with pytest.raises(ClusterError, match="cannot reach the server"):
        await Session.open(config, "gone", FAST, early=(POD, None))
    await asyncio.sleep(0)  # (cancelled tasks finish their last step)
    assert [t.get_name() for t in asyncio.all_tasks() if t.get_name().startswith("watch")] == []
