"""to_table: the meta.k8s.io/v1 Table the sandbox serves to `kubectl get`."""

from __future__ import annotations

import json

import pytest

from kubetui.render import to_table


def test_pod_table_shape(obj, now) -> None:
    pods = [obj("pods", "running"), obj("pods", "completed")]
    table = to_table("Pod", pods, now)
    assert (table["kind"], table["apiVersion"]) == ("Table", "meta.k8s.io/v1")
    definitions = table["columnDefinitions"]
    assert [d["name"] for d in definitions] == ["Name", "Ready", "Status", "Restarts", "Age",
                                               "IP", "Node", "Nominated Node", "Readiness Gates"]
    assert definitions[0] == {"name": "Name", "type": "string", "format": "name",
                              "description": definitions[0]["description"], "priority": 0}
    assert definitions[0]["description"]
    assert [d["priority"] for d in definitions] == [0, 0, 0, 0, 0, 1, 1, 1, 1]
    first, second = table["rows"]
    assert first["cells"] == ["web-7c9d8f6b5d-x2kfp", "2/2", "Running", "3 (5m12s ago)", "120m",
                              "10.244.1.17", "worker-1", "<none>", "<none>"]
    assert "conditions" not in first
    assert second["conditions"] == [{"type": "Completed", "status": "True",
                                     "reason": "Succeeded",
                                     "message": "The pod has completed successfully."}]


def test_rows_carry_partial_object_metadata_by_default(obj, now) -> None:
    pod = obj("pods", "running")
    row = to_table("Pod", [pod], now)["rows"][0]
    assert row["object"] == {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1",
                             "metadata": pod["metadata"]}
    assert row["object"]["metadata"]["namespace"] == "shop"


def test_include_object(obj, now) -> None:
    pod = obj("pods", "running")
    assert to_table("Pod", [pod], now, include_object="Object")["rows"][0]["object"] == pod
    assert to_table("Pod", [pod], now, include_object="None")["rows"][0]["object"] is None
    with pytest.raises(ValueError):
        to_table("Pod", [pod], now, include_object="Everything")


def test_without_wide_columns(obj, now) -> None:
    table = to_table("Pod", [obj("pods", "running")], now, wide_all=False)
    assert [d["name"] for d in table["columnDefinitions"]] == ["Name", "Ready", "Status",
                                                               "Restarts", "Age"]
    assert table["rows"][0]["cells"] == ["web-7c9d8f6b5d-x2kfp", "2/2", "Running",
                                         "3 (5m12s ago)", "120m"]


def test_integer_columns_carry_ints(obj, now) -> None:
    cells = to_table("ReplicaSet", [obj("apps", "replicaset")], now, "apps")["rows"][0]["cells"]
    assert cells[1:4] == [3, 3, 2]
    assert all(type(c) is int for c in cells[1:4])
    cells = to_table("DaemonSet", [obj("apps", "daemonset")], now, "apps")["rows"][0]["cells"]
    assert cells[1:6] == [4, 4, 4, 4, 4]
    cells = to_table("CronJob", [obj("batch", "cronjob")], now, "batch")["rows"][0]["cells"]
    assert cells[3:5] == ["False", 1]  # SUSPEND is typed boolean but sent as a string


def test_cells_keep_the_servers_json_types(obj, now) -> None:
    """Some string-typed columns carry numbers or a bool, exactly as the real server sends."""
    deploy = to_table("Deployment", [obj("apps", "deployment")], now)["rows"][0]["cells"]
    assert deploy[1:4] == ["3/3", 3, 3]
    secret = to_table("Secret", [obj("core", "secret")], now)["rows"][0]["cells"]
    assert secret[2] == 1
    storage = to_table("StorageClass", [obj("cluster", "storageclass")], now)
    assert storage["rows"][0]["cells"][4] is True
    hpa = to_table("HorizontalPodAutoscaler", [obj("autoscaling", "cpu_and_memory")], now)
    assert hpa["rows"][0]["cells"][3:6] == ["2", 10, 3]
    assert json.loads(json.dumps(storage))["rows"][0]["cells"][4] is True


def test_custom_resource_table(obj, now) -> None:
    columns = obj("cluster", "crd")["spec"]["versions"][0]["additionalPrinterColumns"]
    certs = [obj("custom", "certificate"), obj("custom", "certificate_no_status")]
    table = to_table("Certificate", certs, now, "cert-manager.io", printer_columns=columns)
    assert [d["name"] for d in table["columnDefinitions"]] == ["Name", "Ready", "Secret",
                                                               "Issuer", "Status", "Age"]
    assert table["columnDefinitions"][5]["type"] == "date"
    assert table["rows"][1]["cells"] == ["fresh", None, "fresh-tls", "letsencrypt", None, "2s"]


def test_custom_number_columns(obj, now) -> None:
    columns = [{"name": "Size", "type": "integer", "jsonPath": ".spec.size"},
               {"name": "Weight", "type": "number", "jsonPath": ".spec.weight"},
               {"name": "Enabled", "type": "boolean", "jsonPath": ".spec.enabled"}]
    cells = to_table("Widget", [obj("custom", "widget")], now, "example.com",
                     printer_columns=columns)["rows"][0]["cells"]
    assert cells == ["gizmo", 3, 2.0, True]
    assert type(cells[2]) is float


def test_kind_without_printer_gets_name_and_age(obj, now) -> None:
    table = to_table("Widget", [obj("custom", "widget")], now, "example.com")
    assert [(d["name"], d["type"]) for d in table["columnDefinitions"]] == [
        ("Name", "string"), ("Age", "date")]
    assert table["rows"][0]["cells"] == ["gizmo", "24h"]


def test_default_table_for_roles(obj, now) -> None:
    table = to_table("Role", [obj("cluster", "role")], now, "rbac.authorization.k8s.io")
    assert [(d["name"], d["type"]) for d in table["columnDefinitions"]] == [
        ("Name", "string"), ("Created At", "date")]
    assert table["rows"][0]["cells"] == ["pod-reader", "2024-05-30T08:15:42Z"]


def test_empty_list(now) -> None:
    table = to_table("Service", [], now)
    assert table["rows"] == []
    assert [d["name"] for d in table["columnDefinitions"]][:2] == ["Name", "Type"]
