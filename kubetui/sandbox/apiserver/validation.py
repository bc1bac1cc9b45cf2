"""What the API server refuses on create and update, with its field paths and messages.

A subset of pkg/apis/*/validation: the mistakes a kubectl or kubetui user makes. All
problems of an object are collected and raised as one 422 Invalid, as the server does.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from kubetui import names
from kubetui.sandbox.cron import parse_schedule
from kubetui.sandbox.errors import invalid
from kubetui.quantity import parse_quantity
from kubetui.sandbox.selectors import label_selector_requirements, selector_matches

Obj = dict[str, Any]


def _go_value(value: Any) -> str:
    """A value as Go's field errors print it (%q for strings, %#v for maps)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list):
        return json.dumps(value, separators=(",", ":"))
    if isinstance(value, dict):
        inner = ", ".join(f"{json.dumps(k)}:{json.dumps(v)}" for k, v in sorted(value.items()))
        return f"map[string]string{{{inner}}}"
    return str(value)


@dataclass
class Errors:
    """Field errors collected while walking an object."""

    causes: list[tuple[str, str, str]] = field(default_factory=list)

    def required(self, path: str, detail: str = "") -> None:
        self.causes.append((path, "FieldValueRequired",
                            "Required value" + (f": {detail}" if detail else "")))

    def invalid(self, path: str, value: Any, detail: str) -> None:
        self.causes.append((path, "FieldValueInvalid",
                            f"Invalid value: {_go_value(value)}: {detail}"))

    def not_supported(self, path: str, value: Any, supported: Iterable[str]) -> None:
        options = ", ".join(json.dumps(s) for s in supported)
        self.causes.append((path, "FieldValueNotSupported",
                            f"Unsupported value: {_go_value(value)}: supported values: "
                            f"{options}"))

    def duplicate(self, path: str, value: Any) -> None:
        self.causes.append((path, "FieldValueDuplicate",
                            f"Duplicate value: {_go_value(value)}"))

    def not_found(self, path: str, value: Any) -> None:
        self.causes.append((path, "FieldValueNotFound", f"Not found: {_go_value(value)}"))

    def check(self, path: str, value: Any, problems: list[str]) -> None:
        if problems:
            self.invalid(path, value, "; ".join(problems))

    def non_negative(self, path: str, value: Any) -> None:
        if isinstance(value, int) and value < 0:
            self.invalid(path, value, "must be greater than or equal to 0")


# ----- metadata ----------------------------------------------------------------------

NameCheck = Callable[[str], list[str]]


def _path_segment(name: str) -> list[str]:
    if name in (".", ".."):
        return [f"may not be '{name}'"]
    return [f"may not contain '{c}'" for c in "/%" if c in name]


def _metadata(obj: Obj, errs: Errors, name_check: NameCheck) -> None:
    meta = obj.get("metadata") or {}
    name = meta.get("name") or ""
    if not name and not meta.get("generateName"):
        errs.required("metadata.name", "name or generateName is required")
    elif name:
        errs.check("metadata.name", name, name_check(name))
    for key, value in (meta.get("labels") or {}).items():
        errs.check("metadata.labels", key, names.qualified_name(key))
        errs.check("metadata.labels", value, names.label_value(str(value)))
    for key in meta.get("annotations") or {}:
        errs.check("metadata.annotations", key, names.qualified_name(key.lower()))


# ----- pods --------------------------------------------------------------------------

_RESTART_POLICIES = ("Always", "OnFailure", "Never")
_PROTOCOLS = ("TCP", "UDP", "SCTP")


def _quantities(path: str, values: Obj, errs: Errors) -> dict[str, float]:
    out = {}
    for name, value in (values or {}).items():
        try:
            out[name] = parse_quantity(value)
        except ValueError:
            errs.invalid(f"{path}[{name}]", value,
                         "quantities must match the regular expression "
                         "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'")
    return out


def _container(c: Obj, path: str, volumes: set[str], errs: Errors) -> None:
    name = c.get("name") or ""
    if not name:
        errs.required(f"{path}.name")
    else:
        errs.check(f"{path}.name", name, names.dns1123_label(name))
    if not c.get("image"):
        errs.required(f"{path}.image")
    for i, port in enumerate(c.get("ports") or ()):
        p = port.get("containerPort")
        if p is None:
            errs.required(f"{path}.ports[{i}].containerPort")
        elif not isinstance(p, int) or not 1 <= p <= 65535:
            errs.invalid(f"{path}.ports[{i}].containerPort", p,
                         "must be between 1 and 65535, inclusive")
        if port.get("protocol", "TCP") not in _PROTOCOLS:
            errs.not_supported(f"{path}.ports[{i}].protocol", port["protocol"], _PROTOCOLS)
    for i, env in enumerate(c.get("env") or ()):
        env_name = env.get("name") or ""
        if not env_name:
            errs.required(f"{path}.env[{i}].name")
        elif "=" in env_name or not env_name.isprintable():
            errs.invalid(f"{path}.env[{i}].name", env_name, "a valid environment variable name "
                         "must consist only of printable ASCII characters other than '='")
    for i, mount in enumerate(c.get("volumeMounts") or ()):
        if not mount.get("name"):
            errs.required(f"{path}.volumeMounts[{i}].name")
        elif mount["name"] not in volumes:
            errs.not_found(f"{path}.volumeMounts[{i}].name", mount["name"])
        if not mount.get("mountPath"):
            errs.required(f"{path}.volumeMounts[{i}].mountPath")
    res = c.get("resources") or {}
    limits = _quantities(f"{path}.resources.limits", res.get("limits"), errs)
    requests = _quantities(f"{path}.resources.requests", res.get("requests"), errs)
    for rname, req in requests.items():
        if rname in limits and req > limits[rname]:
            errs.invalid(f"{path}.resources.requests", res["requests"][rname],
                         f"must be less than or equal to {rname} limit of "
                         f"{res['limits'][rname]}")


def _pod_spec(spec: Obj, path: str, errs: Errors,
              restart_policies: tuple[str, ...] = _RESTART_POLICIES,
              claims: tuple[str, ...] = ()) -> None:
    """`claims`: a StatefulSet's volumeClaimTemplates, which mounts may name too."""
    volumes: set[str] = set(claims)
    for i, v in enumerate(spec.get("volumes") or ()):
        vname = v.get("name") or ""
        if not vname:
            errs.required(f"{path}.volumes[{i}].name")
        elif vname in volumes:
            errs.duplicate(f"{path}.volumes[{i}].name", vname)
        else:
            errs.check(f"{path}.volumes[{i}].name", vname, names.dns1123_label(vname))
        volumes.add(vname)
    containers = spec.get("containers") or []
    if not containers:
        errs.required(f"{path}.containers")
    seen: set[str] = set()
    for key in ("initContainers", "containers"):
        for i, c in enumerate(spec.get(key) or ()):
            _container(c, f"{path}.{key}[{i}]", volumes, errs)
            if c.get("name") in seen:
                errs.duplicate(f"{path}.{key}[{i}].name", c["name"])
            seen.add(c.get("name") or "")
    policy = spec.get("restartPolicy")
    if policy is None:
        errs.required(f"{path}.restartPolicy", "valid values: "
                      + ", ".join(json.dumps(p) for p in restart_policies))
    elif policy not in restart_policies:
        errs.not_supported(f"{path}.restartPolicy", policy, restart_policies)
    grace = spec.get("terminationGracePeriodSeconds")
    errs.non_negative(f"{path}.terminationGracePeriodSeconds", grace)


def _pod(obj: Obj, errs: Errors) -> None:
    _pod_spec(obj.get("spec") or {}, "spec", errs)


# ----- workloads ---------------------------------------------------------------------


def _selector_and_template(spec: Obj, errs: Errors, kind: str) -> None:
    selector = spec.get("selector")
    if selector is None:
        errs.required("spec.selector")
    else:
        try:
            label_selector_requirements(selector)
        except ValueError as e:
            errs.invalid("spec.selector", selector, str(e))
        else:
            if not selector.get("matchLabels") and not selector.get("matchExpressions"):
                errs.invalid("spec.selector", selector,
                             f"empty selector is invalid for {kind.lower()}")
    template = spec.get("template")
    if template is None:
        errs.required("spec.template")
        return
    labels = (template.get("metadata") or {}).get("labels") or {}
    if selector and not selector_matches(selector, labels):
        errs.invalid("spec.template.metadata.labels", labels,
                     "`selector` does not match template `labels`")
    claims = tuple((t.get("metadata") or {}).get("name") or ""
                   for t in spec.get("volumeClaimTemplates") or ())
    _pod_spec(template.get("spec") or {}, "spec.template.spec", errs, ("Always",), claims)


def _int_or_percent(path: str, value: Any, errs: Errors) -> float | None:
    if isinstance(value, str) and value.endswith("%") and value[:-1].isdigit():
        if int(value[:-1]) > 100:
            errs.invalid(path, value, "must not be greater than 100%")
        return float(value[:-1])
    if isinstance(value, int) and not isinstance(value, bool):
        errs.non_negative(path, value)
        return float(value)
    if value is not None:
        errs.invalid(path, value, "a valid percent string must be a numeric string followed "
                     "by an ending '%' (e.g. '1%',  or '93%', regex used for validation is "
                     "'[0-9]+%')")
    return None


def _workload(kind: str) -> Callable[[Obj, Errors], None]:
    def check(obj: Obj, errs: Errors) -> None:
        spec = obj.get("spec") or {}
        errs.non_negative("spec.replicas", spec.get("replicas"))
        errs.non_negative("spec.revisionHistoryLimit", spec.get("revisionHistoryLimit"))
        errs.non_negative("spec.minReadySeconds", spec.get("minReadySeconds"))
        _selector_and_template(spec, errs, kind)
        strategy = spec.get("strategy") or {}
        if kind == "Deployment" and strategy:
            if strategy.get("type") not in ("RollingUpdate", "Recreate"):
                errs.not_supported("spec.strategy.type", strategy.get("type"),
                                   ("Recreate", "RollingUpdate"))
            rolling = strategy.get("rollingUpdate") or {}
            base = "spec.strategy.rollingUpdate"
            surge = _int_or_percent(f"{base}.maxSurge", rolling.get("maxSurge"), errs)
            unavailable = _int_or_percent(f"{base}.maxUnavailable",
                                          rolling.get("maxUnavailable"), errs)
            if surge == 0 and unavailable == 0:
                errs.invalid(f"{base}.maxUnavailable", rolling.get("maxUnavailable"),
                             "may not be 0 when `maxSurge` is 0")
    return check


def _job_spec(spec: Obj, errs: Errors, base: str) -> None:
    for key in ("parallelism", "completions", "backoffLimit", "activeDeadlineSeconds",
                "ttlSecondsAfterFinished"):
        errs.non_negative(f"{base}.{key}", spec.get(key))
    mode = spec.get("completionMode")
    if mode is not None and mode not in ("NonIndexed", "Indexed"):
        errs.not_supported(f"{base}.completionMode", mode, ("NonIndexed", "Indexed"))
    if mode == "Indexed" and spec.get("completions") is None:
        errs.required(f"{base}.completions", "when completion mode is Indexed")
    template = spec.get("template")
    if template is None:
        errs.required(f"{base}.template")
        return
    _pod_spec(template.get("spec") or {}, f"{base}.template.spec", errs, ("OnFailure", "Never"))


def _job(obj: Obj, errs: Errors) -> None:
    spec = obj.get("spec") or {}
    _job_spec(spec, errs, "spec")
    selector = spec.get("selector")
    if selector is None:
        errs.required("spec.selector")
    elif spec.get("template") is not None:
        labels = ((spec["template"].get("metadata") or {}).get("labels")) or {}
        if not selector_matches(selector, labels):
            errs.invalid("spec.template.metadata.labels", labels,
                         "`selector` does not match template `labels`")


def _cron_job(obj: Obj, errs: Errors) -> None:
    name = (obj.get("metadata") or {}).get("name") or ""
    if len(name) > 52:
        errs.invalid("metadata.name", name, "must be no more than 52 characters")
    spec = obj.get("spec") or {}
    schedule = spec.get("schedule")
    if not schedule:
        errs.required("spec.schedule")
    else:
        try:
            parse_schedule(schedule)
        except ValueError as e:
            errs.invalid("spec.schedule", schedule, str(e))
    policy = spec.get("concurrencyPolicy")
    if policy is not None and policy not in ("Allow", "Forbid", "Replace"):
        errs.not_supported("spec.concurrencyPolicy", policy, ("Allow", "Forbid", "Replace"))
    for key in ("startingDeadlineSeconds", "successfulJobsHistoryLimit",
                "failedJobsHistoryLimit"):
        errs.non_negative(f"spec.{key}", spec.get(key))
    template = spec.get("jobTemplate")
    if template is None:
        errs.required("spec.jobTemplate")
    else:
        _job_spec(template.get("spec") or {}, errs, "spec.jobTemplate.spec")


# ----- services, config, the rest ----------------------------------------------------

_SERVICE_TYPES = ("ClusterIP", "ExternalName", "LoadBalancer", "NodePort")


def _service(obj: Obj, errs: Errors) -> None:
    spec = obj.get("spec") or {}
    kind = spec.get("type", "ClusterIP")
    if kind not in _SERVICE_TYPES:
        errs.not_supported("spec.type", kind, _SERVICE_TYPES)
    ports = spec.get("ports") or []
    headless = spec.get("clusterIP") == "None"
    if kind == "ExternalName":
        if not spec.get("externalName"):
            errs.required("spec.externalName")
    elif not ports and not headless:
        errs.required("spec.ports")
    port_names: set[str] = set()
    for i, port in enumerate(ports):
        path = f"spec.ports[{i}]"
        pname = port.get("name") or ""
        if len(ports) > 1 and not pname:
            errs.required(f"{path}.name")
        elif pname in port_names:
            errs.duplicate(f"{path}.name", pname)
        elif pname:
            errs.check(f"{path}.name", pname, names.dns1123_label(pname))
        port_names.add(pname)
        number = port.get("port")
        if number is None:
            errs.required(f"{path}.port")
        elif not isinstance(number, int) or not 1 <= number <= 65535:
            errs.invalid(f"{path}.port", number, "must be between 1 and 65535, inclusive")
        if port.get("protocol", "TCP") not in _PROTOCOLS:
            errs.not_supported(f"{path}.protocol", port["protocol"], _PROTOCOLS)
        target = port.get("targetPort")
        if isinstance(target, int) and not 1 <= target <= 65535:
            errs.invalid(f"{path}.targetPort", target, "must be between 1 and 65535, inclusive")


def _data_keys(obj: Obj, errs: Errors) -> None:
    seen: set[str] = set()
    for section in ("data", "binaryData", "stringData"):
        for key in obj.get(section) or {}:
            errs.check(f"{section}[{key}]", key, names.config_map_key(key))
            if section != "stringData" and key in seen:
                errs.invalid(f"{section}[{key}]", key, "duplicate of key present in data")
            seen.add(key)


_SECRET_KEYS = {"kubernetes.io/tls": ("tls.crt", "tls.key"),
                "kubernetes.io/dockerconfigjson": (".dockerconfigjson",),
                "kubernetes.io/basic-auth": ()}


def _secret(obj: Obj, errs: Errors) -> None:
    _data_keys(obj, errs)
    present = set(obj.get("data") or {}) | set(obj.get("stringData") or {})
    for key in _SECRET_KEYS.get(obj.get("type", "Opaque"), ()):
        if key not in present:
            errs.required(f"data[{key}]")


def _crd(obj: Obj, errs: Errors) -> None:
    spec = obj.get("spec") or {}
    group, names_ = spec.get("group") or "", spec.get("names") or {}
    if not group:
        errs.required("spec.group")
    elif "." not in group:
        errs.invalid("spec.group", group, "should be a domain with at least one dot")
    for key in ("plural", "kind"):
        if not names_.get(key):
            errs.required(f"spec.names.{key}")
    if names_.get("plural"):
        errs.check("spec.names.plural", names_["plural"], names.dns1123_label(names_["plural"]))
    scope = spec.get("scope")
    if scope not in ("Namespaced", "Cluster"):
        if scope:
            errs.not_supported("spec.scope", scope, ("Cluster", "Namespaced"))
        else:
            errs.required("spec.scope")
    versions = spec.get("versions") or []
    if sum(1 for v in versions if v.get("storage")) != 1:
        errs.invalid("spec.versions", [v.get("name") for v in versions],
                     "must have exactly one version marked as storage version")
    name = (obj.get("metadata") or {}).get("name") or ""
    if name and names_.get("plural") and group and name != f"{names_['plural']}.{group}":
        errs.invalid("metadata.name", name, 'must be spec.names.plural+"."+spec.group')


def _hpa(obj: Obj, errs: Errors) -> None:
    spec = obj.get("spec") or {}
    ref = spec.get("scaleTargetRef") or {}
    for key in ("kind", "name"):
        if not ref.get(key):
            errs.required(f"spec.scaleTargetRef.{key}")
    low, high = spec.get("minReplicas", 1), spec.get("maxReplicas")
    if isinstance(low, int) and low < 1:
        errs.invalid("spec.minReplicas", low, "must be greater than or equal to 1")
    if high is None:
        errs.required("spec.maxReplicas")
    elif isinstance(high, int) and isinstance(low, int) and high < max(low, 1):
        errs.invalid("spec.maxReplicas", high, "must be greater than or equal to `minReplicas`")


def _pvc(obj: Obj, errs: Errors) -> None:
    spec = obj.get("spec") or {}
    if not spec.get("accessModes"):
        errs.required("spec.accessModes", "at least 1 access mode is required")
    requests = (spec.get("resources") or {}).get("requests") or {}
    if "storage" not in requests:
        errs.required("spec.resources[storage]")


def _replication_controller(obj: Obj, errs: Errors) -> None:
    """pkg/apis/core/validation ValidateReplicationControllerSpec: the selector is a
    non-empty label map the template's labels match."""
    spec = obj.get("spec") or {}
    errs.non_negative("spec.replicas", spec.get("replicas"))
    selector = spec.get("selector") or {}
    if not selector:
        errs.required("spec.selector")
    template = spec.get("template")
    if template is None:
        errs.required("spec.template")
        return
    labels = (template.get("metadata") or {}).get("labels") or {}
    if selector and any(labels.get(k) != v for k, v in selector.items()):
        errs.invalid("spec.template.metadata.labels", labels,
                     "`selector` does not match template `labels`")
    _pod_spec(template.get("spec") or {}, "spec.template.spec", errs, ("Always",))


def _pdb(obj: Obj, errs: Errors) -> None:
    """pkg/apis/policy/validation ValidatePodDisruptionBudgetSpec."""
    spec = obj.get("spec") or {}
    low, high = spec.get("minAvailable"), spec.get("maxUnavailable")
    if low is not None and high is not None:
        errs.invalid("spec.minAvailable", low,
                     "minAvailable and maxUnavailable cannot be both set")
    _int_or_percent("spec.minAvailable", low, errs)
    _int_or_percent("spec.maxUnavailable", high, errs)


_CHECKS: dict[str, Callable[[Obj, Errors], None]] = {
    "PodDisruptionBudget": _pdb,
    "ReplicationController": _replication_controller,
    "Pod": _pod,
    "Deployment": _workload("Deployment"),
    "ReplicaSet": _workload("ReplicaSet"),
    "StatefulSet": _workload("StatefulSet"),
    "DaemonSet": _workload("DaemonSet"),
    "Job": _job,
    "CronJob": _cron_job,
    "Service": _service,
    "ConfigMap": _data_keys,
    "Secret": _secret,
    "CustomResourceDefinition": _crd,
    "HorizontalPodAutoscaler": _hpa,
    "PersistentVolumeClaim": _pvc,
}

_NAME_CHECKS: dict[str, NameCheck] = {
    "Namespace": names.dns1123_label,
    "Service": names.dns1035_label,
    "Role": _path_segment,
    "RoleBinding": _path_segment,
    "ClusterRole": _path_segment,
    "ClusterRoleBinding": _path_segment,
}


#: Review requests are answered, never stored, and need no name.
_NAMELESS = frozenset({"SelfSubjectAccessReview", "SelfSubjectRulesReview",
                       "SubjectAccessReview", "LocalSubjectAccessReview", "TokenReview",
                       "SelfSubjectReview"})


def validate(kind: str, obj: Obj, group: str = "") -> None:
    """Raise a 422 Invalid listing every problem the API server would report for `obj`.
    Custom resources (unknown kinds) are checked for their name only."""
    errs = Errors()
    if kind in _NAMELESS:
        return
    _metadata(obj, errs, _NAME_CHECKS.get(kind, names.dns1123_subdomain))
    check = _CHECKS.get(kind)
    if check:
        check(obj, errs)
    if errs.causes:
        name = (obj.get("metadata") or {}).get("name") or ""
        raise invalid(kind, group, name, errs.causes)
