"""What kubetui changes in a cluster, sent exactly as kubectl sends it; no Textual.

Every action returns a `Result`: whether it worked, a sentence for a person, and the
requests that were sent (the notification shows them). Server errors come back as words
(`explain`), never as exceptions, so a view can always tell the person what happened.
Before acting, the UI asks `permitted(accesses)` (what each action needs is declared in
`kubetui.model.actions`), which runs SelfSubjectAccessReviews, so "you may not …" comes
before anything is half done.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import orjson
import yaml

from kubetui.cluster import paths
from kubetui.cluster.client import ClusterClient
from kubetui.cluster.errors import ClusterError
from kubetui.cluster.rollout import (Revision, RolloutError, RolloutStatus, current_revision,
                                     owned_replica_sets, revisions, rolling_bounds,
                                     rollout_status, undo_patch, undo_target, yaml_diff)
from kubetui.kinds import Kind, builtin
from kubetui.render.text import selector_string
from kubetui.render.yaml_text import MASK, mask_secret, mask_secret_pair, to_yaml

Obj = dict[str, Any]

JSON_PATCH = "application/json-patch+json"
MERGE_PATCH = "application/merge-patch+json"
STRATEGIC_PATCH = "application/strategic-merge-patch+json"
APPLY_PATCH = "application/apply-patch+yaml"
FIELD_MANAGER = "kubetui"
RESTARTED_AT = "kubectl.kubernetes.io/restartedAt"
MIRROR_POD = "kubernetes.io/config.mirror"

NODE = builtin("Node")
POD = builtin("Pod")
REPLICASET = builtin("ReplicaSet")

_PATCH_NAMES = {JSON_PATCH: "json-patch", MERGE_PATCH: "merge-patch",
                STRATEGIC_PATCH: "strategic-merge-patch", APPLY_PATCH: "apply-patch",
                "application/json": "json"}


# ----- what is acted on, and what was sent ----------------------------------------------

@dataclass(frozen=True)
class Ref:
    """One object: its kind, namespace ("" when cluster-scoped) and name."""

    kind: Kind
    namespace: str
    name: str

    def path(self, subresource: str = "") -> str:
        return paths.object_path(self.kind, self.namespace or None, self.name, subresource)

    def __str__(self) -> str:
        """kubectl's way of naming it in messages: `deployment.apps/web`."""
        return f"{self.kind.singular}{'.' + self.kind.group if self.kind.group else ''}/" \
               f"{self.name}"

    @property
    def where(self) -> str:
        return f'{self} in namespace "{self.namespace}"' if self.namespace else str(self)


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    body: Any = None
    content_type: str = ""
    query: tuple[tuple[str, str], ...] = ()

    def __str__(self) -> str:
        query = "&".join(f"{k}={v}" for k, v in self.query)
        text = f"{self.method} {self.path}{'?' + query if query else ''}"
        if self.body is not None:
            body = orjson.dumps(_shown_body(self.path, self.body)).decode()
            if len(body) > 160:
                body = body[:159] + "…"
            text += f" ({_PATCH_NAMES.get(self.content_type, self.content_type)}) {body}"
        return text


@dataclass
class Result:
    ok: bool
    message: str
    sent: list[Request] = field(default_factory=list)

    @property
    def details(self) -> str:
        """The requests sent, one a line (the first few), for a notification."""
        lines = [str(r) for r in self.sent[:4]]
        if len(self.sent) > 4:
            lines.append(f"… and {len(self.sent) - 4} more requests")
        return "\n".join(lines) if lines else "nothing was sent"


def _is_secret(path: str, body: Any) -> bool:
    parts = path.split("?")[0].split("/")
    return "secrets" in parts or (isinstance(body, dict) and body.get("kind") == "Secret")


def _shown_body(path: str, body: Any) -> Any:
    """A request body as a notification may show it: a Secret's values masked (an object
    or a merge patch: `mask_secret`; a JSON patch: every value)."""
    if not _is_secret(path, body):
        return body
    if isinstance(body, dict):
        return mask_secret(body)
    if isinstance(body, list):
        return [{**op, "value": MASK} if isinstance(op, dict) and "value" in op else op
                for op in body]
    return MASK


def explain(error: ClusterError, ref: Ref | None = None) -> str:
    """A server error in words a person can act on."""
    what = ref.where if ref else "the object"
    if error.status == 404:
        return f"{what} no longer exists: someone else deleted it ({error})"
    if error.status == 409 and error.reason == "Conflict":
        return (f"{what} was changed by someone else since it was read; nothing was "
                f"changed ({error})")
    if error.status == 422:
        return f"the server refused the change as invalid: {error}"
    return str(error)


class _Run:
    """One action's requests, recorded as they are sent."""

    def __init__(self, client: ClusterClient) -> None:
        self.client = client
        self.sent: list[Request] = []
        self.failed: Result | None = None  # set when a ClusterError ended the action

    @property
    def failure(self) -> Result:
        assert self.failed is not None, "the action returned no result"
        return self.failed

    async def send(self, method: str, path: str, body: Any = None,
                   content_type: str = "application/json",
                   query: dict[str, str] | None = None) -> Obj:
        if method != "GET":
            self.sent.append(Request(method, path, body, content_type if body is not None
                                     else "", tuple((query or {}).items())))
        return await self.client.request(method, path, body, content_type=content_type,
                                         query=query)

    def result(self, ok: bool, message: str) -> Result:
        return Result(ok, message, list(self.sent))


# ----- permissions -----------------------------------------------------------------------

@dataclass(frozen=True)
class Access:
    """One thing an action needs to be allowed to do."""

    verb: str
    kind: Kind
    namespace: str = ""  # "" for cluster-scoped kinds, or every namespace
    name: str = ""
    subresource: str = ""

    def __str__(self) -> str:
        resource = self.kind.resource + (f"/{self.subresource}" if self.subresource else "")
        text = f"{self.verb} {resource}" + (f' "{self.name}"' if self.name else "")
        if self.kind.namespaced:
            text += f' in namespace "{self.namespace}"' if self.namespace else \
                " in every namespace"
        return text


# ----- the actions -----------------------------------------------------------------------

@dataclass(frozen=True)
class Container:
    name: str
    image: str
    init: bool = False


@dataclass(frozen=True)
class Rollout:
    """A Deployment's rollout as one snapshot: the object, its ReplicaSets and history."""

    deployment: Obj
    replica_sets: list[Obj]  # owned, newest revision last
    history: list[Revision]
    status: RolloutStatus
    bounds: tuple[int, int] | None  # (maxSurge, maxUnavailable); None: Recreate
    current: Revision | None


@dataclass
class ApplyItem:
    ref: Ref
    outcome: str  # "created", "configured", "unchanged" (what the dry run says)
    diff: str  # live vs dry-run result, YAML unified diff ("" when created/unchanged)
    doc: Obj


@dataclass
class ApplyPlan:
    """The server-side dry run of a file, to show before the real request."""

    items: list[ApplyItem]
    result: Result  # the dry run's own result (ok False: nothing can be applied)

    @property
    def creates(self) -> list[Ref]:
        return [item.ref for item in self.items if item.outcome == "created"]

    @property
    def summary(self) -> str:
        return "\n".join(f"{item.ref} {item.outcome} (server dry run)"
                         for item in self.items)


class EditorFailed(Exception):
    """The editor could not run or exited with an error; the message says why."""


Editor = Callable[[str], Awaitable[str]]

EDIT_HEADER = (
    "# Please edit the object below. Lines beginning with a '#' will be ignored,\n"
    "# and an empty file will abort the edit. If an error occurs while saving this file "
    "will be\n# reopened with the relevant failures.\n#\n")


class Actions:
    """Cluster actions on one client; see the module docstring."""

    def __init__(self, client: ClusterClient) -> None:
        self.client = client

    @contextlib.asynccontextmanager
    async def _run(self, ref: Ref | None) -> AsyncIterator[_Run]:
        """A run whose ClusterErrors (and kubectl's refusals) become `run.failure`."""
        run = _Run(self.client)
        try:
            yield run
        except ClusterError as e:
            run.failed = run.result(False, explain(e, ref))
        except RolloutError as e:
            run.failed = run.result(False, f"{ref}: {e}")

    # ----- permissions --------------------------------------------------------------

    async def can_i(self, verb: str, kind: Kind, namespace: str = "", name: str = "",
                    subresource: str = "") -> tuple[bool, str]:
        """(allowed, the server's reason) from a SelfSubjectAccessReview. When the review
        itself cannot be made, the answer is "allowed": the real request will tell."""
        attributes = {"verb": verb, "group": kind.group, "version": kind.version,
                      "resource": kind.plural, "subresource": subresource, "name": name,
                      "namespace": namespace if kind.namespaced else ""}
        body = {"apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectAccessReview",
                "spec": {"resourceAttributes": attributes}}
        try:
            review = await self.client.request(
                "POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", body)
        except ClusterError:
            return True, ""
        status = review.get("status") or {}
        return bool(status.get("allowed")), str(status.get("reason") or "")

    async def permitted(self, accesses: Iterable[Access]) -> str | None:
        """None when every access is allowed, else "you may not …" naming the first one
        refused and the server's reason."""
        wanted = list(dict.fromkeys(accesses))
        answers = await asyncio.gather(*(self.can_i(a.verb, a.kind, a.namespace, a.name,
                                                    a.subresource) for a in wanted))
        for access, (allowed, reason) in zip(wanted, answers):
            if not allowed:
                return f"you may not {access}" + (f" ({reason})" if reason else "")
        return None

    # ----- scale, restart, image ----------------------------------------------------

    async def replicas(self, ref: Ref) -> int:
        """The current count, from the /scale subresource. Raises ClusterError."""
        scale = await self.client.request("GET", ref.path("scale"))
        return int((scale.get("spec") or {}).get("replicas") or 0)

    async def scale(self, ref: Ref, replicas: int) -> Result:
        """`kubectl scale`: a merge patch of the /scale subresource."""
        async with self._run(ref) as run:
            await run.send("PATCH", ref.path("scale"), {"spec": {"replicas": replicas}},
                           MERGE_PATCH)
            return run.result(True, f"{ref} scaled to {replicas}")
        return run.failure

    async def restart(self, ref: Ref) -> Result:
        """`kubectl rollout restart`: a strategic-merge patch of the restartedAt template
        annotation, fieldManager kubectl-rollout; a paused Deployment is refused."""
        async with self._run(ref) as run:
            if ref.kind.kind == "Deployment":
                obj = await self.client.get(ref.kind, ref.namespace, ref.name)
                if (obj.get("spec") or {}).get("paused"):
                    return run.result(False, f"{ref} can't restart paused deployment (run "
                                             "rollout resume first)")
            patch = {"spec": {"template": {"metadata": {"annotations": {
                RESTARTED_AT: rfc3339_now()}}}}}
            await run.send("PATCH", ref.path(), patch, STRATEGIC_PATCH,
                           {"fieldManager": "kubectl-rollout"})
            return run.result(True, f"{ref} restarted")
        return run.failure

    async def containers(self, ref: Ref) -> list[Container]:
        """The containers of a workload's pod template (or a pod). Raises ClusterError."""
        spec = pod_spec(await self.client.get(ref.kind, ref.namespace, ref.name))
        return [*(Container(c["name"], c.get("image", ""), True)
                  for c in spec.get("initContainers") or ()),
                *(Container(c["name"], c.get("image", ""))
                  for c in spec.get("containers") or ())]

    async def set_image(self, ref: Ref, container: Container, image: str) -> Result:
        """`kubectl set image`: a strategic-merge patch of the container, merged by name."""
        field_name = "initContainers" if container.init else "containers"
        patch: Obj = {field_name: [{"name": container.name, "image": image}]}
        for key in reversed(_POD_SPEC_PATH.get(ref.kind.kind, ())):
            patch = {key: patch}
        async with self._run(ref) as run:
            await run.send("PATCH", ref.path(), patch, STRATEGIC_PATCH,
                           {"fieldManager": "kubectl-set"})
            return run.result(True, f"{ref} container {container.name} image set to {image}")
        return run.failure

    # ----- rollouts -----------------------------------------------------------------

    async def rollout(self, ref: Ref) -> Rollout:
        """The Deployment and the ReplicaSets it controls, now. Raises ClusterError."""
        deployment = await self.client.get(ref.kind, ref.namespace, ref.name)
        selector = selector_string((deployment.get("spec") or {}).get("selector")) or ""
        listed = await self.client.request(
            "GET", paths.collection_path(REPLICASET, ref.namespace),
            query={"labelSelector": selector})
        owned = owned_replica_sets(deployment, list(listed.get("items") or ()))
        history = revisions(owned)
        by_name = {r.name: r.number for r in history}
        owned.sort(key=lambda rs: by_name.get(rs["metadata"]["name"], 0))
        return Rollout(deployment, owned, history, rollout_status(deployment),
                       rolling_bounds(deployment), current_revision(deployment, history))

    async def undo(self, ref: Ref, to_revision: int = 0) -> Result:
        """`kubectl rollout undo [--to-revision=N]`."""
        async with self._run(ref) as run:
            state = await self.rollout(ref)
            target = undo_target(state.deployment, state.history, to_revision)
            patch = undo_patch(state.deployment, target)
            if patch is None:
                return run.result(True, f"{ref} skipped rollback (current template already "
                                        f"matches revision {target.number})")
            await run.send("PATCH", ref.path(), patch, JSON_PATCH)
            return run.result(True, f"{ref} rolled back to revision {target.number}")
        return run.failure

    async def set_paused(self, ref: Ref, paused: bool) -> Result:
        """`kubectl rollout pause` / `resume`: strategic merge of spec.paused."""
        async with self._run(ref) as run:
            obj = await self.client.get(ref.kind, ref.namespace, ref.name)
            if bool((obj.get("spec") or {}).get("paused")) == paused:
                return run.result(False, f"{ref} is {'already' if paused else 'not'} paused")
            await run.send("PATCH", ref.path(), {"spec": {"paused": True if paused else None}},
                           STRATEGIC_PATCH, {"fieldManager": "kubectl-rollout"})
            return run.result(True, f"{ref} {'paused' if paused else 'resumed'}")
        return run.failure

    # ----- delete ---------------------------------------------------------------------

    async def delete(self, refs: Sequence[Ref], kill: bool = False) -> Result:
        """`kubectl delete` (propagationPolicy Background) of each; `kill` adds
        gracePeriodSeconds 0 (`--grace-period=0 --force`). One failure does not stop the
        others."""
        body: Obj = {"propagationPolicy": "Background"}
        if kill:
            body["gracePeriodSeconds"] = 0
        run = _Run(self.client)
        done: list[str] = []
        problems: list[str] = []
        for ref in refs:
            try:
                await run.send("DELETE", ref.path(), body)
                done.append(str(ref))
            except ClusterError as e:
                problems.append(explain(e, ref))
        verb = "killed" if kill else "deleted"
        message = f"{verb} {', '.join(done)}" if done else f"nothing was {verb}"
        if problems:
            message += "; " + "; ".join(problems)
        return run.result(not problems, message)

    # ----- nodes ----------------------------------------------------------------------

    async def cordon(self, ref: Ref, unschedulable: bool = True) -> Result:
        """`kubectl cordon` / `uncordon`: strategic merge of spec.unschedulable."""
        async with self._run(ref) as run:
            node = await self.client.get(ref.kind, "", ref.name)
            if bool((node.get("spec") or {}).get("unschedulable")) == unschedulable:
                return run.result(True, f"{ref} already "
                                        f"{'cordoned' if unschedulable else 'uncordoned'}")
            await run.send("PATCH", ref.path(),
                           {"spec": {"unschedulable": True if unschedulable else None}},
                           STRATEGIC_PATCH)
            return run.result(True, f"{ref} {'cordoned' if unschedulable else 'uncordoned'}")
        return run.failure

    async def drain(self, ref: Ref, timeout: float = 120.0, retry_interval: float = 5.0,
                    poll_interval: float = 1.0, force: bool = False,
                    delete_emptydir_data: bool = False,
                    progress: Callable[[str], None] | None = None) -> Result:
        """`kubectl drain --ignore-daemonsets`: cordon, then evict every pod on the node
        except DaemonSet-owned and mirror pods, retrying every `retry_interval` while a
        PodDisruptionBudget refuses (429), and wait until the evicted pods are gone. Gives
        up after `timeout` seconds, leaving the node cordoned. As kubectl, pods without a
        controller (unless `force`) or with emptyDir volumes (unless
        `delete_emptydir_data`) stop the drain before any eviction."""
        say = progress or (lambda _: None)
        cordoned = await self.cordon(ref)
        run = _Run(self.client)
        run.sent.extend(cordoned.sent)
        if not cordoned.ok:
            return cordoned
        try:
            listed = await self.client.request(
                "GET", paths.collection_path(POD), query={
                    "fieldSelector": f"spec.nodeName={ref.name}"})
        except ClusterError as e:
            return run.result(False, explain(e, ref))
        pods = [p for p in listed.get("items") or () if not _daemon_or_mirror(p)]
        skipped = len(listed.get("items") or ()) - len(pods)
        fatal = _drain_refusals(pods, force, delete_emptydir_data)
        if fatal:
            return run.result(False, f"{ref} cordoned but not drained: {fatal}")
        deadline = time.monotonic() + timeout
        say(f"evicting {len(pods)} pods from {ref}")
        outcomes = await asyncio.gather(*(
            self._evict(run, pod, deadline, retry_interval, poll_interval, say)
            for pod in pods))
        problems = [o for o in outcomes if o]
        ignored = f" (ignored {skipped} DaemonSet-managed or mirror pods)" if skipped else ""
        if problems:
            return run.result(False, f"{ref} cordoned but not drained{ignored}: "
                                     + "; ".join(problems))
        return run.result(True, f"{ref} drained: {len(pods)} pods evicted{ignored}")

    async def _evict(self, run: _Run, pod: Obj, deadline: float, retry_interval: float,
                     poll_interval: float, say: Callable[[str], None]) -> str:
        """Evict one pod and wait until it is gone; "" when done, else the problem."""
        meta = pod["metadata"]
        ns, name, uid = meta.get("namespace", ""), meta["name"], meta.get("uid")
        target = Ref(POD, ns, name)
        body = {"apiVersion": "policy/v1", "kind": "Eviction",
                "metadata": {"name": name, "namespace": ns}}
        while True:
            try:
                await run.send("POST", target.path("eviction"), body)
                break
            except ClusterError as e:
                if e.status == 404:
                    return ""
                if e.status != 429:
                    return f"evicting pod {ns}/{name} failed: {explain(e, target)}"
                if time.monotonic() + retry_interval > deadline:
                    return f"pod {ns}/{name} was not evicted before the timeout: {e}"
                say(f'error when evicting pods/"{name}" -n "{ns}" (will retry after '
                    f"{retry_interval:g}s): {e}")
                await asyncio.sleep(retry_interval)
        while time.monotonic() < deadline:
            try:
                now = await self.client.get(POD, ns, name)
            except ClusterError as e:
                if e.status == 404:
                    say(f"pod {ns}/{name} evicted")
                    return ""
                return f"waiting for pod {ns}/{name} to go failed: {e}"
            if now["metadata"].get("uid") != uid:
                return ""
            await asyncio.sleep(poll_interval)
        return f"pod {ns}/{name} was evicted but still exists at the timeout"

    # ----- apply ----------------------------------------------------------------------

    async def plan_apply(self, objects: Sequence[tuple[Ref, Obj]]) -> ApplyPlan:
        """Server-side dry run of each object (`parse_manifest`'s): what applying them
        would do, without changing anything."""
        run = _Run(self.client)
        items = []
        for ref, doc in objects:
            try:
                live = await self._find(ref)
                dry = await run.send("PATCH", ref.path(), doc, APPLY_PATCH,
                                     {"fieldManager": FIELD_MANAGER, "dryRun": "All"})
            except ClusterError as e:
                return ApplyPlan(items, run.result(False, f"{ref}: {explain(e, ref)}"))
            if live is None:
                items.append(ApplyItem(ref, "created", "", doc))
                continue
            before, after = _comparable(live), _comparable(dry)
            secret = _is_secret(ref.path(), dry)
            if secret:  # masked as a pair, so that a changed value still shows as changed
                before, after = mask_secret_pair(before, after)
            diff = yaml_diff(before, after, "live", "applied", masked=secret)
            items.append(ApplyItem(ref, "configured" if diff else "unchanged", diff, doc))
        return ApplyPlan(items, run.result(True, f"dry run of {len(items)} objects"))

    async def apply(self, plan: ApplyPlan) -> Result:
        """Server-side apply (fieldManager kubetui) of every object of a dry-run plan."""
        run = _Run(self.client)
        done: list[str] = []
        for item in plan.items:
            try:
                await run.send("PATCH", item.ref.path(), item.doc, APPLY_PATCH,
                               {"fieldManager": FIELD_MANAGER})
            except ClusterError as e:
                return run.result(False, "; ".join([*done, f"{item.ref}: "
                                                           f"{explain(e, item.ref)}"]))
            done.append(f"{item.ref} serverside-applied")
        return run.result(True, "; ".join(done))

    async def _find(self, ref: Ref) -> Obj | None:
        try:
            return await self.client.get(ref.kind, ref.namespace, ref.name)
        except ClusterError as e:
            if e.status == 404:
                return None
            raise

    # ----- edit -----------------------------------------------------------------------

    async def edit(self, ref: Ref, editor: Editor) -> Result:
        """`kubectl edit`, replacing the object (PUT) with the resourceVersion it was read
        at. A conflict (409), an invalid object (422) or invalid YAML reopens the editor
        with the person's text and the error on top; saving it unchanged gives up. No
        change (or an empty file) sends nothing."""
        async with self._run(ref) as run:
            obj = await self.client.get(ref.kind, ref.namespace, ref.name)
            original = _strip_comments(to_yaml(obj, reveal_secrets=True))
            unchanged = yaml.safe_load(original)
            text, error = original, ""
            while True:
                try:
                    edited = await editor(_with_header(text, error))
                except EditorFailed as e:
                    return run.result(False, f"edit of {ref} cancelled: {e}")
                body = _strip_comments(edited)
                if not body.strip():
                    return run.result(True, "Edit cancelled, saved file was empty.")
                if error and body == text:
                    return run.result(False, f"Edit cancelled, no valid changes were saved "
                                             f"({error.splitlines()[0]})")
                text = body
                try:
                    doc = yaml.safe_load(body)
                except yaml.YAMLError as e:
                    error = f"the file is not valid YAML: {e}"
                    continue
                if not isinstance(doc, dict):
                    error = "the file must hold one object (a mapping)"
                    continue
                if doc == unchanged:
                    return run.result(True, f"Edit cancelled, no changes made to {ref}.")
                try:
                    await run.send("PUT", ref.path(), doc)
                except ClusterError as e:
                    if e.status not in (409, 422):
                        raise
                    error = explain(e, ref)
                    if e.status == 409:
                        error += await self._conflict_hint(ref)
                    continue
                return run.result(True, f"{ref} edited")
        return run.failure


    async def _conflict_hint(self, ref: Ref) -> str:
        try:
            now = await self.client.get(ref.kind, ref.namespace, ref.name)
        except ClusterError as e:
            return f"\n{e}"
        return ("\nYour text is kept below. To write it over their change, set "
                f"metadata.resourceVersion to \"{now['metadata'].get('resourceVersion')}\"; "
                "to give up, save the file unchanged.")


def parse_manifest(text: str, kinds: Sequence[Kind], namespace: str
                   ) -> list[tuple[Ref, Obj]]:
    """The objects of a YAML file (several documents, or a List), each with its Ref;
    `namespace` for namespaced objects that name none. Raises ValueError in words."""
    docs = _documents(text)
    return [(_ref_of(doc, kinds, namespace), doc) for doc in docs]


# ----- helpers -----------------------------------------------------------------------------

#: Where a kind keeps its pod spec.
_POD_SPEC_PATH: dict[str, tuple[str, ...]] = {
    "Pod": ("spec",),
    "Deployment": ("spec", "template", "spec"), "StatefulSet": ("spec", "template", "spec"),
    "DaemonSet": ("spec", "template", "spec"), "ReplicaSet": ("spec", "template", "spec"),
    "Job": ("spec", "template", "spec"),
    "CronJob": ("spec", "jobTemplate", "spec", "template", "spec"),
}


def has_pod_spec(kind: Kind) -> bool:
    """Whether `set_image` applies to `kind` (built-in kinds with a pod template)."""
    return kind.kind in _POD_SPEC_PATH and kind.group in ("", "apps", "batch")


def pod_spec(obj: Obj) -> Obj:
    node: Any = obj
    for key in _POD_SPEC_PATH.get(obj.get("kind", ""), ()):
        node = (node or {}).get(key)
    return node or {}


def rfc3339_now() -> str:
    """Local time as Go's time.RFC3339 prints it (kubectl's restartedAt)."""
    now = datetime.now().astimezone().replace(microsecond=0)
    text = now.isoformat()
    return text[:-6] + "Z" if now.utcoffset().total_seconds() == 0 else text  # type: ignore[union-attr]


def _daemon_or_mirror(pod: Obj) -> bool:
    meta = pod["metadata"]
    if MIRROR_POD in (meta.get("annotations") or {}):
        return True
    return any(o.get("controller") and o.get("kind") == "DaemonSet"
               for o in meta.get("ownerReferences") or ())


def _drain_refusals(pods: list[Obj], force: bool, delete_emptydir_data: bool) -> str:
    """kubectl drain's fatal filters, in its words ("" when none applies). Finished pods
    are always deleted."""
    unmanaged, local = [], []
    for pod in pods:
        if (pod.get("status") or {}).get("phase") in ("Succeeded", "Failed"):
            continue
        meta = pod["metadata"]
        name = f"{meta.get('namespace', '')}/{meta['name']}"
        if not force and not any(o.get("controller") for o in
                                 meta.get("ownerReferences") or ()):
            unmanaged.append(name)
        elif not delete_emptydir_data and any(
                "emptyDir" in v for v in (pod.get("spec") or {}).get("volumes") or ()):
            local.append(name)
    problems = []
    if unmanaged:
        problems.append("cannot delete Pods that declare no controller (use --force to "
                        f"override): {', '.join(unmanaged)}")
    if local:
        problems.append("cannot delete Pods with local storage (use --delete-emptydir-data "
                        f"to override): {', '.join(local)}")
    return "; ".join(problems)


def _documents(text: str) -> list[Obj]:
    try:
        loaded = [d for d in yaml.safe_load_all(text) if d is not None]
    except yaml.YAMLError as e:
        raise ValueError(f"the file is not valid YAML: {e}") from None
    docs: list[Obj] = []
    for doc in loaded:
        if not isinstance(doc, dict):
            raise ValueError("every YAML document must be an object")
        if str(doc.get("kind", "")).endswith("List") and isinstance(doc.get("items"), list):
            docs.extend(doc["items"])
        else:
            docs.append(doc)
    if not docs:
        raise ValueError("the file holds no objects")
    return docs


def _ref_of(doc: Obj, kinds: Sequence[Kind], namespace: str) -> Ref:
    api_version, kind_name = doc.get("apiVersion"), doc.get("kind")
    name = (doc.get("metadata") or {}).get("name")
    if not api_version or not kind_name or not name:
        raise ValueError("every object needs apiVersion, kind and metadata.name")
    group, _, version = str(api_version).rpartition("/")
    kind = next((k for k in kinds if k.kind == kind_name and k.group == group and
                 (k.version == version or version in k.also_versions)), None)
    if kind is None:
        raise ValueError(f'the server has no kind "{kind_name}" in version "{api_version}"')
    ns = ""
    if kind.namespaced:
        ns = doc["metadata"].get("namespace") or namespace
        doc["metadata"]["namespace"] = ns
    return Ref(kind, ns, str(name))


_NOISE = ("resourceVersion", "managedFields", "generation")


def _comparable(obj: Obj) -> Obj:
    meta = {k: v for k, v in (obj.get("metadata") or {}).items() if k not in _NOISE}
    return {k: v for k, v in {**obj, "metadata": meta}.items() if k != "status"}


def _strip_comments(text: str) -> str:
    return "".join(line for line in text.splitlines(keepends=True)
                   if not line.lstrip().startswith("#"))


def _with_header(text: str, error: str) -> str:
    header = EDIT_HEADER
    if error:
        header += "".join(f"# {line}\n" for line in f"Error: {error}".splitlines()) + "#\n"
    return header + text
