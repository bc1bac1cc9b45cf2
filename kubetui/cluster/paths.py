"""URL paths of resources, as the API server lays them out."""

from __future__ import annotations

from urllib.parse import quote

from kubetui.kinds import Kind


def group_version_path(kind: Kind) -> str:
    return f"/apis/{kind.group}/{kind.version}" if kind.group else f"/api/{kind.version}"


def collection_path(kind: Kind, namespace: str | None = None) -> str:
    """`/api/v1/namespaces/ns/pods`, or all namespaces when `namespace` is None/empty."""
    base = group_version_path(kind)
    if kind.namespaced and namespace:
        return f"{base}/namespaces/{quote(namespace, safe='')}/{kind.plural}"
    return f"{base}/{kind.plural}"


def object_path(kind: Kind, namespace: str | None, name: str, subresource: str = "") -> str:
    path = f"{collection_path(kind, namespace)}/{quote(name, safe='')}"
    return f"{path}/{subresource}" if subresource else path
