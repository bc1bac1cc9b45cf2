"""A load balancer in front of two API servers with the same identity (`state_dir`) switches
from one to the other, restored from a backup (lower resourceVersions, other objects),
without a single refused connection: the cut watch resumes at once on the new server,
which answers its resourceVersion with an ERROR event (504 Too large resource version)
after the watch cache's 3 s; the reflector lists afresh and converges."""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path

from kubetui.cluster import kubeconfig
from kubetui.cluster.client import ClusterClient
from kubetui.cluster.store import WatchStore
from kubetui.sandbox.kubeconfig import write_kubeconfig
from tests.cluster.helpers import FAST, Recorder
from tests.cluster.test_store import CM_PATH, CONFIGMAP, change_cm, converged, make_cm
from tests.waiting import wait_for


class Balancer:
    """Forwards TCP connections to `target`; `switch` sends new ones elsewhere and cuts the
    open ones, as a load balancer failing over does."""

    def __init__(self, target: int) -> None:
        self.target = target
        self._open: set[asyncio.StreamWriter] = set()
        self._server: asyncio.Server | None = None

    async def start(self) -> int:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        return self._server.sockets[0].getsockname()[1]

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target)
        self._open |= {writer, up_writer}

        async def pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
            with contextlib.suppress(ConnectionError, OSError):
                while data := await src.read(65536):
                    dst.write(data)
                    await dst.drain()
            dst.close()

        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))
        self._open -= {writer, up_writer}

    def switch(self, target: int) -> None:
        self.target = target
        for writer in list(self._open):
            writer.close()

    async def stop(self) -> None:
        self.switch(self.target)
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()


async def test_a_restored_server_behind_the_same_address_is_relisted(
        start_sandbox, tmp_path: Path) -> None:
    state = tmp_path / "state"
    old = await start_sandbox("old", state_dir=str(state), controllers=False)
    for i in range(5):
        make_cm(old, f"old-{i}")
    for i in range(200):  # resourceVersions well above what the restored server has
        change_cm(old, "old-0", n=str(i))
    balancer = Balancer(old.server.port)
    port = await balancer.start()
    config = write_kubeconfig(tmp_path / "balanced", f"https://127.0.0.1:{port}", old.ca_pem,
                              token=old.sandbox.token)
    cfg = kubeconfig.load(str(config))
    client = await ClusterClient.connect(cfg, cfg.current)
    store = WatchStore(client, FAST)
    try:
        rec = Recorder()
        rec.subscribe(store, CONFIGMAP, "default")
        await wait_for(converged(rec, old))
        await wait_for(lambda: rec.states[-1:] == ["live"])

        new = await start_sandbox("new", state_dir=str(state), controllers=False)
        for i in range(3):
            make_cm(new, f"restored-{i}")
        assert new.sandbox.store.rv < old.sandbox.store.rv
        seen = len(rec.health)
        balancer.switch(new.server.port)
        await wait_for(converged(rec, new), timeout=20, message="the restored server's list")
        assert {e.name for e in rec.rows.values()} == {f"restored-{i}" for i in range(3)}
        # what the new server was asked: a watch from the old resourceVersion (answered
        # with the ERROR event), then a list from scratch
        asked = [(r.query, r.status) for r in new.server.requests if r.path == CM_PATH]
        assert any("watch=true" in q for q, _ in asked)
        assert any("watch=true" not in q and "resourceVersion=" not in q and s == 200
                   for q, s in asked)
        assert "syncing" in rec.states[seen:]  # said while it listed again
        # live once its watch is up, which may come after the list's rows
        await wait_for(lambda: rec.states[-1:] == ["live"], message="live again")
    finally:
        await store.close()
        await client.close()
        await balancer.stop()
