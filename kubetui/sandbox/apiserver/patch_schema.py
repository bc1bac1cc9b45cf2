"""Which lists strategic merge patch merges, and by which key, per built-in kind.

The real server reads this from `patchStrategy`/`patchMergeKey` struct tags
(k8s.io/api); here it is a small tree of the paths a kubectl or kubetui user meets.
A field that is absent from the tree is a map that merges or a list that is replaced.
"""

from __future__ import annotations

from dataclasses import dataclass

from kubetui.kinds import BUILTIN_KINDS


@dataclass(frozen=True)
class MergeList:
    """A list merged element by element: by `key` for maps, as a set when key is ""."""

    key: str = ""
    item: Schema | None = None


Schema = dict[str, "Schema | MergeList"]

_CONDITIONS: Schema = {"conditions": MergeList("type")}

METADATA: Schema = {"ownerReferences": MergeList("uid"), "finalizers": MergeList()}

CONTAINER: Schema = {
    "env": MergeList("name"),
    "ports": MergeList("containerPort"),
    "volumeMounts": MergeList("mountPath"),
    "volumeDevices": MergeList("devicePath"),
}

POD_SPEC: Schema = {
    "containers": MergeList("name", CONTAINER),
    "initContainers": MergeList("name", CONTAINER),
    "ephemeralContainers": MergeList("name", CONTAINER),
    "volumes": MergeList("name"),
    "imagePullSecrets": MergeList("name"),
    "hostAliases": MergeList("ip"),
    "topologySpreadConstraints": MergeList("topologyKey"),
    "schedulingGates": MergeList("name"),
    "resourceClaims": MergeList("name"),
}

POD_TEMPLATE: Schema = {"metadata": METADATA, "spec": POD_SPEC}


def _kind(spec: Schema | None = None, status: Schema | None = None) -> Schema:
    return {"metadata": METADATA, "spec": spec or {}, "status": _CONDITIONS | (status or {})}


_WORKLOAD = _kind({"template": POD_TEMPLATE})

_SCHEMAS: dict[str, Schema] = {
    "Pod": _kind(POD_SPEC, {"podIPs": MergeList("ip"), "hostIPs": MergeList("ip")}),
    "Deployment": _WORKLOAD,
    "ReplicaSet": _WORKLOAD,
    "StatefulSet": _WORKLOAD,
    "DaemonSet": _WORKLOAD,
    "Job": _WORKLOAD,
    "CronJob": _kind({"jobTemplate": {"metadata": METADATA, "spec": {"template": POD_TEMPLATE}}}),
    "Service": _kind({"ports": MergeList("port")}),
    "Node": _kind({"podCIDRs": MergeList()}, {"addresses": MergeList("type")}),
}

_BUILTIN = frozenset(k.kind for k in BUILTIN_KINDS)


def supports_strategic(kind: str) -> bool:
    """Built-in kinds take strategic merge patches; custom resources get a 415."""
    return kind in _BUILTIN


def schema_for(kind: str) -> Schema:
    if kind in _SCHEMAS:
        return _SCHEMAS[kind]
    return _kind() if kind in _BUILTIN else {}
