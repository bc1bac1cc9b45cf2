"""Events expire: after their TTL, and beyond the sandbox's limit the least recently
written first, each with a DELETED watch event (issue 19: flat memory under churn)."""

from __future__ import annotations

import time

from kubetui.sandbox.core import Sandbox
from kubetui.sandbox.event_expiry import EventExpiry
from kubetui.sandbox.events import EVENTS, record_event


def _pod(name: str) -> dict:
    return {"kind": "Pod", "apiVersion": "v1",
            "metadata": {"name": name, "namespace": "default", "uid": f"uid-{name}"}}


def _names(sb: Sandbox) -> set[str]:
    return {ev["involvedObject"]["name"] for ev in sb.store.iter(EVENTS)}


def test_beyond_the_limit_the_least_recently_written_go() -> None:
    sb = Sandbox.create()
    expiry = EventExpiry(sb, limit=3)
    watch = sb.store.watch(EVENTS, "", sb.store.rv)
    for name in ("a", "b", "c", "d"):
        record_event(sb.store, _pod(name), "Normal", "Started", "Started container", "kubelet")
    record_event(sb.store, _pod("a"), "Normal", "Started", "Started container", "kubelet")
    record_event(sb.store, _pod("e"), "Normal", "Started", "Started container", "kubelet")
    expiry.expire(time.monotonic())
    assert _names(sb) == {"a", "d", "e"}  # a was written again after b and c
    deleted = []
    while (ev := watch.next_nowait()) is not None:
        if ev.type == "DELETED":
            deleted.append(ev.obj["involvedObject"]["name"])
    assert sorted(deleted) == ["b", "c"]


def test_events_expire_after_their_ttl() -> None:
    sb = Sandbox.create()
    expiry = EventExpiry(sb, ttl=60)
    record_event(sb.store, _pod("a"), "Normal", "Pulled", "Pulled image", "kubelet")
    expiry.expire(time.monotonic() + 30)
    assert _names(sb) == {"a"}
    expiry.expire(time.monotonic() + 61)
    assert _names(sb) == set()
