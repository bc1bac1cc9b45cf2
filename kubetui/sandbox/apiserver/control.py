"""The control endpoint, `/sandbox/...`: not part of the Kubernetes API. GET
/sandbox/faults answers the fault switches; POST changes some of them, so tests can drive a
running `kubetui sandbox`. The middleware never delays nor fails these requests."""

from __future__ import annotations

import dataclasses
from typing import Any

from aiohttp import web

from kubetui.sandbox.apiserver import rbac
from kubetui.sandbox.apiserver.http_io import json_response, read_body
from kubetui.sandbox.core import Faults, Sandbox
from kubetui.sandbox.errors import ApiError, bad_request

CONTROL_PREFIX = "/sandbox/"
CONTROL_FAULTS = "/sandbox/faults"


async def faults_endpoint(sandbox: Sandbox, request: web.Request) -> web.Response:
    """GET: the fault switches now; POST: change some of them (a JSON object with `Faults`
    field names and `watch_history`), answering the new state."""
    if request.method == "POST":
        set_faults(sandbox, await read_body(request, yaml_ok=False))
    elif request.method != "GET":
        raise ApiError(405, "use GET or POST")
    return json_response({**dataclasses.asdict(sandbox.faults),
                          "watch_history": sandbox.store.history_limit})


def set_faults(sb: Sandbox, changes: Any) -> None:
    """Change fault switches at run time; all or nothing (a 400 names the bad one)."""
    if not isinstance(changes, dict):
        raise bad_request("expected a JSON object of fault switches")
    known = {f.name for f in dataclasses.fields(Faults)} | {"watch_history"}
    checked: dict[str, Any] = {}
    for name, value in changes.items():
        if name not in known:
            raise bad_request(f"unknown fault switch {name!r}: use one of "
                              f"{', '.join(sorted(known))}")
        if name == "rbac":
            try:
                checked[name] = rbac.check_mode(str(value))
            except ValueError as e:
                raise bad_request(str(e)) from None
            continue
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0 or \
                (name == "error_rate" and value > 1):
            raise bad_request(f"invalid value for {name}: {value!r}")
        checked[name] = int(value) if name in ("latency_ms", "watch_history") else float(value)
    for name, value in checked.items():
        if name == "watch_history":
            sb.store.set_history(value)
        else:
            setattr(sb.faults, name, value)
