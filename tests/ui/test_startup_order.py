"""What the first screen waits for (issue 19): the view's own list goes first; the
metrics polls and the header's problem count start once it is in, and still come."""

from __future__ import annotations

from dataclasses import replace

from kubetui.config import Settings
from kubetui.ui.app import make_app
from tests.ui.app_helpers import FAST, Api, header_text, live, until
from tests.ui.test_metrics_columns import cells, pinned_pod


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
