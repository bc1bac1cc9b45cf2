"""Pods and pod templates as kubectl describe prints them: containers (ports, probes,
environment, state, resources), volumes, tolerations, pod counts."""

from __future__ import annotations

import re
from datetime import datetime

from kubetui.render.describe.common import (go_value, or_none, print_bool, rfc1123,
                                            write_annotations, write_labels)
from kubetui.render.describe.writer import Writer
from kubetui.render.printers import base
from kubetui.render.text import dig


def _ports(ports: list[dict], key: str) -> str:
    text = []
    for port in ports:
        one = f"{port.get(key, 0)}/{port.get('protocol', 'TCP')}"
        text.append(f"{one} ({port['name']})" if port.get("name") else one)
    return ", ".join(text)


def _probe(probe: dict) -> str:
    """DescribeProbe: the action and its timings."""
    attrs = (f"delay={probe.get('initialDelaySeconds', 0)}s "
             f"timeout={probe.get('timeoutSeconds', 0)}s "
             f"period={probe.get('periodSeconds', 0)}s "
             f"#success={probe.get('successThreshold', 0)} "
             f"#failure={probe.get('failureThreshold', 0)}")
    if (action := probe.get("exec")) is not None:
        return f"exec {go_value(action.get('command') or [])} {attrs}"
    if (action := probe.get("httpGet")) is not None:
        port = base.int_or_string(action.get("port"), "")
        host = action.get("host", "")
        netloc = (f"[{host}]:{port}" if ":" in host else f"{host}:{port}") if port else host
        scheme = (action.get("scheme") or "").lower()
        return f"http-get {scheme}://{netloc}{action.get('path', '')} {attrs}"
    if (action := probe.get("tcpSocket")) is not None:
        return (f"tcp-socket {action.get('host', '')}:{base.int_or_string(action.get('port'), '')} "
                f"{attrs}")
    if (action := probe.get("grpc")) is not None:
        return f"grpc <pod>:{action.get('port', 0)} {action.get('service', '')} {attrs}"
    return f"unknown {attrs}"


_FIELD_REF = re.compile(r"metadata\.(labels|annotations)\['(.+)'\]")


def _field_value(pod: dict | None, path: str) -> str:
    """A downward-API fieldRef resolved against the pod ("" in templates)."""
    if pod is None:
        return ""
    if m := _FIELD_REF.fullmatch(path):
        return str((base.meta(pod).get(m[1]) or {}).get(m[2], ""))
    value = dig(pod, *path.split("."))
    return "" if value is None or isinstance(value, (dict, list)) else go_value(value)


def _optional(ref: dict) -> str:
    return go_value(bool(ref.get("optional")))


def _env(w: Writer, container: dict, pod: dict | None) -> None:
    env_from = container.get("envFrom") or []
    if env_from:
        w.write(2, "Environment Variables from:\n")
        for source in env_from:
            what, ref = ("ConfigMap", source["configMapRef"]) if source.get("configMapRef") \
                else ("Secret", source.get("secretRef") or {})
            optional = go_value(bool(ref.get("optional")))
            prefix = source.get("prefix")
            origin = f"{what} with prefix '{prefix}'" if prefix else what
            w.write(3, f"{ref.get('name', '')}\t{origin}\tOptional: {optional}\n")
    env = container.get("env") or []
    w.write(2, "Environment:\t<none>\n" if not env else "Environment:\n")
    for var in env:
        name, source = var.get("name", ""), var.get("valueFrom")
        if source is None:
            for i, part in enumerate((var.get("value") or "").split("\n")):
                w.write(3, f"{name}:\t{part}\n" if i == 0 else f"\t{part}\n")
        elif ref := source.get("fieldRef"):
            value = _field_value(pod, ref.get("fieldPath", ""))
            w.write(3, f"{name}:\t{value} ({ref.get('apiVersion', '')}:"
                       f"{ref.get('fieldPath', '')})\n")
        elif ref := source.get("resourceFieldRef"):
            resource = ref.get("resource", "")
            value = dig(container, "resources", *resource.split(".", 1))
            if value is None:
                value = "node allocatable" if resource in ("limits.cpu", "limits.memory") \
                    else "0"
            w.write(3, f"{name}:\t{value} ({resource})\n")
        elif ref := source.get("secretKeyRef"):
            w.write(3, f"{name}:\t<set to the key '{ref.get('key', '')}' in secret "
                       f"'{ref.get('name', '')}'>\tOptional: {_optional(ref)}\n")
        elif ref := source.get("configMapKeyRef"):
            w.write(3, f"{name}:\t<set to the key '{ref.get('key', '')}' of config map "
                       f"'{ref.get('name', '')}'>\tOptional: {_optional(ref)}\n")


def _container_state(w: Writer, title: str, state: dict, now: datetime) -> None:
    if (running := state.get("running")) is not None:
        w.write(2, f"{title}:\tRunning\n")
        w.write(3, f"Started:\t{rfc1123(running.get('startedAt'), now)}\n")
    elif (terminated := state.get("terminated")) is not None:
        w.write(2, f"{title}:\tTerminated\n")
        if terminated.get("reason"):
            w.write(3, f"Reason:\t{terminated['reason']}\n")
        if terminated.get("message"):
            w.write(3, f"Message:\t{terminated['message']}\n")
        w.write(3, f"Exit Code:\t{terminated.get('exitCode', 0)}\n")
        if terminated.get("signal"):
            w.write(3, f"Signal:\t{terminated['signal']}\n")
        w.write(3, f"Started:\t{rfc1123(terminated.get('startedAt'), now)}\n")
        w.write(3, f"Finished:\t{rfc1123(terminated.get('finishedAt'), now)}\n")
    else:
        w.write(2, f"{title}:\tWaiting\n")
        if reason := (state.get("waiting") or {}).get("reason"):
            w.write(3, f"Reason:\t{reason}\n")


def _resources(w: Writer, resources: dict | None, level: int) -> None:
    for title in ("limits", "requests"):
        values = (resources or {}).get(title) or {}
        if values:
            w.write(level, f"{title.capitalize()}:\n")
        for name in sorted(values):
            w.write(level + 1, f"{name}:\t{values[name]}\n")


def write_containers(w: Writer, label: str, containers: list[dict], statuses: list[dict],
                space: str, pod: dict | None, now: datetime) -> None:
    """describeContainers: one block per container; `pod` resolves fieldRefs."""
    by_name = {s.get("name"): s for s in statuses}
    w.write(0, f"{space}{label}:{'' if containers else ' <none>'}\n")
    for container in containers:
        status = by_name.get(container.get("name"))
        w.write(1, f"{' ' if space else ''}{container.get('name', '')}:\n")
        if status is not None:
            w.write(2, f"Container ID:\t{status.get('containerID', '')}\n")
        w.write(2, f"Image:\t{container.get('image', '')}\n")
        if status is not None:
            w.write(2, f"Image ID:\t{status.get('imageID', '')}\n")
        ports = container.get("ports") or []
        for title, key in (("Port", "containerPort"), ("Host Port", "hostPort")):
            text = _ports(ports, key)
            if "," in text:
                w.write(2, f"{title}s:\t{text}\n")
            else:
                w.write(2, f"{title}:\t{or_none(text)}\n")
        for title, key in (("Command", "command"), ("Args", "args")):
            if container.get(key):
                w.write(2, f"{title}:\n")
                for item in container[key]:
                    for part in str(item).split("\n"):
                        w.write(3, f"{part}\n")
        if status is not None:
            _container_state(w, "State", status.get("state") or {}, now)
            last = status.get("lastState") or {}
            if last.get("terminated") is not None:
                _container_state(w, "Last State", last, now)
            w.write(2, f"Ready:\t{print_bool(status.get('ready'))}\n")
            w.write(2, f"Restart Count:\t{status.get('restartCount', 0)}\n")
        _resources(w, container.get("resources"), 2)
        for title, key in (("Liveness", "livenessProbe"), ("Readiness", "readinessProbe"),
                           ("Startup", "startupProbe")):
            if container.get(key) is not None:
                w.write(2, f"{title}:\t{_probe(container[key])}\n")
        _env(w, container, pod)
        mounts = sorted(container.get("volumeMounts") or [],
                        key=lambda m: m.get("mountPath", ""))
        w.write(2, "Mounts:\n" if mounts else "Mounts:\t<none>\n")
        for mount in mounts:
            flags = ["ro" if mount.get("readOnly") else "rw"]
            if mount.get("subPath"):
                flags.append(f'path="{mount["subPath"]}"')
            w.write(3, f"{mount.get('mountPath', '')} from {mount.get('name', '')} "
                       f"({','.join(flags)})\n")


#: Volume sources kubectl prints field by field: key -> (type line, [(label, field)]).
_VOLUME_SOURCES: dict[str, tuple[str, list[tuple[str, str]]]] = {
    "hostPath": ("HostPath (bare host directory volume)", [("Path", "path"),
                                                           ("HostPathType", "type")]),
    "emptyDir": ("EmptyDir (a temporary directory that shares a pod's lifetime)",
                 [("Medium", "medium"), ("SizeLimit", "sizeLimit")]),
    "secret": ("Secret (a volume populated by a Secret)", [("SecretName", "secretName"),
                                                          ("Optional", "optional")]),
    "configMap": ("ConfigMap (a volume populated by a ConfigMap)", [("Name", "name"),
                                                                   ("Optional", "optional")]),
    "persistentVolumeClaim": (
        "PersistentVolumeClaim (a reference to a PersistentVolumeClaim in the same "
        "namespace)", [("ClaimName", "claimName"), ("ReadOnly", "readOnly")]),
    "nfs": ("NFS (an NFS mount that lasts the lifetime of a pod)",
            [("Server", "server"), ("Path", "path"), ("ReadOnly", "readOnly")]),
    "csi": ("CSI (a Container Storage Interface (CSI) volume source)",
            [("Driver", "driver"), ("FSType", "fsType"), ("ReadOnly", "readOnly")]),
}


#: What kubectl prints for a field the object leaves out.
_VOLUME_DEFAULTS = {"type": "<none>", "sizeLimit": "<unset>", "optional": False,
                    "readOnly": False}


def write_volumes(w: Writer, volumes: list[dict], space: str) -> None:
    if not volumes:
        w.write(0, f"{space}Volumes:\t<none>\n")
        return
    w.write(0, f"{space}Volumes:\n")
    for volume in volumes:
        w.write(1, f"{' ' if space else ''}{volume.get('name', '')}:\n")
        key = next((k for k in _VOLUME_SOURCES if volume.get(k) is not None), None)
        if key is not None:
            title, fields = _VOLUME_SOURCES[key]
            source = volume[key]
            w.write(2, f"Type:\t{title}\n")
            for label, field in fields:
                value = source.get(field, _VOLUME_DEFAULTS.get(field, ""))
                w.write(2, f"{label}:\t{go_value(value)}\n")
        elif (projected := volume.get("projected")) is not None:
            w.write(2, "Type:\tProjected (a volume that contains injected data from multiple "
                       "sources)\n")
            for source in projected.get("sources") or []:
                # kubectl 1.32 prints the *bool as is (<nil> when unset), labels and all.
                if (ref := source.get("secret")) is not None:
                    w.write(2, f"SecretName:\t{ref.get('name', '')}\n")
                    w.write(2, f"SecretOptionalName:\t{go_value(ref.get('optional'))}\n")
                elif source.get("downwardAPI") is not None:
                    w.write(2, "DownwardAPI:\ttrue\n")
                elif (ref := source.get("configMap")) is not None:
                    w.write(2, f"ConfigMapName:\t{ref.get('name', '')}\n")
                    w.write(2, f"ConfigMapOptional:\t{go_value(ref.get('optional'))}\n")
                elif (ref := source.get("serviceAccountToken")) is not None:
                    w.write(2, f"TokenExpirationSeconds:\t{ref.get('expirationSeconds', 0)}\n")
        elif (downward := volume.get("downwardAPI")) is not None:
            w.write(2, "Type:\tDownwardAPI (a volume populated by information about the "
                       "pod)\n")
            w.write(2, "Items:\n")
            for item in downward.get("items") or []:
                ref = item.get("fieldRef") or item.get("resourceFieldRef")
                if ref:
                    source_name = ref.get("fieldPath") or ref.get("resource", "")
                    w.write(3, f"{source_name} -> {item.get('path', '')}\n")
        else:
            w.write(1, "<unknown>\n")


def write_tolerations(w: Writer, title: str, tolerations: list[dict]) -> None:
    w.write(0, f"{title}:\t")
    if not tolerations:
        w.write(0, "<none>\n")
        return
    for i, t in enumerate(sorted(tolerations, key=lambda t: t.get("key", ""))):
        if i:
            w.write(0, "\t")
        text = t.get("key", "")
        if t.get("value"):
            text += f"={t['value']}"
        if t.get("effect"):
            text += f":{t['effect']}"
        if t.get("operator") == "Exists" and not t.get("value"):
            text += " op=Exists" if t.get("key") or t.get("effect") else "op=Exists"
        if t.get("tolerationSeconds") is not None:
            text += f" for {t['tolerationSeconds']}s"
        w.write(0, text + "\n")


def write_pod_template(w: Writer, template: dict | None, now: datetime) -> None:
    """DescribePodTemplate, as workloads print their template."""
    w.write(0, "Pod Template:\n")
    if template is None:
        w.write(1, "<unset>")
        return
    meta, spec = template.get("metadata") or {}, template.get("spec") or {}
    write_labels(w, "  Labels", meta.get("labels"))
    if meta.get("annotations"):
        write_annotations(w, "  Annotations", meta["annotations"])
    if spec.get("serviceAccountName"):
        w.write(1, f"Service Account:\t{spec['serviceAccountName']}\n")
    if spec.get("initContainers"):
        write_containers(w, "Init Containers", spec["initContainers"], [], "  ", None, now)
    write_containers(w, "Containers", spec.get("containers") or [], [], "  ", None, now)
    write_volumes(w, spec.get("volumes") or [], "  ")
    if spec.get("priorityClassName"):
        w.write(1, f"Priority Class Name:\t{spec['priorityClassName']}\n")
    write_labels(w, "  Node-Selectors", spec.get("nodeSelector"))
    write_tolerations(w, "  Tolerations", spec.get("tolerations") or [])


def pod_counts(pods: list[dict], owner_uid: str) -> str:
    """Pods Status of a controller: its own pods by phase."""
    phases = {"Running": 0, "Pending": 0, "Succeeded": 0, "Failed": 0}
    for pod in pods:
        refs = base.meta(pod).get("ownerReferences") or []
        if any(r.get("controller") and r.get("uid") == owner_uid for r in refs):
            phase = base.status(pod).get("phase", "")
            if phase in phases:
                phases[phase] += 1
    return (f"{phases['Running']} Running / {phases['Pending']} Waiting / "
            f"{phases['Succeeded']} Succeeded / {phases['Failed']} Failed")
