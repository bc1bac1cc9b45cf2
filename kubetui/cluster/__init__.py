"""The cluster client: kubeconfig, connections, requests, the watch store (no Textual).

aiohttp is imported here, before any of the package's modules can import it, by
`_import_aiohttp`."""

from __future__ import annotations

import os
import sys

#: Where OpenSSL looks for the system's CA certificates when a context asks for the
#: defaults (`ssl.create_default_context()` without a CA of its own).
_CA_LOCATIONS = ("SSL_CERT_FILE", "SSL_CERT_DIR")


def _import_aiohttp() -> None:
    """Import aiohttp with OpenSSL's default CA locations pointed at nothing, then put
    them back. On import aiohttp builds two default TLS contexts, each loading the system's
    CA bundle: ~35 ms of CPU before the first rows (issue 19). They serve only requests
    that bring no TLS context of their own, and kubetui's always bring one
    (`connection.open_session`, which reads the system's CAs itself, after this, when a
    context names no CA). Nothing happens when aiohttp is already loaded."""
    if "aiohttp" in sys.modules:
        return
    saved = {name: os.environ.get(name) for name in _CA_LOCATIONS}
    os.environ.update(dict.fromkeys(_CA_LOCATIONS, os.devnull))
    try:
        import aiohttp  # noqa: F401
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


_import_aiohttp()
