"""Discovery documents the sandbox API server serves, built from `Kind`s.

Two forms, as kube-apiserver serves them. Aggregated discovery (an apidiscovery.k8s.io
APIGroupDiscoveryList at `/api` and `/apis`) gives kubectl every group, version and
resource in two requests; the legacy documents (APIVersions, APIGroupList, APIGroup,
APIResourceList) are what older clients and `Accept: application/json` get. client-go
turns the aggregated form back into the legacy one (discovery/aggregated_discovery.go),
so both must say the same thing.

Pure functions: kinds in, JSON-able dicts out. The server picks the form from the Accept
header with `aggregated_version`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from kubetui.kinds import ALL_VERBS, Kind

AGGREGATED_VERSIONS: tuple[str, ...] = ("v2", "v2beta1")


def aggregated_content_type(version: str = "v2") -> str:
    """The Content-Type that tells client-go the body is aggregated discovery.

    client-go compares the media type's g, v and as parameters, not the body."""
    return f"application/json;g=apidiscovery.k8s.io;v={version};as=APIGroupDiscoveryList"


AGGREGATED_CONTENT_TYPE: str = aggregated_content_type("v2")


def aggregated_version(accept: str) -> str | None:
    """The aggregated discovery version an Accept header asks for, or None for legacy.

    kubectl 1.30+ lists v2 then v2beta1 then plain JSON; 1.27-1.29 list only v2beta1.
    The first supported entry wins; other parameters (profile=nopeer, q) are ignored."""
    for media in accept.split(","):
        base, _, rest = media.partition(";")
        if base.strip().lower() != "application/json":
            continue
        params = {}
        for param in rest.split(";"):
            key, eq, value = param.partition("=")
            if eq:
                params[key.strip().lower()] = value.strip()
        if (params.get("g") == "apidiscovery.k8s.io"
                and params.get("as") == "APIGroupDiscoveryList"
                and params.get("v") in AGGREGATED_VERSIONS):
            return params["v"]
    return None


def wants_aggregated(accept: str) -> bool:
    return aggregated_version(accept) is not None


@dataclass(frozen=True)
class Subresource:
    """What a subresource endpoint answers with, as discovery describes it."""

    verbs: tuple[str, ...]
    kind: str | None = None  # None: the parent's kind
    group_version: tuple[str, str] | None = None  # None: the parent's group and version


#: Subresources kube-apiserver registers, with the kind and verbs its discovery reports.
SUBRESOURCES: dict[str, Subresource] = {
    "status": Subresource(("get", "patch", "update")),
    "scale": Subresource(("get", "patch", "update"), "Scale", ("autoscaling", "v1")),
    "log": Subresource(("get",)),  # kind Pod, though the body is plain text
    "eviction": Subresource(("create",), "Eviction", ("policy", "v1")),
    "binding": Subresource(("create",), "Binding"),
    "finalize": Subresource(("update",)),
    "exec": Subresource(("create", "get"), "PodExecOptions"),
    "attach": Subresource(("create", "get"), "PodAttachOptions"),
    "portforward": Subresource(("create", "get"), "PodPortForwardOptions"),
    "ephemeralcontainers": Subresource(("get", "patch", "update")),
}
#: A subresource this table does not know is described as a read of the parent's kind.
_UNKNOWN_SUBRESOURCE = Subresource(("get",))


def subresource(name: str) -> Subresource:
    return SUBRESOURCES.get(name, _UNKNOWN_SUBRESOURCE)


_KUBE_VERSION = re.compile(r"^v(\d+)(?:(alpha|beta)(\d+))?$")
_STAGE_RANK = {None: 0, "beta": 1, "alpha": 2}


def version_priority(version: str) -> tuple[int, int, int, int, str]:
    """Sort key putting versions in the server's preference order: GA, beta, alpha
    (higher numbers first), then anything else alphabetically (v2 > v1 > v1beta1)."""
    m = _KUBE_VERSION.match(version)
    if not m:
        return (1, 0, 0, 0, version)
    return (0, _STAGE_RANK[m.group(2)], -int(m.group(1)), -int(m.group(3) or 0), "")


def _served(kinds: Sequence[Kind]) -> list[tuple[Kind, str]]:
    """Every (kind, version) served, once each: a kind also appears under `also_versions`."""
    seen: set[tuple[str, str, str]] = set()
    out = []
    for k in kinds:
        for v in (k.version, *k.also_versions):
            if (k.group, v, k.plural) not in seen:
                seen.add((k.group, v, k.plural))
                out.append((k, v))
    return out


def _versions_by_group(kinds: Sequence[Kind]) -> dict[str, list[str]]:
    """Group -> its versions, preferred first. The core group leads; the other groups
    keep the order of their first kind, which is the order kubectl's RESTMapper tries."""
    groups: dict[str, set[str]] = {}
    if any(k.group == "" for k in kinds):
        groups[""] = set()
    for k, v in _served(kinds):
        groups.setdefault(k.group, set()).add(v)
    return {g: sorted(vs, key=version_priority) for g, vs in groups.items()}


def group_versions(kinds: Sequence[Kind]) -> list[tuple[str, str]]:
    return [(g, v) for g, vs in _versions_by_group(kinds).items() for v in vs]


def kinds_at(kinds: Sequence[Kind], group: str, version: str) -> list[Kind]:
    """The kinds served at one group/version, in the order given."""
    return [k for k, v in _served(kinds) if k.group == group and v == version]


def _group_version(group: str, version: str) -> str:
    return f"{group}/{version}" if group else version


def _gvk(group: str, version: str, kind: str) -> dict[str, str]:
    return {"group": group, "version": version, "kind": kind}


# --- aggregated (apidiscovery.k8s.io) ---------------------------------------------


def _aggregated_resource(k: Kind, version: str) -> dict[str, Any]:
    """An APIResourceDiscovery. responseKind carries the full group and version (as the
    CRD handler writes it); client-go ignores a resource whose responseKind is empty."""
    res: dict[str, Any] = {
        "resource": k.plural,
        "responseKind": _gvk(k.group, version, k.kind),
        "scope": "Namespaced" if k.namespaced else "Cluster",
        "singularResource": k.singular,
        "verbs": list(k.verbs),
    }
    if k.short_names:
        res["shortNames"] = list(k.short_names)
    if k.categories:
        res["categories"] = list(k.categories)
    if k.subresources:
        subs = []
        for name in sorted(k.subresources):
            sub = subresource(name)
            group, ver = sub.group_version or (k.group, version)
            subs.append({"subresource": name,
                         "responseKind": _gvk(group, ver, sub.kind or k.kind),
                         "verbs": list(sub.verbs)})
        res["subresources"] = subs
    return res


def aggregated_discovery(kinds: Sequence[Kind], legacy: bool,
                         version: str = "v2") -> dict[str, Any]:
    """The APIGroupDiscoveryList for `GET /api` (legacy=True: the core group only) or
    `GET /apis` (every other group). `version` is the one `aggregated_version` chose."""
    items = []
    for group, versions in _versions_by_group(kinds).items():
        if (group == "") != legacy:
            continue
        items.append({
            "metadata": {"name": group} if group else {},
            "versions": [{
                "version": v,
                "resources": [_aggregated_resource(k, v) for k in kinds_at(kinds, group, v)],
                "freshness": "Current",
            } for v in versions],
        })
    return {"kind": "APIGroupDiscoveryList", "apiVersion": f"apidiscovery.k8s.io/{version}",
            "metadata": {}, "items": items}


# --- legacy (meta/v1 APIVersions, APIGroupList, APIGroup, APIResourceList) ----------


def api_versions(server_address: str = "localhost") -> dict[str, Any]:
    """`GET /api` without aggregated discovery."""
    return {"kind": "APIVersions", "versions": ["v1"],
            "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0",
                                            "serverAddress": server_address}]}


def _api_group(group: str, versions: list[str]) -> dict[str, Any]:
    entries = [{"groupVersion": f"{group}/{v}", "version": v} for v in versions]
    return {"name": group, "versions": entries, "preferredVersion": entries[0]}


def api_group_list(kinds: Sequence[Kind]) -> dict[str, Any]:
    """`GET /apis` without aggregated discovery."""
    groups = [_api_group(g, vs) for g, vs in _versions_by_group(kinds).items() if g]
    return {"kind": "APIGroupList", "apiVersion": "v1", "groups": groups}


def api_group(kinds: Sequence[Kind], group: str) -> dict[str, Any] | None:
    """`GET /apis/<group>`; None for a group not served (the core group is not under /apis)."""
    versions = _versions_by_group(kinds).get(group) if group else None
    if not versions:
        return None
    return {"kind": "APIGroup", "apiVersion": "v1", **_api_group(group, versions)}


def _legacy_resources(k: Kind, version: str) -> list[dict[str, Any]]:
    """The APIResource entries of one kind: itself, then `plural/sub` for each subresource.
    Group and version appear only where they differ from the list's (scale, eviction)."""
    main: dict[str, Any] = {"name": k.plural, "singularName": k.singular,
                            "namespaced": k.namespaced, "kind": k.kind, "verbs": list(k.verbs)}
    if k.short_names:
        main["shortNames"] = list(k.short_names)
    if k.categories:
        main["categories"] = list(k.categories)
    out = [main]
    for name in sorted(k.subresources):
        sub = subresource(name)
        entry: dict[str, Any] = {"name": f"{k.plural}/{name}", "singularName": "",
                                 "namespaced": k.namespaced, "kind": sub.kind or k.kind,
                                 "verbs": list(sub.verbs)}
        if sub.group_version and sub.group_version != (k.group, version):
            entry["group"], entry["version"] = sub.group_version
        out.append(entry)
    return out


def api_resource_list(kinds: Sequence[Kind], group: str, version: str) -> dict[str, Any] | None:
    """`GET /api/v1` or `GET /apis/<group>/<version>`; None for a group/version not served."""
    served = kinds_at(kinds, group, version)
    if not served:
        return None
    doc: dict[str, Any] = {"kind": "APIResourceList"}
    if group:  # kube-apiserver leaves apiVersion out of /api/v1 only
        doc["apiVersion"] = "v1"
    doc["groupVersion"] = _group_version(group, version)
    doc["resources"] = [r for k in served for r in _legacy_resources(k, version)]
    return doc


# --- CustomResourceDefinitions -----------------------------------------------------


def kinds_from_crd(crd: Mapping[str, Any]) -> list[Kind]:
    """One Kind per served version of an apiextensions.k8s.io/v1 CustomResourceDefinition,
    preferred version first. Raises ValueError if group, kind or plural is missing."""
    spec = crd.get("spec") or {}
    names = spec.get("names") or {}
    group, kind, plural = spec.get("group"), names.get("kind"), names.get("plural")
    if not (group and kind and plural):
        raise ValueError("CustomResourceDefinition needs spec.group, spec.names.kind "
                         "and spec.names.plural")
    out = []
    for v in spec.get("versions") or []:
        if not v.get("served"):
            continue
        subs = v.get("subresources") or {}  # presence enables: "status": {} is on
        sub_names = tuple(s for s in ("status", "scale") if s in subs)
        out.append(Kind(
            kind=kind, group=group, version=v["name"], plural=plural,
            singular=names.get("singular") or kind.lower(),
            namespaced=spec.get("scope", "Namespaced") == "Namespaced",
            short_names=tuple(names.get("shortNames") or ()),
            categories=tuple(names.get("categories") or ()),
            verbs=ALL_VERBS, subresources=sub_names, scalable="scale" in subs,
        ))
    return sorted(out, key=lambda k: version_priority(k.version))
