"""What the sandbox's streaming endpoints carry, with the real kubectl as the client.

    python bench/streams_bench.py [--mib 64] [--repeats 3] [--keys 200]

`kubetui sandbox` runs as a person runs it, with one node and an nginx pod. Then:

- port-forward throughput: `kubectl port-forward pod/web :80` (SPDY inside a WebSocket)
  and a plain HTTP GET of `/bytes/N` through it on loopback, read to the end: MB/s per
  transfer (the container's app, the API server and kubectl all on this machine);
- exec keystroke echo: `kubectl exec -it web -- sh` under a pseudo-terminal, one key at a
  time, the time from writing the key to seeing its echo (the round trip through kubectl,
  the WebSocket, the sandbox's terminal line discipline and back).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import pty
import re
import select
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

BENCH = Path(__file__).resolve().parent
POD = """{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web"},
 "spec": {"containers": [{"name": "main", "image": "nginx:1.27",
                          "ports": [{"name": "http", "containerPort": 80}]}]}}"""
NODE = '{"apiVersion": "v1", "kind": "Node", "metadata": {"name": "node-1"}}'


@contextlib.contextmanager
def sandbox(folder: Path) -> Iterator[Path]:
    kubeconfig = folder / "kubeconfig"
    proc = subprocess.Popen([sys.executable, "-m", "kubetui.cli", "sandbox", "--pace", "0.1",
                             "--kubeconfig", str(kubeconfig)],
                            cwd=BENCH.parent, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)
    try:
        assert proc.stdout is not None
        if "serving" not in proc.stdout.readline():
            raise RuntimeError("the sandbox did not start")
        yield kubeconfig
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=60)


def kubectl(kc: list[str], *args: str, input: str | None = None) -> str:
    return subprocess.run([*kc, *args], input=input, capture_output=True, text=True,
                          check=True, timeout=60).stdout


def download(port: int, size: int) -> float:
    """Seconds to GET /bytes/size through the forward and read all of it."""
    with socket.create_connection(("127.0.0.1", port), timeout=60) as s:
        started = time.perf_counter()
        s.sendall(f"GET /bytes/{size} HTTP/1.1\r\nHost: web\r\nConnection: close\r\n\r\n"
                  .encode())
        got = 0
        while chunk := s.recv(1 << 20):
            got += len(chunk)
        took = time.perf_counter() - started
    if got < size:
        raise RuntimeError(f"only {got} of {size} bytes came through")
    return took


def port_forward_mbps(kc: list[str], size: int, repeats: int) -> list[float]:
    proc = subprocess.Popen([*kc, "port-forward", "--address=127.0.0.1", "pod/web", ":80"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        assert proc.stdout is not None
        m = re.search(r":(\d+) -> 80", proc.stdout.readline())
        if not m:
            raise RuntimeError("kubectl port-forward did not start")
        port = int(m.group(1))
        download(port, 1024)  # the first connection sets the SPDY streams up
        return [size / 1e6 / download(port, size) for _ in range(repeats)]
    finally:
        proc.terminate()
        proc.wait(10)


def echo_latency_ms(kc: list[str], keys: int) -> list[float]:
    master, slave = pty.openpty()
    proc = subprocess.Popen([*kc, "exec", "-it", "web", "--", "sh"], stdin=slave,
                            stdout=slave, stderr=slave, start_new_session=True)
    os.close(slave)

    def read_until(wanted: bytes, timeout: float = 20) -> None:
        buf, end = b"", time.monotonic() + timeout
        while wanted not in buf:
            if time.monotonic() > end:
                raise RuntimeError(f"no {wanted!r} in {buf[-200:]!r}")
            if select.select([master], [], [], 0.5)[0]:
                buf += os.read(master, 65536)

    try:
        read_until(b"# ")
        out = []
        for i in range(keys):
            key = bytes([ord("a") + i % 26])
            started = time.perf_counter()
            os.write(master, key)
            read_until(key)
            out.append((time.perf_counter() - started) * 1000)
            if i % 26 == 25:
                os.write(master, b"\x15")  # ^U: clear the line
                read_until(b"\x08 \x08" * 26)
        return out
    finally:
        proc.kill()
        proc.wait(10)
        os.close(master)


def arguments(doc: str) -> argparse.Namespace:
    """--mib, --repeats and --keys, as both stream benches take them."""
    ap = argparse.ArgumentParser(description=doc.splitlines()[0])
    ap.add_argument("--mib", type=int, default=64, help="size of each download")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--keys", type=int, default=200)
    return ap.parse_args()


def main() -> int:
    args = arguments(__doc__)
    binary = shutil.which("kubectl")
    if binary is None:
        print("kubectl is not installed: nothing to measure")
        return 1
    with tempfile.TemporaryDirectory() as tmp, sandbox(Path(tmp)) as kubeconfig:
        kc = [binary, f"--kubeconfig={kubeconfig}", f"--cache-dir={Path(tmp) / 'cache'}"]
        kubectl(kc, "apply", "-f", "-", input=NODE)
        kubectl(kc, "apply", "-f", "-", input=POD)
        kubectl(kc, "wait", "--for=condition=Ready", "pod/web", "--timeout=60s")
        mbps = port_forward_mbps(kc, args.mib * 2**20, args.repeats)
        echo = echo_latency_ms(kc, args.keys)
    print_table("streams bench", args.mib, mbps, "exec -it keystroke echo", echo)
    return 0


def print_table(title: str, mib: int, mbps: list[float], echo_what: str,
                echo: list[float]) -> None:
    """The figures as a table: MB/s median and best, echo ms median and p95."""
    load = os.getloadavg()[0]
    print(f"{title} (load average {load:.1f} on {os.cpu_count()} CPUs)")
    print(f"{'measure':<46} {'median':>10} {'best/p95':>10}")
    print(f"{f'port-forward {mib} MiB GET, MB/s':<46} "
          f"{statistics.median(mbps):>10.1f} {max(mbps):>10.1f}")
    q = statistics.quantiles(echo, n=20)
    print(f"{f'{echo_what}, ms ({len(echo)} keys)':<46} "
          f"{statistics.median(echo):>10.2f} {q[18]:>10.2f}")


if __name__ == "__main__":
    raise SystemExit(main())
