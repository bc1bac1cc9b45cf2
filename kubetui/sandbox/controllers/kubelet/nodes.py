"""What a registering kubelet reports about its node: capacity and allocatable (when the
scenario left them out), an InternalIP, the pressure and Ready conditions, nodeInfo and
the kubelet's endpoint; what the scenario set is kept."""

from __future__ import annotations

import hashlib
import ipaddress
import uuid

from kubetui.sandbox.apiserver.store import Obj, now_rfc3339

KUBELET_VERSION = "v1.32.0"
NODE_IP_BASE = ipaddress.ip_address("172.18.0.2")


def needs_registration(node: Obj) -> bool:
    status = node.get("status") or {}
    return not all(status.get(k) for k in ("capacity", "addresses", "conditions", "nodeInfo"))


def registered_status(node: Obj, used_ips: set[str]) -> tuple[Obj, str]:
    """The node's status after registration, and the InternalIP handed out ("" when the
    node had addresses); `used_ips` are the addresses taken already."""
    name = node["metadata"]["name"]
    status = dict(node.get("status") or {})
    now = now_rfc3339()
    if not status.get("capacity"):
        status["capacity"] = {"cpu": "4", "memory": "16Gi", "pods": "110",
                              "ephemeral-storage": "100Gi", "hugepages-1Gi": "0",
                              "hugepages-2Mi": "0"}
    status.setdefault("allocatable", dict(status["capacity"]))
    ip = ""
    if not status.get("addresses"):
        ip = next(str(NODE_IP_BASE + i) for i in range(65_000)
                  if str(NODE_IP_BASE + i) not in used_ips)
        status["addresses"] = [{"type": "InternalIP", "address": ip},
                               {"type": "Hostname", "address": name}]
    if not status.get("conditions"):
        status["conditions"] = [
            _node_condition("MemoryPressure", "False", "KubeletHasSufficientMemory",
                            "kubelet has sufficient memory available", now),
            _node_condition("DiskPressure", "False", "KubeletHasNoDiskPressure",
                            "kubelet has no disk pressure", now),
            _node_condition("PIDPressure", "False", "KubeletHasSufficientPID",
                            "kubelet has sufficient PID available", now),
            _node_condition("Ready", "True", "KubeletReady",
                            "kubelet is posting ready status", now),
        ]
    if not status.get("nodeInfo"):
        seed = hashlib.sha256(name.encode()).hexdigest()
        status["nodeInfo"] = {
            "architecture": "amd64", "bootID": str(uuid.UUID(seed[:32])),
            "containerRuntimeVersion": "containerd://1.7.24",
            "kernelVersion": "6.8.0-49-generic", "kubeProxyVersion": KUBELET_VERSION,
            "kubeletVersion": KUBELET_VERSION, "machineID": seed[32:64],
            "operatingSystem": "linux", "osImage": "Debian GNU/Linux 12 (bookworm)",
            "systemUUID": str(uuid.UUID(seed[16:48]))}
    status.setdefault("daemonEndpoints", {"kubeletEndpoint": {"Port": 10250}})
    return status, ip


def _node_condition(type_: str, status: str, reason: str, message: str, now: str) -> Obj:
    return {"type": type_, "status": status, "lastHeartbeatTime": now,
            "lastTransitionTime": now, "reason": reason, "message": message}


def node_ip(node: Obj) -> str:
    for a in (node.get("status") or {}).get("addresses") or ():
        if a.get("type") == "InternalIP":
            return a["address"]
    return ""
