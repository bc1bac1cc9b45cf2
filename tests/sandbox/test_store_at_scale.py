"""What the sandbox's speed-ups for 50,000 pods must keep (issue 19): owned writes share
instead of copying without letting a stored object change, the namespace index lists what
a scan listed, uids stay version 4 UUIDs, a work queue stays first in first out, a worker
of slow syncs still lets others run, and the scale scenario's wait counts creation as
progress."""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from typing import Any

import pytest

from kubetui.sandbox.apiserver.store import ObjectStore, new_uid
from kubetui.sandbox.controllers.base import WORK_SLICE, Reconciler, WorkQueue
from kubetui.sandbox.core import Sandbox
from kubetui.quantity import parse_quantity
from kubetui.sandbox.scenarios.scale import wait_all_ready

PODS = ("", "pods")
CONFIGMAPS = ("", "configmaps")
NAMESPACES = ("", "namespaces")


def _store(*namespaces: str) -> ObjectStore:
    store = ObjectStore()
    for ns in namespaces:
        store.create(NAMESPACES, {"metadata": {"name": ns}}, namespaced=False)
    return store


def _pod(ns: str, name: str, **status: Any) -> dict:
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"namespace": ns, "name": name},
            "spec": {"containers": [{"name": "c", "image": "nginx"}]}, "status": status}


def test_a_namespace_lists_its_own_objects_sorted_and_forgets_deleted_ones() -> None:
    store = _store("a", "b")
    for ns, name in [("b", "x"), ("a", "z"), ("a", "m"), ("b", "a"), ("a", "b")]:
        store.create(CONFIGMAPS, {"metadata": {"namespace": ns, "name": name},
                                  "data": {"n": name}})
    names = [o["metadata"]["name"] for o in store.list(CONFIGMAPS, "a")[0]]
    assert names == ["b", "m", "z"]
    everything = [(o["metadata"]["namespace"], o["metadata"]["name"])
                  for o in store.list(CONFIGMAPS)[0]]
    assert everything == [("a", "b"), ("a", "m"), ("a", "z"), ("b", "a"), ("b", "x")]
    store.delete(CONFIGMAPS, "a", "m")
    store.delete(CONFIGMAPS, "b", "a")
    store.delete(CONFIGMAPS, "b", "x")
    assert [o["metadata"]["name"] for o in store.list(CONFIGMAPS, "a")[0]] == ["b", "z"]
    assert store.list(CONFIGMAPS, "b")[0] == []
    picked = store.list(CONFIGMAPS, "a", lambda o: o["data"]["n"] == "z")[0]
    assert [o["metadata"]["name"] for o in picked] == ["z"]


def test_listing_everything_stays_sorted_through_creations_and_deletions() -> None:
    store = _store("a", "b", "c")
    rng = random.Random(7)
    keys = [(rng.choice("abc"), f"p{rng.getrandbits(40):x}") for _ in range(5000)]
    keys = list(dict.fromkeys(keys))
    listed = []
    present = set(keys)
    for i, (ns, name) in enumerate(keys):  # past the unsorted tail's limit, in any order
        store.create(CONFIGMAPS, {"metadata": {"namespace": ns, "name": name}})
        if i in (10, 2000):
            listed.append(len(store.list(CONFIGMAPS)[0]))
    assert listed == [11, 2001]
    for _ in range(3):
        gone = rng.sample(keys, 300)
        for ns, name in gone:
            if (ns, name) in present:
                store.delete(CONFIGMAPS, ns, name)
                present.discard((ns, name))
        for ns, name in gone[:150]:  # some come back under the same name
            store.create(CONFIGMAPS, {"metadata": {"namespace": ns, "name": name}})
            present.add((ns, name))
        got = [(o["metadata"]["namespace"], o["metadata"]["name"])
               for o in store.list(CONFIGMAPS)[0]]
        assert got == sorted(present) and store.count(CONFIGMAPS) == len(present)


def test_an_owned_create_keeps_the_callers_metadata_as_it_was() -> None:
    store = _store("a")
    meta = {"namespace": "a", "name": "p"}
    stored = store.create(PODS, {**_pod("a", "p"), "metadata": meta}, owned=True)
    assert meta == {"namespace": "a", "name": "p"}  # the store set its fields on a copy
    assert stored["metadata"]["uid"] and stored["metadata"]["resourceVersion"]


def test_owned_status_writes_never_change_a_stored_object() -> None:
    store = _store("a")
    first = store.create(PODS, _pod("a", "p", phase="Pending"))
    first_meta = dict(first["metadata"])
    status = {"phase": "Running", "conditions": [{"type": "Ready", "status": "True"}]}
    second = store.write_status(PODS, {"metadata": {"namespace": "a", "name": "p"},
                                       "status": status}, owned=True)
    assert second["status"] is status  # kept, not copied
    assert second["spec"] is first["spec"]  # shared with the version before
    assert first["status"] == {"phase": "Pending"} and first["metadata"] == first_meta
    assert int(second["metadata"]["resourceVersion"]) > int(first_meta["resourceVersion"])
    # A write of the same status again changes nothing, as on a real server.
    same = {"phase": "Running", "conditions": [{"type": "Ready", "status": "True"}]}
    assert store.write_status(PODS, {"metadata": second["metadata"], "status": same},
                              owned=True) is second


def test_an_owned_update_keeps_server_metadata_and_bumps_generation_on_spec() -> None:
    store = _store("a")
    first = store.create(PODS, _pod("a", "p", phase="Pending"))
    bound = {**first, "spec": {**first["spec"], "nodeName": "n1"},
             "metadata": {**first["metadata"], "uid": "forged", "labels": {"x": "y"}}}
    second = store.update(PODS, bound, owned=True)
    assert second["metadata"]["uid"] == first["metadata"]["uid"]
    assert second["metadata"]["generation"] == 2 and second["spec"]["nodeName"] == "n1"
    assert second["status"] == {"phase": "Pending"}
    assert "nodeName" not in first["spec"] and first["metadata"]["generation"] == 1
    assert "labels" not in first["metadata"]


def test_deleting_hands_out_the_last_state_without_touching_the_stored_one() -> None:
    store = _store("a")
    stored = store.create(PODS, _pod("a", "p"))
    rv = stored["metadata"]["resourceVersion"]
    marked = store.mark_deleting(PODS, "a", "p", grace_seconds=5)
    assert marked["metadata"]["deletionTimestamp"] and "deletionTimestamp" not in \
        stored["metadata"]
    last = store.delete(PODS, "a", "p")
    assert int(last["metadata"]["resourceVersion"]) > int(rv)
    assert marked["metadata"]["resourceVersion"] != last["metadata"]["resourceVersion"]
    assert store.find(PODS, "a", "p") is None and store.list(PODS, "a")[0] == []


def test_uids_are_distinct_version_4_uuids() -> None:
    uids = {new_uid() for _ in range(20_000)}
    assert len(uids) == 20_000
    for text in list(uids)[:200]:
        u = uuid.UUID(text)
        assert str(u) == text and u.version == 4 and u.variant == uuid.RFC_4122


def test_remembered_quantities_keep_true_from_passing_as_one() -> None:
    assert parse_quantity(1) == 1.0 and parse_quantity("1") == 1.0
    with pytest.raises(ValueError):
        parse_quantity(True)  # type: ignore[arg-type]
    assert parse_quantity("250m") == 0.25 and parse_quantity("64Mi") == 64 * 2**20


async def test_the_work_queue_hands_keys_out_first_in_first_out() -> None:
    queue = WorkQueue()
    for i in range(1000):
        queue.add(i)
    queue.add(3)  # already waiting: stays where it was
    taken = [queue.get_nowait() for _ in range(500)]
    for i in range(1000, 1500):
        queue.add(i)
    taken += [await queue.get() for _ in range(1000)]
    assert taken == list(range(1500))
    assert queue.get_nowait() is None


class _Busy(Reconciler):
    """Each sync takes longer than a worker's slice."""

    name = "busy"

    def __init__(self, sandbox: Sandbox, order: list[str]) -> None:
        super().__init__(sandbox)
        self.order = order

    def sync(self, key: Any) -> None:
        until = time.perf_counter() + 2 * WORK_SLICE
        while time.perf_counter() < until:
            pass
        self.order.append("sync")


async def test_a_worker_of_slow_syncs_lets_other_tasks_run_between_them() -> None:
    order: list[str] = []
    ctrl = _Busy(Sandbox.create(), order)
    for i in range(5):
        ctrl.queue.add(i)

    async def other() -> None:
        while order.count("sync") < 5:
            order.append("other")
            await asyncio.sleep(0)

    worker = asyncio.create_task(ctrl.run())
    await other()
    worker.cancel()
    syncs = [i for i, what in enumerate(order) if what == "sync"]
    assert len(syncs) == 5
    assert all(b - a > 1 for a, b in zip(syncs, syncs[1:]))  # something ran in between


async def test_the_scale_wait_takes_pods_being_created_as_progress() -> None:
    sb = Sandbox.create()  # no control plane: nothing ever gets ready
    created: list[float] = []

    async def create_pods() -> None:
        for i in range(12):
            sb.store.create(PODS, _pod("default", f"p{i}"))
            created.append(time.monotonic())
            await asyncio.sleep(0.25)

    creator = asyncio.create_task(create_pods())
    await wait_all_ready(sb, 12, time.monotonic(), stall_seconds=1.0)
    gave_up = time.monotonic()
    await creator
    # 12 creations take about 3 s, each less than the 1 s stall after the one before:
    # the wait gave up only once they had stopped.
    assert len(created) == 12 and gave_up >= created[-1]


def test_a_snapshot_pages_in_list_order_and_keeps_what_was_there() -> None:
    store = _store("a", "b")
    for ns, name in [("b", "x"), ("a", "z"), ("a", "m"), ("b", "a")]:
        store.create(CONFIGMAPS, {"metadata": {"namespace": ns, "name": name},
                                  "data": {"v": "1"}})
    snap = store.snapshot(CONFIGMAPS)
    first, after = snap.page(0, 3)
    store.delete(CONFIGMAPS, "b", "x")
    store.update(CONFIGMAPS, {"metadata": {"namespace": "a", "name": "m"}, "data": {"v": "2"}})
    store.create(CONFIGMAPS, {"metadata": {"namespace": "a", "name": "y"}})
    rest, end = snap.page(after, 3)
    names = [(o["metadata"]["namespace"], o["metadata"]["name"]) for o in first + rest]
    assert names == [("a", "m"), ("a", "z"), ("b", "a"), ("b", "x")]
    assert first[0]["data"] == {"v": "1"}  # as it was when the list began
    assert (after, end) == (3, 4) and snap.rv < store.rv
    one_ns, _ = store.snapshot(CONFIGMAPS, "a").page(0, 0)
    assert [o["metadata"]["name"] for o in one_ns] == ["m", "y", "z"]


def test_a_snapshot_page_with_a_predicate_stops_at_the_next_match() -> None:
    store = _store("a")
    for i in range(6):
        store.create(CONFIGMAPS, {"metadata": {"namespace": "a", "name": f"c{i}",
                                               "labels": {"even": str(i % 2 == 0)}}})
    snap = store.snapshot(CONFIGMAPS)
    even = lambda o: o["metadata"]["labels"]["even"] == "True"  # noqa: E731
    page, after = snap.page(0, 2, even)
    assert [o["metadata"]["name"] for o in page] == ["c0", "c2"] and after == 4
    page, after = snap.page(after, 2, even)
    assert [o["metadata"]["name"] for o in page] == ["c4"] and after == len(snap.keys)


class _InLine(Reconciler):
    """Takes configmap events in line, noting each; its keys_for fails on one name."""

    name = "in-line"
    watched = (CONFIGMAPS,)
    keys_in_line = True

    def __init__(self, sandbox: Sandbox) -> None:
        super().__init__(sandbox)
        self.seen: list[tuple[str, str]] = []

    def keys_for(self, ev: Any) -> list[str]:
        name = ev.obj["metadata"]["name"]
        self.seen.append((ev.type, name))
        if name == "bad":
            raise ValueError("a bug in keys_for")
        return [name]

    def sync(self, key: Any) -> None:
        return None


async def test_a_controller_taking_events_in_line_sees_what_was_there_and_each_write() -> None:
    sb = Sandbox.create()
    store = sb.store
    cm = {"metadata": {"namespace": "default", "name": "before"}}
    store.create(CONFIGMAPS, cm)
    ctrl = _InLine(sb)
    task = asyncio.create_task(ctrl.run())
    await asyncio.sleep(0)
    assert ctrl.seen == [("ADDED", "before")]  # what was there, as a fresh watch's ADDED
    store.create(CONFIGMAPS, {"metadata": {"namespace": "default", "name": "bad"}})
    store.update(CONFIGMAPS, {**cm, "data": {"k": "v"}})
    # each write is seen during the write itself; a failing keys_for is the controller's
    # problem, not the writer's
    assert ctrl.seen[1:] == [("ADDED", "bad"), ("MODIFIED", "before")]
    assert store.find(CONFIGMAPS, "default", "bad") is not None
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    store.create(CONFIGMAPS, {"metadata": {"namespace": "default", "name": "gone"}})
    assert ("ADDED", "gone") not in ctrl.seen  # unsubscribed when it stopped
