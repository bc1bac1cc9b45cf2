"""Helpers for the app tests: creating objects through the API (the `api` fixture, in
tests/ui/conftest.py), the app built by the real factory, and waiting for conditions."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kubetui.cluster import kubeconfig
from kubetui.cluster.client import ClusterClient
from kubetui.cluster.reflector import StoreSettings
from kubetui.config import Settings
from kubetui.ui.app import KubetuiApp, make_app
from kubetui.ui.widgets.header import Breadcrumbs, Header
from tests.waiting import wait_for

#: Short store timings so that reconnecting and staleness show within a test's patience.
FAST = StoreSettings(flush_interval=0.02, backoff_base=0.05, backoff_max=0.3,
                     stale_after=1.0, linger=0.5, watch_timeout=(5.0, 8.0), read_grace=5.0)


@dataclass
class Api:
    """Creates and changes objects through the sandbox's HTTP API, as kubectl would."""

    client: ClusterClient

    async def create(self, path: str, obj: dict[str, Any]) -> dict[str, Any]:
        return await self.client.request("POST", path, obj)

    async def delete(self, path: str) -> None:
        await self.client.request("DELETE", path, {"gracePeriodSeconds": 0})

    async def patch(self, path: str, patch: dict[str, Any]) -> dict[str, Any]:
        return await self.client.request("PATCH", path, patch,
                                         content_type="application/merge-patch+json")

    async def namespace(self, name: str) -> dict[str, Any]:
        return await self.create("/api/v1/namespaces",
                                 {"metadata": {"name": name}})

    async def node(self, name: str = "node-1") -> dict[str, Any]:
        return await self.create("/api/v1/nodes", {"metadata": {"name": name}, "spec": {}})

    async def pod(self, name: str, namespace: str = "default",
                  labels: dict[str, str] | None = None, image: str = "nginx",
                  node: str = "") -> dict[str, Any]:
        spec: dict[str, Any] = {"containers": [{"name": "main", "image": image}]}
        if node:
            spec["nodeName"] = node
        return await self.create(f"/api/v1/namespaces/{namespace}/pods", {
            "metadata": {"name": name, "labels": labels or {}}, "spec": spec})

    async def deployment(self, name: str, namespace: str = "default",
                         replicas: int = 2) -> dict[str, Any]:
        labels = {"app": name}
        return await self.create(f"/apis/apps/v1/namespaces/{namespace}/deployments", {
            "metadata": {"name": name, "labels": labels},
            "spec": {"replicas": replicas, "selector": {"matchLabels": labels},
                     "template": {"metadata": {"labels": labels},
                                  "spec": {"containers": [{"name": "main",
                                                           "image": "nginx"}]}}}})

    async def service(self, name: str, selector: dict[str, str],
                      namespace: str = "default") -> dict[str, Any]:
        return await self.create(f"/api/v1/namespaces/{namespace}/services", {
            "metadata": {"name": name},
            "spec": {"selector": selector, "ports": [{"port": 80, "targetPort": 8080}]}})


def app_for(kubeconfig_path: str | Path | None = None, **settings: Any) -> KubetuiApp:
    """The app as the CLI builds it, with fast store timings."""
    return make_app(Settings(kubeconfig=str(kubeconfig_path) if kubeconfig_path else None,
                             store=FAST, **settings))


def names(app: KubetuiApp) -> list[str]:
    """The names in the main table, in display order."""
    table = app.main_table
    return [table.entry_at(i).name for i in range(table.row_count)]


def header_text(app: KubetuiApp) -> str:
    return app.query_one(Header).text.plain.replace("\u00a0", " ")


def crumbs_text(app: KubetuiApp) -> str:
    return app.query_one(Breadcrumbs).text.plain


async def until(condition: Callable[[], Any], timeout: float = 10.0, message: str = "") -> Any:
    """Wait for `condition` while the app (same event loop) keeps running."""
    return await wait_for(condition, timeout=timeout, message=message)


async def live(app: KubetuiApp, kind: str, timeout: float = 10.0) -> None:
    """Wait until the main view shows `kind` (plural) and its watch is live."""
    await until(lambda: app.view is not None and app.view.kind.plural == kind
                and app.feed is not None and app.feed.health.state == "live"
                and "live" in header_text(app), timeout, f"{kind} live")
