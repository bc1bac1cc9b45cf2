"""The StatefulSet controller: stable, ordered pods `<set>-0 … <set>-(n-1)`.

As kube-controller-manager's: OrderedReady creates ordinal i only once every lower one is
Running and Ready and scales down from the highest ordinal, one at a time; Parallel does
both at once. Each template version is a ControllerRevision `<set>-<hash>` (revision
numbers rise; going back to an old template reuses its revision with a new number), and
pods carry its name in `controller-revision-hash`. RollingUpdate replaces pods from the
highest ordinal down to `partition`, one at a time, each only once the others are ready;
OnDelete replaces a pod only when someone deletes it. `volumeClaimTemplates` become PVCs
`<claim>-<pod>` (kept when the set goes, as the default Retain policy does). Not
modelled: maxUnavailable, PVC retention policies other than Retain, revision history
cleanup, `ordinals.start`.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from typing import Any

from kubetui.kinds import builtin
from kubetui.sandbox import podinfo
from kubetui.sandbox.apiserver.store import Event, Obj, clone
from kubetui.sandbox.controllers import base
from kubetui.sandbox.core import Sandbox
from kubetui.sandbox.errors import ApiError

STS_KIND = builtin("StatefulSet")
STATEFULSETS = STS_KIND.key
REVISION_KIND = builtin("ControllerRevision")
PVC_KIND = builtin("PersistentVolumeClaim")
REVISION_LABEL = "controller-revision-hash"
POD_NAME_LABEL = "statefulset.kubernetes.io/pod-name"
POD_INDEX_LABEL = "apps.kubernetes.io/pod-index"


def ordinal(pod: Obj, set_name: str) -> int | None:
    prefix, _, number = pod["metadata"]["name"].rpartition("-")
    return int(number) if prefix == set_name and number.isdigit() else None


def revision_of(pod: Obj) -> str:
    return base.labels_of(pod).get(REVISION_LABEL, "")


def _running_ready(pod: Obj) -> bool:
    return podinfo.pod_phase(pod) == "Running" and podinfo.is_ready(pod) and \
        not podinfo.is_deleting(pod)


class StatefulSetController(base.Reconciler):
    name = "statefulset-controller"
    watched = (STATEFULSETS, base.PODS)
    keys_in_line = True
    min_interval = 0.05

    def __init__(self, sandbox: Sandbox) -> None:
        super().__init__(sandbox)
        self.record = base.EventRecorder(sandbox, self.name)

    def keys_for(self, ev: Event) -> Iterable[Hashable]:
        return base.own_key(ev, STATEFULSETS, "StatefulSet")

    def sync(self, key: tuple[str, str]) -> float | None:
        sts = self.store.find(STATEFULSETS, *key)
        if sts is None:
            self.queue.forget(key)
            return None
        name, spec = sts["metadata"]["name"], sts["spec"]
        update = self._revision(sts)
        status: dict[str, Any] = clone(sts.get("status") or {})
        current = status.get("currentRevision") or update
        pods: dict[int, Obj] = {}
        for p in podinfo.owned_by(self.store, sts, "Pod"):
            i = ordinal(p, name)
            if i is not None:
                pods[i] = p
        if not podinfo.is_deleting(sts):
            self._converge(sts, pods, current, update)
        self._write(sts, status, pods, current, update)
        return base.seconds_until_available(pods.values(), spec.get("minReadySeconds", 0),
                                            base.now())

    def _converge(self, sts: Obj, pods: dict[int, Obj], current: str, update: str) -> None:
        spec = sts["spec"]
        replicas = spec.get("replicas", 1)
        parallel = spec.get("podManagementPolicy") == "Parallel"
        strategy = spec.get("updateStrategy") or {}
        rolling = strategy.get("type", "RollingUpdate") == "RollingUpdate"
        partition = (strategy.get("rollingUpdate") or {}).get("partition", 0) if rolling \
            else replicas
        for i in range(replicas):
            pod = pods.get(i)
            if pod is not None and podinfo.pod_phase(pod) in ("Succeeded", "Failed") and \
                    not podinfo.is_deleting(pod):
                self._delete(sts, pod)  # a failed pod is replaced under the same name
                pod = None
            if pod is None or podinfo.is_deleting(pod):
                if pod is None:
                    rev = update if i >= partition else current
                    pods[i] = self._create(sts, i, rev)
                if not parallel:
                    return
            elif not parallel and not _running_ready(pod):
                return
        condemned = sorted((i for i in pods if i >= replicas), reverse=True)
        for i in condemned:
            if not podinfo.is_deleting(pods[i]):
                self._delete(sts, pods[i])
            if not parallel:
                return
        if not rolling or not all(_running_ready(pods[i]) for i in range(replicas)
                                  if i in pods):
            return
        for i in range(replicas - 1, partition - 1, -1):
            if revision_of(pods[i]) != update:
                self._delete(sts, pods[i])
                return

    def _revision(self, sts: Obj) -> str:
        """The ControllerRevision of the current template, made or renumbered as needed."""
        template = sts["spec"].get("template") or {}
        name = f"{sts['metadata']['name']}-{base.template_hash(template)}"
        revisions = podinfo.owned_by(self.store, sts, "ControllerRevision")
        top = max((r.get("revision", 0) for r in revisions), default=0)
        mine = next((r for r in revisions if r["metadata"]["name"] == name), None)
        if mine is None:
            labels = dict((sts["spec"].get("selector") or {}).get("matchLabels") or {})
            labels["controller.kubernetes.io/hash"] = name.rpartition("-")[2]
            base.create(self.sandbox, REVISION_KIND, {
                "apiVersion": "apps/v1", "kind": "ControllerRevision",
                "metadata": {"name": name, "namespace": sts["metadata"]["namespace"],
                             "labels": labels,
                             "ownerReferences": [base.owner_reference(sts)]},
                "data": {"spec": {"template": {**template, "$patch": "replace"}}},
                "revision": top + 1})
        elif mine.get("revision", 0) < top and \
                (sts.get("status") or {}).get("updateRevision") != name:
            renumbered = clone(mine)
            renumbered["revision"] = top + 1
            self.store.update(REVISION_KIND.key, renumbered, check_rv=False)
        return name

    def _create(self, sts: Obj, i: int, revision: str) -> Obj:
        name, ns = sts["metadata"]["name"], sts["metadata"]["namespace"]
        pod_name = f"{name}-{i}"
        template = sts["spec"].get("template") or {}
        if revision != f"{name}-{base.template_hash(template)}":
            old = self.store.find(REVISION_KIND.key, ns, revision)
            if old is not None:
                template = {k: v for k, v in old["data"]["spec"]["template"].items()
                            if k != "$patch"}
        body = base.pod_from_template(template, sts, name=pod_name, extra_labels={
            REVISION_LABEL: revision, POD_NAME_LABEL: pod_name, POD_INDEX_LABEL: str(i)})
        body["spec"] = clone(body["spec"])
        body["spec"]["hostname"] = pod_name
        if sts["spec"].get("serviceName"):
            body["spec"]["subdomain"] = sts["spec"]["serviceName"]
        volumes = body["spec"].setdefault("volumes", [])
        for claim in sts["spec"].get("volumeClaimTemplates") or ():
            claim_name = f"{claim['metadata']['name']}-{pod_name}"
            self._claim(sts, claim, claim_name, pod_name)
            volumes[:] = [v for v in volumes if v.get("name") != claim["metadata"]["name"]]
            volumes.append({"name": claim["metadata"]["name"],
                            "persistentVolumeClaim": {"claimName": claim_name}})
        try:
            pod = base.create(self.sandbox, base.POD_KIND, body)
        except ApiError as e:
            self.record(sts, "Warning", "FailedCreate",
                        f"create Pod {pod_name} in StatefulSet {name} failed error: {e.message}")
            raise
        self.record(sts, "Normal", "SuccessfulCreate",
                    f"create Pod {pod_name} in StatefulSet {name} successful")
        return pod

    def _claim(self, sts: Obj, template: Obj, claim_name: str, pod_name: str) -> None:
        ns = sts["metadata"]["namespace"]
        if self.store.find(PVC_KIND.key, ns, claim_name) is not None:
            return
        meta = template.get("metadata") or {}
        labels = {**(meta.get("labels") or {}),
                  **((sts["spec"].get("selector") or {}).get("matchLabels") or {})}
        base.create(self.sandbox, PVC_KIND, {
            "apiVersion": "v1", "kind": "PersistentVolumeClaim",
            "metadata": {"name": claim_name, "namespace": ns, "labels": labels,
                         **({"annotations": meta["annotations"]}
                            if meta.get("annotations") else {})},
            "spec": template.get("spec") or {}})
        self.record(sts, "Normal", "SuccessfulCreate",
                    f"create Claim {claim_name} Pod {pod_name} in StatefulSet "
                    f"{sts['metadata']['name']} success")

    def _delete(self, sts: Obj, pod: Obj) -> None:
        try:
            base.delete(self.sandbox, base.POD_KIND, pod)
        except ApiError:
            return
        self.record(sts, "Normal", "SuccessfulDelete",
                    f"delete Pod {pod['metadata']['name']} in StatefulSet "
                    f"{sts['metadata']['name']} successful")

    def _write(self, sts: Obj, status: dict[str, Any], pods: dict[int, Obj], current: str,
               update: str) -> None:
        live = [p for p in pods.values() if not podinfo.is_deleting(p)]
        min_ready, now = sts["spec"].get("minReadySeconds", 0), base.now()
        counts = {
            "replicas": len(live),
            "readyReplicas": sum(1 for p in live if podinfo.is_ready(p)),
            "availableReplicas": sum(1 for p in live if podinfo.is_available(p, min_ready, now)),
            "currentReplicas": sum(1 for p in live if revision_of(p) == current),
            "updatedReplicas": sum(1 for p in live if revision_of(p) == update),
        }
        want = sts["spec"].get("replicas", 1)
        if counts["updatedReplicas"] == want and counts["readyReplicas"] == want and \
                counts["replicas"] == want:
            current, counts["currentReplicas"] = update, counts["updatedReplicas"]
        for k in counts:
            status.pop(k, None)
        # Go writes zeros of the fields without omitempty: replicas and availableReplicas
        # (k8s.io/api apps/v1 StatefulSetStatus).
        status.update({k: v for k, v in counts.items()
                       if v or k in ("replicas", "availableReplicas")})
        status.update(observedGeneration=sts["metadata"].get("generation", 1),
                      currentRevision=current, updateRevision=update,
                      collisionCount=status.get("collisionCount", 0))
        if status != sts.get("status"):
            self.store.write_status(STATEFULSETS, dict(sts, status=status))
