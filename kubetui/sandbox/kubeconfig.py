"""The kubeconfig a sandbox writes for its clients (kubectl, kubetui, tests)."""

from __future__ import annotations

import base64
from pathlib import Path

import yaml

from kubetui.private_files import write_private

CONTEXT = "kubetui-sandbox"


def kubeconfig_doc(url: str, ca_pem: bytes, token: str = "", token_file: str = "",
                   context: str = CONTEXT, namespace: str = "default",
                   client_cert: tuple[bytes, bytes] | None = None) -> dict:
    """A kubeconfig with one cluster, one user (a bearer token, inline or in a file that
    the sandbox keeps fresh, or a client certificate and key) and one context, which is
    current."""
    user: dict[str, str] = {"tokenFile": token_file} if token_file else {"token": token}
    if client_cert is not None:
        user = {"client-certificate-data": base64.b64encode(client_cert[0]).decode(),
                "client-key-data": base64.b64encode(client_cert[1]).decode()}
    ctx = {"cluster": context, "user": context}
    if namespace:
        ctx["namespace"] = namespace
    return {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": context, "cluster": {
            "server": url,
            "certificate-authority-data": base64.b64encode(ca_pem).decode(),
        }}],
        "users": [{"name": context, "user": user}],
        "contexts": [{"name": context, "context": ctx}],
        "current-context": context,
        "preferences": {},
    }


def write_kubeconfig(path: str | Path, url: str, ca_pem: bytes, token: str = "",
                     token_file: str = "", context: str = CONTEXT,
                     namespace: str = "default",
                     client_cert: tuple[bytes, bytes] | None = None) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    return write_private(path, yaml.safe_dump(kubeconfig_doc(url, ca_pem, token, token_file,
                                                             context, namespace, client_cert),
                                              sort_keys=False))


def merged_kubeconfig(files: dict[str, Path]) -> dict:
    """One kubeconfig holding the first context of each sandbox kubeconfig in `files`,
    renamed to its key (clusters and users too): several sandboxes at once, as a person's
    kubeconfig holds several clusters."""
    doc: dict = {"apiVersion": "v1", "kind": "Config", "clusters": [], "users": [],
                 "contexts": [], "current-context": next(iter(files))}
    for name, path in files.items():
        one = yaml.safe_load(Path(path).read_text())
        doc["clusters"].append({"name": name, "cluster": one["clusters"][0]["cluster"]})
        doc["users"].append({"name": name, "user": one["users"][0]["user"]})
        doc["contexts"].append({"name": name, "context": {"cluster": name, "user": name,
                                                          "namespace": "default"}})
    return doc
