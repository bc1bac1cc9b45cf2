"""The sandbox's HTTP API server: the Kubernetes REST API over a `Sandbox`, on aiohttp.

Routing follows the API's URL shapes (`/api/v1/...`, `/apis/<group>/<version>/...`), the
verbs' rules live in `verbs.py`, documents for discovery and OpenAPI in `discovery.py` and
`openapi.py`, and server-side tables come from `kubetui.render.table`, the same renderer
the UI uses. Every request is logged (method, path, status) for tests; a request that
matches no route is counted, so a test can prove kubectl never asked for something the
sandbox does not serve.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import dataclasses
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

import orjson
import yaml
from aiohttp import web

from kubetui.kinds import Kind
from kubetui.render.table import to_table
from kubetui.sandbox import discovery, metrics, openapi, rbac, verbs
from kubetui.sandbox.controllers.disruption import PDBS, spend_disruption
from kubetui.sandbox.core import Faults, Sandbox
from kubetui.sandbox.errors import ApiError, bad_request, expired, not_found
from kubetui.sandbox.logs import LogLine
from kubetui.sandbox.selectors import (parse_field_selector, parse_label_selector,
                                       selector_matches)
from kubetui.sandbox.store import Obj, Watch, parse_rv
from kubetui.sandbox.tls import ServingCert, make_serving_cert

log = logging.getLogger(__name__)

SERVER_VERSION = {
    "major": "1", "minor": "32", "gitVersion": "v1.32.0-kubetui-sandbox",
    "gitCommit": "0000000000000000000000000000000000000000", "gitTreeState": "clean",
    "buildDate": "2026-01-01T00:00:00Z", "goVersion": "go1.23.4", "compiler": "gc",
    "platform": "linux/amd64",
}
PUBLIC_PATHS = ("/version", "/healthz", "/readyz", "/livez")
CONTROL_PREFIX = "/sandbox/"
CONTROL_FAULTS = "/sandbox/faults"
DEFAULT_WATCH_TIMEOUT = 1800.0
TABLE_CONTENT_TYPE = "application/json;as=Table;v=v1;g=meta.k8s.io"
#: How long the rest of a paged list is kept: etcd's default compaction interval, after
#: which a real server answers a continue token with 410 too. (Not tied to the watch
#: history: a busy cluster's paged lists must not fail because watches expire.)
CONTINUE_TTL = 300.0


def go_bool(value: str | None) -> bool:
    """Query booleans as Go's strconv.ParseBool reads them."""
    return (value or "").strip() in ("1", "t", "T", "true", "TRUE", "True")


def dumps(doc: Any) -> bytes:
    return orjson.dumps(doc)


@dataclass(frozen=True)
class RequestRecord:
    method: str
    path: str
    query: str
    status: int
    user_agent: str = ""
    matched: bool = True


@dataclass(eq=False)
class _OpenWatch:
    watch: Watch
    request: web.Request


@dataclass
class Route:
    """A parsed resource URL."""

    kind: Kind
    version: str
    namespace: str = ""
    name: str = ""
    subresource: str = ""


class _Unmatched(Exception):
    """The URL names nothing the server serves (counted, then answered 404)."""


@dataclass
class SandboxServer:
    """Serves a `Sandbox` over HTTP on host:port (0 picks a free port)."""

    sandbox: Sandbox
    host: str = "127.0.0.1"
    port: int = 0
    bookmark_interval: float = 10.0
    requests: list[RequestRecord] = field(default_factory=list)
    _runner: web.AppRunner | None = None
    _watches: set[Any] = field(default_factory=set)
    _log_streams: set[asyncio.Task[Any]] = field(default_factory=set)
    _pages: dict[str, tuple[float, list[Obj], int]] = field(default_factory=dict)
    _fault_task: asyncio.Task[None] | None = None
    tls: ServingCert | None = None

    # ----- life cycle ----------------------------------------------------------------

    async def start(self) -> str:
        app = web.Application(middlewares=[self._middleware], client_max_size=64 * 2**20)
        app.router.add_route("*", "/{tail:.*}", self._dispatch)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False,
                                     shutdown_timeout=1.0)
        await self._runner.setup()
        if self.tls is None:
            self.tls = make_serving_cert([self.host])
        site = web.TCPSite(self._runner, self.host, self.port,
                           ssl_context=self.tls.server_context())
        await site.start()
        sockets = site._server.sockets if site._server else []  # type: ignore[union-attr]
        self.port = sockets[0].getsockname()[1]
        self._fault_task = asyncio.create_task(self._drop_watches_loop())
        return self.url

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"https://{host}:{self.port}"

    async def stop(self) -> None:
        if self._fault_task:
            self._fault_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._fault_task
        self.drop_watches()
        for task in list(self._log_streams):  # followers would hold the shutdown up
            task.cancel()
        if self._runner:
            try:
                await asyncio.wait_for(self._runner.cleanup(), 10)
            except asyncio.TimeoutError:
                log.error("the sandbox's HTTP server did not shut down within 10 s")
            self._runner = None

    @property
    def unmatched(self) -> list[RequestRecord]:
        return [r for r in self.requests if not r.matched]

    def mutating_requests(self) -> list[RequestRecord]:
        """Requests that could change the cluster (a SelfSubjectAccessReview does not)."""
        return [r for r in self.requests if r.method in ("POST", "PUT", "PATCH", "DELETE")
                and "selfsubject" not in r.path]

    def open_watches(self) -> list[str]:
        """The paths of HTTP watches being served now."""
        return [ow.request.path for ow in self._watches]

    def drop_watches(self) -> int:
        """Cut every open watch connection now, as a flaky network does."""
        n = 0
        for ow in list(self._watches):
            ow.watch.close()
            if ow.request.transport is not None:
                ow.request.transport.close()
            n += 1
        self._watches.clear()
        return n

    async def _drop_watches_loop(self) -> None:
        while True:
            every = self.sandbox.faults.drop_watches_every
            await asyncio.sleep(every if every > 0 else 0.5)
            if self.sandbox.faults.drop_watches_every > 0:
                self.drop_watches()

    # ----- middleware: logging, faults, auth, errors -----------------------------------

    @web.middleware
    async def _middleware(self, request: web.Request,
                          handler: Callable[[web.Request], Any]) -> web.StreamResponse:
        matched = True
        try:
            faults = self.sandbox.faults
            # The control endpoint is never delayed nor failed: tests switch faults off
            # through it.
            control = request.path.startswith(CONTROL_PREFIX)
            if faults.latency_ms > 0 and not control:
                await asyncio.sleep(faults.latency_ms / 1000)
            public = request.path in PUBLIC_PATHS
            if not public:
                self._authenticate(request)
                if faults.error_rate > 0 and not control and \
                        random.random() < faults.error_rate:
                    raise random.choice([
                        ApiError(500, "Internal error occurred: injected by the sandbox"),
                        ApiError(429, "Too many requests, please try again later.",
                                 headers={"Retry-After": "1"}),
                    ])
            resp = await handler(request)
        except _Unmatched:
            matched = False
            resp = self._status_response(ApiError(404, "the server could not find the "
                                                        "requested resource"))
        except ApiError as e:
            resp = self._status_response(e)
        except (ConnectionResetError, asyncio.CancelledError):
            raise
        except Exception as e:  # a bug in the sandbox: say so as the real server does
            log.exception("sandbox error on %s %s", request.method, request.path_qs)
            resp = self._status_response(ApiError(500, f"Internal error occurred: {e}"))
        self.requests.append(RequestRecord(request.method, request.path, request.query_string,
                                           resp.status, request.headers.get("User-Agent", ""),
                                           matched))
        return resp

    def _authenticate(self, request: web.Request) -> None:
        auth = request.headers.get("Authorization", "")
        token = auth[7:].strip() if auth.lower().startswith("bearer ") else ""
        if not token or not self.sandbox.token_valid(token):
            raise ApiError(401, "Unauthorized")

    @staticmethod
    def _status_response(err: ApiError) -> web.Response:
        return web.Response(status=err.code, body=dumps(err.status()),
                            content_type="application/json", headers=err.headers)

    @staticmethod
    def _json(doc: Any, status: int = 200, content_type: str = "application/json"
              ) -> web.Response:
        resp = web.Response(status=status, body=dumps(doc))
        resp.headers["Content-Type"] = content_type
        return resp

    # ----- dispatch ---------------------------------------------------------------------

    async def _dispatch(self, request: web.Request) -> web.StreamResponse:
        path = request.path.rstrip("/") or "/"
        parts = [p for p in path.split("/") if p]
        if path == "/version":
            return self._json(SERVER_VERSION)
        if path in ("/healthz", "/readyz", "/livez"):
            return web.Response(text="ok")
        if parts[:1] == ["openapi"]:
            return self._openapi(parts)
        if path == CONTROL_FAULTS:
            return await self._control_faults(request)
        if parts == ["api"] or parts == ["apis"]:
            return self._discovery_root(request, legacy=parts == ["api"])
        if parts[:1] == ["api"] and len(parts) == 2:
            doc = discovery.api_resource_list(self.sandbox.kinds.all(), "", parts[1])
            return self._json_or_unmatched(doc)
        if parts[:1] == ["apis"] and len(parts) == 2:
            return self._json_or_unmatched(discovery.api_group(self.sandbox.kinds.all(),
                                                               parts[1]))
        if parts[:1] == ["apis"] and len(parts) == 3:
            return self._json_or_unmatched(discovery.api_resource_list(
                self.sandbox.kinds.all(), parts[1], parts[2]))
        route = self._route(parts)
        return await self._resource(request, route)

    def _json_or_unmatched(self, doc: dict | None) -> web.Response:
        if doc is None:
            raise _Unmatched()
        return self._json(doc)

    def _discovery_root(self, request: web.Request, legacy: bool) -> web.Response:
        kinds = self.sandbox.kinds.all()
        version = discovery.aggregated_version(request.headers.get("Accept", ""))
        if version:
            doc = discovery.aggregated_discovery(kinds, legacy=legacy, version=version)
            return self._json(doc, content_type=discovery.aggregated_content_type(version))
        return self._json(discovery.api_versions() if legacy else
                          discovery.api_group_list(kinds))

    def _openapi(self, parts: list[str]) -> web.Response:
        kinds = self.sandbox.kinds.all()
        if parts == ["openapi", "v2"]:
            # kubectl validates `kind: List` files against v2; an empty document will do.
            resp = web.Response(body=openapi.OPENAPI_V2_BODY)
            resp.headers["Content-Type"] = openapi.OPENAPI_V2_CONTENT_TYPE
            return resp
        if parts == ["openapi", "v3"]:
            return self._json(openapi.openapi_root(kinds))
        if parts[:2] == ["openapi", "v3"] and parts[2:3] == ["api"] and len(parts) == 4:
            return self._json_or_unmatched(openapi.openapi_group_version(kinds, "", parts[3]))
        if parts[:2] == ["openapi", "v3"] and parts[2:3] == ["apis"] and len(parts) == 5:
            return self._json_or_unmatched(
                openapi.openapi_group_version(kinds, parts[3], parts[4]))
        raise _Unmatched()

    def _route(self, parts: list[str]) -> Route:
        """Parse /api/v1/... or /apis/g/v/... into kind, namespace, name, subresource."""
        if parts[:1] == ["api"] and len(parts) >= 3:
            group, version, rest = "", parts[1], parts[2:]
        elif parts[:1] == ["apis"] and len(parts) >= 4:
            group, version, rest = parts[1], parts[2], parts[3:]
        else:
            raise _Unmatched()
        namespace = ""
        if rest[0] == "namespaces" and len(rest) >= 3 and \
                rest[2] not in ("status", "finalize"):
            namespace, rest = rest[1], rest[2:]
        kind = self.sandbox.kinds.lookup(group, version, rest[0])
        if kind is None or len(rest) > 3:
            raise _Unmatched()
        if namespace and not kind.namespaced:
            raise _Unmatched()
        name = rest[1] if len(rest) > 1 else ""
        sub = rest[2] if len(rest) > 2 else ""
        if sub and sub not in kind.subresources:
            raise _Unmatched()
        return Route(kind, version, namespace, name, sub)

    # ----- resources --------------------------------------------------------------------

    async def _resource(self, request: web.Request, r: Route) -> web.StreamResponse:
        q = request.query
        method = request.method
        self._authorize(r, method, q)
        if r.kind.group == metrics.GROUP:
            return self._metrics(request, r)
        if r.subresource == "log":
            return await self._pod_log(request, r)
        if not r.name:
            if method == "GET":
                if go_bool(q.get("watch")):
                    return await self._watch(request, r)
                return self._list(request, r)
            if method == "POST":
                obj = verbs.create(self.sandbox, r.kind, r.namespace, await self._body(request),
                                   r.version, self._write_opts(q))
                return self._json(self._view(r, obj), status=201)
            if method == "DELETE":
                return self._delete_collection(request, r)
            raise ApiError(405, f"the server does not allow this method on the requested "
                                f"resource")
        if r.subresource == "eviction" and method == "POST":
            return self._json(self._evict(r, await self._body(request)), status=201)
        if method == "GET":
            obj = self.sandbox.store.get(verbs.store_key(r.kind), r.namespace, r.name)
            if r.subresource == "scale":
                return self._json(verbs.scale_of(r.kind, obj))
            return self._object_response(request, r, obj)
        if method == "PUT":
            body = await self._body(request)
            if r.subresource == "scale":
                return self._json(verbs.update_scale(self.sandbox, r.kind, r.namespace,
                                                     r.name, body, self._write_opts(q)))
            obj = verbs.update(self.sandbox, r.kind, r.namespace, r.name, body, r.version,
                               r.subresource, self._write_opts(q))
            return self._json(self._view(r, obj))
        if method == "PATCH":
            ctype = request.headers.get("Content-Type", "").split(";")[0].strip()
            body = await self._body(request, yaml_ok=ctype == verbs.PATCH_APPLY)
            obj = verbs.apply_patch(self.sandbox, r.kind, r.namespace, r.name, ctype, body,
                                    r.subresource, self._write_opts(q))
            if r.subresource == "scale":
                return self._json(obj)
            return self._json(self._view(r, obj))
        if method == "DELETE":
            body = await self._body(request, optional=True)
            opts = verbs.DeleteOptions.parse(body, dict(q), _dry_run(q, body))
            obj = verbs.delete(self.sandbox, r.kind, r.namespace, r.name, opts)
            gone = self.sandbox.store.find(verbs.store_key(r.kind), r.namespace, r.name) is None
            if gone and r.kind.kind not in ("Pod", "Namespace"):
                return self._json({"kind": "Status", "apiVersion": "v1", "metadata": {},
                                   "status": "Success",
                                   "details": {"name": r.name, "group": r.kind.group,
                                               "kind": r.kind.plural,
                                               "uid": obj["metadata"].get("uid")}})
            return self._json(self._view(r, obj))
        raise ApiError(405, "the server does not allow this method on the requested resource")

    def _authorize(self, r: Route, method: str, q: Any) -> None:
        """--rbac: a 403 worded as RBAC words it, for anything the mode forbids."""
        mode = self.sandbox.faults.rbac
        if mode == "full" or r.kind.kind in verbs.REVIEWS:
            return
        if method in ("GET", "HEAD"):
            verb = "get" if r.name else ("watch" if go_bool(q.get("watch")) else "list")
        else:
            verb = {"POST": "create", "PUT": "update", "PATCH": "patch",
                    "DELETE": "delete" if r.name else "deletecollection"}.get(method, method)
        if r.kind.kind == "Pod" and r.subresource == "log":
            verb = "get"
        if rbac.allowed(mode, verb, r.namespace, r.kind.namespaced):
            return
        resource = r.kind.plural + (f"/{r.subresource}" if r.subresource else "")
        what = f'{r.kind.resource} "{r.name}"' if r.name else r.kind.resource
        where = f' in the namespace "{r.namespace}"' if r.namespace else \
            (" at the cluster scope" if not r.name or not r.kind.namespaced else "")
        raise ApiError(403, f'{what} is forbidden: User "kubetui-sandbox" cannot {verb} '
                            f'resource "{resource}" in API group "{r.kind.group}"{where}',
                       details={"name": r.name, "group": r.kind.group, "kind": r.kind.plural})

    @staticmethod
    def _write_opts(q: Any) -> verbs.WriteOptions:
        return verbs.WriteOptions(dry_run=_dry_run(q, None),
                                  field_manager=q.get("fieldManager", ""))

    @staticmethod
    async def _body(request: web.Request, yaml_ok: bool = True, optional: bool = False) -> Any:
        from kubetui.sandbox.protobuf import decode_body

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

    def _predicate(self, q: Any) -> Callable[[Obj], bool] | None:
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

    # ----- views: versions, tables ------------------------------------------------------

    def _view(self, r: Route, obj: Obj) -> Obj:
        """The object as the URL's version shows it."""
        if r.kind.group == "events.k8s.io":
            return _event_v1(obj)
        if r.version != r.kind.version:
            return {**obj, "apiVersion": f"{r.kind.group}/{r.version}"}
        return obj

    def _table_kind(self, r: Route) -> tuple[str, list[dict] | None]:
        """The render kind name, and a CRD's printer columns if it is a custom resource."""
        if r.kind in self.sandbox.kinds.custom():
            crd = self.sandbox.store.find(("apiextensions.k8s.io", "customresourcedefinitions"),
                                          "", r.kind.resource)
            if crd is not None:
                for v in crd.get("spec", {}).get("versions", []):
                    if v.get("name") == r.version:
                        return r.kind.kind, v.get("additionalPrinterColumns") or []
            return r.kind.kind, []
        return r.kind.kind, None

    def _table(self, r: Route, objs: list[Obj], q: Any, with_columns: bool = True) -> dict:
        kind_name, printer = self._table_kind(r)
        table = to_table(kind_name, [self._view(r, o) for o in objs], datetime.now(timezone.utc),
                         group=r.kind.group, include_object=q.get("includeObject", "Metadata"),
                         printer_columns=printer)
        if not with_columns:
            table["columnDefinitions"] = []
        return table

    @staticmethod
    def _wants_table(request: web.Request) -> bool:
        accept = request.headers.get("Accept", "")
        return "as=Table" in accept

    def _object_response(self, request: web.Request, r: Route, obj: Obj) -> web.Response:
        if self._wants_table(request):
            return self._json(self._table(r, [obj], request.query))
        return self._json(self._view(r, obj))

    # ----- list and watch ---------------------------------------------------------------

    def _list(self, request: web.Request, r: Route) -> web.Response:
        q = request.query
        key = verbs.store_key(r.kind)
        pred = self._predicate(q)
        limit = _int_param(q, "limit")
        token = q.get("continue", "")
        if token:
            items, rv = self._continue(token)
        else:
            items, rv = self.sandbox.store.list(key, r.namespace or None, pred)
        meta: dict[str, Any] = {"resourceVersion": str(rv)}
        if limit and len(items) > limit:
            rest = items[limit:]
            items = items[:limit]
            meta["continue"] = self._save_page(rest, rv)
            meta["remainingItemCount"] = len(rest)
        if self._wants_table(request):
            table = self._table(r, items, q)
            table["metadata"] = meta
            return self._json(table)
        doc = {"kind": f"{r.kind.kind}List",
               "apiVersion": r.kind.api_version if r.version == r.kind.version else
               f"{r.kind.group}/{r.version}",
               "metadata": meta, "items": [self._view(r, o) for o in items]}
        return self._json(doc)

    def _save_page(self, rest: list[Obj], rv: int) -> str:
        """Keep the rest of a paged list as it was, so continuing is consistent."""
        now = time.monotonic()
        for tok, (t, _, _) in list(self._pages.items()):
            if now - t > CONTINUE_TTL:
                del self._pages[tok]
        token = base64.urlsafe_b64encode(
            dumps({"rv": rv, "id": random.getrandbits(64)})).decode().rstrip("=")
        self._pages[token] = (now, rest, rv)
        return token

    def _continue(self, token: str) -> tuple[list[Obj], int]:
        page = self._pages.pop(token, None)
        if page is None or time.monotonic() - page[0] > CONTINUE_TTL:
            raise expired("The provided continue parameter is too old to display a consistent "
                          "list result. You can start a new list without the continue "
                          "parameter.")
        return page[1], page[2]

    async def _watch(self, request: web.Request, r: Route) -> web.StreamResponse:
        q = request.query
        since = parse_rv(q.get("resourceVersion"))
        timeout = _int_param(q, "timeoutSeconds") or DEFAULT_WATCH_TIMEOUT
        bookmarks = go_bool(q.get("allowWatchBookmarks"))
        table = self._wants_table(request)
        resp = web.StreamResponse(status=200)
        resp.headers["Content-Type"] = TABLE_CONTENT_TYPE if table else "application/json"
        resp.enable_chunked_encoding()
        try:
            w = self.sandbox.store.watch(verbs.store_key(r.kind), r.namespace or None,
                                         since, self._predicate(q))
        except ApiError as e:
            if e.code != 410:
                raise
            await resp.prepare(request)
            await resp.write(dumps({"type": "ERROR", "object": e.status()}) + b"\n")
            await resp.write_eof()
            return resp
        ow = _OpenWatch(w, request)
        self._watches.add(ow)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        next_bookmark = loop.time() + self.bookmark_interval
        first = True
        try:
            await resp.prepare(request)
            while not w.closed:
                now = loop.time()
                if now >= deadline:
                    break
                wait = min(deadline, next_bookmark if bookmarks else deadline) - now
                try:
                    ev = await asyncio.wait_for(w.next(), timeout=max(wait, 0.001))
                except asyncio.TimeoutError:
                    if bookmarks and loop.time() >= next_bookmark:
                        await resp.write(self._bookmark(r))
                        next_bookmark = loop.time() + self.bookmark_interval
                    continue
                if ev is None:
                    break
                chunk = [ev]
                while w.pending() and len(chunk) < 500:
                    nxt = w._queue.get_nowait()
                    if nxt is None:
                        break
                    chunk.append(nxt)
                lines = []
                for e in chunk:
                    obj: Any = self._view(r, e.obj)
                    if table:
                        obj = self._table(r, [e.obj], q, with_columns=first)
                        first = False
                    lines.append(dumps({"type": e.type, "object": obj}))
                await resp.write(b"\n".join(lines) + b"\n")
            if not w.closed:
                await resp.write_eof()
        except (ConnectionResetError, RuntimeError):
            pass  # the client went away, or the fault switch cut the connection
        finally:
            w.close()
            self._watches.discard(ow)
        return resp

    def _bookmark(self, r: Route) -> bytes:
        obj = {"kind": r.kind.kind, "apiVersion": r.kind.api_version,
               "metadata": {"resourceVersion": str(self.sandbox.store.rv)}}
        return dumps({"type": "BOOKMARK", "object": obj}) + b"\n"

    def _delete_collection(self, request: web.Request, r: Route) -> web.Response:
        q = request.query
        items, rv = self.sandbox.store.list(verbs.store_key(r.kind), r.namespace or None,
                                            self._predicate(q))
        opts = verbs.DeleteOptions.parse(None, dict(q), _dry_run(q, None))
        out = [verbs.delete(self.sandbox, r.kind, r.namespace or o["metadata"].get(
            "namespace", ""), o["metadata"]["name"], opts) for o in items]
        return self._json({"kind": f"{r.kind.kind}List", "apiVersion": r.kind.api_version,
                           "metadata": {"resourceVersion": str(self.sandbox.store.rv)},
                           "items": out})

    def _evict(self, r: Route, body: Any) -> dict:
        """POST pods/x/eviction: refused (429) while a PodDisruptionBudget forbids it;
        allowed, it spends one of each matching budget's disruptions at once."""
        store = self.sandbox.store
        pod = store.get(("", "pods"), r.namespace, r.name)
        labels = pod["metadata"].get("labels") or {}
        budgets = [pdb for pdb in store.iter(PDBS)
                   if pdb["metadata"].get("namespace") == r.namespace and
                   selector_matches(pdb.get("spec", {}).get("selector"), labels)]
        for pdb in budgets:
            status = pdb.get("status") or {}
            if status.get("disruptionsAllowed", 0) < 1:
                raise ApiError(429, "Cannot evict pod as it would violate the pod's disruption "
                                    "budget.", reason="TooManyRequests",
                               details={"causes": [{
                                   "reason": "DisruptionBudget",
                                   "message": f"The disruption budget {pdb['metadata']['name']}"
                                              f" needs {status.get('desiredHealthy', 0)} healthy"
                                              f" pods and has {status.get('currentHealthy', 0)}"
                                              " currently"}]})
        opts = verbs.DeleteOptions.parse((body or {}).get("deleteOptions"), {}, False)
        verbs.delete(self.sandbox, r.kind, r.namespace, r.name, opts)
        for pdb in budgets:
            store.write_status(PDBS, spend_disruption(pdb, r.name))
        return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success",
                "code": 201}

    # ----- metrics.k8s.io ---------------------------------------------------------------

    def _metrics(self, request: web.Request, r: Route) -> web.Response:
        """metrics-server's API: get and list only (no watch), computed on each request."""
        if request.method != "GET" or go_bool(request.query.get("watch")):
            raise ApiError(405, "the server does not allow this method on the requested "
                                "resource")
        items = metrics.pod_metrics(self.sandbox, r.namespace or None) \
            if r.kind.kind == "PodMetrics" else metrics.node_metrics(self.sandbox)
        if r.name:
            found = next((m for m in items if m["metadata"]["name"] == r.name), None)
            if found is None:
                raise not_found(r.kind.group, r.kind.plural, r.name)
            return self._object_response(request, r, found)
        pred = self._predicate(request.query)
        items = [m for m in items if pred is None or pred(m)]
        meta = {"resourceVersion": ""}  # metrics are not stored: no version to watch from
        if self._wants_table(request):
            return self._json({**self._table(r, items, request.query), "metadata": meta})
        return self._json({"kind": f"{r.kind.kind}List", "apiVersion": r.kind.api_version,
                           "metadata": meta, "items": items})

    # ----- the control endpoint -----------------------------------------------------------

    async def _control_faults(self, request: web.Request) -> web.Response:
        """GET /sandbox/faults: the fault switches now; POST: change some of them (a JSON
        object with `Faults` field names and `watch_history`), answering the new state.
        Not part of the Kubernetes API: for tests driving a running `kubetui sandbox`."""
        if request.method == "POST":
            set_faults(self.sandbox, await self._body(request, yaml_ok=False))
        elif request.method != "GET":
            raise ApiError(405, "use GET or POST")
        return self._json({**dataclasses.asdict(self.sandbox.faults),
                           "watch_history": self.sandbox.store.history_limit})

    # ----- pod logs ---------------------------------------------------------------------

    async def _pod_log(self, request: web.Request, r: Route) -> web.StreamResponse:
        if request.method != "GET":
            raise ApiError(405, "the server does not allow this method on the requested "
                                "resource")
        q = request.query
        pod = self.sandbox.store.get(("", "pods"), r.namespace, r.name)
        container = _log_container(pod, q.get("container", ""))
        previous = go_bool(q.get("previous"))
        key = (r.namespace, r.name, container)
        _check_log_state(pod, container, previous, self.sandbox.logs.has(key, previous))
        follow = go_bool(q.get("follow")) and not previous
        backlog, rest = self.sandbox.logs.follow(key, previous)
        backlog = _select_lines(backlog, q)
        stamps = go_bool(q.get("timestamps"))
        limit = _int_param(q, "limitBytes")
        if not follow:
            with contextlib.suppress(Exception):
                await rest.aclose()  # type: ignore[attr-defined]
            body = b"".join(_log_bytes(line, stamps) for line in backlog)
            if limit:
                body = body[:limit]
            return web.Response(body=body, content_type="text/plain")
        resp = web.StreamResponse(status=200)
        resp.content_type = "text/plain"
        resp.enable_chunked_encoding()
        await resp.prepare(request)
        sent = 0
        task = asyncio.current_task()
        if task is not None:
            self._log_streams.add(task)
        try:
            data = b"".join(_log_bytes(line, stamps) for line in backlog)
            if limit:
                data = data[:limit]
            sent += len(data)
            if data:
                await resp.write(data)
            if not limit or sent < limit:
                async for line in rest:
                    data = _log_bytes(line, stamps)
                    if limit and sent + len(data) >= limit:
                        await resp.write(data[:limit - sent])
                        break
                    sent += len(data)
                    await resp.write(data)
            await resp.write_eof()
        except (ConnectionResetError, RuntimeError):
            pass
        finally:
            if task is not None:
                self._log_streams.discard(task)
            with contextlib.suppress(Exception):
                await rest.aclose()  # type: ignore[attr-defined]
        return resp


# ----- helpers ----------------------------------------------------------------------------

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


def _dry_run(q: Any, body: Any) -> bool:
    values = q.getall("dryRun", []) if hasattr(q, "getall") else []
    if isinstance(body, dict) and body.get("dryRun"):
        values += body["dryRun"]
    for v in values:
        if v != "All":
            raise bad_request(f'Unsupported value: "{v}": supported values: "All"')
    return bool(values)


def _int_param(q: Any, name: str) -> int:
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


def _log_container(pod: Obj, wanted: str) -> str:
    spec = pod.get("spec", {})
    names = [c["name"] for c in spec.get("containers", [])]
    init = [c["name"] for c in spec.get("initContainers", [])]
    ephemeral = [c["name"] for c in spec.get("ephemeralContainers", [])]
    name = pod["metadata"]["name"]
    if not wanted:
        if len(names) == 1:
            return names[0]
        msg = f"a container name must be specified for pod {name}, choose one of: [{' '.join(names)}]"
        if init:
            msg += f" or one of the init containers: [{' '.join(init)}]"
        raise bad_request(msg)
    if wanted not in names + init + ephemeral:
        raise bad_request(f"container {wanted} is not valid for pod {name}")
    return wanted


def _check_log_state(pod: Obj, container: str, previous: bool, has: bool) -> None:
    name = pod["metadata"]["name"]
    if previous:
        if not has:
            raise bad_request(f'previous terminated container "{container}" in pod "{name}" '
                              "not found")
        return
    if has:
        return
    status = pod.get("status", {})
    for cs in (status.get("containerStatuses") or []) + \
            (status.get("initContainerStatuses") or []):
        if cs.get("name") == container and "waiting" in (cs.get("state") or {}):
            reason = cs["state"]["waiting"].get("reason", "")
            raise bad_request(f'container "{container}" in pod "{name}" is waiting to start: '
                              f"{reason}")
    raise bad_request(f'container "{container}" in pod "{name}" is waiting to start: '
                      "ContainerCreating")


def _select_lines(lines: list[LogLine], q: Any) -> list[LogLine]:
    since = _int_param(q, "sinceSeconds")
    if since:
        cutoff = datetime.now(timezone.utc).timestamp() - since
        lines = [ln for ln in lines if ln.time.timestamp() >= cutoff]
    since_time = q.get("sinceTime")
    if since_time:
        try:
            t = datetime.fromisoformat(since_time.replace("Z", "+00:00"))
        except ValueError:
            raise bad_request(f"invalid sinceTime: {since_time!r}") from None
        lines = [ln for ln in lines if ln.time >= t]
    tail = q.get("tailLines")
    if tail not in (None, ""):
        try:
            n = int(tail)
        except ValueError:
            raise bad_request(f"invalid tailLines: {tail!r}") from None
        lines = lines[-n:] if n > 0 else []
    return lines


def _log_bytes(line: LogLine, stamps: bool) -> bytes:
    if stamps:
        ts = line.time.strftime("%Y-%m-%dT%H:%M:%S.%f") + "000Z"
        return f"{ts} {line.text}\n".encode()
    return f"{line.text}\n".encode()


def _event_v1(ev: Obj) -> Obj:
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
