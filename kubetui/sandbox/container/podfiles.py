"""What the kubelet puts into a container from its pod: environment (`env`, `envFrom`,
service links), the files it writes (`/etc/hosts`, `/etc/hostname`, `/etc/resolv.conf`)
and the volumes (ConfigMap, Secret, downwardAPI, projected, emptyDir and the like),
read from the cluster's objects when they are read."""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Callable
from typing import Any, Protocol

import orjson

from kubetui.sandbox.container.fs import Content, Mount, Volume
from kubetui.sandbox.apiserver.store import Obj

CONFIGMAPS = ("", "configmaps")
SECRETS = ("", "secrets")
SERVICES = ("", "services")
CLUSTER_DOMAIN = "cluster.local"
DNS_IP = "10.96.0.10"
KUBERNETES_IP = "10.96.0.1"
PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"



class Lookup(Protocol):
    """Reading the cluster's objects (the store, as the kubelet's informers see it)."""

    def find(self, key: tuple[str, str], namespace: str, name: str) -> Obj | None: ...

    def in_namespace(self, key: tuple[str, str], namespace: str) -> list[Obj]: ...


def field_value(pod: Obj, path: str) -> str:
    """A downward-API fieldPath's value."""
    meta, spec, status = pod["metadata"], pod.get("spec", {}), pod.get("status", {})
    if m := re.fullmatch(r"metadata\.(labels|annotations)\['(.+)'\]", path):
        return (meta.get(m.group(1)) or {}).get(m.group(2), "")
    if path in ("metadata.labels", "metadata.annotations"):
        items = meta.get(path.split(".")[1]) or {}
        return "\n".join(f'{k}="{v}"' for k, v in sorted(items.items()))
    simple = {"metadata.name": meta.get("name"), "metadata.namespace": meta.get("namespace"),
              "metadata.uid": meta.get("uid"), "spec.nodeName": spec.get("nodeName"),
              "spec.serviceAccountName": spec.get("serviceAccountName"),
              "status.podIP": status.get("podIP"), "status.hostIP": status.get("hostIP"),
              "status.podIPs": status.get("podIP"), "status.hostIPs": status.get("hostIP")}
    return str(simple.get(path) or "")


def _data_of(obj: Obj | None, secret: bool) -> dict[str, bytes]:
    if obj is None:
        return {}
    if secret:
        out = {k: base64.b64decode(v) for k, v in (obj.get("data") or {}).items()}
        out.update({k: v.encode() for k, v in (obj.get("stringData") or {}).items()})
        return out
    out = {k: str(v).encode() for k, v in (obj.get("data") or {}).items()}
    out.update({k: base64.b64decode(v) for k, v in (obj.get("binaryData") or {}).items()})
    return out


def _items(data: dict[str, bytes], items: list[dict] | None) -> dict[str, bytes]:
    if not items:
        return dict(data)
    return {i["path"]: data[i["key"]] for i in items if i.get("key") in data}


def service_account_token(pod: Obj, audience: str = "https://kubernetes.default.svc") -> bytes:
    """A token shaped like a projected one (header.claims.signature); the sandbox's API
    accepts only its own bearer tokens, so this one opens nothing."""
    meta = pod["metadata"]
    sa = pod.get("spec", {}).get("serviceAccountName") or "default"

    def part(doc: Any) -> str:
        return base64.urlsafe_b64encode(orjson.dumps(doc)).decode().rstrip("=")

    claims = {"aud": [audience], "iss": f"https://kubernetes.default.svc.{CLUSTER_DOMAIN}",
              "sub": f"system:serviceaccount:{meta.get('namespace')}:{sa}",
              "kubernetes.io": {"namespace": meta.get("namespace"),
                                "pod": {"name": meta.get("name"), "uid": meta.get("uid")},
                                "serviceaccount": {"name": sa}}}
    sig = base64.urlsafe_b64encode(hashlib.sha256(orjson.dumps(claims)).digest()).decode()
    return f"{part({'alg': 'RS256', 'kid': 'sandbox'})}.{part(claims)}.{sig.rstrip('=')}" \
        .encode()


def volume_files(pod: Obj, volume: Obj, objs: Lookup) -> Callable[[], dict[str, bytes]] | None:
    """A read-only volume's files, computed when read; None for writable kinds."""
    ns = pod["metadata"].get("namespace", "")
    if "configMap" in volume:
        src = volume["configMap"]
        return lambda: _items(_data_of(objs.find(CONFIGMAPS, ns, src.get("name", "")), False),
                              src.get("items"))
    if "secret" in volume:
        src = volume["secret"]
        return lambda: _items(_data_of(objs.find(SECRETS, ns, src.get("secretName", "")), True),
                              src.get("items"))
    if "downwardAPI" in volume:
        items = volume["downwardAPI"].get("items") or []
        return lambda: _downward(pod, items)
    if "projected" in volume:
        sources = volume["projected"].get("sources") or []
        return lambda: _projected(pod, sources, objs)
    return None


def _downward(pod: Obj, items: list[dict]) -> dict[str, bytes]:
    return {i["path"]: field_value(pod, i["fieldRef"]["fieldPath"]).encode()
            for i in items if i.get("fieldRef")}


def _projected(pod: Obj, sources: list[dict], objs: Lookup) -> dict[str, bytes]:
    ns = pod["metadata"].get("namespace", "")
    out: dict[str, bytes] = {}
    for s in sources:
        if "serviceAccountToken" in s:
            tok = s["serviceAccountToken"]
            out[tok.get("path", "token")] = service_account_token(
                pod, tok.get("audience") or "https://kubernetes.default.svc")
        elif "configMap" in s:
            src = s["configMap"]
            out.update(_items(_data_of(objs.find(CONFIGMAPS, ns, src.get("name", "")), False),
                              src.get("items")))
        elif "secret" in s:
            src = s["secret"]
            out.update(_items(_data_of(objs.find(SECRETS, ns, src.get("name", "")), True),
                              src.get("items")))
        elif "downwardAPI" in s:
            out.update(_downward(pod, s["downwardAPI"].get("items") or []))
    return out


def volume_key(pod: Obj, volume: Obj) -> tuple[str, ...]:
    """Who shares a writable volume: the pod (emptyDir), a claim, a host path."""
    meta = pod["metadata"]
    if "persistentVolumeClaim" in volume:
        return ("pvc", meta.get("namespace", ""), volume["persistentVolumeClaim"]["claimName"])
    if "hostPath" in volume:
        return ("host", pod.get("spec", {}).get("nodeName", ""), volume["hostPath"]["path"])
    return ("pod", meta.get("uid", ""), volume["name"])


def mounts(pod: Obj, container: Obj, objs: Lookup,
           shared: Callable[[tuple[str, ...]], Volume]) -> tuple[list[Mount], dict[str, Content]]:
    """The container's volume mounts, and single files mounted with `subPath`."""
    volumes = {v["name"]: v for v in pod.get("spec", {}).get("volumes") or []}
    out: list[Mount] = []
    files: dict[str, Content] = {}
    for vm in container.get("volumeMounts") or []:
        volume = volumes.get(vm.get("name", ""))
        path = vm.get("mountPath", "")
        if volume is None or not path.startswith("/"):
            continue
        read_only = volume_files(pod, volume, objs)
        sub = vm.get("subPath", "")
        if read_only is not None:
            if sub:
                files[path] = lambda ro=read_only, s=sub: ro().get(s, b"")
            else:
                out.append(Mount(path.rstrip("/") or "/", read_only_files=read_only))
        else:
            out.append(Mount(path.rstrip("/") or "/", volume=shared(volume_key(pod, volume))))
    return out, files


def environment(pod: Obj, container: Obj, objs: Lookup, home: str) -> dict[str, str]:
    """The process environment as the kubelet builds it."""
    meta = pod["metadata"]
    ns = meta.get("namespace", "")
    env: dict[str, str] = {"PATH": PATH, "HOSTNAME": pod_hostname(pod)}
    if pod.get("spec", {}).get("enableServiceLinks", True):
        env.update(_service_links(ns, objs))
    for src in container.get("envFrom") or []:
        prefix = src.get("prefix", "")
        if "configMapRef" in src:
            data = _data_of(objs.find(CONFIGMAPS, ns, src["configMapRef"].get("name", "")), False)
        elif "secretRef" in src:
            data = _data_of(objs.find(SECRETS, ns, src["secretRef"].get("name", "")), True)
        else:
            continue
        env.update({prefix + k: v.decode(errors="replace") for k, v in data.items()})
    for e in container.get("env") or []:
        name = e.get("name", "")
        if "value" in e:
            env[name] = re.sub(r"\$\((\w+)\)", lambda m: env.get(m.group(1), m.group(0)),
                               str(e["value"]))
            continue
        ref = e.get("valueFrom") or {}
        if "fieldRef" in ref:
            env[name] = field_value(pod, ref["fieldRef"].get("fieldPath", ""))
        elif "configMapKeyRef" in ref or "secretKeyRef" in ref:
            secret = "secretKeyRef" in ref
            r = ref["secretKeyRef" if secret else "configMapKeyRef"]
            data = _data_of(objs.find(SECRETS if secret else CONFIGMAPS, ns, r.get("name", "")),
                            secret)
            if r.get("key") in data:
                env[name] = data[r["key"]].decode(errors="replace")
        elif "resourceFieldRef" in ref:
            res = ref["resourceFieldRef"].get("resource", "")
            kind, _, what = res.partition(".")
            env[name] = str(((container.get("resources") or {}).get(kind) or {}).get(what, "0"))
    env.setdefault("HOME", home)
    return env


def _service_links(ns: str, objs: Lookup) -> dict[str, str]:
    env = {"KUBERNETES_SERVICE_HOST": KUBERNETES_IP, "KUBERNETES_SERVICE_PORT": "443",
           "KUBERNETES_SERVICE_PORT_HTTPS": "443", "KUBERNETES_PORT":
           f"tcp://{KUBERNETES_IP}:443"}
    for svc in objs.in_namespace(SERVICES, ns):
        ip = svc.get("spec", {}).get("clusterIP", "")
        ports = svc.get("spec", {}).get("ports") or []
        if not ip or ip == "None" or not ports:
            continue
        prefix = svc["metadata"]["name"].upper().replace("-", "_")
        env[f"{prefix}_SERVICE_HOST"] = ip
        env[f"{prefix}_SERVICE_PORT"] = str(ports[0].get("port", ""))
    return env


def pod_hostname(pod: Obj) -> str:
    """The pod's name, its `hostname` if set; the node's name on the host network."""
    spec = pod.get("spec", {})
    if spec.get("hostNetwork") and spec.get("nodeName"):
        return spec["nodeName"]
    return spec.get("hostname") or pod["metadata"]["name"]


def etc_files(pod: Obj) -> dict[str, bytes]:
    """The files the kubelet writes into every container."""
    meta = pod["metadata"]
    ns = meta.get("namespace", "")
    name = pod_hostname(pod)
    ip = pod.get("status", {}).get("podIP", "")
    hosts = ("# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n"
             "::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\n"
             "fe00::0\tip6-mcastprefix\nfe00::1\tip6-allnodes\nfe00::2\tip6-allrouters\n")
    if ip:
        hosts += f"{ip}\t{name}\n"
    return {
        "/etc/hostname": f"{name}\n".encode(),
        "/etc/hosts": hosts.encode(),
        "/etc/resolv.conf": (f"search {ns}.svc.{CLUSTER_DOMAIN} svc.{CLUSTER_DOMAIN} "
                             f"{CLUSTER_DOMAIN}\nnameserver {DNS_IP}\noptions ndots:5\n")
        .encode(),
    }
