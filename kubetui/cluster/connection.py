"""How to reach one context's server: its address, TLS files, proxy and credentials.

This used to be kubernetes-asyncio's `Configuration` and `ApiClient`, but importing that
package's client loads every one of its ~800 model classes (a third of a second of CPU and
~55 MiB at start), while kubetui only needs the TLS context and the aiohttp session they
set up. `open_session` sets them up the same way, except for the environment's proxy
settings: kubernetes-asyncio's session (`trust_env`) looks them up, and `~/.netrc`, in a
worker thread before every request, two thread hops that also keep a paged list's next
request from going out while the current page is handled. `proxy_for` reads them once
(HTTPS_PROXY, HTTP_PROXY, NO_PROXY, as kubectl does; kubectl reads no .netrc).
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass
from typing import TYPE_CHECKING

import aiohttp
from aiohttp.helpers import get_env_proxy_for_url
from yarl import URL

if TYPE_CHECKING:
    from kubetui.cluster.credentials import Credentials

#: Watch events carrying large objects exceed aiohttp's default read buffer; etcd's
#: default request limit is 1.5 MiB.
READ_BUFFER = 2**21
MAX_CONNECTIONS = 100


@dataclass
class Configuration:
    """A context's server and how to talk to it (what a kubeconfig context resolves to)."""

    host: str
    verify_ssl: bool = True
    ssl_ca_cert: str | None = None  # file paths: the TLS layer takes only paths
    cert_file: str | None = None
    key_file: str | None = None
    tls_server_name: str | None = None
    proxy: str | None = None
    authorization: str | None = None  # the Authorization header's value, kept fresh by:
    credentials: Credentials | None = None

    async def authorization_header(self) -> str | None:
        """The Authorization header for the next request (credentials refreshed first
        when they are due)."""
        if self.credentials is not None:
            await self.credentials(self)
        return self.authorization


def proxy_for(conf: Configuration) -> tuple[str | None, aiohttp.BasicAuth | None]:
    """The proxy to reach the server through, and its credentials: the kubeconfig's
    proxy-url, else the environment's proxy for the server's address."""
    if conf.proxy:
        return conf.proxy, None
    try:
        proxy, auth = get_env_proxy_for_url(URL(conf.host))
    except LookupError:
        return None, None
    return str(proxy), auth


def open_session(conf: Configuration) -> aiohttp.ClientSession:
    """An HTTP session trusting the context's CA and presenting its client certificate."""
    context = ssl.create_default_context(cafile=conf.ssl_ca_cert)
    if conf.cert_file:
        context.load_cert_chain(conf.cert_file, keyfile=conf.key_file)
    if not conf.verify_ssl:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=MAX_CONNECTIONS,
                                                                ssl=context),
                                 read_bufsize=READ_BUFFER)
