"""The last line a container's previous instance wrote: what a crash loop died saying
(`kubectl logs --previous --tail=1`), for `:problems`."""

from __future__ import annotations

from kubetui.cluster import paths
from kubetui.cluster.client import ClusterClient
from kubetui.cluster.errors import ClusterError
from kubetui.kinds import builtin

__all__ = ["previous_last_line"]

_POD = builtin("Pod")
#: Seconds without data before giving up on the read (the server sends the tail at once).
READ_TIMEOUT = 5.0


async def previous_last_line(client: ClusterClient, namespace: str, pod: str,
                             container: str) -> str:
    """The line, "" when the previous instance wrote nothing or there is none."""
    query = {"container": container, "previous": "true", "tailLines": 1}
    last = b""
    try:
        async for line in client.stream(paths.object_path(_POD, namespace, pod, "log"), query,
                                        READ_TIMEOUT):
            if line.strip():
                last = line
    except ClusterError:
        return ""  # no previous instance (400), or the pod is gone: nothing to add
    return " ".join(last.decode(errors="replace").split())
