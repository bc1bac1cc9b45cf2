"""`kubectl describe` text, pure: an object, its events and related objects in, text out.

The layout follows kubectl 1.32's describers (staging/src/k8s.io/kubectl/pkg/describe):
the same section order, labels, `<none>`/`<unset>` placeholders, and the same alignment,
because kubectl pushes its text through Go's `text/tabwriter` (min width 0, padding 2,
spaces) and `tabwrite` here is that algorithm: a tab ends a cell, and a column is aligned
over each run of consecutive lines that have a cell in it. Events are flushed separately,
so their table aligns on its own.

Times print as kubectl prints them (RFC 1123 with a numeric zone) in the zone of `now`: pass
`datetime.now().astimezone()` for the user's local time, a UTC `now` in tests.

`related` carries what a describer lists besides the object (the cluster layer fetches it,
see `kubetui.cluster.related`):

- Deployment: "replicasets" (those it controls);
- ReplicaSet, StatefulSet, DaemonSet: "pods" (those it controls);
- Service: "endpoints" (the Endpoints of the same name); Ingress: "services", "endpoints";
- Node: "pods" (its non-terminated pods), "leases" (its kube-node-lease Lease);
- PersistentVolumeClaim: "pods" (those mounting it);
- Namespace: "resourcequotas", "limitranges".

Secrets show the size of each value, never a value (kubectl prints service-account tokens;
kubetui does not).
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable
from datetime import datetime, timezone

from kubetui.render.age import format_age, parse_time, since
from kubetui.render.printers.core import host_port, node_roles, load_balancer_addresses
from kubetui.render.printers.event import as_core_event, event_source
from kubetui.render.text import (access_modes, dig, format_labels, format_selector, go_float,
                                 selector_string)
from kubetui.quantity import format_cpu, format_memory, parse_quantity

__all__ = ["describe", "tabwrite"]

Related = dict[str, list[dict]]

_LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"
_MAX_ANNOTATION = 140
_GO_ZERO_TIME = datetime(1, 1, 1, tzinfo=timezone.utc)


# ----- Go's text/tabwriter and kubectl's PrefixWriter --------------------------------------

def tabwrite(text: str, padding: int = 2) -> str:
    """Align tab-separated cells as Go's tabwriter.Init(w, 0, 8, padding, ' ', 0) does."""
    lines = [line.split("\t") for line in text.split("\n")]
    widths: list[int] = []
    out: list[str] = []

    def write_lines(start: int, end: int) -> None:
        for cells in lines[start:end]:
            out.append("".join(cell.ljust(widths[j]) if j < len(widths) else cell
                               for j, cell in enumerate(cells)))

    def block(start: int, end: int) -> None:
        column = len(widths)
        line = start
        while line < end:
            if column >= len(lines[line]) - 1:
                line += 1
                continue
            write_lines(start, line)  # lines before this column's block
            start, width = line, 0
            while line < end and column < len(lines[line]) - 1:
                width = max(width, len(lines[line][column]) + padding)
                line += 1
            widths.append(width)
            block(start, line)
            widths.pop()
            start = line
        write_lines(start, end)

    block(0, len(lines))
    return "\n".join(out)


class _Writer:
    """kubectl's PrefixWriter over a tabwriter: two spaces of indent per level."""

    def __init__(self) -> None:
        self._done: list[str] = []
        self._pending: list[str] = []

    def write(self, level: int, text: str) -> None:
        self._pending.append("  " * level + text)

    def flush(self) -> None:
        """Align what was written so far on its own (kubectl flushes before events)."""
        if self._pending:
            self._done.append(tabwrite("".join(self._pending)))
            self._pending = []

    def text(self) -> str:
        self.flush()
        return "".join(self._done)


# ----- small formatting helpers ------------------------------------------------------------

def _rfc1123(timestamp: str | None, now: datetime) -> str:
    """Go's time.RFC1123Z in the zone of `now` (the zero time for a missing timestamp)."""
    then = parse_time(timestamp)
    if then is None:
        return _GO_ZERO_TIME.strftime("%a, %d %b %Y %H:%M:%S +0000")
    return then.astimezone(now.tzinfo or timezone.utc).strftime("%a, %d %b %Y %H:%M:%S %z")


def _v(value: object) -> str:
    """Go's %v of a JSON value."""
    if value is None:
        return "<nil>"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return go_float(value)
    if isinstance(value, list):
        return "[" + " ".join(_v(v) for v in value) + "]"
    return str(value)


def _bool(value: object) -> str:
    """kubectl's printBool: True/False."""
    return "True" if value else "False"


def _or_none(text: str) -> str:
    return text or "<none>"


def _meta(obj: dict) -> dict:
    return obj.get("metadata") or {}


def _spec(obj: dict) -> dict:
    return obj.get("spec") or {}


def _status(obj: dict) -> dict:
    return obj.get("status") or {}


def _labels(w: _Writer, title: str, labels: dict | None, indent: str = "") -> None:
    """printLabelsMultilineWithIndent: one `k=v` per line, sorted, aligned."""
    w.write(0, f"{indent}{title}:\t")
    if not labels:
        w.write(0, "<none>\n")
        return
    for i, key in enumerate(sorted(labels)):
        if i:
            w.write(0, f"{indent}\t")
        w.write(0, f"{key}={labels[key]}\n")


def _annotations(w: _Writer, title: str, annotations: dict | None) -> None:
    """printAnnotationsMultiline: last-applied-configuration skipped, long or multi-line
    values on their own lines, each cut at 140 characters."""
    w.write(0, f"{title}:\t")
    keys = sorted(k for k in annotations or {} if k != _LAST_APPLIED)
    if not keys:
        w.write(0, "<none>\n")
        return
    assert annotations is not None
    for i, key in enumerate(keys):
        if i:
            w.write(0, "\t")
        value = annotations[key].removesuffix("\n")
        if len(value) + len(key) + 2 > _MAX_ANNOTATION or "\n" in value:
            w.write(0, f"{key}:\n")
            for part in value.split("\n"):
                cut = _MAX_ANNOTATION - 2
                w.write(0, f"\t  {part[:cut] + '...' if len(part) > cut else part}\n")
        else:
            w.write(0, f"{key}: {value}\n")


def _header(w: _Writer, obj: dict, namespaced: bool = True) -> None:
    """Name, Namespace, Labels, Annotations: how most describers begin."""
    meta = _meta(obj)
    w.write(0, f"Name:\t{meta.get('name', '')}\n")
    if namespaced:
        w.write(0, f"Namespace:\t{meta.get('namespace', '')}\n")
    _labels(w, "Labels", meta.get("labels"))
    _annotations(w, "Annotations", meta.get("annotations"))


def _controller(obj: dict) -> str:
    ref = next((r for r in _meta(obj).get("ownerReferences") or [] if r.get("controller")),
               None)
    return f"{ref.get('kind', '')}/{ref.get('name', '')}" if ref else ""


def _write_controller(w: _Writer, obj: dict) -> None:
    if controlled_by := _controller(obj):
        w.write(0, f"Controlled By:\t{controlled_by}\n")


def _int_or_string(value: object) -> str:
    return "" if value is None else str(value)


def _conditions_short(w: _Writer, obj: dict) -> None:
    """The Type/Status/Reason conditions table of Deployments and ReplicaSets."""
    conditions = _status(obj).get("conditions") or []
    if conditions:
        w.write(0, "Conditions:\n  Type\tStatus\tReason\n")
        w.write(1, "----\t------\t------\n")
        for c in conditions:
            w.write(1, f"{c.get('type', '')} \t{c.get('status', '')}\t{c.get('reason', '')}\n")


# ----- events ------------------------------------------------------------------------------

def _events(w: _Writer, events: list[dict], now: datetime) -> None:
    """DescribeEvents: oldest first; "5m (x3 over 20m)" for repeated events."""
    if not events:
        w.write(0, "Events:\t<none>\n")
        return
    w.flush()
    items = sorted((as_core_event(e) for e in events),
                   key=lambda e: parse_time(e.get("lastTimestamp")
                                            or dig(e, "series", "lastObservedTime")
                                            or e.get("eventTime")) or _GO_ZERO_TIME)
    w.write(0, "Events:\n  Type\tReason\tAge\tFrom\tMessage\n")
    w.write(1, "----\t------\t----\t----\t-------\n")
    for e in items:
        first = (since(e["eventTime"], now) if e.get("eventTime")
                 else since(e.get("firstTimestamp"), now))
        series, count = e.get("series"), e.get("count") or 0
        if series:
            age = (f"{since(series.get('lastObservedTime'), now)} "
                   f"(x{series.get('count', 0)} over {first})")
        elif count > 1:
            age = f"{since(e.get('lastTimestamp'), now)} (x{count} over {first})"
        else:
            age = first
        source = event_source(e)[0]  # the component only, as kubectl describe's From
        w.write(1, f"{e.get('type', '')}\t{e.get('reason', '')}\t{age}\t{source}\t"
                   f"{(e.get('message') or '').strip()}\n")


# ----- containers, volumes, pod templates ---------------------------------------------------

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
        return f"exec {_v(action.get('command') or [])} {attrs}"
    if (action := probe.get("httpGet")) is not None:
        port = _int_or_string(action.get("port"))
        host = action.get("host", "")
        netloc = (f"[{host}]:{port}" if ":" in host else f"{host}:{port}") if port else host
        scheme = (action.get("scheme") or "").lower()
        return f"http-get {scheme}://{netloc}{action.get('path', '')} {attrs}"
    if (action := probe.get("tcpSocket")) is not None:
        return (f"tcp-socket {action.get('host', '')}:{_int_or_string(action.get('port'))} "
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
        return str((_meta(pod).get(m[1]) or {}).get(m[2], ""))
    value = dig(pod, *path.split("."))
    return "" if value is None or isinstance(value, (dict, list)) else _v(value)


def _env(w: _Writer, container: dict, pod: dict | None) -> None:
    env_from = container.get("envFrom") or []
    if env_from:
        w.write(2, "Environment Variables from:\n")
        for source in env_from:
            what, ref = ("ConfigMap", source["configMapRef"]) if source.get("configMapRef") \
                else ("Secret", source.get("secretRef") or {})
            optional = _v(bool(ref.get("optional")))
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
                       f"'{ref.get('name', '')}'>\tOptional: {_v(bool(ref.get('optional')))}\n")
        elif ref := source.get("configMapKeyRef"):
            w.write(3, f"{name}:\t<set to the key '{ref.get('key', '')}' of config map "
                       f"'{ref.get('name', '')}'>\tOptional: {_v(bool(ref.get('optional')))}\n")


def _container_state(w: _Writer, title: str, state: dict, now: datetime) -> None:
    if (running := state.get("running")) is not None:
        w.write(2, f"{title}:\tRunning\n")
        w.write(3, f"Started:\t{_rfc1123(running.get('startedAt'), now)}\n")
    elif (terminated := state.get("terminated")) is not None:
        w.write(2, f"{title}:\tTerminated\n")
        if terminated.get("reason"):
            w.write(3, f"Reason:\t{terminated['reason']}\n")
        if terminated.get("message"):
            w.write(3, f"Message:\t{terminated['message']}\n")
        w.write(3, f"Exit Code:\t{terminated.get('exitCode', 0)}\n")
        if terminated.get("signal"):
            w.write(3, f"Signal:\t{terminated['signal']}\n")
        w.write(3, f"Started:\t{_rfc1123(terminated.get('startedAt'), now)}\n")
        w.write(3, f"Finished:\t{_rfc1123(terminated.get('finishedAt'), now)}\n")
    else:
        w.write(2, f"{title}:\tWaiting\n")
        if reason := (state.get("waiting") or {}).get("reason"):
            w.write(3, f"Reason:\t{reason}\n")


def _resources(w: _Writer, resources: dict | None, level: int) -> None:
    for title in ("limits", "requests"):
        values = (resources or {}).get(title) or {}
        if values:
            w.write(level, f"{title.capitalize()}:\n")
        for name in sorted(values):
            w.write(level + 1, f"{name}:\t{values[name]}\n")


def _containers(w: _Writer, label: str, containers: list[dict], statuses: list[dict],
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
                w.write(2, f"{title}:\t{_or_none(text)}\n")
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
            w.write(2, f"Ready:\t{_bool(status.get('ready'))}\n")
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


def _volumes(w: _Writer, volumes: list[dict], space: str) -> None:
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
                w.write(2, f"{label}:\t{_v(value)}\n")
        elif (projected := volume.get("projected")) is not None:
            w.write(2, "Type:\tProjected (a volume that contains injected data from multiple "
                       "sources)\n")
            for source in projected.get("sources") or []:
                # kubectl 1.32 prints the *bool as is (<nil> when unset), labels and all.
                if (ref := source.get("secret")) is not None:
                    w.write(2, f"SecretName:\t{ref.get('name', '')}\n")
                    w.write(2, f"SecretOptionalName:\t{_v(ref.get('optional'))}\n")
                elif source.get("downwardAPI") is not None:
                    w.write(2, "DownwardAPI:\ttrue\n")
                elif (ref := source.get("configMap")) is not None:
                    w.write(2, f"ConfigMapName:\t{ref.get('name', '')}\n")
                    w.write(2, f"ConfigMapOptional:\t{_v(ref.get('optional'))}\n")
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


def _tolerations(w: _Writer, title: str, tolerations: list[dict]) -> None:
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


def _pod_template(w: _Writer, template: dict | None, now: datetime) -> None:
    """DescribePodTemplate, as workloads print their template."""
    w.write(0, "Pod Template:\n")
    if template is None:
        w.write(1, "<unset>")
        return
    meta, spec = template.get("metadata") or {}, template.get("spec") or {}
    _labels(w, "  Labels", meta.get("labels"))
    if meta.get("annotations"):
        _annotations(w, "  Annotations", meta["annotations"])
    if spec.get("serviceAccountName"):
        w.write(1, f"Service Account:\t{spec['serviceAccountName']}\n")
    if spec.get("initContainers"):
        _containers(w, "Init Containers", spec["initContainers"], [], "  ", None, now)
    _containers(w, "Containers", spec.get("containers") or [], [], "  ", None, now)
    _volumes(w, spec.get("volumes") or [], "  ")
    if spec.get("priorityClassName"):
        w.write(1, f"Priority Class Name:\t{spec['priorityClassName']}\n")
    _labels(w, "  Node-Selectors", spec.get("nodeSelector"))
    _tolerations(w, "  Tolerations", spec.get("tolerations") or [])


def _pod_counts(pods: list[dict], owner_uid: str) -> str:
    """Pods Status of a controller: its own pods by phase."""
    phases = {"Running": 0, "Pending": 0, "Succeeded": 0, "Failed": 0}
    for pod in pods:
        refs = _meta(pod).get("ownerReferences") or []
        if any(r.get("controller") and r.get("uid") == owner_uid for r in refs):
            phase = _status(pod).get("phase", "")
            if phase in phases:
                phases[phase] += 1
    return (f"{phases['Running']} Running / {phases['Pending']} Waiting / "
            f"{phases['Succeeded']} Succeeded / {phases['Failed']} Failed")


# ----- one describer per kind ----------------------------------------------------------------

Describer = Callable[[_Writer, dict, list[dict], Related, datetime], None]


def _describe_pod(w: _Writer, pod: dict, events: list[dict], related: Related,
                  now: datetime) -> None:
    meta, spec, status = _meta(pod), _spec(pod), _status(pod)
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
        w.write(0, f"Start Time:\t{_rfc1123(status['startTime'], now)}\n")
    _labels(w, "Labels", meta.get("labels"))
    _annotations(w, "Annotations", meta.get("annotations"))
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
    _write_controller(w, pod)
    if status.get("nominatedNodeName"):
        w.write(0, f"NominatedNodeName:\t{status['nominatedNodeName']}\n")
    if spec.get("initContainers"):
        _containers(w, "Init Containers", spec["initContainers"],
                    status.get("initContainerStatuses") or [], "", pod, now)
    _containers(w, "Containers", spec.get("containers") or [],
                status.get("containerStatuses") or [], "", pod, now)
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
    _volumes(w, spec.get("volumes") or [], "")
    w.write(0, f"QoS Class:\t{status.get('qosClass') or _qos(pod)}\n")
    _labels(w, "Node-Selectors", spec.get("nodeSelector"))
    _tolerations(w, "Tolerations", spec.get("tolerations") or [])
    _events(w, events, now)


def _qos(pod: dict) -> str:
    """The QoS class for a pod whose status does not say it (v1 qos.GetPodQOS, short)."""
    containers = (_spec(pod).get("containers") or []) + (_spec(pod).get("initContainers") or [])
    requests = [c.get("resources", {}).get("requests") or {} for c in containers]
    limits = [c.get("resources", {}).get("limits") or {} for c in containers]
    if not any(requests) and not any(limits):
        return "BestEffort"
    guaranteed = all(
        all(lim.get(r) is not None and req.get(r, lim.get(r)) == lim.get(r)
            for r in ("cpu", "memory"))
        for req, lim in zip(requests, limits))
    return "Guaranteed" if guaranteed else "Burstable"


def _describe_deployment(w: _Writer, d: dict, events: list[dict], related: Related,
                         now: datetime) -> None:
    meta, spec, status = _meta(d), _spec(d), _status(d)
    w.write(0, f"Name:\t{meta.get('name', '')}\n")
    w.write(0, f"Namespace:\t{meta.get('namespace', '')}\n")
    w.write(0, f"CreationTimestamp:\t{_rfc1123(meta.get('creationTimestamp'), now)}\n")
    _labels(w, "Labels", meta.get("labels"))
    _annotations(w, "Annotations", meta.get("annotations"))
    w.write(0, f"Selector:\t{selector_string(spec.get('selector')) or ''}\n")
    w.write(0, f"Replicas:\t{spec.get('replicas', 1)} desired | "
               f"{status.get('updatedReplicas', 0)} updated | {status.get('replicas', 0)} "
               f"total | {status.get('availableReplicas', 0)} available | "
               f"{status.get('unavailableReplicas', 0)} unavailable\n")
    strategy = spec.get("strategy") or {}
    w.write(0, f"StrategyType:\t{strategy.get('type', '')}\n")
    w.write(0, f"MinReadySeconds:\t{spec.get('minReadySeconds', 0)}\n")
    if (rolling := strategy.get("rollingUpdate")) is not None:
        w.write(0, f"RollingUpdateStrategy:\t{_int_or_string(rolling.get('maxUnavailable'))} "
                   f"max unavailable, {_int_or_string(rolling.get('maxSurge'))} max surge\n")
    _pod_template(w, spec.get("template"), now)
    _conditions_short(w, d)
    new, old = _split_replicasets(d, related.get("replicasets") or [])
    if new or old:
        w.write(0, f"OldReplicaSets:\t{_replicaset_list(old)}\n")
        w.write(0, f"NewReplicaSet:\t{_replicaset_list(new)}\n")
    _events(w, events, now)


def _template_without_hash(template: dict | None) -> dict:
    template = dict(template or {})
    meta = dict(template.get("metadata") or {})
    meta["labels"] = {k: v for k, v in (meta.get("labels") or {}).items()
                      if k != "pod-template-hash"}
    template["metadata"] = meta
    return template


def _split_replicasets(d: dict, replicasets: list[dict]) -> tuple[list[dict], list[dict]]:
    """(new, old) ReplicaSets of a Deployment: the new one's template is the Deployment's
    (the pod-template-hash label aside); the oldest such wins, as in deploymentutil."""
    uid = _meta(d).get("uid")
    owned = [rs for rs in replicasets
             if any(r.get("controller") and r.get("uid") == uid
                    for r in _meta(rs).get("ownerReferences") or [])]
    owned.sort(key=lambda rs: (_meta(rs).get("creationTimestamp") or "", _meta(rs).get("name")))
    wanted = _template_without_hash(_spec(d).get("template"))
    new = next((rs for rs in owned if _template_without_hash(_spec(rs).get("template")) == wanted),
               None)
    return ([new] if new else []), [rs for rs in owned if rs is not new]


def _replicaset_list(replicasets: list[dict]) -> str:
    return ", ".join(f"{_meta(rs).get('name', '')} ({_status(rs).get('replicas', 0)}/"
                     f"{_spec(rs).get('replicas', 1)} replicas created)"
                     for rs in replicasets) or "<none>"


def _describe_replicaset(w: _Writer, rs: dict, events: list[dict], related: Related,
                         now: datetime) -> None:
    meta, spec = _meta(rs), _spec(rs)
    w.write(0, f"Name:\t{meta.get('name', '')}\n")
    w.write(0, f"Namespace:\t{meta.get('namespace', '')}\n")
    w.write(0, f"Selector:\t{format_selector(spec.get('selector'))}\n")
    _labels(w, "Labels", meta.get("labels"))
    _annotations(w, "Annotations", meta.get("annotations"))
    _write_controller(w, rs)
    w.write(0, f"Replicas:\t{_status(rs).get('replicas', 0)} current / "
               f"{spec.get('replicas', 1)} desired\n")
    w.write(0, f"Pods Status:\t{_pod_counts(related.get('pods') or [], meta.get('uid', ''))}\n")
    _pod_template(w, spec.get("template"), now)
    _conditions_short(w, rs)
    _events(w, events, now)


def _describe_statefulset(w: _Writer, sts: dict, events: list[dict], related: Related,
                          now: datetime) -> None:
    meta, spec = _meta(sts), _spec(sts)
    w.write(0, f"Name:\t{meta.get('name', '')}\n")
    w.write(0, f"Namespace:\t{meta.get('namespace', '')}\n")
    w.write(0, f"CreationTimestamp:\t{_rfc1123(meta.get('creationTimestamp'), now)}\n")
    w.write(0, f"Selector:\t{selector_string(spec.get('selector')) or ''}\n")
    _labels(w, "Labels", meta.get("labels"))
    _annotations(w, "Annotations", meta.get("annotations"))
    w.write(0, f"Replicas:\t{spec.get('replicas', 1)} desired | "
               f"{_status(sts).get('replicas', 0)} total\n")
    strategy = spec.get("updateStrategy") or {}
    w.write(0, f"Update Strategy:\t{strategy.get('type', '')}\n")
    rolling = strategy.get("rollingUpdate") or {}
    if rolling.get("partition") is not None:
        w.write(1, f"Partition:\t{rolling['partition']}\n")
        if rolling.get("maxUnavailable") is not None:
            w.write(1, f"MaxUnavailable:\t{rolling['maxUnavailable']}\n")
    w.write(0, f"Pods Status:\t{_pod_counts(related.get('pods') or [], meta.get('uid', ''))}\n")
    _pod_template(w, spec.get("template"), now)
    claims = spec.get("volumeClaimTemplates") or []
    w.write(0, "Volume Claims:\n" if claims else "Volume Claims:\t<none>\n")
    for pvc in claims:
        pvc_meta = _meta(pvc)
        w.write(1, f"Name:\t{pvc_meta.get('name', '')}\n")
        w.write(1, f"StorageClass:\t{_storage_class(pvc)}\n")
        _labels(w, "Labels", pvc_meta.get("labels"), indent="  ")
        _labels(w, "Annotations", pvc_meta.get("annotations"), indent="  ")
        capacity = dig(pvc, "spec", "resources", "requests", "storage") or "<default>"
        w.write(1, f"Capacity:\t{capacity}\n")
        w.write(1, f"Access Modes:\t{_v(_spec(pvc).get('accessModes') or [])}\n")
    _events(w, events, now)


def _describe_daemonset(w: _Writer, ds: dict, events: list[dict], related: Related,
                        now: datetime) -> None:
    meta, spec, status = _meta(ds), _spec(ds), _status(ds)
    w.write(0, f"Name:\t{meta.get('name', '')}\n")
    w.write(0, f"Namespace:\t{meta.get('namespace', '')}\n")
    w.write(0, f"Selector:\t{selector_string(spec.get('selector')) or ''}\n")
    node_selector = dig(spec, "template", "spec", "nodeSelector")
    w.write(0, f"Node-Selector:\t{format_labels(node_selector)}\n")
    _labels(w, "Labels", meta.get("labels"))
    _annotations(w, "Annotations", meta.get("annotations"))
    for title, key in (("Desired Number of Nodes Scheduled", "desiredNumberScheduled"),
                       ("Current Number of Nodes Scheduled", "currentNumberScheduled"),
                       ("Number of Nodes Scheduled with Up-to-date Pods",
                        "updatedNumberScheduled"),
                       ("Number of Nodes Scheduled with Available Pods", "numberAvailable"),
                       ("Number of Nodes Misscheduled", "numberMisscheduled")):
        w.write(0, f"{title}: {status.get(key, 0)}\n")
    w.write(0, f"Pods Status:\t{_pod_counts(related.get('pods') or [], meta.get('uid', ''))}\n")
    _pod_template(w, spec.get("template"), now)
    _events(w, events, now)


def _describe_job(w: _Writer, job: dict, events: list[dict], related: Related,
                  now: datetime) -> None:
    meta, spec, status = _meta(job), _spec(job), _status(job)
    w.write(0, f"Name:\t{meta.get('name', '')}\n")
    w.write(0, f"Namespace:\t{meta.get('namespace', '')}\n")
    w.write(0, f"Selector:\t{selector_string(spec.get('selector')) or ''}\n")
    _labels(w, "Labels", meta.get("labels"))
    _annotations(w, "Annotations", meta.get("annotations"))
    _write_controller(w, job)
    _job_spec(w, spec, full=True)
    if status.get("startTime"):
        w.write(0, f"Start Time:\t{_rfc1123(status['startTime'], now)}\n")
    if status.get("completionTime"):
        w.write(0, f"Completed At:\t{_rfc1123(status['completionTime'], now)}\n")
    start, end = parse_time(status.get("startTime")), parse_time(status.get("completionTime"))
    if start and end:
        w.write(0, f"Duration:\t{format_age((end - start).total_seconds())}\n")
    if spec.get("activeDeadlineSeconds") is not None:
        w.write(0, f"Active Deadline Seconds:\t{spec['activeDeadlineSeconds']}s\n")
    active, done, failed = (status.get(k, 0) for k in ("active", "succeeded", "failed"))
    ready = status.get("ready")
    ready_text = "" if ready is None else f" ({ready} Ready)"
    w.write(0, f"Pods Statuses:\t{active} Active{ready_text} / {done} Succeeded / "
               f"{failed} Failed\n")
    if spec.get("completionMode") == "Indexed":
        w.write(0, f"Completed Indexes:\t{_cap_indexes(status.get('completedIndexes') or '')}\n")
    _pod_template(w, spec.get("template"), now)
    _events(w, events, now)


def _cap_indexes(indexes: str, soft_limit: int = 50) -> str:
    """capIndexesListOrNone: cut after the first comma past `soft_limit` characters."""
    cut = indexes.find(",", soft_limit)
    return _or_none(indexes if cut < 0 else indexes[:cut + 1] + "...")


def _job_spec(w: _Writer, spec: dict, full: bool) -> None:
    """Parallelism, Completions and, for a Job itself, its policy fields."""
    if spec.get("parallelism") is not None:
        w.write(0, f"Parallelism:\t{spec['parallelism']}\n")
    elif not full:
        w.write(0, "Parallelism:\t<unset>\n")
    completions = spec.get("completions")
    w.write(0, f"Completions:\t{'<unset>' if completions is None else completions}\n")
    if not full:
        return
    for title, key in (("Completion Mode", "completionMode"), ("Suspend", "suspend"),
                       ("Backoff Limit", "backoffLimit"),
                       ("TTL Seconds After Finished", "ttlSecondsAfterFinished")):
        if spec.get(key) is not None:
            w.write(0, f"{title}:\t{_v(spec[key])}\n")


def _describe_cronjob(w: _Writer, cj: dict, events: list[dict], related: Related,
                      now: datetime) -> None:
    meta, spec, status = _meta(cj), _spec(cj), _status(cj)
    w.write(0, f"Name:\t{meta.get('name', '')}\n")
    w.write(0, f"Namespace:\t{meta.get('namespace', '')}\n")
    _labels(w, "Labels", meta.get("labels"))
    _annotations(w, "Annotations", meta.get("annotations"))
    w.write(0, f"Schedule:\t{spec.get('schedule', '')}\n")
    w.write(0, f"Concurrency Policy:\t{spec.get('concurrencyPolicy', '')}\n")
    suspend = spec.get("suspend")
    w.write(0, f"Suspend:\t{'<unset>' if suspend is None else _bool(suspend)}\n")
    for title, key, unit in (("Time Zone", "timeZone", ""),
                             ("Successful Job History Limit", "successfulJobsHistoryLimit", ""),
                             ("Failed Job History Limit", "failedJobsHistoryLimit", ""),
                             ("Starting Deadline Seconds", "startingDeadlineSeconds", "s")):
        value = spec.get(key)
        w.write(0, f"{title}:\t{'<unset>' if value is None else f'{value}{unit}'}\n")
    job_spec = dig(spec, "jobTemplate", "spec") or {}
    selector = job_spec.get("selector")
    w.write(0, f"Selector:\t{'<unset>' if selector is None else selector_string(selector)}\n")
    _job_spec(w, job_spec, full=False)
    if job_spec.get("activeDeadlineSeconds") is not None:
        w.write(0, f"Active Deadline Seconds:\t{job_spec['activeDeadlineSeconds']}s\n")
    _pod_template(w, job_spec.get("template"), now)
    last = status.get("lastScheduleTime")
    w.write(0, f"Last Schedule Time:\t{_rfc1123(last, now) if last else '<unset>'}\n")
    active = ", ".join(ref.get("name", "") for ref in status.get("active") or [])
    w.write(0, f"Active Jobs:\t{_or_none(active)}\n")
    _events(w, events, now)


def _endpoint_list(endpoints: dict | None, port_name: str | None) -> str:
    """formatEndpoints: up to three host:port for the named service port, then a count."""
    subsets = (endpoints or {}).get("subsets") or []
    if not subsets:
        return "<none>"
    found: list[str] = []
    for subset in subsets:
        ips = [a.get("ip", "") for a in subset.get("addresses") or []]
        ports = subset.get("ports") or []
        if not ports:
            found += ips
        for port in ports:
            if port_name is None or port.get("name", "") == port_name:
                found += [host_port(ip, port.get("port")) for ip in ips]
    text = ",".join(found[:3])
    return f"{text} + {len(found) - 3} more..." if len(found) > 3 else text


def _describe_service(w: _Writer, svc: dict, events: list[dict], related: Related,
                      now: datetime) -> None:
    spec = _spec(svc)
    _header(w, svc)
    w.write(0, f"Selector:\t{format_labels(spec.get('selector'))}\n")
    w.write(0, f"Type:\t{spec.get('type', '')}\n")
    if spec.get("ipFamilyPolicy"):
        w.write(0, f"IP Family Policy:\t{spec['ipFamilyPolicy']}\n")
    w.write(0, f"IP Families:\t{_or_none(','.join(spec.get('ipFamilies') or []))}\n")
    w.write(0, f"IP:\t{spec.get('clusterIP', '')}\n")
    w.write(0, f"IPs:\t{_or_none(','.join(spec.get('clusterIPs') or []))}\n")
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
        w.write(0, f"TargetPort:\t{_int_or_string(port.get('targetPort'))}/{protocol}\n")
        if port.get("appProtocol"):
            w.write(0, f"AppProtocol:\t{port['appProtocol']}\n")
        if port.get("nodePort"):
            w.write(0, f"NodePort:\t{name}\t{port['nodePort']}/{protocol}\n")
        w.write(0, f"Endpoints:\t{_endpoint_list(endpoints, port.get('name', ''))}\n")
    w.write(0, f"Session Affinity:\t{spec.get('sessionAffinity', '')}\n")
    for title, key in (("External Traffic Policy", "externalTrafficPolicy"),
                       ("Internal Traffic Policy", "internalTrafficPolicy"),
                       ("HealthCheck NodePort", "healthCheckNodePort"),
                       ("Traffic Distribution", "trafficDistribution")):
        if spec.get(key):
            w.write(0, f"{title}:\t{spec[key]}\n")
    if spec.get("loadBalancerSourceRanges"):
        w.write(0, f"LoadBalancer Source Ranges:\t{','.join(spec['loadBalancerSourceRanges'])}\n")
    _events(w, events, now)


def _quantity_text(resource: str, value: float) -> str:
    return format_cpu(value) if resource == "cpu" else format_memory(value)


def _pod_totals(pod: dict) -> tuple[dict[str, float], dict[str, float]]:
    """PodRequests/PodLimits: the containers' sum, at least any init container's."""
    totals: tuple[dict[str, float], dict[str, float]] = ({}, {})
    spec = _spec(pod)
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


def _describe_node(w: _Writer, node: dict, events: list[dict], related: Related,
                   now: datetime) -> None:
    meta, spec, status = _meta(node), _spec(node), _status(node)
    w.write(0, f"Name:\t{meta.get('name', '')}\n")
    w.write(0, f"Roles:\t{_or_none(','.join(node_roles(node)))}\n")
    _labels(w, "Labels", meta.get("labels"))
    _annotations(w, "Annotations", meta.get("annotations"))
    w.write(0, f"CreationTimestamp:\t{_rfc1123(meta.get('creationTimestamp'), now)}\n")
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
    w.write(0, f"Unschedulable:\t{_v(bool(spec.get('unschedulable')))}\n")
    if leases := related.get("leases"):
        lease = _spec(leases[0])
        w.write(0, "Lease:\n")
        w.write(1, f"HolderIdentity:\t{lease.get('holderIdentity') or '<unset>'}\n")
        for title, key in (("AcquireTime", "acquireTime"), ("RenewTime", "renewTime")):
            value = lease.get(key)
            w.write(1, f"{title}:\t{_rfc1123(value, now) if value else '<unset>'}\n")
    if conditions := status.get("conditions"):
        w.write(0, "Conditions:\n  Type\tStatus\tLastHeartbeatTime\tLastTransitionTime\t"
                   "Reason\tMessage\n")
        w.write(1, "----\t------\t-----------------\t------------------\t------\t-------\n")
        for c in conditions:
            w.write(1, f"{c.get('type', '')} \t{c.get('status', '')} \t"
                       f"{_rfc1123(c.get('lastHeartbeatTime'), now)} \t"
                       f"{_rfc1123(c.get('lastTransitionTime'), now)} \t"
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
    _events(w, events, now)


def _node_pods(w: _Writer, node: dict, pods: list[dict], now: datetime) -> None:
    """Non-terminated Pods and Allocated resources (describeNodeResource)."""
    status = _status(node)
    allocatable = {k: parse_quantity(v)
                   for k, v in (status.get("allocatable") or status.get("capacity") or {}).items()}
    pods = [p for p in pods if _status(p).get("phase") not in ("Succeeded", "Failed")]
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
        w.write(1, f"{_meta(pod).get('namespace', '')}\t{_meta(pod).get('name', '')}\t\t"
                   f"{chr(9).join(cells)}\t{since(_meta(pod).get('creationTimestamp'), now)}\n")
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


def _describe_configmap(w: _Writer, cm: dict, events: list[dict], related: Related,
                        now: datetime) -> None:
    _header(w, cm)
    w.write(0, "\nData\n====\n")
    data = cm.get("data") or {}
    for key in sorted(data):
        w.write(0, f"{key}:\n----\n{data[key]}\n\n")
    w.write(0, "\nBinaryData\n====\n")
    binary = cm.get("binaryData") or {}
    for key in sorted(binary):
        w.write(0, f"{key}: {_decoded_size(binary[key])} bytes\n")
    w.write(0, "\n")
    _events(w, events, now)


def _decoded_size(value: str) -> int:
    """The byte length of a base64 value (its length as text if it is not base64)."""
    try:
        return len(base64.b64decode(value, validate=True))
    except (binascii.Error, ValueError):
        return len(value)


def _describe_secret(w: _Writer, secret: dict, events: list[dict], related: Related,
                     now: datetime) -> None:
    """Sizes only, for every key (kubectl shows service-account tokens; kubetui never)."""
    _header(w, secret)
    w.write(0, f"\nType:\t{secret.get('type', '')}\n")
    w.write(0, "\nData\n====\n")
    data = secret.get("data") or {}
    for key in sorted(data):
        w.write(0, f"{key}:\t{_decoded_size(data[key] or '')} bytes\n")


def _storage_class(pvc: dict) -> str:
    return (_spec(pvc).get("storageClassName")
            or (_meta(pvc).get("annotations") or {}).get("volume.beta.kubernetes.io/storage-class",
                                                         ""))


def _describe_pvc(w: _Writer, pvc: dict, events: list[dict], related: Related,
                  now: datetime) -> None:
    meta, spec, status = _meta(pvc), _spec(pvc), _status(pvc)
    w.write(0, f"Name:\t{meta.get('name', '')}\n")
    w.write(0, f"Namespace:\t{meta.get('namespace', '')}\n")
    w.write(0, f"StorageClass:\t{_storage_class(pvc)}\n")
    if meta.get("deletionTimestamp"):
        w.write(0, f"Status:\tTerminating (lasts {since(meta['deletionTimestamp'], now)})\n")
    else:
        w.write(0, f"Status:\t{status.get('phase', '')}\n")
    w.write(0, f"Volume:\t{spec.get('volumeName', '')}\n")
    _labels(w, "Labels", meta.get("labels"))
    _annotations(w, "Annotations", meta.get("annotations"))
    w.write(0, f"Finalizers:\t{_v(meta.get('finalizers') or [])}\n")
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
    users = sorted(_meta(p).get("name", "") for p in related.get("pods") or [])
    w.write(0, "Used By:\t")
    w.write(0, "<none>\n" if not users else "\t".join(f"{u}\n" for u in users))
    if conditions := status.get("conditions"):
        w.write(0, "Conditions:\n")
        w.write(1, "Type\tStatus\tLastProbeTime\tLastTransitionTime\tReason\tMessage\n")
        w.write(1, "----\t------\t-----------------\t------------------\t------\t-------\n")
        for c in conditions:
            w.write(1, f"{c.get('type', '')} \t{c.get('status', '')} \t"
                       f"{_rfc1123(c.get('lastProbeTime'), now)} \t"
                       f"{_rfc1123(c.get('lastTransitionTime'), now)} \t"
                       f"{c.get('reason', '')} \t{c.get('message', '')}\n")
    _events(w, events, now)


def _describe_namespace(w: _Writer, ns: dict, events: list[dict], related: Related,
                        now: datetime) -> None:
    _header(w, ns, namespaced=False)
    w.write(0, f"Status:\t{_status(ns).get('phase', '')}\n")
    if conditions := _status(ns).get("conditions"):
        w.write(0, "Conditions:\n")
        w.write(1, "Type\tStatus\tLastTransitionTime\tReason\tMessage\n")
        w.write(1, "----\t------\t------------------\t------\t-------\n")
        for c in conditions:
            w.write(1, f"{c.get('type', '')}\t{c.get('status', '')}\t"
                       f"{_rfc1123(c.get('lastTransitionTime'), now)}\t{c.get('reason', '')}\t"
                       f"{c.get('message', '')}\n")
    w.write(0, "\n")
    quotas = sorted(related.get("resourcequotas") or [], key=lambda q: _meta(q).get("name", ""))
    if not quotas:
        w.write(0, "No resource quota.\n")
    else:
        w.write(0, "Resource Quotas\n")
        for quota in quotas:
            w.write(1, f"Name:\t{_meta(quota).get('name', '')}\n")
            w.write(1, "Resource\tUsed\tHard\n")
            w.write(1, "--------\t---\t---\n")
            hard, used = (_status(quota).get("hard") or {}), (_status(quota).get("used") or {})
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
        for item in _spec(limit_range).get("limits") or []:
            fields = ("min", "max", "defaultRequest", "default", "maxLimitRequestRatio")
            names = sorted({name for f in fields for name in item.get(f) or {}})
            for name in names:
                values = "\t".join(str((item.get(f) or {}).get(name, "-")) for f in fields)
                w.write(0, f" {item.get('type', '')}\t{name}\t{values}\n")


def _describe_ingress(w: _Writer, ing: dict, events: list[dict], related: Related,
                      now: datetime) -> None:
    meta, spec = _meta(ing), _spec(ing)
    services = {_meta(s).get("name"): s for s in related.get("services") or []}
    endpoints = {_meta(e).get("name"): e for e in related.get("endpoints") or []}

    def backend_text(backend: dict) -> str:
        if (service := backend.get("service")) is not None:
            port = service.get("port") or {}
            port_text = port.get("number") or port.get("name", "")
            text = f"{service.get('name', '')}:{port_text}"
            svc = services.get(service.get("name"))
            ep = endpoints.get(service.get("name"))
            if svc is None or ep is None:
                missing = "services" if svc is None else "endpoints"
                return f'{text} (<error: {missing} "{service.get("name", "")}" not found>)'
            port_name = next((p.get("name", "") for p in _spec(svc).get("ports") or []
                              if (port.get("number") and p.get("port") == port["number"])
                              or (port.get("name") and p.get("name") == port["name"])), "")
            return f"{text} ({_endpoint_list(ep, port_name)})"
        if (resource := backend.get("resource")) is not None:
            return (f"APIGroup: {resource.get('apiGroup') or '<none>'}, "
                    f"Kind: {resource.get('kind', '')}, Name: {resource.get('name', '')}")
        return ""

    w.write(0, f"Name:\t{meta.get('name', '')}\n")
    _labels(w, "Labels", meta.get("labels"))
    w.write(0, f"Namespace:\t{meta.get('namespace', '')}\n")
    address = ",".join(load_balancer_addresses(dig(ing, "status", "loadBalancer")))
    w.write(0, f"Address:\t{address}\n")
    w.write(0, f"Ingress Class:\t{spec.get('ingressClassName') or '<none>'}\n")
    default = spec.get("defaultBackend")
    default_text = backend_text(default) if default else "<default>"
    w.write(0, f"Default backend:\t{default_text}\n")
    if tls := spec.get("tls"):
        w.write(0, "TLS:\n")
        for entry in tls:
            hosts = ",".join(entry.get("hosts") or [])
            if entry.get("secretName"):
                w.write(1, f"{entry['secretName']} terminates {hosts}\n")
            else:
                w.write(1, f"SNI routes {hosts}\n")
    w.write(0, "Rules:\n  Host\tPath\tBackends\n")
    w.write(1, "----\t----\t--------\n")
    rules = [r for r in spec.get("rules") or [] if r.get("http") is not None]
    for rule in rules:
        w.write(1, f"{rule.get('host') or '*'}\t\n")
        for path in rule["http"].get("paths") or []:
            w.write(2, f"\t{path.get('path', '')} \t{backend_text(path.get('backend') or {})}\n")
    if not rules:
        w.write(1, f"*\t*\t{default_text}\n")
    _annotations(w, "Annotations", meta.get("annotations"))
    _events(w, events, now)


def _describe_hpa(w: _Writer, hpa: dict, events: list[dict], related: Related,
                  now: datetime) -> None:
    meta, spec, status = _meta(hpa), _spec(hpa), _status(hpa)
    _header(w, hpa)
    w.write(0, f"CreationTimestamp:\t{_rfc1123(meta.get('creationTimestamp'), now)}\n")
    target = spec.get("scaleTargetRef") or {}
    w.write(0, f"Reference:\t{target.get('kind', '')}/{target.get('name', '')}\n")
    if hpa.get("apiVersion") == "autoscaling/v1":
        if (goal := spec.get("targetCPUUtilizationPercentage")) is not None:
            w.write(0, f"Target CPU utilization:\t{goal}%\n")
            current = status.get("currentCPUUtilizationPercentage")
            current_text = "<unknown>" if current is None else current
            w.write(0, f"Current CPU utilization:\t{current_text}%\n")
    else:
        w.write(0, "Metrics:\t( current / target )\n")
        currents = status.get("currentMetrics") or []
        for i, metric in enumerate(spec.get("metrics") or []):
            _hpa_metric(w, metric, currents[i] if i < len(currents) else {})
    min_replicas = spec.get("minReplicas")
    w.write(0, f"Min replicas:\t{'<unset>' if min_replicas is None else min_replicas}\n")
    w.write(0, f"Max replicas:\t{spec.get('maxReplicas', 0)}\n")
    if (behavior := spec.get("behavior")) is not None:
        w.write(0, "Behavior:\n")
        for title, key in (("Scale Up", "scaleUp"), ("Scale Down", "scaleDown")):
            if (rules := behavior.get(key)) is None:
                continue
            w.write(1, f"{title}:\n")
            if rules.get("stabilizationWindowSeconds") is not None:
                w.write(2, f"Stabilization Window: {rules['stabilizationWindowSeconds']} "
                           "seconds\n")
            if policies := rules.get("policies"):
                w.write(2, f"Select Policy: {rules.get('selectPolicy') or 'Max'}\n")
                w.write(2, "Policies:\n")
                for p in policies:
                    w.write(3, f"- Type: {p.get('type', '')}\tValue: {p.get('value', 0)}\t"
                               f"Period: {p.get('periodSeconds', 0)} seconds\n")
    w.write(0, f"{target.get('kind', '')} pods:\t{status.get('currentReplicas', 0)} current / "
               f"{status.get('desiredReplicas', 0)} desired\n")
    if hpa.get("apiVersion") != "autoscaling/v1" and (conditions := status.get("conditions")):
        w.write(0, "Conditions:\n")
        w.write(1, "Type\tStatus\tReason\tMessage\n")
        w.write(1, "----\t------\t------\t-------\n")
        for c in conditions:
            w.write(1, f"{c.get('type', '')}\t{c.get('status', '')}\t{c.get('reason', '')}\t"
                       f"{c.get('message', '')}\n")
    _events(w, events, now)


def _hpa_metric(w: _Writer, metric: dict, current: dict) -> None:
    """One line of an autoscaling/v2 HPA's Metrics: current / target."""
    kind = metric.get("type")
    key = {"External": "external", "Pods": "pods", "Object": "object", "Resource": "resource",
           "ContainerResource": "containerResource"}.get(kind or "")
    if key is None:
        w.write(1, f'<unknown metric type "{kind}">\n')
        return
    source, now_source = metric.get(key) or {}, current.get(key)
    goal, now_value = source.get("target") or {}, (now_source or {}).get("current") or {}

    def value(field: str) -> str:
        return "<unknown>" if now_source is None or now_value.get(field) is None \
            else str(now_value[field])

    metric_name = (source.get("metric") or {}).get("name", "")
    if kind == "External":
        if goal.get("averageValue") is not None:
            w.write(1, f'"{metric_name}" (target average value):\t{value("averageValue")} / '
                       f'{goal["averageValue"]}\n')
        else:
            w.write(1, f'"{metric_name}" (target value):\t{value("value")} / '
                       f'{goal.get("value")}\n')
    elif kind == "Pods":
        w.write(1, f'"{metric_name}" on pods:\t{value("averageValue")} / '
                   f'{goal.get("averageValue")}\n')
    elif kind == "Object":
        described = source.get("describedObject") or {}
        w.write(1, f'"{metric_name}" on {described.get("kind", "")}/{described.get("name", "")} ')
        if goal.get("type") == "AverageValue":
            w.write(0, f"(target average value):\t{value('averageValue')} / "
                       f"{goal.get('averageValue')}\n")
        else:
            w.write(0, f"(target value):\t{value('value')} / {goal.get('value')}\n")
    else:
        where = "" if kind == "Resource" else f' of container "{source.get("container", "")}"'
        w.write(1, f"resource {source.get('name', '')}{where} on pods")
        if goal.get("averageValue") is not None:
            w.write(0, f":\t{value('averageValue')} / {goal['averageValue']}\n")
        else:
            utilization = now_value.get("averageUtilization")
            current_text = "<unknown>" if now_source is None or utilization is None \
                else f"{utilization}% ({now_value.get('averageValue', '0')})"
            target_text = "<auto>" if goal.get("averageUtilization") is None \
                else f"{goal['averageUtilization']}%"
            w.write(1, f"(as a percentage of request):\t{current_text} / {target_text}\n")


# ----- any other kind: kubectl's generic describer ------------------------------------------

_ACRONYMS = ("API", "URL", "UID", "GUID")
_CAMEL = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+|[^A-Za-z0-9]+")


def smart_label(field: str) -> str:
    """smartLabelFor: `apiVersion` -> "API Version", `creationTimestamp` -> "Creation
    Timestamp"; names with characters other than letters and '-' stay as they are."""
    if any(not (c.isalpha() or c == "-") for c in field):
        return field
    parts = _CAMEL.findall(field)
    merged: list[str] = []
    i = 0
    while i < len(parts):
        part = parts[i]
        if (i + 1 < len(parts) and len(part) >= 2 and part.isupper()
                and parts[i + 1][:1].isupper()):
            merged.append(part + parts[i + 1])
            i += 2
            continue
        merged.append(part)
        i += 1
    words = []
    for part in merged:
        if part == "_":
            continue
        if part.upper() in _ACRONYMS:
            part = part.upper()
        elif part.lower() == part:
            part = part.title()
        words.append(part)
    return " ".join(words)


_GENERIC_SKIP = {".metadata.managedFields", ".metadata.name", ".metadata.namespace",
                 ".metadata.labels", ".metadata.annotations"}


def _tree(w: _Writer, level: int, content: dict, prefix: str) -> None:
    """printUnstructuredContent: sorted fields, maps and lists nested a level deeper."""
    for field in sorted(content):
        path = f"{prefix}.{field}"
        if path in _GENERIC_SKIP:
            continue
        value = content[field]
        if isinstance(value, dict):
            w.write(level, f"{smart_label(field)}:\n")
            _tree(w, level + 1, value, path)
        elif isinstance(value, list):
            w.write(level, f"{smart_label(field)}:\n")
            for child in value:
                if isinstance(child, dict):
                    _tree(w, level + 1, child, path)
                else:
                    w.write(level + 1, f"{_v(child)}\n")
        else:
            w.write(level, f"{smart_label(field)}:\t{_v(value)}\n")


def _describe_generic(w: _Writer, obj: dict, events: list[dict], related: Related,
                      now: datetime) -> None:
    _header(w, obj)
    _tree(w, 0, obj, "")
    _events(w, events, now)


_DESCRIBERS: dict[str, Describer] = {
    "Pod": _describe_pod,
    "Deployment": _describe_deployment,
    "ReplicaSet": _describe_replicaset,
    "StatefulSet": _describe_statefulset,
    "DaemonSet": _describe_daemonset,
    "Job": _describe_job,
    "CronJob": _describe_cronjob,
    "Service": _describe_service,
    "Node": _describe_node,
    "ConfigMap": _describe_configmap,
    "Secret": _describe_secret,
    "PersistentVolumeClaim": _describe_pvc,
    "Namespace": _describe_namespace,
    "Ingress": _describe_ingress,
    "HorizontalPodAutoscaler": _describe_hpa,
}


def describe(kind: str, obj: dict, events: list[dict], related: Related | None,
             now: datetime) -> str:
    """The `kubectl describe` text of `obj` (of kind `kind`, e.g. "Deployment"), with its
    `events` (core/v1 Events about it, in any order) and `related` objects (see the
    module docstring). Kinds without a describer of their own get kubectl's generic one."""
    w = _Writer()
    _DESCRIBERS.get(kind, _describe_generic)(w, obj, events, related or {}, now)
    return w.text()
