"""`:problems` against the demo sandbox: every planted fault with its reason, live; Enter
goes to the object; d/y/l act on the selection."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
import pytest_asyncio

from kubetui.cluster import kubeconfig
from kubetui.cluster.client import ClusterClient
from kubetui.ui.screens.object_screens import DescribeScreen
from kubetui.ui.screens.problems_screen import ProblemsScreen
from kubetui.ui.screens.pulses_screen import PulsesScreen
from kubetui.ui.screens.xray_screen import XrayScreen
from tests.conftest import serving_sandbox
from tests.ui.app_helpers import Api, app_for, header_text, live, until


@pytest_asyncio.fixture
async def demo(isolated_home: Path, monkeypatch: pytest.MonkeyPatch):
    """A demo cluster of the test's own (kubelet 20x faster) and a client on it, for the
    test that cordons a node; the tests that only read use `shared_demo`."""
    async with serving_sandbox(isolated_home, monkeypatch, scenario="demo",
                               pace=0.05) as running:
        config = kubeconfig.load()
        client = await ClusterClient.connect(config, config.current)
        yield running, Api(client)
        await client.close()


def rows(screen: ProblemsScreen) -> dict[tuple[str, str], tuple[str, ...]]:
    """(kind, name) -> the row's cells, as the table shows them."""
    table = screen.table
    out = {}
    for i in range(table.row_count):
        entry = table.entry_at(i)
        out[(entry.cells[1], entry.name.rsplit("-", 2)[0] if entry.cells[1] == "Pod"
             else entry.name)] = entry.cells
    return out


def has(screen: ProblemsScreen, kind: str, name: str, reason: str, detail: str) -> bool:
    cells = rows(screen).get((kind, name))
    return cells is not None and cells[3] == reason and detail in cells[4]


async def test_problems_lists_every_planted_fault_with_its_reason(demo) -> None:
    _, api = demo
    app = app_for()
    async with app.run_test(size=(200, 50)) as pilot:
        await live(app, "pods")
        await pilot.press("0")
        # The header counts what is wrong: at least the crash loop, the pull error, the
        # unschedulable pod and the failed Job (lasting states count after a minute).
        await until(lambda: (m := re.search(r"! (\d+) problems", header_text(app)))
                    and int(m[1]) >= 4, 90, "the header's count")
        await pilot.press("colon", *"problems", "enter")
        screen = await until(lambda: isinstance(app.screen, ProblemsScreen) and app.screen)
        screen.index.grace = 0.0  # the stuck rollout counts before its 60 s have passed
        # The crash loop with its exit code, the pull error from the registry's event,
        # the scheduler's message, the stuck rollout and the failed Job.
        await until(lambda: has(screen, "Pod", "recommendations", "CrashLoopBackOff",
                                "last exit code 1 (Error)"), 60, "crash loop")
        await until(lambda: any(has(screen, "Pod", "admin", reason, "Failed to pull image")
                                for reason in ("ErrImagePull", "ImagePullBackOff")),
                    30, "pull error")
        await until(lambda: has(screen, "Pod", "ml-training", "FailedScheduling",
                                "Insufficient cpu"), 30, "FailedScheduling")
        await until(lambda: has(screen, "Deployment", "checkout", "RolloutInProgress",
                                "1/3 updated"), 30, "stuck rollout")
        await until(lambda: has(screen, "Job", "legacy-import", "BackoffLimitExceeded", ""),
                    90, "failed job")
        # What the crashed instance said last, from its previous log.
        await until(lambda: "last log: " in (rows(screen).get(("Pod", "recommendations"))
                                             or ("",) * 5)[4], 30, "the last log line")
        # Between two crashes the loop is still critical: exited, or running not ready.
        crash = rows(screen).get(("Pod", "recommendations"))
        assert crash is not None and crash[0] == "critical"
        assert crash[3] in ("CrashLoopBackOff", "Error", "Restarting"), crash
        assert "exit code 1" in crash[4]
        assert "critical" in str(screen.query_one("#list-title").render())

        # A fault made while the view is open shows within a second.
        await api.patch("/api/v1/nodes/demo-worker-small", {"spec": {"unschedulable": True}})
        made = time.monotonic()
        await until(lambda: has(screen, "Node", "demo-worker-small", "Cordoned", ""), 5)
        assert time.monotonic() - made < 1.0

        # d describes the selection; Enter goes to the object in its kind's view.
        table = screen.table
        index = next(i for i in range(table.row_count)
                     if table.entry_at(i).name == "legacy-import")
        uid = table.entry_at(index).uid
        assert table.select_uid(uid)
        await pilot.press("d")
        describe = await until(lambda: isinstance(app.screen, DescribeScreen) and app.screen)
        await until(lambda: "BackoffLimitExceeded" in describe.view.text)
        await pilot.press("escape")
        await until(lambda: app.screen is screen)
        await pilot.press("enter")
        await until(lambda: app.view is not None and app.view.kind.kind == "Job"
                    and app.main_table.selected_uid == uid, message="at the failed Job")
        assert app.view.namespace == "batch"


async def test_problems_follow_the_namespace_and_say_when_all_is_well(sandbox,
                                                                      api: Api) -> None:
    await api.namespace("calm")
    await api.pod("broken", namespace="default", image="nginx")  # no node: Pending
    app = app_for(namespace="calm")
    async with app.run_test(size=(160, 45)) as pilot:
        await live(app, "pods")
        await until(lambda: "no problems" in header_text(app))  # calm is calm
        await pilot.press("exclamation_mark")
        screen = await until(lambda: isinstance(app.screen, ProblemsScreen) and app.screen)
        await until(lambda: screen.table.empty_text.startswith("No problems"))
        assert screen.table.row_count == 0  # default's pending pod is not in scope
        await api.pod("stuck", namespace="calm")  # no node: it cannot be scheduled
        screen.index.grace = 0.0
        await until(lambda: screen.table.row_count == 1, message="the new pod listed")
        assert screen.table.entry_at(0).name == "stuck"
        await pilot.press("escape")
        await until(lambda: app.screen is app.screen_stack[0])


async def test_pulses_count_healthy_and_unhealthy_per_kind_and_show_nodes(
        shared_demo) -> None:
    app = app_for()
    async with app.run_test(size=(200, 50)) as pilot:
        await live(app, "pods")
        await pilot.press("0", "colon", *"pulses", "enter")
        screen = await until(lambda: isinstance(app.screen, PulsesScreen) and app.screen)

        def counts(kind: str) -> tuple[int, int] | None:
            table = screen.kinds
            for i in range(table.row_count):
                cells = table.entry_at(i).cells
                if cells[0] == kind:
                    return int(cells[1]), int(cells[3])
            return None

        await until(lambda: (c := counts("jobs")) and c[1] >= 1, 60, "the failed Job")
        await until(lambda: (c := counts("pods")) and c[0] > 20 and c[1] >= 3, 60)
        total, unhealthy = counts("nodes")
        assert total == 4
        # The nodes with their CPU and memory, from metrics.k8s.io.
        await until(lambda: screen.nodes.row_count == 4 and all(
            screen.nodes.cells_at(i)[5].endswith("m")
            for i in range(4)), 30, "nodes measured")
        # Enter on a kind: its unhealthy ones only.
        table = screen.kinds
        assert table.select_uid("batch/jobs")
        await pilot.press("enter")
        problems = await until(lambda: isinstance(app.screen, ProblemsScreen) and app.screen)
        await until(lambda: problems.table.row_count >= 1)
        assert {problems.table.entry_at(i).cells[1]
                for i in range(problems.table.row_count)} == {"Job"}
        await pilot.press("enter")  # to the Job, through both screens
        await until(lambda: app.screen is app.screen_stack[0] and app.view is not None
                    and app.view.kind.kind == "Job")


def xray_rows(screen: XrayScreen) -> list[tuple[str, str, str]]:
    table = screen.table
    return [tuple(table.entry_at(i).cells) for i in range(table.row_count)]


async def test_xray_shows_how_a_namespace_s_deployments_relate(shared_demo) -> None:
    app = app_for(namespace="shop")
    async with app.run_test(size=(200, 50)) as pilot:
        await live(app, "pods")
        await pilot.press("colon", *"xray deploy", "enter")
        screen = await until(lambda: isinstance(app.screen, XrayScreen) and app.screen)

        def has(text: str, status: str = "") -> bool:
            return any(text in row[0] and (not status or row[1] == status)
                       for row in xray_rows(screen))

        # The API's tree: its ReplicaSet and pods, what they use, its Service and HPA.
        await until(lambda: has("deployment/api") and has("replicaset/api-")
                    and has("pod/api-"), 30)
        for used in ("configmap/api-config", "secret/api-db-credentials",
                     "serviceaccount/default", "service/api", "horizontalpodautoscaler/api",
                     "node/demo-worker-", "container/api"):
            assert has(used), used
        # The crash loop is marked with the reason :problems gives it (the tree is listed
        # again when pods change).
        await until(lambda: any("pod/recommendations-" in r[0] and r[1] in (
            "CrashLoopBackOff", "Error", "Restarting") for r in xray_rows(screen)), 60)
        # Enter goes to the Service.
        table = screen.table
        index = next(i for i, r in enumerate(xray_rows(screen)) if r[0].endswith("service/api"))
        uid = table.entry_at(index).uid
        assert table.select_uid(uid)
        await pilot.press("enter")
        await until(lambda: app.screen is app.screen_stack[0] and app.view is not None
                    and app.view.kind.kind == "Service"
                    and app.main_table.selected_entry is not None
                    and app.main_table.selected_entry.name == "api")
