"""Describers of core/v1 kinds: Pod, Service, Node, ConfigMap, Secret,
PersistentVolumeClaim, Namespace."""

from __future__ import annotations

import base64
import binascii
from datetime import datetime

from kubetui.quantity import format_cpu, format_memory, parse_quantity
from kubetui.render.age import since
from kubetui.render.describe.common import (go_value, or_none, rfc1123, write_annotations,
                                            write_controller, write_events, write_header,
                                            write_labels)
from kubetui.render.describe.pod_template import (write_containers, write_tolerations,
                                                  write_volumes)
from kubetui.render.describe.writer import Describer, Related, Writer
from kubetui.render.printers import base
from kubetui.render.printers.core import (endpoints_text, host_port, node_roles,
                                          pvc_storage_class)
from kubetui.render.text import access_modes, dig, format_labels


def _describe_pod(w: Writer, pod: dict, events: list[dict], related: Related,
                  now: datetime) -> None:
    meta, spec, status = base.meta(pod), base.spec(pod), base.status(pod)
    w.write(0, f"Name:\t{meta.get('name', '')}\n")
    w.write(0, f"Namespace:\t{meta.get('namespace', '')}\n")
    if spec.get("priority") is not None:
        w.write(0, f"Priority:\t{spec['priority']}\n")
    if spec.get("priorityClassName"):
        w.write(0, f"Priority Class Name:\t{spec['priorityClassName']}\n")
    if spec.get("runtimeClassName"):
        w.write(0, f"Runtime Class Name:\t{spec['runtimeClassName']}\n")
    if spec.get("serviceAccountName"):
        w.write(0, f"Service Account:\t{spec['serviceAccountName']}\n")
    node = spec.get("nodeName")
    w.write(0, f"Node:\t{node}/{status.get('hostIP', '')}\n" if node else "Node:\t<none>\n")
    if status.get("startTime"):
        w.write(0, f"Start Time:\t{rfc1123(status['startTime'], now)}\n")
    write_labels(w, "Labels", meta.get("labels"))
    write_annotations(w, "Annotations", meta.get("annotations"))
    phase = status.get("phase", "")
    if meta.get("deletionTimestamp") and phase not in ("Failed", "Succeeded"):
        w.write(0, f"Status:\tTerminating (lasts {since(meta['deletionTimestamp'], now)})\n")
        w.write(0, f"Termination Grace Period:\t{meta.get('deletionGracePeriodSeconds', 0)}s\n")
    else:
        w.write(0, f"Status:\t{phase}\n")
    if status.get("reason"):
        w.write(0, f"Reason:\t{status['reason']}\n")
    if status.get("message"):
        w.write(0, f"Message:\t{status['message']}\n")
    if seccomp := dig(spec, "securityContext", "seccompProfile"):
        w.write(0, f"SeccompProfile:\t{seccomp.get('type', '')}\n")
    w.write(0, f"IP:\t{status.get('podIP', '')}\n")
    ips = status.get("podIPs") or []
    w.write(0, "IPs:\n" if ips else "IPs:\t<none>\n")
    for ip in ips:
        w.write(1, f"IP:\t{ip.get('ip', '')}\n")
    write_controller(w, pod)
    if status.get("nominatedNodeName"):
        w.write(0, f"NominatedNodeName:\t{status['nominatedNodeName']}\n")
    if spec.get("initContainers"):
        write_containers(w, "Init Containers", spec["initContainers"],
                    status.get("initContainerStatuses") or [], "", pod, now)
    write_containers(w, "Containers", spec.get("containers") or [],
                status.get("containerStatuses") or [], "", pod, now)
    if spec.get("ephemeralContainers"):  # kubectl's section for debug containers
        write_containers(w, "Ephemeral Containers", spec["ephemeralContainers"],
                         status.get("ephemeralContainerStatuses") or [], "", pod, now)
    if gates := spec.get("readinessGates"):
        w.write(0, "Readiness Gates:\n  Type\tStatus\n")
        by_type = {c.get("type"): c.get("status") for c in status.get("conditions") or []}
        for gate in gates:
            w.write(1, f"{gate.get('conditionType', '')} \t"
                       f"{by_type.get(gate.get('conditionType'), '<none>')} \n")
    if conditions := status.get("conditions"):
        w.write(0, "Conditions:\n  Type\tStatus\n")
        for c in conditions:
            w.write(1, f"{c.get('type', '')} \t{c.get('status', '')} \n")
    write_volumes(w, spec.get("volumes") or [], "")
    w.write(0, f"QoS Class:\t{status.get('qosClass') or _qos(pod)}\n")
    write_labels(w, "Node-Selectors", spec.get("nodeSelector"))
    write_tolerations(w, "Tolerations", spec.get("tolerations") or [])
    write_events(w, events, now)


def _qos(pod: dict) -> str:
    """The QoS class for a pod whose status does not say it (v1 qos.GetPodQOS, short)."""
    pod_spec = base.spec(pod)
    containers = (pod_spec.get("containers") or []) + (pod_spec.get("initContainers") or [])
    requests = [c.get("resources", {}).get("requests") or {} for c in containers]
    limits = [c.get("resources", {}).get("limits") or {} for c in containers]
    if not any(requests) and not any(limits):
        return "BestEffort"
    guaranteed = all(
        all(lim.get(r) is not None and req.get(r, lim.get(r)) == lim.get(r)
            for r in ("cpu", "memory"))
        for req, lim in zip(requests, limits))
    return "Guaranteed" if guaranteed else "Burstable"


def _describe_service(w: Writer, svc: dict, events: list[dict], related: Related,
                      now: datetime) -> None:
    spec = base.spec(svc)
    write_header(w, svc)
    w.write(0, f"Selector:\t{format_labels(spec.get('selector'))}\n")
    w.write(0, f"Type:\t{spec.get('type', '')}\n")
    if spec.get("ipFamilyPolicy"):
        w.write(0, f"IP Family Policy:\t{spec['ipFamilyPolicy']}\n")
    w.write(0, f"IP Families:\t{or_none(','.join(spec.get('ipFamilies') or []))}\n")
    w.write(0, f"IP:\t{spec.get('clusterIP', '')}\n")
    w.write(0, f"IPs:\t{or_none(','.join(spec.get('clusterIPs') or []))}\n")
    for title, key in (("External IPs", "externalIPs"),):
        if spec.get(key):
            w.write(0, f"{title}:\t{','.join(spec[key])}\n")
    if spec.get("loadBalancerIP"):
        w.write(0, f"Desired LoadBalancer IP:\t{spec['loadBalancerIP']}\n")
    if spec.get("externalName"):
        w.write(0, f"External Name:\t{spec['externalName']}\n")
    if ingress := dig(svc, "status", "loadBalancer", "ingress"):
        text = ", ".join(i.get("ip") + (f" ({i['ipMode']})" if i.get("ipMode") else "")
                         if i.get("ip") else i.get("hostname", "") for i in ingress)
        w.write(0, f"LoadBalancer Ingress:\t{text}\n")
    endpoints = next(iter(related.get("endpoints") or []), None)
    for port in spec.get("ports") or []:
        name, protocol = port.get("name") or "<unset>", port.get("protocol", "TCP")
        w.write(0, f"Port:\t{name}\t{port.get('port', 0)}/{protocol}\n")
        w.write(0, f"TargetPort:\t{base.int_or_string(port.get('targetPort'), '')}/{protocol}\n")
        if port.get("appProtocol"):
            w.write(0, f"AppProtocol:\t{port['appProtocol']}\n")
        if port.get("nodePort"):
            w.write(0, f"NodePort:\t{name}\t{port['nodePort']}/{protocol}\n")
        w.write(0, f"Endpoints:\t{endpoints_text(endpoints, port.get('name', ''))}\n")
    w.write(0, f"Session Affinity:\t{spec.get('sessionAffinity', '')}\n")
    for title, key in (("External Traffic Policy", "externalTrafficPolicy"),
                       ("Internal Traffic Policy", "internalTrafficPolicy"),
                       ("HealthCheck NodePort", "healthCheckNodePort"),
                       ("Traffic Distribution", "trafficDistribution")):
        if spec.get(key):
            w.write(0, f"{title}:\t{spec[key]}\n")
    if spec.get("loadBalancerSourceRanges"):
        w.write(0, f"LoadBalancer Source Ranges:\t{','.join(spec['loadBalancerSourceRanges'])}\n")
    write_events(w, events, now)


def _quantity_text(resource: str, value: float) -> str:
    return format_cpu(value) if resource == "cpu" else format_memory(value)


def _pod_totals(pod: dict) -> tuple[dict[str, float], dict[str, float]]:
    """PodRequests/PodLimits: the containers' sum, at least any init container's."""
    totals: tuple[dict[str, float], dict[str, float]] = ({}, {})
    spec = base.spec(pod)
    for index, key in enumerate(("requests", "limits")):
        total = totals[index]
        for container in spec.get("containers") or []:
            for name, q in (dig(container, "resources", key) or {}).items():
                total[name] = total.get(name, 0.0) + parse_quantity(q)
        for container in spec.get("initContainers") or []:
            for name, q in (dig(container, "resources", key) or {}).items():
                total[name] = max(total.get(name, 0.0), parse_quantity(q))
        for name, q in (spec.get("overhead") or {}).items():
            if name in total:
                total[name] += parse_quantity(q)
    return totals


def _share(used: float, allocatable: float) -> int:
    return int(used / allocatable * 100) if allocatable else 0


def _describe_node(w: Writer, node: dict, events: list[dict], related: Related,
                   now: datetime) -> None:
    meta, spec, status = base.meta(node), base.spec(node), base.status(node)
    w.write(0, f"Name:\t{meta.get('name', '')}\n")
    w.write(0, f"Roles:\t{or_none(','.join(node_roles(node)))}\n")
    write_labels(w, "Labels", meta.get("labels"))
    write_annotations(w, "Annotations", meta.get("annotations"))
    w.write(0, f"CreationTimestamp:\t{rfc1123(meta.get('creationTimestamp'), now)}\n")
    taints = sorted(spec.get("taints") or [],
                    key=lambda t: f"{t.get('effect', '')},{t.get('key', '')}")
    w.write(0, "Taints:\t")
    if not taints:
        w.write(0, "<none>\n")
    for i, taint in enumerate(taints):
        text = taint.get("key", "")
        if taint.get("value"):
            text += f"={taint['value']}"
        if taint.get("effect"):
            text += f":{taint['effect']}"
        w.write(0, ("\t" if i else "") + text + "\n")
    w.write(0, f"Unschedulable:\t{go_value(bool(spec.get('unschedulable')))}\n")
    if leases := related.get("leases"):
        lease = base.spec(leases[0])
        w.write(0, "Lease:\n")
        w.write(1, f"HolderIdentity:\t{lease.get('holderIdentity') or '<unset>'}\n")
        for title, key in (("AcquireTime", "acquireTime"), ("RenewTime", "renewTime")):
            value = lease.get(key)
            w.write(1, f"{title}:\t{rfc1123(value, now) if value else '<unset>'}\n")
    if conditions := status.get("conditions"):
        w.write(0, "Conditions:\n  Type\tStatus\tLastHeartbeatTime\tLastTransitionTime\t"
                   "Reason\tMessage\n")
        w.write(1, "----\t------\t-----------------\t------------------\t------\t-------\n")
        for c in conditions:
            w.write(1, f"{c.get('type', '')} \t{c.get('status', '')} \t"
                       f"{rfc1123(c.get('lastHeartbeatTime'), now)} \t"
                       f"{rfc1123(c.get('lastTransitionTime'), now)} \t"
                       f"{c.get('reason', '')} \t{c.get('message', '')}\n")
    w.write(0, "Addresses:\n")
    for address in status.get("addresses") or []:
        w.write(1, f"{address.get('type', '')}:\t{address.get('address', '')}\n")
    for title, key in (("Capacity", "capacity"), ("Allocatable", "allocatable")):
        if resources := status.get(key):
            w.write(0, f"{title}:\n")
            for name in sorted(resources):
                w.write(0, f"  {name}:\t{resources[name]}\n")
    info = status.get("nodeInfo") or {}
    w.write(0, "System Info:\n")
    for title, key in (("Machine ID", "machineID"), ("System UUID", "systemUUID"),
                       ("Boot ID", "bootID"), ("Kernel Version", "kernelVersion"),
                       ("OS Image", "osImage"), ("Operating System", "operatingSystem"),
                       ("Architecture", "architecture"),
                       ("Container Runtime Version", "containerRuntimeVersion"),
                       ("Kubelet Version", "kubeletVersion")):
        w.write(0, f"  {title}:\t{info.get(key, '')}\n")
    if spec.get("podCIDR"):
        w.write(0, f"PodCIDR:\t{spec['podCIDR']}\n")
    if spec.get("podCIDRs"):
        w.write(0, f"PodCIDRs:\t{','.join(spec['podCIDRs'])}\n")
    if spec.get("providerID"):
        w.write(0, f"ProviderID:\t{spec['providerID']}\n")
    if "pods" in related:
        _node_pods(w, node, related["pods"], now)
    else:
        w.write(0, "Pods:\tnot authorized\n")
    write_events(w, events, now)


def _node_pods(w: Writer, node: dict, pods: list[dict], now: datetime) -> None:
    """Non-terminated Pods and Allocated resources (describeNodeResource)."""
    status = base.status(node)
    allocatable = {k: parse_quantity(v)
                   for k, v in (status.get("allocatable") or status.get("capacity") or {}).items()}
    pods = [p for p in pods if base.status(p).get("phase") not in ("Succeeded", "Failed")]
    w.write(0, f"Non-terminated Pods:\t({len(pods)} in total)\n")
    w.write(1, "Namespace\tName\t\tCPU Requests\tCPU Limits\tMemory Requests\tMemory Limits\t"
               "Age\n")
    w.write(1, "---------\t----\t\t------------\t----------\t---------------\t-------------\t"
               "---\n")
    requests: dict[str, float] = {}
    limits: dict[str, float] = {}
    for pod in pods:
        pod_requests, pod_limits = _pod_totals(pod)
        cells = []
        for resource in ("cpu", "memory"):
            for values in (pod_requests, pod_limits):
                used = values.get(resource, 0.0)
                cells.append(f"{_quantity_text(resource, used)} "
                             f"({_share(used, allocatable.get(resource, 0.0))}%)")
        w.write(1, f"{base.meta(pod).get('namespace', '')}\t{base.meta(pod).get('name', '')}\t\t"
                   f"{chr(9).join(cells)}\t{since(base.meta(pod).get('creationTimestamp'), now)}\n")
        for total, values in ((requests, pod_requests), (limits, pod_limits)):
            for name, value in values.items():
                total[name] = total.get(name, 0.0) + value
    w.write(0, "Allocated resources:\n  (Total limits may be over 100 percent, i.e., "
               "overcommitted.)\n")
    w.write(1, "Resource\tRequests\tLimits\n")
    w.write(1, "--------\t--------\t------\n")
    standard = ("cpu", "memory", "ephemeral-storage")
    huge = sorted(k for k in allocatable if k.startswith("hugepages-"))
    for resource in (*standard, *huge):
        req, lim = requests.get(resource, 0.0), limits.get(resource, 0.0)
        w.write(1, f"{resource}\t{_quantity_text(resource, req)} "
                   f"({_share(req, allocatable.get(resource, 0.0))}%)\t"
                   f"{_quantity_text(resource, lim)} "
                   f"({_share(lim, allocatable.get(resource, 0.0))}%)\n")
    for resource in sorted(k for k in allocatable
                           if k not in standard and k not in huge and k != "pods"
                           and not k.startswith("requests.")):
        w.write(1, f"{resource}\t{_quantity_text(resource, requests.get(resource, 0.0))}\t"
                   f"{_quantity_text(resource, limits.get(resource, 0.0))}\n")


def _describe_configmap(w: Writer, cm: dict, events: list[dict], related: Related,
                        now: datetime) -> None:
    write_header(w, cm)
    w.write(0, "\nData\n====\n")
    data = cm.get("data") or {}
    for key in sorted(data):
        w.write(0, f"{key}:\n----\n{data[key]}\n\n")
    w.write(0, "\nBinaryData\n====\n")
    binary = cm.get("binaryData") or {}
    for key in sorted(binary):
        w.write(0, f"{key}: {_decoded_size(binary[key])} bytes\n")
    w.write(0, "\n")
    write_events(w, events, now)


def _decoded_size(value: str) -> int:
    """The byte length of a base64 value (its length as text if it is not base64)."""
    try:
        return len(base64.b64decode(value, validate=True))
    except (binascii.Error, ValueError):
        return len(value)


def _describe_secret(w: Writer, secret: dict, events: list[dict], related: Related,
                     now: datetime) -> None:
    """Sizes only, for every key (kubectl shows service-account tokens; kubetui never)."""
    write_header(w, secret)
    w.write(0, f"\nType:\t{secret.get('type', '')}\n")
    w.write(0, "\nData\n====\n")
    data = secret.get("data") or {}
    for key in sorted(data):
        w.write(0, f"{key}:\t{_decoded_size(data[key] or '')} bytes\n")


def _describe_pvc(w: Writer, pvc: dict, events: list[dict], related: Related,
                  now: datetime) -> None:
    meta, spec, status = base.meta(pvc), base.spec(pvc), base.status(pvc)
    w.write(0, f"Name:\t{meta.get('name', '')}\n")
    w.write(0, f"Namespace:\t{meta.get('namespace', '')}\n")
    w.write(0, f"StorageClass:\t{pvc_storage_class(pvc)}\n")
    if meta.get("deletionTimestamp"):
        w.write(0, f"Status:\tTerminating (lasts {since(meta['deletionTimestamp'], now)})\n")
    else:
        w.write(0, f"Status:\t{status.get('phase', '')}\n")
    w.write(0, f"Volume:\t{spec.get('volumeName', '')}\n")
    write_labels(w, "Labels", meta.get("labels"))
    write_annotations(w, "Annotations", meta.get("annotations"))
    w.write(0, f"Finalizers:\t{go_value(meta.get('finalizers') or [])}\n")
    bound = bool(spec.get("volumeName"))
    w.write(0, f"Capacity:\t{(status.get('capacity') or {}).get('storage', '') if bound else ''}\n")
    w.write(0, f"Access Modes:\t{access_modes(status.get('accessModes')) if bound else ''}\n")
    if spec.get("volumeMode"):
        w.write(0, f"VolumeMode:\t{spec['volumeMode']}\n")
    if source := spec.get("dataSource"):
        w.write(0, "DataSource:\n")
        if source.get("apiGroup"):
            w.write(1, f"APIGroup:\t{source['apiGroup']}\n")
        w.write(1, f"Kind:\t{source.get('kind', '')}\n")
        w.write(1, f"Name:\t{source.get('name', '')}\n")
    users = sorted(base.meta(p).get("name", "") for p in related.get("pods") or [])
    w.write(0, "Used By:\t")
    w.write(0, "<none>\n" if not users else "\t".join(f"{u}\n" for u in users))
    if conditions := status.get("conditions"):
        w.write(0, "Conditions:\n")
        w.write(1, "Type\tStatus\tLastProbeTime\tLastTransitionTime\tReason\tMessage\n")
        w.write(1, "----\t------\t-----------------\t------------------\t------\t-------\n")
        for c in conditions:
            w.write(1, f"{c.get('type', '')} \t{c.get('status', '')} \t"
                       f"{rfc1123(c.get('lastProbeTime'), now)} \t"
                       f"{rfc1123(c.get('lastTransitionTime'), now)} \t"
                       f"{c.get('reason', '')} \t{c.get('message', '')}\n")
    write_events(w, events, now)


def _describe_namespace(w: Writer, ns: dict, events: list[dict], related: Related,
                        now: datetime) -> None:
    write_header(w, ns, namespaced=False)
    w.write(0, f"Status:\t{base.status(ns).get('phase', '')}\n")
    if conditions := base.status(ns).get("conditions"):
        w.write(0, "Conditions:\n")
        w.write(1, "Type\tStatus\tLastTransitionTime\tReason\tMessage\n")
        w.write(1, "----\t------\t------------------\t------\t-------\n")
        for c in conditions:
            w.write(1, f"{c.get('type', '')}\t{c.get('status', '')}\t"
                       f"{rfc1123(c.get('lastTransitionTime'), now)}\t{c.get('reason', '')}\t"
                       f"{c.get('message', '')}\n")
    w.write(0, "\n")
    quotas = sorted(related.get("resourcequotas") or [], key=lambda q: base.meta(q).get("name", ""))
    if not quotas:
        w.write(0, "No resource quota.\n")
    else:
        w.write(0, "Resource Quotas\n")
        for quota in quotas:
            w.write(1, f"Name:\t{base.meta(quota).get('name', '')}\n")
            w.write(1, "Resource\tUsed\tHard\n")
            w.write(1, "--------\t---\t---\n")
            quota_status = base.status(quota)
            hard, used = quota_status.get("hard") or {}, quota_status.get("used") or {}
            for resource in sorted(hard):
                w.write(1, f"{resource}\t{used.get(resource, '0')}\t{hard[resource]}\n")
    w.write(0, "\n")
    limit_ranges = related.get("limitranges") or []
    if not limit_ranges:
        w.write(0, "No LimitRange resource.\n")
        return
    w.write(0, "Resource Limits\n Type\tResource\tMin\tMax\tDefault Request\tDefault Limit\t"
               "Max Limit/Request Ratio\n")
    w.write(0, " ----\t--------\t---\t---\t---------------\t-------------\t"
               "-----------------------\n")
    for limit_range in limit_ranges:
        for item in base.spec(limit_range).get("limits") or []:
            fields = ("min", "max", "defaultRequest", "default", "maxLimitRequestRatio")
            names = sorted({name for f in fields for name in item.get(f) or {}})
            for name in names:
                values = "\t".join(str((item.get(f) or {}).get(name, "-")) for f in fields)
                w.write(0, f" {item.get('type', '')}\t{name}\t{values}\n")


DESCRIBERS: dict[str, Describer] = {
    "Pod": _describe_pod,
    "Service": _describe_service,
    "Node": _describe_node,
    "ConfigMap": _describe_configmap,
    "Secret": _describe_secret,
    "PersistentVolumeClaim": _describe_pvc,
    "Namespace": _describe_namespace,
}
