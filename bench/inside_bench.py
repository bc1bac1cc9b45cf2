"""What kubetui's own exec and port-forward clients carry (no kubectl): the sandbox in its
own process, kubetui's client in this one, loopback only.

    python bench/inside_bench.py [--mib 64] [--repeats 3] [--keys 200]

- port-forward throughput: a `ForwardManager` forward to `pod/web:80` (one
  `pods/portforward` WebSocket per connection, kubetui/cluster/portforward.py) and a plain
  HTTP GET of `/bytes/N` through it, read to the end by another process (as curl would):
  MB/s per transfer;
- keystroke echo: a tty shell opened by `open_shell` (kubetui/cluster/exec.py), one key at
  a time, from sending the key to reading its echo back (kubetui's WebSocket client, the
  API server, the sandbox's terminal line discipline, and back). The terminal bridge's own
  part (one os.read and one os.write per key) is not in it.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from streams_bench import (NODE, POD, arguments,  # kubectl's bench's sandbox and pod
                           print_table, sandbox)

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # this checkout's kubetui

import orjson  # noqa: E402

from kubetui.cluster import kubeconfig  # noqa: E402
from kubetui.cluster.client import ClusterClient  # noqa: E402
from kubetui.cluster.exec import open_shell  # noqa: E402
from kubetui.cluster.portforward import ForwardManager, Target  # noqa: E402
from kubetui.kinds import builtin  # noqa: E402


#: Another process's GET of /bytes/N, read by Content-Length as a keep-alive client reads
#: it (the time stops at the last byte, not at the close after it).
DOWNLOAD = """
import socket, sys, time
port, size = int(sys.argv[1]), int(sys.argv[2])
with socket.create_connection(("127.0.0.1", port), timeout=60) as s:
    started = time.perf_counter()
    s.sendall(f"GET /bytes/{size} HTTP/1.1\\r\\nHost: web\\r\\n\\r\\n".encode())
    data = b""
    while b"\\r\\n\\r\\n" not in data:
        data += s.recv(65536)
    head, _, body = data.partition(b"\\r\\n\\r\\n")
    length = int(next(line.split(b":")[1] for line in head.split(b"\\r\\n")
                      if line.lower().startswith(b"content-length:")))
    got = len(body)
    while got < length:
        chunk = s.recv(1 << 20)
        if not chunk:
            sys.exit(f"only {got} of {length} bytes came through")
        got += len(chunk)
    print(time.perf_counter() - started)
"""


async def download_elsewhere(port: int, size: int) -> float:
    """Seconds for another process to GET /bytes/size through the forward."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-c", DOWNLOAD, str(port), str(size), stdout=subprocess.PIPE)
    out, _ = await proc.communicate()
    if proc.returncode != 0:
        raise RuntimeError("the download failed")
    return float(out)


async def ready(client: ClusterClient) -> None:
    for _ in range(600):
        pod = await client.request("GET", "/api/v1/namespaces/default/pods/web")
        if any(c.get("type") == "Ready" and c.get("status") == "True"
               for c in (pod.get("status") or {}).get("conditions") or ()):
            return
        await asyncio.sleep(0.1)
    raise RuntimeError("pod/web did not become ready")


async def measure(kubeconfig_path: Path, size: int, repeats: int,
                  keys: int) -> tuple[list[float], list[float]]:
    config = kubeconfig.load(str(kubeconfig_path))
    async with await ClusterClient.connect(config, config.current) as client:
        await client.request("POST", "/api/v1/nodes", orjson.loads(NODE))
        await client.request("POST", "/api/v1/namespaces/default/pods", orjson.loads(POD))
        await ready(client)
        manager = ForwardManager(client)
        forward = await manager.start(Target(builtin("Pod"), "default", "web"), 80)
        await download_elsewhere(forward.local_port, 1024)
        mbps = [size / 1e6 / await download_elsewhere(forward.local_port, size)
                for _ in range(repeats)]
        await manager.stop_all()

        session = await open_shell(client, "default", "web", "main")
        output = session.output()
        seen = b""

        async def until(wanted: bytes) -> None:
            nonlocal seen
            while wanted not in seen:
                seen += (await anext(output))[1]
            seen = seen[seen.index(wanted) + len(wanted):]

        await until(b"# ")
        echo = []
        for i in range(keys):
            key = bytes([ord("a") + i % 26])
            started = time.perf_counter()
            await session.send(key)
            await until(key)
            echo.append((time.perf_counter() - started) * 1000)
            if i % 26 == 25:
                await session.send(b"\x15")  # ^U: clear the line
                await until(b"\x08 \x08" * 26)
        await session.close()
    return mbps, echo


def main() -> int:
    args = arguments(__doc__)
    with tempfile.TemporaryDirectory() as tmp, sandbox(Path(tmp)) as kubeconfig_path:
        mbps, echo = asyncio.run(measure(kubeconfig_path, args.mib * 2**20, args.repeats,
                                         args.keys))
    print_table("kubetui's exec and port-forward clients", args.mib, mbps,
                "shell keystroke echo", echo)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
