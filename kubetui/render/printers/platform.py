"""The cluster's own machinery as kubectl prints it (pkg/printers/internalversion/
printers.go): ReplicationControllers and PodTemplates, Leases, PriorityClasses,
RuntimeClasses, CSRs, CSI kinds, admission configuration, APIServices and API priority
and fairness."""

from __future__ import annotations

from datetime import datetime

from kubetui.render.model import OK, PENDING, Cell, RowHealth
from kubetui.render.printers.base import (AGE, CONTAINERS, IMAGES, NAME, SELECTOR, Printer,
                                          age, column, condition, name, spec, status)
from kubetui.render.text import container_cells, dig, format_labels

REPLICATIONCONTROLLER = (NAME, column("Desired", "integer"), column("Current", "integer"),
                         column("Ready", "integer"), AGE, CONTAINERS, IMAGES, SELECTOR)


def render_rc(rc: dict, now: datetime) -> tuple[list[Cell], RowHealth]:
    desired = spec(rc).get("replicas")
    desired = 1 if desired is None else desired
    ready = status(rc).get("readyReplicas", 0)
    containers, images = container_cells(dig(rc, "spec", "template", "spec", "containers"))
    cells: list[Cell] = [name(rc), desired, status(rc).get("replicas", 0), ready, age(rc, now),
                         containers, images, format_labels(spec(rc).get("selector"))]
    return cells, OK if ready >= desired else PENDING


PODTEMPLATE = (NAME, column("Containers"), column("Images"), column("Pod Labels"))


def render_podtemplate(pt: dict, now: datetime) -> tuple[list[Cell], RowHealth]:
    template = pt.get("template") or {}
    containers, images = container_cells(dig(template, "spec", "containers"))
    return [name(pt), containers, images,
            format_labels((template.get("metadata") or {}).get("labels"))], OK


LEASE = (NAME, column("Holder"), AGE)


def render_lease(lease: dict, now: datetime) -> tuple[list[Cell], RowHealth]:
    return [name(lease), spec(lease).get("holderIdentity") or "", age(lease, now)], OK


PRIORITYCLASS = (NAME, column("Value", "integer"), column("Global-Default", "boolean"), AGE,
                 column("PreemptionPolicy"))


def render_priorityclass(pc: dict, now: datetime) -> tuple[list[Cell], RowHealth]:
    return [name(pc), pc.get("value", 0), bool(pc.get("globalDefault")), age(pc, now),
            pc.get("preemptionPolicy") or "PreemptLowerPriority"], OK


RUNTIMECLASS = (NAME, column("Handler"), AGE)


def render_runtimeclass(rc: dict, now: datetime) -> tuple[list[Cell], RowHealth]:
    return [name(rc), rc.get("handler", ""), age(rc, now)], OK


CSR = (NAME, AGE, column("SignerName"), column("Requestor"), column("RequestedDuration"),
       column("Condition"))


def _duration(seconds: int | None) -> str:
    """duration.HumanDuration of spec.expirationSeconds; <none> when unset."""
    if seconds is None:
        return "<none>"
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size * 2 and seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def render_csr(csr: dict, now: datetime) -> tuple[list[Cell], RowHealth]:
    conditions = [c.get("type", "") for c in status(csr).get("conditions") or ()]
    if status(csr).get("certificate") and "Approved" in conditions:
        conditions.append("Issued")
    state = ",".join(conditions) or "Pending"
    health: RowHealth = OK if "Issued" in conditions else PENDING
    if "Denied" in conditions or "Failed" in conditions:
        health = "failed"
    return [name(csr), age(csr, now), spec(csr).get("signerName", ""),
            spec(csr).get("username", ""), _duration(spec(csr).get("expirationSeconds")),
            state], health


CSIDRIVER = (NAME, column("AttachRequired", "boolean"), column("PodInfoOnMount", "boolean"),
             column("StorageCapacity", "boolean"), column("TokenRequests"),
             column("RequiresRepublish", "boolean"), column("Modes"), AGE)


def render_csidriver(driver: dict, now: datetime) -> tuple[list[Cell], RowHealth]:
    s = spec(driver)
    tokens = ",".join(t.get("audience", "") for t in s.get("tokenRequests") or ()) or "<unset>"
    modes = ",".join(s.get("volumeLifecycleModes") or ()) or "<none>"
    attach = s.get("attachRequired")
    return [name(driver), True if attach is None else bool(attach),
            bool(s.get("podInfoOnMount")), bool(s.get("storageCapacity")), tokens,
            bool(s.get("requiresRepublish")), modes, age(driver, now)], OK


CSINODE = (NAME, column("Drivers", "integer"), AGE)


def render_csinode(node: dict, now: datetime) -> tuple[list[Cell], RowHealth]:
    return [name(node), len(spec(node).get("drivers") or ()), age(node, now)], OK


CSISTORAGECAPACITY = (NAME, column("StorageClassName"), column("Capacity"))


def render_csistoragecapacity(cap: dict, now: datetime) -> tuple[list[Cell], RowHealth]:
    return [name(cap), cap.get("storageClassName", ""), cap.get("capacity") or "<unset>"], OK


VOLUMEATTACHMENT = (NAME, column("Attacher"), column("PV"), column("Node"),
                    column("Attached", "boolean"), AGE)


def render_volumeattachment(va: dict, now: datetime) -> tuple[list[Cell], RowHealth]:
    s = spec(va)
    attached = bool(status(va).get("attached"))
    return [name(va), s.get("attacher", ""), (s.get("source") or {}).get(
        "persistentVolumeName", ""), s.get("nodeName", ""), attached,
        age(va, now)], OK if attached else PENDING


WEBHOOKS = (NAME, column("Webhooks", "integer"), AGE)


def render_webhooks(config: dict, now: datetime) -> tuple[list[Cell], RowHealth]:
    return [name(config), len(config.get("webhooks") or ()), age(config, now)], OK


ADMISSIONPOLICY = (NAME, column("Validations", "integer"), column("ParamKind"), AGE)


def render_admissionpolicy(policy: dict, now: datetime) -> tuple[list[Cell], RowHealth]:
    kind = spec(policy).get("paramKind")
    param = f"{kind.get('apiVersion', '')}/{kind.get('kind', '')}" if kind else "<unset>"
    return [name(policy), len(spec(policy).get("validations") or ()), param,
            age(policy, now)], OK


POLICYBINDING = (NAME, column("PolicyName"), column("ParamRef"), AGE)


def render_policybinding(binding: dict, now: datetime) -> tuple[list[Cell], RowHealth]:
    ref = spec(binding).get("paramRef")
    param = "<unset>"
    if ref:
        param = "/".join(p for p in (ref.get("namespace"), ref.get("name") or "*") if p)
    return [name(binding), spec(binding).get("policyName", ""), param, age(binding, now)], OK


APISERVICE = (NAME, column("Service"), column("Available"), AGE)


def render_apiservice(svc: dict, now: datetime) -> tuple[list[Cell], RowHealth]:
    ref = spec(svc).get("service")
    service = f"{ref.get('namespace', '')}/{ref.get('name', '')}" if ref else "Local"
    available = condition(svc, "Available")
    text = "Unknown"
    if available:
        text = available.get("status", "Unknown")
        if text != "True":
            text = f"{text} ({available.get('reason', '')})"
    return [name(svc), service, text, age(svc, now)], OK if text == "True" else PENDING


FLOWSCHEMA = (NAME, column("PriorityLevel"), column("MatchingPrecedence", "integer"),
              column("DistinguisherMethod"), AGE, column("MissingPL"))


def render_flowschema(fs: dict, now: datetime) -> tuple[list[Cell], RowHealth]:
    s = spec(fs)
    method = (s.get("distinguisherMethod") or {}).get("type") or "<none>"
    dangling = condition(fs, "Dangling")
    missing = dangling.get("status", "Unknown") if dangling else "?"
    return [name(fs), (s.get("priorityLevelConfiguration") or {}).get("name", ""),
            s.get("matchingPrecedence", 0), method, age(fs, now), missing], OK


PRIORITYLEVEL = (NAME, column("Type"), column("NominalConcurrencyShares"), column("Queues"),
                 column("HandSize"), column("QueueLengthLimit"), AGE)


def render_prioritylevel(plc: dict, now: datetime) -> tuple[list[Cell], RowHealth]:
    s = spec(plc)
    limited = s.get("limited") or {}
    queuing = (limited.get("limitResponse") or {}).get("queuing") or {}
    cells: list[Cell] = [name(plc), s.get("type", ""),
                         str(limited["nominalConcurrencyShares"]) if limited else "<none>"]
    cells += [str(queuing[k]) if queuing else "<none>"
              for k in ("queues", "handSize", "queueLengthLimit")]
    return [*cells, age(plc, now)], OK


_ADMISSION = "admissionregistration.k8s.io"
_FLOWCONTROL = "flowcontrol.apiserver.k8s.io"
PRINTERS = (
    Printer("ReplicationController", "", REPLICATIONCONTROLLER, render_rc),
    Printer("PodTemplate", "", PODTEMPLATE, render_podtemplate),
    Printer("Lease", "coordination.k8s.io", LEASE, render_lease),
    Printer("PriorityClass", "scheduling.k8s.io", PRIORITYCLASS, render_priorityclass),
    Printer("RuntimeClass", "node.k8s.io", RUNTIMECLASS, render_runtimeclass),
    Printer("CertificateSigningRequest", "certificates.k8s.io", CSR, render_csr),
    Printer("CSIDriver", "storage.k8s.io", CSIDRIVER, render_csidriver),
    Printer("CSINode", "storage.k8s.io", CSINODE, render_csinode),
    Printer("CSIStorageCapacity", "storage.k8s.io", CSISTORAGECAPACITY,
            render_csistoragecapacity),
    Printer("VolumeAttachment", "storage.k8s.io", VOLUMEATTACHMENT, render_volumeattachment),
    Printer("MutatingWebhookConfiguration", _ADMISSION, WEBHOOKS, render_webhooks),
    Printer("ValidatingWebhookConfiguration", _ADMISSION, WEBHOOKS, render_webhooks),
    Printer("ValidatingAdmissionPolicy", _ADMISSION, ADMISSIONPOLICY, render_admissionpolicy),
    Printer("ValidatingAdmissionPolicyBinding", _ADMISSION, POLICYBINDING,
            render_policybinding),
    Printer("APIService", "apiregistration.k8s.io", APISERVICE, render_apiservice),
    Printer("FlowSchema", _FLOWCONTROL, FLOWSCHEMA, render_flowschema),
    Printer("PriorityLevelConfiguration", _FLOWCONTROL, PRIORITYLEVEL, render_prioritylevel),
)
