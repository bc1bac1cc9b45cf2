"""How stored objects are shown in answers: as the URL's API version shows them
(events.k8s.io/v1 Events from core/v1 ones) and as server-side Tables, rendered by
`kubetui.render.table`, the renderer the UI uses too."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from aiohttp import web

from kubetui.render.table import to_table
from kubetui.sandbox.apiserver.http_io import json_response, wants_table
from kubetui.sandbox.apiserver.routing import Route
from kubetui.sandbox.apiserver.store import Obj
from kubetui.sandbox.core import Sandbox


def view(r: Route, obj: Obj) -> Obj:
    """The object as the URL's version shows it."""
    if r.kind.group == "events.k8s.io":
        return event_v1(obj)
    if r.version != r.kind.version:
        return {**obj, "apiVersion": f"{r.kind.group}/{r.version}"}
    return obj


def event_v1(ev: Obj) -> Obj:
    """A core/v1 Event as events.k8s.io/v1 shows it."""
    first = ev.get("firstTimestamp") or ev["metadata"].get("creationTimestamp")
    event_time = (first or "1970-01-01T00:00:00Z").replace("Z", ".000000Z")
    out: Obj = {
        "apiVersion": "events.k8s.io/v1", "kind": "Event", "metadata": ev["metadata"],
        "eventTime": event_time, "regarding": ev.get("involvedObject", {}),
        "note": ev.get("message", ""), "reason": ev.get("reason", ""),
        "type": ev.get("type", ""), "reportingController": ev.get("reportingComponent", ""),
        "reportingInstance": ev.get("reportingInstance", ""),
        "deprecatedCount": ev.get("count", 1),
        "deprecatedFirstTimestamp": ev.get("firstTimestamp"),
        "deprecatedLastTimestamp": ev.get("lastTimestamp"),
        "deprecatedSource": ev.get("source", {}),
    }
    return out


def _table_kind(sandbox: Sandbox, r: Route) -> tuple[str, list[dict] | None]:
    """The render kind name, and a CRD's printer columns if it is a custom resource."""
    if r.kind in sandbox.kinds.custom():
        crd = sandbox.store.find(("apiextensions.k8s.io", "customresourcedefinitions"),
                                 "", r.kind.resource)
        if crd is not None:
            for v in crd.get("spec", {}).get("versions", []):
                if v.get("name") == r.version:
                    return r.kind.kind, v.get("additionalPrinterColumns") or []
        return r.kind.kind, []
    return r.kind.kind, None


def table(sandbox: Sandbox, r: Route, objs: list[Obj], q: Any, with_columns: bool = True
          ) -> dict:
    kind_name, printer = _table_kind(sandbox, r)
    out = to_table(kind_name, [view(r, o) for o in objs], datetime.now(timezone.utc),
                   group=r.kind.group, include_object=q.get("includeObject", "Metadata"),
                   printer_columns=printer)
    if not with_columns:
        out["columnDefinitions"] = []
    return out


def object_response(sandbox: Sandbox, request: web.Request, r: Route, obj: Obj
                    ) -> web.Response:
    if wants_table(request):
        return json_response(table(sandbox, r, [obj], request.query))
    return json_response(view(r, obj))
