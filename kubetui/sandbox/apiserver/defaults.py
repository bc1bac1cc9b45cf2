"""The defaults the API server fills in on create and update.

They come from pkg/apis/*/v1/defaults.go plus the admission plugins every cluster runs
(ServiceAccount, Priority, DefaultTolerationSeconds) and the Job strategy's generated
selector. Served objects then carry every field kubectl prints and every field
kubernetes-asyncio's typed models require.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

from kubetui.quantity import parse_quantity
from kubetui.sandbox.apiserver.store import clone, new_uid

Obj = dict[str, Any]


def _set(d: Obj, key: str, value: Any) -> Any:
    """setdefault that also replaces an explicit null, as Go's nil pointer checks do."""
    if d.get(key) is None:
        d[key] = value
    return d[key]


def _dict(d: Obj, key: str) -> Obj:
    return _set(d, key, {})


# ----- pods --------------------------------------------------------------------------


def _probe(probe: Obj | None) -> None:
    if not probe:
        return
    for k, v in (("timeoutSeconds", 1), ("periodSeconds", 10), ("successThreshold", 1),
                 ("failureThreshold", 3)):
        _set(probe, k, v)
    if probe.get("httpGet"):
        _set(probe["httpGet"], "scheme", "HTTP")
        _set(probe["httpGet"], "path", "/")


def image_pull_policy(image: str) -> str:
    """Always for :latest or no tag (a digest pins the image), else IfNotPresent."""
    if "@" in image:
        return "IfNotPresent"
    last = image.rsplit("/", 1)[-1]
    tag = last.split(":", 1)[1] if ":" in last else ""
    return "Always" if tag in ("", "latest") else "IfNotPresent"


def _container(c: Obj) -> None:
    _set(c, "terminationMessagePath", "/dev/termination-log")
    _set(c, "terminationMessagePolicy", "File")
    _set(c, "imagePullPolicy", image_pull_policy(c.get("image") or ""))
    _set(c, "resources", {})
    for port in c.get("ports") or ():
        _set(port, "protocol", "TCP")
    for env in c.get("env") or ():
        field_ref = (env.get("valueFrom") or {}).get("fieldRef")
        if field_ref:
            _set(field_ref, "apiVersion", "v1")
    for probe in ("livenessProbe", "readinessProbe", "startupProbe"):
        _probe(c.get(probe))


def _volume(v: Obj) -> None:
    for source in ("configMap", "secret"):
        if v.get(source) is not None:
            _set(v[source], "defaultMode", 420)
    if v.get("projected") is not None:
        _set(v["projected"], "defaultMode", 420)
    if v.get("hostPath") is not None:
        _set(v["hostPath"], "type", "")


def _pod_spec(spec: Obj) -> None:
    """SetDefaults_PodSpec and the container defaults (templates and pods alike)."""
    _set(spec, "dnsPolicy", "ClusterFirst")
    _set(spec, "restartPolicy", "Always")
    _set(spec, "terminationGracePeriodSeconds", 30)
    _set(spec, "securityContext", {})
    _set(spec, "schedulerName", "default-scheduler")
    _set(spec, "enableServiceLinks", True)
    if spec.get("serviceAccountName") and not spec.get("serviceAccount"):
        spec["serviceAccount"] = spec["serviceAccountName"]
    for key in ("initContainers", "containers", "ephemeralContainers"):
        for c in spec.get(key) or ():
            _container(c)
    for v in spec.get("volumes") or ():
        _volume(v)


def _template(spec: Obj) -> None:
    template = _dict(spec, "template")
    _dict(template, "metadata")
    _pod_spec(_dict(template, "spec"))


_NOT_READY_TOLERATIONS = ("node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable")


def _same_quantity(a: Any, b: Any) -> bool:
    try:
        return parse_quantity(a) == parse_quantity(b)
    except ValueError:
        return a == b  # validation reports the bad quantity


def qos_class(spec: Obj) -> str:
    """BestEffort, Guaranteed or Burstable, from the containers' requests and limits."""
    containers = [*(spec.get("initContainers") or ()), *(spec.get("containers") or ())]
    requests_any = limits_any = False
    guaranteed = True
    for c in containers:
        res = c.get("resources") or {}
        req = {k: v for k, v in (res.get("requests") or {}).items() if k in ("cpu", "memory")}
        lim = {k: v for k, v in (res.get("limits") or {}).items() if k in ("cpu", "memory")}
        requests_any |= bool(req)
        limits_any |= bool(lim)
        if set(lim) != {"cpu", "memory"} or any(
                not _same_quantity(req.get(k, lim[k]), lim[k]) for k in lim):
            guaranteed = False
    if not requests_any and not limits_any:
        return "BestEffort"
    return "Guaranteed" if guaranteed else "Burstable"


def _pod(obj: Obj) -> None:
    spec = _dict(obj, "spec")
    _pod_spec(spec)
    # SetDefaults_Pod: a limit without a request requests the limit.
    for key in ("initContainers", "containers"):
        for c in spec.get(key) or ():
            limits = (c.get("resources") or {}).get("limits") or {}
            if limits:
                requests = _dict(c["resources"], "requests")
                for name, value in limits.items():
                    requests.setdefault(name, value)
    # Admission plugins that every cluster runs.
    _set(spec, "serviceAccountName", "default")
    _set(spec, "serviceAccount", spec["serviceAccountName"])
    _set(spec, "priority", 0)
    _set(spec, "preemptionPolicy", "PreemptLowerPriority")
    tolerations = _set(spec, "tolerations", [])
    for key in _NOT_READY_TOLERATIONS:
        if not any(t.get("key") == key for t in tolerations):
            tolerations.append({"key": key, "operator": "Exists", "effect": "NoExecute",
                                "tolerationSeconds": 300})
    status = _dict(obj, "status")
    _set(status, "phase", "Pending")
    _set(status, "qosClass", qos_class(spec))


# ----- workloads ---------------------------------------------------------------------


def _deployment(obj: Obj) -> None:
    spec = _dict(obj, "spec")
    _set(spec, "replicas", 1)
    strategy = _dict(spec, "strategy")
    _set(strategy, "type", "RollingUpdate")
    if strategy["type"] == "RollingUpdate":
        rolling = _dict(strategy, "rollingUpdate")
        _set(rolling, "maxUnavailable", "25%")
        _set(rolling, "maxSurge", "25%")
    _set(spec, "revisionHistoryLimit", 10)
    _set(spec, "progressDeadlineSeconds", 600)
    _template(spec)


def _replica_set(obj: Obj) -> None:
    spec = _dict(obj, "spec")
    _set(spec, "replicas", 1)
    _template(spec)


def _replication_controller(obj: Obj) -> None:
    """pkg/apis/core/v1 SetDefaults_ReplicationController: selector and labels default
    to the template's labels."""
    spec = _dict(obj, "spec")
    _set(spec, "replicas", 1)
    _template(spec)
    labels = (spec["template"].get("metadata") or {}).get("labels") or {}
    if labels:
        if not spec.get("selector"):
            spec["selector"] = dict(labels)
        meta = _dict(obj, "metadata")
        if not meta.get("labels"):
            meta["labels"] = dict(labels)


def _stateful_set(obj: Obj) -> None:
    spec = _dict(obj, "spec")
    _set(spec, "replicas", 1)
    _set(spec, "podManagementPolicy", "OrderedReady")
    strategy = _dict(spec, "updateStrategy")
    _set(strategy, "type", "RollingUpdate")
    if strategy["type"] == "RollingUpdate":
        _set(_dict(strategy, "rollingUpdate"), "partition", 0)
    _set(spec, "revisionHistoryLimit", 10)
    policy = _dict(spec, "persistentVolumeClaimRetentionPolicy")
    _set(policy, "whenDeleted", "Retain")
    _set(policy, "whenScaled", "Retain")
    for claim in spec.get("volumeClaimTemplates") or ():
        _pvc(claim)
    _template(spec)


def _daemon_set(obj: Obj) -> None:
    spec = _dict(obj, "spec")
    strategy = _dict(spec, "updateStrategy")
    _set(strategy, "type", "RollingUpdate")
    if strategy["type"] == "RollingUpdate":
        rolling = _dict(strategy, "rollingUpdate")
        _set(rolling, "maxUnavailable", 1)
        _set(rolling, "maxSurge", 0)
    _set(spec, "revisionHistoryLimit", 10)
    _template(spec)


def _job_spec(spec: Obj) -> None:
    if spec.get("completions") is None and spec.get("parallelism") is None:
        spec["completions"] = 1
    _set(spec, "parallelism", 1)
    _set(spec, "backoffLimit", 2147483647 if spec.get("backoffLimitPerIndex") is not None
         else 6)
    _set(spec, "completionMode", "NonIndexed")
    _set(spec, "suspend", False)
    if spec.get("podFailurePolicy") is None:
        _set(spec, "podReplacementPolicy", "TerminatingOrFailed")
    _template(spec)


def _job(obj: Obj) -> None:
    """Job defaults plus the selector the Job strategy generates from the uid. A Job
    without a uid gets one here, so the caller must keep it when storing the object."""
    spec = _dict(obj, "spec")
    _job_spec(spec)
    meta = _dict(obj, "metadata")
    _set(spec, "manualSelector", False)
    if not spec["manualSelector"]:
        uid = _set(meta, "uid", new_uid())
        labels = _dict(spec["template"]["metadata"], "labels")
        for key, value in (("controller-uid", uid), ("batch.kubernetes.io/controller-uid", uid),
                           ("job-name", meta.get("name", "")),
                           ("batch.kubernetes.io/job-name", meta.get("name", ""))):
            labels.setdefault(key, value)
        match = _dict(_dict(spec, "selector"), "matchLabels")
        match.setdefault("batch.kubernetes.io/controller-uid", uid)
    if not meta.get("labels") and spec["template"]["metadata"].get("labels"):
        meta["labels"] = dict(spec["template"]["metadata"]["labels"])


def _cron_job(obj: Obj) -> None:
    spec = _dict(obj, "spec")
    _set(spec, "concurrencyPolicy", "Allow")
    _set(spec, "suspend", False)
    _set(spec, "successfulJobsHistoryLimit", 3)
    _set(spec, "failedJobsHistoryLimit", 1)
    _job_spec(_dict(_dict(spec, "jobTemplate"), "spec"))


# ----- services, storage, the rest ---------------------------------------------------


def _service(obj: Obj) -> None:
    spec = _dict(obj, "spec")
    kind = _set(spec, "type", "ClusterIP")
    _set(spec, "sessionAffinity", "None")
    for port in spec.get("ports") or ():
        _set(port, "protocol", "TCP")
        _set(port, "targetPort", port.get("port"))
    if kind != "ExternalName":
        _set(spec, "ipFamilies", ["IPv4"])
        _set(spec, "ipFamilyPolicy", "SingleStack")
        _set(spec, "internalTrafficPolicy", "Cluster")
    if kind in ("NodePort", "LoadBalancer"):
        _set(spec, "externalTrafficPolicy", "Cluster")
    if kind == "LoadBalancer":
        _set(spec, "allocateLoadBalancerNodePorts", True)
    _set(_dict(obj, "status"), "loadBalancer", {})


def _namespace(obj: Obj) -> None:
    meta = _dict(obj, "metadata")
    if meta.get("name"):
        _dict(meta, "labels")["kubernetes.io/metadata.name"] = meta["name"]
    _set(_dict(obj, "spec"), "finalizers", ["kubernetes"])
    _set(_dict(obj, "status"), "phase", "Active")


def _pvc(obj: Obj) -> None:
    _set(_dict(obj, "spec"), "volumeMode", "Filesystem")
    _set(_dict(obj, "status"), "phase", "Pending")


def _pv(obj: Obj) -> None:
    spec = _dict(obj, "spec")
    _set(spec, "persistentVolumeReclaimPolicy", "Retain")
    _set(spec, "volumeMode", "Filesystem")
    _set(_dict(obj, "status"), "phase", "Pending")


def _node(obj: Obj) -> None:
    _dict(obj, "spec")
    status = _dict(obj, "status")
    if status.get("capacity") and not status.get("allocatable"):
        status["allocatable"] = dict(status["capacity"])


def _hpa(obj: Obj) -> None:
    spec = _dict(obj, "spec")
    _set(spec, "minReplicas", 1)
    if not spec.get("metrics") and obj.get("apiVersion", "autoscaling/v2") != "autoscaling/v1":
        spec["metrics"] = [{"type": "Resource", "resource": {
            "name": "cpu", "target": {"type": "Utilization", "averageUtilization": 80}}}]


def _secret(obj: Obj) -> None:
    # stringData is write-only: the v1 conversion merges it into data (it wins on a clash).
    string_data = obj.pop("stringData", None)
    if isinstance(string_data, dict) and string_data:
        data = _dict(obj, "data")
        for key, value in string_data.items():
            data[key] = base64.b64encode(str(value).encode()).decode()
    _set(obj, "type", "Opaque")


def _ports_tcp(obj: Obj) -> None:
    """Endpoints and EndpointSlices: every port defaults to TCP."""
    for holder in [obj, *(obj.get("subsets") or ())]:
        for port in holder.get("ports") or ():
            _set(port, "protocol", "TCP")


def _network_policy(obj: Obj) -> None:
    spec = _dict(obj, "spec")
    _dict(spec, "podSelector")
    if not spec.get("policyTypes"):
        spec["policyTypes"] = ["Ingress", *(["Egress"] if spec.get("egress") else [])]
    for rule in [*(spec.get("ingress") or ()), *(spec.get("egress") or ())]:
        for port in rule.get("ports") or ():
            _set(port, "protocol", "TCP")


def _storage_class(obj: Obj) -> None:
    _set(obj, "reclaimPolicy", "Delete")
    _set(obj, "volumeBindingMode", "Immediate")


def _crd(obj: Obj) -> None:
    spec = _dict(obj, "spec")
    _set(_dict(spec, "conversion"), "strategy", "None")
    names = _dict(spec, "names")
    if names.get("kind"):
        _set(names, "listKind", names["kind"] + "List")
        _set(names, "singular", names["kind"].lower())


_DEFAULTERS: dict[str, Callable[[Obj], None]] = {
    "Pod": _pod,
    "Deployment": _deployment,
    "ReplicaSet": _replica_set,
    "ReplicationController": _replication_controller,
    "StatefulSet": _stateful_set,
    "DaemonSet": _daemon_set,
    "Job": _job,
    "CronJob": _cron_job,
    "Service": _service,
    "Namespace": _namespace,
    "PersistentVolumeClaim": _pvc,
    "PersistentVolume": _pv,
    "Node": _node,
    "HorizontalPodAutoscaler": _hpa,
    "Secret": _secret,
    "Endpoints": _ports_tcp,
    "EndpointSlice": _ports_tcp,
    "NetworkPolicy": _network_policy,
    "StorageClass": _storage_class,
    "CustomResourceDefinition": _crd,
}


def apply_defaults(kind: str, obj: Obj) -> Obj:
    """A new object with the server's defaults for `kind` filled in (unknown kinds and
    custom resources are returned as a copy)."""
    out = clone(obj)
    _dict(out, "metadata")
    defaulter = _DEFAULTERS.get(kind)
    if defaulter:
        defaulter(out)
    return out
