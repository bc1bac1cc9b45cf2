"""apps/v1 workloads: Deployment, ReplicaSet, StatefulSet, DaemonSet, ControllerRevision."""

from __future__ import annotations

from datetime import datetime

from kubetui.render.model import FAILED, OK, PENDING, Cell, RowHealth
from kubetui.render.printers.base import (AGE, CONTAINERS, IMAGES, NAME, SELECTOR, Printer,
                                          age, column, condition, meta, name, spec, status)
from kubetui.render.text import (container_cells, dig, format_labels, format_selector,
                                 selector_string)

#: spec.replicas as the API defaults it when a manifest leaves it out.
DEFAULT_REPLICAS = 1


def _replicas(obj: dict) -> int:
    replicas = spec(obj).get("replicas")
    return DEFAULT_REPLICAS if replicas is None else replicas


def _template_cells(obj: dict) -> tuple[str, str]:
    return container_cells(dig(obj, "spec", "template", "spec", "containers"))


def _progress(desired: int, *counts: int) -> RowHealth:
    return OK if all(count >= desired for count in counts) else PENDING


DEPLOYMENT = (
    NAME,
    column("Ready", sort="ratio", description="Number of the pod with ready state"),
    column("Up-to-date", sort="number"),
    column("Available", sort="number"),
    AGE,
    CONTAINERS,
    IMAGES,
    SELECTOR,
)


def render_deployment(deploy: dict, now: datetime) -> tuple[list[Cell], RowHealth]:
    desired, st = _replicas(deploy), status(deploy)
    ready, updated = st.get("readyReplicas", 0), st.get("updatedReplicas", 0)
    available = st.get("availableReplicas", 0)
    selector = selector_string(spec(deploy).get("selector"))
    cells: list[Cell] = [name(deploy), f"{ready}/{desired}", updated, available,
                         age(deploy, now), *_template_cells(deploy),
                         "<invalid>" if selector is None else selector]
    progressing = condition(deploy, "Progressing") or {}
    if progressing.get("reason") == "ProgressDeadlineExceeded":
        return cells, FAILED
    # Old pods still running (replicas above updated) mean a rollout is under way.
    if st.get("replicas", 0) > updated:
        return cells, PENDING
    return cells, _progress(desired, ready, updated, available)


REPLICASET = (
    NAME,
    column("Desired", "integer"),
    column("Current", "integer"),
    column("Ready", "integer"),
    AGE,
    CONTAINERS,
    IMAGES,
    SELECTOR,
)


def render_replicaset(rs: dict, now: datetime) -> tuple[list[Cell], RowHealth]:
    desired, st = _replicas(rs), status(rs)
    ready = st.get("readyReplicas", 0)
    cells: list[Cell] = [name(rs), desired, st.get("replicas", 0), ready, age(rs, now),
                         *_template_cells(rs), format_selector(spec(rs).get("selector"))]
    return cells, _progress(desired, ready)


STATEFULSET = (
    NAME,
    column("Ready", sort="ratio", description="Number of the pod with ready state"),
    AGE,
    CONTAINERS,
    IMAGES,
)


def render_statefulset(sts: dict, now: datetime) -> tuple[list[Cell], RowHealth]:
    desired, ready = _replicas(sts), status(sts).get("readyReplicas", 0)
    cells: list[Cell] = [name(sts), f"{ready}/{desired}", age(sts, now), *_template_cells(sts)]
    return cells, _progress(desired, ready)


DAEMONSET = (
    NAME,
    column("Desired", "integer"),
    column("Current", "integer"),
    column("Ready", "integer"),
    column("Up-to-date", "integer"),
    column("Available", "integer"),
    column("Node Selector"),
    AGE,
    CONTAINERS,
    IMAGES,
    SELECTOR,
)


def render_daemonset(ds: dict, now: datetime) -> tuple[list[Cell], RowHealth]:
    st = status(ds)
    desired, ready = st.get("desiredNumberScheduled", 0), st.get("numberReady", 0)
    updated, available = st.get("updatedNumberScheduled", 0), st.get("numberAvailable", 0)
    node_selector = dig(ds, "spec", "template", "spec", "nodeSelector")
    cells: list[Cell] = [name(ds), desired, st.get("currentNumberScheduled", 0), ready,
                         updated, available, format_labels(node_selector), age(ds, now),
                         *_template_cells(ds), format_selector(spec(ds).get("selector"))]
    return cells, _progress(desired, ready, updated, available)


CONTROLLERREVISION = (
    NAME,
    column("Controller", description="Controller of the object"),
    column("Revision", sort="number"),
    AGE,
)


def render_controllerrevision(rev: dict, now: datetime) -> tuple[list[Cell], RowHealth]:
    owner = next((o for o in meta(rev).get("ownerReferences") or [] if o.get("controller")),
                 None)
    controller = "<none>"
    if owner is not None:
        group = owner.get("apiVersion", "").rpartition("/")[0]
        kind = owner.get("kind", "")
        group_kind = f"{kind}.{group}" if group else kind
        owner_name = owner.get("name", "")
        controller = f"{group_kind.lower()}/{owner_name}" if group_kind else owner_name
    return [name(rev), controller, rev.get("revision", 0), age(rev, now)], OK


PRINTERS = (
    Printer("Deployment", "apps", DEPLOYMENT, render_deployment),
    Printer("ReplicaSet", "apps", REPLICASET, render_replicaset),
    Printer("StatefulSet", "apps", STATEFULSET, render_statefulset),
    Printer("DaemonSet", "apps", DAEMONSET, render_daemonset),
    Printer("ControllerRevision", "apps", CONTROLLERREVISION, render_controllerrevision),
)
