"""Endpoints and EndpointSlices follow pod readiness; the `kubernetes` Service exists."""

from __future__ import annotations

import pytest

from kubetui.kinds import builtin
from kubetui.sandbox.apiserver import verbs
from kubetui.sandbox.controllers.endpoints import ENDPOINTS, SLICES
from tests.waiting import wait_for

from tests.sandbox.node_helpers import (
    add_node, create_pod, delete_pod, get_pod, is_ready, node_cluster, pod,
)

pytestmark = pytest.mark.asyncio


def service(name: str, selector: dict[str, str] | None) -> dict:
    spec: dict = {"ports": [{"name": "http", "port": 80, "targetPort": "web"}]}
    if selector is not None:
        spec["selector"] = selector
    return {"apiVersion": "v1", "kind": "Service",
            "metadata": {"name": name, "namespace": "default"}, "spec": spec}


def web_pod(name: str, image: str = "nginx:1.25") -> dict:
    p = pod(name, image=image, labels={"app": "shop"})
    p["spec"]["containers"][0]["ports"] = [{"name": "web", "containerPort": 8080}]
    return p


def addresses(sb, kind: str = "addresses") -> list[str]:
    ep = sb.store.find(ENDPOINTS, "default", "shop") or {}
    return sorted(a["targetRef"]["name"] for s in ep.get("subsets") or ()
                  for a in s.get(kind) or ())


def slice_endpoints(sb) -> dict[str, dict]:
    items, _ = sb.store.list(SLICES, "default", lambda s: s["metadata"]["labels"].get(
        "kubernetes.io/service-name") == "shop")
    return {e["targetRef"]["name"]: e for s in items for e in s["endpoints"]}


async def test_endpoints_follow_readiness() -> None:
    async with node_cluster() as sb:
        add_node(sb, "n1")
        create_pod(sb, web_pod("a"))
        create_pod(sb, web_pod("b"))
        create_pod(sb, web_pod("lazy", image="shop/never-ready"))
        create_pod(sb, pod("other"))  # not selected
        verbs.create(sb, builtin("Service"), "default", service("shop", {"app": "shop"}), "v1")
        await wait_for(lambda: addresses(sb) == ["a", "b"] and
                       addresses(sb, "notReadyAddresses") == ["lazy"])
        ep = sb.store.get(ENDPOINTS, "default", "shop")
        subset = ep["subsets"][0]
        assert subset["ports"] == [{"port": 8080, "protocol": "TCP", "name": "http"}]
        a = next(x for x in subset["addresses"] if x["targetRef"]["name"] == "a")
        assert a["ip"] == get_pod(sb, "a")["status"]["podIP"] and a["nodeName"] == "n1"
        assert a["targetRef"]["uid"] == get_pod(sb, "a")["metadata"]["uid"]
        await wait_for(lambda: set(slice_endpoints(sb)) == {"a", "b", "lazy"})
        eps = slice_endpoints(sb)
        assert eps["a"]["conditions"] == {"ready": True, "serving": True, "terminating": False}
        assert eps["lazy"]["conditions"]["ready"] is False
        shop_slice = next(s for s in sb.store.iter(SLICES)
                          if s["metadata"]["labels"].get("kubernetes.io/service-name") == "shop")
        assert shop_slice["addressType"] == "IPv4"
        assert shop_slice["ports"] == [{"port": 8080, "protocol": "TCP", "name": "http"}]
        assert shop_slice["metadata"]["ownerReferences"][0]["kind"] == "Service"

        # A terminating pod leaves Endpoints at once and shows as terminating in slices.
        delete_pod(sb, "a")
        await wait_for(lambda: addresses(sb) == ["b"])
        # New ready pods join.
        create_pod(sb, web_pod("c"))
        await wait_for(lambda: is_ready(sb, "c") and addresses(sb) == ["b", "c"])
        await wait_for(lambda: "a" not in slice_endpoints(sb))

        # Deleting the service removes what was made for it.
        verbs.delete(sb, builtin("Service"), "default", "shop")
        await wait_for(lambda: sb.store.find(ENDPOINTS, "default", "shop") is None
                       and not slice_endpoints(sb))


async def test_services_without_selector_are_left_alone_and_kubernetes_exists() -> None:
    async with node_cluster() as sb:
        add_node(sb, "n1")
        verbs.create(sb, builtin("Service"), "default", service("external", None), "v1")
        create_pod(sb, web_pod("a"))
        await wait_for(lambda: is_ready(sb, "a"))
        await wait_for(lambda: sb.store.find(("", "services"), "default", "kubernetes"))
        kube = sb.store.get(("", "services"), "default", "kubernetes")
        assert kube["spec"]["clusterIP"] == "10.96.0.1"
        assert kube["spec"]["ports"][0]["port"] == 443
        kube_ep = sb.store.get(ENDPOINTS, "default", "kubernetes")
        assert kube_ep["subsets"][0]["ports"][0]["port"] == 6443
        assert sb.store.find(ENDPOINTS, "default", "external") is None
        assert not [s for s in sb.store.iter(SLICES)
                    if s["metadata"]["labels"].get("kubernetes.io/service-name") == "external"]
