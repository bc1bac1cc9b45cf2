"""networking, discovery, policy, RBAC, storage and apiextensions kinds."""

from __future__ import annotations

import pytest

from kubetui.render import columns_for, render_row


def names(kind: str) -> list[str]:
    return [c.name for c in columns_for(kind)]


def test_columns() -> None:
    assert names("Ingress") == ["NAME", "CLASS", "HOSTS", "ADDRESS", "PORTS", "AGE"]
    assert names("IngressClass") == ["NAME", "CONTROLLER", "PARAMETERS", "AGE"]
    assert names("NetworkPolicy") == ["NAME", "POD-SELECTOR", "AGE"]
    assert names("EndpointSlice") == ["NAME", "ADDRESSTYPE", "PORTS", "ENDPOINTS", "AGE"]
    assert names("PodDisruptionBudget") == ["NAME", "MIN AVAILABLE", "MAX UNAVAILABLE",
                                            "ALLOWED DISRUPTIONS", "AGE"]
    assert names("RoleBinding") == ["NAME", "ROLE", "AGE", "USERS", "GROUPS", "SERVICEACCOUNTS"]
    assert names("ClusterRoleBinding") == names("RoleBinding")
    assert names("StorageClass") == ["NAME", "PROVISIONER", "RECLAIMPOLICY",
                                     "VOLUMEBINDINGMODE", "ALLOWVOLUMEEXPANSION", "AGE"]
    for kind in ("Role", "ClusterRole", "CustomResourceDefinition"):
        assert names(kind) == ["NAME", "CREATED AT"]


@pytest.mark.parametrize(("kind", "key", "cells", "health"), [
    ("Ingress", "ingress", ("web", "nginx", "shop.example.com,www.shop.example.com",
                            "172.18.0.2,172.18.0.3", "80, 443", "2d4h"), "ok"),
    ("Ingress", "ingress_pending", ("catch-all", "<none>", "*", "", "80", "2d4h"), "pending"),
    # rules without a host are skipped; the "more" count is of rules after the third host
    ("Ingress", "ingress_many_hosts",
     ("tenants", "nginx", "a.example.com,b.example.com,c.example.com + 3 more...",
      "k8s-shop-tenants-1a2b3c4d5e-1234567890.eu-west-1.elb.amazonaws.com", "80", "2d4h"), "ok"),
    ("Ingress", "ingress_three_hosts", ("trio", "nginx",
                                        "a.example.com,b.example.com,c.example.com",
                                        "172.18.0.3", "80", "2d4h"), "ok"),
    ("IngressClass", "ingressclass", ("nginx", "k8s.io/ingress-nginx", "<none>", "2d4h"), "ok"),
    ("IngressClass", "ingressclass_params", ("alb", "ingress.k8s.aws/alb",
                                             "IngressClassParams.elbv2.k8s.aws/alb-params",
                                             "2d4h"), "ok"),
    ("NetworkPolicy", "networkpolicy", ("allow-web", "app=web,tier=frontend", "2d4h"), "ok"),
    ("NetworkPolicy", "networkpolicy_all", ("default-deny", "<none>", "2d4h"), "ok"),
    ("EndpointSlice", "endpointslice", ("web-x7k2p", "IPv4", "8080,9090",
                                        "10.244.1.17,10.244.2.9,10.244.1.18 + 2 more...",
                                        "2d4h"), "ok"),
    ("EndpointSlice", "endpointslice_empty", ("placeholder-abcde", "IPv4", "<unset>", "<unset>",
                                              "2d4h"), "pending"),
    ("EndpointSlice", "endpointslice_named_ports", ("mixed-ports", "IPv6", "http,*,53 + 1 more...",
                                                    "fd00:10:244:1::11", "2d4h"), "ok"),
])
def test_network_rows(obj, now, kind, key, cells, health) -> None:
    row = render_row(kind, obj("networking", key), now)
    assert (row.cells, row.health) == (cells, health)


@pytest.mark.parametrize(("kind", "key", "cells", "health"), [
    ("PodDisruptionBudget", "pdb", ("web", "2", "N/A", "1", "2d4h"), "ok"),
    ("PodDisruptionBudget", "pdb_blocked", ("db", "N/A", "25%", "0", "2d4h"), "pending"),
    ("Role", "role", ("pod-reader", "2024-05-30T08:15:42Z"), "ok"),
    ("ClusterRole", "clusterrole", ("system:aggregate-to-view", "2024-03-01T09:00:00Z"), "ok"),
    ("RoleBinding", "rolebinding", ("read-pods", "Role/pod-reader", "2d4h", "jane@example.com, bob",
                                    "devs", "shop/deployer, tools/ci"), "ok"),
    ("ClusterRoleBinding", "clusterrolebinding", ("cluster-admin", "ClusterRole/cluster-admin",
                                                  "2d4h", "", "system:masters", ""), "ok"),
    ("StorageClass", "storageclass_default", ("standard (default)", "rancher.io/local-path",
                                              "Delete", "WaitForFirstConsumer", "false", "2d4h"),
     "ok"),
    ("StorageClass", "storageclass", ("fast", "pd.csi.storage.gke.io", "Retain", "Immediate",
                                      "true", "2d4h"), "ok"),
    # defaults for reclaim policy and binding mode; a "false" default annotation is no default
    ("StorageClass", "storageclass_bare", ("legacy", "kubernetes.io/no-provisioner", "Delete",
                                           "Immediate", "false", "2d4h"), "ok"),
    ("CustomResourceDefinition", "crd", ("certificates.cert-manager.io", "2024-04-12T16:20:05Z"),
     "ok"),
])
def test_cluster_rows(obj, now, kind, key, cells, health) -> None:
    row = render_row(kind, obj("cluster", key), now)
    assert (row.cells, row.health) == (cells, health)


def test_created_at_is_utc(obj, now) -> None:
    role = obj("cluster", "role")
    role["metadata"]["creationTimestamp"] = "2024-05-30T10:15:42+02:00"
    assert render_row("Role", role, now).cells[1] == "2024-05-30T08:15:42Z"
