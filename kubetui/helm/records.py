"""Helm's storage records (helm `pkg/storage/driver`): the release is JSON, gzip-compressed
(records older than compression are plain JSON, told apart by gzip's magic bytes), then
base64. The Secret driver stores that text as the Secret's `release` data, so the API shows
it base64-encoded once more; the ConfigMap driver stores the text as is. Objects are named
`sh.helm.release.v1.<release>.v<revision>` and labelled name, owner=helm, status, version.
"""

from __future__ import annotations

import base64
import binascii
import gzip
import json
import zlib
from collections.abc import Mapping
from typing import Any

SECRET_TYPE = "helm.sh/release.v1"
OWNER_SELECTOR = "owner=helm"
_GZIP_MAGIC = b"\x1f\x8b\x08"
#: A decompressed release larger than this is refused (a gzip bomb in a Secret).
MAX_RELEASE_BYTES = 64 * 1024 * 1024


class ReleaseRecordError(ValueError):
    """A Helm storage object whose release cannot be read; the message says why."""


def record_name(release: str, revision: int) -> str:
    return f"sh.helm.release.v1.{release}.v{revision}"


def _is_secret(obj: Mapping[str, Any]) -> bool:
    """Secrets always carry `type` (the API defaults it); ConfigMaps never do. List items
    come without `kind`, so this is how the two are told apart."""
    return "type" in obj or obj.get("kind") == "Secret"


def is_release_object(obj: Mapping[str, Any]) -> bool:
    """A Secret of Helm's type, or a ConfigMap labelled as Helm's."""
    if _is_secret(obj):
        return obj.get("type") == SECRET_TYPE
    labels = (obj.get("metadata") or {}).get("labels") or {}
    return labels.get("owner") == "helm" and "release" in (obj.get("data") or {})


def encode_release(release: Mapping[str, Any]) -> str:
    """The text Helm's storage driver writes for a release (what `release` holds in a
    ConfigMap, and in a Secret before the API's own base64)."""
    raw = json.dumps(release, separators=(",", ":")).encode()
    return base64.b64encode(gzip.compress(raw, compresslevel=9)).decode()


def decode_release(text: str) -> dict[str, Any]:
    """The release (Helm's JSON) from the driver's text."""
    try:
        data = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise ReleaseRecordError("release data is not base64") from None
    if data[:3] == _GZIP_MAGIC:
        try:
            unzip = zlib.decompressobj(wbits=31)
            data = unzip.decompress(data, MAX_RELEASE_BYTES)
        except zlib.error as e:
            raise ReleaseRecordError(f"release data is not valid gzip: {e}") from None
        if unzip.unconsumed_tail:
            raise ReleaseRecordError(
                f"release is larger than {MAX_RELEASE_BYTES // 2**20} MiB uncompressed")
        if not unzip.eof:
            raise ReleaseRecordError("release data is not valid gzip: it is cut short")
    try:
        release = json.loads(data)
    except (UnicodeDecodeError, ValueError):
        raise ReleaseRecordError("release data is not JSON") from None
    if not isinstance(release, dict):
        raise ReleaseRecordError("release data is not a JSON object")
    return release


def release_from_object(obj: Mapping[str, Any]) -> dict[str, Any]:
    """The release held by a Secret (as the API serves it) or a ConfigMap."""
    text = (obj.get("data") or {}).get("release")
    if not isinstance(text, str):
        raise ReleaseRecordError("no 'release' data")
    if _is_secret(obj):
        try:
            text = base64.b64decode(text, validate=True).decode("ascii")
        except (binascii.Error, ValueError):
            raise ReleaseRecordError("Secret data is not base64") from None
    return decode_release(text)


def release_object(release: Mapping[str, Any], *, driver: str = "secret"
                   ) -> dict[str, Any]:
    """The storage object Helm writes for `release` (driver "secret" or "configmap"),
    as it is sent to the API."""
    name, revision = release["name"], int(release["version"])
    text = encode_release(release)
    metadata = {"name": record_name(name, revision), "namespace": release["namespace"],
                "labels": {"name": name, "owner": "helm",
                           "status": release.get("info", {}).get("status", "unknown"),
                           "version": str(revision)}}
    if driver == "configmap":
        return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": metadata,
                "data": {"release": text}}
    return {"apiVersion": "v1", "kind": "Secret", "metadata": metadata, "type": SECRET_TYPE,
            "data": {"release": base64.b64encode(text.encode()).decode()}}
