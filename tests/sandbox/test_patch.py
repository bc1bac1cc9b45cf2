"""JSON, merge, strategic merge and apply patches, and that none of them mutates input."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from kubetui.sandbox.apiserver.patch import (
    apply_patch, json_patch, merge_patch, strategic_merge_patch, supports_strategic,
)
from kubetui.sandbox.apiserver.managed_fields import record_apply
from kubetui.sandbox.errors import ApiError


def deployment() -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "web", "labels": {"app": "web"}, "finalizers": ["a", "b"]},
        "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web"}}, "template": {
            "metadata": {"labels": {"app": "web"}},
            "spec": {
                "containers": [
                    {"name": "web", "image": "nginx:1.25", "args": ["-a", "-b"],
                     "env": [{"name": "A", "value": "1"}, {"name": "C", "value": "3"}],
                     "ports": [{"containerPort": 80}, {"containerPort": 443}],
                     "volumeMounts": [{"name": "data", "mountPath": "/data"}]},
                    {"name": "sidecar", "image": "busybox"},
                    {"name": "old", "image": "legacy"},
                ],
                "volumes": [{"name": "data", "emptyDir": {}}],
                "tolerations": [{"key": "x", "operator": "Exists"}],
            }}},
        "status": {"conditions": [{"type": "Available", "status": "True"},
                                  {"type": "Progressing", "status": "True"}]},
    }


def pod_spec(obj: dict[str, Any]) -> dict[str, Any]:
    return obj["spec"]["template"]["spec"]


# ----- JSON patch --------------------------------------------------------------------


def test_json_patch_operations() -> None:
    doc = {"a": {"b": 1, "c/d": 2, "e~f": 3}, "list": [1, 2, 3]}
    out = json_patch(doc, [
        {"op": "add", "path": "/a/new", "value": {"x": 1}},
        {"op": "add", "path": "/list/-", "value": 4},
        {"op": "add", "path": "/list/0", "value": 0},
        {"op": "remove", "path": "/a/c~1d"},
        {"op": "replace", "path": "/a/e~0f", "value": 30},
        {"op": "move", "from": "/a/b", "path": "/moved"},
        {"op": "copy", "from": "/a/new", "path": "/copied"},
        {"op": "test", "path": "/list/4", "value": 4},
    ])
    assert out == {"a": {"e~f": 30, "new": {"x": 1}}, "list": [0, 1, 2, 3, 4],
                   "moved": 1, "copied": {"x": 1}}
    out["copied"]["x"] = 99
    assert out["a"]["new"] == {"x": 1}  # copy is deep
    assert doc == {"a": {"b": 1, "c/d": 2, "e~f": 3}, "list": [1, 2, 3]}


def test_json_patch_rollout_undo_shape() -> None:
    dep = deployment()
    template = {"metadata": {"labels": {"app": "web"}},
                "spec": {"containers": [{"name": "web", "image": "nginx:1.24"}]}}
    out = json_patch(dep, [{"op": "replace", "path": "/spec/template", "value": template}])
    assert out["spec"]["template"] == template
    assert dep["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1.25"


@pytest.mark.parametrize("ops", [
    [{"op": "test", "path": "/spec/replicas", "value": 3}],
    [{"op": "test", "path": "/spec/replicas", "value": True}],
    [{"op": "remove", "path": "/spec/nope"}],
    [{"op": "replace", "path": "/spec/nope", "value": 1}],
    [{"op": "add", "path": "/missing/child", "value": 1}],
    [{"op": "add", "path": "/spec/template/spec/containers/9", "value": {}}],
    [{"op": "add", "path": "/spec/template/spec/containers/01", "value": {}}],
    [{"op": "move", "from": "/spec", "path": "/spec/inner"}],
    [{"op": "frobnicate", "path": "/spec"}],
    [{"op": "add", "value": 1}],
    [{"op": "add", "path": "spec"}],
])
def test_json_patch_that_does_not_apply_is_422(ops: list[dict[str, Any]]) -> None:
    with pytest.raises(ApiError) as e:
        json_patch(deployment(), ops)
    assert e.value.code == 422
    assert e.value.reason == "Invalid"


@pytest.mark.parametrize("ops", [{"op": "add"}, ["not an object"], "x"])
def test_json_patch_malformed_body_is_400(ops: Any) -> None:
    with pytest.raises(ApiError) as e:
        json_patch(deployment(), ops)
    assert e.value.code == 400


def test_json_patch_numbers_compare_as_json() -> None:
    assert json_patch({"n": 1}, [{"op": "test", "path": "/n", "value": 1.0}]) == {"n": 1}


# ----- merge patch -------------------------------------------------------------------


def test_merge_patch_rfc7386() -> None:
    dep = deployment()
    before = copy.deepcopy(dep)
    out = merge_patch(dep, {"spec": {"replicas": 5, "template": {"spec": {
        "containers": [{"name": "only"}]}}}, "metadata": {"labels": {"app": None, "x": "y"}}})
    assert out["spec"]["replicas"] == 5
    assert pod_spec(out)["containers"] == [{"name": "only"}]  # lists replace
    assert out["metadata"]["labels"] == {"x": "y"}
    assert out["spec"]["selector"] == before["spec"]["selector"]
    assert dep == before


def test_merge_patch_scale_shape() -> None:
    scale = {"kind": "Scale", "spec": {"replicas": 2}, "status": {"replicas": 2}}
    assert merge_patch(scale, {"spec": {"replicas": 7}})["spec"] == {"replicas": 7}


# ----- strategic merge patch ---------------------------------------------------------


def test_kubectl_apply_shaped_patch_with_set_element_order() -> None:
    dep = deployment()
    before = copy.deepcopy(dep)
    patch = {"spec": {"template": {"spec": {
        "$setElementOrder/containers": [{"name": "web"}, {"name": "sidecar"}],
        "containers": [
            {"$setElementOrder/env": [{"name": "A"}, {"name": "B"}, {"name": "C"}],
             "env": [{"name": "B", "value": "2"}], "image": "nginx:1.26", "name": "web"},
            {"$patch": "delete", "name": "old"}],
    }}}}
    out = strategic_merge_patch(dep, patch, "Deployment")
    containers = pod_spec(out)["containers"]
    assert [c["name"] for c in containers] == ["web", "sidecar"]
    assert containers[0]["image"] == "nginx:1.26"
    assert [e["name"] for e in containers[0]["env"]] == ["A", "B", "C"]
    assert containers[0]["env"][1] == {"name": "B", "value": "2"}
    assert containers[0]["ports"] == before["spec"]["template"]["spec"]["containers"][0]["ports"]
    assert not any("$" in k for c in containers for k in c)
    assert dep == before


def test_set_element_order_reorders_and_keeps_server_only_items() -> None:
    obj = {"spec": {"containers": [{"name": "a"}, {"name": "b"}, {"name": "c"}]}}
    patch = {"spec": {"$setElementOrder/containers": [{"name": "c"}, {"name": "a"}],
                      "containers": [{"name": "c", "image": "x"}]}}
    out = strategic_merge_patch(obj, patch, "Pod")
    names = [c["name"] for c in out["spec"]["containers"]]
    assert names.index("c") < names.index("a")
    assert set(names) == {"a", "b", "c"}
    assert out["spec"]["containers"][names.index("c")]["image"] == "x"


def test_delete_container_directive() -> None:
    out = strategic_merge_patch(deployment(), {"spec": {"template": {"spec": {
        "containers": [{"name": "sidecar", "$patch": "delete"}]}}}}, "Deployment")
    assert [c["name"] for c in pod_spec(out)["containers"]] == ["web", "old"]


def test_new_container_goes_first_as_on_the_real_server() -> None:
    out = strategic_merge_patch(deployment(), {"spec": {"template": {"spec": {
        "containers": [{"name": "new", "image": "y"}]}}}}, "Deployment")
    assert [c["name"] for c in pod_spec(out)["containers"]] == ["new", "web", "sidecar", "old"]


def test_restarted_at_annotation_patch() -> None:
    dep = deployment()
    patch = {"spec": {"template": {"metadata": {"annotations": {
        "kubectl.kubernetes.io/restartedAt": "2024-05-01T10:00:00Z"}}}}}
    out = strategic_merge_patch(dep, patch, "Deployment")
    meta = out["spec"]["template"]["metadata"]
    assert meta["annotations"] == {"kubectl.kubernetes.io/restartedAt": "2024-05-01T10:00:00Z"}
    assert meta["labels"] == {"app": "web"}
    assert pod_spec(out) == pod_spec(dep)
    assert "annotations" not in dep["spec"]["template"]["metadata"]


def test_merge_keys_of_nested_lists() -> None:
    patch = {"spec": {"template": {"spec": {
        "containers": [{"name": "web",
                        "ports": [{"containerPort": 443, "name": "https"}],
                        "volumeMounts": [{"mountPath": "/data", "readOnly": True}],
                        "args": ["-z"]}],
        "volumes": [{"name": "cache", "emptyDir": {}}],
        "tolerations": [{"key": "y", "operator": "Exists"}],
    }}}}
    out = strategic_merge_patch(deployment(), patch, "Deployment")
    web = pod_spec(out)["containers"][0]
    assert {p["containerPort"]: p.get("name") for p in web["ports"]} == {80: None, 443: "https"}
    assert web["volumeMounts"] == [{"name": "data", "mountPath": "/data", "readOnly": True}]
    assert web["args"] == ["-z"]  # no merge key: replaced
    assert sorted(v["name"] for v in pod_spec(out)["volumes"]) == ["cache", "data"]
    assert pod_spec(out)["tolerations"] == [{"key": "y", "operator": "Exists"}]


def test_service_ports_merge_by_port_and_cronjob_template_path() -> None:
    svc = {"spec": {"ports": [{"port": 80, "targetPort": 8080}, {"port": 443}]}}
    out = strategic_merge_patch(svc, {"spec": {"ports": [{"port": 80, "targetPort": 9090}]}},
                                "Service")
    assert {p["port"]: p.get("targetPort") for p in out["spec"]["ports"]} == \
        {80: 9090, 443: None}
    cj = {"spec": {"jobTemplate": {"spec": {"template": {"spec": {"containers": [
        {"name": "a", "image": "1"}, {"name": "b", "image": "2"}]}}}}}}
    out = strategic_merge_patch(cj, {"spec": {"jobTemplate": {"spec": {"template": {"spec": {
        "containers": [{"name": "b", "image": "3"}]}}}}}}, "CronJob")
    images = {c["name"]: c["image"]
              for c in out["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"]}
    assert images == {"a": "1", "b": "3"}


def test_status_conditions_merge_by_type() -> None:
    out = strategic_merge_patch(deployment(), {"status": {"conditions": [
        {"type": "Progressing", "status": "False"}]}}, "Deployment")
    assert {c["type"]: c["status"] for c in out["status"]["conditions"]} == \
        {"Available": "True", "Progressing": "False"}


def test_owner_references_and_finalizers() -> None:
    obj = {"metadata": {"ownerReferences": [{"uid": "1", "name": "a"}], "finalizers": ["a"]}}
    out = strategic_merge_patch(obj, {"metadata": {
        "ownerReferences": [{"uid": "2", "name": "b"}], "finalizers": ["b", "a"]}}, "Pod")
    assert sorted(r["uid"] for r in out["metadata"]["ownerReferences"]) == ["1", "2"]
    assert sorted(out["metadata"]["finalizers"]) == ["a", "b"]


def test_delete_from_primitive_list_and_null() -> None:
    out = strategic_merge_patch(deployment(), {"metadata": {
        "$deleteFromPrimitiveList/finalizers": ["a"], "labels": {"app": None}},
        "spec": {"replicas": None}}, "Deployment")
    assert out["metadata"]["finalizers"] == ["b"]
    assert out["metadata"]["labels"] == {}
    assert "replicas" not in out["spec"]


def test_replace_directives() -> None:
    dep = deployment()
    out = strategic_merge_patch(dep, {"spec": {"template": {"spec": {"containers": [
        {"$patch": "replace"}, {"name": "solo", "image": "z"}]}}}}, "Deployment")
    assert pod_spec(out)["containers"] == [{"name": "solo", "image": "z"}]
    out = strategic_merge_patch(dep, {"spec": {"selector": {
        "$patch": "replace", "matchLabels": {"tier": "x"}}}}, "Deployment")
    assert out["spec"]["selector"] == {"matchLabels": {"tier": "x"}}


def test_retain_keys() -> None:
    dep = deployment()
    dep["spec"]["strategy"] = {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1}}
    out = strategic_merge_patch(dep, {"spec": {"strategy": {
        "$retainKeys": ["type"], "type": "Recreate"}}}, "Deployment")
    assert out["spec"]["strategy"] == {"type": "Recreate"}
    with pytest.raises(ApiError) as e:
        strategic_merge_patch(dep, {"spec": {"strategy": {
            "$retainKeys": ["type"], "rollingUpdate": {}}}}, "Deployment")
    assert e.value.code == 400


def test_strategic_errors() -> None:
    with pytest.raises(ApiError) as e:
        strategic_merge_patch(deployment(), {"spec": {"template": {"spec": {
            "containers": [{"image": "no-name"}]}}}}, "Deployment")
    assert "does not contain declared merge key: name" in e.value.message
    with pytest.raises(ApiError) as e:
        strategic_merge_patch(deployment(), [], "Deployment")  # type: ignore[arg-type]
    assert e.value.code == 400
    with pytest.raises(ApiError) as e:
        strategic_merge_patch(deployment(), {"spec": {"$patch": "bogus"}}, "Deployment")
    assert e.value.code == 400


def test_supports_strategic() -> None:
    assert supports_strategic("Deployment")
    assert supports_strategic("ConfigMap")
    assert not supports_strategic("Widget")


def test_custom_kind_merges_maps_and_replaces_lists() -> None:
    obj = {"spec": {"items": [{"name": "a"}], "size": 1, "nested": {"x": 1}}}
    out = strategic_merge_patch(obj, {"spec": {"items": [{"name": "b"}], "nested": {"y": 2}}},
                                "Widget")
    assert out["spec"] == {"items": [{"name": "b"}], "size": 1, "nested": {"x": 1, "y": 2}}


# ----- server-side apply -------------------------------------------------------------


def test_apply_creates_and_records_manager() -> None:
    applied = {"apiVersion": "v1", "kind": "ConfigMap",
               "metadata": {"name": "cm", "labels": {"a": "b"}}, "data": {"k": "v"}}
    out = apply_patch(None, applied, "ConfigMap")
    record_apply(None, applied, out, "kubectl", "ConfigMap", force=False)
    assert out["data"] == {"k": "v"}
    [entry] = out["metadata"]["managedFields"]
    assert entry["manager"] == "kubectl"
    assert entry["operation"] == "Apply"
    assert entry["apiVersion"] == "v1"
    assert entry["fieldsType"] == "FieldsV1"
    assert entry["fieldsV1"] == {"f:data": {"f:k": {}},
                                 "f:metadata": {"f:labels": {"f:a": {}}}}
    assert "managedFields" not in applied["metadata"]


def test_apply_merges_onto_live_by_merge_key() -> None:
    live = deployment()
    live["metadata"]["managedFields"] = [
        {"manager": "kubectl", "operation": "Apply", "fieldsV1": {}},
        {"manager": "kube-controller-manager", "operation": "Update", "fieldsV1": {
            "f:metadata": {"f:annotations": {"f:deployment.kubernetes.io/revision": {}}}}}]
    before = copy.deepcopy(live)
    applied = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
               "spec": {"replicas": 3, "template": {"spec": {"containers": [
                   {"name": "web", "image": "nginx:1.27"}]}}}}
    out = apply_patch(live, applied, "Deployment")
    record_apply(live, applied, out, "kubectl", "Deployment", force=False)
    assert out["spec"]["replicas"] == 3
    containers = {c["name"]: c for c in pod_spec(out)["containers"]}
    assert containers["web"]["image"] == "nginx:1.27"
    assert containers["web"]["env"] == before["spec"]["template"]["spec"]["containers"][0]["env"]
    assert set(containers) == {"web", "sidecar", "old"}
    managers = [(m["manager"], m["operation"]) for m in out["metadata"]["managedFields"]]
    assert managers == [("kube-controller-manager", "Update"), ("kubectl", "Apply")]
    fields = out["metadata"]["managedFields"][-1]["fieldsV1"]
    assert 'k:{"name":"web"}' in fields["f:spec"]["f:template"]["f:spec"]["f:containers"]
    assert live == before
