"""`xray`: trees of related objects from listed objects (fixtures), problems marked."""

from __future__ import annotations

import pytest

from kubetui.model.xray import flatten, problems_in, xray
from tests.model.test_problems import fixture


def objects() -> dict[str, list[dict]]:
    deploy = fixture("apps", "deployment")
    rs = fixture("apps", "replicaset")
    rs["metadata"]["ownerReferences"] = [{"kind": "Deployment", "uid": deploy["metadata"]["uid"],
                                          "name": deploy["metadata"]["name"]}]
    pod = fixture("pods", "crashloop", namespace=deploy["metadata"]["namespace"])
    pod["metadata"]["ownerReferences"] = [{"kind": "ReplicaSet", "uid": rs["metadata"]["uid"],
                                           "name": rs["metadata"]["name"]}]
    pod["metadata"]["labels"] = dict(deploy["spec"]["template"]["metadata"]["labels"])
    pod["spec"]["containers"][0]["envFrom"] = [{"configMapRef": {"name": "settings"}},
                                               {"secretRef": {"name": "gone"}}]
    ns = deploy["metadata"]["namespace"]
    settings = {"kind": "ConfigMap", "metadata": {"name": "settings", "namespace": ns,
                                                  "uid": "cm-1"}}
    service = {"kind": "Service", "metadata": {"name": "web", "namespace": ns, "uid": "svc-1"},
               "spec": {"selector": dict(pod["metadata"]["labels"])}}
    hpa = fixture("autoscaling", "cpu_and_memory", namespace=ns)
    hpa["spec"]["scaleTargetRef"] = {"kind": "Deployment", "name": deploy["metadata"]["name"]}
    return {"Deployment": [deploy], "ReplicaSet": [rs], "Pod": [pod], "ConfigMap": [settings],
            "Service": [service], "HorizontalPodAutoscaler": [hpa],
            "Node": [fixture("nodes", "worker", name=pod["spec"]["nodeName"])]}


def test_a_deployment_tree_holds_what_it_runs_and_uses() -> None:
    [tree] = xray("Deployment", objects())
    lines = [(prefix, node.kind, node.name) for prefix, node, _ in flatten([tree])]
    kinds = [kind for _, kind, _ in lines]
    assert kinds[:3] == ["Deployment", "ReplicaSet", "Pod"]
    assert {"Container", "ConfigMap", "Secret", "ServiceAccount", "Node", "Service",
            "HorizontalPodAutoscaler"} <= set(kinds)
    assert lines[1][0] == "├─ " and lines[-1][0] == "└─ "  # HPA, the last child
    unhealthy = {(n.kind, n.problem.reason) for n in problems_in(tree)}
    assert ("Pod", "CrashLoopBackOff") in unhealthy
    assert ("Secret", "Missing") in unhealthy  # referenced, not there
    assert ("ServiceAccount", "Missing") in unhealthy  # `default` was not listed
    assert not any(kind == "ConfigMap" for kind, _ in unhealthy)


def test_a_service_tree_holds_the_pods_it_selects_and_keys_are_paths() -> None:
    [tree] = xray("Service", objects())
    assert [c.kind for c in tree.children] == ["Pod"]
    keys = [key for _, _, key in flatten([tree])]
    assert len(keys) == len(set(keys)) and keys[1].startswith(keys[0] + "/")


def test_xray_refuses_kinds_without_a_tree() -> None:
    with pytest.raises(ValueError, match="xray shows Deployment"):
        xray("ConfigMap", objects())
