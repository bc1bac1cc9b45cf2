"""Discovery documents: shapes kubernetes-asyncio (generated from the real API) accepts,
and the facts kubectl reads from them."""

from __future__ import annotations

import copy
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from kubernetes_asyncio.client import ApiClient

from kubetui.kinds import BUILTIN_KINDS, Kind, builtin
from kubetui.sandbox.apiserver.discovery import (
    AGGREGATED_CONTENT_TYPE,
    aggregated_content_type,
    aggregated_discovery,
    aggregated_version,
    api_group,
    api_group_list,
    api_resource_list,
    api_versions,
    group_versions,
    kinds_from_crd,
    version_priority,
    wants_aggregated,
)

KUBECTL_132_ACCEPT = ("application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,"
                      "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,"
                      "application/json")
KUBECTL_128_ACCEPT = ("application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,"
                      "application/json")

CRD: dict[str, Any] = {
    "apiVersion": "apiextensions.k8s.io/v1",
    "kind": "CustomResourceDefinition",
    "metadata": {"name": "crontabs.stable.example.com"},
    "spec": {
        "group": "stable.example.com",
        "scope": "Namespaced",
        "names": {"kind": "CronTab", "plural": "crontabs", "singular": "crontab",
                  "shortNames": ["ct"], "categories": ["all"]},
        "versions": [
            {"name": "v1beta1", "served": True, "storage": False},
            {"name": "v1", "served": True, "storage": True,
             "subresources": {"status": {}, "scale": {"specReplicasPath": ".spec.replicas",
                                                      "statusReplicasPath": ".status.replicas"}}},
            {"name": "v1alpha1", "served": False, "storage": False},
        ],
    },
}


Deserialize = Callable[[dict[str, Any], str], Any]


@pytest.fixture
async def deserialize() -> AsyncIterator[Deserialize]:
    """Builds kubernetes-asyncio models, which raise on a missing required field."""
    async with ApiClient() as api:
        yield api._ApiClient__deserialize  # type: ignore[attr-defined]


def aggregated_resource(doc: dict[str, Any], group: str, version: str,
                        plural: str) -> dict[str, Any]:
    for item in doc["items"]:
        if item["metadata"].get("name", "") != group:
            continue
        for v in item["versions"]:
            if v["version"] == version:
                return next(r for r in v["resources"] if r["resource"] == plural)
    raise AssertionError(f"{plural} not in {group}/{version}")


def legacy_entry(kinds: list[Kind] | tuple[Kind, ...], group: str, version: str,
                 name: str) -> dict[str, Any]:
    doc = api_resource_list(kinds, group, version)
    assert doc is not None
    return next(r for r in doc["resources"] if r["name"] == name)


# --- aggregated ----------------------------------------------------------------------


def without_response_kinds(doc: dict[str, Any]) -> tuple[dict[str, Any], list[Any]]:
    """kubernetes-asyncio 36.1.0 types responseKind as a model it does not ship
    (IoK8sApimachineryPkgApisMetaV1GroupVersionKind), so take those out to deserialize
    the rest, and return them to be checked by hand."""
    doc = copy.deepcopy(doc)
    kinds = []
    for item in doc["items"]:
        for version in item["versions"]:
            for res in version["resources"]:
                kinds.append(res.pop("responseKind"))
                kinds.extend(sub.pop("responseKind") for sub in res.get("subresources", []))
    return doc, kinds


def check_aggregated(doc: dict[str, Any], version: str, deserialize: Deserialize) -> Any:
    stripped, response_kinds = without_response_kinds(doc)
    model = "V2APIGroupDiscoveryList" if version == "v2" else "V2beta1APIGroupDiscoveryList"
    parsed = deserialize(stripped, model)
    for gvk in response_kinds:
        assert set(gvk) == {"group", "version", "kind"}
        assert all(isinstance(v, str) for v in gvk.values()) and gvk["kind"] and gvk["version"]
    return parsed


@pytest.mark.parametrize("legacy", [True, False])
@pytest.mark.parametrize("version", ["v2", "v2beta1"])
async def test_aggregated_documents_deserialize(legacy: bool, version: str,
                                               deserialize: Deserialize) -> None:
    parsed = check_aggregated(aggregated_discovery(BUILTIN_KINDS, legacy, version), version,
                              deserialize)
    assert parsed.api_version == f"apidiscovery.k8s.io/{version}"
    assert parsed.items


def test_api_holds_only_the_core_group_and_apis_all_others() -> None:
    core = aggregated_discovery(BUILTIN_KINDS, legacy=True)
    rest = aggregated_discovery(BUILTIN_KINDS, legacy=False)
    assert [i["metadata"].get("name", "") for i in core["items"]] == [""]
    names = [i["metadata"]["name"] for i in rest["items"]]
    assert "" not in names
    assert set(names) == {k.group for k in BUILTIN_KINDS if k.group}


@pytest.mark.parametrize("kind", BUILTIN_KINDS, ids=lambda k: f"{k.group or 'core'}.{k.plural}")
def test_every_builtin_kind_is_in_aggregated_discovery(kind: Kind) -> None:
    doc = aggregated_discovery(BUILTIN_KINDS, legacy=kind.group == "")
    res = aggregated_resource(doc, kind.group, kind.version, kind.plural)
    assert res["responseKind"] == {"group": kind.group, "version": kind.version,
                                   "kind": kind.kind}
    assert res["scope"] == ("Namespaced" if kind.namespaced else "Cluster")
    assert res["singularResource"] == kind.singular
    assert res["verbs"] == list(kind.verbs)
    assert res.get("shortNames", []) == list(kind.short_names)
    assert res.get("categories", []) == list(kind.categories)
    assert [s["subresource"] for s in res.get("subresources", [])] == sorted(kind.subresources)


def test_every_version_is_current() -> None:
    for legacy in (True, False):
        for item in aggregated_discovery(BUILTIN_KINDS, legacy)["items"]:
            assert {v["freshness"] for v in item["versions"]} == {"Current"}


def test_scale_subresource_answers_with_autoscaling_v1_scale() -> None:
    doc = aggregated_discovery(BUILTIN_KINDS, legacy=False)
    for plural in ("deployments", "replicasets", "statefulsets"):
        subs = {s["subresource"]: s
                for s in aggregated_resource(doc, "apps", "v1", plural)["subresources"]}
        assert subs["scale"]["responseKind"] == {"group": "autoscaling", "version": "v1",
                                                 "kind": "Scale"}
        assert subs["scale"]["verbs"] == ["get", "patch", "update"]
        assert subs["status"]["verbs"] == ["get", "patch", "update"]


def test_pod_subresources_match_kube_apiserver() -> None:
    doc = aggregated_discovery(BUILTIN_KINDS, legacy=True)
    subs = {s["subresource"]: s for s in aggregated_resource(doc, "", "v1", "pods")["subresources"]}
    assert subs["log"]["responseKind"]["kind"] == "Pod"
    assert subs["log"]["verbs"] == ["get"]
    assert subs["eviction"]["responseKind"] == {"group": "policy", "version": "v1",
                                                "kind": "Eviction"}
    assert subs["eviction"]["verbs"] == ["create"]
    assert subs["binding"]["responseKind"]["kind"] == "Binding"
    assert subs["binding"]["verbs"] == ["create"]


def test_hpa_is_served_under_v2_then_v1() -> None:
    doc = aggregated_discovery(BUILTIN_KINDS, legacy=False)
    autoscaling = next(i for i in doc["items"] if i["metadata"]["name"] == "autoscaling")
    assert [v["version"] for v in autoscaling["versions"]] == ["v2", "v1"]
    v1 = aggregated_resource(doc, "autoscaling", "v1", "horizontalpodautoscalers")
    assert v1["responseKind"]["version"] == "v1"
    assert v1["shortNames"] == ["hpa"]


# --- content negotiation ---------------------------------------------------------------


@pytest.mark.parametrize(("accept", "version"), [
    (KUBECTL_132_ACCEPT, "v2"),
    (KUBECTL_128_ACCEPT, "v2beta1"),
    ("application/json; as=APIGroupDiscoveryList;v=v2; g=apidiscovery.k8s.io", "v2"),
    ("application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList;profile=nopeer,"
     "application/json", "v2"),
    ("application/json", None),
    ("application/json, */*", None),
    ("application/vnd.kubernetes.protobuf,application/json", None),
    ("application/json;g=apidiscovery.k8s.io;v=v3;as=APIGroupDiscoveryList", None),
    ("application/json;as=Table;v=v1;g=meta.k8s.io", None),
    ("", None),
])
def test_aggregated_version_from_accept(accept: str, version: str | None) -> None:
    assert aggregated_version(accept) == version
    assert wants_aggregated(accept) is (version is not None)


def test_content_type_carries_what_client_go_compares() -> None:
    """client-go's ContentTypeIsGVK: base application/json and the g, v, as parameters."""
    base, *params = AGGREGATED_CONTENT_TYPE.split(";")
    assert base == "application/json"
    assert dict(p.split("=") for p in params) == {
        "g": "apidiscovery.k8s.io", "v": "v2", "as": "APIGroupDiscoveryList"}
    assert aggregated_version(aggregated_content_type("v2beta1")) == "v2beta1"


# --- legacy ----------------------------------------------------------------------------


async def test_legacy_documents_deserialize(deserialize: Deserialize) -> None:
    assert deserialize(api_versions(), "V1APIVersions").versions == ["v1"]
    groups = deserialize(api_group_list(BUILTIN_KINDS), "V1APIGroupList").groups
    assert "" not in [g.name for g in groups]
    for group, version in group_versions(BUILTIN_KINDS):
        doc = api_resource_list(BUILTIN_KINDS, group, version)
        assert doc is not None
        parsed = deserialize(doc, "V1APIResourceList")
        assert parsed.group_version == (f"{group}/{version}" if group else version)
        if group:
            assert deserialize(api_group(BUILTIN_KINDS, group), "V1APIGroup").name == group


def test_group_versions_put_core_first_and_list_every_served_version() -> None:
    gvs = group_versions(BUILTIN_KINDS)
    assert gvs[0] == ("", "v1")
    assert ("autoscaling", "v1") in gvs
    assert len(gvs) == len(set(gvs))
    assert {(k.group, k.version) for k in BUILTIN_KINDS} <= set(gvs)


def test_api_group_prefers_the_highest_version() -> None:
    doc = api_group(BUILTIN_KINDS, "autoscaling")
    assert doc is not None
    assert doc["preferredVersion"] == {"groupVersion": "autoscaling/v2", "version": "v2"}
    assert [v["version"] for v in doc["versions"]] == ["v2", "v1"]


def test_unknown_groups_and_versions_are_none() -> None:
    assert api_group(BUILTIN_KINDS, "example.com") is None
    assert api_group(BUILTIN_KINDS, "") is None  # the core group is not under /apis
    assert api_resource_list(BUILTIN_KINDS, "apps", "v1beta1") is None
    assert api_resource_list(BUILTIN_KINDS, "", "v2") is None


@pytest.mark.parametrize("kind", BUILTIN_KINDS, ids=lambda k: f"{k.group or 'core'}.{k.plural}")
def test_every_builtin_kind_is_in_its_resource_list(kind: Kind) -> None:
    entry = legacy_entry(BUILTIN_KINDS, kind.group, kind.version, kind.plural)
    assert entry["kind"] == kind.kind
    assert entry["namespaced"] is kind.namespaced
    assert entry.get("shortNames", []) == list(kind.short_names)
    assert "group" not in entry  # kube-apiserver names the group only where it differs
    for sub in kind.subresources:
        assert legacy_entry(BUILTIN_KINDS, kind.group, kind.version, f"{kind.plural}/{sub}")


def test_legacy_subresources_name_a_foreign_group_only() -> None:
    scale = legacy_entry(BUILTIN_KINDS, "apps", "v1", "deployments/scale")
    assert (scale["group"], scale["version"], scale["kind"]) == ("autoscaling", "v1", "Scale")
    assert scale["singularName"] == ""
    eviction = legacy_entry(BUILTIN_KINDS, "", "v1", "pods/eviction")
    assert (eviction["group"], eviction["version"]) == ("policy", "v1")
    status = legacy_entry(BUILTIN_KINDS, "apps", "v1", "deployments/status")
    assert "group" not in status and status["kind"] == "Deployment"
    log = legacy_entry(BUILTIN_KINDS, "", "v1", "pods/log")
    assert (log["kind"], log["verbs"]) == ("Pod", ["get"])
    finalize = legacy_entry(BUILTIN_KINDS, "", "v1", "namespaces/finalize")
    assert finalize["verbs"] == ["update"]


def test_core_resource_list_has_no_api_version_like_kube_apiserver() -> None:
    core = api_resource_list(BUILTIN_KINDS, "", "v1")
    apps = api_resource_list(BUILTIN_KINDS, "apps", "v1")
    assert core is not None and apps is not None
    assert "apiVersion" not in core
    assert apps["apiVersion"] == "v1"


# --- CRDs --------------------------------------------------------------------------------


def test_kinds_from_crd_one_per_served_version_preferred_first() -> None:
    kinds = kinds_from_crd(CRD)
    assert [k.version for k in kinds] == ["v1", "v1beta1"]
    v1, v1beta1 = kinds
    assert (v1.kind, v1.group, v1.plural, v1.singular) == (
        "CronTab", "stable.example.com", "crontabs", "crontab")
    assert v1.namespaced and v1.short_names == ("ct",) and v1.categories == ("all",)
    assert v1.subresources == ("status", "scale") and v1.scalable
    assert v1beta1.subresources == () and not v1beta1.scalable


def test_kinds_from_crd_defaults_and_cluster_scope() -> None:
    crd = {"spec": {"group": "example.com", "scope": "Cluster",
                    "names": {"kind": "Widget", "plural": "widgets"},
                    "versions": [{"name": "v1", "served": True, "storage": True,
                                  "subresources": {"status": {}}}]}}
    (kind,) = kinds_from_crd(crd)
    assert kind.singular == "widget"
    assert not kind.namespaced
    assert kind.subresources == ("status",) and not kind.scalable


def test_kinds_from_crd_rejects_a_crd_without_names() -> None:
    with pytest.raises(ValueError):
        kinds_from_crd({"spec": {"group": "example.com", "names": {"kind": "Widget"}}})


async def test_crd_kinds_appear_in_discovery(deserialize: Deserialize) -> None:
    kinds = [*BUILTIN_KINDS, *kinds_from_crd(CRD)]
    doc = aggregated_discovery(kinds, legacy=False)
    check_aggregated(doc, "v2", deserialize)
    group = next(i for i in doc["items"] if i["metadata"]["name"] == "stable.example.com")
    assert [v["version"] for v in group["versions"]] == ["v1", "v1beta1"]
    res = aggregated_resource(doc, "stable.example.com", "v1", "crontabs")
    assert res["shortNames"] == ["ct"] and res["categories"] == ["all"]
    subs = {s["subresource"]: s["responseKind"] for s in res["subresources"]}
    assert subs["scale"] == {"group": "autoscaling", "version": "v1", "kind": "Scale"}
    assert subs["status"] == {"group": "stable.example.com", "version": "v1", "kind": "CronTab"}
    assert ("stable.example.com", "v1beta1") in group_versions(kinds)
    scale = legacy_entry(kinds, "stable.example.com", "v1", "crontabs/scale")
    assert scale["group"] == "autoscaling"
    stable = api_group(kinds, "stable.example.com")
    assert stable is not None and stable["preferredVersion"]["version"] == "v1"


def test_a_kind_listed_twice_is_served_once() -> None:
    deploy = builtin("Deployment")
    doc = api_resource_list([deploy, deploy], "apps", "v1")
    assert doc is not None
    assert [r["name"] for r in doc["resources"]].count("deployments") == 1


def test_version_priority_is_kube_aware() -> None:
    versions = ["v1beta1", "foo", "v1", "v2alpha1", "v10", "v2", "v1beta2", "v11alpha2", "bar"]
    assert sorted(versions, key=version_priority) == [
        "v10", "v2", "v1", "v1beta2", "v1beta1", "v11alpha2", "v2alpha1", "bar", "foo"]
