"""`kubetui.cluster.actions` against the sandbox: each action's request and the cluster's
new state, kubectl's refusals, and server errors in words."""

from __future__ import annotations

import inspect
import re

import pytest

from kubetui.cluster.actions import (RESTARTED_AT, Container, EditorFailed, Ref,
                                     parse_manifest)
from kubetui.cluster.rollout import REVISION, revision_of, rollout_status, template_diff
from kubetui.kinds import BUILTIN_KINDS, builtin
from kubetui.model.actions import needs
from tests.fast_cluster import NODE, NODES, POD, PODS, Cluster, deploy_ref, web_and_settings
from tests.waiting import wait_for

PDBS = ("policy", "poddisruptionbudgets")


async def test_scale_patches_the_scale_subresource(cluster: Cluster) -> None:
    cluster.create_deployment(replicas=1)
    result = await cluster.actions.scale(deploy_ref(), 3)
    assert result.ok, result.message
    assert result.message == "deployment.apps/web scaled to 3"
    [sent] = result.sent
    assert (sent.method, sent.path, sent.content_type, sent.body) == (
        "PATCH", "/apis/apps/v1/namespaces/default/deployments/web/scale",
        "application/merge-patch+json", {"spec": {"replicas": 3}})
    assert cluster.deployment()["spec"]["replicas"] == 3
    assert await cluster.actions.replicas(deploy_ref()) == 3
    await wait_for(lambda: len(cluster.live_pods()) == 3)


async def test_restart_sets_restarted_at_as_kubectl_does(cluster: Cluster) -> None:
    cluster.create_deployment()
    await wait_for(cluster.rolled_out)
    result = await cluster.actions.restart(deploy_ref())
    assert result.ok, result.message
    [sent] = result.sent
    assert sent.content_type == "application/strategic-merge-patch+json"
    assert sent.query == (("fieldManager", "kubectl-rollout"),)
    stamp = cluster.deployment()["spec"]["template"]["metadata"]["annotations"][RESTARTED_AT]
    assert stamp == sent.body["spec"]["template"]["metadata"]["annotations"][RESTARTED_AT]
    managers = {m["manager"] for m in cluster.deployment()["metadata"]["managedFields"]}
    assert "kubectl-rollout" in managers
    await wait_for(lambda: len(cluster.replica_sets()) == 2 and cluster.rolled_out())


async def test_restart_of_a_paused_deployment_is_refused(cluster: Cluster) -> None:
    cluster.create_deployment(paused=True)
    result = await cluster.actions.restart(deploy_ref())
    assert not result.ok and result.sent == []
    assert "can't restart paused deployment (run rollout resume first)" in result.message
    assert RESTARTED_AT not in (cluster.deployment()["spec"]["template"]["metadata"]
                                .get("annotations") or {})


async def test_set_image_merges_the_container_by_name(cluster: Cluster) -> None:
    cluster.create_deployment()
    containers = await cluster.actions.containers(deploy_ref())
    assert containers == [Container("app", "nginx:1.25")]
    result = await cluster.actions.set_image(deploy_ref(), containers[0], "nginx:1.26")
    assert result.ok, result.message
    assert result.sent[0].body == {"spec": {"template": {"spec": {"containers": [
        {"name": "app", "image": "nginx:1.26"}]}}}}
    assert cluster.deployment()["spec"]["template"]["spec"]["containers"] == [
        {**cluster.deployment()["spec"]["template"]["spec"]["containers"][0],
         "image": "nginx:1.26"}]
    await wait_for(lambda: cluster.rolled_out() and
                   {p["spec"]["containers"][0]["image"] for p in cluster.live_pods()}
                   == {"nginx:1.26"})


async def test_rollout_history_status_diff_and_undo(cluster: Cluster) -> None:
    cluster.create_deployment()
    await wait_for(cluster.rolled_out)
    await cluster.set_image_directly("nginx:1.26", cause="upgrade to 1.26")
    await wait_for(lambda: len(cluster.replica_sets()) == 2 and cluster.rolled_out())
    await cluster.set_image_directly("nginx:1.27")
    await wait_for(lambda: len(cluster.replica_sets()) == 3 and cluster.rolled_out())

    state = await cluster.actions.rollout(deploy_ref())
    assert [(r.number, r.change_cause, r.images) for r in state.history] == [
        (1, "", ("nginx:1.25",)), (2, "upgrade to 1.26", ("nginx:1.26",)),
        (3, "upgrade to 1.26", ("nginx:1.27",))]  # the cause annotation stays on the object
    assert state.current is not None and state.current.number == 3
    assert state.status.message == 'deployment "web" successfully rolled out'
    assert state.bounds == (1, 0)  # 25% of 2: surge rounds up, unavailable down
    diff = template_diff(state.history[0], state.history[2])
    assert "-  - image: nginx:1.25" in diff and "+  - image: nginx:1.27" in diff
    assert "pod-template-hash" not in diff

    result = await cluster.actions.undo(deploy_ref())  # to the previous: revision 2
    assert result.ok, result.message
    [sent] = result.sent
    assert sent.content_type == "application/json-patch+json"
    assert [op["path"] for op in sent.body] == ["/spec/template", "/metadata/annotations"]
    assert "pod-template-hash" not in sent.body[0]["value"]["metadata"]["labels"]
    await wait_for(lambda: cluster.rolled_out() and
                   cluster.deployment()["spec"]["template"]["spec"]["containers"][0]["image"]
                   == "nginx:1.26")
    # The old ReplicaSet is reused and takes the next revision number.
    reused = next(rs for rs in cluster.replica_sets()
                  if rs["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1.26")
    await wait_for(lambda: revision_of(next(
        rs for rs in cluster.replica_sets()
        if rs["metadata"]["name"] == reused["metadata"]["name"])) == 4)

    result = await cluster.actions.undo(deploy_ref(), to_revision=1)
    assert result.ok and result.message == "deployment.apps/web rolled back to revision 1"
    await wait_for(lambda: cluster.deployment()["metadata"]["annotations"][REVISION] == "5")
    assert cluster.deployment()["spec"]["template"]["spec"]["containers"][0]["image"] == \
        "nginx:1.25"

    missing = await cluster.actions.undo(deploy_ref(), to_revision=42)
    assert not missing.ok and missing.sent == []
    assert "unable to find specified revision 42 in history" in missing.message


async def test_pause_resume_and_undo_of_a_paused_deployment(cluster: Cluster) -> None:
    cluster.create_deployment()
    await wait_for(cluster.rolled_out)
    paused = await cluster.actions.set_paused(deploy_ref(), True)
    assert paused.ok and cluster.deployment()["spec"]["paused"] is True
    again = await cluster.actions.set_paused(deploy_ref(), True)
    assert not again.ok and again.sent == [] and "already paused" in again.message
    undo = await cluster.actions.undo(deploy_ref())
    assert not undo.ok and "you cannot rollback a paused deployment" in undo.message
    resumed = await cluster.actions.set_paused(deploy_ref(), False)
    assert resumed.ok and resumed.sent[0].body == {"spec": {"paused": None}}
    assert not cluster.deployment()["spec"].get("paused")


async def test_rollout_status_follows_kubectl_to_progress_deadline(cluster: Cluster) -> None:
    cluster.create_deployment(progressDeadlineSeconds=1)
    await wait_for(cluster.rolled_out)
    await cluster.set_image_directly("app:never-ready")
    state = await wait_for(lambda: _failed(cluster), timeout=10)
    assert state.message == 'error: deployment "web" exceeded its progress deadline'


def _failed(cluster: Cluster):  # noqa: ANN202
    status = rollout_status(cluster.deployment())
    return status if status.failed else None


async def test_delete_and_kill(cluster: Cluster) -> None:
    for name in ("a", "b", "c"):
        await cluster.client.request("POST", "/api/v1/namespaces/default/pods", {
            "metadata": {"name": name}, "spec": {"containers": [{"name": "c",
                                                                  "image": "busybox"}]}})
    refs = [Ref(POD, "default", n) for n in ("a", "b")]
    result = await cluster.actions.delete(refs, kill=True)
    assert result.ok, result.message
    assert [r.body for r in result.sent] == [
        {"propagationPolicy": "Background", "gracePeriodSeconds": 0}] * 2
    await wait_for(lambda: {p["metadata"]["name"] for p in cluster.store.iter(PODS)} == {"c"})

    result = await cluster.actions.delete([Ref(POD, "default", "c"),
                                           Ref(POD, "default", "a")])
    assert not result.ok
    assert result.sent[0].body == {"propagationPolicy": "Background"}
    assert "pod/a in namespace \"default\" no longer exists: someone else deleted it" in \
        result.message


async def test_cordon_uncordon(cluster: Cluster) -> None:
    node = Ref(NODE, "", "node-1")
    result = await cluster.actions.cordon(node)
    assert result.ok and result.message == "node/node-1 cordoned"
    assert cluster.store.get(NODES, "", "node-1")["spec"]["unschedulable"] is True
    result = await cluster.actions.cordon(node, False)
    assert result.ok and result.sent[0].body == {"spec": {"unschedulable": None}}
    assert not cluster.store.get(NODES, "", "node-1")["spec"].get("unschedulable")


async def test_drain_evicts_respecting_the_disruption_budget(cluster: Cluster) -> None:
    cluster.create_deployment(replicas=2)
    await wait_for(cluster.rolled_out)
    await cluster.client.request("POST", "/apis/policy/v1/namespaces/default/"
                                 "poddisruptionbudgets", {
        "metadata": {"name": "web"},
        "spec": {"minAvailable": 2, "selector": {"matchLabels": {"app": "web"}}}})
    await wait_for(lambda: cluster.store.get(PDBS, "default", "web").get("status", {})
                   .get("currentHealthy") == 2)  # the disruption controller: none allowed
    said: list[str] = []
    result = await cluster.actions.drain(Ref(NODE, "", "node-1"), timeout=0.5,
                                         retry_interval=0.1, poll_interval=0.05,
                                         progress=said.append)
    assert not result.ok and "cordoned but not drained" in result.message
    assert any("will retry after 0.1s" in line for line in said)
    assert len(cluster.live_pods()) == 2  # the budget held
    assert cluster.store.get(NODES, "", "node-1")["spec"]["unschedulable"] is True

    await cluster.client.request(  # the budget is loosened: evictions go through
        "PATCH", "/apis/policy/v1/namespaces/default/poddisruptionbudgets/web",
        {"spec": {"minAvailable": 0}}, content_type="application/merge-patch+json")
    old = {p["metadata"]["uid"] for p in cluster.live_pods()}
    result = await cluster.actions.drain(Ref(NODE, "", "node-1"), timeout=10,
                                         retry_interval=0.1, poll_interval=0.05)
    assert result.ok, result.message
    evictions = [r for r in result.sent if r.path.endswith("/eviction")]
    assert len(evictions) == 2 and evictions[0].body["kind"] == "Eviction"
    assert not old & {p["metadata"]["uid"] for p in cluster.store.iter(PODS)}


async def test_apply_dry_runs_then_applies(cluster: Cluster) -> None:
    cluster.create_deployment()
    text = web_and_settings(replicas=4)
    plan = await cluster.actions.plan_apply(parse_manifest(text, BUILTIN_KINDS, "default"))
    assert plan.result.ok, plan.result.message
    assert plan.creates == [Ref(builtin("ConfigMap"), "default", "settings")]
    assert [(str(i.ref), i.outcome) for i in plan.items] == [
        ("deployment.apps/web", "configured"), ("configmap/settings", "created")]
    assert "-  replicas: 2" in plan.items[0].diff and "+  replicas: 4" in plan.items[0].diff
    assert all(("dryRun", "All") in r.query for r in plan.result.sent)
    assert cluster.deployment()["spec"]["replicas"] == 2  # a dry run changes nothing
    assert cluster.store.find(("", "configmaps"), "default", "settings") is None

    result = await cluster.actions.apply(plan)
    assert result.ok, result.message
    assert cluster.deployment()["spec"]["replicas"] == 4
    assert cluster.store.get(("", "configmaps"), "default", "settings")["data"] == \
        {"level": "debug"}
    assert result.sent[0].content_type == "application/apply-patch+yaml"
    assert ("fieldManager", "kubetui") in result.sent[0].query


def test_a_bad_manifest_is_refused_in_words() -> None:
    for text, words in (("a: [", "not valid YAML"), ("kind: Thing\n", "apiVersion, kind"),
                        ("apiVersion: v9\nkind: Nope\nmetadata: {name: x}\n",
                         'no kind "Nope"'), ("", "no objects")):
        with pytest.raises(ValueError, match=re.escape(words)):
            parse_manifest(text, BUILTIN_KINDS, "default")


async def test_apply_rejected_by_the_server_changes_nothing(cluster: Cluster) -> None:
    cluster.create_deployment()
    objects = parse_manifest("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n"
                             "spec: {replicas: -1}\n", BUILTIN_KINDS, "default")
    plan = await cluster.actions.plan_apply(objects)
    assert not plan.result.ok
    assert plan.result.message.startswith("deployment.apps/web: the server refused the "
                                          "change as invalid")
    assert cluster.deployment()["spec"]["replicas"] == 2


def _editor(*replies: str):  # noqa: ANN202
    """An editor callback returning each reply in turn (a function of the text shown)."""
    seen: list[str] = []

    async def edit(text: str) -> str:
        seen.append(text)
        reply = replies[len(seen) - 1]
        out = reply(text) if callable(reply) else reply
        return await out if inspect.isawaitable(out) else out

    edit.seen = seen  # type: ignore[attr-defined]
    return edit


async def test_edit_puts_with_the_resource_version_it_read(cluster: Cluster) -> None:
    cluster.create_deployment(replicas=1)
    await wait_for(cluster.rolled_out)
    editor = _editor(lambda t: t.replace("replicas: 1", "replicas: 2", 1))
    read_at = cluster.deployment()["metadata"]["resourceVersion"]
    result = await cluster.actions.edit(deploy_ref(), editor)
    assert result.ok, result.message
    [sent] = result.sent
    assert sent.method == "PUT" and sent.body["metadata"]["resourceVersion"] == read_at
    assert cluster.deployment()["spec"]["replicas"] == 2
    assert editor.seen[0].startswith("# Please edit the object below.")


async def test_edit_without_change_sends_nothing(cluster: Cluster) -> None:
    cluster.create_deployment()
    result = await cluster.actions.edit(deploy_ref(), _editor(lambda t: t))
    assert result.ok and result.sent == [] and "no changes" in result.message
    result = await cluster.actions.edit(deploy_ref(), _editor(""))
    assert result.sent == [] and "empty" in result.message


async def test_edit_reopens_on_invalid_yaml_and_on_422(cluster: Cluster) -> None:
    cluster.create_deployment(replicas=1)
    await wait_for(cluster.rolled_out)
    before = cluster.deployment()["metadata"]["resourceVersion"]
    editor = _editor(lambda t: t + "\n  : : [oops\n",  # invalid YAML
                     lambda t: t.rpartition("  : : [oops")[0].replace("replicas: 1",
                                                                     "replicas: -1", 1),
                     lambda t: t)  # gives up
    result = await cluster.actions.edit(deploy_ref(), editor)
    assert not result.ok and "Edit cancelled, no valid changes were saved" in result.message
    assert "# Error: the file is not valid YAML" in editor.seen[1]
    assert "[oops" in editor.seen[1]  # the person's text is kept
    assert "invalid" in editor.seen[2] and "replicas: -1" in editor.seen[2]
    assert [r.method for r in result.sent] == ["PUT"]
    assert cluster.deployment()["metadata"]["resourceVersion"] == before


async def test_edit_conflict_reopens_with_the_current_version(cluster: Cluster) -> None:
    cluster.create_deployment(replicas=1)
    await wait_for(cluster.rolled_out)

    async def someone_else_scales(text: str) -> str:
        await cluster.client.request(
            "PATCH", "/apis/apps/v1/namespaces/default/deployments/web",
            {"metadata": {"labels": {"touched": "yes"}}},
            content_type="application/merge-patch+json")
        return text.replace("replicas: 1", "replicas: 3", 1)

    editor = _editor(someone_else_scales, lambda t: t)
    result = await cluster.actions.edit(deploy_ref(), editor)
    assert not result.ok
    assert "was changed by someone else" in editor.seen[1]
    now = cluster.deployment()["metadata"]["resourceVersion"]
    assert f'set metadata.resourceVersion to "{now}"' in editor.seen[1]
    assert "replicas: 3" in editor.seen[1]
    assert cluster.deployment()["spec"]["replicas"] == 1


async def test_editor_failure_cancels(cluster: Cluster) -> None:
    cluster.create_deployment()

    async def broken(text: str) -> str:
        raise EditorFailed("vi exited with status 1")

    result = await cluster.actions.edit(deploy_ref(), broken)
    assert not result.ok and "vi exited with status 1" in result.message


async def test_rbac_readonly_says_you_may_not(cluster: Cluster) -> None:
    cluster.create_deployment()
    cluster.running.sandbox.faults.rbac = "readonly"
    denied = await cluster.actions.permitted(needs("scale", [deploy_ref()]))
    assert denied is not None and denied.startswith(
        'you may not patch deployments.apps/scale "web" in namespace "default"')
    assert await cluster.actions.permitted([]) is None
    result = await cluster.actions.scale(deploy_ref(), 5)  # and the server agrees
    assert not result.ok and "Forbidden" in result.message
    assert cluster.deployment()["spec"]["replicas"] == 2


async def test_deleted_by_someone_else_is_said_in_words(cluster: Cluster) -> None:
    result = await cluster.actions.scale(deploy_ref("gone"), 2)
    assert not result.ok
    assert result.message.startswith('deployment.apps/gone in namespace "default" no longer '
                                     "exists: someone else deleted it")


async def test_drain_refuses_unmanaged_pods_unless_forced(cluster: Cluster) -> None:
    await cluster.client.request("POST", "/api/v1/namespaces/default/pods", {
        "metadata": {"name": "bare"},
        "spec": {"nodeName": "node-1", "containers": [{"name": "c", "image": "busybox"}]}})
    node = Ref(NODE, "", "node-1")
    result = await cluster.actions.drain(node, timeout=5, poll_interval=0.05)
    assert not result.ok
    assert "cannot delete Pods that declare no controller (use --force to override): " \
           "default/bare" in result.message
    assert not [r for r in result.sent if r.path.endswith("/eviction")]
    result = await cluster.actions.drain(node, timeout=5, poll_interval=0.05, force=True)
    assert result.ok, result.message
    assert cluster.store.find(PODS, "default", "bare") is None


def _deploy(generation: int = 2, observed: int = 2, **status: int) -> dict:
    return {"kind": "Deployment", "metadata": {"name": "web", "generation": generation},
            "spec": {"replicas": 3}, "status": {"observedGeneration": observed, **status}}


@pytest.mark.parametrize(("obj", "message", "done"), [
    (_deploy(3, 2), "Waiting for deployment spec update to be observed...", False),
    (_deploy(updatedReplicas=1, replicas=4),
     'Waiting for deployment "web" rollout to finish: 1 out of 3 new replicas have been '
     "updated...", False),
    (_deploy(updatedReplicas=3, replicas=4),
     'Waiting for deployment "web" rollout to finish: 1 old replicas are pending '
     "termination...", False),
    (_deploy(updatedReplicas=3, replicas=3, availableReplicas=2),
     'Waiting for deployment "web" rollout to finish: 2 of 3 updated replicas are '
     "available...", False),
    (_deploy(updatedReplicas=3, replicas=3, availableReplicas=3),
     'deployment "web" successfully rolled out', True),
    ({"kind": "DaemonSet", "metadata": {"name": "agent", "generation": 1},
      "spec": {}, "status": {"observedGeneration": 1, "desiredNumberScheduled": 3,
                             "updatedNumberScheduled": 3, "numberAvailable": 1}},
     'Waiting for daemon set "agent" rollout to finish: 1 of 3 updated pods are '
     "available...", False),
    ({"kind": "StatefulSet", "metadata": {"name": "db", "generation": 1},
      "spec": {"replicas": 3}, "status": {"observedGeneration": 1, "readyReplicas": 1}},
     "Waiting for 2 pods to be ready...", False),
    ({"kind": "StatefulSet", "metadata": {"name": "db", "generation": 1},
      "spec": {"replicas": 2}, "status": {"observedGeneration": 1, "readyReplicas": 2,
                                          "currentReplicas": 2, "updateRevision": "db-1",
                                          "currentRevision": "db-1"}},
     "statefulset rolling update complete 2 pods at revision db-1...", True),
])
def test_rollout_status_says_what_kubectl_says(obj: dict, message: str, done: bool) -> None:
    status = rollout_status(obj)
    assert (status.message, status.done, status.failed) == (message, done, False)
