"""Ephemeral debug containers, as `kubectl debug POD -it --image=IMAGE --target=C` adds
them: a strategic-merge patch of the pod's `ephemeralcontainers` subresource adding one
container (stdin and tty on, sharing the target container's process namespace), then a
wait until the kubelet runs it. No Textual.
"""

from __future__ import annotations

import asyncio
import secrets
import string
from dataclasses import dataclass
from typing import Any

from kubetui.cluster.actions import STRATEGIC_PATCH, Ref, Request, Result, explain
from kubetui.cluster.client import ClusterClient
from kubetui.cluster.errors import ClusterError

__all__ = ["DEFAULT_IMAGE", "DebugContainer", "add_debug_container", "wait_running"]

DEFAULT_IMAGE = "busybox"
_SUFFIX = string.ascii_lowercase + string.digits


@dataclass(frozen=True)
class DebugContainer:
    result: Result
    name: str  # "" when it was not added


def _debugger_name(taken: set[str]) -> str:
    """kubectl's naming: `debugger-` and five random characters."""
    while True:
        name = "debugger-" + "".join(secrets.choice(_SUFFIX) for _ in range(5))
        if name not in taken:
            return name


def container_names(pod: dict[str, Any]) -> set[str]:
    spec = pod.get("spec") or {}
    return {str(c.get("name")) for key in ("containers", "initContainers",
                                            "ephemeralContainers")
            for c in spec.get(key) or ()}


async def add_debug_container(client: ClusterClient, ref: Ref, target: str,
                              image: str = DEFAULT_IMAGE) -> DebugContainer:
    """Add a debug container running `image` to pod `ref`, targeting container
    `target`'s processes. The result names the container or says why not."""
    try:
        pod = await client.request("GET", ref.path())
    except ClusterError as e:
        return DebugContainer(Result(False, explain(e, ref)), "")
    name = _debugger_name(container_names(pod))
    container = {"name": name, "image": image, "imagePullPolicy": "IfNotPresent",
                 "stdin": True, "tty": True, "terminationMessagePolicy": "File",
                 "targetContainerName": target}
    body = {"spec": {"ephemeralContainers": [container]}}
    request = Request("PATCH", ref.path("ephemeralcontainers"), body, STRATEGIC_PATCH)
    try:
        await client.request("PATCH", request.path, body, content_type=STRATEGIC_PATCH)
    except ClusterError as e:
        return DebugContainer(Result(False, explain(e, ref), [request]), "")
    return DebugContainer(Result(True, f"debug container {name} ({image}) added to {ref}, "
                                       f"targeting {target}", [request]), name)


async def wait_running(client: ClusterClient, ref: Ref, container: str,
                       timeout: float = 60.0, interval: float = 0.25) -> str | None:
    """None once `container` (an ephemeral one) runs; else why it does not, in words."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    waiting = "not started yet"
    while loop.time() < deadline:
        try:
            pod = await client.request("GET", ref.path())
        except ClusterError as e:
            return explain(e, ref)
        for status in (pod.get("status") or {}).get("ephemeralContainerStatuses") or ():
            if status.get("name") != container:
                continue
            state = status.get("state") or {}
            if "running" in state:
                return None
            if "terminated" in state:
                ended = state["terminated"]
                return (f"{container} ended at once ({ended.get('reason') or 'exit code'} "
                        f"{ended.get('exitCode', '')})").replace("  ", " ")
            reason = (state.get("waiting") or {}).get("reason")
            if reason:
                waiting = f"waiting: {reason}"
        await asyncio.sleep(interval)
    return f"{container} did not start within {timeout:g}s ({waiting})"
