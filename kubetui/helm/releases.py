"""Releases and their revisions, as `helm list -a`, `helm history` and `helm get` show
them, built from the decoded storage records."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import yaml

from kubetui.helm.records import ReleaseRecordError, is_release_object, release_from_object
from kubetui.render.age import parse_time

def _time(text: object) -> datetime | None:
    """Go's zero time (an unset field in older records) is no time."""
    if not isinstance(text, str) or text.startswith("0001-01-01"):
        return None
    return parse_time(text)


def _mapping(value: object) -> dict[str, Any]:
    return dict(value) if isinstance(value, Mapping) else {}


@dataclass(frozen=True)
class Revision:
    """One revision of one release."""

    name: str
    namespace: str
    revision: int
    status: str
    chart_name: str
    chart_version: str
    app_version: str
    updated: datetime | None
    description: str = ""
    notes: str = ""
    manifest: str = ""
    user_values: dict[str, Any] = field(default_factory=dict)
    chart_values: dict[str, Any] = field(default_factory=dict)
    record: str = ""  # the Secret or ConfigMap holding it
    context: str = ""  # the kubeconfig context it was read from, when several are shown

    @property
    def chart(self) -> str:
        """`helm list`'s CHART column: name-version."""
        return f"{self.chart_name}-{self.chart_version}" if self.chart_version \
            else self.chart_name

    @property
    def key(self) -> tuple[str, str, str]:
        """The release: its context (when several are shown), namespace and name."""
        return (self.context, self.namespace, self.name)

    @property
    def computed_values(self) -> dict[str, Any]:
        """`helm get values --all`: the chart's defaults with the user's values over
        them."""
        return coalesce(self.chart_values, self.user_values)

    @classmethod
    def from_release(cls, release: Mapping[str, Any], record: str = "") -> Revision:
        info, chart = _mapping(release.get("info")), _mapping(release.get("chart"))
        meta = _mapping(chart.get("metadata"))
        revision = release.get("version")
        return cls(
            name=str(release.get("name") or ""), namespace=str(release.get("namespace") or ""),
            revision=revision if isinstance(revision, int) else 0,
            status=str(info.get("status") or "unknown"),
            chart_name=str(meta.get("name") or ""), chart_version=str(meta.get("version") or ""),
            app_version=str(meta.get("appVersion") or ""),
            updated=_time(info.get("last_deployed")),
            description=str(info.get("description") or ""), notes=str(info.get("notes") or ""),
            manifest=str(release.get("manifest") or ""),
            user_values=_mapping(release.get("config")),
            chart_values=_mapping(chart.get("values")), record=record)


def coalesce(defaults: Mapping[str, Any], overrides: Mapping[str, Any]) -> dict[str, Any]:
    """Helm's value coalescing: maps merge key by key, any other value given by the user
    replaces the default, and a user's `null` removes the key."""
    merged = dict(defaults)
    for key, value in overrides.items():
        if value is None:
            merged.pop(key, None)
        elif isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = coalesce(merged[key], value)
        else:
            merged[key] = value
    return merged


@dataclass(frozen=True)
class UnreadableRecord:
    """A Helm storage object that could not be decoded; shown instead of hidden."""

    namespace: str
    record: str
    error: str


def revision_from_object(obj: Mapping[str, Any]) -> Revision | UnreadableRecord | None:
    """The revision in a Secret/ConfigMap; None when the object is not Helm's."""
    if not is_release_object(obj):
        return None
    meta = _mapping(obj.get("metadata"))
    record, namespace = str(meta.get("name") or ""), str(meta.get("namespace") or "")
    try:
        release = release_from_object(obj)
    except ReleaseRecordError as e:
        return UnreadableRecord(namespace, record, str(e))
    revision = Revision.from_release(release, record)
    # The record's namespace is where Helm stores the release: trust it over the JSON.
    if namespace and revision.namespace != namespace:
        revision = Revision(**{**revision.__dict__, "namespace": namespace})
    return revision


def latest_revisions(revisions: Iterable[Revision]) -> list[Revision]:
    """`helm list -a`: each release's highest revision, by namespace then name."""
    newest: dict[tuple[str, str, str], Revision] = {}
    for rev in revisions:
        if rev.key not in newest or rev.revision > newest[rev.key].revision:
            newest[rev.key] = rev
    return [newest[k] for k in sorted(newest)]


def history(revisions: Iterable[Revision], namespace: str, name: str,
            context: str = "") -> list[Revision]:
    """`helm history`: one release's revisions, oldest first."""
    return sorted((r for r in revisions if r.key == (context, namespace, name)),
                  key=lambda r: r.revision)


def values_text(values: Mapping[str, Any]) -> str:
    """Values as `helm get values` prints them (YAML, keys sorted); `{}` when none."""
    if not values:
        return "{}\n"
    return yaml.safe_dump(dict(values), sort_keys=True, default_flow_style=False)


@dataclass(frozen=True)
class ManifestObject:
    api_version: str
    kind: str
    name: str
    namespace: str  # "" when the manifest leaves it to the release's namespace


def manifest_objects(manifest: str) -> list[ManifestObject]:
    """The objects a rendered manifest creates (documents that are not objects, or not
    YAML, are skipped: the manifest is shown as text anyway)."""
    found: list[ManifestObject] = []
    try:
        documents = list(yaml.safe_load_all(manifest))
    except yaml.YAMLError:
        return found
    for doc in documents:
        if not isinstance(doc, Mapping) or not doc.get("kind"):
            continue
        meta = _mapping(doc.get("metadata"))
        found.append(ManifestObject(str(doc.get("apiVersion") or ""), str(doc["kind"]),
                                    str(meta.get("name") or ""),
                                    str(meta.get("namespace") or "")))
    return found
