"""OpenAPI v3 documents: what kubectl 1.32 looks up in them before create, apply and explain."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from kubetui.kinds import BUILTIN_KINDS, Kind, builtin
from kubetui.sandbox.apiserver.discovery import group_versions, kinds_from_crd
from kubetui.sandbox.apiserver.openapi import (
    document_hash,
    openapi_group_version,
    openapi_root,
    schema_name,
)

METHODS = ("get", "put", "post", "delete", "patch")
SMP = "application/strategic-merge-patch+json"
ALL_GVS = group_versions(BUILTIN_KINDS)
#: A cluster-scoped custom resource with a scale subresource.
WIDGET_CRD: dict[str, Any] = {"spec": {
    "group": "widgets.example.com", "scope": "Cluster",
    "names": {"kind": "Widget", "plural": "widgets"},
    "versions": [{"name": "v1", "served": True, "storage": True,
                  "subresources": {"scale": {"specReplicasPath": ".spec.replicas",
                                             "statusReplicasPath": ".status.replicas"}}}],
}}


def document(kinds: Any, group: str, version: str) -> dict[str, Any]:
    doc = openapi_group_version(kinds, group, version)
    assert doc is not None
    return doc


def operations(doc: dict[str, Any], method: str) -> Iterator[tuple[str, dict[str, Any]]]:
    for path, item in doc["paths"].items():
        if method in item:
            yield path, item[method]


def patch_for(doc: dict[str, Any], kind: Kind, version: str) -> list[dict[str, Any]]:
    """PATCH operations kubectl would match for this kind (query_param_verifier_v3.go)."""
    gvk = {"group": kind.group, "version": version, "kind": kind.kind}
    return [op for _, op in operations(doc, "patch")
            if op["x-kubernetes-group-version-kind"] == gvk]


def refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):  # (CRDs have a property "$ref")
                yield value
            else:
                yield from refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from refs(value)


def test_root_points_at_every_group_version_with_its_hash() -> None:
    root = openapi_root(BUILTIN_KINDS)
    assert set(root["paths"]) == {f"apis/{g}/{v}" if g else f"api/{v}" for g, v in ALL_GVS}
    for group, version in ALL_GVS:
        path = f"apis/{group}/{version}" if group else f"api/{version}"
        url = root["paths"][path]["serverRelativeURL"]
        doc = document(BUILTIN_KINDS, group, version)
        assert url == f"/openapi/v3/{path}?hash={document_hash(doc)}"


def test_hash_changes_only_for_the_group_version_that_changed() -> None:
    before = openapi_root(BUILTIN_KINDS)["paths"]
    widget = Kind("Widget", "apps", "v1", "widgets", "widget", True)
    after = openapi_root([*BUILTIN_KINDS, widget])["paths"]
    assert after["apis/apps/v1"] != before["apis/apps/v1"]
    assert after["api/v1"] == before["api/v1"]


def test_unknown_group_version_is_none() -> None:
    assert openapi_group_version(BUILTIN_KINDS, "apps", "v2") is None
    assert openapi_group_version(BUILTIN_KINDS, "example.com", "v1") is None


@pytest.mark.parametrize(("group", "version"), ALL_GVS)
def test_every_patch_carries_a_gvk_and_field_validation(group: str, version: str) -> None:
    """kubectl takes the first PATCH with the kind's GVK, in map order: all must qualify."""
    doc = document(BUILTIN_KINDS, group, version)
    for path, op in operations(doc, "patch"):
        gvk = op["x-kubernetes-group-version-kind"]
        assert isinstance(gvk, dict) and set(gvk) == {"group", "version", "kind"}, path
        assert {"name": "fieldValidation", "in": "query"}.items() <= next(
            p for p in op["parameters"] if p["name"] == "fieldValidation").items(), path


@pytest.mark.parametrize("kind", [k for k in BUILTIN_KINDS if "patch" in k.verbs],
                         ids=lambda k: f"{k.group or 'core'}.{k.plural}")
def test_every_patchable_builtin_kind_has_a_patch_operation(kind: Kind) -> None:
    for version in (kind.version, *kind.also_versions):
        assert patch_for(document(BUILTIN_KINDS, kind.group, version), kind, version)


def test_patch_bodies_offer_no_strategic_merge_patch() -> None:
    """So kubectl computes apply patches from its compiled-in types (patcher.go)."""
    for group, version in ALL_GVS:
        for _, op in operations(document(BUILTIN_KINDS, group, version), "patch"):
            content = op["requestBody"]["content"]
            assert SMP not in content
            assert {"application/apply-patch+yaml", "application/merge-patch+json",
                    "application/json-patch+json"} <= set(content)


def test_writes_accept_field_manager_and_field_validation() -> None:
    doc = document(BUILTIN_KINDS, "apps", "v1")
    for method in ("post", "put", "patch"):
        for path, op in operations(doc, method):
            names = {p["name"] for p in op["parameters"]}
            assert {"fieldManager", "fieldValidation", "dryRun"} <= names, path


@pytest.mark.parametrize("kind", BUILTIN_KINDS, ids=lambda k: f"{k.group or 'core'}.{k.plural}")
def test_every_builtin_kind_has_a_component_schema(kind: Kind) -> None:
    """kubectl explain finds the schema by its GVK list, not by its name."""
    doc = document(BUILTIN_KINDS, kind.group, kind.version)
    gvk = {"group": kind.group, "version": kind.version, "kind": kind.kind}
    matches = [s for s in doc["components"]["schemas"].values()
               if gvk in s.get("x-kubernetes-group-version-kind", [])]
    assert len(matches) == 1
    props = matches[0]["properties"]
    assert {"apiVersion", "kind", "metadata"} <= set(props)
    # A full schema: unknown fields are not preserved, and every $ref resolves.
    assert "x-kubernetes-preserve-unknown-fields" not in matches[0]
    names = set(doc["components"]["schemas"])
    assert {r.removeprefix("#/components/schemas/") for r in refs(doc)} <= names


def test_top_level_fields_follow_the_kind() -> None:
    def props(kind: Kind) -> dict[str, Any]:
        doc = document(BUILTIN_KINDS, kind.group, kind.version)
        return doc["components"]["schemas"][schema_name(kind.group, kind.version,
                                                        kind.kind)]["properties"]

    assert {"spec", "status"} <= set(props(builtin("Deployment")))
    configmap = props(builtin("ConfigMap"))
    assert "spec" not in configmap
    assert configmap["data"]["additionalProperties"] == {"type": "string"}
    assert configmap["immutable"]["type"] == "boolean"
    assert {"rules"} <= set(props(builtin("Role")))
    assert "involvedObject" in props(builtin("Event", ""))
    assert "regarding" in props(builtin("Event", "events.k8s.io"))


def test_scale_subresource_is_an_autoscaling_v1_scale() -> None:
    doc = document(BUILTIN_KINDS, "apps", "v1")
    path = doc["paths"]["/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale"]
    scale_gvk = {"group": "autoscaling", "version": "v1", "kind": "Scale"}
    assert path["patch"]["x-kubernetes-group-version-kind"] == scale_gvk
    assert path["get"]["x-kubernetes-group-version-kind"] == scale_gvk
    schema = doc["components"]["schemas"]["io.k8s.api.autoscaling.v1.Scale"]
    assert schema["x-kubernetes-group-version-kind"] == [scale_gvk]
    status = doc["paths"]["/apis/apps/v1/namespaces/{namespace}/deployments/{name}/status"]
    assert status["patch"]["x-kubernetes-group-version-kind"]["kind"] == "Deployment"


def test_paths_follow_scope_and_verbs() -> None:
    core = document(BUILTIN_KINDS, "", "v1")["paths"]
    pods = core["/api/v1/namespaces/{namespace}/pods/{name}"]
    assert set(pods) >= {"get", "put", "patch", "delete", "parameters"}
    assert core["/api/v1/pods"]["get"]["operationId"] == "listCoreV1PodForAllNamespaces"
    assert "/api/v1/nodes/{name}" in core and "/api/v1/namespaces/{namespace}/nodes" not in core
    # namespaces have no deletecollection verb
    assert "delete" not in core["/api/v1/namespaces"]
    reviews = document(BUILTIN_KINDS, "authorization.k8s.io", "v1")["paths"]
    assert set(reviews) == {
        "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews",
        "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews",
        "/apis/authorization.k8s.io/v1/subjectaccessreviews",
        "/apis/authorization.k8s.io/v1/namespaces/{namespace}/localsubjectaccessreviews"}
    assert set(reviews["/apis/authorization.k8s.io/v1/selfsubjectaccessreviews"]) == {
        "post", "parameters"}


@pytest.mark.parametrize(("group", "version"), ALL_GVS)
def test_documents_are_self_contained_openapi_3(group: str, version: str) -> None:
    doc = document(BUILTIN_KINDS, group, version)
    assert doc["openapi"].startswith("3.")
    schemas = doc["components"]["schemas"]
    for ref in refs(doc):
        assert ref.removeprefix("#/components/schemas/") in schemas, ref
    op_ids = [op["operationId"] for m in METHODS for _, op in operations(doc, m)]
    assert len(op_ids) == len(set(op_ids))
    for path, item in doc["paths"].items():
        assert path.startswith("/")
        templated = {seg[1:-1] for seg in path.split("/") if seg.startswith("{")}
        declared = {p["name"] for p in item["parameters"] if p["in"] == "path"}
        assert templated == declared, path


def test_crd_group_versions_are_served_with_merge_patch_only() -> None:
    """As for real CRDs, no strategic merge patch: kubectl apply sends a JSON merge patch."""
    (widget,) = kinds_from_crd(WIDGET_CRD)
    kinds = [*BUILTIN_KINDS, widget]
    assert "apis/widgets.example.com/v1" in openapi_root(kinds)["paths"]
    doc = document(kinds, "widgets.example.com", "v1")
    (patch,) = patch_for(doc, widget, "v1")
    assert "fieldValidation" in {p["name"] for p in patch["parameters"]}
    assert SMP not in patch["requestBody"]["content"]
    assert set(doc["paths"]) == {
        "/apis/widgets.example.com/v1/widgets",
        "/apis/widgets.example.com/v1/widgets/{name}",
        "/apis/widgets.example.com/v1/widgets/{name}/scale",
    }
    assert "com.example.widgets.v1.Widget" in doc["components"]["schemas"]
