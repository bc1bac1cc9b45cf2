"""GET pods/<name>/log: a container's output from the sandbox's `LogHub`, with kubectl's
options (container, previous, follow, timestamps, sinceSeconds, sinceTime, tailLines,
limitBytes) and the real server's errors for a container that has no log yet."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from aiohttp import web

from kubetui.sandbox.apiserver.http_io import go_bool, int_param, method_not_allowed
from kubetui.sandbox.apiserver.routing import Route
from kubetui.sandbox.apiserver.store import Obj
from kubetui.sandbox.core import Sandbox
from kubetui.sandbox.errors import bad_request
from kubetui.sandbox.logs import LogLine


@dataclass
class LogStreams:
    """Serves pod logs; knows the followers being served so shutdown can end them."""

    sandbox: Sandbox
    _followers: set[asyncio.Task[Any]] = field(default_factory=set)

    def cancel_all(self) -> None:
        for task in list(self._followers):  # followers would hold the shutdown up
            task.cancel()

    async def serve(self, request: web.Request, r: Route) -> web.StreamResponse:
        if request.method != "GET":
            raise method_not_allowed()
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
        limit = int_param(q, "limitBytes")
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
            self._followers.add(task)
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
                self._followers.discard(task)
            with contextlib.suppress(Exception):
                await rest.aclose()  # type: ignore[attr-defined]
        return resp


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
    since = int_param(q, "sinceSeconds")
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
