"""The sandbox's HTTP API server: the Kubernetes REST API over a `Sandbox`, on aiohttp.

This module holds the server's life cycle, the middleware (request log, faults,
authentication, errors as Status) and the dispatch of each request to its handler:
documents and routes in `routing.py`, the control endpoint in `control.py`, resource
verbs in `resources.py`, lists in `lists.py`, watches in `watch.py`, pod logs in
`pod_logs.py`, evictions in `eviction.py` and metrics in `metrics_api.py`. Every request
is logged (method, path, status) for tests; a request that matches no route is counted,
so a test can prove kubectl never asked for something the sandbox does not serve.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from kubetui.sandbox import metrics
from kubetui.sandbox.apiserver import resources, verbs
from kubetui.sandbox.apiserver.authn import UserInfo
from kubetui.sandbox.apiserver.authorization import authorize
from kubetui.sandbox.apiserver.control import CONTROL_FAULTS, CONTROL_PREFIX, faults_endpoint
from kubetui.sandbox.apiserver.eviction import evict
from kubetui.sandbox.apiserver.http_io import (USER, go_bool, json_response, method_not_allowed,
                                               read_body, status_response)
from kubetui.sandbox.apiserver.lists import Lister
from kubetui.sandbox.apiserver.metrics_api import metrics_response
from kubetui.sandbox.apiserver.pod_logs import LogStreams
from kubetui.sandbox.apiserver.routing import (PUBLIC_PATHS, Route, Unmatched, document,
                                               resource_route)
from kubetui.sandbox.apiserver.request_metrics import CONTENT_TYPE as METRICS_CONTENT_TYPE
from kubetui.sandbox.apiserver.request_metrics import RequestCounter, clean_verb
from kubetui.sandbox.apiserver.watch import WatchStreams
from kubetui.sandbox.core import Sandbox
from kubetui.sandbox.errors import ApiError
from kubetui.sandbox.streams.endpoints import SUBRESOURCES as STREAMING
from kubetui.sandbox.streams.endpoints import StreamEndpoints
from kubetui.sandbox.tls import ServingCert, make_serving_cert, peer_user

log = logging.getLogger(__name__)
ROUTE = web.RequestKey("route", Route)  # the resource a request named


@dataclass(frozen=True)
class RequestRecord:
    method: str
    path: str
    query: str
    status: int
    user_agent: str = ""
    matched: bool = True


@dataclass
class SandboxServer:
    """Serves a `Sandbox` over HTTP on host:port (0 picks a free port)."""

    sandbox: Sandbox
    host: str = "127.0.0.1"
    port: int = 0
    bookmark_interval: float = 10.0
    requests: list[RequestRecord] = field(default_factory=list)
    tls: ServingCert | None = None
    client_certs: bool = False  # verify client certificates (--auth cert)
    _runner: web.AppRunner | None = None
    _fault_task: asyncio.Task[None] | None = None
    _streams_fault_task: asyncio.Task[None] | None = None
    _watches: WatchStreams = field(init=False)
    _lister: Lister = field(init=False)
    _logs: LogStreams = field(init=False)
    streams: StreamEndpoints = field(init=False)
    request_counter: RequestCounter = field(default_factory=RequestCounter)

    def __post_init__(self) -> None:
        self.streams = StreamEndpoints(self.sandbox)
        self._watches = WatchStreams(self.sandbox)
        self._lister = Lister(self.sandbox)
        self._logs = LogStreams(self.sandbox)

    # ----- life cycle ----------------------------------------------------------------

    async def start(self) -> str:
        app = web.Application(middlewares=[self._middleware], client_max_size=64 * 2**20)
        app.router.add_route("*", "/{tail:.*}", self._dispatch)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False,
                                     shutdown_timeout=1.0)
        await self._runner.setup()
        if self.tls is None:
            self.tls = make_serving_cert([self.host])
        self.sandbox.ca_pem = self.tls.ca_pem
        site = web.TCPSite(self._runner, self.host, self.port,
                           ssl_context=self.tls.server_context(self.client_certs))
        await site.start()
        sockets = site._server.sockets if site._server else []  # type: ignore[union-attr]
        self.port = sockets[0].getsockname()[1]
        self._fault_task = asyncio.create_task(self._watches.drop_loop())
        self._streams_fault_task = asyncio.create_task(self.streams.drop_loop())
        return self.url

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"https://{host}:{self.port}"

    async def stop(self) -> None:
        for task in (self._fault_task, self._streams_fault_task):
            if task:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        self.drop_watches()
        self.streams.drop_all()
        self._logs.cancel_all()
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
        return self._watches.paths()

    def drop_watches(self) -> int:
        """Cut every open watch connection now, as a flaky network does."""
        return self._watches.drop_all()

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
        except Unmatched:
            matched = False
            resp = status_response(ApiError(404, "the server could not find the requested "
                                                 "resource", details={}))
        except ApiError as e:
            resp = status_response(e)
        except (ConnectionResetError, asyncio.CancelledError):
            raise
        except Exception as e:  # a bug in the sandbox: say so as the real server does
            log.exception("sandbox error on %s %s", request.method, request.path_qs)
            resp = status_response(ApiError(500, f"Internal error occurred: {e}"))
        self.requests.append(RequestRecord(request.method, request.path, request.query_string,
                                           resp.status, request.headers.get("User-Agent", ""),
                                           matched))
        route = request.get(ROUTE)
        if route is not None:
            verb = clean_verb(request.method, route, go_bool(request.query.get("watch")),
                              request.headers.get("Content-Type", ""))
            self.request_counter.count(route, verb, resp.status,
                                       "dryRun" in request.query)
        return resp

    def _authenticate(self, request: web.Request) -> None:
        """A bearer token, else a client certificate the CA signed (as kube-apiserver
        tries its authenticators in turn)."""
        auth = request.headers.get("Authorization", "")
        token = auth[7:].strip() if auth.lower().startswith("bearer ") else ""
        user = self.sandbox.authenticate(token) if token else None
        if user is None and not token and request.transport is not None:
            ssl_object = request.transport.get_extra_info("ssl_object")
            subject = peer_user(ssl_object.getpeercert() if ssl_object else None)
            if subject is not None:
                user = UserInfo(subject[0], (*subject[1], "system:authenticated"))
        if user is None:
            raise ApiError(401, "Unauthorized")
        request[USER] = user

    # ----- dispatch ---------------------------------------------------------------------

    async def _dispatch(self, request: web.Request) -> web.StreamResponse:
        path = request.path.rstrip("/") or "/"
        parts = [p for p in path.split("/") if p]
        if path == CONTROL_FAULTS:
            return await faults_endpoint(self.sandbox, request)
        if path == "/metrics":
            return web.Response(body=self.request_counter.text().encode(),
                                headers={"Content-Type": METRICS_CONTENT_TYPE})
        doc = document(self.sandbox, request, path, parts)
        if doc is not None:
            return doc
        return await self._resource(request, resource_route(self.sandbox, parts))

    async def _resource(self, request: web.Request, r: Route) -> web.StreamResponse:
        request[ROUTE] = r  # for the request counter
        q = request.query
        method = request.method
        authorize(self.sandbox.faults.rbac, r, method, q)
        if r.kind.group == metrics.GROUP:
            return metrics_response(self.sandbox, request, r)
        if r.subresource == "log":
            return await self._logs.serve(request, r)
        if r.subresource in STREAMING:
            return await self.streams.serve(request, r.namespace, r.name, r.subresource)
        if not r.name:
            if method == "GET":
                if go_bool(q.get("watch")):
                    return await self._watches.serve(request, r, self.bookmark_interval)
                return await self._lister.respond(request, r)
            if method == "POST":
                return await resources.create(self.sandbox, request, r)
            if method == "DELETE":
                return resources.delete_collection(self.sandbox, request, r)
            raise method_not_allowed()
        if r.subresource == "eviction" and method == "POST":
            return json_response(evict(self.sandbox, r, await read_body(request)), status=201)
        if r.subresource == "token" and method == "POST":
            return json_response(verbs.request_token(self.sandbox, r.namespace, r.name,
                                                     await read_body(request)), status=201)
        return await resources.one_object(self.sandbox, request, r)
