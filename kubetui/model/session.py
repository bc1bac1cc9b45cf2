"""One connected context: its client, watch store, server version and kinds.

The UI opens a `Session` per context and closes the old one on a switch, so nothing of one
cluster (connections, streams) outlives the move to another.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field

from kubetui.cluster.client import ClusterClient
from kubetui.cluster.errors import ClusterError
from kubetui.cluster.kubeconfig import ContextInfo, Kubeconfig
from kubetui.cluster.portforward import ForwardManager
from kubetui.cluster.reflector import StoreSettings
from kubetui.cluster.store import WatchStore
from kubetui.kinds import BUILTIN_KINDS, Kind, browsable, resolve
from kubetui.model.feed import ignore


@dataclass
class Session:
    info: ContextInfo
    client: ClusterClient
    store: WatchStore
    version: str
    kinds: list[Kind]
    discovered: float = field(default_factory=time.monotonic)  # when `kinds` were read
    forwards: ForwardManager = field(init=False)

    def __post_init__(self) -> None:
        self.forwards = ForwardManager(self.client)

    @classmethod
    async def open(cls, kubeconfig: Kubeconfig, context: str, settings: StoreSettings,
                   early: tuple[Kind, str | None] | None = None) -> Session:
        """Connect and ask the server who it is. Raises ConfigError (credentials, plugin)
        or ClusterError (unreachable, 401, ...), with a message meant for a person.

        `early`: the kind and namespace the first view will show, when known before the
        server's kinds are: its list goes out with the version and discovery requests
        instead of after their answers (issue 19), and its stream lingers
        (`StoreSettings.linger`) for the view's feed to take over."""
        client = await ClusterClient.connect(kubeconfig, context)
        store = WatchStore(client, settings)
        listing = store.subscribe(*early, ignore, ignore) if early else None
        # Discovery goes out with the version request too: the first list waited for all
        # three answers, one after the other. The version's failure is the one reported.
        discovering = asyncio.ensure_future(_discover(client))
        try:
            version = await client.server_version()
            kinds = await discovering
        except BaseException:
            discovering.cancel()
            await asyncio.gather(discovering, return_exceptions=True)
            await store.close()
            await client.close()
            raise
        if listing is not None:
            listing.close()  # the stream lingers for the view's feed
        return cls(client.info, client, store, version, kinds)

    async def close(self) -> None:
        await self.forwards.stop_all()
        await self.store.close()
        await self.client.close()

    def resolve(self, name: str) -> Kind | None:
        return resolve(name, browsable(self.kinds))

    async def rediscover(self) -> None:
        """Read the server's kinds again (a CRD created since we connected)."""
        self.kinds = await _discover(self.client)
        self.discovered = time.monotonic()

    async def refresh_kinds(self, older_than: float) -> None:
        """`rediscover` when the kinds were read more than `older_than` seconds ago; a
        failure keeps the kinds known (the command that needs one says why)."""
        if time.monotonic() - self.discovered > older_than:
            try:
                await self.rediscover()
            except ClusterError:
                pass


async def _discover(client: ClusterClient) -> list[Kind]:
    """The server's kinds; the built-in table when discovery is forbidden or broken, so a
    locked-down account still gets the usual views."""
    try:
        return await client.kinds()
    except ClusterError as e:
        if e.status is None:  # the server went away: that is worth saying
            raise
        return list(BUILTIN_KINDS)
