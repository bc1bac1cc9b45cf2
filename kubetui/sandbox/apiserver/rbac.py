"""The sandbox's RBAC modes (`--rbac`): who may do what, as the authorizer would answer.

- `full`: everything is allowed.
- `readonly`: get, list and watch only; every write is a 403.
- `namespace=a,b`: anything inside the named namespaces, nothing else: cluster-scoped
  kinds and lists across all namespaces are a 403, as for a user holding only
  RoleBindings there (kubetui must still work from the kubeconfig's namespace).
"""

from __future__ import annotations

READ_VERBS = ("get", "list", "watch")


def check_mode(mode: str) -> str:
    """The mode if valid; ValueError with a message otherwise."""
    if mode in ("full", "readonly") or (mode.startswith("namespace=") and
                                        mode.partition("=")[2].strip(",")):
        return mode
    raise ValueError(f"unknown RBAC mode {mode!r}: use full, readonly or namespace=NS[,NS]")


def allowed(mode: str, verb: str, namespace: str, namespaced: bool) -> bool:
    """May the sandbox's user do `verb` on a resource in `namespace` ("" = cluster-wide)?"""
    if mode == "readonly":
        return verb in READ_VERBS
    if mode.startswith("namespace="):
        spaces = {n.strip() for n in mode.partition("=")[2].split(",") if n.strip()}
        return namespaced and namespace in spaces
    return True


def denial(mode: str) -> str:
    return f"the sandbox runs with --rbac {mode}"
