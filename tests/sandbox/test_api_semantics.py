"""The API's semantics as clients rely on them: resourceVersions, watches, selectors,
paging, tables, generation and status, deletion and garbage collection."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.conftest import ROOT_CA
from tests.sandbox.conftest import Api
from tests.waiting import wait_for

pytestmark = pytest.mark.asyncio

CM = "/api/v1/namespaces/default/configmaps"  # besides these, kube-root-ca.crt


def _cm(name: str, labels: dict[str, str] | None = None) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": name, "labels": labels or {}}, "data": {"k": name}}


def _events(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


async def test_watch_without_rv_starts_with_current_state(api: Api) -> None:
    for n in ("a", "b"):
        await api.call("POST", CM, _cm(n))
    code, text = await api.call("GET", f"{CM}?watch=1&timeoutSeconds=1")
    assert code == 200
    evs = _events(text)
    assert [(e["type"], e["object"]["metadata"]["name"]) for e in evs] == \
        [("ADDED", "a"), ("ADDED", "b"), ("ADDED", ROOT_CA)]


async def test_watch_from_rv_replays_what_came_after(api: Api) -> None:
    _, a = await api.call("POST", CM, _cm("a"))
    await api.call("POST", CM, _cm("b"))
    await api.call("DELETE", f"{CM}/a")
    code, text = await api.call(
        "GET", f"{CM}?watch=True&resourceVersion={a['metadata']['resourceVersion']}"
               "&timeoutSeconds=1")
    evs = _events(text)
    assert [(e["type"], e["object"]["metadata"]["name"]) for e in evs] == \
        [("ADDED", "b"), ("DELETED", "a")]
    rvs = [int(e["object"]["metadata"]["resourceVersion"]) for e in evs]
    assert rvs == sorted(rvs) and rvs[0] > int(a["metadata"]["resourceVersion"])


async def test_bookmarks_only_when_asked(api: Api, sandbox) -> None:
    sandbox.server.bookmark_interval = 0.2
    _, lst = await api.call("GET", CM)
    rv = lst["metadata"]["resourceVersion"]
    _, text = await api.call("GET", f"{CM}?watch=true&resourceVersion={rv}"
                                    "&allowWatchBookmarks=true&timeoutSeconds=1")
    marks = [e for e in _events(text) if e["type"] == "BOOKMARK"]
    assert marks and marks[0]["object"]["kind"] == "ConfigMap"
    assert int(marks[-1]["object"]["metadata"]["resourceVersion"]) >= int(rv)
    _, text = await api.call("GET", f"{CM}?watch=true&resourceVersion={rv}&timeoutSeconds=1")
    assert not [e for e in _events(text) if e["type"] == "BOOKMARK"]


async def test_filtered_watch_sees_objects_leave_and_enter(api: Api) -> None:
    _, obj = await api.call("POST", CM, _cm("x", {"tier": "web"}))
    rv = obj["metadata"]["resourceVersion"]
    await api.call("PATCH", f"{CM}/x", {"metadata": {"labels": {"tier": "db"}}},
                   content_type="application/merge-patch+json")
    await api.call("PATCH", f"{CM}/x", {"metadata": {"labels": {"tier": "web"}}},
                   content_type="application/merge-patch+json")
    _, text = await api.call("GET", f"{CM}?watch=true&labelSelector=tier%3Dweb"
                                    f"&resourceVersion={rv}&timeoutSeconds=1")
    assert [e["type"] for e in _events(text)] == ["DELETED", "ADDED"]


async def test_label_and_field_selectors(api: Api, sandbox) -> None:
    for name, tier in (("a", "web"), ("b", "db"), ("c", "web")):
        await api.call("POST", CM, _cm(name, {"tier": tier}))
    _, doc = await api.call("GET", f"{CM}?labelSelector=tier%20in%20(web)")
    assert [i["metadata"]["name"] for i in doc["items"]] == ["a", "c"]
    _, doc = await api.call("GET", f"{CM}?labelSelector=tier!%3Dweb")
    assert [i["metadata"]["name"] for i in doc["items"]] == ["b", ROOT_CA]  # (no tier)
    _, doc = await api.call("GET", "/api/v1/configmaps?fieldSelector=metadata.name%3Db")
    assert [i["metadata"]["name"] for i in doc["items"]] == ["b"]
    _, doc = await api.call("GET", "/api/v1/configmaps?fieldSelector="
                                   "metadata.namespace%3Dkube-system")
    assert [i["metadata"]["name"] for i in doc["items"]] in ([], [ROOT_CA])  # (if made yet)
    assert {i["metadata"]["namespace"] for i in doc["items"]} <= {"kube-system"}
    store = sandbox.sandbox.store
    for name, node in (("p1", "n1"), ("p2", "n2")):
        store.create(("", "pods"), {
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name, "namespace": "default"},
            "spec": {"nodeName": node, "containers": [{"name": "c", "image": "i"}]},
            "status": {"phase": "Pending"}})
    _, doc = await api.call("GET", "/api/v1/pods?fieldSelector=spec.nodeName%3Dn2")
    assert [i["metadata"]["name"] for i in doc["items"]] == ["p2"]


async def test_paging_is_consistent(api: Api) -> None:
    for i in range(5):
        await api.call("POST", CM, _cm(f"c{i}"))
    _, p1 = await api.call("GET", f"{CM}?limit=2")
    await api.call("DELETE", f"{CM}/c3")  # a change between pages does not tear the list
    names = [i["metadata"]["name"] for i in p1["items"]]
    token = p1["metadata"]["continue"]
    while token:
        _, page = await api.call("GET", f"{CM}?limit=2&continue={token}")
        names += [i["metadata"]["name"] for i in page["items"]]
        assert page["metadata"]["resourceVersion"] == p1["metadata"]["resourceVersion"]
        token = page["metadata"].get("continue")
    assert names == ["c0", "c1", "c2", "c3", "c4", ROOT_CA]


async def test_tables_for_list_get_and_watch(api: Api, sandbox) -> None:
    await api.call("POST", CM, _cm("t"))
    table_accept = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json"
    async with api.session.get(api.url + CM, headers={
            "Authorization": f"Bearer {api.token}", "Accept": table_accept}) as resp:
        doc = await resp.json(content_type=None)
    assert doc["kind"] == "Table"
    assert [c["name"] for c in doc["columnDefinitions"]] == ["Name", "Data", "Age"] or \
        [c["name"].upper() for c in doc["columnDefinitions"]][:2] == ["NAME", "DATA"]
    assert [r["cells"][0] for r in doc["rows"]] == [ROOT_CA, "t"]
    row = doc["rows"][1]
    assert row["object"]["kind"] == "PartialObjectMetadata"
    assert row["object"]["metadata"]["namespace"] == "default"
    async with api.session.get(api.url + CM + "?watch=true&timeoutSeconds=1", headers={
            "Authorization": f"Bearer {api.token}", "Accept": table_accept}) as resp:
        evs = _events((await resp.read()).decode())
    assert evs[1]["object"]["kind"] == "Table"
    assert evs[1]["object"]["rows"][0]["cells"][0] == "t"


async def test_generation_and_status(api: Api, sandbox) -> None:
    dep = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "g"},
           "spec": {"replicas": 0, "paused": True, "selector": {"matchLabels": {"a": "g"}},
                    "template": {"metadata": {"labels": {"a": "g"}},
                                 "spec": {"containers": [{"name": "c", "image": "i"}]}}}}
    path = "/apis/apps/v1/namespaces/default/deployments"
    _, obj = await api.call("POST", path, dep)
    assert obj["metadata"]["generation"] == 1
    _, obj = await api.call("PATCH", f"{path}/g", {"metadata": {"labels": {"x": "y"}}},
                            content_type="application/merge-patch+json")
    assert obj["metadata"]["generation"] == 1  # metadata is not spec
    _, obj = await api.call("PATCH", f"{path}/g", {"spec": {"replicas": 2}},
                            content_type="application/merge-patch+json")
    assert obj["metadata"]["generation"] == 2
    _, obj = await api.call("PATCH", f"{path}/g/status",
                            {"status": {"observedGeneration": 99}},
                            content_type="application/merge-patch+json")
    assert obj["status"]["observedGeneration"] == 99
    assert obj["metadata"]["generation"] == 2
    _, obj = await api.call("PATCH", f"{path}/g/status", {"spec": {"replicas": 7}},
                            content_type="application/merge-patch+json")
    assert obj["spec"]["replicas"] == 2  # the status subresource ignores spec


async def test_deletecollection_by_label(api: Api, sandbox) -> None:
    for name, tier in (("a", "web"), ("b", "db")):
        await api.call("POST", CM, _cm(name, {"tier": tier}))
    code, _ = await api.call("DELETE", f"{CM}?labelSelector=tier%3Dweb")
    assert code == 200
    names = [o["metadata"]["name"] for o in sandbox.sandbox.store.list(("", "configmaps"),
                                                                       "default")[0]]
    assert "a" not in names and "b" in names


async def test_crd_instances_and_discovery(api: Api) -> None:
    crd = {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
           "metadata": {"name": "backups.example.com"},
           "spec": {"group": "example.com", "scope": "Namespaced",
                    "names": {"plural": "backups", "singular": "backup", "kind": "Backup",
                              "shortNames": ["bk"]},
                    "versions": [{"name": "v1", "served": True, "storage": True,
                                  "schema": {"openAPIV3Schema": {"type": "object"}}}]}}
    _, groups = await api.call("GET", "/apis")
    assert "example.com" not in [g["name"] for g in groups["groups"]]
    code, _ = await api.call("POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions",
                             crd)
    assert code == 201
    _, groups = await api.call("GET", "/apis")
    assert "example.com" in [g["name"] for g in groups["groups"]]
    _, res = await api.call("GET", "/apis/example.com/v1")
    assert res["resources"][0]["shortNames"] == ["bk"]
    code, obj = await api.call("POST", "/apis/example.com/v1/namespaces/default/backups",
                               {"apiVersion": "example.com/v1", "kind": "Backup",
                                "metadata": {"name": "nightly"}, "spec": {"at": "02:00"}})
    assert code == 201 and obj["metadata"]["uid"]
    _, lst = await api.call("GET", "/apis/example.com/v1/backups")
    assert [i["metadata"]["name"] for i in lst["items"]] == ["nightly"]
    await api.call("DELETE", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/"
                             "backups.example.com")
    code, _ = await api.call("GET", "/apis/example.com/v1/backups")
    assert code == 404


async def _deployment_tree(api: Api, sandbox) -> tuple[str, str]:
    dep = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "gc"},
           "spec": {"replicas": 2, "selector": {"matchLabels": {"a": "gc"}},
                    "template": {"metadata": {"labels": {"a": "gc"}},
                                 "spec": {"containers": [{"name": "c", "image": "i"}]}}}}
    await api.call("POST", "/apis/apps/v1/namespaces/default/deployments", dep)
    store = sandbox.sandbox.store
    rs = await wait_for(lambda: store.list(("apps", "replicasets"), "default")[0])
    await wait_for(lambda: len(store.list(("", "pods"), "default")[0]) == 2)
    return "/apis/apps/v1/namespaces/default/deployments/gc", rs[0]["metadata"]["name"]


async def test_background_deletion_removes_dependents(api: Api, sandbox) -> None:
    path, _ = await _deployment_tree(api, sandbox)
    await api.call("DELETE", path, {"propagationPolicy": "Background"})
    store = sandbox.sandbox.store
    await wait_for(lambda: not store.list(("apps", "replicasets"), "default")[0])
    await wait_for(lambda: not store.list(("", "pods"), "default")[0])


async def test_orphan_deletion_keeps_dependents(api: Api, sandbox) -> None:
    path, rs_name = await _deployment_tree(api, sandbox)
    await api.call("DELETE", path, {"propagationPolicy": "Orphan"})
    store = sandbox.sandbox.store
    await wait_for(lambda: store.find(("apps", "deployments"), "default", "gc") is None)
    rs = store.get(("apps", "replicasets"), "default", rs_name)
    assert not rs["metadata"].get("ownerReferences")


async def test_pod_log_parameters(api: Api, sandbox) -> None:
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "two"},
           "spec": {"containers": [{"name": "app", "image": "i"},
                                   {"name": "sidecar", "image": "i"}]}}
    await api.call("POST", "/api/v1/namespaces/default/pods", pod)
    base = "/api/v1/namespaces/default/pods/two/log"
    code, doc = await api.call("GET", base)
    assert code == 400
    assert doc["message"] == ("a container name must be specified for pod two, choose one of: "
                              "[app sidecar]")
    code, doc = await api.call("GET", f"{base}?container=nope")
    assert code == 400 and "container nope is not valid for pod two" in doc["message"]
    code, doc = await api.call("GET", f"{base}?container=app&previous=true")
    assert code == 400 and "previous terminated container" in doc["message"]
    logs = sandbox.sandbox.logs
    key = ("default", "two", "app")
    logs.start(key)
    logs.append(key, "first run")
    logs.start(key)  # a restart: the first instance becomes `previous`
    for i in range(5):
        logs.append(key, f"line {i}")
    code, text = await api.call("GET", f"{base}?container=app&previous=1")
    assert text == "first run\n"
    code, text = await api.call("GET", f"{base}?container=app&tailLines=2")
    assert text == "line 3\nline 4\n"
    code, text = await api.call("GET", f"{base}?container=app&limitBytes=9")
    assert text == "line 0\nli"
    code, text = await api.call("GET", f"{base}?container=app&sinceSeconds=3600")
    assert text.count("\n") == 5


async def test_scale_subresource_get_and_put(api: Api, sandbox) -> None:
    dep = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "s"},
           "spec": {"replicas": 1, "selector": {"matchLabels": {"a": "s"}},
                    "template": {"metadata": {"labels": {"a": "s"}},
                                 "spec": {"containers": [{"name": "c", "image": "i"}]}}}}
    path = "/apis/apps/v1/namespaces/default/deployments/s"
    await api.call("POST", "/apis/apps/v1/namespaces/default/deployments", dep)
    code, scale = await api.call("GET", f"{path}/scale")
    assert code == 200 and scale["kind"] == "Scale" and scale["apiVersion"] == "autoscaling/v1"
    assert scale["spec"]["replicas"] == 1 and scale["status"]["selector"] == "a=s"
    scale["spec"]["replicas"] = 3
    code, out = await api.call("PUT", f"{path}/scale", scale)
    assert code == 200 and out["spec"]["replicas"] == 3
    assert sandbox.sandbox.store.get(("apps", "deployments"), "default", "s")["spec"][
        "replicas"] == 3
    code, doc = await api.call("PUT", f"{path}/scale", scale)  # its resourceVersion is stale
    assert code == 409
    code, _ = await api.call("GET", "/api/v1/namespaces/default/configmaps/x/scale")
    assert code == 404


async def test_paging_survives_a_short_watch_history(api: Api, sandbox) -> None:
    """A busy cluster's paged list must not fail because watch history moved on."""
    sandbox.sandbox.store.set_history(2)
    for i in range(4):
        await api.call("POST", CM, _cm(f"c{i}"))
    _, p1 = await api.call("GET", f"{CM}?limit=2")
    for i in range(5):  # history of 2 events: the list's resourceVersion falls out of it
        await api.call("POST", CM, _cm(f"later{i}"))
    code, p2 = await api.call("GET", f"{CM}?limit=2&continue={p1['metadata']['continue']}")
    assert code == 200
    assert [i["metadata"]["name"] for i in p2["items"]] == ["c2", "c3"]


async def test_paging_with_a_selector_counts_no_remainder_and_ends_on_the_last_match(
        api: Api) -> None:
    """Upstream leaves remainingItemCount out when a selector filters the list (only a scan
    could count the rest). The sandbox's last page is the one holding the last match;
    upstream's etcd3 store may instead give a continue token to an empty last page (it has
    more when any key follows, matching or not), which clients take either way."""
    for i in range(6):
        await api.call("POST", CM, _cm(f"c{i}", {"even": str(i % 2 == 0).lower()}))
    _, p1 = await api.call("GET", f"{CM}?limit=2&labelSelector=even%3Dtrue")
    assert [i["metadata"]["name"] for i in p1["items"]] == ["c0", "c2"]
    assert p1["metadata"]["continue"] and "remainingItemCount" not in p1["metadata"]
    _, p2 = await api.call("GET", f"{CM}?limit=2&labelSelector=even%3Dtrue"
                                  f"&continue={p1['metadata']['continue']}")
    assert [i["metadata"]["name"] for i in p2["items"]] == ["c4"]
    assert "continue" not in p2["metadata"]
    _, all_ = await api.call("GET", f"{CM}?limit=2")  # without a selector: counted
    assert all_["metadata"]["remainingItemCount"] == 5  # c2..c5 and the root CA
