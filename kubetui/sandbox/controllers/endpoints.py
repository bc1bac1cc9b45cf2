"""The endpoints and endpointslice controllers, and the `kubernetes` Service.

For every Service with a selector, an Endpoints object of the same name and one or more
EndpointSlices (label `kubernetes.io/service-name`) list the pods behind it: ready pods as
addresses, not-ready ones as notReadyAddresses (in slices: conditions ready/serving/
terminating, where terminating pods stay listed). Target ports named in the Service are
resolved against each pod's container ports; pods resolving to different ports go to
different subsets (and slices). Limits are the real ones: 1000 addresses per Endpoints
(then the `over-capacity: truncated` annotation), 100 endpoints per slice. Services
without a selector are left alone, as are their Endpoints.

Membership is kept incrementally per Service, so a pod event costs one label match per
Service of its namespace and a sync reads only the Service's own pods.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from typing import Any

from kubetui.kinds import builtin
from kubetui.sandbox.apiserver.store import Event, Obj, now_rfc3339
from kubetui.sandbox.controllers.base import PODS, Reconciler, create, labels_of, owner_reference
from kubetui.sandbox.controllers.kubelet.nodes import NODE_IP_BASE
from kubetui.sandbox.core import Sandbox
from kubetui.sandbox.podinfo import is_deleting, is_ready, pod_phase
from kubetui.sandbox.selectors import label_selector_requirements
from kubetui.selectors import LabelRequirement

SERVICES = ("", "services")
ENDPOINTS = ("", "endpoints")
SLICES = ("discovery.k8s.io", "endpointslices")
SERVICE_NAME_LABEL = "kubernetes.io/service-name"
MANAGED_BY_LABEL = "endpointslice.kubernetes.io/managed-by"
MANAGED_BY = "endpointslice-controller.k8s.io"
HEADLESS_LABEL = "service.kubernetes.io/headless"
TRIGGER_TIME = "endpoints.kubernetes.io/last-change-trigger-time"
OVER_CAPACITY = "endpoints.kubernetes.io/over-capacity"
MAX_ADDRESSES = 1000
MAX_PER_SLICE = 100
KUBERNETES_SERVICE_IP = "10.96.0.1"
APISERVER_PORT = 6443

SvcKey = tuple[str, str]
Ports = tuple[tuple[str, int, str], ...]  # (name, port, protocol) per service port


def _signature(pod: Obj | None) -> tuple[Any, ...]:
    """What of a pod shows in its endpoints."""
    if pod is None:
        return ()
    status = pod.get("status") or {}
    spec = pod.get("spec") or {}
    return (status.get("podIP"), is_ready(pod), is_deleting(pod), spec.get("nodeName"),
            pod_phase(pod), spec.get("hostname"), spec.get("subdomain"))


def resolve_ports(service: Obj, pod: Obj) -> Ports | None:
    """The service's ports as this pod serves them; None when a named target port is not
    one of the pod's container ports."""
    out = []
    for p in (service.get("spec") or {}).get("ports") or ():
        target = p.get("targetPort", p.get("port"))
        if isinstance(target, str) and not target.isdigit():
            found = next((cp.get("containerPort") for c in
                          (pod.get("spec") or {}).get("containers") or ()
                          for cp in c.get("ports") or () if cp.get("name") == target), None)
            if found is None:
                return None
            target = found
        out.append((p.get("name") or "", int(target), p.get("protocol") or "TCP"))
    return tuple(out)


class EndpointsController(Reconciler):
    """Endpoints and EndpointSlices of selector Services. Keys are (namespace, name)."""

    name = "endpoints"
    watched = (SERVICES, PODS, ENDPOINTS, SLICES)
    keys_in_line = True
    min_interval = 0.05  # a burst of pod changes becomes one write per Service

    def __init__(self, sandbox: Sandbox) -> None:
        super().__init__(sandbox)
        self._selectors: dict[SvcKey, list[LabelRequirement]] = {}
        self._by_ns: dict[str, set[str]] = {}
        self._members: dict[SvcKey, set[str]] = {}

    async def run(self) -> None:
        self._ensure_kubernetes_service()
        await super().run()

    # ----- index ---------------------------------------------------------------------

    def keys_for(self, ev: Event) -> Iterable[Hashable]:
        meta = ev.obj["metadata"]
        ns = meta.get("namespace", "")
        if ev.key == SERVICES:
            return self._service_changed(ev)
        if ev.key in (ENDPOINTS, SLICES):
            if ev.type != "DELETED":  # our own writes
                return ()
            name = meta["name"] if ev.key == ENDPOINTS else \
                labels_of(ev.obj).get(SERVICE_NAME_LABEL, "")
            return ((ns, name),) if (ns, name) in self._selectors else ()
        services = self._by_ns.get(ns)
        if not services:
            return ()  # no Service here to keep endpoints for
        deleted = ev.type == "DELETED"
        changed = deleted or ev.old is None or _signature(ev.old) != _signature(ev.obj)
        labels = labels_of(ev.obj)
        keys = []
        for svc in services:
            key = (ns, svc)
            members = self._members[key]
            was = meta["name"] in members
            now = not deleted and all(r.matches(labels) for r in self._selectors[key])
            if now and not was:
                members.add(meta["name"])
            elif was and not now:
                members.discard(meta["name"])
            if (now or was) and (changed or now != was):
                keys.append(key)
        return keys

    def _service_changed(self, ev: Event) -> Iterable[Hashable]:
        meta = ev.obj["metadata"]
        ns, name = meta.get("namespace", ""), meta["name"]
        key = (ns, name)
        selector = (ev.obj.get("spec") or {}).get("selector")
        if ev.type == "DELETED" or not selector:
            managed = self._selectors.pop(key, None) is not None
            self._members.pop(key, None)
            self._by_ns.get(ns, set()).discard(name)
            return (key,) if managed and ev.type == "DELETED" else ()
        try:
            reqs = label_selector_requirements({"matchLabels": selector})
        except ValueError:
            return ()
        if self._selectors.get(key) != reqs:
            self._selectors[key] = reqs
            self._by_ns.setdefault(ns, set()).add(name)
            pods, _ = self.store.list(PODS, ns)
            self._members[key] = {p["metadata"]["name"] for p in pods
                                  if all(r.matches(labels_of(p)) for r in reqs)}
        return (key,)

    # ----- sync ----------------------------------------------------------------------

    def sync(self, key: Any) -> float | None:
        ns, name = key
        svc = self.store.find(SERVICES, ns, name)
        if svc is None or key not in self._selectors:
            if svc is None:
                self._delete_all(ns, name)
            return None
        pods = [p for n in sorted(self._members.get(key, ()))
                if (p := self.store.find(PODS, ns, n)) is not None]
        self._sync_endpoints(svc, pods)
        self._sync_slices(svc, pods)
        return None

    def _delete_all(self, ns: str, name: str) -> None:
        if self.store.find(ENDPOINTS, ns, name) is not None:
            self.store.delete(ENDPOINTS, ns, name)
        for s in self._slices_of(ns, name):
            self.store.delete(SLICES, ns, s["metadata"]["name"])

    def _labels(self, svc: Obj, slice_: bool) -> dict[str, str]:
        labels = dict(labels_of(svc))
        if (svc.get("spec") or {}).get("clusterIP") == "None":
            labels[HEADLESS_LABEL] = ""
        if slice_:
            labels[SERVICE_NAME_LABEL] = svc["metadata"]["name"]
            labels[MANAGED_BY_LABEL] = MANAGED_BY
        return labels

    def _sync_endpoints(self, svc: Obj, pods: list[Obj]) -> None:
        meta = svc["metadata"]
        publish = bool((svc.get("spec") or {}).get("publishNotReadyAddresses"))
        groups: dict[Ports, tuple[list[Obj], list[Obj]]] = {}
        for pod in pods:
            ip = (pod.get("status") or {}).get("podIP")
            if not ip or is_deleting(pod) or pod_phase(pod) in ("Succeeded", "Failed"):
                continue
            ports = resolve_ports(svc, pod)
            if ports is None:
                continue
            ready, not_ready = groups.setdefault(ports, ([], []))
            (ready if publish or is_ready(pod) else not_ready).append(
                _address(svc, pod, ip))
        subsets, total = [], 0
        for ports, (ready, not_ready) in groups.items():
            ready = sorted(ready, key=lambda a: a["ip"])[:MAX_ADDRESSES - total]
            total += len(ready)
            not_ready = sorted(not_ready, key=lambda a: a["ip"])[:MAX_ADDRESSES - total]
            total += len(not_ready)
            subset: Obj = {}
            if ready:
                subset["addresses"] = ready
            if not_ready:
                subset["notReadyAddresses"] = not_ready
            if ports:
                subset["ports"] = [_port(p) for p in ports]
            if ready or not_ready:
                subsets.append(subset)
        truncated = sum(len(g[0]) + len(g[1]) for g in groups.values()) > MAX_ADDRESSES
        labels = self._labels(svc, slice_=False)
        old = self.store.find(ENDPOINTS, meta["namespace"], meta["name"])
        annotations = {TRIGGER_TIME: now_rfc3339()}
        if truncated:
            annotations[OVER_CAPACITY] = "truncated"
        if old is None:
            obj: Obj = {"apiVersion": "v1", "kind": "Endpoints",
                        "metadata": {"name": meta["name"], "namespace": meta["namespace"],
                                     "labels": labels, "annotations": annotations}}
            if subsets:
                obj["subsets"] = subsets
            create(self.sandbox, builtin("Endpoints"), obj)
            return
        old_annotations = old["metadata"].get("annotations") or {}
        if (old.get("subsets") or []) == subsets and labels_of(old) == labels and \
                (OVER_CAPACITY in old_annotations) == truncated:
            return
        new = {**old, "metadata": {**old["metadata"], "labels": labels,
                                   "annotations": {**{k: v for k, v in old_annotations.items()
                                                      if k != OVER_CAPACITY},
                                                   **annotations}}}
        new.pop("subsets", None)
        if subsets:
            new["subsets"] = subsets
        self.store.update(ENDPOINTS, new, check_rv=False)

    def _slices_of(self, ns: str, name: str) -> list[Obj]:
        items, _ = self.store.list(SLICES, ns, lambda s: labels_of(s).get(
            SERVICE_NAME_LABEL) == name and labels_of(s).get(MANAGED_BY_LABEL) == MANAGED_BY)
        return items

    def _sync_slices(self, svc: Obj, pods: list[Obj]) -> None:
        meta = svc["metadata"]
        publish = bool((svc.get("spec") or {}).get("publishNotReadyAddresses"))
        groups: dict[Ports, list[Obj]] = {}
        for pod in pods:
            ip = (pod.get("status") or {}).get("podIP")
            if not ip or pod_phase(pod) in ("Succeeded", "Failed"):
                continue
            ports = resolve_ports(svc, pod)
            if ports is None:
                continue
            serving = publish or is_ready(pod)
            terminating = is_deleting(pod)
            ep: Obj = {"addresses": [ip],
                       "conditions": {"ready": serving and not terminating,
                                      "serving": serving, "terminating": terminating},
                       "targetRef": _target_ref(pod)}
            if node := (pod.get("spec") or {}).get("nodeName"):
                ep["nodeName"] = node
            if hostname := _hostname(svc, pod):
                ep["hostname"] = hostname
            groups.setdefault(ports, []).append(ep)
        wanted: list[tuple[Ports, list[Obj]]] = []
        for ports, eps in groups.items():
            eps.sort(key=lambda e: e["addresses"][0])
            wanted += [(ports, eps[i:i + MAX_PER_SLICE])
                       for i in range(0, len(eps), MAX_PER_SLICE)]
        if not wanted:  # the placeholder slice of a service without endpoints
            wanted = [((), [])]
        labels = self._labels(svc, slice_=True)
        existing = sorted(self._slices_of(meta["namespace"], meta["name"]),
                          key=lambda s: s["metadata"]["name"])
        for i, (ports, eps) in enumerate(wanted):
            body: Obj = {"addressType": "IPv4", "endpoints": eps}
            if ports:
                body["ports"] = [_port(p, slice_=True) for p in ports]
            if i < len(existing):
                old = existing[i]
                if old.get("endpoints") == eps and old.get("ports") == body.get("ports") and \
                        labels_of(old) == labels:
                    continue
                new = {k: v for k, v in old.items() if k not in ("endpoints", "ports")}
                new["metadata"] = {**old["metadata"], "labels": labels}
                self.store.update(SLICES, {**new, **body}, check_rv=False)
            else:
                create(self.sandbox, builtin("EndpointSlice"), {
                    "apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
                    "metadata": {"generateName": f"{meta['name']}-",
                                 "namespace": meta["namespace"], "labels": labels,
                                 "annotations": {TRIGGER_TIME: now_rfc3339()},
                                 "ownerReferences": [owner_reference(svc)]},
                    **body})
        for old in existing[len(wanted):]:
            self.store.delete(SLICES, meta["namespace"], old["metadata"]["name"])

    # ----- the kubernetes service ----------------------------------------------------

    def _ensure_kubernetes_service(self) -> None:
        """What the API server's endpoint reconciler keeps in `default`."""
        if self.store.find(SERVICES, "default", "kubernetes") is not None:
            return
        labels = {"component": "apiserver", "provider": "kubernetes"}
        svc = create(self.sandbox, builtin("Service"), {
            "apiVersion": "v1", "kind": "Service",
            "metadata": {"name": "kubernetes", "namespace": "default", "labels": labels},
            "spec": {"type": "ClusterIP", "clusterIP": KUBERNETES_SERVICE_IP,
                     "clusterIPs": [KUBERNETES_SERVICE_IP], "sessionAffinity": "None",
                     "ipFamilies": ["IPv4"], "ipFamilyPolicy": "SingleStack",
                     "internalTrafficPolicy": "Cluster",
                     "ports": [{"name": "https", "port": 443, "protocol": "TCP",
                                "targetPort": APISERVER_PORT}]}})
        ip = str(NODE_IP_BASE)
        if self.store.find(ENDPOINTS, "default", "kubernetes") is None:
            create(self.sandbox, builtin("Endpoints"), {
                "apiVersion": "v1", "kind": "Endpoints",
                "metadata": {"name": "kubernetes", "namespace": "default",
                             "labels": {"endpointslice.kubernetes.io/skip-mirror": "true"}},
                "subsets": [{"addresses": [{"ip": ip}],
                             "ports": [{"name": "https", "port": APISERVER_PORT,
                                        "protocol": "TCP"}]}]})
        if self.store.find(SLICES, "default", "kubernetes") is None:
            create(self.sandbox, builtin("EndpointSlice"), {
                "apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
                "metadata": {"name": "kubernetes", "namespace": "default",
                             "labels": {SERVICE_NAME_LABEL: "kubernetes"},
                             "ownerReferences": [owner_reference(svc)]},
                "addressType": "IPv4",
                "endpoints": [{"addresses": [ip], "conditions": {
                    "ready": True, "serving": True, "terminating": False}}],
                "ports": [{"name": "https", "port": APISERVER_PORT, "protocol": "TCP"}]})


def _target_ref(pod: Obj) -> Obj:
    meta = pod["metadata"]
    return {"kind": "Pod", "namespace": meta.get("namespace", ""), "name": meta["name"],
            "uid": meta.get("uid", "")}


def _hostname(svc: Obj, pod: Obj) -> str:
    spec = pod.get("spec") or {}
    if spec.get("hostname") and spec.get("subdomain") == svc["metadata"]["name"]:
        return spec["hostname"]
    return ""


def _address(svc: Obj, pod: Obj, ip: str) -> Obj:
    out: Obj = {"ip": ip}
    if hostname := _hostname(svc, pod):
        out["hostname"] = hostname
    if node := (pod.get("spec") or {}).get("nodeName"):
        out["nodeName"] = node
    out["targetRef"] = _target_ref(pod)
    return out


def _port(p: tuple[str, int, str], slice_: bool = False) -> Obj:
    name, port, protocol = p
    out: Obj = {"port": port, "protocol": protocol}
    if name or slice_:
        out["name"] = name
    return out
