"""`:xray`: how objects relate, as a tree. A workload's ReplicaSets (or Jobs), their pods,
each pod's containers and what it uses (ConfigMaps, Secrets, PVCs, ServiceAccount, Node),
the Services selecting the pods and the HPA scaling the workload. Each node carries the
`:problems` finding of its object (`render.diagnosis`); something referenced that does not
exist is marked missing. Pure: built from listed objects; no Textual, no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

from kubetui.render.diagnosis import CRITICAL, Finding, diagnose

__all__ = ["RELATED_KINDS", "XNode", "flatten", "problems_in", "xray"]

#: (kind, API group) of what a tree may hold, listed for `xray`.
RELATED_KINDS: tuple[tuple[str, str], ...] = (
    ("Deployment", "apps"), ("StatefulSet", "apps"), ("DaemonSet", "apps"),
    ("ReplicaSet", "apps"), ("CronJob", "batch"), ("Job", "batch"), ("Pod", ""),
    ("Service", ""), ("HorizontalPodAutoscaler", "autoscaling"), ("ConfigMap", ""),
    ("Secret", ""), ("PersistentVolumeClaim", ""), ("ServiceAccount", ""), ("Node", ""))
_GROUP = dict(RELATED_KINDS)
_ROOTS = ("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "CronJob", "Job", "Pod",
          "Service")
_MISSING = "Missing"


@dataclass(frozen=True)
class XNode:
    kind: str  # "Deployment", ..., or "Container" (no object of its own)
    name: str
    namespace: str
    uid: str  # "" for containers and missing objects
    problem: Finding | None = None
    note: str = ""  # a container's image and state
    children: tuple[XNode, ...] = ()


def _meta(obj: dict) -> dict:
    return obj.get("metadata") or {}


def _node(kind: str, obj: dict, children: Iterable[XNode] = ()) -> XNode:
    meta = _meta(obj)
    return XNode(kind, meta.get("name", ""), meta.get("namespace", ""), meta.get("uid", ""),
                 diagnose(kind, _GROUP.get(kind, ""), obj), children=tuple(children))


class _Objects:
    """The listed objects, indexed for the lookups the tree needs."""

    def __init__(self, objects: Mapping[str, Sequence[dict]]) -> None:
        self.of = {kind: list(objects.get(kind) or ()) for kind, _ in RELATED_KINDS}
        self._owned: dict[str, list[tuple[str, dict]]] = {}
        for kind, items in self.of.items():
            for obj in items:
                for ref in _meta(obj).get("ownerReferences") or ():
                    self._owned.setdefault(ref.get("uid", ""), []).append((kind, obj))

    def owned(self, owner: dict, kind: str) -> list[dict]:
        return sorted((o for k, o in self._owned.get(_meta(owner).get("uid", ""), ())
                       if k == kind), key=lambda o: _meta(o).get("name", ""))

    def find(self, kind: str, namespace: str, name: str) -> dict | None:
        return next((o for o in self.of[kind] if _meta(o).get("name") == name
                     and (_meta(o).get("namespace") or "") == namespace), None)


def _used(pod: dict) -> Iterator[tuple[str, str]]:
    """(kind, name) of the ConfigMaps, Secrets and PVCs a pod uses, in first-use order."""
    spec = pod.get("spec") or {}
    for volume in spec.get("volumes") or ():
        if "configMap" in volume:
            yield "ConfigMap", volume["configMap"].get("name", "")
        if "secret" in volume:
            yield "Secret", volume["secret"].get("secretName", "")
        if "persistentVolumeClaim" in volume:
            yield "PersistentVolumeClaim", volume["persistentVolumeClaim"].get("claimName", "")
        for source in (volume.get("projected") or {}).get("sources") or ():
            if "configMap" in source:
                yield "ConfigMap", source["configMap"].get("name", "")
            if "secret" in source:
                yield "Secret", source["secret"].get("name", "")
    for container in [*(spec.get("initContainers") or ()), *(spec.get("containers") or ())]:
        for source in container.get("envFrom") or ():
            if "configMapRef" in source:
                yield "ConfigMap", source["configMapRef"].get("name", "")
            if "secretRef" in source:
                yield "Secret", source["secretRef"].get("name", "")
        for env in container.get("env") or ():
            ref = (env.get("valueFrom") or {})
            if "configMapKeyRef" in ref:
                yield "ConfigMap", ref["configMapKeyRef"].get("name", "")
            if "secretKeyRef" in ref:
                yield "Secret", ref["secretKeyRef"].get("name", "")
    for secret in spec.get("imagePullSecrets") or ():
        yield "Secret", secret.get("name", "")


def _reference(objects: _Objects, kind: str, namespace: str, name: str) -> XNode:
    obj = objects.find(kind, namespace if kind != "Node" else "", name)
    if obj is None:
        return XNode(kind, name, namespace, "", Finding(CRITICAL, _MISSING,
                                                        f"{kind} {name} does not exist"))
    return _node(kind, obj)


def _containers(pod: dict) -> Iterator[XNode]:
    statuses = {s.get("name"): s for key in ("initContainerStatuses", "containerStatuses")
                for s in (pod.get("status") or {}).get(key) or ()}
    spec = pod.get("spec") or {}
    for c in [*(spec.get("initContainers") or ()), *(spec.get("containers") or ())]:
        state = (statuses.get(c.get("name")) or {}).get("state") or {}
        phase = next(iter(state), "waiting")
        reason = (state.get(phase) or {}).get("reason") or ""
        yield XNode("Container", c.get("name", ""), _meta(pod).get("namespace", ""), "",
                    note=f"{c.get('image', '')} · {phase}{f' ({reason})' if reason else ''}")


def _pod(objects: _Objects, pod: dict) -> XNode:
    ns = _meta(pod).get("namespace", "")
    spec = pod.get("spec") or {}
    seen: set[tuple[str, str]] = set()
    uses = []
    for kind, name in _used(pod):
        if name and (kind, name) not in seen and not name.startswith("kube-root-ca"):
            seen.add((kind, name))
            uses.append(_reference(objects, kind, ns, name))
    account = spec.get("serviceAccountName") or spec.get("serviceAccount") or "default"
    uses.append(_reference(objects, "ServiceAccount", ns, account))
    if spec.get("nodeName"):
        uses.append(_reference(objects, "Node", "", spec["nodeName"]))
    return _node("Pod", pod, [*_containers(pod), *uses])


def _selects(service: dict, labels: Mapping[str, str]) -> bool:
    selector = (service.get("spec") or {}).get("selector") or {}
    return bool(selector) and all(labels.get(k) == v for k, v in selector.items())


def _pods_of(objects: _Objects, kind: str, obj: dict) -> list[dict]:
    if kind == "Deployment":
        return [p for rs in objects.owned(obj, "ReplicaSet") for p in objects.owned(rs, "Pod")]
    if kind == "CronJob":
        return [p for job in objects.owned(obj, "Job") for p in objects.owned(job, "Pod")]
    return objects.owned(obj, "Pod")


def _around(objects: _Objects, kind: str, obj: dict) -> list[XNode]:
    """The Services selecting the workload's pods (or template) and the HPA scaling it."""
    ns = _meta(obj).get("namespace", "")
    template = ((obj.get("spec") or {}).get("template") or {}).get("metadata") or {}
    label_sets = [template.get("labels") or {}] + [
        _meta(p).get("labels") or {} for p in _pods_of(objects, kind, obj)]
    out = [_node("Service", s) for s in objects.of["Service"]
           if _meta(s).get("namespace") == ns and any(_selects(s, ls) for ls in label_sets)]
    for hpa in objects.of["HorizontalPodAutoscaler"]:
        target = (hpa.get("spec") or {}).get("scaleTargetRef") or {}
        if _meta(hpa).get("namespace") == ns and target.get("kind") == kind and \
                target.get("name") == _meta(obj).get("name"):
            out.append(_node("HorizontalPodAutoscaler", hpa))
    return out


def _tree(objects: _Objects, kind: str, obj: dict) -> XNode:
    if kind == "Deployment":
        children = [_node("ReplicaSet", rs, [_pod(objects, p) for p in objects.owned(rs, "Pod")])
                    for rs in objects.owned(obj, "ReplicaSet")]
    elif kind == "CronJob":
        children = [_node("Job", job, [_pod(objects, p) for p in objects.owned(job, "Pod")])
                    for job in objects.owned(obj, "Job")]
    elif kind == "Pod":
        return _pod(objects, obj)
    elif kind == "Service":
        ns = _meta(obj).get("namespace", "")
        children = [_pod(objects, p) for p in objects.of["Pod"]
                    if _meta(p).get("namespace") == ns and
                    _selects(obj, _meta(p).get("labels") or {})]
    else:
        children = [_pod(objects, p) for p in objects.owned(obj, "Pod")]
    return _node(kind, obj, [*children, *(_around(objects, kind, obj)
                                          if kind != "Service" else ())])


def xray(kind: str, objects: Mapping[str, Sequence[dict]], name: str = "") -> list[XNode]:
    """A tree per object of `kind` in `objects` (kind name -> its listed objects), or of
    the one named `name`. Raises ValueError for a kind with no tree."""
    if kind not in _ROOTS:
        raise ValueError(f"xray shows {', '.join(_ROOTS)}; not {kind}")
    index = _Objects(objects)
    roots = sorted((o for o in index.of[kind] if not name or _meta(o).get("name") == name),
                   key=lambda o: (_meta(o).get("namespace", ""), _meta(o).get("name", "")))
    if kind in ("ReplicaSet", "Job", "Pod"):  # those a workload owns show in its tree
        roots = [o for o in roots if not _meta(o).get("ownerReferences")] or roots
    return [_tree(index, kind, o) for o in roots]


def flatten(trees: Sequence[XNode]) -> list[tuple[str, XNode, str]]:
    """The trees as lines, top to bottom: (prefix drawing the branches, node, a key naming
    the node by its path from the root, stable while the tree changes elsewhere)."""
    out: list[tuple[str, XNode, str]] = []

    def walk(node: XNode, lead: str, branch: str, parent: str) -> None:
        key = f"{parent}/{node.kind}:{node.namespace}:{node.name}"
        out.append((lead + branch, node, key))
        child_lead = lead + ("   " if branch == "└─ " else "│  " if branch else "")
        for i, child in enumerate(node.children):
            walk(child, child_lead, "└─ " if i == len(node.children) - 1 else "├─ ", key)

    for tree in trees:
        walk(tree, "", "", "")
    return out


def problems_in(node: XNode) -> Iterator[XNode]:
    """Every node of the tree with a problem (for a summary)."""
    if node.problem is not None:
        yield node
    for child in node.children:
        yield from problems_in(child)

