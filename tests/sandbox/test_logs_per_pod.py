"""Forgetting a deleted pod's logs goes through a per-pod index (issue 19: scanning every
container's log for each of 250 deletions a second starved the sandbox at 50,000 pods).
The index must forget exactly what a scan would have: every container of that pod, in the
current and previous logs and the writer's sources, and nothing of any other pod."""

from __future__ import annotations

import asyncio
import random

from kubetui.sandbox.controllers.podlogs import LogWriter
from kubetui.sandbox.logs import ContainerKey, LogHub


def _of_pod(keys: object, ns: str, pod: str) -> set[ContainerKey]:
    return {k for k in keys if k[0] == ns and k[1] == pod}  # type: ignore[union-attr]


def test_forgetting_a_pod_forgets_what_a_scan_finds_through_random_churn() -> None:
    rng = random.Random(7)
    hub = LogHub(max_lines=5)
    writer = LogWriter(hub, rate=1.0, chatty_rate=5.0, budget=100.0)
    pods = [(ns, f"p{i}") for ns in ("a", "b") for i in range(6)]
    containers = ("app", "sidecar", "init")
    for _ in range(2000):
        ns, pod = rng.choice(pods)
        key = (ns, pod, rng.choice(containers))
        roll = rng.random()
        if roll < 0.5:
            writer.start(key, "plain", chatty=rng.random() < 0.2, first=["hello"],
                         steady=rng.random() < 0.8)
        elif roll < 0.75:
            writer.stop(key, ["bye"])
        else:
            current, previous = set(hub._current), set(hub._previous)
            sources = set(writer._sources)
            following = hub.follow(key)[1] if hub.running(key) else None
            writer.forget_pod(ns, pod)
            assert set(hub._current) == current - _of_pod(current, ns, pod)
            assert set(hub._previous) == previous - _of_pod(previous, ns, pod)
            assert set(writer._sources) == sources - _of_pod(sources, ns, pod)
            assert not _of_pod(writer._chatty, ns, pod)
            assert not any(hub.has((ns, pod, c)) or hub.has((ns, pod, c), previous=True)
                           for c in containers)
            if following is not None:  # a follower's stream ends with the pod
                assert asyncio.run(anext(following, "ended")) == "ended"
        writer.tick(0.1)
        logged = hub._current.keys() | hub._previous.keys()
        recount: dict[tuple[str, str], set[str]] = {}  # the index against a full recount
        for k in logged:
            recount.setdefault((k[0], k[1]), set()).add(k[2])
        assert hub._by_pod == recount
        # the writer forgets its sources through the hub's index: each source is in it
        assert all(k[2] in hub._by_pod.get((k[0], k[1]), ()) for k in writer._sources)
