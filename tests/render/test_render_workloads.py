"""apps/v1, batch/v1 and HPA rows."""

from __future__ import annotations

from datetime import timedelta

import pytest

from kubetui.render import columns_for, render_row

WEB_CONTAINERS = ("app,metrics",
                  "registry.example.com/shop/app:1.4.2,prom/statsd-exporter:v0.26.0")


def names(kind: str) -> list[str]:
    return [c.name for c in columns_for(kind)]


def test_workload_columns() -> None:
    assert names("Deployment") == ["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE",
                                   "CONTAINERS", "IMAGES", "SELECTOR"]
    assert names("ReplicaSet") == ["NAME", "DESIRED", "CURRENT", "READY", "AGE", "CONTAINERS",
                                   "IMAGES", "SELECTOR"]
    assert names("StatefulSet") == ["NAME", "READY", "AGE", "CONTAINERS", "IMAGES"]
    assert names("DaemonSet") == ["NAME", "DESIRED", "CURRENT", "READY", "UP-TO-DATE",
                                  "AVAILABLE", "NODE SELECTOR", "AGE", "CONTAINERS", "IMAGES",
                                  "SELECTOR"]
    assert names("ControllerRevision") == ["NAME", "CONTROLLER", "REVISION", "AGE"]
    assert [c.priority for c in columns_for("Deployment")] == [0, 0, 0, 0, 0, 1, 1, 1]
    assert [c.type for c in columns_for("ReplicaSet")][1:4] == ["integer"] * 3


@pytest.mark.parametrize(("key", "cells", "health"), [
    ("deployment", ("web", "3/3", "3", "3", "2d4h", *WEB_CONTAINERS, "app=web"), "ok"),
    # a rollout under way: old pods still counted in status.replicas
    ("deployment_rolling", ("api", "3/3", "2", "3", "2d4h", *WEB_CONTAINERS,
                            "app=api,!canary,env,tier in (backend,frontend),zone notin (z2)"),
     "pending"),
    ("deployment_unavailable", ("worker", "1/2", "2", "1", "2d4h", *WEB_CONTAINERS,
                                "app=worker"), "pending"),
    ("deployment_deadline", ("billing", "1/2", "1", "1", "2d4h", *WEB_CONTAINERS,
                             "app=billing"), "failed"),
    ("deployment_scaled_zero", ("batch-ui", "0/0", "0", "0", "2d4h", *WEB_CONTAINERS,
                                "app=batch-ui"), "ok"),
])
def test_deployment_rows(obj, now, key, cells, health) -> None:
    row = render_row("Deployment", obj("apps", key), now)
    assert (row.cells, row.health) == (cells, health)


def test_deployment_without_replicas_defaults_to_one(obj, now) -> None:
    deploy = obj("apps", "deployment")
    del deploy["spec"]["replicas"]
    assert render_row("Deployment", deploy, now).cells[1] == "3/1"


def test_deployment_with_a_bad_selector_operator(obj, now) -> None:
    deploy = obj("apps", "deployment")
    deploy["spec"]["selector"]["matchExpressions"] = [{"key": "a", "operator": "Near"}]
    assert render_row("Deployment", deploy, now).cells[7] == "<invalid>"


@pytest.mark.parametrize(("kind", "key", "cells", "health"), [
    ("ReplicaSet", "replicaset", ("web-7c9d8f6b5d", "3", "3", "2", "120m", *WEB_CONTAINERS,
                                  "app=web,pod-template-hash=7c9d8f6b5d"), "pending"),
    ("ReplicaSet", "replicaset_old", ("web-5f8d9c7b6a", "0", "0", "0", "2d4h", "app",
                                      "registry.example.com/shop/app:1.4.2",
                                      "app=web,pod-template-hash=5f8d9c7b6a"), "ok"),
    ("StatefulSet", "statefulset", ("db", "2/3", "2d4h", "postgres", "postgres:16.3"),
     "pending"),
    ("DaemonSet", "daemonset", ("kube-proxy", "4", "4", "4", "4", "4", "kubernetes.io/os=linux",
                                "92d", "kube-proxy", "registry.k8s.io/kube-proxy:v1.32.0",
                                "k8s-app=kube-proxy"), "ok"),
    ("DaemonSet", "daemonset_degraded", ("node-exporter", "4", "3", "2", "3", "2", "<none>",
                                         "2d4h", "node-exporter,kube-rbac-proxy",
                                         "quay.io/prometheus/node-exporter:v1.8.1,"
                                         "quay.io/brancz/kube-rbac-proxy:v0.18.0",
                                         "app=node-exporter"), "pending"),
    ("ControllerRevision", "controllerrevision", ("db-6b8d7c9f5", "statefulset.apps/db", "2",
                                                  "2d4h"), "ok"),
    ("ControllerRevision", "controllerrevision_orphan", ("lonely-1", "<none>", "1", "2d4h"),
     "ok"),
])
def test_apps_rows(obj, now, kind, key, cells, health) -> None:
    row = render_row(kind, obj("apps", key), now, "apps")
    assert (row.cells, row.health) == (cells, health)


def test_controller_revision_owned_by_a_core_kind(obj, now) -> None:
    rev = obj("apps", "controllerrevision")
    rev["metadata"]["ownerReferences"][0].update(apiVersion="v1", kind="Pod")
    assert render_row("ControllerRevision", rev, now).cells[1] == "pod/db"


def test_batch_columns() -> None:
    assert names("Job") == ["NAME", "STATUS", "COMPLETIONS", "DURATION", "AGE", "CONTAINERS",
                            "IMAGES", "SELECTOR"]
    assert names("CronJob") == ["NAME", "SCHEDULE", "TIMEZONE", "SUSPEND", "ACTIVE",
                                "LAST SCHEDULE", "AGE", "CONTAINERS", "IMAGES", "SELECTOR"]
    assert [c.name for c in columns_for("Job") if c.age] == ["DURATION", "AGE"]


JOB_WIDE = ("report", "registry.example.com/shop/report:2.0",
            "batch.kubernetes.io/controller-uid=5e6f7a8b-1c2d-4e3f-9a0b-1c2d3e4f5a6b")


@pytest.mark.parametrize(("key", "cells", "health"), [
    ("job_complete", ("report-28633920", "Complete", "1/1", "4m12s", "60m"), "done"),
    ("job_running_parallel", ("crawl", "Running", "0/1 of 4", "10m", "60m"), "ok"),
    ("job_running_single", ("crawl-one", "Running", "0/1", "90s", "60m"), "ok"),
    ("job_failed", ("import", "Failed", "2/5", "60m", "60m"), "failed"),
    ("job_failure_target", ("import-2", "FailureTarget", "0/1", "5m", "60m"), "failed"),
    ("job_suspended", ("nightly", "Suspended", "0/1", "", "60m"), "pending"),
    ("job_terminating", ("cleanup", "Terminating", "0/1", "30m", "60m"), "terminating"),
])
def test_job_rows(obj, now, key, cells, health) -> None:
    row = render_row("Job", obj("batch", key), now, "batch")
    assert (row.cells, row.health) == ((*cells, *JOB_WIDE), health)


def test_running_job_duration_grows_finished_one_does_not(obj, now) -> None:
    later = now + timedelta(minutes=30)
    assert render_row("Job", obj("batch", "job_running_parallel"), later).cells[3] == "40m"
    assert render_row("Job", obj("batch", "job_complete"), later).cells[3] == "4m12s"


@pytest.mark.parametrize(("key", "cells", "health"), [
    ("cronjob", ("report", "*/15 * * * *", "Europe/Paris", "False", "1", "15m", "31d", "report",
                 "registry.example.com/shop/report:2.0", "<none>"), "ok"),
    ("cronjob_suspended", ("archive", "0 3 * * *", "<none>", "True", "0", "<none>", "2d4h",
                           "archive", "alpine:3.20", "team=data"), "pending"),
])
def test_cronjob_rows(obj, now, key, cells, health) -> None:
    row = render_row("CronJob", obj("batch", key), now, "batch")
    assert (row.cells, row.health) == (cells, health)


def test_cronjob_without_suspend(obj, now) -> None:
    cj = obj("batch", "cronjob")
    del cj["spec"]["suspend"]
    assert render_row("CronJob", cj, now).cells[3] == "<unset>"


def test_hpa_columns() -> None:
    assert names("HorizontalPodAutoscaler") == ["NAME", "REFERENCE", "TARGETS", "MINPODS",
                                                "MAXPODS", "REPLICAS", "AGE"]


@pytest.mark.parametrize(("key", "cells", "health"), [
    ("cpu_and_memory", ("web", "Deployment/web", "cpu: 45%/80%, memory: 312Mi/500Mi", "2", "10",
                        "3", "2d4h"), "ok"),
    ("unknown", ("api", "Deployment/api", "cpu: <unknown>/60%", "<unset>", "5", "1", "2d4h"),
     "failed"),
    # Pods and Object metrics, and only two shown
    ("many", ("queue", "Deployment/queue", "866m/1k, 12k/10k + 1 more...", "1", "20", "4",
              "2d4h"), "ok"),
    ("external_and_container", ("ingest", "Deployment/ingest", "87/100, cpu: 35%/70%", "1", "8",
                                "2", "2d4h"), "ok"),
    ("v1", ("legacy", "Deployment/legacy", "cpu: 12%/75%", "1", "4", "1", "2d4h"), "ok"),
])
def test_hpa_rows(obj, now, key, cells, health) -> None:
    row = render_row("HorizontalPodAutoscaler", obj("autoscaling", key), now, "autoscaling")
    assert (row.cells, row.health) == (cells, health)


def test_hpa_average_value_metrics(obj, now) -> None:
    hpa = obj("autoscaling", "many")
    hpa["spec"]["metrics"] = [hpa["spec"]["metrics"][2], {
        "type": "Object", "object": {"metric": {"name": "rps"}, "describedObject": {
            "kind": "Service", "name": "web"}, "target": {"type": "AverageValue",
                                                          "averageValue": "50"}}}]
    hpa["status"]["currentMetrics"] = hpa["status"]["currentMetrics"][2:]
    assert render_row("HorizontalPodAutoscaler", hpa, now).cells[2] == (
        "25/30 (avg), <unknown>/50 (avg)")


def test_hpa_without_metrics_and_unknown_type(obj, now) -> None:
    hpa = obj("autoscaling", "cpu_and_memory")
    hpa["spec"]["metrics"] = []
    assert render_row("HorizontalPodAutoscaler", hpa, now).cells[2] == "<none>"
    hpa["spec"]["metrics"] = [{"type": "Telepathy"}]
    assert render_row("HorizontalPodAutoscaler", hpa, now).cells[2] == "<unknown type>"


def test_hpa_utilization_target_left_to_default(obj, now) -> None:
    hpa = obj("autoscaling", "unknown")
    del hpa["spec"]["metrics"][0]["resource"]["target"]["averageUtilization"]
    assert render_row("HorizontalPodAutoscaler", hpa, now).cells[2] == "cpu: <unknown>/<auto>"
