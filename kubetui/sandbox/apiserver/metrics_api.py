"""metrics.k8s.io over HTTP, as metrics-server serves it: get and list only (no watch),
computed on each request by `kubetui.sandbox.metrics`."""

from __future__ import annotations

from aiohttp import web

from kubetui.sandbox import metrics
from kubetui.sandbox.apiserver.http_io import (go_bool, json_response, method_not_allowed,
                                               predicate, wants_table)
from kubetui.sandbox.apiserver.routing import Route
from kubetui.sandbox.apiserver.views import object_response, table
from kubetui.sandbox.core import Sandbox
from kubetui.sandbox.errors import not_found


def metrics_response(sandbox: Sandbox, request: web.Request, r: Route) -> web.Response:
    if request.method != "GET" or go_bool(request.query.get("watch")):
        raise method_not_allowed()
    items = metrics.pod_metrics(sandbox, r.namespace or None) \
        if r.kind.kind == "PodMetrics" else metrics.node_metrics(sandbox)
    if r.name:
        found = next((m for m in items if m["metadata"]["name"] == r.name), None)
        if found is None:
            raise not_found(r.kind.group, r.kind.plural, r.name)
        return object_response(sandbox, request, r, found)
    pred = predicate(request.query)
    items = [m for m in items if pred is None or pred(m)]
    meta = {"resourceVersion": ""}  # metrics are not stored: no version to watch from
    if wants_table(request):
        return json_response({**table(sandbox, r, items, request.query), "metadata": meta})
    return json_response({"kind": f"{r.kind.kind}List", "apiVersion": r.kind.api_version,
                          "metadata": meta, "items": items})
