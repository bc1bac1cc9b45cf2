"""Rollouts as kubectl and the Deployment controller see them; pure functions over objects.

- `rollout_status`: the text `kubectl rollout status` prints for a Deployment, DaemonSet or
  StatefulSet, and whether the rollout is done or failed (polymorphichelpers/rollout_status).
- `owned_replica_sets`, `revisions`: a Deployment's history as `kubectl rollout history`
  reads it: the ReplicaSets its selector matches and it controls, by their
  `deployment.kubernetes.io/revision` annotation.
- `undo_target`, `undo_patch`: what `kubectl rollout undo [--to-revision]` picks and sends
  (kubectl's DeploymentRollbacker).
- `template_diff`: a unified diff of two revisions' pod templates.
- `rolling_bounds`: maxSurge / maxUnavailable resolved to pod counts as the controller does.
"""

from __future__ import annotations

import copy
import difflib
import math
from dataclasses import dataclass
from typing import Any

from kubetui.render.yaml_text import to_yaml

Obj = dict[str, Any]

REVISION = "deployment.kubernetes.io/revision"
CHANGE_CAUSE = "kubernetes.io/change-cause"
HASH_LABEL = "pod-template-hash"
TIMED_OUT = "ProgressDeadlineExceeded"
#: Annotations a rollback keeps from the Deployment rather than taking from the ReplicaSet
#: (kubectl's annotationsToSkip).
_KEPT_ON_ROLLBACK = ("kubectl.kubernetes.io/last-applied-configuration", REVISION,
                     "deployment.kubernetes.io/revision-history",
                     "deployment.kubernetes.io/desired-replicas",
                     "deployment.kubernetes.io/max-replicas",
                     "deprecated.deployment.rollback.to")


class RolloutError(Exception):
    """What kubectl would refuse with; the message is kubectl's."""


@dataclass(frozen=True)
class RolloutStatus:
    message: str  # kubectl's line, without the trailing newline
    done: bool
    failed: bool = False  # ProgressDeadlineExceeded, or no status for this strategy


def _int(value: Any, default: int = 0) -> int:
    return value if isinstance(value, int) else default


def rollout_status(obj: Obj) -> RolloutStatus:
    """`kubectl rollout status` for one object, as one line."""
    kind = obj.get("kind")
    if kind == "Deployment":
        return _deployment_status(obj)
    if kind == "DaemonSet":
        return _daemonset_status(obj)
    if kind == "StatefulSet":
        return _statefulset_status(obj)
    return RolloutStatus(f"no status viewer has been implemented for {kind}", True, True)


def _deployment_status(d: Obj) -> RolloutStatus:
    name = d["metadata"]["name"]
    spec, status = d.get("spec") or {}, d.get("status") or {}
    if _int(d["metadata"].get("generation")) > _int(status.get("observedGeneration")):
        return RolloutStatus("Waiting for deployment spec update to be observed...", False)
    cond = condition(d, "Progressing")
    if cond is not None and cond.get("reason") == TIMED_OUT:
        return RolloutStatus(f'error: deployment "{name}" exceeded its progress deadline',
                             False, True)
    want = spec.get("replicas")
    updated = _int(status.get("updatedReplicas"))
    replicas = _int(status.get("replicas"))
    available = _int(status.get("availableReplicas"))
    prefix = f'Waiting for deployment "{name}" rollout to finish: '
    if isinstance(want, int) and updated < want:
        return RolloutStatus(f"{prefix}{updated} out of {want} new replicas have been "
                             "updated...", False)
    if replicas > updated:
        return RolloutStatus(f"{prefix}{replicas - updated} old replicas are pending "
                             "termination...", False)
    if available < updated:
        return RolloutStatus(f"{prefix}{available} of {updated} updated replicas are "
                             "available...", False)
    return RolloutStatus(f'deployment "{name}" successfully rolled out', True)


def _daemonset_status(ds: Obj) -> RolloutStatus:
    name = ds["metadata"]["name"]
    spec, status = ds.get("spec") or {}, ds.get("status") or {}
    if (spec.get("updateStrategy") or {}).get("type", "RollingUpdate") != "RollingUpdate":
        return RolloutStatus("rollout status is only available for RollingUpdate strategy "
                             "type", True, True)
    if _int(ds["metadata"].get("generation")) > _int(status.get("observedGeneration")):
        return RolloutStatus("Waiting for daemon set spec update to be observed...", False)
    desired = _int(status.get("desiredNumberScheduled"))
    updated = _int(status.get("updatedNumberScheduled"))
    available = _int(status.get("numberAvailable"))
    prefix = f'Waiting for daemon set "{name}" rollout to finish: '
    if updated < desired:
        return RolloutStatus(f"{prefix}{updated} out of {desired} new pods have been "
                             "updated...", False)
    if available < desired:
        return RolloutStatus(f"{prefix}{available} of {desired} updated pods are "
                             "available...", False)
    return RolloutStatus(f'daemon set "{name}" successfully rolled out', True)


def _statefulset_status(sts: Obj) -> RolloutStatus:
    spec, status = sts.get("spec") or {}, sts.get("status") or {}
    strategy = spec.get("updateStrategy") or {}
    if strategy.get("type", "RollingUpdate") != "RollingUpdate":
        return RolloutStatus("rollout status is only available for RollingUpdate strategy "
                             "type", True, True)
    observed = _int(status.get("observedGeneration"))
    if observed == 0 or _int(sts["metadata"].get("generation")) > observed:
        return RolloutStatus("Waiting for statefulset spec update to be observed...", False)
    want = spec.get("replicas")
    ready = _int(status.get("readyReplicas"))
    updated = _int(status.get("updatedReplicas"))
    if isinstance(want, int) and ready < want:
        return RolloutStatus(f"Waiting for {want - ready} pods to be ready...", False)
    rolling = strategy.get("rollingUpdate")
    if rolling is not None:
        partition = rolling.get("partition")
        if isinstance(want, int) and isinstance(partition, int) and \
                updated < want - partition:
            return RolloutStatus(f"Waiting for partitioned roll out to finish: {updated} out "
                                 f"of {want - partition} new pods have been updated...", False)
        return RolloutStatus(f"partitioned roll out complete: {updated} new pods have been "
                             "updated...", True)
    update_rev, current_rev = status.get("updateRevision"), status.get("currentRevision")
    if update_rev != current_rev:
        return RolloutStatus(f"waiting for statefulset rolling update to complete {updated} "
                             f"pods at revision {update_rev}...", False)
    return RolloutStatus(f"statefulset rolling update complete "
                         f"{_int(status.get('currentReplicas'))} pods at revision "
                         f"{current_rev}...", True)


def condition(obj: Obj, type_: str) -> Obj | None:
    for cond in (obj.get("status") or {}).get("conditions") or ():
        if cond.get("type") == type_:
            return cond
    return None


# ----- history --------------------------------------------------------------------------

@dataclass(frozen=True)
class Revision:
    number: int
    change_cause: str
    images: tuple[str, ...]
    replica_set: Obj

    @property
    def name(self) -> str:
        return self.replica_set["metadata"]["name"]

    @property
    def template(self) -> Obj:
        return (self.replica_set.get("spec") or {}).get("template") or {}


def revision_of(obj: Obj) -> int | None:
    value = ((obj.get("metadata") or {}).get("annotations") or {}).get(REVISION)
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def owned_replica_sets(deployment: Obj, replica_sets: list[Obj]) -> list[Obj]:
    """The ReplicaSets (already listed by the Deployment's selector) it controls."""
    uid = deployment["metadata"].get("uid")
    return [rs for rs in replica_sets
            if any(ref.get("controller") and ref.get("uid") == uid
                   for ref in rs["metadata"].get("ownerReferences") or ())]


def images(template: Obj) -> tuple[str, ...]:
    spec = template.get("spec") or {}
    return tuple(c.get("image", "") for c in
                 [*(spec.get("initContainers") or ()), *(spec.get("containers") or ())])


def revisions(replica_sets: list[Obj]) -> list[Revision]:
    """The history, oldest first (`kubectl rollout history`), from owned ReplicaSets."""
    out = []
    for rs in replica_sets:
        number = revision_of(rs)
        if number is None:
            continue
        template = (rs.get("spec") or {}).get("template") or {}
        cause = (rs["metadata"].get("annotations") or {}).get(CHANGE_CAUSE, "")
        out.append(Revision(number, cause, images(template), rs))
    return sorted(out, key=lambda r: r.number)


def _without_hash(template: Obj) -> Obj:
    template = copy.deepcopy(template)
    labels = (template.get("metadata") or {}).get("labels")
    if labels:
        labels.pop(HASH_LABEL, None)
    return template


def current_revision(deployment: Obj, history: list[Revision]) -> Revision | None:
    """The revision whose template is the Deployment's (the "new" ReplicaSet)."""
    template = _without_hash((deployment.get("spec") or {}).get("template") or {})
    return next((r for r in history if _without_hash(r.template) == template), None)


def undo_target(deployment: Obj, history: list[Revision], to_revision: int = 0) -> Revision:
    """The revision `kubectl rollout undo --to-revision` picks (0: the one before the
    latest). Raises RolloutError with kubectl's words."""
    if (deployment.get("spec") or {}).get("paused"):
        raise RolloutError("you cannot rollback a paused deployment; resume it first with "
                           "'kubectl rollout resume' and try again")
    if to_revision:
        found = next((r for r in history if r.number == to_revision), None)
        if found is None:
            raise RolloutError(f"unable to find specified revision {to_revision} in history")
        return found
    if len(history) < 2:
        raise RolloutError(f'no rollout history found for deployment '
                           f'"{deployment["metadata"]["name"]}"')
    return history[-2]


def undo_patch(deployment: Obj, target: Revision) -> list[Obj] | None:
    """kubectl's JSON patch replacing /spec/template and /metadata/annotations; None when
    the Deployment already runs that template (kubectl's "skipped rollback")."""
    template = _without_hash(target.template)
    if template == _without_hash((deployment.get("spec") or {}).get("template") or {}):
        return None
    current = deployment["metadata"].get("annotations") or {}
    annotations = {k: current[k] for k in _KEPT_ON_ROLLBACK if k in current}
    annotations.update({k: v for k, v in
                        (target.replica_set["metadata"].get("annotations") or {}).items()
                        if k not in _KEPT_ON_ROLLBACK})
    return [{"op": "replace", "path": "/spec/template", "value": template},
            {"op": "replace", "path": "/metadata/annotations", "value": annotations}]


def yaml_diff(before: Obj, after: Obj, a: str, b: str, masked: bool = False) -> str:
    """A unified diff of two objects as YAML ("" when they read the same). Secrets are
    masked (each side alone) unless `masked` says the caller did it for the pair."""
    return "".join(difflib.unified_diff(
        to_yaml(before, reveal_secrets=masked).splitlines(keepends=True),
        to_yaml(after, reveal_secrets=masked).splitlines(keepends=True), a, b))


def template_diff(old: Revision, new: Revision) -> str:
    """A unified diff of the two revisions' pod templates (hash label left out)."""
    return yaml_diff(_without_hash(old.template), _without_hash(new.template),
                     f"revision {old.number}", f"revision {new.number}")


def template_changes(old: Revision, new: Revision) -> list[str]:
    """What going from `old`'s pod template to `new`'s changes, in a person's words: each
    container's image, containers added or removed, and a line when anything else in the
    template differs (`d` in the rollout view shows the whole diff)."""
    before, after = _containers(old.template), _containers(new.template)
    lines = [f"container {name} added ({c.get('image', '')})" if name not in before else
             f"image of {name}: {before[name].get('image')} -> {c.get('image')}"
             for name, c in after.items()
             if name not in before or before[name].get("image") != c.get("image")]
    lines += [f"container {name} removed" for name in before if name not in after]
    if before.keys() == after.keys() and _images_blanked(old) != _images_blanked(new):
        lines.append("other pod template fields differ too" if lines else
                     "pod template fields other than images differ")
    return lines


def _containers(template: Obj) -> dict[str, Obj]:
    spec = template.get("spec") or {}
    return {c.get("name", ""): c
            for c in [*(spec.get("initContainers") or []), *(spec.get("containers") or [])]}


def _images_blanked(revision: Revision) -> Obj:
    template = _without_hash(revision.template)
    for c in _containers(template).values():
        c["image"] = None
    return template


# ----- rolling update bounds --------------------------------------------------------------

def _resolve(value: Any, total: int, round_up: bool) -> int:
    """An IntOrString ("25%" or 1) as a pod count (intstr.GetScaledValueFromIntOrPercent)."""
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.endswith("%"):
        try:
            percent = int(value[:-1])
        except ValueError:
            return 0
        scaled = percent * total / 100
        return math.ceil(scaled) if round_up else math.floor(scaled)
    return 0


def rolling_bounds(deployment: Obj) -> tuple[int, int] | None:
    """(maxSurge, maxUnavailable) in pods; None for the Recreate strategy. Surge rounds up,
    unavailability down, and both 0 makes maxUnavailable 1, as the controller does."""
    spec = deployment.get("spec") or {}
    strategy = spec.get("strategy") or {}
    if strategy.get("type", "RollingUpdate") != "RollingUpdate":
        return None
    rolling = strategy.get("rollingUpdate") or {}
    replicas = _int(spec.get("replicas"), 1)
    surge = _resolve(rolling.get("maxSurge", "25%"), replicas, True)
    unavailable = _resolve(rolling.get("maxUnavailable", "25%"), replicas, False)
    if surge == 0 and unavailable == 0:
        unavailable = 1
    return surge, unavailable
