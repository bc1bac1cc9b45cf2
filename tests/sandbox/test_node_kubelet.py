"""The kubelet: pod life cycle, image-name behaviours, termination, logs, status shape."""

from __future__ import annotations

import ipaddress
import json
import time

import pytest
from kubernetes_asyncio.client import ApiClient

from kubetui.sandbox.controllers.kubelet.timing import KubeletTiming
from tests.waiting import wait_for

from tests.sandbox.node_helpers import (
    FAST, add_node, condition, container_status, create_pod, delete_pod, event_count, get_pod,
    is_ready, node_cluster, pod, pod_events, reasons, states_seen, status,
)

pytestmark = pytest.mark.asyncio


def phase(sb, name: str) -> str:
    return status(sb, name).get("phase", "")


def state_reason(sb, name: str) -> str:
    state = container_status(sb, name).get("state") or {}
    inner = next(iter(state.values()), {})
    return inner.get("reason", next(iter(state), ""))


async def test_pending_to_running_to_ready_with_the_kubelets_events_in_order() -> None:
    # A slower pace, so that the intermediate states can be seen.
    async with node_cluster(KubeletTiming(pace=0.2)) as sb:
        add_node(sb, "n1", pod_cidr="10.244.1.0/24")
        create_pod(sb, pod("web", readinessProbe={
            "httpGet": {"path": "/", "port": 80}, "initialDelaySeconds": 2}))
        await wait_for(lambda: container_status(sb, "web").get("state"))
        assert phase(sb, "web") == "Pending"
        assert container_status(sb, "web")["state"] == {
            "waiting": {"reason": "ContainerCreating"}}
        await wait_for(lambda: phase(sb, "web") == "Running")
        assert not is_ready(sb, "web")  # the probe's initial delay is not over
        assert condition(sb, "web", "ContainersReady")["message"] == \
            "containers with unready status: [app]"
        await wait_for(lambda: is_ready(sb, "web"))
        st = status(sb, "web")
        assert ipaddress.ip_address(st["podIP"]) in ipaddress.ip_network("10.244.1.0/24")
        assert st["podIPs"] == [{"ip": st["podIP"]}]
        assert st["hostIP"] and st["startTime"] and st["qosClass"] == "BestEffort"
        assert [c["type"] for c in st["conditions"]] == [
            "PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady",
            "PodScheduled"]
        assert all(c["status"] == "True" and c["lastTransitionTime"]
                   for c in st["conditions"])
        cs = container_status(sb, "web")
        assert cs["ready"] and cs["started"] and cs["restartCount"] == 0
        assert cs["image"] == "docker.io/library/nginx:1.25"
        assert cs["containerID"].startswith("containerd://") and \
            len(cs["containerID"]) == len("containerd://") + 64
        assert cs["imageID"].startswith("docker.io/library/nginx@sha256:")
        assert reasons(sb, "web") == ["Scheduled", "Pulling", "Pulled", "Created", "Started"]
        started = [e for e in pod_events(sb, "web") if e.reason == "Started"][0]
        assert started.message == "Started container app"


async def test_a_running_pod_deserializes_as_a_typed_v1pod() -> None:
    async with node_cluster() as sb:
        add_node(sb, "n1")
        create_pod(sb, pod("typed", image="busybox", command=["sleep", "3600"],
                           initContainers=[{"name": "setup", "image": "busybox"}]))
        await wait_for(lambda: is_ready(sb, "typed"))
        raw = json.loads(json.dumps(get_pod(sb, "typed")))
        async with ApiClient() as api:
            typed = api._ApiClient__deserialize(raw, "V1Pod")
        assert typed.status.container_statuses[0].state.running is not None
        assert typed.status.init_container_statuses[0].state.terminated.reason == \
            "Completed"


async def test_init_containers_run_first() -> None:
    async with node_cluster(KubeletTiming(pace=0.2)) as sb:
        add_node(sb, "n1")
        create_pod(sb, pod("init", initContainers=[
            {"name": "migrate", "image": "busybox", "command": ["sh", "-c", "sleep 2"]}]))
        await wait_for(lambda: (status(sb, "init").get("initContainerStatuses") or [{}])[0]
                       .get("state", {}).get("running"))
        assert container_status(sb, "init")["state"] == {
            "waiting": {"reason": "PodInitializing"}}
        assert condition(sb, "init", "Initialized")["message"] == \
            "containers with incomplete status: [migrate]"
        assert phase(sb, "init") == "Pending"
        await wait_for(lambda: is_ready(sb, "init"))
        init = status(sb, "init")["initContainerStatuses"][0]
        assert init["state"]["terminated"]["exitCode"] == 0 and init["ready"]


async def test_a_crash_looping_container_restarts_with_back_off() -> None:
    timing = KubeletTiming(pace=0.02, backoff_base=5)  # back-offs of 0.1 s, 0.2 s, ...
    async with node_cluster(timing) as sb:
        add_node(sb, "n1")
        create_pod(sb, pod("crash", image="example/crashloop:1"))
        await wait_for(lambda: container_status(sb, "crash").get("restartCount", 0) >= 3,
                       timeout=20)
        assert {"running", "Error", "CrashLoopBackOff"} <= states_seen(sb, "crash")
        last = container_status(sb, "crash")["lastState"]["terminated"]
        assert (last["exitCode"], last["reason"]) == (1, "Error")
        assert phase(sb, "crash") == "Running"
        backoff = [e for e in pod_events(sb, "crash") if e.reason == "BackOff"]
        assert backoff[0].type == "Warning" and backoff[0].message.startswith(
            "Back-off restarting failed container app in pod crash_default(")
        previous = [line.text for line in sb.logs.lines(("default", "crash", "app"),
                                                        previous=True)]
        assert previous and previous[-1].startswith("[signal SIGSEGV")


async def test_a_missing_image_backs_off() -> None:
    async with node_cluster(KubeletTiming(pace=0.02, backoff_base=5)) as sb:
        add_node(sb, "n1")
        create_pod(sb, pod("ghost", image="registry.example/team/does-not-exist:v1"))
        await wait_for(lambda: state_reason(sb, "ghost") == "ImagePullBackOff")
        assert {"ContainerCreating", "ErrImagePull"} <= states_seen(sb, "ghost")
        assert "running" not in states_seen(sb, "ghost")
        waiting = container_status(sb, "ghost")["state"]["waiting"]
        assert waiting["message"] == \
            'Back-off pulling image "registry.example/team/does-not-exist:v1"'
        assert phase(sb, "ghost") == "Pending"
        await wait_for(lambda: event_count(sb, "ghost", "Pulling") >= 2)
        msgs = [(e.reason, e.message) for e in pod_events(sb, "ghost")]
        assert ("Failed", "Error: ErrImagePull") in msgs
        assert ("Failed", "Error: ImagePullBackOff") in msgs


@pytest.mark.parametrize(("image", "policy", "want_phase", "code", "reason"), [
    ("busybox-exit-0", "Never", "Succeeded", 0, "Completed"),
    ("busybox-exit-3", "Never", "Failed", 3, "Error"),
    ("worker-oomkill", "Never", "Failed", 137, "OOMKilled"),
])
async def test_exit_codes_end_the_pod(image: str, policy: str, want_phase: str, code: int,
                                      reason: str) -> None:
    async with node_cluster() as sb:
        add_node(sb, "n1")
        create_pod(sb, pod("job", image=image, restartPolicy=policy))
        await wait_for(lambda: phase(sb, "job") in ("Succeeded", "Failed"))
        assert phase(sb, "job") == want_phase
        term = container_status(sb, "job")["state"]["terminated"]
        assert (term["exitCode"], term["reason"]) == (code, reason)
        assert condition(sb, "job", "Ready")["reason"] == "PodCompleted"


async def test_sleep_commands_run_for_their_time_and_batch_pods_complete() -> None:
    async with node_cluster() as sb:
        add_node(sb, "n1")
        create_pod(sb, pod("sleeper", image="busybox", command=["sh", "-c", "sleep 20"],
                           restartPolicy="OnFailure"))
        create_pod(sb, pod("echo", image="busybox", command=["sh", "-c", "echo hello world"],
                           restartPolicy="Never"))
        await wait_for(lambda: phase(sb, "sleeper") == "Running")
        t0 = time.monotonic()
        await wait_for(lambda: phase(sb, "sleeper") == "Succeeded")
        assert time.monotonic() - t0 >= 20 * FAST.pace * 0.8
        await wait_for(lambda: phase(sb, "echo") == "Succeeded")
        echoed = [line.text for line in sb.logs.lines(("default", "echo", "app"))]
        assert echoed[0] == "hello world" and len(echoed) == 2  # then its last words only
        assert echoed[1].endswith("done")


async def test_deletion_is_graceful_and_ignore_sigterm_uses_the_whole_grace_period() -> None:
    async with node_cluster() as sb:
        add_node(sb, "n1")
        create_pod(sb, pod("polite"))
        create_pod(sb, pod("stubborn", image="example/ignore-sigterm",
                           terminationGracePeriodSeconds=40))  # 0.8 s at this pace
        await wait_for(lambda: is_ready(sb, "polite") and is_ready(sb, "stubborn"))
        t0 = time.monotonic()
        delete_pod(sb, "polite")
        delete_pod(sb, "stubborn")
        assert get_pod(sb, "polite")["metadata"]["deletionTimestamp"]
        await wait_for(lambda: get_pod(sb, "polite") is None)
        polite_gone = time.monotonic() - t0
        assert get_pod(sb, "stubborn") is not None
        await wait_for(lambda: get_pod(sb, "stubborn") is None)
        stubborn_gone = time.monotonic() - t0
        assert polite_gone < 40 * FAST.pace * 0.9 <= stubborn_gone
        killing = [e for e in pod_events(sb, "stubborn") if e.reason == "Killing"]
        assert killing and killing[0].message == "Stopping container app"
        assert not sb.logs.has(("default", "polite", "app"))


async def test_never_ready_and_log_flavours() -> None:
    timing = KubeletTiming(pace=0.02, log_rate=20, chatty_rate=200)
    async with node_cluster(timing) as sb:
        add_node(sb, "n1")
        create_pod(sb, pod("lazy", image="example/never-ready", readinessProbe={
            "httpGet": {"path": "/", "port": 80}, "periodSeconds": 5}))
        create_pod(sb, pod("api", image="shop/orders-api:2"))
        create_pod(sb, pod("web", image="nginx:1.27"))
        create_pod(sb, pod("loud", image="nginx-chatty"))
        await wait_for(lambda: "Unhealthy" in reasons(sb, "lazy"))
        assert phase(sb, "lazy") == "Running" and not is_ready(sb, "lazy")

        def lines(name: str) -> list[str]:
            return [line.text for line in sb.logs.lines(("default", name, "app"))]

        await wait_for(lambda: len(lines("api")) >= 5 and len(lines("web")) >= 10)
        record = json.loads(lines("api")[-1])
        assert {"ts", "level", "msg"} <= set(record)
        assert '"GET ' in lines("web")[-1] or '"POST ' in lines("web")[-1] or \
            ' HTTP/1.1" ' in lines("web")[-1]
        assert len(lines("loud")) > 2 * len(lines("web"))


async def test_five_thousand_pods_reach_ready() -> None:
    """A measurement, printed: the time is not asserted on."""
    n = 5000
    async with node_cluster(KubeletTiming(pace=0.05)) as sb:
        for i in range(10):
            add_node(sb, f"n{i}", cpu="64", memory="256Gi", pods="1000",
                     pod_cidr=f"10.{i + 1}.0.0/16")
        t0 = time.monotonic()
        for i in range(n):
            sb.store.create(("", "pods"), pod(f"p{i}"))
        created = time.monotonic() - t0

        def ready_count() -> bool:
            return sum(1 for p in sb.store.iter(("", "pods")) if next(
                (c["status"] == "True" for c in (p.get("status") or {}).get("conditions")
                 or () if c["type"] == "Ready"), False)) == n

        await wait_for(ready_count, timeout=120, interval=0.5)
        took = time.monotonic() - t0
        print(f"\n{n} pods: created in {created:.2f}s, all Ready after {took:.2f}s")
        assert all(p["spec"].get("nodeName") for p in sb.store.iter(("", "pods")))
