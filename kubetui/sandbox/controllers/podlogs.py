"""Believable container output for the simulated kubelet, written into the `LogHub`.

Three flavours, chosen from the image name by the kubelet: an nginx access log, JSON lines
for apps and APIs, and plain timestamped lines for everything else. `LogWriter.tick` is
the only place steady output is produced: one call per kubelet tick covers every running
container, and the lines it writes per second are capped (`budget`), so 50,000 containers
take turns instead of costing 50,000 appends a second.
"""

from __future__ import annotations

import random
from collections import deque
from dataclasses import dataclass
from datetime import datetime, timezone

import orjson

from kubetui.sandbox.logs import ContainerKey, LogHub

NGINX, JSON, PLAIN = "nginx", "json", "plain"

_PATHS = ("/", "/index.html", "/api/orders", "/api/users/42", "/healthz", "/static/app.js",
          "/api/cart", "/favicon.ico", "/login", "/api/search?q=shoes")
_METHODS = ("GET", "GET", "GET", "GET", "POST", "PUT", "DELETE")
_STATUSES = (200, 200, 200, 200, 200, 200, 201, 204, 304, 404, 500)
_AGENTS = ("curl/8.5.0", "kube-probe/1.32", "Mozilla/5.0 (X11; Linux x86_64)",
           "Go-http-client/1.1", "python-requests/2.32.3")
_PLAIN_MESSAGES = ("processed batch of {n} items", "heartbeat ok (queue depth {n})",
                   "cache refreshed: {n} keys", "connected to upstream in {n}ms",
                   "flushed {n} metrics", "worker {n} idle")


def flavour_of(image: str) -> str:
    name = image.lower()
    if "nginx" in name:
        return NGINX
    if any(word in name for word in ("api", "app", "svc", "service", "backend", "worker")):
        return JSON
    return PLAIN


def startup_lines(flavour: str, name: str) -> list[str]:
    if flavour == NGINX:
        return [
            "/docker-entrypoint.sh: /docker-entrypoint.d/ is not empty, will attempt to "
            "perform configuration",
            "/docker-entrypoint.sh: Looking for shell scripts in /docker-entrypoint.d/",
            "/docker-entrypoint.sh: Launching /docker-entrypoint.d/10-listen-on-ipv6-by-"
            "default.sh",
            "/docker-entrypoint.sh: Configuration complete; ready for start up",
            f"{_nginx_time()} [notice] 1#1: using the \"epoll\" event method",
            f"{_nginx_time()} [notice] 1#1: start worker processes",
        ]
    if flavour == JSON:
        return [_json("info", "starting", service=name, version="1.4.2"),
                _json("info", "listening", addr=":8080")]
    return [f"{_plain_time()} INFO  [main] starting {name}",
            f"{_plain_time()} INFO  [main] ready"]


def crash_lines(flavour: str) -> list[str]:
    """What a crashing container prints last."""
    if flavour == NGINX:
        return [f"{_nginx_time()} [emerg] 1#1: host not found in upstream \"backend:8080\" "
                "in /etc/nginx/conf.d/default.conf:14",
                "nginx: [emerg] host not found in upstream \"backend:8080\" in "
                "/etc/nginx/conf.d/default.conf:14"]
    if flavour == JSON:
        return [_json("error", "database ping failed",
                      error="dial tcp 10.96.0.42:5432: connect: connection refused"),
                _json("fatal", "cannot start without a database")]
    return [f"{_plain_time()} ERROR [main] could not connect to redis:6379: "
            "connection refused",
            "panic: runtime error: invalid memory address or nil pointer dereference",
            "[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x4a2b1c]"]


def done_lines(flavour: str) -> list[str]:
    """What a container that finishes its work prints last."""
    if flavour == JSON:
        return [_json("info", "work finished", items=128)]
    return [f"{_plain_time()} INFO  [main] done"]


def shutdown_lines(flavour: str) -> list[str]:
    """What a container prints on SIGTERM."""
    if flavour == NGINX:
        return [f"{_nginx_time()} [notice] 1#1: signal 15 (SIGTERM) received, exiting",
                f"{_nginx_time()} [notice] 1#1: exit"]
    if flavour == JSON:
        return [_json("info", "received SIGTERM, shutting down gracefully")]
    return [f"{_plain_time()} INFO  [main] received SIGTERM, shutting down"]


def steady_line(flavour: str, rng: random.Random, now: datetime) -> str:
    if flavour == NGINX:
        status = rng.choice(_STATUSES)
        return (f"10.244.{rng.randrange(4)}.{rng.randrange(2, 250)} - - "
                f"[{now.strftime('%d/%b/%Y:%H:%M:%S +0000')}] "
                f"\"{rng.choice(_METHODS)} {rng.choice(_PATHS)} HTTP/1.1\" {status} "
                f"{rng.randrange(0, 4096) if status != 304 else 0} \"-\" "
                f"\"{rng.choice(_AGENTS)}\"")
    if flavour == JSON:
        status = rng.choice(_STATUSES)
        level = "error" if status >= 500 else "warn" if status >= 400 else "info"
        return _json(level, "request completed", now=now, method=rng.choice(_METHODS),
                     path=rng.choice(_PATHS), status=status,
                     duration_ms=rng.randrange(1, 250), request_id=f"{rng.getrandbits(64):016x}")
    msg = rng.choice(_PLAIN_MESSAGES).format(n=rng.randrange(1, 500))
    return f"{now.strftime('%Y-%m-%d %H:%M:%S')} INFO  [worker] {msg}"


def _json(level: str, msg: str, now: datetime | None = None, **fields: object) -> str:
    ts = (now or datetime.now(timezone.utc)).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    return orjson.dumps({"ts": ts, "level": level, "msg": msg, **fields}).decode()


def _nginx_time() -> str:
    return datetime.now(timezone.utc).strftime("%Y/%m/%d %H:%M:%S")


def _plain_time() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S")


@dataclass
class _Source:
    flavour: str
    chatty: bool
    carry: float = 0.0


class LogWriter:
    """Writes every running container's output. `rate` lines per second per container,
    `chatty_rate` for containers marked chatty, at most `budget` lines per second for
    the ordinary ones together (they then take turns)."""

    def __init__(self, hub: LogHub, rate: float, chatty_rate: float, budget: float) -> None:
        self.hub = hub
        self.rate = rate
        self.chatty_rate = chatty_rate
        self.budget = budget
        self._sources: dict[ContainerKey, _Source] = {}
        # Ordinary sources in turn; an entry whose source was replaced or stopped is stale.
        self._turns: deque[tuple[ContainerKey, _Source]] = deque()
        self._chatty: set[ContainerKey] = set()
        self._carry = 0.0
        self._rng = random.Random()

    def start(self, key: ContainerKey, flavour: str, chatty: bool, first: list[str],
              steady: bool = True) -> None:
        """A container instance starts: a fresh log (the last one becomes `previous`),
        beginning with `first`, then steady output unless `steady` is false."""
        self.hub.start(key)
        for line in first:
            self.hub.append(key, line)
        if not steady:
            return
        src = self._sources[key] = _Source(flavour, chatty)
        if chatty:
            self._chatty.add(key)
        else:
            self._turns.append((key, src))

    def write(self, key: ContainerKey, lines: list[str]) -> None:
        for line in lines:
            self.hub.append(key, line)

    def stop(self, key: ContainerKey, last: list[str] | None = None) -> None:
        """The container exits after printing `last`."""
        self.write(key, last or [])
        self.hub.stop(key)
        self._sources.pop(key, None)  # its entry in `_turns` goes stale
        self._chatty.discard(key)

    def forget_pod(self, namespace: str, pod: str) -> None:
        """Every source of the pod started through the hub, whose per-pod index says
        which containers it had (forgetting must not scan every container's source)."""
        for container in self.hub.forget_pod(namespace, pod):
            key = (namespace, pod, container)
            self._sources.pop(key, None)
            self._chatty.discard(key)

    def tick(self, dt: float) -> None:
        """Write the lines due over the last `dt` seconds."""
        now = datetime.now(timezone.utc)
        want = self._carry + (len(self._sources) - len(self._chatty)) * self.rate * dt
        lines = min(int(want), int(self.budget * dt) + 1)
        self._carry = want - int(want) if lines == int(want) else 0.0
        written = 0
        while written < lines and self._turns:
            key, src = self._turns.popleft()
            if self._sources.get(key) is not src:
                continue
            self.hub.append(key, steady_line(src.flavour, self._rng, now), now)
            self._turns.append((key, src))
            written += 1
        for key in self._chatty:
            src = self._sources[key]
            src.carry += self.chatty_rate * dt
            for _ in range(int(src.carry)):
                self.hub.append(key, steady_line(src.flavour, self._rng, now), now)
            src.carry -= int(src.carry)
