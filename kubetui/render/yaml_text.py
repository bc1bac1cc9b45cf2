"""An object as `kubectl get -o yaml` prints it, with Secret values masked; pure.

Like kubectl (sigs.k8s.io/yaml over go-yaml): keys sorted, block style, lists not indented
under their key, strings that would read as another type ("1", "true", "") double-quoted,
multi-line strings as literal blocks. Two differences on purpose: the top level reads
apiVersion, kind, metadata first and status last (kubectl sorts those too), and long lines
are not folded, so a search finds a message whole.

`metadata.managedFields` is dropped unless asked for: it is noise for a person reading.
A Secret's `data`/`stringData` values, and its last-applied-configuration annotation (which
holds the same data), read `********` until revealed; the mask has a fixed length so that
nothing of a value, not even its size, shows. `mask_secret` is also what notifications
(requests sent) use, and `mask_secret_pair` what diffs use. Revealed, `decode_secret` shows
`data` decoded, as k9s does.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

import yaml

__all__ = ["MASK", "decode_secret", "mask_secret", "mask_secret_pair", "to_yaml"]

MASK = "********"
_LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"
_FIRST = ("apiVersion", "kind", "metadata")
_LAST = ("status",)

_Base: type[yaml.SafeDumper] = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


class _Dumper(_Base):  # type: ignore[misc, valid-type]
    """SafeDumper (libyaml's when available: a 5,000-line object in milliseconds) with
    go-yaml's choices of string style."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    if "\n" in value:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    node = dumper.represent_scalar("tag:yaml.org,2002:str", value)
    implicit = dumper.resolve(yaml.ScalarNode, value, (True, False))
    if value == "" or implicit != "tag:yaml.org,2002:str":
        node.style = '"'
    return node


_Dumper.add_representer(str, _represent_str)


def _ordered(obj: dict[str, Any]) -> dict[str, Any]:
    """The top-level keys in reading order; nested keys are sorted by the dumper."""
    rest = sorted(k for k in obj if k not in _FIRST and k not in _LAST)
    order = [k for k in _FIRST if k in obj] + rest + [k for k in _LAST if k in obj]
    return {k: obj[k] for k in order}


def mask_secret(secret: dict[str, Any]) -> dict[str, Any]:
    """A copy of `secret` (an object, or a patch of one) whose values read MASK (the
    original is not touched)."""
    out = dict(secret)
    for field in ("data", "stringData"):
        if isinstance(out.get(field), dict):
            out[field] = {key: MASK for key in out[field]}
    annotations = (out.get("metadata") or {}).get("annotations") or {}
    if _LAST_APPLIED in annotations:
        out["metadata"] = {**out["metadata"],
                           "annotations": {**annotations, _LAST_APPLIED: MASK}}
    return out


def mask_secret_pair(before: dict[str, Any], after: dict[str, Any]
                     ) -> tuple[dict[str, Any], dict[str, Any]]:
    """Both sides of a Secret's diff masked, as `kubectl diff` does: a changed value reads
    `MASK (before)` / `MASK (after)`, so the diff still shows which keys change."""
    old, new = mask_secret(before), mask_secret(after)
    for field in ("data", "stringData"):
        a, b = before.get(field), after.get(field)
        if isinstance(a, dict) and isinstance(b, dict):
            for key in a.keys() & b.keys():
                if a[key] != b[key]:
                    old[field][key], new[field][key] = f"{MASK} (before)", f"{MASK} (after)"
    return old, new


def decode_secret(secret: dict[str, Any]) -> dict[str, Any]:
    """A copy of `secret` with `data` values decoded from base64 (text that is not UTF-8
    stays base64)."""
    data = secret.get("data")
    if not isinstance(data, dict):
        return secret
    decoded = {}
    for key, value in data.items():
        try:
            decoded[key] = base64.b64decode(str(value), validate=True).decode()
        except (binascii.Error, ValueError):
            decoded[key] = value
    return {**secret, "data": decoded}


def to_yaml(obj: dict[str, Any], reveal_secrets: bool = False,
            managed_fields: bool = False) -> str:
    """`obj` as YAML text. Secrets are masked unless `reveal_secrets`; managedFields are
    left out unless `managed_fields`."""
    if obj.get("kind") == "Secret" and not reveal_secrets:
        obj = mask_secret(obj)
    metadata = obj.get("metadata")
    if not managed_fields and isinstance(metadata, dict) and "managedFields" in metadata:
        obj = {**obj, "metadata": {k: v for k, v in metadata.items() if k != "managedFields"}}
    top = _ordered(obj)
    # sort_keys would re-sort the top level: dump it key by key, nested maps sorted.
    return "".join(yaml.dump({key: value}, Dumper=_Dumper, default_flow_style=False,
                             sort_keys=True, allow_unicode=True, width=1 << 30)
                   for key, value in top.items())
