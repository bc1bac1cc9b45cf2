"""Shared pieces of the log tests: fast timings, object helpers and a host app that pushes a
`LogScreen` (their `fast_sandbox` and `client` fixtures are in tests/ui/conftest.py)."""

from __future__ import annotations

from typing import Any

from textual.app import App

from kubetui.cluster.client import ClusterClient
from kubetui.cluster.logs import LogOptions, LogSettings, LogTarget
from kubetui.cluster.reflector import StoreSettings
from kubetui.cluster.store import WatchStore
from kubetui.kinds import builtin
from kubetui.sandbox.controllers.kubelet.timing import KubeletTiming
from kubetui.sandbox.run import RunningSandbox
from kubetui.ui.screens.log_screen import LogScreen
from kubetui.ui.widgets.log_view import LogView

POD = builtin("Pod")
DEPLOYMENT = builtin("Deployment")
#: Containers start in about 0.1 s, crash loops restart within a second.
FAST = KubeletTiming(pace=0.05, backoff_base=10.0, log_rate=4.0)
SETTINGS = LogSettings(flush_interval=0.02, retry=0.1)
STORE = StoreSettings(flush_interval=0.02, backoff_base=0.05, backoff_max=0.3, linger=0.2)


def pod_doc(name: str, *containers: tuple[str, str], init: tuple[tuple[str, str], ...] = (),
            labels: dict[str, str] | None = None, restart: str = "Always") -> dict[str, Any]:
    spec: dict[str, Any] = {"containers": [{"name": n, "image": i} for n, i in containers],
                            "restartPolicy": restart}
    if init:
        spec["initContainers"] = [{"name": n, "image": i, "command": ["sh", "-c", "sleep 2"]}
                                  for n, i in init]
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name, "namespace": "default", "labels": labels or {}},
            "spec": spec}


async def create_pod(client: ClusterClient, doc: dict[str, Any]) -> None:
    await client.request("POST", "/api/v1/namespaces/default/pods", doc)


async def create_deployment(client: ClusterClient, name: str, image: str,
                            replicas: int = 2) -> None:
    await client.request("POST", "/apis/apps/v1/namespaces/default/deployments", {
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": name, "namespace": "default"},
        "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": name}},
                 "template": {"metadata": {"labels": {"app": name}},
                              "spec": {"containers": [{"name": "app", "image": image}]}}}})


def running(sb: RunningSandbox, pod: str, container: str = "app") -> bool:
    return sb.sandbox.logs.running(("default", pod, container))


def pods_of(sb: RunningSandbox, prefix: str) -> list[str]:
    return sorted(p["metadata"]["name"] for p in sb.sandbox.store.list(("", "pods"))[0]
                  if p["metadata"]["name"].startswith(prefix)
                  and not p["metadata"].get("deletionTimestamp"))


class LogHost(App[None]):
    """A tiny app that opens a LogScreen, as the real app's `l` does."""

    def __init__(self, client: ClusterClient, target: LogTarget,
                 options: LogOptions | None = None, capacity: int = 100_000) -> None:
        super().__init__()
        self.client = client
        self.target = target
        self.options = options
        self.capacity = capacity
        self.store: WatchStore | None = None

    async def on_mount(self) -> None:
        self.store = WatchStore(self.client, STORE)
        await self.push_screen(LogScreen(self.client, self.target, store=self.store,
                                         options=self.options, capacity=self.capacity,
                                         settings=SETTINGS))

    async def on_unmount(self) -> None:
        if self.store is not None:
            await self.store.close()

    @property
    def logs(self) -> LogScreen:
        assert isinstance(self.screen, LogScreen)
        return self.screen

    @property
    def view(self) -> LogView:
        return self.logs.view


def texts(view: LogView) -> list[str]:
    """The text of every line held (filter applied), oldest first."""
    return [line.text for line in view.lines()]


def screen_rows(view: LogView) -> list[str]:
    """What the view paints, row by row."""
    return [view.render_line(y).text.rstrip() for y in range(view.size.height)]


def pod_target(name: str, container: str | None = None) -> LogTarget:
    return LogTarget(POD, "default", name, container)
