"""What the server serves, as `Kind`s: aggregated discovery (v2) with the legacy walk as a
fallback, merged with the built-in table so known kinds keep their capabilities."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from kubetui.kinds import BUILTIN_KINDS, Kind

AGGREGATED_ACCEPT = ("application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,"
                     "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,"
                     "application/json")

GetJson = Callable[[str, str], Awaitable[dict[str, Any]]]  # (path, accept) -> document


async def discover(get_json: GetJson) -> list[Kind]:
    """Every kind the server offers (preferred version of each group), then the built-ins
    merged in: built-ins first, then the rest sorted by group and kind. /api and /apis are
    asked for together."""
    found: list[Kind] = []
    roots = ("/api", "/apis")
    docs = await asyncio.gather(*(get_json(root, AGGREGATED_ACCEPT) for root in roots))
    for root, doc in zip(roots, docs):
        if doc.get("kind") == "APIGroupDiscoveryList":
            found.extend(parse_aggregated(doc))
        else:
            found.extend(await _legacy(get_json, root, doc))
    return merge_builtins(found)


def merge_builtins(found: list[Kind]) -> list[Kind]:
    builtin_keys = {k.key for k in BUILTIN_KINDS}
    extra = {k.key: k for k in found if k.key not in builtin_keys}
    return [*BUILTIN_KINDS, *sorted(extra.values(), key=lambda k: (k.group, k.kind))]


def parse_aggregated(doc: dict[str, Any]) -> list[Kind]:
    kinds: list[Kind] = []
    for group in doc.get("items") or ():
        name = (group.get("metadata") or {}).get("name", "") or ""
        seen: set[str] = set()
        for version in group.get("versions") or ():  # in order of preference
            for res in version.get("resources") or ():
                plural = res.get("resource", "")
                if not plural or plural in seen:
                    continue
                seen.add(plural)
                rk = res.get("responseKind") or {}
                subs = tuple(s.get("subresource", "") for s in res.get("subresources") or ())
                kinds.append(_kind(
                    kind=rk.get("kind") or plural, group=name, version=version["version"],
                    plural=plural, singular=res.get("singularResource", ""),
                    namespaced=res.get("scope") == "Namespaced", res=res, subresources=subs))
    return kinds


async def _legacy(get_json: GetJson, root: str, doc: dict[str, Any]) -> list[Kind]:
    """The pre-aggregation walk: /api -> /api/v1, /apis -> each group's preferred version."""
    if root == "/api":
        targets = [("", v, f"/api/{v}") for v in (doc.get("versions") or ())[:1]]
    else:
        targets = []
        for g in doc.get("groups") or ():
            pref = g.get("preferredVersion") or (g.get("versions") or [{}])[0]
            if pref.get("groupVersion"):
                targets.append((g["name"], pref["version"], f"/apis/{pref['groupVersion']}"))
    docs = await asyncio.gather(*(get_json(path, "application/json") for _, _, path in targets))
    kinds: list[Kind] = []
    for (group, version, _), rl in zip(targets, docs):
        kinds.extend(parse_resource_list(group, version, rl))
    return kinds


def parse_resource_list(group: str, version: str, doc: dict[str, Any]) -> list[Kind]:
    """An APIResourceList; `pods/log`-style entries become subresources of their parent."""
    resources = doc.get("resources") or ()
    subs: dict[str, list[str]] = {}
    for res in resources:
        parent, _, sub = res.get("name", "").partition("/")
        if sub:
            subs.setdefault(parent, []).append(sub)
    return [_kind(kind=res.get("kind") or res["name"], group=group, version=version,
                  plural=res["name"], singular=res.get("singularName", ""),
                  namespaced=bool(res.get("namespaced")), res=res,
                  subresources=tuple(subs.get(res["name"], ())))
            for res in resources if "/" not in res.get("name", "/")]


def _kind(*, kind: str, group: str, version: str, plural: str, singular: str,
          namespaced: bool, res: dict[str, Any], subresources: tuple[str, ...]) -> Kind:
    return Kind(kind=kind, group=group, version=version, plural=plural,
                singular=singular or kind.lower(), namespaced=namespaced,
                short_names=tuple(res.get("shortNames") or ()),
                categories=tuple(res.get("categories") or ()),
                verbs=tuple(res.get("verbs") or ()), subresources=subresources,
                scalable="scale" in subresources)
