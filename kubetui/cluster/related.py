"""What `describe` shows besides the object: its events and the objects kubectl lists with it.

Every read goes through `ClusterClient.request`; lists follow `continue` tokens. A related
list that cannot be read (forbidden, or a resource the server lacks) is left out, as kubectl
leaves out a section it cannot fill, rather than failing the whole describe.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from kubetui.cluster import paths
from kubetui.cluster.client import ClusterClient
from kubetui.cluster.errors import ClusterError
from kubetui.kinds import Kind, builtin
from kubetui.render.text import selector_string

__all__ = ["Described", "events_for", "fetch_described", "list_objects", "related_for"]

PAGE = 500
_EVENT = builtin("Event", "")
_POD = builtin("Pod")


@dataclass
class Described:
    """An object with what its describe text needs (see `kubetui.render.describe`)."""

    obj: dict[str, Any]
    events: list[dict[str, Any]] = field(default_factory=list)
    related: dict[str, list[dict[str, Any]]] = field(default_factory=dict)


async def list_objects(client: ClusterClient, kind: Kind, namespace: str | None = None,
                       **query: str) -> list[dict[str, Any]]:
    """Every object of `kind` in `namespace` (None: all) matching `query`
    (labelSelector, fieldSelector), page by page."""
    items: list[dict[str, Any]] = []
    token: str | None = None
    while True:
        page = await client.request("GET", paths.collection_path(kind, namespace),
                                    query={**query, "limit": PAGE, "continue": token})
        items += page.get("items") or []
        token = (page.get("metadata") or {}).get("continue")
        if not token:
            return items


async def events_for(client: ClusterClient, obj: dict[str, Any]) -> list[dict[str, Any]]:
    """core/v1 Events about `obj`, by involvedObject name, namespace and uid as kubectl's
    searchEvents asks. Nodes' events are looked up under their name as uid too (the kubelet
    records them so)."""
    meta = obj.get("metadata") or {}
    namespace = meta.get("namespace") or None
    uids = [meta.get("uid", "")]
    if obj.get("kind") == "Node":
        uids.append(meta.get("name", ""))
    found: list[dict[str, Any]] = []
    for uid in uids:
        selector = [f"involvedObject.name={meta.get('name', '')}", f"involvedObject.uid={uid}"]
        if namespace:
            selector.append(f"involvedObject.namespace={namespace}")
        found += await list_objects(client, _EVENT, namespace, fieldSelector=",".join(selector))
    return found


async def _optional(coro: Any) -> list[dict[str, Any]] | None:
    """The list, or None when it may not or cannot be read."""
    try:
        return await coro
    except ClusterError as e:
        if e.status in (403, 404):
            return None
        raise


async def _get_optional(client: ClusterClient, path: str) -> list[dict[str, Any]] | None:
    try:
        return [await client.request("GET", path)]
    except ClusterError as e:
        if e.status in (403, 404):
            return None
        raise


def _selected(obj: dict[str, Any]) -> dict[str, str]:
    """A labelSelector query for a workload's spec.selector ({} when it has none)."""
    text = selector_string((obj.get("spec") or {}).get("selector"))
    return {"labelSelector": text} if text else {}


async def related_for(client: ClusterClient, kind: Kind,
                      obj: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """The related lists `describe` takes for `kind` (keys as its module docstring says)."""
    meta = obj.get("metadata") or {}
    ns, name = meta.get("namespace") or None, meta.get("name", "")
    wanted: dict[str, Any] = {}
    if kind.group == "apps" and kind.kind == "Deployment":
        wanted["replicasets"] = _optional(list_objects(client, builtin("ReplicaSet"), ns,
                                                       **_selected(obj)))
    elif kind.group == "apps" and kind.kind in ("ReplicaSet", "StatefulSet", "DaemonSet"):
        wanted["pods"] = _optional(list_objects(client, _POD, ns, **_selected(obj)))
    elif kind.key == ("", "services"):
        wanted["endpoints"] = _get_optional(
            client, paths.object_path(builtin("Endpoints"), ns, name))
    elif kind.key == ("", "nodes"):
        wanted["pods"] = _optional(list_objects(client, _POD, None,
                                                fieldSelector=f"spec.nodeName={name}"))
        wanted["leases"] = _get_optional(
            client, f"/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/{name}")
    elif kind.key == ("", "persistentvolumeclaims"):
        wanted["pods"] = _pods_using_claim(client, ns, name)
    elif kind.key == ("", "namespaces"):
        wanted["resourcequotas"] = _optional(list_objects(client, builtin("ResourceQuota"),
                                                          name))
        wanted["limitranges"] = _optional(list_objects(client, builtin("LimitRange"), name))
    elif kind.key == ("networking.k8s.io", "ingresses"):
        backends = sorted(_ingress_services(obj))
        wanted["services"] = _each(client, builtin("Service"), ns, backends)
        wanted["endpoints"] = _each(client, builtin("Endpoints"), ns, backends)
    results = await asyncio.gather(*wanted.values())
    return {key: value for key, value in zip(wanted, results) if value is not None}


async def _pods_using_claim(client: ClusterClient, namespace: str | None,
                            claim: str) -> list[dict[str, Any]] | None:
    pods = await _optional(list_objects(client, _POD, namespace))
    if pods is None:
        return None
    return [p for p in pods
            if any((v.get("persistentVolumeClaim") or {}).get("claimName") == claim
                   for v in (p.get("spec") or {}).get("volumes") or [])]


def _ingress_services(ing: dict[str, Any]) -> set[str]:
    spec = ing.get("spec") or {}
    backends = [spec.get("defaultBackend") or {}]
    for rule in spec.get("rules") or []:
        backends += [p.get("backend") or {} for p in (rule.get("http") or {}).get("paths") or []]
    return {b["service"]["name"] for b in backends if (b.get("service") or {}).get("name")}


async def _each(client: ClusterClient, kind: Kind, namespace: str | None,
                names: list[str]) -> list[dict[str, Any]]:
    found = await asyncio.gather(*(_get_optional(client, paths.object_path(kind, namespace, n))
                                   for n in names))
    return [obj for objs in found if objs for obj in objs]


async def fetch_described(client: ClusterClient, kind: Kind, namespace: str,
                          name: str) -> Described:
    """The object, its events and related objects, read concurrently once the object is
    known. Raises ClusterError when the object itself cannot be read."""
    obj = await client.get(kind, namespace, name)
    events, related = await asyncio.gather(_optional(events_for(client, obj)),
                                           related_for(client, kind, obj))
    return Described(obj, events or [], related)
