"""The `demo` scenario: a small production-like cluster with something to find.

Four nodes (three workers and a small one), and namespaces as a shop's platform team has
them: `shop` (nginx frontend behind a LoadBalancer and an Ingress, a JSON-logging API
under an HPA), `payments` (an API, a chatty event worker, and `checkout`, whose rollout
is stuck on a new version that never becomes ready until its progress deadline passes,
and `fraud-scorer`, a distroless image with no shell: getting inside takes a debug
container),
`data` (postgres and redis StatefulSets on bound volumes, and an ML job asking for more
CPU than any node has: Pending), `monitoring` (node-exporter and fluent-bit DaemonSets,
prometheus and grafana), `batch` (a CronJob every minute, a finished migration Job, an
import Job that fails) and kube-system's CoreDNS. `recommendations` in `shop` crash-loops
and `admin` cannot pull its image. Helm releases (grafana, checkout with a failed upgrade,
redis on the ConfigMap driver) are stored as Helm stores them (`helm_releases`).

Worth getting into: the frontend's nginx config comes from the `frontend-nginx` ConfigMap
mounted at /etc/nginx/conf.d (`kubectl exec deploy/frontend -n shop -- cat
/etc/nginx/conf.d/default.conf`), and every HTTP port answers (`kubectl port-forward -n
shop svc/frontend 8080:80`, then `curl localhost:8080/`).

The workloads come up over the first seconds as on a real cluster: `load_demo` only
creates them (and starts the stuck rollout once checkout's first ReplicaSet exists).
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from kubetui.kinds import builtin
from kubetui.sandbox.apiserver import verbs
from kubetui.sandbox.apiserver.store import Obj
from kubetui.sandbox.core import Sandbox
from kubetui.sandbox.metrics import LOAD_ANNOTATION
from kubetui.sandbox.scenarios.helm_releases import load_helm_releases
from kubetui.sandbox.scenarios.objects import add_node, create, write_status

NAMESPACES = ("shop", "payments", "data", "monitoring", "batch")
STUCK_IMAGE = "ghcr.io/acme/checkout:1.9.0-never-ready"


def _labels(name: str, part_of: str, component: str = "") -> dict[str, str]:
    out = {"app.kubernetes.io/name": name, "app.kubernetes.io/part-of": part_of}
    if component:
        out["app.kubernetes.io/component"] = component
    return out


def container(name: str, image: str, *, port: int | None = None, cpu: str = "50m",
              memory: str = "64Mi", probe: bool = True, **extra: Any) -> Obj:
    c: Obj = {"name": name, "image": image,
              "resources": {"requests": {"cpu": cpu, "memory": memory},
                            "limits": {"memory": _double(memory)}}, **extra}
    if port is not None:
        c["ports"] = [{"name": "http" if port not in (53, 5432, 6379) else "tcp",
                       "containerPort": port}]
        if probe:
            c["readinessProbe"] = {"tcpSocket": {"port": port}, "initialDelaySeconds": 2,
                                   "periodSeconds": 10}
    return c


def _double(memory: str) -> str:
    number = int("".join(ch for ch in memory if ch.isdigit()))
    return f"{number * 2}{memory.lstrip('0123456789')}"


def workload(kind: str, ns: str, name: str, containers: list[Obj], *, replicas: int = 1,
             part_of: str = "", annotations: dict[str, str] | None = None,
             pod_spec: Obj | None = None, **spec: Any) -> Obj:
    """A Deployment, StatefulSet or DaemonSet whose pods are labelled after `name`."""
    labels = _labels(name, part_of or ns)
    body: Obj = {"selector": {"matchLabels": {"app.kubernetes.io/name": name}},
                 "template": {"metadata": {"labels": labels},
                              "spec": {"containers": containers, **(pod_spec or {})}},
                 **spec}
    if kind != "DaemonSet":
        body["replicas"] = replicas
    meta: Obj = {"name": name, "namespace": ns, "labels": labels}
    if annotations:
        meta["annotations"] = annotations
    return {"apiVersion": "apps/v1", "kind": kind, "metadata": meta, "spec": body}


def service(ns: str, name: str, port: int, *, target: int | str | None = None,
            type_: str = "ClusterIP", headless: bool = False, selector: str = "") -> Obj:
    spec: Obj = {"type": type_,
                 "selector": {"app.kubernetes.io/name": selector or name},
                 "ports": [{"name": "http" if port in (80, 443, 3000, 8080, 9090)
                            else "tcp", "port": port, "targetPort": target or port}]}
    if headless:
        spec["clusterIP"] = "None"
    return {"apiVersion": "v1", "kind": "Service",
            "metadata": {"name": name, "namespace": ns, "labels": _labels(name, ns)},
            "spec": spec}


def batch_pod(name: str, image: str, script: str) -> Obj:
    return {"restartPolicy": "OnFailure", "containers": [
        container(name, image, probe=False, command=["sh", "-c", script])]}


def job(ns: str, name: str, image: str, script: str, backoff: int = 6) -> Obj:
    return {"apiVersion": "batch/v1", "kind": "Job",
            "metadata": {"name": name, "namespace": ns, "labels": _labels(name, ns)},
            "spec": {"backoffLimit": backoff,
                     "template": {"metadata": {"labels": _labels(name, ns)},
                                  "spec": batch_pod(name, image, script)}}}


def cronjob(ns: str, name: str, schedule: str, image: str, script: str) -> Obj:
    return {"apiVersion": "batch/v1", "kind": "CronJob",
            "metadata": {"name": name, "namespace": ns, "labels": _labels(name, ns)},
            "spec": {"schedule": schedule, "concurrencyPolicy": "Forbid",
                     "jobTemplate": {"spec": {"backoffLimit": 2, "template": {
                         "metadata": {"labels": _labels(name, ns)},
                         "spec": batch_pod(name, image, script)}}}}}


def config_map(ns: str, name: str, data: dict[str, str]) -> Obj:
    return {"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": name, "namespace": ns}, "data": data}


def secret(ns: str, name: str, data: dict[str, str], type_: str = "Opaque") -> Obj:
    return {"apiVersion": "v1", "kind": "Secret", "type": type_,
            "metadata": {"name": name, "namespace": ns}, "stringData": data}


# ----- the cluster ------------------------------------------------------------------------

def nodes(sb: Sandbox, count: int | None = None) -> None:
    """Three workers in three zones and a small one; or `count` workers (--nodes)."""
    if count is not None:
        for i in range(count):
            add_node(sb, f"demo-worker-{i + 1}", cpu=8, memory_gi=32, pods=110,
                     pod_cidr=f"10.{244 + (i + 1) // 256}.{(i + 1) % 256}.0/24",
                     labels={"node-role.kubernetes.io/worker": "",
                             "topology.kubernetes.io/zone": f"eu-west-1{'abc'[i % 3]}"})
        return
    for i, zone in enumerate(("a", "b", "c"), start=1):
        add_node(sb, f"demo-worker-{i}", cpu=8, memory_gi=32, pods=110,
                 pod_cidr=f"10.244.{i}.0/24",
                 labels={"node-role.kubernetes.io/worker": "",
                         "node.kubernetes.io/instance-type": "m6i.2xlarge",
                         "topology.kubernetes.io/region": "eu-west-1",
                         "topology.kubernetes.io/zone": f"eu-west-1{zone}"})
    add_node(sb, "demo-worker-small", cpu=2, memory_gi=4, pods=110,
             pod_cidr="10.244.4.0/24",
             labels={"node-role.kubernetes.io/worker": "",
                     "node.kubernetes.io/instance-type": "t3.medium",
                     "topology.kubernetes.io/region": "eu-west-1",
                     "topology.kubernetes.io/zone": "eu-west-1a"})


def storage(sb: Sandbox) -> None:
    create(sb, {"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass",
                "metadata": {"name": "standard", "annotations": {
                    "storageclass.kubernetes.io/is-default-class": "true"}},
                "provisioner": "rancher.io/local-path", "reclaimPolicy": "Delete",
                "volumeBindingMode": "Immediate"})


def bound_claim(sb: Sandbox, ns: str, name: str, size: str, node: str,
                labels: dict[str, str] | None = None) -> None:
    """A PVC and the PV provisioned for it, both Bound, as local-path leaves them."""
    pv_name = f"pvc-{uuid.uuid4()}"
    claim = create(sb, {
        "apiVersion": "v1", "kind": "PersistentVolumeClaim",
        "metadata": {"name": name, "namespace": ns, "labels": labels or {},
                     "annotations": {"pv.kubernetes.io/bind-completed": "yes",
                                     "volume.kubernetes.io/selected-node": node}},
        "spec": {"accessModes": ["ReadWriteOnce"], "storageClassName": "standard",
                 "volumeName": pv_name, "resources": {"requests": {"storage": size}}}})
    pv = create(sb, {
        "apiVersion": "v1", "kind": "PersistentVolume",
        "metadata": {"name": pv_name,
                     "annotations": {"pv.kubernetes.io/provisioned-by": "rancher.io/local-path"}},
        "spec": {"capacity": {"storage": size}, "accessModes": ["ReadWriteOnce"],
                 "persistentVolumeReclaimPolicy": "Delete", "storageClassName": "standard",
                 "claimRef": {"apiVersion": "v1", "kind": "PersistentVolumeClaim",
                              "namespace": ns, "name": name,
                              "uid": claim["metadata"]["uid"]},
                 "hostPath": {"path": f"/opt/local-path-provisioner/{pv_name}_{ns}_{name}",
                              "type": "DirectoryOrCreate"},
                 "nodeAffinity": {"required": {"nodeSelectorTerms": [{"matchExpressions": [
                     {"key": "kubernetes.io/hostname", "operator": "In",
                      "values": [node]}]}]}}}})
    write_status(sb, pv, {"phase": "Bound"})
    write_status(sb, claim, {"phase": "Bound", "accessModes": ["ReadWriteOnce"],
                             "capacity": {"storage": size}})


def kube_system(sb: Sandbox) -> None:
    dns = container("coredns", "registry.k8s.io/coredns/coredns:v1.11.3", port=53,
                    cpu="100m", memory="70Mi", args=["-conf", "/etc/coredns/Corefile"])
    create(sb, workload("Deployment", "kube-system", "coredns", [dns], replicas=2,
                        part_of="kube-dns"))
    dns_service = service("kube-system", "kube-dns", 53, selector="coredns")
    dns_service["spec"]["clusterIP"] = "10.96.0.10"  # what kubelets put in resolv.conf
    create(sb, dns_service)
    create(sb, config_map("kube-system", "coredns", {"Corefile": ".:53 {\n    errors\n"
                          "    health\n    kubernetes cluster.local in-addr.arpa ip6.arpa\n"
                          "    forward . /etc/resolv.conf\n    cache 30\n}\n"}))


def shop(sb: Sandbox) -> None:
    create(sb, config_map("shop", "frontend-nginx", {"default.conf": (
        "server {\n  listen 80;\n  location / { root /usr/share/nginx/html; }\n"
        "  location /api/ { proxy_pass http://api:8080/; }\n}\n")}))
    nginx = container("nginx", "nginx:1.27.2", port=80, volumeMounts=[
        {"name": "config", "mountPath": "/etc/nginx/conf.d", "readOnly": True}])
    create(sb, workload("Deployment", "shop", "frontend", [nginx], replicas=3,
                        pod_spec={"volumes": [{"name": "config", "configMap": {
                            "name": "frontend-nginx"}}]}))
    create(sb, service("shop", "frontend", 80, type_="LoadBalancer"))
    lb = sb.store.get(("", "services"), "shop", "frontend")
    write_status(sb, lb, {"loadBalancer": {"ingress": [{"ip": "203.0.113.20",
                                                          "ipMode": "VIP"}]}})
    create(sb, config_map("shop", "api-config", {"LOG_LEVEL": "info",
                                                 "DATABASE_HOST": "postgres.data.svc"}))
    create(sb, secret("shop", "api-db-credentials", {"username": "shop",
                                                     "password": "s3cr3t-demo"}))
    api = container("api", "ghcr.io/acme/shop-api:2.4.1", port=8080, cpu="100m",
                    memory="128Mi", envFrom=[{"configMapRef": {"name": "api-config"}}],
                    env=[{"name": "DB_PASSWORD", "valueFrom": {"secretKeyRef": {
                        "name": "api-db-credentials", "key": "password"}}}])
    # The HPA reads this total demand: 220m over 100m requests wants about 4 pods.
    create(sb, workload("Deployment", "shop", "api", [api], replicas=2,
                        annotations={LOAD_ANNOTATION: "220m"}))
    create(sb, service("shop", "api", 8080))
    create(sb, {"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
                "metadata": {"name": "api", "namespace": "shop"},
                "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment",
                                            "name": "api"},
                         "minReplicas": 2, "maxReplicas": 8,
                         "metrics": [{"type": "Resource", "resource": {
                             "name": "cpu", "target": {"type": "Utilization",
                                                       "averageUtilization": 60}}}]}})
    create(sb, workload("Deployment", "shop", "recommendations", [container(
        "recommendations", "ghcr.io/acme/recommendations:0.9.3-crashloop", port=8080)]))
    create(sb, workload("Deployment", "shop", "admin", [container(
        "admin", "ghcr.io/acme/shop-admin:does-not-exist", port=8080)]))
    create(sb, {"apiVersion": "networking.k8s.io/v1", "kind": "IngressClass",
                "metadata": {"name": "nginx", "annotations": {
                    "ingressclass.kubernetes.io/is-default-class": "true"}},
                "spec": {"controller": "k8s.io/ingress-nginx"}})
    ing = create(sb, {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
                      "metadata": {"name": "shop", "namespace": "shop"},
                      "spec": {"ingressClassName": "nginx",
                               "tls": [{"hosts": ["shop.example.com"],
                                        "secretName": "shop-tls"}],
                               "rules": [{"host": "shop.example.com", "http": {"paths": [
                                   _path("/api", "api", 8080), _path("/", "frontend", 80)]}}]}})
    create(sb, secret("shop", "shop-tls", {"tls.crt": "-----BEGIN CERTIFICATE-----\n...",
                                           "tls.key": "-----BEGIN PRIVATE KEY-----\n..."},
                      type_="kubernetes.io/tls"))
    write_status(sb, ing, {"loadBalancer": {"ingress": [{"ip": "203.0.113.10"}]}})


def _path(path: str, svc: str, port: int) -> Obj:
    return {"path": path, "pathType": "Prefix",
            "backend": {"service": {"name": svc, "port": {"number": port}}}}


def payments(sb: Sandbox) -> None:
    create(sb, secret("payments", "stripe-api-key", {"STRIPE_KEY": "sk_test_demo"}))
    create(sb, workload("Deployment", "payments", "payments-api", [container(
        "payments-api", "ghcr.io/acme/payments-api:3.1.4", port=8080, cpu="100m",
        memory="128Mi", envFrom=[{"secretRef": {"name": "stripe-api-key"}}])], replicas=2))
    create(sb, service("payments", "payments-api", 8080))
    create(sb, workload("Deployment", "payments", "event-worker", [container(
        "worker", "ghcr.io/acme/payments-event-worker:1.12.0-chatty", probe=False)]))
    create(sb, workload("Deployment", "payments", "checkout", [container(
        "checkout", "ghcr.io/acme/checkout:1.8.0", port=8080)], replicas=3,
        progressDeadlineSeconds=120))
    create(sb, service("payments", "checkout", 8080))
    create(sb, workload("Deployment", "payments", "fraud-scorer", [container(
        "fraud-scorer", "ghcr.io/acme/fraud-scorer:2.0.1-distroless", port=8080)]))
    create(sb, service("payments", "fraud-scorer", 8080))


def data(sb: Sandbox) -> None:
    for name, replicas, size, image, port in (("postgres", 2, "20Gi", "postgres:16.4", 5432),
                                              ("redis", 3, "5Gi", "redis:7.4.1", 6379)):
        for i in range(replicas):
            bound_claim(sb, "data", f"data-{name}-{i}", size, f"demo-worker-{i % 3 + 1}",
                        labels={"app.kubernetes.io/name": name})
        c = container(name, image, port=port, cpu="250m", memory="256Mi",
                      volumeMounts=[{"name": "data", "mountPath": "/data"}])
        create(sb, workload("StatefulSet", "data", name, [c], replicas=replicas,
                            serviceName=name, volumeClaimTemplates=[{
                                "metadata": {"name": "data"},
                                "spec": {"accessModes": ["ReadWriteOnce"],
                                         "storageClassName": "standard",
                                         "resources": {"requests": {"storage": size}}}}]))
        create(sb, service("data", name, port, headless=True))
    create(sb, workload("Deployment", "data", "ml-training", [container(
        "trainer", "ghcr.io/acme/ml-trainer:2024.11", cpu="24", memory="64Gi",
        probe=False)]))


def monitoring(sb: Sandbox) -> None:
    everywhere = {"tolerations": [{"operator": "Exists"}]}
    create(sb, workload("DaemonSet", "monitoring", "node-exporter", [container(
        "node-exporter", "quay.io/prometheus/node-exporter:v1.8.2", port=9100,
        cpu="20m", memory="32Mi")], pod_spec={**everywhere, "hostNetwork": True}))
    create(sb, workload("DaemonSet", "monitoring", "fluent-bit", [container(
        "fluent-bit", "cr.fluentbit.io/fluent/fluent-bit:3.1.9", port=2020, cpu="20m",
        memory="48Mi")], pod_spec=everywhere))
    bound_claim(sb, "monitoring", "prometheus-data", "50Gi", "demo-worker-2",
                labels={"app.kubernetes.io/name": "prometheus"})
    create(sb, workload("Deployment", "monitoring", "prometheus", [container(
        "prometheus", "quay.io/prometheus/prometheus:v2.54.1", port=9090, cpu="200m",
        memory="512Mi", volumeMounts=[{"name": "data", "mountPath": "/prometheus"}])],
        pod_spec={"volumes": [{"name": "data", "persistentVolumeClaim": {
            "claimName": "prometheus-data"}}]}))
    create(sb, service("monitoring", "prometheus", 9090))
    create(sb, workload("Deployment", "monitoring", "grafana", [container(
        "grafana", "grafana/grafana:11.2.0", port=3000, cpu="100m", memory="128Mi")]))
    create(sb, service("monitoring", "grafana", 3000, type_="NodePort"))


def batch(sb: Sandbox) -> None:
    create(sb, cronjob("batch", "report-generator", "* * * * *", "busybox:1.36",
                       "echo generating hourly sales report; sleep 5; echo report done"))
    create(sb, cronjob("batch", "nightly-backup", "0 2 * * *", "postgres:16.4",
                       "echo pg_dump started; sleep 30; echo backup uploaded"))
    create(sb, job("batch", "db-migrate", "ghcr.io/acme/shop-migrations:2.4.1",
                   "echo applying migrations; echo 42 migrations applied"))
    create(sb, job("batch", "legacy-import", "ghcr.io/acme/legacy-import:exit-1",
                   "import --from s3://legacy", backoff=2))


async def load_demo(sb: Sandbox, wait_for_controllers: bool = True,
                    node_count: int | None = None) -> None:
    nodes(sb, node_count)
    for ns in NAMESPACES:
        create(sb, {"apiVersion": "v1", "kind": "Namespace",
                    "metadata": {"name": ns, "labels": {"team": ns}}})
    storage(sb)
    for part in (kube_system, shop, payments, data, monitoring, batch, load_helm_releases):
        part(sb)
    if wait_for_controllers:
        await stuck_rollout(sb)


async def stuck_rollout(sb: Sandbox, timeout: float = 5.0) -> None:
    """Roll checkout out to a version that never becomes ready, once its first
    ReplicaSet exists (so the Deployment has a revision to be stuck on)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not any(rs["metadata"]["name"].startswith("checkout-")
                  for rs in sb.store.iter(("apps", "replicasets"))
                  if rs["metadata"].get("namespace") == "payments"):
        if asyncio.get_running_loop().time() > deadline:
            return
        await asyncio.sleep(0.02)
    verbs.apply_patch(sb, builtin("Deployment"), "payments", "checkout",
                      verbs.PATCH_STRATEGIC,
                      {"spec": {"template": {"spec": {"containers": [
                          {"name": "checkout", "image": STUCK_IMAGE}]}}}}, "",
                      verbs.WriteOptions(field_manager="kubectl-set"))
