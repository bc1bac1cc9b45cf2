"""Starting and stopping a whole sandbox cluster: store, controllers, scenario, HTTP server,
kubeconfig. Used by `kubetui sandbox`, `kubetui --demo` and the tests alike."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import gc
import ssl
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from kubetui.collector import collector_paused
from kubetui.private_files import write_private
from kubetui.sandbox.apiserver.server import SandboxServer
from kubetui.sandbox.controllers import all_controllers
from kubetui.sandbox.controllers.kubelet.lifecycle import Kubelet
from kubetui.sandbox.controllers.kubelet.timing import KubeletTiming
from kubetui.sandbox.core import Controller, Faults, Sandbox
from kubetui.sandbox.apiserver.authn import ADMIN
from kubetui.sandbox.apiserver.store import ObjectStore
from kubetui.sandbox.event_expiry import EVENT_LIMIT, EventExpiry
from kubetui.sandbox.kubeconfig import CONTEXT, write_kubeconfig
from kubetui.sandbox.state_dir import load_or_create


#: Watch history kept while a scenario loads (the default history).
LOADING_HISTORY = 10_000


@contextlib.contextmanager
def _history_compacted_while_loading(store: ObjectStore) -> Iterator[None]:
    """No client can watch before the server listens, so the history of loading a
    scenario is kept no longer than the default, whatever the history asked for: with
    `--watch-history 2000000` the 870,000 writes that bring 50,000 pods up held every
    version of every pod (2.2 GB resident once ready, against 0.9 GB). Afterwards the
    history grows to its limit, and a watch from before serving is told 410 Expired, as
    after an etcd compaction."""
    limit = store.history_limit
    if limit > LOADING_HISTORY:
        store.set_history(LOADING_HISTORY)
    try:
        yield
    finally:
        if limit > LOADING_HISTORY:
            store.set_history(limit)


async def _keep_heap_frozen(every: float) -> None:
    """Under churn, Python's cyclic collector walked every object the store and its watch
    history hold, over and over: at 10,000 pods and 1,000 changes a second a quarter of
    the sandbox's time (a third with a long history) went to it, in pauses of 1 to 5
    seconds. What the store holds is JSON data without cycles, freed by reference
    counting when it is replaced, so each `every` seconds what is alive is moved out of
    the collector's sight (`gc.freeze`); the collector then looks only at what came since.
    Cycles that were alive at a freeze and die later are not reclaimed: in a process that
    is the sandbox alone those are a few connections' worth, where in a process that also
    runs a UI or tests they would be most of its garbage, so only `kubetui sandbox` asks."""
    while True:
        await asyncio.sleep(every)
        gc.freeze()


def _controllers(opts: SandboxOptions) -> list[Callable[[Sandbox], Controller]]:
    """The whole control plane, the kubelet at `opts.pace`, and the events' expiry."""
    return [functools.partial(Kubelet, timing=KubeletTiming(pace=opts.pace))
            if make is Kubelet else make for make in all_controllers()] + \
        [functools.partial(EventExpiry, limit=opts.event_limit)]


@dataclass
class SandboxOptions:
    host: str = "127.0.0.1"
    port: int = 0
    kubeconfig: str | None = None
    context: str = CONTEXT
    scenario: str = "empty"
    nodes: int | None = None  # None: as many as the scenario has (empty: one)
    auth: str = "token"  # the kubeconfig's credential: "token" or "cert" (a client cert)
    pods: int = 1000
    namespaces: int = 10
    churn: float = 0.0
    watch_history: int = 10_000
    event_limit: int = EVENT_LIMIT  # events kept at most (see event_expiry.py)
    faults: Faults = field(default_factory=Faults)
    controllers: bool = True
    bookmark_interval: float = 10.0
    # Multiplies every simulated delay of the kubelet (pulls, starts, probes, back-offs,
    # grace periods): tests run the same stories at 0.05.
    pace: float = 1.0
    # Keep the serving certificate and the token here across restarts (see state_dir.py).
    state_dir: str | None = None
    # Seconds between moves of everything alive out of the cyclic collector's sight
    # (`gc.freeze`); 0: never. Only for a process that is the sandbox alone (`kubetui
    # sandbox`): see `_keep_heap_frozen`.
    freeze_heap_every: float = 0.0


@dataclass
class RunningSandbox:
    """A sandbox cluster serving on a port, with a kubeconfig written for it."""

    sandbox: Sandbox
    server: SandboxServer
    kubeconfig: Path | None
    options: SandboxOptions
    _tasks: list[asyncio.Task[None]] = field(default_factory=list)

    @property
    def url(self) -> str:
        return self.server.url

    @classmethod
    async def start(cls, opts: SandboxOptions) -> RunningSandbox:
        sb = Sandbox.create(watch_history=opts.watch_history)
        sb.faults = opts.faults
        if opts.controllers:
            sb.start_controllers(_controllers(opts))
        from kubetui.sandbox.scenarios import load_scenario
        # (collections were a third of a large scenario's load; what it builds is kept)
        with collector_paused(freeze=True), _history_compacted_while_loading(sb.store):
            await load_scenario(sb, opts)
        tls = None
        if opts.state_dir:
            identity = load_or_create(Path(opts.state_dir), opts.host, sb.token)
            sb.adopt_token(identity.token)
            tls = identity.tls
        server = SandboxServer(sb, opts.host, opts.port,
                               bookmark_interval=opts.bookmark_interval, tls=tls,
                               client_certs=opts.auth == "cert")
        await server.start()
        running = cls(sb, server, None, opts)
        if opts.freeze_heap_every > 0:
            running._tasks.append(asyncio.create_task(
                _keep_heap_frozen(opts.freeze_heap_every)))
        if opts.kubeconfig:
            running.kubeconfig = running._write_kubeconfig()
            if opts.faults.token_ttl > 0:
                running._tasks.append(asyncio.create_task(running._rotate_tokens()))
        return running

    def _token_file(self) -> Path:
        assert self.options.kubeconfig
        return Path(self.options.kubeconfig).with_suffix(".token")

    def _write_kubeconfig(self) -> Path:
        assert self.options.kubeconfig
        if self.options.faults.token_ttl > 0:
            tf = self._token_file()
            tf.parent.mkdir(parents=True, exist_ok=True)
            write_private(tf, self.sandbox.token)
            return write_kubeconfig(self.options.kubeconfig, self.url, self.ca_pem,
                                    token_file=str(tf), context=self.options.context)
        if self.options.auth == "cert":
            assert self.server.tls is not None
            cert = self.server.tls.client_cert(ADMIN.username, ADMIN.groups[:-1])
            return write_kubeconfig(self.options.kubeconfig, self.url, self.ca_pem,
                                    context=self.options.context, client_cert=cert)
        return write_kubeconfig(self.options.kubeconfig, self.url, self.ca_pem,
                                token=self.sandbox.token, context=self.options.context)

    @property
    def ca_pem(self) -> bytes:
        assert self.server.tls is not None
        return self.server.tls.ca_pem

    def client_ssl_context(self) -> ssl.SSLContext:
        """An SSL context that trusts this sandbox's CA (for raw HTTP clients)."""
        return ssl.create_default_context(cadata=self.ca_pem.decode())

    async def _rotate_tokens(self) -> None:
        """With --token-ttl, a fresh token lands in the token file well before the old one
        expires: clients that reload their credentials keep working, others get 401."""
        while True:
            await asyncio.sleep(max(self.options.faults.token_ttl / 3, 0.05))
            write_private(self._token_file(), self.sandbox.issue_token())  # atomic, 0600

    async def stop(self) -> None:
        for t in self._tasks:
            t.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await t
        await self.server.stop()
        await self.sandbox.stop()
