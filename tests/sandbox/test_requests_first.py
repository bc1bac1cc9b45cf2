"""The API server's answers go ahead of the sandbox's background work (issue 19,
kubetui.sandbox.requests_first): background turns run one at a time with the loop polling
its sockets between them, so a request waits for one turn at most, and the churn keeps
its rate when its turns come late."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from kubetui.sandbox.apiserver.store import Event
from kubetui.sandbox.requests_first import RequestsFirst
from kubetui.sandbox.run import RunningSandbox
from kubetui.sandbox.scenarios.scale import is_ready
from tests.conftest import start_sandbox
from tests.waiting import wait_for
from tests.sandbox.conftest import Api

PODS = ("", "pods")
CONFIGMAPS = ("", "configmaps")


async def test_background_turns_run_one_at_a_time_with_the_loop_polling_between() -> None:
    rf = RequestsFirst()
    loop = asyncio.get_running_loop()
    order: list[str] = []

    async def worker(name: str) -> None:
        for _ in range(3):
            async with rf.turn():
                order.append(name)
                # What a socket's readiness schedules during a turn runs before the next.
                loop.call_soon(order.append, "io")

    await asyncio.gather(worker("a"), worker("b"))
    assert sorted(order[::2]) == ["a"] * 3 + ["b"] * 3
    assert order[1::2] == ["io"] * 6


async def test_a_turn_that_awaits_keeps_the_others_waiting() -> None:
    rf = RequestsFirst()
    order: list[str] = []

    async def worker(name: str) -> None:
        async with rf.turn():
            order.append(f"{name} begins")
            await asyncio.sleep(0.02)
            order.append(f"{name} ends")

    await asyncio.gather(worker("a"), worker("b"))
    assert order == ["a begins", "a ends", "b begins", "b ends"]


async def test_a_cancelled_turn_neither_keeps_nor_loses_the_next() -> None:
    rf = RequestsFirst()
    order: list[str] = []
    release = asyncio.Event()

    async def holder() -> None:
        async with rf.turn():
            order.append("holder")
            await release.wait()

    async def waiter(name: str) -> None:
        async with rf.turn():
            order.append(name)

    first = asyncio.create_task(holder())
    await wait_for(lambda: order == ["holder"], timeout=5)
    cancelled = asyncio.create_task(waiter("cancelled"))
    last = asyncio.create_task(waiter("last"))
    await asyncio.sleep(0.01)
    cancelled.cancel()
    release.set()
    await asyncio.wait_for(asyncio.gather(first, last), 5)
    assert order == ["holder", "last"] and cancelled.cancelled()
    async with rf.turn():  # and the turns are free again
        order.append("again")
    assert order[-1] == "again"


async def _busy_turns(rf: RequestsFirst, turns: list[float], stop: asyncio.Event) -> None:
    """A background loop that always has work (a millisecond a turn)."""
    while not stop.is_set():
        async with rf.turn():
            turns.append(time.monotonic())
            time.sleep(0.001)


async def test_a_request_waits_for_one_background_turn_at_most(
        sandbox: RunningSandbox, api: Api) -> None:
    rf = sandbox.sandbox.requests_first
    turns: list[float] = []
    loops: list[float] = []
    stop = asyncio.Event()

    async def count_loops() -> None:
        while not stop.is_set():
            loops.append(time.monotonic())
            await asyncio.sleep(0)

    tasks = [asyncio.create_task(_busy_turns(rf, turns, stop)) for _ in range(5)]
    tasks.append(asyncio.create_task(count_loops()))
    try:
        await wait_for(lambda: len(turns) > 20, timeout=10)
        for _ in range(3):
            sent = time.monotonic()
            status, _ = await api.call("GET", "/api/v1/namespaces")
            answered = time.monotonic()
            assert status == 200
            during = sum(1 for t in turns if sent <= t <= answered)
            polls = sum(1 for t in loops if sent <= t <= answered)
            # Five loops always have work, yet the loop (client and server both run in
            # it here) comes round after each turn: one turn per pass, not five.
            assert during <= polls + 1
    finally:
        stop.set()
        await asyncio.gather(*tasks)


async def test_the_churn_keeps_its_rate_when_its_turns_come_late(tmp_path: Path) -> None:
    running = await start_sandbox(tmp_path / "kubeconfig", scenario="scale", pods=400,
                                  namespaces=2, churn=100, pace=0.05)
    store = running.sandbox.store
    rf = running.sandbox.requests_first
    changes: list[float] = []

    def count(ev: Event) -> None:  # the churn turning a pod unready, or deleting it
        if ev.key != PODS or ev.type != "MODIFIED" or ev.old is None:
            return
        deleting, was = (bool(o["metadata"].get("deletionTimestamp")) for o in (ev.obj, ev.old))
        if (deleting and not was) or (not deleting and is_ready(ev.old) and
                                      not is_ready(ev.obj)):
            changes.append(time.monotonic())

    store.add_listener(count)
    try:
        await wait_for(lambda: len(changes) >= 20, timeout=20)  # churning
        # Another turn holds the loop's background work for a second: the churn's come
        # late, and what fell due meanwhile is made then (~100 changes).
        async with rf.turn():
            held = len(changes)
            await asyncio.sleep(1.0)
            during = len(changes) - held
        released = time.monotonic()
        await wait_for(lambda: sum(1 for t in changes if t >= released) >= 80, timeout=5)
        assert during == 0
    finally:
        await running.stop()


async def test_a_turn_ahead_goes_before_the_turns_waiting() -> None:
    rf = RequestsFirst()
    order: list[str] = []
    release = asyncio.Event()

    async def worker(name: str, ahead: bool = False) -> None:
        async with rf.turn(ahead=ahead):
            order.append(name)
            if name == "first":
                await release.wait()

    first = asyncio.create_task(worker("first"))
    await wait_for(lambda: order == ["first"], timeout=5)
    others = [asyncio.create_task(worker(n)) for n in ("a", "b")]
    await asyncio.sleep(0)
    others.append(asyncio.create_task(worker("ahead", ahead=True)))
    await asyncio.sleep(0)
    release.set()
    await asyncio.wait_for(asyncio.gather(first, *others), 5)
    assert order == ["first", "ahead", "a", "b"]
