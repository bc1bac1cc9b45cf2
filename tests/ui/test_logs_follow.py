"""LogScreen against the sandbox: following, previous instances, containers, restarts,
rollouts and the words for failures."""

from __future__ import annotations

import pytest

from kubetui.cluster.logs import LogOptions, LogTarget
from tests.ui.log_helpers import (DEPLOYMENT, LogHost, create_deployment, create_pod, pod_doc,
                                  pod_target, pods_of, running, screen_rows, texts)
from tests.waiting import wait_for

pytestmark = pytest.mark.asyncio


async def test_follow_shows_new_lines_as_they_are_written(fast_sandbox, client) -> None:
    await create_pod(client, pod_doc("web", ("app", "busybox")))
    await wait_for(lambda: running(fast_sandbox, "web"))
    hub = fast_sandbox.sandbox.logs
    hub.append(("default", "web", "app"), "before the view opened")
    app = LogHost(client, pod_target("web"))
    async with app.run_test(size=(100, 20)) as pilot:
        view = app.view
        await wait_for(lambda: "before the view opened" in texts(view))
        hub.append(("default", "web", "app"), "marker one")
        await wait_for(lambda: "marker one" in texts(view))
        await pilot.pause()
        assert any("marker one" in row for row in screen_rows(view))
        assert view.follow and "following" in app.logs.status_text()
        assert not view.show_tags  # one pod, one container: no tag prefix


async def test_previous_shows_the_terminated_instance(fast_sandbox, client) -> None:
    await create_pod(client, pod_doc("web", ("app", "busybox")))
    await wait_for(lambda: running(fast_sandbox, "web"))
    hub, key = fast_sandbox.sandbox.logs, ("default", "web", "app")
    app = LogHost(client, pod_target("web"))
    async with app.run_test(size=(100, 20)) as pilot:
        await pilot.press("p")  # nothing has restarted yet
        await wait_for(lambda: any("no previous instance of container app" in t
                                   for t in texts(app.view)))
        assert "previous instance" in app.logs.status_text()
        hub.append(key, "said by the old instance")
        hub.start(key)  # the instance ends and a new one starts (as a restart does)
        hub.append(key, "said by the new instance")
        await pilot.press("p")  # back to the current instance...
        await wait_for(lambda: "said by the new instance" in texts(app.view))
        await pilot.press("p")  # ...and the previous one again
        await wait_for(lambda: "said by the old instance" in texts(app.view))
        assert "said by the new instance" not in texts(app.view)
        assert not app.logs.options.follow or app.logs.options.previous


async def test_container_choice_all_one_and_init(fast_sandbox, client) -> None:
    await create_pod(client, pod_doc("two", ("app", "busybox"), ("sidecar", "envoy"),
                                     init=(("setup", "busybox"),)))
    await wait_for(lambda: running(fast_sandbox, "two") and
                   running(fast_sandbox, "two", "sidecar"))
    hub = fast_sandbox.sandbox.logs
    app = LogHost(client, pod_target("two"))
    async with app.run_test(size=(120, 20)) as pilot:
        view = app.view
        hub.append(("default", "two", "app"), "from app")
        hub.append(("default", "two", "sidecar"), "from sidecar")
        await wait_for(lambda: {"from app", "from sidecar"} <= set(texts(view)))
        assert view.show_tags  # two containers: every line says whose it is
        await pilot.pause()
        rows = screen_rows(view)
        assert any(r.startswith("two/sidecar") and "from sidecar" in r for r in rows)
        assert {line.container for line in view.lines()} == {"app", "sidecar"}

        await pilot.press("a")
        await pilot.pause()
        await pilot.press("down", "down", "down", "enter")  # all, all+init, app, sidecar
        await wait_for(lambda: app.logs.options.container == "sidecar")
        hub.append(("default", "two", "sidecar"), "only sidecar now")
        await wait_for(lambda: "only sidecar now" in texts(view))
        assert {line.container for line in view.lines()} == {"sidecar"}

        await pilot.press("a")
        await pilot.pause()
        await pilot.press("home", "down", "enter")  # all containers + init containers
        await wait_for(lambda: app.logs.options.init_containers)
        await wait_for(lambda: "setup" in {line.container for line in view.lines()})
        await wait_for(lambda: any(line.note and "setup exited" in line.text
                                   for line in view.lines()))


async def test_restart_reconnects_and_marks_the_gap(fast_sandbox, client) -> None:
    await create_pod(client, pod_doc("crash", ("app", "crashloop")))
    app = LogHost(client, pod_target("crash"))
    async with app.run_test(size=(120, 20)):
        view = app.view
        gap = await wait_for(lambda: next((line for line in view.lines()
                                           if line.note and "restarted" in line.text), None))
        assert "app restarted (Error, exit code 1)" in gap.text
        lines = list(view.lines())
        after = lines[lines.index(gap) + 1:]
        # the new instance's first lines follow the marker, the old one's last before it
        assert any("panic" in line.text for line in lines[:lines.index(gap)])
        await wait_for(lambda: any("starting" in line.text for line in
                                   list(view.lines())[lines.index(gap) + 1:]))
        assert all(not line.note or "restart" in line.text or "waiting" in line.text
                   for line in after)


async def test_workload_aggregates_pods_across_a_rollout(fast_sandbox, client) -> None:
    await create_deployment(client, "shop", "shop-app:1", replicas=2)
    await wait_for(lambda: len(pods_of(fast_sandbox, "shop-")) == 2 and
                   all(running(fast_sandbox, p) for p in pods_of(fast_sandbox, "shop-")))
    old = set(pods_of(fast_sandbox, "shop-"))
    app = LogHost(client, LogTarget(DEPLOYMENT, "default", "shop"))
    async with app.run_test(size=(140, 30)):
        view = app.view
        await wait_for(lambda: {line.pod for line in view.lines()} >= old)
        assert view.show_tags
        await client.request(
            "PATCH", "/apis/apps/v1/namespaces/default/deployments/shop",
            {"spec": {"template": {"spec": {"containers": [
                {"name": "app", "image": "shop-app:2"}]}}}},
            content_type="application/merge-patch+json")
        new = await wait_for(lambda: set(pods_of(fast_sandbox, "shop-")) - old
                             if len(set(pods_of(fast_sandbox, "shop-")) - old) == 2 else None,
                             timeout=30)
        await wait_for(lambda: {line.pod for line in view.lines() if not line.note} >= new,
                       timeout=30)
        # the old pods' streams ended, saying so
        await wait_for(lambda: all(any(line.note and line.pod == p and
                                       ("gone" in line.text or "terminating" in line.text)
                                       for line in view.lines()) for p in old), timeout=30)
        # per pod, lines keep the container's order
        for pod in new | old:
            times = [line.time for line in view.lines() if line.pod == pod and line.time]
            assert times == sorted(times)


async def test_pod_gone_and_container_not_started_are_said_in_words(fast_sandbox,
                                                                    client) -> None:
    await create_pod(client, pod_doc("stuck", ("app", "imagepullbackoff")))
    app = LogHost(client, pod_target("stuck"))
    async with app.run_test(size=(120, 20)):
        view = app.view
        await wait_for(lambda: any(line.note and "container not started yet (waiting:"
                                   in line.text for line in view.lines()))
        await client.request("DELETE", "/api/v1/namespaces/default/pods/stuck",
                             {"gracePeriodSeconds": 0})
        await wait_for(lambda: any(line.note and "pod stuck is gone" in line.text
                                   for line in view.lines()))
        assert "1 ended" in app.logs.status_text()


async def test_a_missing_workload_is_reported(fast_sandbox, client) -> None:
    app = LogHost(client, LogTarget(DEPLOYMENT, "default", "nope"))
    async with app.run_test(size=(120, 20)):
        await wait_for(lambda: "deployment/nope not found" in app.logs.status_text())
