"""kubeconfig files read as kubectl reads them, turned into a connection `Configuration`.

Which files: `--kubeconfig` alone when given (it must exist); else every file in `KUBECONFIG`
(missing ones skipped); else `~/.kube/config`. Merging follows client-go: the first file
that defines a cluster, user or context by name wins, and so does the first non-empty
`current-context`; one file naming two of a kind alike is an error, as client-go's
conversion of its lists makes it (clientcmd/api/v1/conversion.go, "duplicate name"). Relative paths in a file are relative to that file's folder. When no file
defines any context and the process runs in a pod, the service account is used.

Parsing is ours rather than kubernetes-asyncio's loader, because that loader lets an exec
plugin inherit the terminal (a TUI cannot let it prompt), reads credentials only once, and
reports problems without naming the file they came from.
"""

from __future__ import annotations

import base64
import binascii
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from kubetui.cluster.connection import Configuration
from kubetui.cluster.credentials import Credentials, UserSource, write_secret_file
from kubetui.cluster.errors import ConfigError, yaml_problem

DEFAULT_NAMESPACE = "default"
#: Where a pod's service account is mounted; tests point it elsewhere.
SERVICE_ACCOUNT_DIR = Path("/var/run/secrets/kubernetes.io/serviceaccount")
IN_CLUSTER = "in-cluster"


@dataclass(frozen=True)
class ContextInfo:
    name: str
    cluster: str
    user: str
    namespace: str
    server: str


@dataclass(frozen=True)
class _Entry:
    """One named cluster/user/context and the file it came from (relative paths)."""

    value: dict[str, Any]
    source: Path


@dataclass
class _Merged:
    clusters: dict[str, _Entry] = field(default_factory=dict)
    users: dict[str, _Entry] = field(default_factory=dict)
    contexts: dict[str, _Entry] = field(default_factory=dict)
    current: str = ""
    files: list[Path] = field(default_factory=list)


def config_paths(kubeconfig: str | None = None) -> tuple[list[Path], bool]:
    """The files to read, and whether they were named explicitly (then they must exist)."""
    if kubeconfig:
        return [Path(kubeconfig).expanduser()], True
    env = os.environ.get("KUBECONFIG", "")
    if env:
        paths = [Path(p).expanduser() for p in env.split(os.pathsep) if p]
        return list(dict.fromkeys(paths)), False
    return [Path.home() / ".kube" / "config"], False


def load(kubeconfig: str | None = None, context: str | None = None) -> Kubeconfig:
    """Read and merge the kubeconfig files; `context` overrides `current-context`."""
    paths, explicit = config_paths(kubeconfig)
    if explicit and not paths[0].is_file():
        raise ConfigError(f"kubeconfig {paths[0]} does not exist")
    merged = _Merged()
    for path in paths:
        if path.is_file():
            _merge(merged, path, _read(path))
    if not merged.contexts:
        in_cluster = _in_cluster()
        if in_cluster is not None:
            merged = in_cluster
        elif not explicit:
            looked = ", ".join(str(p) for p in paths)
            raise ConfigError(f"no kubeconfig with a context was found (looked in {looked}); "
                              "set KUBECONFIG or pass --kubeconfig")
    cfg = Kubeconfig(merged)
    if context is not None:
        cfg.context(context)  # validates
        cfg.current = context
    return cfg


def _read(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text()
    except OSError as e:
        raise ConfigError(f"cannot read kubeconfig {path}: {e.strerror}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as e:
        raise ConfigError(f"kubeconfig {path} is not valid YAML{yaml_problem(e)}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"kubeconfig {path} is not a kubeconfig: expected a mapping at the top")
    return data


def _merge(merged: _Merged, path: Path, data: dict[str, Any]) -> None:
    merged.files.append(path)
    for section, inner, target in (("clusters", "cluster", merged.clusters),
                                   ("users", "user", merged.users),
                                   ("contexts", "context", merged.contexts)):
        items = data.get(section) or []
        if not isinstance(items, list):
            raise ConfigError(f"kubeconfig {path}: '{section}' must be a list")
        seen: set[str] = set()
        for item in items:
            if not isinstance(item, dict) or not isinstance(item.get("name"), str):
                raise ConfigError(f"kubeconfig {path}: every entry of '{section}' needs a name")
            if item["name"] in seen:  # client-go's conversion refuses the whole file
                raise ConfigError(f"kubeconfig {path}: duplicate {section[:-1]} name "
                                  f"{item['name']!r} in '{section}'")
            seen.add(item["name"])
            value = item.get(inner) or {}
            if not isinstance(value, dict):
                raise ConfigError(
                    f"kubeconfig {path}: {section[:-1]} {item['name']!r} must be a mapping")
            target.setdefault(item["name"], _Entry(value, path))
    current = data.get("current-context") or ""
    if current and not merged.current:
        merged.current = str(current)


def _in_cluster() -> _Merged | None:
    host = os.environ.get("KUBERNETES_SERVICE_HOST", "")
    port = os.environ.get("KUBERNETES_SERVICE_PORT", "")
    token = SERVICE_ACCOUNT_DIR / "token"
    if not (host and port and token.is_file()):
        return None
    if ":" in host:
        host = f"[{host}]"
    cluster: dict[str, Any] = {"server": f"https://{host}:{port}"}
    if (SERVICE_ACCOUNT_DIR / "ca.crt").is_file():
        cluster["certificate-authority"] = str(SERVICE_ACCOUNT_DIR / "ca.crt")
    ns_file = SERVICE_ACCOUNT_DIR / "namespace"
    namespace = ns_file.read_text().strip() if ns_file.is_file() else DEFAULT_NAMESPACE
    source = SERVICE_ACCOUNT_DIR / "token"
    return _Merged(clusters={IN_CLUSTER: _Entry(cluster, source)},
                   users={IN_CLUSTER: _Entry({"tokenFile": str(token)}, source)},
                   contexts={IN_CLUSTER: _Entry({"cluster": IN_CLUSTER, "user": IN_CLUSTER,
                                                 "namespace": namespace}, source)},
                   current=IN_CLUSTER)


class Kubeconfig:
    """The merged view of the kubeconfig files: contexts to pick from and how to reach them."""

    def __init__(self, merged: _Merged) -> None:
        self._m = merged
        self.current: str = merged.current

    @property
    def files(self) -> list[Path]:
        return list(self._m.files)

    @property
    def contexts(self) -> list[ContextInfo]:
        return [self._info(name) for name in sorted(self._m.contexts)]

    def context(self, name: str) -> ContextInfo:
        if name not in self._m.contexts:
            raise ConfigError(f"context {name!r} is not defined in {self._where()}")
        return self._info(name)

    def _where(self) -> str:
        return ", ".join(str(p) for p in self._m.files) or "any kubeconfig"

    def _info(self, name: str) -> ContextInfo:
        ctx = self._m.contexts[name].value
        cluster = str(ctx.get("cluster") or "")
        entry = self._m.clusters.get(cluster)
        server = str(entry.value.get("server") or "") if entry else ""
        return ContextInfo(name=name, cluster=cluster, user=str(ctx.get("user") or ""),
                           namespace=str(ctx.get("namespace") or DEFAULT_NAMESPACE),
                           server=server)

    def _user_source(self, name: str) -> UserSource:
        """Read the context's user entry again from disk, for a credentials reload."""
        info = self.context(name)
        entry = self._m.users.get(info.user)
        if entry is None:
            if info.user:
                raise ConfigError(f"user {info.user!r} of context {name!r} is not defined "
                                  f"in {self._where()}")
            return UserSource(name="", value={}, source=self._m.contexts[name].source)
        return UserSource(name=info.user, value=entry.value, source=entry.source)

    def _reread_user(self, name: str) -> UserSource:
        """The user's entry as the files say now (a rotated token, a new exec config)."""
        fresh = _Merged()
        for path in self._m.files:
            if path.is_file():
                _merge(fresh, path, _read(path))
        user = self.context(name).user
        entry = fresh.users.get(user)
        if entry is None:
            return self._user_source(name)
        return UserSource(name=user, value=entry.value, source=entry.source)

    async def configuration(self, name: str) -> Configuration:
        """A Configuration for the context: server, TLS, proxy and credentials.

        Its `credentials` are a `Credentials`, which re-reads token files, re-runs
        exec plugins before their token expires, and can be told to reload after a 401."""
        info = self.context(name)
        entry = self._m.clusters.get(info.cluster)
        if entry is None:
            raise ConfigError(f"cluster {info.cluster!r} of context {name!r} is not defined "
                              f"in {self._where()}")
        cluster, base = entry.value, entry.source.parent
        server = str(cluster.get("server") or "").rstrip("/")
        if not server:
            raise ConfigError(f"cluster {info.cluster!r} in {entry.source} has no server")
        if not server.startswith(("https://", "http://")):
            server = "https://" + server
        conf = Configuration(host=server)
        conf.verify_ssl = not bool(cluster.get("insecure-skip-tls-verify", False))
        conf.ssl_ca_cert = _file_or_data(cluster, "certificate-authority", base, entry.source)
        if cluster.get("tls-server-name"):
            conf.tls_server_name = str(cluster["tls-server-name"])
        proxy = cluster.get("proxy-url")
        if proxy:
            if not str(proxy).startswith(("http://", "https://")):
                raise ConfigError(f"cluster {info.cluster!r} in {entry.source}: proxy-url "
                                  f"{proxy} is not supported (only http and https proxies)")
            conf.proxy = str(proxy)
        user = self._user_source(name)
        ubase = user.source.parent
        conf.cert_file = _file_or_data(user.value, "client-certificate", ubase, user.source)
        conf.key_file = _file_or_data(user.value, "client-key", ubase, user.source)
        creds = Credentials(user, reread=lambda: self._reread_user(name))
        await creds.prime(conf)
        conf.credentials = creds
        return conf


def _file_or_data(section: dict[str, Any], key: str, base: Path, source: Path) -> str | None:
    """`key` (a path, relative to the kubeconfig's folder) or `key-data` (base64) as a path."""
    data = section.get(f"{key}-data")
    if data:
        try:
            raw = base64.b64decode(str(data), validate=True)
        except (binascii.Error, ValueError):
            raise ConfigError(f"kubeconfig {source}: {key}-data is not valid base64") from None
        return write_secret_file(raw)
    path = section.get(key)
    if not path:
        return None
    full = (base / Path(str(path)).expanduser())
    if not full.is_file():
        raise ConfigError(f"kubeconfig {source}: {key} file {full} does not exist")
    return str(full)
