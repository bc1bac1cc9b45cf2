"""core/v1 kinds: Node, Service, Namespace, ConfigMap, Secret, ServiceAccount, Endpoints,
PV, PVC, ResourceQuota, LimitRange, Event."""

from __future__ import annotations

import pytest

from kubetui.render import columns_for, render_row


def names(kind: str, group: str = "") -> list[str]:
    return [c.name for c in columns_for(kind, group)]


def wide(kind: str, group: str = "") -> list[str]:
    return [c.name for c in columns_for(kind, group) if c.priority]


def test_node_columns() -> None:
    assert names("Node") == ["NAME", "STATUS", "ROLES", "AGE", "VERSION", "INTERNAL-IP",
                             "EXTERNAL-IP", "OS-IMAGE", "KERNEL-VERSION", "CONTAINER-RUNTIME"]
    assert wide("Node") == names("Node")[5:]


def test_ready_control_plane_node(obj, now) -> None:
    row = render_row("Node", obj("nodes", "control_plane"), now)
    assert row.cells == ("kind-control-plane", "Ready", "control-plane", "92d", "v1.32.0",
                         "172.18.0.2", "<none>", "Debian GNU/Linux 12 (bookworm)",
                         "6.8.0-1015-gcp", "containerd://1.7.18")
    assert row.health == "ok"


def test_roles_from_both_label_forms_sorted_and_external_ip(obj, now) -> None:
    row = render_row("Node", obj("nodes", "worker"), now)
    assert row.cells[2] == "ingress,worker"
    assert row.cells[5:7] == ("172.18.0.3", "34.118.5.20")


@pytest.mark.parametrize(("key", "status", "health"), [
    ("not_ready", "NotReady", "failed"),
    ("cordoned", "Ready,SchedulingDisabled", "pending"),
    ("no_conditions", "Unknown", "failed"),
])
def test_node_status(obj, now, key, status, health) -> None:
    row = render_row("Node", obj("nodes", key), now)
    assert (row.cells[1], row.health) == (status, health)


def test_node_without_info_or_addresses(obj, now) -> None:
    row = render_row("Node", obj("nodes", "no_conditions"), now)
    assert row.cells[2:] == ("<none>", "92d", "", "<none>", "<none>", "<unknown>", "<unknown>",
                             "<unknown>")


def test_service_columns() -> None:
    assert names("Service") == ["NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE",
                                "SELECTOR"]
    assert wide("Service") == ["SELECTOR"]


@pytest.mark.parametrize(("key", "cells", "health"), [
    ("cluster_ip", ("web", "ClusterIP", "10.96.120.15", "<none>", "80/TCP,9090/TCP", "2d4h",
                    "app=web,tier=frontend"), "ok"),
    ("node_port", ("web-np", "NodePort", "10.96.44.8", "192.0.2.10",
                   "80:30080/TCP,53:30053/UDP", "2d4h", "app=web"), "ok"),
    ("lb_pending", ("web-lb", "LoadBalancer", "10.96.7.7", "<pending>", "443:31443/TCP",
                    "2d4h", "app=web"), "pending"),
    # sorted, de-duplicated, and not cut to 16 characters: the server prints wide
    ("lb_ready", ("web-lb2", "LoadBalancer", "10.96.7.8",
                  "203.0.113.49,203.0.113.50,"
                  "a1b2c3d4e5f6-1234567890.eu-west-1.elb.amazonaws.com",
                  "443:31444/TCP", "2d4h", "app=web"), "ok"),
    ("external_name", ("payments", "ExternalName", "<none>", "payments.example.net", "<none>",
                       "2d4h", "<none>"), "ok"),
    ("headless", ("db", "ClusterIP", "None", "<none>", "5432/TCP", "2d4h", "app=db"), "ok"),
    ("no_ports", ("placeholder", "ClusterIP", "10.96.1.2", "<none>", "<none>", "2d4h",
                  "<none>"), "ok"),
])
def test_service_rows(obj, now, key, cells, health) -> None:
    row = render_row("Service", obj("services", key), now)
    assert (row.cells, row.health) == (cells, health)


def test_load_balancer_external_ips_follow_its_addresses(obj, now) -> None:
    svc = obj("services", "lb_ready")
    svc["spec"]["externalIPs"] = ["192.0.2.1"]
    assert render_row("Service", svc, now).cells[3].endswith(".amazonaws.com,192.0.2.1")


@pytest.mark.parametrize(("kind", "key", "cells", "health"), [
    ("Namespace", "namespace", ("shop", "Active", "2d4h"), "ok"),
    ("Namespace", "namespace_terminating", ("old-shop", "Terminating", "2d4h"), "terminating"),
    ("ConfigMap", "configmap", ("web-config", "3", "45s"), "ok"),  # data + binaryData
    ("ConfigMap", "configmap_empty", ("empty", "0", "2d4h"), "ok"),
    ("Secret", "secret", ("registry-creds", "kubernetes.io/dockerconfigjson", "1", "2d4h"), "ok"),
    ("Secret", "secret_tls", ("web-tls", "kubernetes.io/tls", "3", "2d4h"), "ok"),
    ("ServiceAccount", "serviceaccount", ("deployer", "1", "2d4h"), "ok"),
    ("ServiceAccount", "serviceaccount_default", ("default", "0", "2d4h"), "ok"),
    ("Endpoints", "endpoints", ("web", "10.244.1.17:8080,10.244.2.9:8080", "2d4h"), "ok"),
    ("Endpoints", "endpoints_many",
     ("api", "10.244.1.20:8080,10.244.2.21:8080,10.244.1.20:9090 + 1 more...", "2d4h"), "ok"),
    ("Endpoints", "endpoints_headless", ("db", "10.244.1.40,fd00:10:244::28", "2d4h"), "ok"),
    ("Endpoints", "endpoints_ipv6", ("web-v6", "[fd00:10:244:1::11]:8080", "2d4h"), "ok"),
    ("Endpoints", "endpoints_none", ("placeholder", "<none>", "2d4h"), "pending"),
    ("Endpoints", "endpoints_not_ready", ("warming", "", "2d4h"), "pending"),
    ("LimitRange", "limitrange", ("defaults", "2024-05-30T08:15:42Z"), "ok"),
])
def test_simple_core_rows(obj, now, kind, key, cells, health) -> None:
    row = render_row(kind, obj("core", key), now)
    assert (row.cells, row.health) == (cells, health)


def test_simple_core_columns() -> None:
    assert names("Namespace") == ["NAME", "STATUS", "AGE"]
    assert names("ConfigMap") == ["NAME", "DATA", "AGE"]
    assert names("Secret") == ["NAME", "TYPE", "DATA", "AGE"]
    assert names("ServiceAccount") == ["NAME", "SECRETS", "AGE"]
    assert names("Endpoints") == ["NAME", "ENDPOINTS", "AGE"]
    assert names("ResourceQuota") == ["NAME", "REQUEST", "LIMIT", "AGE"]
    assert names("LimitRange") == ["NAME", "CREATED AT"]
    assert columns_for("LimitRange")[1].type == "date"


def test_persistent_volume_columns() -> None:
    assert names("PersistentVolume") == [
        "NAME", "CAPACITY", "ACCESS MODES", "RECLAIM POLICY", "STATUS", "CLAIM", "STORAGECLASS",
        "VOLUMEATTRIBUTESCLASS", "REASON", "AGE", "VOLUMEMODE"]
    assert wide("PersistentVolume") == ["VOLUMEMODE"]
    assert names("PersistentVolumeClaim") == [
        "NAME", "STATUS", "VOLUME", "CAPACITY", "ACCESS MODES", "STORAGECLASS",
        "VOLUMEATTRIBUTESCLASS", "AGE", "VOLUMEMODE"]
    assert columns_for("PersistentVolumeClaim")[3].sort == "quantity"


@pytest.mark.parametrize(("kind", "key", "cells", "health"), [
    # access modes in kubectl's fixed order, whatever the spec's order
    ("PersistentVolume", "pv", ("pvc-3f1e2d4c-5b6a-4789-8c0d-1e2f3a4b5c6d", "10Gi", "RWO,RWX",
                                "Delete", "Bound", "shop/data-db-0", "standard", "<unset>", "",
                                "2d4h", "Filesystem"), "ok"),
    # the beta storage-class annotation wins over spec.storageClassName
    ("PersistentVolume", "pv_failed", ("nfs-archive", "500Gi", "ROX", "Recycle", "Failed", "",
                                       "nfs-legacy", "gold", "VolumeFailedRecycle", "2d4h",
                                       "<unset>"), "failed"),
    ("PersistentVolumeClaim", "pvc", ("data-db-0", "Bound",
                                      "pvc-3f1e2d4c-5b6a-4789-8c0d-1e2f3a4b5c6d", "10Gi", "RWO",
                                      "standard", "<unset>", "2d4h", "Filesystem"), "ok"),
    # capacity and access modes only once bound
    ("PersistentVolumeClaim", "pvc_pending", ("scratch", "Pending", "", "", "", "fast",
                                              "<unset>", "2d4h", "Block"), "pending"),
    ("PersistentVolumeClaim", "pvc_terminating", ("old-data", "Terminating", "pvc-aaaa", "0",
                                                  "RWO", "", "<unset>", "2d4h", "Filesystem"),
     "terminating"),
])
def test_volume_rows(obj, now, kind, key, cells, health) -> None:
    row = render_row(kind, obj("core", key), now)
    assert (row.cells, row.health) == (cells, health)


def test_resource_quota_splits_requests_and_limits(obj, now) -> None:
    row = render_row("ResourceQuota", obj("core", "resourcequota"), now)
    assert row.cells == ("compute", "pods: 6/20, requests.cpu: 600m/2, requests.memory: 0/4Gi",
                         "limits.cpu: 1500m/4, limits.memory: 1536Mi/8Gi", "2d4h")


def test_event_columns() -> None:
    assert names("Event") == ["LAST SEEN", "TYPE", "REASON", "OBJECT", "SUBOBJECT", "SOURCE",
                              "MESSAGE", "FIRST SEEN", "COUNT", "NAME"]
    assert [c.name for c in columns_for("Event") if not c.priority] == [
        "LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"]
    assert names("Event", "events.k8s.io") == names("Event")


@pytest.mark.parametrize(("key", "group", "cells", "health"), [
    ("normal", "", ("40s", "Normal", "Pulled", "pod/web-7c9d8f6b5d-x2kfp",
                    "spec.containers{app}", "kubelet, kind-worker",
                    'Container image "registry.example.com/shop/app:1.4.2" already present on '
                    "machine", "40s", "1", "web-7c9d8f6b5d-x2kfp.17d4c0b1a2b3c4d5"),
     "ok"),
    # the trailing newline of the message is trimmed
    ("warning", "", ("2m30s", "Warning", "BackOff", "pod/web-7c9d8f6b5d-crash",
                     "spec.containers{app}", "kubelet, kind-worker",
                     "Back-off restarting failed container app in pod "
                     "web-7c9d8f6b5d-crash_shop(6a1c)", "118m", "512",
                     "web-7c9d8f6b5d-crash.17d4c0b1a2b3c4d6"), "failed"),
    # a series: LAST SEEN and COUNT from it, FIRST SEEN from eventTime, source from reporting*
    ("scheduler", "", ("59s", "Warning", "FailedScheduling", "pod/web-7c9d8f6b5d-unsch", "",
                       "default-scheduler, default-scheduler-kind-control-plane",
                       "0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are "
                       "available: 3 No preemption victims found for incoming pod.", "9m59s",
                       "14", "web-7c9d8f6b5d-unsch.17d4c0b1a2b3c4d7"), "failed"),
    ("cluster_scoped", "", ("3h", "Normal", "NodeReady", "node/kind-worker", "",
                            "kubelet, kind-worker", "Node kind-worker status is now: NodeReady",
                            "3h", "1", "kind-worker.17d4c0b1a2b3c4d8"), "ok"),
    ("events_k8s_io", "events.k8s.io", ("15m", "Normal", "ScalingReplicaSet", "deployment/web",
                                        "", "deployment-controller",
                                        "Scaled up replica set web-7c9d8f6b5d to 3 from 1",
                                        "20m", "2", "web.17d4c0b1a2b3c4d9"), "ok"),
])
def test_event_rows(obj, now, key, group, cells, health) -> None:
    row = render_row("Event", obj("events", key), now, group)
    assert (row.cells, row.health) == (cells, health)


def test_event_without_involved_name(obj, now) -> None:
    event = obj("events", "cluster_scoped")
    del event["involvedObject"]["name"]
    assert render_row("Event", event, now).cells[3] == "node"
