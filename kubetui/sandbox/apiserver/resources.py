"""The verbs on resource URLs over HTTP: create, get, update, patch, delete and
deletecollection, each decoding the request, calling `verbs` and showing the answer as
the URL's version (or a Table) shows it. Lists, watches, logs, evictions and metrics
have modules of their own."""

from __future__ import annotations

import dataclasses

from aiohttp import web

from kubetui.sandbox.apiserver import verbs
from kubetui.sandbox.apiserver.http_io import (USER, dry_run, json_response, method_not_allowed,
                                               predicate, read_body, warned, write_opts)
from kubetui.sandbox.apiserver.routing import Route
from kubetui.sandbox.apiserver.views import object_response, view
from kubetui.sandbox.core import Sandbox


async def create(sandbox: Sandbox, request: web.Request, r: Route) -> web.Response:
    opts = dataclasses.replace(write_opts(request.query), user=request[USER])
    obj = verbs.create(sandbox, r.kind, r.namespace, await read_body(request), r.version, opts)
    return warned(json_response(view(r, obj), status=201), opts)


def delete_collection(sandbox: Sandbox, request: web.Request, r: Route) -> web.Response:
    q = request.query
    items, _ = sandbox.store.list(verbs.store_key(r.kind), r.namespace or None, predicate(q))
    opts = verbs.DeleteOptions.parse(None, dict(q), dry_run(q, None))
    out = [verbs.delete(sandbox, r.kind, r.namespace or o["metadata"].get("namespace", ""),
                        o["metadata"]["name"], opts) for o in items]
    return json_response({"kind": f"{r.kind.kind}List", "apiVersion": r.kind.api_version,
                          "metadata": {"resourceVersion": str(sandbox.store.rv)},
                          "items": out})


async def one_object(sandbox: Sandbox, request: web.Request, r: Route) -> web.Response:
    """GET, PUT, PATCH or DELETE of the named object (or its status or scale)."""
    q = request.query
    method = request.method
    if method == "GET":
        obj = sandbox.store.get(verbs.store_key(r.kind), r.namespace, r.name)
        if r.subresource == "scale":
            return json_response(verbs.scale_of(r.kind, obj))
        return object_response(sandbox, request, r, obj)
    if method == "PUT":
        body = await read_body(request)
        if r.subresource == "scale":
            return json_response(verbs.update_scale(sandbox, r.kind, r.namespace, r.name,
                                                    body, write_opts(q)))
        opts = write_opts(q)
        obj = verbs.update(sandbox, r.kind, r.namespace, r.name, body, r.version,
                           r.subresource, opts)
        return warned(json_response(view(r, obj)), opts)
    if method == "PATCH":
        ctype = request.headers.get("Content-Type", "").split(";")[0].strip()
        body = await read_body(request, yaml_ok=ctype == verbs.PATCH_APPLY)
        opts = write_opts(q)
        obj = verbs.apply_patch(sandbox, r.kind, r.namespace, r.name, ctype, body,
                                r.subresource, opts)
        if r.subresource == "scale":
            return json_response(obj)
        return warned(json_response(view(r, obj)), opts)
    if method == "DELETE":
        body = await read_body(request, optional=True)
        opts = verbs.DeleteOptions.parse(body, dict(q), dry_run(q, body))
        obj = verbs.delete(sandbox, r.kind, r.namespace, r.name, opts)
        gone = sandbox.store.find(verbs.store_key(r.kind), r.namespace, r.name) is None
        if gone and not r.kind.returns_deleted:
            return json_response({"kind": "Status", "apiVersion": "v1", "metadata": {},
                                  "status": "Success",
                                  "details": {"name": r.name, "group": r.kind.group,
                                              "kind": r.kind.plural,
                                              "uid": obj["metadata"].get("uid")}})
        return json_response(view(r, obj))
    raise method_not_allowed()
