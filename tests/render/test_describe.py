"""kubectl describe text: layout, alignment (Go's tabwriter), events, masking."""

from __future__ import annotations

import copy
import json
from datetime import datetime, timedelta, timezone

import pytest

from kubetui.render.describe import describe, smart_label, tabwrite

NOW = datetime(2024, 6, 1, 12, 0, 0, tzinfo=timezone.utc)


def ago(seconds: float) -> str:
    return (NOW - timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%SZ")


def event(reason: str, message: str, *, type_: str = "Normal", count: int = 1,
          first: float = 30, last: float | None = None,
          component: str = "deployment-controller") -> dict:
    return {"kind": "Event", "apiVersion": "v1", "metadata": {"name": f"x.{reason}"},
            "type": type_, "reason": reason, "message": message, "count": count,
            "source": {"component": component},
            "firstTimestamp": ago(first), "lastTimestamp": ago(first if last is None else last)}


def replicaset(deploy: dict, name: str, replicas: int, created: str,
               template_hash: str, image: str | None = None) -> dict:
    template = copy.deepcopy(deploy["spec"]["template"])
    template["metadata"]["labels"]["pod-template-hash"] = template_hash
    if image:
        template["spec"]["containers"][0]["image"] = image
    return {"kind": "ReplicaSet", "apiVersion": "apps/v1",
            "metadata": {"name": name, "namespace": "shop", "creationTimestamp": created,
                         "ownerReferences": [{"kind": "Deployment", "name": "web",
                                              "uid": deploy["metadata"]["uid"],
                                              "controller": True}]},
            "spec": {"replicas": replicas, "template": template},
            "status": {"replicas": replicas}}


# ----- the tabwriter ---------------------------------------------------------------------

def test_tabwrite_aligns_each_run_of_lines_on_its_own() -> None:
    text = "Name:\tweb\nNamespace:\tshop\nPod Template:\n  Labels:\tapp=web\n"
    assert tabwrite(text).split("\n") == [
        "Name:       web",
        "Namespace:  shop",
        "Pod Template:",  # no tab: ends the block above
        "  Labels:  app=web",
        "",
    ]


def test_tabwrite_nested_columns_and_unpadded_last_cell() -> None:
    text = "Conditions:\n  Type\tStatus\tReason\n  Progressing \tTrue\tNewRS\nOld:\t<none>\n"
    assert tabwrite(text).split("\n") == [
        "Conditions:",
        "  Type          Status  Reason",
        "  Progressing   True    NewRS",
        "Old:            <none>",  # column 0 runs on through lines with one tab
        "",
    ]


# ----- Deployment: the whole text ----------------------------------------------------------

def test_deployment_whole_text(obj) -> None:
    deploy = obj("apps", "deployment")
    new = replicaset(deploy, "web-7c9d8f6b5d", 3, "2024-06-01T10:00:00Z", "7c9d8f6b5d")
    old = replicaset(deploy, "web-5f8d9c7b6a", 0, "2024-05-30T08:00:00Z", "5f8d9c7b6a",
                     image="registry.example.com/shop/app:1.4.1")
    events = [
        event("ScalingReplicaSet", "Scaled down replica set web-5f8d9c7b6a to 0 from 1",
              first=90),
        event("ScalingReplicaSet", "Scaled up replica set web-7c9d8f6b5d to 3 from 2",
              first=120),
        event("FailedCreate", "pods \"web-x\" is forbidden: exceeded quota", type_="Warning",
              count=3, first=300, last=100, component="replicaset-controller"),
    ]
    text = describe("Deployment", deploy, events, {"replicasets": [new, old]}, NOW)
    assert text.split("\n") == [
        "Name:                   web",
        "Namespace:              shop",
        "CreationTimestamp:      Thu, 30 May 2024 08:00:00 +0000",
        "Labels:                 app=web",
        "Annotations:            deployment.kubernetes.io/revision: 4",
        "Selector:               app=web",
        "Replicas:               3 desired | 3 updated | 3 total | 3 available | 0 unavailable",
        "StrategyType:           RollingUpdate",
        "MinReadySeconds:        0",
        "RollingUpdateStrategy:  25% max unavailable, 25% max surge",
        "Pod Template:",
        "  Labels:  app=web",
        "  Containers:",
        "   app:",
        "    Image:        registry.example.com/shop/app:1.4.2",
        "    Port:         8080/TCP",
        "    Host Port:    0/TCP",
        "    Environment:  <none>",
        "    Mounts:       <none>",
        "   metrics:",
        "    Image:         prom/statsd-exporter:v0.26.0",
        "    Port:          8080/TCP",
        "    Host Port:     0/TCP",
        "    Environment:   <none>",
        "    Mounts:        <none>",
        "  Volumes:         <none>",
        "  Node-Selectors:  <none>",
        "  Tolerations:     <none>",
        "Conditions:",
        "  Type           Status  Reason",
        "  ----           ------  ------",
        "  Available      True    MinimumReplicasAvailable",
        "  Progressing    True    NewReplicaSetAvailable",
        "OldReplicaSets:  web-5f8d9c7b6a (0/0 replicas created)",
        "NewReplicaSet:   web-7c9d8f6b5d (3/3 replicas created)",
        "Events:",
        "  Type     Reason             Age                From                   Message",
        "  ----     ------             ----               ----                   -------",
        "  Normal   ScalingReplicaSet  2m                 deployment-controller  "
        "Scaled up replica set web-7c9d8f6b5d to 3 from 2",
        "  Warning  FailedCreate       100s (x3 over 5m)  replicaset-controller  "
        "pods \"web-x\" is forbidden: exceeded quota",
        "  Normal   ScalingReplicaSet  90s                deployment-controller  "
        "Scaled down replica set web-5f8d9c7b6a to 0 from 1",
        "",
    ]


def test_deployment_without_replicasets_or_events(obj) -> None:
    lines = describe("Deployment", obj("apps", "deployment_rolling"), [], None, NOW).split("\n")
    assert ("Selector:               app=api,!canary,env,tier in (backend,frontend),"
            "zone notin (z2)") in lines
    assert ("Replicas:               3 desired | 2 updated | 4 total | 3 available | "
            "1 unavailable") in lines
    assert not any(line.startswith(("OldReplicaSets", "NewReplicaSet")) for line in lines)
    assert lines[-2] == "Events:         <none>"  # aligned with the conditions above


# ----- events --------------------------------------------------------------------------------

def test_event_series_and_new_api_fields(obj) -> None:
    series = {"kind": "Event", "type": "Warning", "reason": "BackOff", "message": " Back-off \n",
              "eventTime": ago(600), "reportingController": "kubelet",
              "series": {"count": 12, "lastObservedTime": ago(5)}}
    text = describe("Pod", obj("pods", "running"), [series], None, NOW)
    assert text.split("\n")[-2] == "  Warning  BackOff  5s (x12 over 10m)  kubelet  Back-off"


def test_events_in_the_zone_of_now(obj) -> None:
    paris = NOW.astimezone(timezone(timedelta(hours=2)))
    lines = describe("Deployment", obj("apps", "deployment"), [], None, paris).split("\n")
    assert lines[2] == "CreationTimestamp:      Thu, 30 May 2024 10:00:00 +0200"


# ----- pods ----------------------------------------------------------------------------------

def test_pod_sections(obj) -> None:
    lines = describe("Pod", obj("pods", "running"), [], None, NOW).split("\n")
    assert lines[:4] == ["Name:             web-7c9d8f6b5d-x2kfp",
                         "Namespace:        shop",
                         "Priority:         0",
                         "Service Account:  default"]
    assert "Node:             worker-1/172.18.0.3" in lines
    # kubectl's quirk: the pod IP list and Controlled By align together, apart from the top.
    i = lines.index("IPs:")
    assert lines[i + 1:i + 3] == ["  IP:           10.244.1.17",
                                  "Controlled By:  ReplicaSet/web-7c9d8f6b5d"]
    assert "    Last State:     Terminated" in lines
    assert "      Reason:       OOMKilled" in lines
    assert "    Restart Count:  3" in lines
    assert "  PodReadyToStartContainers   True " in lines
    assert "    TokenExpirationSeconds:  3607" in lines
    assert "    ConfigMapOptional:       <nil>" in lines
    assert ("Tolerations:                 node.kubernetes.io/not-ready:NoExecute op=Exists "
            "for 300s") in lines
    assert "                             node.kubernetes.io/unreachable:NoExecute op=Exists " \
           "for 300s" in lines
    assert lines[-2] == "Events:                      <none>"


def test_pod_ephemeral_containers_after_the_containers(obj) -> None:
    pod = copy.deepcopy(obj("pods", "running"))
    pod["spec"]["ephemeralContainers"] = [{"name": "debugger-x1", "image": "busybox",
                                           "stdin": True, "tty": True,
                                           "targetContainerName": "web"}]
    pod["status"]["ephemeralContainerStatuses"] = [{
        "name": "debugger-x1", "image": "busybox", "imageID": "", "ready": False,
        "restartCount": 0, "state": {"running": {"startedAt": ago(30)}}}]
    lines = describe("Pod", pod, [], None, NOW).split("\n")
    at = lines.index("Ephemeral Containers:")
    assert lines.index("Containers:") < at
    assert lines[at + 1] == "  debugger-x1:"
    assert any(line.startswith("    Image:") and line.endswith("busybox")
               for line in lines[at:at + 8])
    assert any(line.startswith("    State:") and line.endswith("Running")
               for line in lines[at:at + 10])


def test_pod_env_probes_and_terminating(obj) -> None:
    pod = obj("pods", "running")
    pod["metadata"]["deletionTimestamp"] = ago(45)
    pod["metadata"]["deletionGracePeriodSeconds"] = 30
    container = pod["spec"]["containers"][0]
    container["env"] = [
        {"name": "MODE", "value": "prod"},
        {"name": "POD", "valueFrom": {"fieldRef": {"apiVersion": "v1",
                                                   "fieldPath": "metadata.name"}}},
        {"name": "PASSWORD", "valueFrom": {"secretKeyRef": {"name": "db", "key": "pw"}}},
    ]
    container["livenessProbe"] = {"httpGet": {"path": "/healthz", "port": 8080,
                                              "scheme": "HTTP"},
                                  "timeoutSeconds": 1, "periodSeconds": 10,
                                  "successThreshold": 1, "failureThreshold": 3}
    lines = describe("Pod", pod, [], None, NOW).split("\n")
    assert "Status:                    Terminating (lasts 45s)" in lines
    assert "Termination Grace Period:  30s" in lines
    assert any(line.split() == ["Liveness:", "http-get", "http://:8080/healthz", "delay=0s",
                                "timeout=1s", "period=10s", "#success=1", "#failure=3"]
               for line in lines)
    env = lines[lines.index("    Environment:") + 1:][:3]
    assert [line.split(None, 1) for line in env] == [
        ["MODE:", "prod"],
        ["POD:", "web-7c9d8f6b5d-x2kfp (v1:metadata.name)"],
        ["PASSWORD:", "<set to the key 'pw' in secret 'db'>  Optional: false"],
    ]


# ----- the other kinds -------------------------------------------------------------------------

def test_secret_shows_sizes_never_values(obj) -> None:
    secret = obj("core", "secret_tls")
    secret["data"]["token"] = "c2VjcmV0LXRva2Vu"  # "secret-token"
    secret["type"] = "kubernetes.io/service-account-token"
    secret["metadata"]["annotations"] = {
        "kubectl.kubernetes.io/last-applied-configuration": json.dumps(secret)}
    text = describe("Secret", secret, [], None, NOW)
    assert text.split("\n")[-7:] == ["Data", "====", "ca.crt:   14 bytes", "tls.crt:  14 bytes",
                                     "tls.key:  14 bytes", "token:    12 bytes", ""]
    for value in secret["data"].values():
        assert value not in text
    assert "secret-token" not in text
    assert "last-applied" not in text
    assert "Events" not in text  # kubectl shows none for Secrets


def test_service_ports_and_endpoints(obj) -> None:
    endpoints = {"subsets": [{"addresses": [{"ip": f"10.0.0.{i}"} for i in range(5)],
                              "ports": [{"port": 80, "protocol": "TCP"}]}]}
    lines = describe("Service", obj("services", "cluster_ip"), [],
                     {"endpoints": [obj("core", "endpoints")]}, NOW).split("\n")
    assert lines[lines.index("Port:                     http  80/TCP") + 1:][:2] == [
        "TargetPort:               8080/TCP",
        "Endpoints:                10.244.1.17:8080,10.244.2.9:8080"]
    assert "TargetPort:               grpc/TCP" in lines
    assert "Session Affinity:         None" in lines
    svc = obj("services", "cluster_ip")
    svc["spec"]["ports"] = [{"port": 80, "targetPort": 80, "protocol": "TCP"}]
    many = describe("Service", svc, [], {"endpoints": [endpoints]}, NOW)
    assert any(line.split(None, 1) == ["Endpoints:",
                                       "10.0.0.0:80,10.0.0.1:80,10.0.0.2:80 + 2 more..."]
               for line in many.split("\n"))
    nothing = describe("Service", svc, [], None, NOW).split("\n")
    assert any(line.split() == ["Endpoints:", "<none>"] for line in nothing)


def test_node_allocated_resources(obj) -> None:
    lines = describe("Node", obj("nodes", "worker"),
                     [], {"pods": [obj("pods", "running"), obj("pods", "completed")]},
                     NOW).split("\n")
    assert "Roles:              ingress,worker" in lines
    assert "Non-terminated Pods:          (1 in total)" in lines  # Succeeded pods left out
    start = lines.index("Allocated resources:")
    assert lines[start:start + 7] == [
        "Allocated resources:",
        "  (Total limits may be over 100 percent, i.e., overcommitted.)",
        "  Resource           Requests    Limits",
        "  --------           --------    ------",
        "  cpu                200m (2%)   0 (0%)",
        "  memory             256Mi (0%)  512Mi (1%)",
        "  ephemeral-storage  0 (0%)      0 (0%)",
    ]
    assert "Pods:                         not authorized" in describe(
        "Node", obj("nodes", "worker"), [], None, NOW).split("\n")


def test_hpa_metrics_lines(obj) -> None:
    lines = describe("HorizontalPodAutoscaler", obj("autoscaling", "cpu_and_memory"), [],
                     None, NOW).split("\n")
    assert "  resource cpu on pods  (as a percentage of request):  45% (245m) / 80%" in lines
    assert "  resource memory on pods:                             312Mi / 500Mi" in lines
    assert "Deployment pods:                                       3 current / 3 desired" \
        in lines


def test_ingress_rules(obj) -> None:
    lines = describe("Ingress", obj("networking", "ingress"), [],
                     {"services": [obj("services", "cluster_ip")],
                      "endpoints": [obj("core", "endpoints")]}, NOW).split("\n")
    rules = lines.index("Rules:")
    assert lines[rules + 1:rules + 5] == [
        "  Host                  Path  Backends",
        "  ----                  ----  --------",
        "  shop.example.com      ",
        "                        /   web:80 (10.244.1.17:8080,10.244.2.9:8080)",
    ]
    missing = describe("Ingress", obj("networking", "ingress"), [], {}, NOW)
    assert 'web:80 (<error: services "web" not found>)' in missing


def test_namespace_quotas_and_limits(obj) -> None:
    lines = describe("Namespace", obj("core", "namespace"), [],
                     {"resourcequotas": [obj("core", "resourcequota")],
                      "limitranges": [obj("core", "limitrange")]}, NOW).split("\n")
    assert "  limits.cpu       1500m   4" in lines
    assert " Container  memory    -    -    128Mi            512Mi          -" in lines
    bare = describe("Namespace", obj("core", "namespace"), [], None, NOW).split("\n")
    assert bare[-6:] == ["Status:       Active", "", "No resource quota.", "",
                         "No LimitRange resource.", ""]


def test_generic_describer_for_a_custom_resource(obj) -> None:
    lines = describe("Widget", obj("custom", "widget"), [], None, NOW).split("\n")
    assert lines[:8] == [
        "Name:         gizmo",
        "Namespace:    shop",
        "Labels:       app.kubernetes.io/name=gizmo",
        "Annotations:  <none>",
        "API Version:  example.com/v1alpha1",
        "Kind:         Widget",
        "Metadata:",
        "  Creation Timestamp:  2024-05-31T12:00:00Z",
    ]
    assert "  Score:                1.2345675e+06" in lines
    assert lines[-2] == "Events:                 <none>"


@pytest.mark.parametrize("field,label", [
    ("apiVersion", "API Version"), ("creationTimestamp", "Creation Timestamp"),
    ("uid", "UID"), ("podCIDR", "Pod CIDR"), ("hostIP", "Host IP"),
    ("my_field", "my_field"), ("x-y", "X - Y"),  # camelcase.Split makes '-' a word
])
def test_smart_label(field: str, label: str) -> None:
    assert smart_label(field) == label


@pytest.mark.parametrize("kind", [
    "Pod", "Deployment", "ReplicaSet", "StatefulSet", "DaemonSet", "Job", "CronJob", "Service",
    "Node", "ConfigMap", "Secret", "PersistentVolumeClaim", "Namespace", "Ingress",
    "HorizontalPodAutoscaler", "Widget",
])
def test_every_describer_copes_with_a_bare_object(kind: str) -> None:
    text = describe(kind, {"metadata": {"name": "x"}}, [], None, NOW)
    assert text.startswith("Name:")
