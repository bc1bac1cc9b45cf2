"""`kubetui sandbox --state-dir DIR`: the serving CA, certificate and key and the bearer
token kept in DIR, so that a sandbox stopped and started again with the same DIR and
`--port` is the same endpoint to its clients, as a restarted API server is (its objects
are not kept: the new one starts from its scenario). Files are 0600 in a 0700 folder."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kubetui.private_files import write_private
from kubetui.sandbox.tls import ServingCert, make_serving_cert

_FILES = ("ca.crt", "tls.crt", "tls.key", "token", "ca.key")  # ca.key: for --auth cert


@dataclass(frozen=True)
class Identity:
    """What clients know a server by."""

    tls: ServingCert
    token: str


def load_or_create(folder: Path, host: str, token: str) -> Identity:
    """The identity kept in `folder`; a new one (serving `host`, with `token`) is made and
    kept there when the folder holds none yet."""
    paths = [folder / name for name in _FILES]
    if all(p.is_file() for p in paths):
        ca, cert, key, kept, ca_key = (p.read_bytes() for p in paths)
        return Identity(ServingCert(ca_pem=ca, cert_pem=cert, key_pem=key, ca_key_pem=ca_key),
                        kept.decode().strip())
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    tls = make_serving_cert([host])
    for path, data in zip(paths, (tls.ca_pem, tls.cert_pem, tls.key_pem, token.encode(),
                                  tls.ca_key_pem)):
        write_private(path, data)
    return Identity(tls, token)
