"""The kubeconfig a sandbox writes for its clients (kubectl, kubetui, tests)."""

from __future__ import annotations

import base64
from pathlib import Path

import yaml

from kubetui.private_files import write_private

CONTEXT = "kubetui-sandbox"


def kubeconfig_doc(url: str, ca_pem: bytes, token: str = "", token_file: str = "",
                   context: str = CONTEXT, namespace: str = "default") -> dict:
    """A kubeconfig with one cluster, one user (a bearer token, inline or in a file that
    the sandbox keeps fresh) and one context, which is current."""
    user = {"tokenFile": token_file} if token_file else {"token": token}
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
                     namespace: str = "default") -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    return write_private(path, yaml.safe_dump(kubeconfig_doc(url, ca_pem, token, token_file,
                                                             context, namespace),
                                              sort_keys=False))
