"""Describers of apps/v1 kinds: Deployment, ReplicaSet, StatefulSet, DaemonSet."""

from __future__ import annotations

from datetime import datetime

from kubetui.render.describe.common import (go_value, rfc1123, write_annotations,
                                            write_conditions, write_controller, write_events,
                                            write_labels)
from kubetui.render.describe.pod_template import pod_counts, write_pod_template
from kubetui.render.describe.writer import Describer, Related, Writer
from kubetui.render.printers import base
from kubetui.render.printers.core import pvc_storage_class
from kubetui.render.text import dig, format_labels, format_selector, selector_string


def _describe_deployment(w: Writer, d: dict, events: list[dict], related: Related,
                         now: datetime) -> None:
    meta, spec, status = base.meta(d), base.spec(d), base.status(d)
    w.write(0, f"Name:\t{meta.get('name', '')}\n")
    w.write(0, f"Namespace:\t{meta.get('namespace', '')}\n")
    w.write(0, f"CreationTimestamp:\t{rfc1123(meta.get('creationTimestamp'), now)}\n")
    write_labels(w, "Labels", meta.get("labels"))
    write_annotations(w, "Annotations", meta.get("annotations"))
    w.write(0, f"Selector:\t{selector_string(spec.get('selector')) or ''}\n")
    w.write(0, f"Replicas:\t{spec.get('replicas', 1)} desired | "
               f"{status.get('updatedReplicas', 0)} updated | {status.get('replicas', 0)} "
               f"total | {status.get('availableReplicas', 0)} available | "
               f"{status.get('unavailableReplicas', 0)} unavailable\n")
    strategy = spec.get("strategy") or {}
    w.write(0, f"StrategyType:\t{strategy.get('type', '')}\n")
    w.write(0, f"MinReadySeconds:\t{spec.get('minReadySeconds', 0)}\n")
    if (rolling := strategy.get("rollingUpdate")) is not None:
        unavailable = base.int_or_string(rolling.get("maxUnavailable"), "")
        surge = base.int_or_string(rolling.get("maxSurge"), "")
        w.write(0, f"RollingUpdateStrategy:\t{unavailable} max unavailable, {surge} max surge\n")
    write_pod_template(w, spec.get("template"), now)
    write_conditions(w, d)
    new, old = _split_replicasets(d, related.get("replicasets") or [])
    if new or old:
        w.write(0, f"OldReplicaSets:\t{_replicaset_list(old)}\n")
        w.write(0, f"NewReplicaSet:\t{_replicaset_list(new)}\n")
    write_events(w, events, now)


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
    uid = base.meta(d).get("uid")
    owned = [rs for rs in replicasets
             if any(r.get("controller") and r.get("uid") == uid
                    for r in base.meta(rs).get("ownerReferences") or [])]
    owned.sort(key=lambda rs: (base.meta(rs).get("creationTimestamp") or "",
                               base.meta(rs).get("name")))
    wanted = _template_without_hash(base.spec(d).get("template"))
    new = next((rs for rs in owned
                if _template_without_hash(base.spec(rs).get("template")) == wanted), None)
    return ([new] if new else []), [rs for rs in owned if rs is not new]


def _replicaset_list(replicasets: list[dict]) -> str:
    return ", ".join(f"{base.meta(rs).get('name', '')} ({base.status(rs).get('replicas', 0)}/"
                     f"{base.spec(rs).get('replicas', 1)} replicas created)"
                     for rs in replicasets) or "<none>"


def _describe_replicaset(w: Writer, rs: dict, events: list[dict], related: Related,
                         now: datetime) -> None:
    meta, spec = base.meta(rs), base.spec(rs)
    w.write(0, f"Name:\t{meta.get('name', '')}\n")
    w.write(0, f"Namespace:\t{meta.get('namespace', '')}\n")
    w.write(0, f"Selector:\t{format_selector(spec.get('selector'))}\n")
    write_labels(w, "Labels", meta.get("labels"))
    write_annotations(w, "Annotations", meta.get("annotations"))
    write_controller(w, rs)
    w.write(0, f"Replicas:\t{base.status(rs).get('replicas', 0)} current / "
               f"{spec.get('replicas', 1)} desired\n")
    w.write(0, f"Pods Status:\t{pod_counts(related.get('pods') or [], meta.get('uid', ''))}\n")
    write_pod_template(w, spec.get("template"), now)
    write_conditions(w, rs)
    write_events(w, events, now)


def _describe_statefulset(w: Writer, sts: dict, events: list[dict], related: Related,
                          now: datetime) -> None:
    meta, spec = base.meta(sts), base.spec(sts)
    w.write(0, f"Name:\t{meta.get('name', '')}\n")
    w.write(0, f"Namespace:\t{meta.get('namespace', '')}\n")
    w.write(0, f"CreationTimestamp:\t{rfc1123(meta.get('creationTimestamp'), now)}\n")
    w.write(0, f"Selector:\t{selector_string(spec.get('selector')) or ''}\n")
    write_labels(w, "Labels", meta.get("labels"))
    write_annotations(w, "Annotations", meta.get("annotations"))
    w.write(0, f"Replicas:\t{spec.get('replicas', 1)} desired | "
               f"{base.status(sts).get('replicas', 0)} total\n")
    strategy = spec.get("updateStrategy") or {}
    w.write(0, f"Update Strategy:\t{strategy.get('type', '')}\n")
    rolling = strategy.get("rollingUpdate") or {}
    if rolling.get("partition") is not None:
        w.write(1, f"Partition:\t{rolling['partition']}\n")
        if rolling.get("maxUnavailable") is not None:
            w.write(1, f"MaxUnavailable:\t{rolling['maxUnavailable']}\n")
    w.write(0, f"Pods Status:\t{pod_counts(related.get('pods') or [], meta.get('uid', ''))}\n")
    write_pod_template(w, spec.get("template"), now)
    claims = spec.get("volumeClaimTemplates") or []
    w.write(0, "Volume Claims:\n" if claims else "Volume Claims:\t<none>\n")
    for pvc in claims:
        pvc_meta = base.meta(pvc)
        w.write(1, f"Name:\t{pvc_meta.get('name', '')}\n")
        w.write(1, f"StorageClass:\t{pvc_storage_class(pvc)}\n")
        write_labels(w, "Labels", pvc_meta.get("labels"), indent="  ")
        write_labels(w, "Annotations", pvc_meta.get("annotations"), indent="  ")
        capacity = dig(pvc, "spec", "resources", "requests", "storage") or "<default>"
        w.write(1, f"Capacity:\t{capacity}\n")
        w.write(1, f"Access Modes:\t{go_value(base.spec(pvc).get('accessModes') or [])}\n")
    write_events(w, events, now)


def _describe_daemonset(w: Writer, ds: dict, events: list[dict], related: Related,
                        now: datetime) -> None:
    meta, spec, status = base.meta(ds), base.spec(ds), base.status(ds)
    w.write(0, f"Name:\t{meta.get('name', '')}\n")
    w.write(0, f"Namespace:\t{meta.get('namespace', '')}\n")
    w.write(0, f"Selector:\t{selector_string(spec.get('selector')) or ''}\n")
    node_selector = dig(spec, "template", "spec", "nodeSelector")
    w.write(0, f"Node-Selector:\t{format_labels(node_selector)}\n")
    write_labels(w, "Labels", meta.get("labels"))
    write_annotations(w, "Annotations", meta.get("annotations"))
    for title, key in (("Desired Number of Nodes Scheduled", "desiredNumberScheduled"),
                       ("Current Number of Nodes Scheduled", "currentNumberScheduled"),
                       ("Number of Nodes Scheduled with Up-to-date Pods",
                        "updatedNumberScheduled"),
                       ("Number of Nodes Scheduled with Available Pods", "numberAvailable"),
                       ("Number of Nodes Misscheduled", "numberMisscheduled")):
        w.write(0, f"{title}: {status.get(key, 0)}\n")
    w.write(0, f"Pods Status:\t{pod_counts(related.get('pods') or [], meta.get('uid', ''))}\n")
    write_pod_template(w, spec.get("template"), now)
    write_events(w, events, now)


DESCRIBERS: dict[str, Describer] = {
    "Deployment": _describe_deployment,
    "ReplicaSet": _describe_replicaset,
    "StatefulSet": _describe_statefulset,
    "DaemonSet": _describe_daemonset,
}
