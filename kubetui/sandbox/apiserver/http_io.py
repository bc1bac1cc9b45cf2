"""Request and response plumbing every handler of the API server shares: query parameters
read as the real server reads them (Go booleans, counts, dryRun), bodies decoded from JSON,
YAML or protobuf, selectors turned into a predicate, and JSON or Status responses."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import orjson
import yaml
from aiohttp import web

from kubetui.sandbox.apiserver import decoding, verbs
from kubetui.sandbox.apiserver.authn import UserInfo
from kubetui.sandbox.apiserver.store import Obj
from kubetui.sandbox.errors import ApiError, bad_request
from kubetui.sandbox.selectors import parse_field_selector, parse_label_selector


#: Who the request authenticated as (set by the server's middleware).
USER = web.RequestKey("user", UserInfo)


def go_bool(value: str | None) -> bool:
    """Query booleans as Go's strconv.ParseBool reads them."""
    return (value or "").strip() in ("1", "t", "T", "true", "TRUE", "True")


def dumps(doc: Any) -> bytes:
    return orjson.dumps(doc)


def json_response(doc: Any, status: int = 200, content_type: str = "application/json"
                  ) -> web.Response:
    resp = web.Response(status=status, body=dumps(doc))
    resp.headers["Content-Type"] = content_type
    return resp


def status_response(err: ApiError) -> web.Response:
    return web.Response(status=err.code, body=dumps(err.status()),
                        content_type="application/json", headers=err.headers)


def method_not_allowed() -> ApiError:
    return ApiError(405, "the server does not allow this method on the requested resource")


def dry_run(q: Any, body: Any) -> bool:
    values = q.getall("dryRun", []) if hasattr(q, "getall") else []
    if isinstance(body, dict) and body.get("dryRun"):
        values += body["dryRun"]
    for v in values:
        if v != "All":
            raise bad_request(f'Unsupported value: "{v}": supported values: "All"')
    return bool(values)


def int_param(q: Any, name: str) -> int:
    value = q.get(name)
    if value in (None, ""):
        return 0
    try:
        n = int(value)
    except ValueError:
        raise bad_request(f"invalid {name}: {value!r}") from None
    if n < 0:
        raise bad_request(f"invalid {name}: must be non-negative")
    return n


def write_opts(q: Any) -> verbs.WriteOptions:
    """The options of a create, update or patch; `warnings` collects what the request is
    to be warned of (unknown fields under fieldValidation=Warn)."""
    return verbs.WriteOptions(dry_run=dry_run(q, None), field_manager=q.get("fieldManager", ""),
                              field_validation=decoding.field_validation(
                                  q.get("fieldValidation")),
                              force=go_bool(q.get("force")), warnings=[])


def warned(resp: web.Response, opts: verbs.WriteOptions) -> web.Response:
    """`resp` with one `Warning` header per warning of the request."""
    for text in opts.warnings or ():
        resp.headers.add("Warning", decoding.warning_header(text))
    return resp


async def read_body(request: web.Request, yaml_ok: bool = True, optional: bool = False) -> Any:
    from kubetui.sandbox.apiserver.protobuf import decode_body

    raw = await request.read()
    if not raw.strip():
        if optional:
            return None
        raise bad_request("the body of the request was empty")
    if "protobuf" in request.headers.get("Content-Type", ""):
        return decode_body(raw)  # kubectl's typed clients: create <kind>, auth can-i
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        if not yaml_ok:
            raise bad_request("the body of the request was not valid JSON") from None
    try:
        doc = yaml.safe_load(raw)
    except yaml.YAMLError as e:
        raise bad_request(f"the body of the request could not be decoded: {e}") from None
    if doc is None:
        raise bad_request("the body of the request was empty")
    return doc


def predicate(q: Any) -> Callable[[Obj], bool] | None:
    """The query's labelSelector and fieldSelector as one test of an object (None: all)."""
    label = q.get("labelSelector", "")
    fields = q.get("fieldSelector", "")
    lp = parse_label_selector(label) if label else None
    fp = parse_field_selector(fields) if fields else None
    if lp is None and fp is None:
        return None
    if fp is None:
        assert lp is not None
        return lambda o: lp(o["metadata"].get("labels") or {})
    if lp is None:
        return fp
    return lambda o: lp(o["metadata"].get("labels") or {}) and fp(o)


def wants_table(request: web.Request) -> bool:
    return "as=Table" in request.headers.get("Accept", "")
