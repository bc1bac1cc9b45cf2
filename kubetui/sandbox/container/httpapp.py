"""The small web app behind a simulated container's HTTP ports.

`/` names the pod and container, `/healthz` answers as the container's readiness is
(503 while it is not ready, as for a pod whose probe fails), `/metrics` serves Prometheus
text with the request counters, `/bytes/N` answers N bytes (up to 64 MiB, for measuring
what a port-forward carries). Every request is written to the container's log as an
access-log line, so a port-forward shows up in `kubectl logs`."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone

from kubetui.sandbox.container.process import HttpReply

HTTP_PORTS = frozenset({80, 3000, 5000, 8000, 8008, 8080, 8081, 8088, 8888, 9000, 9090,
                        9093, 9100})
_HTTP_NAME = re.compile(r"http|web|metrics|api|ui|admin|health|dashboard|prom")
REASONS = {200: "OK", 400: "Bad Request", 404: "Not Found", 405: "Method Not Allowed",
           503: "Service Unavailable"}
MAX_BYTES = 64 * 2**20
_BLOCK = bytes(range(256)) * 4096  # 1 MiB


def serves_http(port: dict) -> bool:
    """Does a containerPort serve the app? An HTTP-ish name or a common HTTP port (TLS
    ports are left out: the app speaks plain HTTP)."""
    if (port.get("protocol") or "TCP") != "TCP":
        return False
    name = (port.get("name") or "").lower()
    return bool(_HTTP_NAME.search(name)) or port.get("containerPort") in HTTP_PORTS


@dataclass
class WebApp:
    pod: str
    namespace: str
    container: str
    image: str
    ready: Callable[[], bool]
    log: Callable[[str], None]
    requests: Counter[tuple[str, str, int]] = field(default_factory=Counter)

    def handle(self, method: str, path: str, headers: dict[str, str],
               client: str = "127.0.0.1") -> HttpReply:
        route = path.split("?", 1)[0]
        if method not in ("GET", "HEAD"):
            status, body = 405, b"method not allowed\n"
        elif route == "/":
            status, body = 200, (f"Hello from {self.namespace}/{self.pod}, container "
                                 f"{self.container} ({self.image})\n").encode()
        elif route == "/healthz":
            ok = self.ready()
            status, body = (200, b"ok\n") if ok else (503, b"not ready\n")
        elif route == "/metrics":
            status, body = 200, self._metrics().encode()
        elif route.startswith("/bytes/"):
            n = route[len("/bytes/"):]
            if not n.isdigit() or int(n) > MAX_BYTES:
                status, body = 400, f"want /bytes/N with N <= {MAX_BYTES}\n".encode()
            else:
                count = int(n)
                status = 200
                body = (_BLOCK * (count // len(_BLOCK) + 1))[:count]
        else:
            status, body = 404, b"404 page not found\n"
        label = "/bytes" if route.startswith("/bytes/") else route if status != 404 else "other"
        self.requests[(method, label, status)] += 1
        agent = next((v for k, v in headers.items() if k.lower() == "user-agent"), "-")
        stamp = datetime.now(timezone.utc).strftime("%d/%b/%Y:%H:%M:%S +0000")
        self.log(f'{client} - - [{stamp}] "{method} {path} HTTP/1.1" {status} {len(body)} '
                 f'"-" "{agent}"')
        content_type = "text/plain; version=0.0.4" if route == "/metrics" else \
            "application/octet-stream" if route.startswith("/bytes/") and status == 200 else \
            "text/plain; charset=utf-8"
        return HttpReply(status, REASONS.get(status, ""),
                         [("Content-Type", content_type), ("Content-Length", str(len(body)))],
                         b"" if method == "HEAD" else body)

    def _metrics(self) -> str:
        lines = ["# HELP http_requests_total Requests served, by method, path and code.",
                 "# TYPE http_requests_total counter"]
        for (method, path, code), n in sorted(self.requests.items()):
            lines.append(f'http_requests_total{{method="{method}",path="{path}",'
                         f'code="{code}"}} {n}')
        lines += ["# HELP up Whether the app is ready.", "# TYPE up gauge",
                  f"up {1 if self.ready() else 0}"]
        return "\n".join(lines) + "\n"
