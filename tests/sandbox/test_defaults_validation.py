"""Server defaults (checked against kubernetes-asyncio's typed models) and validation."""

from __future__ import annotations

import copy
from datetime import datetime
from typing import Any

import pytest
from kubernetes_asyncio.client import ApiClient

from kubetui.sandbox.apiserver.defaults import apply_defaults, qos_class
from kubetui.sandbox.apiserver.validation import validate
from kubetui.sandbox.cron import parse_schedule
from kubetui.sandbox.errors import ApiError
from kubetui.sandbox.selectors import selector_matches


def container(name: str = "c", image: str = "nginx:1.25", **kw: Any) -> dict[str, Any]:
    return {"name": name, "image": image, **kw}


def pod(**spec: Any) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "default"},
            "spec": {"containers": [container()], **spec}}


def deployment(**spec: Any) -> dict[str, Any]:
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
            "spec": {"selector": {"matchLabels": {"app": "web"}},
                     "template": {"metadata": {"labels": {"app": "web"}},
                                  "spec": {"containers": [container()]}}, **spec}}


def job(restart: str = "Never") -> dict[str, Any]:
    return {"apiVersion": "batch/v1", "kind": "Job",
            "metadata": {"name": "j", "uid": "u-1"},
            "spec": {"template": {"spec": {"restartPolicy": restart,
                                           "containers": [container()]}}}}


def cron_job(schedule: str = "*/5 * * * *") -> dict[str, Any]:
    return {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "cj"},
            "spec": {"schedule": schedule, "jobTemplate": {"spec": {"template": {"spec": {
                "restartPolicy": "OnFailure", "containers": [container()]}}}}}}


SAMPLES: list[tuple[str, str, dict[str, Any]]] = [
    ("Pod", "V1Pod", pod()),
    ("Deployment", "V1Deployment", deployment()),
    ("Service", "V1Service", {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"},
                              "spec": {"selector": {"app": "web"}, "ports": [{"port": 80}]}}),
    ("Namespace", "V1Namespace", {"apiVersion": "v1", "kind": "Namespace",
                                  "metadata": {"name": "team-a"}}),
    ("Job", "V1Job", job()),
    ("CronJob", "V1CronJob", cron_job()),
    ("StatefulSet", "V1StatefulSet", deployment(serviceName="web") | {"kind": "StatefulSet"}),
    ("DaemonSet", "V1DaemonSet", deployment() | {"kind": "DaemonSet"}),
    ("ReplicaSet", "V1ReplicaSet", deployment() | {"kind": "ReplicaSet"}),
    ("PersistentVolumeClaim", "V1PersistentVolumeClaim", {
        "metadata": {"name": "data"}, "spec": {"accessModes": ["ReadWriteOnce"],
                                               "resources": {"requests": {"storage": "1Gi"}}}}),
    ("Secret", "V1Secret", {"metadata": {"name": "s"}, "data": {"k": "dg=="}}),
]


@pytest.mark.parametrize(("kind", "model", "obj"), SAMPLES, ids=[s[0] for s in SAMPLES])
async def test_defaulted_objects_are_valid_and_deserialize(kind: str, model: str,
                                                           obj: dict[str, Any]) -> None:
    before = copy.deepcopy(obj)
    out = apply_defaults(kind, obj)
    assert obj == before  # input untouched
    validate(kind, out)
    async with ApiClient() as api:
        typed = api._ApiClient__deserialize(out, model)  # type: ignore[attr-defined]
    assert type(typed).__name__ == model


def test_pod_defaults() -> None:
    out = apply_defaults("Pod", pod())
    spec = out["spec"]
    assert (spec["restartPolicy"], spec["dnsPolicy"], spec["schedulerName"]) == \
        ("Always", "ClusterFirst", "default-scheduler")
    assert spec["terminationGracePeriodSeconds"] == 30
    assert spec["securityContext"] == {}
    assert spec["enableServiceLinks"] is True
    assert (spec["serviceAccountName"], spec["serviceAccount"]) == ("default", "default")
    assert (spec["priority"], spec["preemptionPolicy"]) == (0, "PreemptLowerPriority")
    assert {t["key"] for t in spec["tolerations"]} == {"node.kubernetes.io/not-ready",
                                                        "node.kubernetes.io/unreachable"}
    c = spec["containers"][0]
    assert c["terminationMessagePath"] == "/dev/termination-log"
    assert c["terminationMessagePolicy"] == "File"
    assert c["imagePullPolicy"] == "IfNotPresent"
    assert c["resources"] == {}
    assert out["status"] == {"phase": "Pending", "qosClass": "BestEffort"}


@pytest.mark.parametrize(("image", "policy"), [
    ("nginx", "Always"), ("nginx:latest", "Always"), ("nginx:1.25", "IfNotPresent"),
    ("localhost:5000/app", "Always"), ("localhost:5000/app:v1", "IfNotPresent"),
    ("nginx@sha256:abc", "IfNotPresent"),
])
def test_image_pull_policy(image: str, policy: str) -> None:
    out = apply_defaults("Pod", pod(containers=[container(image=image)]))
    assert out["spec"]["containers"][0]["imagePullPolicy"] == policy


def test_explicit_values_are_kept_and_ports_probes_defaulted() -> None:
    probe = {"httpGet": {"port": 80}}
    out = apply_defaults("Pod", pod(restartPolicy="Never", containers=[container(
        imagePullPolicy="Never", ports=[{"containerPort": 53, "protocol": "UDP"},
                                        {"containerPort": 80}], readinessProbe=probe)]))
    c = out["spec"]["containers"][0]
    assert out["spec"]["restartPolicy"] == "Never"
    assert c["imagePullPolicy"] == "Never"
    assert [p["protocol"] for p in c["ports"]] == ["UDP", "TCP"]
    assert c["readinessProbe"]["periodSeconds"] == 10
    assert c["readinessProbe"]["httpGet"]["scheme"] == "HTTP"


def test_qos_classes() -> None:
    guaranteed = container(resources={"limits": {"cpu": "1", "memory": "1Gi"}})
    burstable = container(resources={"requests": {"cpu": "100m"}})
    out = apply_defaults("Pod", pod(containers=[guaranteed]))
    assert out["status"]["qosClass"] == "Guaranteed"
    assert out["spec"]["containers"][0]["resources"]["requests"] == {"cpu": "1", "memory": "1Gi"}
    assert qos_class({"containers": [burstable]}) == "Burstable"
    assert qos_class({"containers": [guaranteed, container()]}) == "Burstable"
    assert qos_class({"containers": [container(resources={
        "requests": {"cpu": "1000m", "memory": "1Gi"},
        "limits": {"cpu": "1", "memory": "1Gi"}})]}) == "Guaranteed"


def test_workload_defaults() -> None:
    spec = apply_defaults("Deployment", deployment())["spec"]
    assert spec["replicas"] == 1
    assert spec["strategy"] == {"type": "RollingUpdate",
                                "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": "25%"}}
    assert (spec["revisionHistoryLimit"], spec["progressDeadlineSeconds"]) == (10, 600)
    assert spec["template"]["spec"]["restartPolicy"] == "Always"
    assert "serviceAccountName" not in spec["template"]["spec"]  # admission is for pods
    recreate = apply_defaults("Deployment", deployment(strategy={"type": "Recreate"}))
    assert recreate["spec"]["strategy"] == {"type": "Recreate"}
    sts = apply_defaults("StatefulSet", deployment())["spec"]
    assert sts["podManagementPolicy"] == "OrderedReady"
    assert sts["updateStrategy"] == {"type": "RollingUpdate", "rollingUpdate": {"partition": 0}}
    assert sts["persistentVolumeClaimRetentionPolicy"] == {"whenDeleted": "Retain",
                                                           "whenScaled": "Retain"}
    ds = apply_defaults("DaemonSet", deployment())["spec"]
    assert ds["updateStrategy"] == {"type": "RollingUpdate",
                                    "rollingUpdate": {"maxUnavailable": 1, "maxSurge": 0}}
    assert "replicas" not in ds


def test_job_defaults_and_generated_selector() -> None:
    out = apply_defaults("Job", job())
    spec = out["spec"]
    assert (spec["completions"], spec["parallelism"], spec["backoffLimit"]) == (1, 1, 6)
    assert (spec["completionMode"], spec["suspend"], spec["manualSelector"]) == \
        ("NonIndexed", False, False)
    labels = spec["template"]["metadata"]["labels"]
    assert labels["batch.kubernetes.io/controller-uid"] == "u-1"
    assert labels["controller-uid"] == "u-1"
    assert labels["job-name"] == labels["batch.kubernetes.io/job-name"] == "j"
    assert spec["selector"] == {"matchLabels": {"batch.kubernetes.io/controller-uid": "u-1"}}
    assert selector_matches(spec["selector"], labels)
    assert out["metadata"]["labels"] == labels
    parallel = apply_defaults("Job", job() | {"spec": job()["spec"] | {"parallelism": 3}})
    assert parallel["spec"]["parallelism"] == 3
    assert "completions" not in parallel["spec"]
    no_uid = apply_defaults("Job", {"metadata": {"name": "x"}, "spec": job()["spec"]})
    assert no_uid["metadata"]["uid"] == \
        no_uid["spec"]["selector"]["matchLabels"]["batch.kubernetes.io/controller-uid"]


def test_cron_job_service_namespace_and_other_defaults() -> None:
    cj = apply_defaults("CronJob", cron_job())["spec"]
    assert (cj["concurrencyPolicy"], cj["suspend"]) == ("Allow", False)
    assert (cj["successfulJobsHistoryLimit"], cj["failedJobsHistoryLimit"]) == (3, 1)
    assert cj["jobTemplate"]["spec"]["backoffLimit"] == 6
    svc = apply_defaults("Service", {"metadata": {"name": "s"}, "spec": {
        "ports": [{"port": 80}, {"port": 53, "protocol": "UDP", "targetPort": "dns"}]}})["spec"]
    assert (svc["type"], svc["sessionAffinity"]) == ("ClusterIP", "None")
    assert svc["ports"] == [{"port": 80, "protocol": "TCP", "targetPort": 80},
                            {"port": 53, "protocol": "UDP", "targetPort": "dns"}]
    assert (svc["ipFamilies"], svc["ipFamilyPolicy"], svc["internalTrafficPolicy"]) == \
        (["IPv4"], "SingleStack", "Cluster")
    assert "clusterIP" not in svc
    ns = apply_defaults("Namespace", {"metadata": {"name": "team-a"}})
    assert ns["spec"] == {"finalizers": ["kubernetes"]}
    assert ns["status"] == {"phase": "Active"}
    assert ns["metadata"]["labels"] == {"kubernetes.io/metadata.name": "team-a"}
    assert apply_defaults("Secret", {"metadata": {"name": "s"}})["type"] == "Opaque"
    pvc = apply_defaults("PersistentVolumeClaim", {"metadata": {"name": "d"}, "spec": {}})
    assert (pvc["spec"]["volumeMode"], pvc["status"]["phase"]) == ("Filesystem", "Pending")
    hpa = apply_defaults("HorizontalPodAutoscaler", {"metadata": {"name": "h"}, "spec": {}})
    assert hpa["spec"]["minReplicas"] == 1
    assert apply_defaults("Widget", {"spec": {"a": 1}}) == {"metadata": {}, "spec": {"a": 1}}


# ----- validation --------------------------------------------------------------------


def causes(kind: str, obj: dict[str, Any], defaults: bool = True) -> dict[str, str]:
    with pytest.raises(ApiError) as e:
        validate(kind, apply_defaults(kind, obj) if defaults else obj, "apps"
                 if kind in ("Deployment", "StatefulSet") else "")
    assert e.value.code == 422
    assert e.value.reason == "Invalid"
    return {c["field"]: c["reason"] + " " + c["message"] for c in e.value.details["causes"]}


def test_names() -> None:
    assert causes("ConfigMap", {"metadata": {}}) == {
        "metadata.name": "FieldValueRequired Required value: name or generateName is required"}
    validate("ConfigMap", {"metadata": {"generateName": "cm-"}})
    found = causes("ConfigMap", {"metadata": {"name": "Bad_Name"}})
    assert found["metadata.name"].startswith(
        'FieldValueInvalid Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain')
    assert "RFC 1123 label" in causes("Namespace", {"metadata": {"name": "a.b"}})[
        "metadata.name"]
    assert "DNS-1035" in causes("Service", {"metadata": {"name": "1svc"}, "spec": {
        "ports": [{"port": 80}]}})["metadata.name"]
    validate("Widget", {"metadata": {"name": "ok"}, "spec": {"anything": True}})
    assert "metadata.name" in causes("Widget", {"metadata": {}})
    assert "metadata.labels" in causes("ConfigMap", {"metadata": {
        "name": "x", "labels": {"app": "not ok!"}}})


def test_pod_rules() -> None:
    assert causes("Pod", pod(containers=[]))["spec.containers"] == \
        "FieldValueRequired Required value"
    found = causes("Pod", pod(containers=[{"image": "x"}, {"name": "c"}]))
    assert found["spec.containers[0].name"] == "FieldValueRequired Required value"
    assert found["spec.containers[1].image"] == "FieldValueRequired Required value"
    found = causes("Pod", pod(containers=[container(), container()]))
    assert found["spec.containers[1].name"] == 'FieldValueDuplicate Duplicate value: "c"'
    found = causes("Pod", pod(containers=[container(
        volumeMounts=[{"name": "data", "mountPath": "/d"}])]))
    assert found["spec.containers[0].volumeMounts[0].name"] == \
        'FieldValueNotFound Not found: "data"'
    found = causes("Pod", pod(restartPolicy="Sometimes"))
    assert found["spec.restartPolicy"].startswith("FieldValueNotSupported Unsupported value")
    found = causes("Pod", pod(containers=[container(ports=[{"containerPort": 70000}])]))
    assert "must be between 1 and 65535" in found["spec.containers[0].ports[0].containerPort"]
    found = causes("Pod", pod(containers=[container(resources={
        "requests": {"cpu": "2"}, "limits": {"cpu": "1"}})]))
    assert "must be less than or equal to cpu limit" in \
        found["spec.containers[0].resources.requests"]


def test_workload_rules() -> None:
    no_selector = deployment()
    del no_selector["spec"]["selector"]
    assert causes("Deployment", no_selector)["spec.selector"] == \
        "FieldValueRequired Required value"
    found = causes("Deployment", deployment(selector={"matchLabels": {"app": "other"}}))
    assert found["spec.template.metadata.labels"] == (
        'FieldValueInvalid Invalid value: map[string]string{"app":"web"}: '
        "`selector` does not match template `labels`")
    assert "empty selector" in causes("Deployment", deployment(selector={}))["spec.selector"]
    assert "greater than or equal to 0" in causes("Deployment", deployment(replicas=-1))[
        "spec.replicas"]
    found = causes("Deployment", deployment(strategy={
        "type": "RollingUpdate", "rollingUpdate": {"maxSurge": 0, "maxUnavailable": 0}}))
    assert "may not be 0" in found["spec.strategy.rollingUpdate.maxUnavailable"]
    bad_restart = deployment()
    bad_restart["spec"]["template"]["spec"]["restartPolicy"] = "Never"
    assert causes("Deployment", bad_restart)["spec.template.spec.restartPolicy"] == \
        'FieldValueNotSupported Unsupported value: "Never": supported values: "Always"'
    assert "spec.selector" in causes("StatefulSet", deployment(selector=None))


def test_job_and_cron_job_rules() -> None:
    assert causes("Job", job("Always"))["spec.template.spec.restartPolicy"] == (
        'FieldValueNotSupported Unsupported value: "Always": supported values: '
        '"OnFailure", "Never"')
    bad = job()
    bad["spec"]["completions"] = -1
    assert "greater than or equal to 0" in causes("Job", bad)["spec.completions"]
    found = causes("CronJob", cron_job("61 * * * *"))
    assert found["spec.schedule"] == ('FieldValueInvalid Invalid value: "61 * * * *": '
                                      "end of range (61) above maximum (59): 61")
    assert "expected exactly 5 fields" in causes("CronJob", cron_job("* * *"))["spec.schedule"]
    assert "unrecognized descriptor" in causes("CronJob", cron_job("@sometimes"))[
        "spec.schedule"]
    for ok in ("@hourly", "@daily", "0 0 * * MON-FRI", "*/15 9-17 1,15 JAN-JUN ?"):
        validate("CronJob", apply_defaults("CronJob", cron_job(ok)))
    long_name = cron_job()
    long_name["metadata"]["name"] = "x" * 53
    assert "52 characters" in causes("CronJob", long_name)["metadata.name"]


def test_cron_next_after() -> None:
    start = datetime(2024, 1, 31, 23, 59, 30)
    assert parse_schedule("*/5 * * * *").next_after(start) == datetime(2024, 2, 1, 0, 0)
    assert parse_schedule("@hourly").next_after(datetime(2024, 1, 1, 10, 0)) == \
        datetime(2024, 1, 1, 11, 0)
    # 2024-01-06 is a Saturday: the next weekday 09:00 is Monday the 8th.
    assert parse_schedule("0 9 * * 1-5").next_after(datetime(2024, 1, 6, 12, 0)) == \
        datetime(2024, 1, 8, 9, 0)


def test_service_config_and_crd_rules() -> None:
    svc = {"metadata": {"name": "s"}, "spec": {"ports": [{"port": 0}]}}
    assert "must be between 1 and 65535" in causes("Service", svc)["spec.ports[0].port"]
    assert causes("Service", {"metadata": {"name": "s"}, "spec": {}})["spec.ports"] == \
        "FieldValueRequired Required value"
    validate("Service", apply_defaults("Service", {"metadata": {"name": "s"}, "spec": {
        "clusterIP": "None"}}))
    two = {"metadata": {"name": "s"}, "spec": {"ports": [{"port": 80}, {"port": 81}]}}
    assert "spec.ports[0].name" in causes("Service", two)
    found = causes("ConfigMap", {"metadata": {"name": "c"}, "data": {"bad key": "v"}})
    assert found["data[bad key]"].startswith(
        'FieldValueInvalid Invalid value: "bad key": a valid config key')
    tls = {"metadata": {"name": "t"}, "type": "kubernetes.io/tls", "data": {"tls.crt": "x"}}
    assert "data[tls.key]" in causes("Secret", tls)
    found = causes("CustomResourceDefinition", {"metadata": {"name": "widgets.example.com"},
                                                "spec": {}})
    assert {"spec.group", "spec.names.plural", "spec.names.kind", "spec.scope",
            "spec.versions"} <= set(found)
    crd = {"metadata": {"name": "wrong.example.com"}, "spec": {
        "group": "example.com", "scope": "Namespaced",
        "names": {"plural": "widgets", "kind": "Widget"},
        "versions": [{"name": "v1", "served": True, "storage": True}]}}
    assert "metadata.name" in causes("CustomResourceDefinition", crd)
    crd["metadata"]["name"] = "widgets.example.com"
    validate("CustomResourceDefinition", apply_defaults("CustomResourceDefinition", crd),
             "apiextensions.k8s.io")


def test_error_is_one_status_with_all_causes() -> None:
    with pytest.raises(ApiError) as e:
        validate("Pod", {"metadata": {"name": "p"}, "spec": {"containers": [{"name": "c"}]}})
    fields = [c["field"] for c in e.value.details["causes"]]
    assert fields == ["spec.containers[0].image", "spec.restartPolicy"]
    assert e.value.status()["reason"] == "Invalid"
    assert '"p" is invalid' in e.value.message
