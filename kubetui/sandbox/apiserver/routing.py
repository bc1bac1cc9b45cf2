"""URLs to what they name: the documents outside the resource tree (/version, health,
discovery, OpenAPI) are answered here; a resource URL (`/api/v1/...`,
`/apis/<group>/<version>/...`) is parsed into a `Route` for the resource handlers."""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web

from kubetui.kinds import Kind
from kubetui.sandbox.apiserver import discovery, openapi
from kubetui.sandbox.apiserver.http_io import json_response
from kubetui.sandbox.core import Sandbox

SERVER_VERSION = {
    "major": "1", "minor": "32", "gitVersion": "v1.32.0-kubetui-sandbox",
    "gitCommit": "0000000000000000000000000000000000000000", "gitTreeState": "clean",
    "buildDate": "2026-01-01T00:00:00Z", "goVersion": "go1.23.4", "compiler": "gc",
    "platform": "linux/amd64",
}
HEALTH_PATHS = ("/healthz", "/readyz", "/livez")
PUBLIC_PATHS = ("/version", *HEALTH_PATHS)


class Unmatched(Exception):
    """The URL names nothing the server serves (counted, then answered 404)."""


@dataclass
class Route:
    """A parsed resource URL."""

    kind: Kind
    version: str
    namespace: str = ""
    name: str = ""
    subresource: str = ""


def document(sandbox: Sandbox, request: web.Request, path: str, parts: list[str]
             ) -> web.Response | None:
    """The answer for a URL outside the resource tree, None for a resource URL."""
    if path == "/version":
        return json_response(SERVER_VERSION)
    if path in HEALTH_PATHS:
        return web.Response(text="ok")
    if parts[:1] == ["openapi"]:
        return _openapi(sandbox, parts)
    if parts == ["api"] or parts == ["apis"]:
        return _discovery_root(sandbox, request, legacy=parts == ["api"])
    kinds = sandbox.kinds.all()
    if parts[:1] == ["api"] and len(parts) == 2:
        return _json_or_unmatched(discovery.api_resource_list(kinds, "", parts[1]))
    if parts[:1] == ["apis"] and len(parts) == 2:
        return _json_or_unmatched(discovery.api_group(kinds, parts[1]))
    if parts[:1] == ["apis"] and len(parts) == 3:
        return _json_or_unmatched(discovery.api_resource_list(kinds, parts[1], parts[2]))
    return None


def _json_or_unmatched(doc: dict | None) -> web.Response:
    if doc is None:
        raise Unmatched()
    return json_response(doc)


def _discovery_root(sandbox: Sandbox, request: web.Request, legacy: bool) -> web.Response:
    kinds = sandbox.kinds.all()
    version = discovery.aggregated_version(request.headers.get("Accept", ""))
    if version:
        doc = discovery.aggregated_discovery(kinds, legacy=legacy, version=version)
        return json_response(doc, content_type=discovery.aggregated_content_type(version))
    return json_response(discovery.api_versions() if legacy else
                         discovery.api_group_list(kinds))


def _openapi(sandbox: Sandbox, parts: list[str]) -> web.Response:
    kinds = sandbox.kinds.all()
    if parts == ["openapi", "v2"]:
        # kubectl validates `kind: List` files against v2; an empty document will do.
        resp = web.Response(body=openapi.OPENAPI_V2_BODY)
        resp.headers["Content-Type"] = openapi.OPENAPI_V2_CONTENT_TYPE
        return resp
    if parts == ["openapi", "v3"]:
        return json_response(openapi.openapi_root(kinds))
    if parts[:2] == ["openapi", "v3"] and parts[2:3] == ["api"] and len(parts) == 4:
        return _json_or_unmatched(openapi.openapi_group_version(kinds, "", parts[3]))
    if parts[:2] == ["openapi", "v3"] and parts[2:3] == ["apis"] and len(parts) == 5:
        return _json_or_unmatched(openapi.openapi_group_version(kinds, parts[3], parts[4]))
    raise Unmatched()


def resource_route(sandbox: Sandbox, parts: list[str]) -> Route:
    """Parse /api/v1/... or /apis/g/v/... into kind, namespace, name, subresource."""
    if parts[:1] == ["api"] and len(parts) >= 3:
        group, version, rest = "", parts[1], parts[2:]
    elif parts[:1] == ["apis"] and len(parts) >= 4:
        group, version, rest = parts[1], parts[2], parts[3:]
    else:
        raise Unmatched()
    namespace = ""
    if rest[0] == "namespaces" and len(rest) >= 3 and rest[2] not in ("status", "finalize"):
        namespace, rest = rest[1], rest[2:]
    kind = sandbox.kinds.lookup(group, version, rest[0])
    if kind is None or len(rest) > 3:
        raise Unmatched()
    if namespace and not kind.namespaced:
        raise Unmatched()
    name = rest[1] if len(rest) > 1 else ""
    sub = rest[2] if len(rest) > 2 else ""
    if sub and sub not in kind.subresources:
        raise Unmatched()
    return Route(kind, version, namespace, name, sub)
