"""The authorizer's answer for a request under the sandbox's `--rbac` mode (`rbac.py`):
a 403 worded as RBAC words it, for anything the mode forbids."""

from __future__ import annotations

from typing import Any

from kubetui.sandbox.apiserver import rbac, verbs
from kubetui.sandbox.apiserver.http_io import go_bool
from kubetui.sandbox.apiserver.routing import Route
from kubetui.sandbox.errors import ApiError
from kubetui.sandbox.streams.endpoints import SUBRESOURCES as STREAMING


def authorize(mode: str, r: Route, method: str, q: Any) -> None:
    """Raise the 403 if `mode` forbids `method` on the route (access reviews pass)."""
    if mode == "full" or verbs.is_review(r.kind):
        return
    if method in ("GET", "HEAD"):
        verb = "get" if r.name else ("watch" if go_bool(q.get("watch")) else "list")
    else:
        verb = {"POST": "create", "PUT": "update", "PATCH": "patch",
                "DELETE": "delete" if r.name else "deletecollection"}.get(method, method)
    if r.kind.kind == "Pod" and r.subresource == "log":
        verb = "get"
    if r.subresource in STREAMING:  # a WebSocket upgrade is a GET; the authorizer asks
        verb = "create"              # for create, as AuthorizePodWebsocketUpgradeCreate does
    if rbac.allowed(mode, verb, r.namespace, r.kind.namespaced):
        return
    resource = r.kind.plural + (f"/{r.subresource}" if r.subresource else "")
    what = f'{r.kind.resource} "{r.name}"' if r.name else r.kind.resource
    where = f' in the namespace "{r.namespace}"' if r.namespace else \
        (" at the cluster scope" if not r.name or not r.kind.namespaced else "")
    raise ApiError(403, f'{what} is forbidden: User "kubetui-sandbox" cannot {verb} '
                        f'resource "{resource}" in API group "{r.kind.group}"{where}',
                   details={"name": r.name, "group": r.kind.group, "kind": r.kind.plural})
