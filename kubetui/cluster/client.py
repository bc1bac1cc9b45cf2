"""One connection to one cluster (context): raw JSON requests and line streams.

Requests go through one aiohttp session per context (`connection.open_session`), and
bodies are decoded with orjson into plain dicts: typed model classes cost milliseconds per
pod and are not needed to show rows. Every failure becomes a `ClusterError` whose text a person can act on.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import ssl
from collections.abc import AsyncGenerator, AsyncIterator, Mapping
from typing import Any

import aiohttp
import orjson

from kubetui.cluster import discovery, paths
from kubetui.cluster.connection import Configuration, open_session, proxy_for
from kubetui.cluster.credentials import discard_secret_files
from kubetui.cluster.errors import ClusterError, ConfigError
from kubetui.cluster.kubeconfig import ContextInfo, Kubeconfig
from kubetui.kinds import Kind, by_key

__all__ = ["ClusterClient", "ClusterError"]

REQUEST_TIMEOUT = 30.0
CONNECT_TIMEOUT = 10.0

_VERBS = {"GET": "get", "POST": "create", "PUT": "update", "PATCH": "patch",
          "DELETE": "delete"}


def status_causes(status: dict[str, Any]) -> tuple[str, ...]:
    """The reasons of a Status object's details.causes."""
    details = status.get("details")
    causes = details.get("causes") if isinstance(details, dict) else None
    return tuple(str(c.get("reason") or "") for c in causes or () if isinstance(c, dict))


class ClusterClient:
    """The cluster behind one context. Use `async with` or call `close()`."""

    def __init__(self, info: ContextInfo, configuration: Configuration) -> None:
        self.info = info
        self.configuration = configuration
        self._session = open_session(configuration)
        self._proxy, self._proxy_auth = proxy_for(configuration)
        discard_secret_files(configuration)  # the TLS context holds them now
        self._cred_generation = 0
        self._reload_lock = asyncio.Lock()
        self._printer_columns: dict[tuple[str, str, str], list[dict[str, Any]]] = {}

    @classmethod
    async def connect(cls, kubeconfig: Kubeconfig, context: str) -> ClusterClient:
        """Build the client (runs an exec plugin if the user has one). Does not contact the
        server: `server_version()` is the cheap way to check it answers."""
        return cls(kubeconfig.context(context), await kubeconfig.configuration(context))

    async def __aenter__(self) -> ClusterClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        await self._session.close()

    @property
    def closed(self) -> bool:
        """Whether `close()` has ended its connections."""
        return self._session.closed

    # ----- reading ---------------------------------------------------------------------

    async def server_version(self) -> str:
        return str((await self.request("GET", "/version")).get("gitVersion", ""))

    async def kinds(self) -> list[Kind]:
        """Built-in kinds plus whatever discovery offers (custom resources included)."""
        return await discovery.discover(
            lambda path, accept: self.request("GET", path, accept=accept))

    async def get(self, kind: Kind, namespace: str, name: str) -> dict[str, Any]:
        return await self.request("GET", paths.object_path(kind, namespace, name))

    async def printer_columns(self, kind: Kind) -> list[dict[str, Any]]:
        """A custom resource's additionalPrinterColumns for its version (cached); [] when
        the CRD cannot be read (not a CRD, or forbidden)."""
        key = (kind.group, kind.plural, kind.version)
        if key not in self._printer_columns:
            columns: list[dict[str, Any]] = []
            try:
                crd = await self.request(
                    "GET", f"/apis/apiextensions.k8s.io/v1/customresourcedefinitions/"
                           f"{kind.plural}.{kind.group}")
            except ClusterError as e:
                if e.status not in (403, 404):
                    raise
            else:
                for version in (crd.get("spec") or {}).get("versions") or ():
                    if version.get("name") == kind.version:
                        columns = list(version.get("additionalPrinterColumns") or ())
            self._printer_columns[key] = columns
        return self._printer_columns[key]

    # ----- raw requests ----------------------------------------------------------------

    async def request(self, method: str, path: str, body: Any = None,
                      content_type: str = "application/json",
                      query: dict[str, Any] | None = None,
                      accept: str = "application/json") -> dict[str, Any]:
        """Send one request and decode the JSON answer ({} for an empty body). Errors raise
        `ClusterError` carrying the server's Status message."""
        return self.decode(await self.request_bytes(method, path, body, content_type, query,
                                                    accept), path)

    def decode(self, raw: bytes, path: str) -> dict[str, Any]:
        """The JSON answer to a request of `path` ({} for an empty body); ClusterError when
        it is not JSON."""
        if not raw:
            return {}
        try:
            return orjson.loads(raw)
        except orjson.JSONDecodeError:
            raise ClusterError(f"the server at {self.configuration.host} answered {path} with "
                               "something that is not JSON") from None

    async def request_bytes(self, method: str, path: str, body: Any = None,
                            content_type: str = "application/json",
                            query: dict[str, Any] | None = None,
                            accept: str = "application/json") -> bytes:
        """`request`'s answer undecoded, for a caller that decodes a large one elsewhere."""
        data: bytes | None = None
        if body is not None:
            data = body if isinstance(body, bytes) else (
                body.encode() if isinstance(body, str) else orjson.dumps(body))
        resp = await self._open(method, path, query=query, data=data, content_type=content_type,
                                accept=accept, timeout=aiohttp.ClientTimeout(total=REQUEST_TIMEOUT,
                                                              connect=CONNECT_TIMEOUT))
        try:
            raw = await resp.read()
        except (aiohttp.ClientError, asyncio.TimeoutError) as e:
            raise self._transport_error(e) from None
        finally:
            resp.release()
        return raw

    async def stream(self, path: str, query: dict[str, Any],
                     read_timeout: float | None = None) -> AsyncGenerator[bytes, None]:
        """The response body line by line (without the newline): watches and logs. The
        status is checked first; `read_timeout` bounds the silence between chunks. A
        connection cut mid-stream raises ClusterError with reason "Disconnected"."""
        async with self.open_stream(path, query, read_timeout) as lines:
            async for line in lines:
                yield line

    @contextlib.asynccontextmanager
    async def open_stream(self, path: str, query: dict[str, Any],
                          read_timeout: float | None = None) -> AsyncIterator[LineStream]:
        """`stream` in two steps: connected (status checked) on entering, then the lines.
        The watch store needs the moment of connection to say "live"."""
        resp = await self._open("GET", path, query=query, timeout=aiohttp.ClientTimeout(
            total=None, connect=CONNECT_TIMEOUT, sock_connect=CONNECT_TIMEOUT,
            sock_read=read_timeout))
        try:
            yield LineStream(resp, self.configuration.host)
        finally:
            resp.close()

    async def _open(self, method: str, path: str, *, timeout: aiohttp.ClientTimeout,
                    query: dict[str, Any] | None = None, data: bytes | None = None,
                    content_type: str = "application/json",
                    accept: str = "application/json") -> aiohttp.ClientResponse:
        """Send and check the status; on 401 reload the credentials once and retry."""
        conf = self.configuration
        params = {k: _query_value(v) for k, v in (query or {}).items() if v is not None}
        for attempt in (1, 2):
            generation = self._cred_generation
            headers = await self._headers(accept)
            if data is not None:
                headers["Content-Type"] = content_type
            try:
                resp = await self._session.request(method, conf.host + path, params=params,
                                                   data=data, headers=headers,
                                                   timeout=timeout, **self._transport())
            except (aiohttp.ClientError, asyncio.TimeoutError, ssl.SSLError) as e:
                raise self._transport_error(e) from None
            if resp.status < 400:
                return resp
            try:
                raw = await resp.read()
            except (aiohttp.ClientError, asyncio.TimeoutError):
                raw = b""
            finally:
                resp.release()
            if resp.status == 401 and attempt == 1:
                await self._reload_credentials(generation)
                continue
            raise self._status_error(method, path, params, resp.status, resp.headers, raw)
        raise AssertionError("unreachable")

    async def websocket(self, path: str, query: list[tuple[str, str]],
                        protocols: tuple[str, ...]) -> aiohttp.ClientWebSocketResponse:
        """Upgrade `path` (exec, attach, portforward) to a WebSocket speaking one of
        `protocols`; a refused upgrade raises ClusterError as a request would (the API
        server authorizes these upgrades as `create`). 401 reloads credentials once."""
        conf = self.configuration
        for attempt in (1, 2):
            generation = self._cred_generation
            try:
                return await self._session.ws_connect(
                    conf.host + path, params=query, protocols=protocols,
                    headers=await self._headers("*/*"), max_msg_size=0, autoping=True,
                    timeout=aiohttp.ClientWSTimeout(ws_close=5.0), **self._transport())
            except aiohttp.WSServerHandshakeError as e:
                if e.status == 401 and attempt == 1:
                    await self._reload_credentials(generation)
                    continue
                raise self._status_error("POST", path, dict(query), e.status,
                                         e.headers or {}, b"") from None
            except (aiohttp.ClientError, asyncio.TimeoutError, ssl.SSLError) as e:
                raise self._transport_error(e) from None
        raise AssertionError("unreachable")

    def _transport(self) -> dict[str, Any]:
        """The proxy and TLS server name options of a request."""
        conf = self.configuration
        extra: dict[str, Any] = {}
        if self._proxy:
            extra.update(proxy=self._proxy, proxy_auth=self._proxy_auth)
        if conf.tls_server_name:
            extra["server_hostname"] = conf.tls_server_name
        return extra

    async def _headers(self, accept: str) -> dict[str, str]:
        headers = {"Accept": accept, "User-Agent": "kubetui"}
        auth = await self._authorization()
        if auth:
            headers["Authorization"] = auth
        return headers

    async def _authorization(self) -> str | None:
        try:
            return await self.configuration.authorization_header()
        except ConfigError as e:
            raise ClusterError(str(e), status=401, reason="Unauthorized") from None

    async def _reload_credentials(self, generation: int) -> None:
        """One reload however many requests saw the 401 together."""
        hook = self.configuration.credentials
        if hook is None:
            return
        async with self._reload_lock:
            if generation != self._cred_generation:
                return
            try:
                await hook.reload(self.configuration)
            except ConfigError as e:
                raise ClusterError(f"reloading credentials failed: {e}", status=401,
                                   reason="Unauthorized") from None
            self._cred_generation += 1

    # ----- errors ----------------------------------------------------------------------

    def _transport_error(self, e: BaseException) -> ClusterError:
        host = self.configuration.host
        if isinstance(e, aiohttp.ClientConnectorCertificateError):
            cert = e.certificate_error
            detail = getattr(cert, "verify_message", "") or str(cert)
            return ClusterError(f"TLS failure talking to {host}: certificate verify failed "
                                f"({detail}); check the cluster's certificate-authority")
        if isinstance(e, (aiohttp.ClientSSLError, ssl.SSLError)):
            return ClusterError(f"TLS failure talking to {host}: {_describe_exc(e)}")
        if isinstance(e, aiohttp.ClientConnectorError):
            return ClusterError(f"cannot reach the server at {host}: {_describe_exc(e)}")
        if isinstance(e, asyncio.TimeoutError):
            return ClusterError(f"the server at {host} did not answer in time")
        return ClusterError(f"the connection to {host} failed: {_describe_exc(e)}")

    def _status_error(self, method: str, path: str, params: dict[str, str], status: int,
                      headers: Mapping[str, str], raw: bytes) -> ClusterError:
        message, reason = "", ""
        causes: tuple[str, ...] = ()
        try:
            doc = orjson.loads(raw)
            if isinstance(doc, dict):
                message, reason = str(doc.get("message") or ""), str(doc.get("reason") or "")
                causes = status_causes(doc)
        except orjson.JSONDecodeError:
            message = raw.decode(errors="replace").strip()[:200]
        retry_after = None
        if status == 429 or headers.get("Retry-After"):
            try:
                retry_after = float(headers.get("Retry-After", "1"))
            except ValueError:
                retry_after = 1.0
        verb = "watch" if params.get("watch") in ("true", "1") else _VERBS.get(method, method)
        target = _describe_path(path)
        if verb == "get" and not _names_object(path):
            verb = "list"
        if status == 401:
            text = (f"Unauthorized: the server at {self.configuration.host} rejected the "
                    f"credentials of user {self.info.user!r} (context {self.info.name!r})")
        elif status == 403:
            text = f"Forbidden: you may not {verb} {target}"
        elif status == 404:
            text = f"Not found: {target}"
        elif status == 429:
            text = f"The server is busy (429): retry in {retry_after:g} s"
        elif status == 410:
            text = f"Expired: {target} must be listed again"
        elif status >= 500:
            text = f"Server error {status} on {verb} {target}"
        else:
            text = f"{reason or 'Error'} ({status}) on {verb} {target}"
        if message and message not in text:
            text += f" ({message})"
        return ClusterError(text, status=status, reason=reason, retry_after=retry_after,
                            causes=causes)


class LineStream:
    """The lines of an open response body, newline stripped."""

    def __init__(self, resp: aiohttp.ClientResponse, host: str) -> None:
        self._resp = resp
        self._host = host

    def __aiter__(self) -> LineStream:
        return self

    async def __anext__(self) -> bytes:
        try:
            line = await self._resp.content.readline()
        except (aiohttp.ClientError, asyncio.TimeoutError) as e:
            raise ClusterError(f"the stream from {self._host} broke: {_describe_exc(e)}",
                               reason="Disconnected") from None
        if not line:
            raise StopAsyncIteration
        return line[:-1] if line.endswith(b"\n") else line


def _query_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _describe_exc(e: BaseException) -> str:
    """The OS's words for a socket error ("Connection refused"), else the exception's."""
    os_error = getattr(e, "os_error", e)
    errno = getattr(os_error, "errno", None)
    if errno:
        return os.strerror(errno)
    return str(e) or type(e).__name__


def _split_path(path: str) -> tuple[str, str, str, str, str]:
    """(group, namespace, plural, name, subresource) of an API path; blanks where absent."""
    segs = [s for s in path.split("?")[0].split("/") if s]
    group = ""
    if segs[:1] == ["api"]:
        segs = segs[2:]
    elif segs[:1] == ["apis"] and len(segs) >= 3:
        group, segs = segs[1], segs[3:]
    else:
        return "", "", "", "", ""
    namespace = ""
    if len(segs) >= 3 and segs[0] == "namespaces":
        namespace, segs = segs[1], segs[2:]
    segs += ["", "", ""]
    return group, namespace, segs[0], segs[1], segs[2]


def _names_object(path: str) -> bool:
    return bool(_split_path(path)[3])


def _describe_path(path: str) -> str:
    """`pods in namespace "default"`, `deployment "web" in namespace "shop"`, ..."""
    group, namespace, plural, name, sub = _split_path(path)
    if not plural:
        return path
    what = f'{plural} "{name}"' if name else plural
    if sub:
        what = f"{sub} of {what}"
    if namespace:
        return f'{what} in namespace "{namespace}"'
    known = by_key(group, plural)
    if not name and known is not None and known.namespaced:
        return f"{what} in all namespaces"
    return what
