"""The sandbox cluster as one object: store, logs, kinds served, faults and controllers.

The HTTP server (`apiserver/server.py`) serves a `Sandbox`; controllers run inside it on
the same event loop and read and write its store directly, as the real control plane's
components do through their own (cached) clients.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from kubetui.kinds import BUILTIN_KINDS, METRICS_KINDS, Kind
from kubetui.sandbox.apiserver.authn import ADMIN, IssuedTokens, UserInfo
from kubetui.sandbox.apiserver.discovery import kinds_from_crd
from kubetui.sandbox.apiserver.store import Event, ObjectStore
from kubetui.sandbox.container.runtime import ContainerRuntime
from kubetui.sandbox.logs import LogHub
from kubetui.sandbox.requests_first import RequestsFirst

log = logging.getLogger(__name__)

CRDS = ("apiextensions.k8s.io", "customresourcedefinitions")


@dataclass
class Faults:
    """Switches that make the sandbox misbehave as real clusters and networks do."""

    drop_watches_every: float = 0.0  # seconds; 0 = never
    drop_streams_every: float = 0.0  # seconds between cuts of exec/attach/port-forward
    error_rate: float = 0.0  # fraction of requests answered 500 or 429
    latency_ms: int = 0
    token_ttl: float = 0.0  # seconds a token works; 0 = forever
    rbac: str = "full"  # see apiserver/rbac.py: full, readonly, namespace=NS[,NS]


async def fault_loop(faults: Faults, switch: str, action: Callable[[], object]) -> None:
    """Run `action` every `getattr(faults, switch)` seconds while that switch is set
    (watched twice a second while it is 0)."""
    while True:
        every = getattr(faults, switch)
        await asyncio.sleep(every if every > 0 else 0.5)
        if getattr(faults, switch) > 0:
            action()


class Controller(Protocol):
    """A control loop. `run` works until cancelled."""

    name: str

    async def run(self) -> None: ...


class KindRegistry:
    """The kinds the server serves: the built-in ones, the metrics API, and the kinds of
    established CRDs."""

    def __init__(self) -> None:
        self._builtin = [*BUILTIN_KINDS, *METRICS_KINDS]
        self._custom: dict[str, list[Kind]] = {}  # CRD name -> its kinds
        self.generation = 0  # bumps when the set changes (discovery caches key on it)

    def all(self) -> list[Kind]:
        return self._builtin + [k for ks in self._custom.values() for k in ks]

    def custom(self) -> list[Kind]:
        return [k for ks in self._custom.values() for k in ks]

    def lookup(self, group: str, version: str, plural: str) -> Kind | None:
        for k in self.all():
            if k.group == group and k.plural == plural and \
                    (k.version == version or version in k.also_versions):
                return k
        return None

    def set_crd(self, name: str, kinds: list[Kind]) -> None:
        self._custom[name] = kinds
        self.generation += 1

    def drop_crd(self, name: str) -> None:
        if self._custom.pop(name, None) is not None:
            self.generation += 1


@dataclass
class Sandbox:
    """Everything the sandbox cluster is. Build with `Sandbox.create()`."""

    store: ObjectStore
    logs: LogHub
    kinds: KindRegistry
    faults: Faults = field(default_factory=Faults)
    token: str = ""
    _issued: dict[str, float] = field(default_factory=dict)  # token -> when issued
    service_tokens: IssuedTokens = field(default_factory=IssuedTokens)
    ca_pem: bytes = b""  # the API server's CA, once it serves (kube-root-ca.crt holds it)
    _tasks: list[asyncio.Task[None]] = field(default_factory=list)
    #: The requests being answered, which the control plane's loops let go first.
    requests_first: RequestsFirst = field(default_factory=RequestsFirst)
    #: The nodes' containers as seen from inside: the kubelet runs them, the API
    #: server's exec, attach and port-forward reach them.
    containers: ContainerRuntime = field(init=False)

    def __post_init__(self) -> None:
        self.containers = ContainerRuntime(self.store, self.logs)

    def issue_token(self) -> str:
        """A fresh bearer token (the current one from now on); older ones keep working
        until `faults.token_ttl` runs out for them."""
        self.token = secrets.token_urlsafe(24)
        self._issued[self.token] = time.monotonic()
        return self.token

    def adopt_token(self, token: str) -> None:
        """Make `token` (kept from an earlier run: --state-dir) the current one."""
        self.token = token
        self._issued[token] = time.monotonic()

    def token_valid(self, token: str) -> bool:
        issued = self._issued.get(token)
        if issued is None:
            return False
        ttl = self.faults.token_ttl
        return ttl <= 0 or time.monotonic() - issued < ttl

    def authenticate(self, token: str) -> UserInfo | None:
        """The user a bearer token stands for: the admin's, or a service account's."""
        if self.token_valid(token):
            return ADMIN
        bound = self.service_tokens.lookup(token)
        return bound[0] if bound else None

    @classmethod
    def create(cls, watch_history: int = 10_000, log_lines: int = 10_000) -> Sandbox:
        sb = cls(ObjectStore(history=watch_history), LogHub(max_lines=log_lines), KindRegistry())
        sb.store.add_listener(sb._on_event)
        sb.issue_token()
        sb._bootstrap()
        return sb

    def _bootstrap(self) -> None:
        """What every fresh cluster has: the system namespaces."""
        for ns in ("default", "kube-system", "kube-public", "kube-node-lease"):
            self.store.create(("", "namespaces"), {
                "apiVersion": "v1", "kind": "Namespace",
                "metadata": {"name": ns, "labels": {"kubernetes.io/metadata.name": ns}},
                "spec": {"finalizers": ["kubernetes"]},
                "status": {"phase": "Active"},
            }, namespaced=False)

    def _on_event(self, ev: Event) -> None:
        if ev.key != CRDS:
            return
        name = ev.obj["metadata"]["name"]
        if ev.type == "DELETED":
            self.kinds.drop_crd(name)
            return
        try:
            self.kinds.set_crd(name, kinds_from_crd(ev.obj))
        except ValueError:  # validation keeps these out; never let one break the store
            log.warning("CRD %s names no servable kind", name)

    def start_controllers(self, factories: list[Callable[[Sandbox], Controller]]) -> None:
        """Start control loops; each runs as a task until `stop()`."""
        for make in factories:
            ctrl = make(self)
            self._tasks.append(asyncio.create_task(self._guard(ctrl), name=ctrl.name))

    @staticmethod
    async def _guard(ctrl: Controller) -> None:
        """Keep a controller alive: a bug in one loop is logged and the loop restarted."""
        while True:
            try:
                await ctrl.run()
                return
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("controller %s failed; restarting", ctrl.name)
                await asyncio.sleep(0.5)

    async def stop(self) -> None:
        """Cancel every control loop; one that does not end within seconds is logged with
        its stack (a loop swallowing its cancellation must not hang the shutdown)."""
        for t in self._tasks:
            t.cancel()
        if self._tasks:
            _, pending = await asyncio.wait(self._tasks, timeout=5)
            for t in pending:
                log.error("controller %s did not stop: %s", t.get_name(), t.get_stack())
        self._tasks.clear()
