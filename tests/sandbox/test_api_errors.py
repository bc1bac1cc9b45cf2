"""Bad requests of every kind get the Status the real API server answers, and leave the
store exactly as it was."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.sandbox.conftest import Api
from tests.waiting import wait_for

pytestmark = pytest.mark.asyncio

POD = {"apiVersion": "v1", "kind": "Pod",
       "metadata": {"name": "p", "namespace": "default"},
       "spec": {"containers": [{"name": "c", "image": "busybox"}]}}


@pytest.fixture
def unchanged(sandbox):  # noqa: ANN001, ANN201
    """Asserts, at the end of the test, that no write reached the store after setup."""
    class Guard:
        def arm(self) -> None:
            self.rv = sandbox.sandbox.store.rv

        def check(self) -> None:
            assert sandbox.sandbox.store.rv == self.rv, "a refused request changed the store"
    return Guard()


async def _create_pod(api: Api, sandbox) -> None:  # noqa: ANN001
    """POD created, and the scheduler's verdict on it written (no node here: Unschedulable,
    and an event): the control plane's reaction to the create is not a refused request's
    doing, so a guard is armed after it."""
    await api.call("POST", "/api/v1/namespaces/default/pods", POD)
    store = sandbox.sandbox.store
    await wait_for(lambda: any(
        c.get("type") == "PodScheduled" for c in
        (store.get(("", "pods"), "default", "p").get("status") or {}).get("conditions") or ()),
        timeout=10)


def _status(doc: Any, code: int, reason: str) -> None:
    assert isinstance(doc, dict), doc
    assert doc["kind"] == "Status" and doc["status"] == "Failure"
    assert doc["code"] == code, doc
    assert doc["reason"] == reason, doc
    assert doc["message"]


async def test_no_token_is_401(api: Api, unchanged) -> None:
    unchanged.arm()
    code, doc = await api.call("POST", "/api/v1/namespaces/default/pods", POD, token="")
    assert code == 401
    _status(doc, 401, "Unauthorized")
    code, doc = await api.call("GET", "/api/v1/pods", token="not-the-token")
    assert code == 401
    code, _ = await api.call("GET", "/version", token="")
    assert code == 200  # /version is public, as on a real cluster
    unchanged.check()


async def test_not_found_and_unknown_routes(api: Api, sandbox, unchanged) -> None:
    unchanged.arm()
    code, doc = await api.call("GET", "/api/v1/namespaces/default/pods/ghost")
    _status(doc, 404, "NotFound")
    assert doc["message"] == 'pods "ghost" not found'
    assert doc["details"] == {"name": "ghost", "kind": "pods"}
    code, doc = await api.call("GET", "/apis/apps/v1/namespaces/default/deployments/ghost")
    assert doc["message"] == 'deployments.apps "ghost" not found'
    assert len(sandbox.server.unmatched) == 0
    code, doc = await api.call("GET", "/apis/nope.example.com/v1/widgets")
    assert code == 404
    assert len(sandbox.server.unmatched) == 1  # counted: tests can prove kubectl never does it
    code, doc = await api.call("POST", "/api/v1/namespaces/ghost-ns/pods",
                               {**POD, "metadata": {"name": "p", "namespace": "ghost-ns"}})
    _status(doc, 404, "NotFound")
    assert doc["message"] == 'namespaces "ghost-ns" not found'
    unchanged.check()


async def test_method_not_allowed(api: Api, unchanged) -> None:
    unchanged.arm()
    code, doc = await api.call("PUT", "/api/v1/namespaces/default/pods", POD)
    _status(doc, 405, "MethodNotAllowed")
    unchanged.check()


async def test_already_exists_and_conflict(api: Api, sandbox, unchanged) -> None:
    code, created = await api.call("POST", "/api/v1/namespaces/default/configmaps",
                                   {"apiVersion": "v1", "kind": "ConfigMap",
                                    "metadata": {"name": "cm"}, "data": {"a": "1"}})
    assert code == 201
    unchanged.arm()
    code, doc = await api.call("POST", "/api/v1/namespaces/default/configmaps",
                               {"apiVersion": "v1", "kind": "ConfigMap",
                                "metadata": {"name": "cm"}})
    _status(doc, 409, "AlreadyExists")
    stale = {**created, "data": {"a": "2"}}
    stale["metadata"] = {**created["metadata"], "resourceVersion": "1"}
    code, doc = await api.call("PUT", "/api/v1/namespaces/default/configmaps/cm", stale)
    _status(doc, 409, "Conflict")
    assert "the object has been modified" in doc["message"]
    unchanged.check()
    fresh = {**created, "data": {"a": "3"}}
    code, doc = await api.call("PUT", "/api/v1/namespaces/default/configmaps/cm", fresh)
    assert code == 200 and doc["data"] == {"a": "3"}


async def test_watch_too_old_is_410(api: Api, sandbox) -> None:
    store = sandbox.sandbox.store
    store.set_history(2)
    for i in range(5):
        await api.call("POST", "/api/v1/namespaces/default/configmaps",
                       {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": f"c{i}"}})
    code, text = await api.call("GET", "/api/v1/namespaces/default/configmaps"
                                       "?watch=true&resourceVersion=2&timeoutSeconds=2")
    assert code == 200
    event = json.loads(text.splitlines()[0]) if isinstance(text, str) else text
    assert event["type"] == "ERROR"
    _status(event["object"], 410, "Expired")


async def test_expired_continue_token_is_410(api: Api, sandbox) -> None:
    for i in range(4):
        await api.call("POST", "/api/v1/namespaces/default/configmaps",
                       {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": f"c{i}"}})
    code, page = await api.call("GET", "/api/v1/namespaces/default/configmaps?limit=2")
    assert len(page["items"]) == 2 and page["metadata"]["continue"]
    assert page["metadata"]["remainingItemCount"] == 3  # c2, c3 and kube-root-ca.crt
    token = page["metadata"]["continue"]
    code, rest = await api.call("GET", f"/api/v1/namespaces/default/configmaps?limit=2"
                                       f"&continue={token}")
    assert [i["metadata"]["name"] for i in rest["items"]] == ["c2", "c3"]  # then the CA
    code, doc = await api.call("GET", f"/api/v1/namespaces/default/configmaps?limit=2"
                                      f"&continue={token}")
    _status(doc, 410, "Expired")


async def test_unknown_patch_type_is_415(api: Api, sandbox, unchanged) -> None:
    await _create_pod(api, sandbox)
    unchanged.arm()
    code, doc = await api.call("PATCH", "/api/v1/namespaces/default/pods/p",
                               {"metadata": {"labels": {"a": "b"}}},
                               content_type="application/x-unknown")
    _status(doc, 415, "UnsupportedMediaType")
    unchanged.check()


async def test_invalid_objects_are_422_with_causes(api: Api, unchanged) -> None:
    unchanged.arm()
    bad = {**POD, "spec": {"containers": []}}
    code, doc = await api.call("POST", "/api/v1/namespaces/default/pods", bad)
    _status(doc, 422, "Invalid")
    assert any(c["field"] == "spec.containers" for c in doc["details"]["causes"])
    nameless = {**POD, "metadata": {"namespace": "default"}}
    code, doc = await api.call("POST", "/api/v1/namespaces/default/pods", nameless)
    _status(doc, 422, "Invalid")
    code, doc = await api.call("POST", "/api/v1/namespaces/default/pods",
                               {**POD, "metadata": {"name": "Bad_Name"}})
    _status(doc, 422, "Invalid")
    code, doc = await api.call("POST", "/apis/apps/v1/namespaces/default/deployments", {
        "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"},
        "spec": {"selector": {"matchLabels": {"app": "x"}},
                 "template": {"metadata": {"labels": {"app": "y"}},
                              "spec": {"containers": [{"name": "c", "image": "i"}]}}}})
    _status(doc, 422, "Invalid")
    unchanged.check()


async def test_malformed_bodies_are_400(api: Api, unchanged) -> None:
    unchanged.arm()
    code, doc = await api.call("POST", "/api/v1/namespaces/default/pods", raw=b"{not json")
    _status(doc, 400, "BadRequest")
    code, doc = await api.call("POST", "/api/v1/namespaces/default/pods", [1, 2])
    _status(doc, 400, "BadRequest")
    code, doc = await api.call("POST", "/api/v1/namespaces/default/pods",
                               {**POD, "metadata": {"name": "p", "namespace": "other"}})
    _status(doc, 400, "BadRequest")
    code, doc = await api.call("POST", "/api/v1/namespaces/default/pods",
                               {**POD, "kind": "Service"})
    _status(doc, 400, "BadRequest")
    code, doc = await api.call("GET", "/api/v1/pods?labelSelector=a%20in%20(")
    _status(doc, 400, "BadRequest")
    code, doc = await api.call("GET", "/api/v1/pods?limit=-3")
    _status(doc, 400, "BadRequest")
    unchanged.check()


async def test_json_patch_that_cannot_apply(api: Api, sandbox, unchanged) -> None:
    await _create_pod(api, sandbox)
    unchanged.arm()
    code, doc = await api.call("PATCH", "/api/v1/namespaces/default/pods/p",
                               [{"op": "test", "path": "/metadata/name", "value": "q"}],
                               content_type="application/json-patch+json")
    _status(doc, 422, "Invalid")
    code, doc = await api.call("PATCH", "/api/v1/namespaces/default/pods/p",
                               [{"op": "remove", "path": "/spec/nope"}],
                               content_type="application/json-patch+json")
    assert code == 422
    code, doc = await api.call("PATCH", "/api/v1/namespaces/default/pods/p",
                               {"spec": {"containers": [{"name": "c", "image": "busybox"}]}},
                               content_type="application/json-patch+json")
    _status(doc, 400, "BadRequest")
    unchanged.check()


async def test_invalid_scale_is_refused(api: Api, sandbox) -> None:
    code, _ = await api.call("POST", "/apis/apps/v1/namespaces/default/deployments", {
        "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"},
        "spec": {"replicas": 0, "selector": {"matchLabels": {"app": "x"}},
                 "template": {"metadata": {"labels": {"app": "x"}},
                              "spec": {"containers": [{"name": "c", "image": "i"}]}}}})
    assert code == 201
    store = sandbox.sandbox.store
    before = store.get(("apps", "deployments"), "default", "d")
    code, doc = await api.call("PATCH", "/apis/apps/v1/namespaces/default/deployments/d/scale",
                               {"spec": {"replicas": -1}},
                               content_type="application/merge-patch+json")
    _status(doc, 422, "Invalid")
    code, doc = await api.call("PATCH", "/apis/apps/v1/namespaces/default/deployments/d/scale",
                               {"spec": {"replicas": "many"}},
                               content_type="application/merge-patch+json")
    _status(doc, 422, "Invalid")
    after = store.get(("apps", "deployments"), "default", "d")  # controllers write status only
    assert after["spec"] == before["spec"]
    assert after["metadata"]["generation"] == before["metadata"]["generation"]


async def test_readonly_rbac_is_403(api: Api, sandbox, unchanged) -> None:
    sandbox.sandbox.faults.rbac = "readonly"
    unchanged.arm()
    code, doc = await api.call("POST", "/api/v1/namespaces/default/pods", POD)
    _status(doc, 403, "Forbidden")
    assert 'cannot create resource "pods"' in doc["message"]
    code, doc = await api.call("GET", "/api/v1/namespaces/default/pods")
    assert code == 200
    unchanged.check()


async def test_strategic_patch_on_custom_resource_is_415(api: Api, sandbox) -> None:
    crd = {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
           "metadata": {"name": "widgets.example.com"},
           "spec": {"group": "example.com", "scope": "Namespaced",
                    "names": {"plural": "widgets", "singular": "widget", "kind": "Widget"},
                    "versions": [{"name": "v1", "served": True, "storage": True,
                                  "schema": {"openAPIV3Schema": {"type": "object"}}}]}}
    code, _ = await api.call("POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions",
                             crd)
    assert code == 201
    code, _ = await api.call("POST", "/apis/example.com/v1/namespaces/default/widgets",
                             {"apiVersion": "example.com/v1", "kind": "Widget",
                              "metadata": {"name": "w"}, "spec": {"size": 1}})
    assert code == 201
    code, doc = await api.call("PATCH", "/apis/example.com/v1/namespaces/default/widgets/w",
                               {"spec": {"size": 2}},
                               content_type="application/strategic-merge-patch+json")
    _status(doc, 415, "UnsupportedMediaType")
    code, doc = await api.call("PATCH", "/apis/example.com/v1/namespaces/default/widgets/w",
                               {"spec": {"size": 2}},
                               content_type="application/merge-patch+json")
    assert code == 200 and doc["spec"]["size"] == 2
