"""The user half of a kubeconfig context: bearer tokens, token files, basic auth, exec plugins.

`Credentials` is installed as the Configuration's `credentials`, which the client awaits
before every request it authenticates. It keeps the `authorization` header fresh: token files are re-read every minute (as
client-go does), exec plugins are run again before their token expires, and `reload()`
re-reads the kubeconfig and fetches new credentials after the server answered 401.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from kubetui.cluster.errors import ConfigError
from kubetui.private_files import private_dir

TOKEN_FILE_PERIOD = 60.0  # seconds a token file's content is trusted before re-reading
EXEC_TIMEOUT = 30.0


class Configuration(Protocol):
    """What credentials fill in of a connection's configuration
    (`kubetui.cluster.connection.Configuration`)."""

    ssl_ca_cert: str | None
    cert_file: str | None
    key_file: str | None
    authorization: str | None


@dataclass(frozen=True)
class UserSource:
    """A kubeconfig user entry and the file it came from."""

    name: str
    value: dict[str, Any]
    source: Path


_secret_dir: Path | None = None
_written: set[str] = set()


def write_secret_file(data: bytes) -> str:
    """Write certificate/key bytes to a private temporary file: the TLS layer only takes
    paths. `discard_secret_files` deletes it as soon as the TLS context has loaded it; the
    folder goes at exit or on SIGHUP/SIGTERM in any case (`kubetui.private_files`)."""
    global _secret_dir
    if _secret_dir is None:
        _secret_dir = private_dir()
    fd, path = tempfile.mkstemp(dir=_secret_dir)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    _written.add(path)
    return path


def discard_secret_files(conf: Configuration) -> None:
    """Delete the files `write_secret_file` wrote for `conf` (its client's TLS context has read them:
    nothing of a client key outlives the loading on disk)."""
    for path in (conf.ssl_ca_cert, conf.cert_file, conf.key_file):
        if path in _written:
            _written.discard(path)
            with contextlib.suppress(OSError):
                os.unlink(path)


class Credentials:
    """Bearer/basic credentials for one context, refreshed as they age."""

    def __init__(self, user: UserSource, reread: Callable[[], UserSource]) -> None:
        self._user = user
        self._reread = reread
        self._lock = asyncio.Lock()
        self._refresh_at: float | None = None  # wall time; None = never expires

    async def prime(self, conf: Configuration) -> None:
        """Load the credentials the first time (runs the exec plugin)."""
        await self._load(conf, first=True)

    async def __call__(self, conf: Configuration) -> None:
        if self._refresh_at is None or time.time() < self._refresh_at:
            return
        async with self._lock:
            if self._refresh_at is not None and time.time() >= self._refresh_at:
                await self._load(conf)

    async def reload(self, conf: Configuration) -> None:
        """After a 401: read the kubeconfig again and fetch fresh credentials."""
        async with self._lock:
            self._user = self._reread()
            await self._load(conf)

    async def _load(self, conf: Configuration, first: bool = False) -> None:
        user, where = self._user.value, f"user {self._user.name!r} in {self._user.source}"
        header: str | None = None
        self._refresh_at = None
        if user.get("exec"):
            status, expiry = await run_exec_plugin(user["exec"], self._user)
            if status.get("token"):
                header = f"Bearer {status['token']}"
            elif status.get("clientCertificateData") and status.get("clientKeyData"):
                if first:  # later certificates cannot reach the open connection pool
                    conf.cert_file = write_secret_file(str(status["clientCertificateData"]).encode())
                    conf.key_file = write_secret_file(str(status["clientKeyData"]).encode())
            else:
                raise ConfigError(f"exec plugin of {where} returned neither a token nor a "
                             "client certificate")
            if expiry is not None:
                now = time.time()
                self._refresh_at = expiry - min(30.0, max(0.0, expiry - now) * 0.2)
        elif user.get("tokenFile"):
            path = self._user.source.parent / Path(str(user["tokenFile"])).expanduser()
            try:
                header = f"Bearer {path.read_text().strip()}"
            except OSError as e:
                raise ConfigError(f"cannot read tokenFile {path} of {where}: {e.strerror}") from None
            self._refresh_at = time.time() + TOKEN_FILE_PERIOD
        elif user.get("token"):
            header = f"Bearer {user['token']}"
        elif user.get("username") is not None and user.get("password") is not None:
            basic = base64.b64encode(f"{user['username']}:{user['password']}".encode())
            header = f"Basic {basic.decode()}"
        elif user.get("auth-provider"):
            name = (user["auth-provider"] or {}).get("name", "?")
            raise ConfigError(f"{where} uses auth-provider {name!r}, which kubetui does not "
                         "support; use an exec credential plugin instead")
        conf.authorization = header


async def run_exec_plugin(spec: dict[str, Any], user: UserSource) -> tuple[dict, float | None]:
    """Run a client-go exec credential plugin; returns its `status` and the token's expiry.

    stdin is /dev/null and `interactive` is false: the plugin must not wait for a person at
    a terminal that the TUI owns."""
    where = f"user {user.name!r} in {user.source}"
    command = str(spec.get("command") or "")
    api_version = str(spec.get("apiVersion") or "")
    if not command or not api_version:
        raise ConfigError(f"exec plugin of {where} needs 'command' and 'apiVersion'")
    if spec.get("interactiveMode") == "Always":
        raise ConfigError(f"exec plugin {command!r} of {where} needs an interactive terminal, "
                     "which kubetui cannot give it; log in with kubectl first")
    if os.sep in command and not os.path.isabs(command):
        command = str(user.source.parent / command)
    env = dict(os.environ)
    for item in spec.get("env") or ():
        env[str(item["name"])] = str(item["value"])
    env["KUBERNETES_EXEC_INFO"] = json.dumps({
        "apiVersion": api_version, "kind": "ExecCredential", "spec": {"interactive": False}})
    resolved = command if os.sep in command else shutil.which(command, path=env.get("PATH"))
    hint = spec.get("installHint")
    if resolved is None or not os.path.isfile(resolved):
        raise ConfigError(f"exec plugin {command!r} of {where} was not found"
                     + (f". {str(hint).strip()}" if hint else ""))
    args = [resolved, *(str(a) for a in spec.get("args") or ())]
    try:
        proc = await asyncio.create_subprocess_exec(
            *args, stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE, env=env)
    except OSError as e:
        raise ConfigError(f"exec plugin {command!r} of {where} could not start: {e.strerror}") from None
    try:
        out, err = await asyncio.wait_for(proc.communicate(), EXEC_TIMEOUT)
    except asyncio.TimeoutError:
        proc.kill()
        await proc.wait()
        raise ConfigError(f"exec plugin {command!r} of {where} did not finish within "
                     f"{EXEC_TIMEOUT:.0f} s") from None
    if proc.returncode != 0:
        detail = err.decode(errors="replace").strip().splitlines()[-3:]
        raise ConfigError(f"exec plugin {command!r} of {where} failed (exit code {proc.returncode})"
                     + (": " + " ".join(detail) if detail else ""))
    try:
        cred = json.loads(out)
        status = cred["status"]
        if not isinstance(status, dict):
            raise TypeError
    except (ValueError, KeyError, TypeError):
        raise ConfigError(f"exec plugin {command!r} of {where} printed no ExecCredential "
                     "with a status") from None
    if cred.get("apiVersion") != api_version:
        raise ConfigError(f"exec plugin {command!r} of {where} answered apiVersion "
                     f"{cred.get('apiVersion')!r}, expected {api_version!r}")
    expiry = None
    if status.get("expirationTimestamp"):
        try:
            expiry = datetime.fromisoformat(str(status["expirationTimestamp"])).timestamp()
        except ValueError:
            raise ConfigError(f"exec plugin {command!r} of {where} gave an unreadable "
                         f"expirationTimestamp {status['expirationTimestamp']!r}") from None
    return status, expiry
