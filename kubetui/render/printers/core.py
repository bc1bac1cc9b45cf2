"""core/v1 kinds other than Pod and Event."""

from __future__ import annotations

import ipaddress
from datetime import datetime

from kubetui.render.model import FAILED, OK, PENDING, TERMINATING, Cell, RowHealth
from kubetui.render.printers.base import (AGE, NAME, Printer, age, column, condition, meta,
                                          name, spec, status, wide)
from kubetui.render.text import access_modes, format_labels, list_with_more

NAMESPACE = (NAME, column("Status", description="The status of the namespace"), AGE)


def render_namespace(ns: dict, now: datetime) -> tuple[list[Cell], RowHealth]:
    phase = status(ns).get("phase", "")
    health = {"Active": OK, "Terminating": TERMINATING}.get(phase, PENDING)
    return [name(ns), phase, age(ns, now)], health


NODE = (
    NAME,
    column("Status", description="The status of the node"),
    column("Roles", description="The roles of the node"),
    AGE,
    column("Version"),
    wide("Internal-IP"),
    wide("External-IP"),
    wide("OS-Image"),
    wide("Kernel-Version"),
    wide("Container-Runtime"),
)
_ROLE_PREFIX = "node-role.kubernetes.io/"


def render_node(node: dict, now: datetime) -> tuple[list[Cell], RowHealth]:
    ready = condition(node, "Ready")
    states = ["Unknown" if ready is None
              else "Ready" if ready.get("status") == "True" else "NotReady"]
    unschedulable = bool(spec(node).get("unschedulable"))
    if unschedulable:
        states.append("SchedulingDisabled")
    info = status(node).get("nodeInfo") or {}
    cells: list[Cell] = [
        name(node), ",".join(states), ",".join(node_roles(node)) or "<none>", age(node, now),
        info.get("kubeletVersion", ""),
        _address(node, "InternalIP"), _address(node, "ExternalIP"),
        info.get("osImage") or "<unknown>", info.get("kernelVersion") or "<unknown>",
        info.get("containerRuntimeVersion") or "<unknown>",
    ]
    health = FAILED if states[0] != "Ready" else PENDING if unschedulable else OK
    return cells, health


def node_roles(node: dict) -> list[str]:
    """Roles from node-role.kubernetes.io/<role> label keys and kubernetes.io/role values."""
    roles = set()
    for key, value in (meta(node).get("labels") or {}).items():
        if key.startswith(_ROLE_PREFIX) and key != _ROLE_PREFIX:
            roles.add(key.removeprefix(_ROLE_PREFIX))
        elif key == "kubernetes.io/role" and value:
            roles.add(value)
    return sorted(roles)


def _address(node: dict, kind: str) -> str:
    return next((a.get("address", "") for a in status(node).get("addresses") or []
                 if a.get("type") == kind), "<none>")


SERVICE = (
    NAME,
    column("Type"),
    column("Cluster-IP"),
    column("External-IP"),
    column("Port(s)"),
    AGE,
    wide("Selector"),
)


def render_service(svc: dict, now: datetime) -> tuple[list[Cell], RowHealth]:
    svc_spec = spec(svc)
    # spec.clusterIP is clusterIPs[0]; read it too for objects that carry only that.
    cluster_ips = svc_spec.get("clusterIPs") or [svc_spec.get("clusterIP")]
    external = _external_ip(svc)
    ports = ",".join(_port(p) for p in svc_spec.get("ports") or [])
    cells: list[Cell] = [name(svc), svc_spec.get("type", ""), cluster_ips[0] or "<none>",
                         external, ports or "<none>", age(svc, now),
                         format_labels(svc_spec.get("selector"))]
    return cells, PENDING if external == "<pending>" else OK


def _port(port: dict) -> str:
    protocol = port.get("protocol", "TCP")
    if port.get("nodePort"):
        return f"{port.get('port')}:{port['nodePort']}/{protocol}"
    return f"{port.get('port')}/{protocol}"


def _external_ip(svc: dict) -> str:
    svc_spec = spec(svc)
    external_ips = svc_spec.get("externalIPs") or []
    kind = svc_spec.get("type")
    if kind in ("ClusterIP", "NodePort"):
        return ",".join(external_ips) or "<none>"
    if kind == "LoadBalancer":
        addresses = load_balancer_addresses(status(svc).get("loadBalancer"))
        return ",".join(addresses + external_ips) or "<pending>"
    if kind == "ExternalName":
        return svc_spec.get("externalName", "")
    return "<unknown>"


def load_balancer_addresses(lb_status: dict | None) -> list[str]:
    """The distinct ingress IPs (else hostnames) of a load balancer, sorted. Server-side
    tables are printed wide, so the list is never cut to 16 characters."""
    found = {i.get("ip") or i.get("hostname") for i in (lb_status or {}).get("ingress") or []}
    return sorted(found - {None, ""})


ENDPOINTS = (NAME, column("Endpoints"), AGE)


def render_endpoints(ep: dict, now: datetime) -> tuple[list[Cell], RowHealth]:
    addresses = endpoint_addresses(ep)
    return [name(ep), endpoints_text(ep), age(ep, now)], OK if addresses else PENDING


def endpoint_addresses(ep: dict | None, port_name: str | None = None) -> list[str]:
    """Every host:port of an Endpoints object (of the port named `port_name` only, when
    given); the bare IPs of subsets without ports (headless services)."""
    addresses: list[str] = []
    for subset in (ep or {}).get("subsets") or []:
        ips = [a.get("ip", "") for a in subset.get("addresses") or []]
        ports = subset.get("ports") or []
        if not ports:
            addresses += ips
        for port in ports:
            if port_name is None or port.get("name", "") == port_name:
                addresses += [host_port(ip, port.get("port")) for ip in ips]
    return addresses


def endpoints_text(ep: dict | None, port_name: str | None = None) -> str:
    """kubectl's formatEndpoints: up to three addresses, then " + N more..."; <none>
    without subsets."""
    if not (ep or {}).get("subsets"):
        return "<none>"
    addresses = endpoint_addresses(ep, port_name)
    return list_with_more(addresses, len(addresses), empty="")


def host_port(ip: str, port: int | None) -> str:
    """net.JoinHostPort: IPv6 addresses in brackets."""
    try:
        bracket = ipaddress.ip_address(ip).version == 6
    except ValueError:
        bracket = ":" in ip
    return f"[{ip}]:{port}" if bracket else f"{ip}:{port}"


CONFIGMAP = (NAME, column("Data", sort="number"), AGE)


def render_configmap(cm: dict, now: datetime) -> tuple[list[Cell], RowHealth]:
    count = len(cm.get("data") or {}) + len(cm.get("binaryData") or {})
    return [name(cm), count, age(cm, now)], OK


SECRET = (NAME, column("Type"), column("Data", sort="number"), AGE)


def render_secret(secret: dict, now: datetime) -> tuple[list[Cell], RowHealth]:
    return [name(secret), secret.get("type", ""), len(secret.get("data") or {}),
            age(secret, now)], OK


SERVICEACCOUNT = (NAME, column("Secrets", sort="number"), AGE)


def render_serviceaccount(sa: dict, now: datetime) -> tuple[list[Cell], RowHealth]:
    return [name(sa), len(sa.get("secrets") or []), age(sa, now)], OK


_STORAGE_CLASS_ANNOTATION = "volume.beta.kubernetes.io/storage-class"

PERSISTENTVOLUME = (
    NAME,
    column("Capacity", sort="quantity"),
    column("Access Modes"),
    column("Reclaim Policy"),
    column("Status"),
    column("Claim"),
    column("StorageClass"),
    column("VolumeAttributesClass"),
    column("Reason"),
    AGE,
    wide("VolumeMode"),
)


def render_pv(pv: dict, now: datetime) -> tuple[list[Cell], RowHealth]:
    pv_spec = spec(pv)
    claim = pv_spec.get("claimRef")
    phase = status(pv).get("phase", "")
    if meta(pv).get("deletionTimestamp"):
        phase = "Terminating"
    annotations = meta(pv).get("annotations") or {}
    cells: list[Cell] = [
        name(pv), (pv_spec.get("capacity") or {}).get("storage", "0"),
        access_modes(pv_spec.get("accessModes")),
        pv_spec.get("persistentVolumeReclaimPolicy", ""), phase,
        f"{claim.get('namespace', '')}/{claim.get('name', '')}" if claim else "",
        annotations.get(_STORAGE_CLASS_ANNOTATION, pv_spec.get("storageClassName", "")),
        pv_spec.get("volumeAttributesClassName") or "<unset>",
        status(pv).get("reason", ""), age(pv, now), pv_spec.get("volumeMode") or "<unset>",
    ]
    health = {"Bound": OK, "Available": OK, "Failed": FAILED,
              "Terminating": TERMINATING}.get(phase, PENDING)
    return cells, health


PERSISTENTVOLUMECLAIM = (
    NAME,
    column("Status"),
    column("Volume"),
    column("Capacity", sort="quantity"),
    column("Access Modes"),
    column("StorageClass"),
    column("VolumeAttributesClass"),
    AGE,
    wide("VolumeMode"),
)


def pvc_storage_class(pvc: dict) -> str:
    """GetPersistentVolumeClaimClass: the beta annotation, else spec.storageClassName."""
    annotations = meta(pvc).get("annotations") or {}
    return annotations.get(_STORAGE_CLASS_ANNOTATION, spec(pvc).get("storageClassName") or "")


def render_pvc(pvc: dict, now: datetime) -> tuple[list[Cell], RowHealth]:
    pvc_spec, pvc_status = spec(pvc), status(pvc)
    phase = pvc_status.get("phase", "")
    if meta(pvc).get("deletionTimestamp"):
        phase = "Terminating"
    volume = pvc_spec.get("volumeName", "")
    # Capacity and access modes are the bound volume's, so shown only once bound.
    capacity = (pvc_status.get("capacity") or {}).get("storage", "0") if volume else ""
    modes = access_modes(pvc_status.get("accessModes")) if volume else ""
    cells: list[Cell] = [name(pvc), phase, volume, capacity, modes, pvc_storage_class(pvc),
                         pvc_spec.get("volumeAttributesClassName") or "<unset>",
                         age(pvc, now), pvc_spec.get("volumeMode") or "<unset>"]
    health = {"Bound": OK, "Lost": FAILED, "Terminating": TERMINATING}.get(phase, PENDING)
    return cells, health


RESOURCEQUOTA = (
    NAME,
    column("Request", description="Request represents a minimum amount of cpu/memory that "
                                  "a container may consume."),
    column("Limit", description="Limits control the maximum amount of cpu/memory that a "
                                "container may use independent of contention on the node."),
    AGE,
)


def render_resourcequota(quota: dict, now: datetime) -> tuple[list[Cell], RowHealth]:
    hard = status(quota).get("hard") or {}
    used = status(quota).get("used") or {}
    requests, limits = [], []
    for resource in sorted(hard):
        target = limits if resource.split(".")[0] == "limits" and "." in resource else requests
        target.append(f"{resource}: {used.get(resource, '0')}/{hard[resource]}")
    return [name(quota), ", ".join(requests), ", ".join(limits), age(quota, now)], OK


PRINTERS = (
    Printer("Namespace", "", NAMESPACE, render_namespace),
    Printer("Node", "", NODE, render_node),
    Printer("Service", "", SERVICE, render_service),
    Printer("Endpoints", "", ENDPOINTS, render_endpoints),
    Printer("ConfigMap", "", CONFIGMAP, render_configmap),
    Printer("Secret", "", SECRET, render_secret),
    Printer("ServiceAccount", "", SERVICEACCOUNT, render_serviceaccount),
    Printer("PersistentVolume", "", PERSISTENTVOLUME, render_pv),
    Printer("PersistentVolumeClaim", "", PERSISTENTVOLUMECLAIM, render_pvc),
    Printer("ResourceQuota", "", RESOURCEQUOTA, render_resourcequota),
)
