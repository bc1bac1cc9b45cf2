"""WatchStore against the sandbox: it converges to exactly the server's objects, through
dropped watches, expired history, errors, expiring tokens and a server restart.

Changes are made through the sandbox's in-process store: they happen atomically between
two steps of the client, which lets a test arrange "changed while disconnected" exactly.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
from collections.abc import AsyncIterator
from urllib.parse import parse_qs

import pytest

from kubetui.cluster.reflector import StoreSettings
from kubetui.cluster.store import WatchStore
from kubetui.kinds import builtin
from kubetui.sandbox.core import Faults
from tests.cluster.helpers import FAST, Recorder, connect
from tests.waiting import wait_for

CM = ("", "configmaps")
CONFIGMAP = builtin("ConfigMap")
CM_PATH = "/api/v1/namespaces/default/configmaps"


def make_cm(sb, name: str, ns: str = "default", **data: str) -> None:
    sb.sandbox.store.create(CM, {"apiVersion": "v1", "kind": "ConfigMap",
                                 "metadata": {"name": name, "namespace": ns},
                                 "data": data})


def change_cm(sb, name: str, ns: str = "default", **data: str) -> None:
    obj = dict(sb.sandbox.store.get(CM, ns, name))
    sb.sandbox.store.update(CM, obj | {"data": data})


def server_state(sb, ns: str | None = "default") -> dict[str, str]:
    items, _ = sb.sandbox.store.list(CM, ns)
    return {o["metadata"]["uid"]: o["metadata"]["resourceVersion"] for o in items}


def converged(rec: Recorder, sb, ns: str | None = "default"):
    return lambda: {uid: e.rv for uid, e in rec.rows.items()} == server_state(sb, ns)


def requests(sb, path: str, watch: bool) -> int:
    return sum(1 for r in sb.server.requests
               if r.path == path and ("watch=true" in r.query) == watch and r.status == 200)


def cm_watches(sb) -> list:
    return [w for w in sb.sandbox.store.watchers() if w.key == CM]


@contextlib.asynccontextmanager
async def store_over(sb, count: int, **settings) -> AsyncIterator[WatchStore]:
    """A store (FAST timings changed by `settings`) over `count` ConfigMaps made first."""
    for i in range(count):
        make_cm(sb, f"cm-{i:03}")
    client = await connect(sb)
    store = WatchStore(client, dataclasses.replace(FAST, **settings))
    try:
        yield store
    finally:
        await store.close()
        await client.close()


@pytest.fixture
async def cluster(start_sandbox, request):
    """(sandbox, client, store) with fast timings. Parametrized indirectly with a dict:
    `faults` for the sandbox, `settings` for the store. No control plane: the tests make
    every change themselves (so no kube-root-ca.crt appears in their ConfigMaps)."""
    options = getattr(request, "param", {})
    sb = await start_sandbox(faults=options.get("faults", Faults()), controllers=False)
    client = await connect(sb)
    store = WatchStore(client, options.get("settings", FAST))
    yield sb, client, store
    await store.close()
    await client.close()


async def test_list_then_watch_converges(cluster):
    sb, _, store = cluster
    for i in range(3):
        make_cm(sb, f"before-{i}", v=str(i))
    rec = Recorder()
    sub = rec.subscribe(store, CONFIGMAP, "default")
    await wait_for(lambda: len(rec.rows) == 3, message="the first list")
    assert rec.batches[0].reset
    await wait_for(lambda: sub.health.state == "live", message="live")
    assert rec.states[0] == "syncing" and rec.states[-1] == "live"

    for i in range(5):
        make_cm(sb, f"after-{i}")
    change_cm(sb, "before-0", v="changed")
    sb.sandbox.store.delete(CM, "default", "before-1")
    await wait_for(converged(rec, sb), message="the store to match the server")
    assert {e.name for e in rec.rows.values()} == \
        {"before-0", "before-2", *(f"after-{i}" for i in range(5))}
    entry = next(e for e in rec.rows.values() if e.name == "before-0")
    assert entry.cells[0] == "before-0" and entry.namespace == "default"
    assert entry.created is not None
    assert sub.entries().keys() == rec.rows.keys()


async def test_burst_is_one_batch_and_first_page_comes_at_once(start_sandbox):
    sb = await start_sandbox(controllers=False)  # only the test's own ConfigMaps
    async with store_over(sb, 120, page_size=50, flush_interval=1.0,
                          list_flush_interval=60.0) as store:
        rec = Recorder()
        rec.subscribe(store, CONFIGMAP, "default")
        await wait_for(lambda: rec.rows, message="the first page")
        # Painted before the rest of the list arrived (the first rows are only it) ...
        assert len(next(b for b in rec.batches if b.upserts).upserts) == 50
        # ... and the rest at the list's end, in one batch, without waiting for the list's
        # flush interval (longer than wait_for's patience).
        await wait_for(converged(rec, sb), message="full sync")
        await wait_for(lambda: rec.states[-1:] == ["live"])
        assert [len(b.upserts) for b in rec.batches if b.upserts] == [50, 70]
        before = len(rec.batches)
        for i in range(1000):  # a burst: adds, then updates of the same objects
            make_cm(sb, f"burst-{i:04}")
        for i in range(1000):
            change_cm(sb, f"burst-{i:04}", touched="yes")
        await wait_for(converged(rec, sb), message="the burst to be applied")
        burst = rec.batches[before:]
        assert len(burst) <= 4, [len(b.upserts) for b in burst]
        upserted = [e.uid for b in burst for e in b.upserts]
        assert len(upserted) == len(set(upserted)) == 1000  # coalesced: latest state only


async def test_a_list_s_first_page_is_short_and_the_second_makes_up_for_it(start_sandbox):
    sb = await start_sandbox(controllers=False)
    async with store_over(sb, 23, page_size=5, first_page_size=3,
                          list_flush_interval=60.0) as store:
        rec = Recorder()
        rec.subscribe(store, CONFIGMAP, "default")
        await wait_for(converged(rec, sb), message="full sync")
        # The first page's rows go out alone, the rest at the list's end.
        assert [len(b.upserts) for b in rec.batches if b.upserts] == [3, 20]
        limits = [parse_qs(r.query)["limit"] for r in sb.server.requests
                  if r.path == CM_PATH and "watch=true" not in r.query]
        # As many pages as 5 a page would take: 3 + 7, then 5 a page.
        assert limits == [["3"], ["7"], ["5"], ["5"], ["5"]]


async def test_a_list_page_is_stored_in_turns_of_the_event_loop(start_sandbox):
    """A page's objects reach the store a slice at a time, the loop running other work
    (keys, paints) in between, as a watch's burst does (`yield_after`)."""
    sb = await start_sandbox(controllers=False)
    async with store_over(sb, 60, page_size=100, first_page_size=100,
                          yield_after=0.0) as store:
        rec = Recorder()
        sub = rec.subscribe(store, CONFIGMAP, "default")
        seen: set[int] = set()  # how many the stream held at each turn of the loop

        async def look() -> None:
            while True:
                seen.add(len(sub.entries()))
                await asyncio.sleep(0)

        looking = asyncio.create_task(look())
        try:
            await wait_for(converged(rec, sb), message="full sync")
        finally:
            looking.cancel()
        pages = [r for r in sb.server.requests if r.path == CM_PATH and "watch" not in r.query]
        assert len(pages) == 1  # one page, seen part-way through many times
        assert len(seen & set(range(1, 60))) >= 50, sorted(seen)


def test_page_limits():
    assert [StoreSettings().page_limit(p) for p in range(4)] == [100, 1900, 1000, 1000]
    # A first page larger than the others is not: every page is page_size long.
    assert [StoreSettings(page_size=50).page_limit(p) for p in range(3)] == [50, 50, 50]


async def test_the_watch_is_under_way_when_the_list_s_last_objects_are_handed_over(
        start_sandbox):
    """The watch after a list is requested with the list's last page (issue 19), and says
    "live" and applies its events only after that page's objects."""
    sb = await start_sandbox(controllers=False)
    async with store_over(sb, 12, page_size=5, first_page_size=5,
                          list_flush_interval=60.0) as store:
        rec = Recorder()
        watching: list[bool] = []

        def on_batch(batch) -> None:
            if batch.upserts:  # the list's pages: is its watch on its way meanwhile?
                watching.append(any(t.get_coro().__qualname__ == "Reflector._watch"
                                    for t in asyncio.all_tasks() if not t.done()))
            rec.on_batch(batch)

        sub = store.subscribe(CONFIGMAP, "default", on_batch, rec.on_health)
        await wait_for(converged(rec, sb), message="full sync")
        await wait_for(lambda: sub.health.state == "live", message="live")
        assert watching == [False, True]  # the first page alone, then the rest
        assert rec.states == ["syncing", "live"]
        make_cm(sb, "after")
        await wait_for(converged(rec, sb), message="the watch's event")
        assert len(cm_watches(sb)) == 1  # one watch: the one opened with the list


async def test_streams_are_shared_and_stopped_after_the_last_subscriber(cluster):
    sb, _, store = cluster
    make_cm(sb, "x")
    first, second = Recorder(), Recorder()
    sub1 = first.subscribe(store, CONFIGMAP, "default")
    await wait_for(lambda: first.states[-1:] == ["live"])
    sub2 = second.subscribe(store, CONFIGMAP, "default")
    await wait_for(lambda: second.rows, message="the second subscriber's reset batch")
    assert second.batches[0].reset and second.health[0].state == "live"
    assert requests(sb, CM_PATH, watch=False) == 1  # one list, one watch for both
    assert len(cm_watches(sb)) == 1

    sub1.close()
    sub2.close()
    assert store.streams == [("", "configmaps", "default")]
    await wait_for(lambda: not store.streams, message="the stream to stop")
    # A new subscriber starts a fresh stream.
    third = Recorder()
    third.subscribe(store, CONFIGMAP, "default")
    await wait_for(converged(third, sb))


async def test_relist_after_410_removes_what_vanished(cluster):
    sb, _, store = cluster
    for i in range(5):
        make_cm(sb, f"keep-{i}")
    rec = Recorder()
    rec.subscribe(store, CONFIGMAP, "default")
    await wait_for(converged(rec, sb))
    await wait_for(lambda: rec.states[-1:] == ["live"])
    gone = {uid for uid, e in rec.rows.items() if e.name in ("keep-0", "keep-1")}

    # While the client is cut off, the server changes more than its history keeps.
    sb.sandbox.store.set_history(2)
    sb.server.drop_watches()
    sb.sandbox.store.delete(CM, "default", "keep-0")
    sb.sandbox.store.delete(CM, "default", "keep-1")
    change_cm(sb, "keep-2", v="new")
    for i in range(6):
        make_cm(sb, f"new-{i}")

    await wait_for(converged(rec, sb), message="convergence after the relist")
    assert requests(sb, CM_PATH, watch=False) >= 2  # it had to list again
    assert not gone & rec.rows.keys()
    assert len({e.name for e in rec.rows.values()}) == len(rec.rows) == 9


@pytest.mark.parametrize("cluster", [{"faults": Faults(drop_watches_every=0.3)}],
                         indirect=True)
async def test_dropped_watches_resume_without_loss(cluster):
    sb, _, store = cluster
    rec = Recorder()
    rec.subscribe(store, CONFIGMAP, "default")
    await wait_for(lambda: rec.states[-1:] == ["live"])
    made = 0
    while requests(sb, CM_PATH, watch=True) < 4:  # changes across several drops
        make_cm(sb, f"cm-{made}")
        made += 1
        await wait_for(lambda: len(rec.rows) == made, message=f"cm-{made - 1}")
    await wait_for(converged(rec, sb))
    assert requests(sb, CM_PATH, watch=False) == 1  # resumed from the RV, no relist


@pytest.mark.parametrize("cluster", [{"faults": Faults(token_ttl=1.0)}], indirect=True)
async def test_expired_token_is_reloaded_on_401(cluster):
    sb, client, store = cluster
    rec = Recorder()
    rec.subscribe(store, CONFIGMAP, "default")
    await wait_for(lambda: rec.states[-1:] == ["live"])

    async def expired_and_reloaded() -> bool:
        assert (await client.request("GET", CM_PATH))["items"] == []  # never fails
        return any(r.status == 401 for r in sb.server.requests)

    await wait_for(expired_and_reloaded, message="a 401 once the token expired")
    make_cm(sb, "after-expiry")
    await wait_for(converged(rec, sb))
    assert "error" not in rec.states


@pytest.mark.parametrize("cluster", [{"faults": Faults(error_rate=0.25, latency_ms=20),
                                      "settings": dataclasses.replace(FAST, page_size=10)}],
                         indirect=True)
async def test_errors_and_429_bursts_are_survived(cluster):
    sb, _, store = cluster
    for i in range(20):
        make_cm(sb, f"cm-{i}")
    rec = Recorder()
    rec.subscribe(store, CONFIGMAP, "default")
    await wait_for(converged(rec, sb), timeout=30, message="sync despite errors")

    def both_errors_seen() -> bool:  # cut the watch until re-watches met a 500 and a 429
        sb.server.drop_watches()
        return {429, 500} <= {r.status for r in sb.server.requests}

    await wait_for(both_errors_seen, timeout=30)
    for i in range(10):
        change_cm(sb, f"cm-{i}", v="2")
    await wait_for(converged(rec, sb), timeout=30)
    assert "reconnecting" in rec.states
    sb.sandbox.faults.error_rate = 0
    await wait_for(lambda: rec.states[-1] == "live", timeout=10)


async def test_server_stopped_and_restarted(cluster):
    from kubetui.sandbox.apiserver.server import SandboxServer
    sb, _, store = cluster
    make_cm(sb, "a")
    rec = Recorder()
    sub = rec.subscribe(store, CONFIGMAP, "default")
    await wait_for(lambda: rec.states[-1:] == ["live"] and rec.rows)
    port = sb.server.port
    await sb.server.stop()
    await wait_for(lambda: sub.health.state == "stale", timeout=10)
    health = sub.health
    assert "cannot reach the server" in (health.error or "")
    assert "reconnecting" in rec.states
    # Changes made while it was down arrive after it comes back.
    sb.sandbox.store.delete(CM, "default", "a")
    make_cm(sb, "b")
    sb.server = SandboxServer(sb.sandbox, "127.0.0.1", port, tls=sb.server.tls)
    await sb.server.start()
    await wait_for(converged(rec, sb), timeout=15)
    await wait_for(lambda: sub.health.state == "live")
    assert {e.name for e in rec.rows.values()} == {"b"}


async def test_all_namespaces_and_cluster_scoped(cluster):
    sb, client, store = cluster
    sb.sandbox.store.create(("", "namespaces"), {"metadata": {"name": "shop"}},
                            namespaced=False)
    make_cm(sb, "here")
    make_cm(sb, "there", ns="shop")
    everywhere, namespaces = Recorder(), Recorder()
    everywhere.subscribe(store, CONFIGMAP, None)
    namespaces.subscribe(store, builtin("Namespace"), "ignored-for-cluster-scoped")
    await wait_for(converged(everywhere, sb, None))
    assert everywhere.names() == {("default", "here"), ("shop", "there")}
    await wait_for(lambda: {"default", "shop"} <= {e.name for e in namespaces.rows.values()})


@pytest.mark.parametrize("cluster", [{"faults": Faults(rbac="namespace=default,typed-by-hand")}],
                         indirect=True)
async def test_forbidden_lists_fall_back_to_known_namespaces(cluster):
    """A user bound only in some namespaces: listing namespaces and listing across all
    of them answer 403, so the store shows the namespaces it knows of instead."""
    _, _, store = cluster
    store.add_namespace("typed-by-hand")
    namespaces, pods = Recorder(), Recorder()
    namespaces.subscribe(store, builtin("Namespace"), None)
    pods.subscribe(store, builtin("Pod"), None)
    await wait_for(lambda: {e.name for e in namespaces.rows.values()} ==
                   {"default", "typed-by-hand"})
    assert "showing the namespaces" in (namespaces.health[-1].error or "")
    await wait_for(lambda: pods.states[-1:] == ["live"])
    assert "showing namespaces default, typed-by-hand only" in (pods.health[-1].error or "")


async def test_event_entries_know_what_they_are_about(cluster):
    sb, _, store = cluster
    sb.sandbox.store.create(("", "events"), {
        "metadata": {"name": "web-1.a", "namespace": "default"},
        "involvedObject": {"kind": "Pod", "namespace": "default", "name": "web-1",
                           "uid": "u-1"},
        "type": "Normal", "reason": "Started", "message": "Started container app"})
    make_cm(sb, "plain")
    events, configmaps = Recorder(), Recorder()
    events.subscribe(store, builtin("Event", ""), "default")
    configmaps.subscribe(store, CONFIGMAP, "default")
    await wait_for(lambda: events.rows and configmaps.rows)
    assert [e.ref for e in events.rows.values()] == ["u-1"]
    assert [e.ref for e in configmaps.rows.values()] == [""]
