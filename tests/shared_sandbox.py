"""Sandboxes that several tests share: served from a thread of their own, so that a test in
its own event loop (pytest-asyncio gives each test one) reaches them over HTTP as any
client would; and a per-test view that scopes the server's request log to the test and
checks, when the test ends, that it changed nothing.

The fixtures are in tests/conftest.py (`shared_demo`, `shared_sandbox`); the snapshot
tests' recorded cluster (tests/ui/conftest.py) is served the same way.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import Awaitable, Callable, Coroutine, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import pytest

from kubetui.sandbox.apiserver.server import RequestRecord
from kubetui.sandbox.apiserver.store import Event
from kubetui.sandbox.core import Sandbox
from kubetui.sandbox.run import RunningSandbox, SandboxOptions

T = TypeVar("T")

#: Subresources and reviews a client POSTs to without changing any object: a stream into a
#: container, a tunnel to a port, or a question about its own rights.
NOT_WRITES = ("/exec", "/attach", "/portforward", "/tokenreviews", "selfsubject",
              "subjectaccessreviews")


async def settled(sandbox: Sandbox, quiet_for: float = 0.3, timeout: float = 15) -> None:
    """Wait until the store's resourceVersion has not moved for `quiet_for` seconds: the
    controllers have done what an empty cluster gives them to do."""
    from tests.waiting import wait_for

    seen = [sandbox.store.rv, time.monotonic()]

    def still() -> bool:
        if sandbox.store.rv != seen[0]:
            seen[:] = [sandbox.store.rv, time.monotonic()]
        return time.monotonic() - seen[1] >= quiet_for

    await wait_for(still, timeout, message="the sandbox's resourceVersion to settle")


class ThreadedSandbox:
    """A `RunningSandbox` started and served by an event loop running in its own daemon
    thread; `call` and `run` reach into that loop from any other thread."""

    def __init__(self, name: str) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name=name, daemon=True)
        self.thread.start()
        self.running: RunningSandbox | None = None

    def run(self, coro: Coroutine[Any, Any, T], timeout: float = 60) -> T:
        """Run `coro` in the sandbox's loop and wait for its result."""
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def call(self, fn: Callable[[], T], timeout: float = 30) -> T:
        """Call `fn` in the sandbox's loop (between two of its steps) and return its
        result: the store is only ever touched from that thread."""
        async def call() -> T:
            return fn()
        return self.run(call(), timeout)

    def start(self, options: SandboxOptions,
              prepare: Callable[[RunningSandbox], Awaitable[None]] | None = None
              ) -> RunningSandbox:
        """Start the sandbox with `options`, then `prepare(running)` in its loop."""
        async def start() -> RunningSandbox:
            running = await RunningSandbox.start(options)
            if prepare is not None:
                await prepare(running)
            return running
        self.running = self.run(start())
        return self.running

    def stop(self, before: Callable[[], Awaitable[None]] | None = None) -> None:
        """Stop the sandbox (after `before()`, in its loop), the loop and the thread."""
        from tests.conftest import stop_sandbox

        async def stop() -> None:
            if before is not None:
                await before()
            if self.running is not None:
                await stop_sandbox(self.running)
        try:
            self.run(stop())
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(10)
            self.loop.close()


@dataclass
class SharedSandbox:
    """A sandbox that the tests which only read share (one per pytest process: each
    pytest-xdist worker has its own).

    What "only read" means, checked at the end of every test that uses it (`Use.check`):
    - no request that changes an object reached the server during the test: no POST,
      PUT, PATCH or DELETE answered below 400, except a dry run and the ones that change
      nothing (exec, attach, port-forward, access and token reviews: `NOT_WRITES`);
    - nothing was written into its store from outside the sandbox's own thread (a test
      calling `store.create` directly), nor from inside `Use.read`;
    - when `quiet` (no controller changes anything once the cluster has settled, as in an
      empty cluster), the store's resourceVersion is the same at the end as at the start.
      A cluster whose controllers tick by themselves (the demo: a crash loop, kubelet
      heartbeats, logs, events, CronJobs) moves its resourceVersion with no test doing
      anything, so there the first two checks, which name the test's own writes, are the
      guard; comparing resourceVersions would fail at random.
    """

    served: ThreadedSandbox
    quiet: bool
    kubeconfig_text: str
    foreign_writes: list[str] = field(default_factory=list)
    reading: bool = False

    @classmethod
    def start(cls, name: str, kubeconfig: Path, quiet: bool,
              prepare: Callable[[RunningSandbox], Awaitable[None]] | None = None,
              **options: Any) -> SharedSandbox:
        served = ThreadedSandbox(name)
        running = served.start(SandboxOptions(**{"host": "127.0.0.1", "port": 0,
                                                 "kubeconfig": str(kubeconfig), **options}),
                               prepare)
        shared = cls(served, quiet, kubeconfig.read_text())
        if quiet:
            served.run(settled(running.sandbox))
        served.call(lambda: running.sandbox.store.add_listener(shared._on_write))
        return shared

    @property
    def running(self) -> RunningSandbox:
        assert self.served.running is not None
        return self.served.running

    def _on_write(self, event: Event) -> None:
        if self.reading or threading.current_thread() is not self.served.thread:
            meta = event.obj["metadata"]
            self.foreign_writes.append(f"{event.type} {event.key[1]} "
                                       f"{meta.get('namespace', '')}/{meta['name']}")

    def use(self, kubeconfig: Path) -> Use:
        """A test's view: its own copy of the kubeconfig at `kubeconfig`, and the marks
        from which its requests and writes are counted."""
        kubeconfig.parent.mkdir(parents=True, exist_ok=True)
        kubeconfig.write_text(self.kubeconfig_text)
        kubeconfig.chmod(0o600)
        return Use(self, kubeconfig, len(self.running.server.requests),
                   self.served.call(lambda: self.running.sandbox.store.rv),
                   len(self.foreign_writes))

    def stop(self) -> None:
        self.served.stop()


@dataclass
class Use:
    """One test's use of a `SharedSandbox`: the requests it made, reads inside the
    sandbox's thread, and the check that it changed nothing."""

    shared: SharedSandbox
    kubeconfig: Path
    first_request: int
    rv: int
    first_foreign_write: int

    @property
    def running(self) -> RunningSandbox:
        return self.shared.running

    @property
    def url(self) -> str:
        return self.running.url

    def requests(self) -> list[RequestRecord]:
        """The requests the server answered since this test began."""
        return self.running.server.requests[self.first_request:]

    def unmatched(self) -> list[RequestRecord]:
        """This test's requests that matched no route."""
        return [r for r in self.requests() if not r.matched]

    def read(self, fn: Callable[[Sandbox], T]) -> T:
        """`fn(sandbox)`, called in the sandbox's thread; it must only read."""
        def call() -> T:
            self.shared.reading = True
            try:
                return fn(self.running.sandbox)
            finally:
                self.shared.reading = False
        return self.shared.served.call(call)

    def writes(self) -> list[str]:
        """What this test changed: write requests, and writes into the store made from
        outside the sandbox's thread (see `SharedSandbox`)."""
        sent = [f"{r.method} {r.path}?{r.query} -> {r.status}" for r in self.requests()
                if r.method in ("POST", "PUT", "PATCH", "DELETE") and r.status < 400
                and "dryRun=" not in r.query and not any(s in r.path for s in NOT_WRITES)]
        return sent + self.shared.foreign_writes[self.first_foreign_write:]

    def check(self) -> None:
        """Fail when this test changed the shared cluster (see `SharedSandbox`)."""
        writes = self.writes()
        assert writes == [], f"a test on the shared read-only sandbox wrote: {writes}"
        if self.shared.quiet:
            rv = self.shared.served.call(lambda: self.running.sandbox.store.rv)
            assert rv == self.rv, (f"the shared read-only sandbox changed during the test "
                                   f"(resourceVersion {self.rv} -> {rv})")


@contextlib.contextmanager
def used_by_test(shared: SharedSandbox, home: Path,
                 monkeypatch: pytest.MonkeyPatch) -> Iterator[Use]:
    """A test's use of `shared`: its kubeconfig copied into the test's own HOME, KUBECONFIG
    pointing there, and the check that the test changed nothing when it ends."""
    use = shared.use(home / ".kube" / "config")
    monkeypatch.setenv("KUBECONFIG", str(use.kubeconfig))
    yield use
    use.check()
