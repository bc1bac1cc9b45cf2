"""Helm releases for the demo, stored as Helm 3 stores them (Secrets of type
`helm.sh/release.v1`, one ConfigMap-driver release), describing objects the demo creates:
grafana (two revisions), checkout (three: the last upgrade failed, as the demo's stuck
rollout would have made `helm upgrade --wait` fail) and redis (ConfigMap driver)."""

from __future__ import annotations

import base64
from datetime import datetime, timedelta, timezone
from typing import Any

from kubetui.helm.records import release_object
from kubetui.sandbox.core import Sandbox
from kubetui.sandbox.scenarios.objects import create

_DAY = timedelta(days=1)


def _go_time(when: datetime) -> str:
    """Go's RFC 3339 with nanoseconds, as Helm's JSON has it."""
    return when.strftime("%Y-%m-%dT%H:%M:%S.%f") + "000Z"


def _manifest(chart: str, docs: list[tuple[str, str]]) -> str:
    return "".join(f"---\n# Source: {chart}/templates/{source}\n{body.strip()}\n"
                   for source, body in docs)


def _deployment(ns: str, name: str, image: str, replicas: int, port: int) -> str:
    return f"""
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
  namespace: {ns}
  labels:
    app.kubernetes.io/name: {name}
    app.kubernetes.io/managed-by: Helm
spec:
  replicas: {replicas}
  selector:
    matchLabels:
      app.kubernetes.io/name: {name}
  template:
    metadata:
      labels:
        app.kubernetes.io/name: {name}
    spec:
      containers:
        - name: {name}
          image: "{image}"
          ports:
            - containerPort: {port}
"""


def _service(ns: str, name: str, port: int, type_: str = "ClusterIP") -> str:
    return f"""
apiVersion: v1
kind: Service
metadata:
  name: {name}
  namespace: {ns}
spec:
  type: {type_}
  ports:
    - port: {port}
  selector:
    app.kubernetes.io/name: {name}
"""


def _release(*, name: str, ns: str, revision: int, status: str, chart: str, version: str,
             app_version: str, defaults: dict[str, Any], config: dict[str, Any],
             manifest: str, notes: str, first: datetime, last: datetime,
             description: str) -> dict[str, Any]:
    templates = [{"name": "templates/NOTES.txt",
                  "data": base64.b64encode(notes.encode()).decode()}]
    return {
        "name": name, "namespace": ns, "version": revision, "config": config,
        "manifest": manifest,
        "info": {"first_deployed": _go_time(first), "last_deployed": _go_time(last),
                 "deleted": "", "description": description, "status": status,
                 "notes": notes},
        "chart": {"metadata": {"name": chart, "version": version, "appVersion": app_version,
                               "apiVersion": "v2", "type": "application",
                               "description": f"A Helm chart for {chart}"},
                  "lock": None, "templates": templates, "values": defaults, "schema": None,
                  "files": []},
    }


def grafana(now: datetime) -> list[dict[str, Any]]:
    first = now - 30 * _DAY
    defaults = {"replicas": 1, "image": {"repository": "grafana/grafana", "tag": ""},
                "service": {"type": "ClusterIP", "port": 3000}, "adminUser": "admin",
                "persistence": {"enabled": False}}
    out = []
    for revision, (version, app, config, when, status, text) in enumerate((
            ("8.4.0", "11.1.0", {"adminUser": "ops"}, first, "superseded",
             "Install complete"),
            ("8.5.1", "11.2.0", {"adminUser": "ops", "service": {"type": "NodePort"}},
             now - 2 * _DAY, "deployed", "Upgrade complete")), start=1):
        manifest = _manifest("grafana", [
            ("service.yaml", _service("monitoring", "grafana", 3000, "NodePort"
                                      if revision == 2 else "ClusterIP")),
            ("deployment.yaml", _deployment("monitoring", "grafana",
                                            f"grafana/grafana:{app}", 1, 3000))])
        notes = (f"1. Get the Grafana URL:\n   kubectl -n monitoring port-forward "
                 f"svc/grafana 3000\n2. Log in as {config['adminUser']}.\n")
        out.append(_release(name="grafana", ns="monitoring", revision=revision,
                            status=status, chart="grafana", version=version,
                            app_version=app, defaults=defaults, config=config,
                            manifest=manifest, notes=notes, first=first, last=when,
                            description=text))
    return out


def checkout(now: datetime) -> list[dict[str, Any]]:
    first = now - 14 * _DAY
    defaults = {"replicaCount": 1, "image": {"repository": "ghcr.io/acme/checkout",
                                             "tag": ""}, "progressDeadlineSeconds": 600}
    steps = (("1.7.0", first, "superseded", "Install complete"),
             ("1.8.0", now - 3 * _DAY, "deployed", "Upgrade complete"),
             ("1.9.0-never-ready", now - timedelta(minutes=20), "failed",
              'Upgrade "checkout" failed: context deadline exceeded'))
    out = []
    for revision, (tag, when, status, text) in enumerate(steps, start=1):
        config = {"replicaCount": 3, "image": {"tag": tag}, "progressDeadlineSeconds": 120}
        manifest = _manifest("checkout", [
            ("service.yaml", _service("payments", "checkout", 8080)),
            ("deployment.yaml", _deployment("payments", "checkout",
                                            f"ghcr.io/acme/checkout:{tag}", 3, 8080))])
        out.append(_release(name="checkout", ns="payments", revision=revision, status=status,
                            chart="checkout", version=f"0.{revision + 3}.0",
                            app_version=tag.split("-")[0], defaults=defaults, config=config,
                            manifest=manifest, notes="checkout is listening on :8080\n",
                            first=first, last=when, description=text))
    return out


def redis(now: datetime) -> list[dict[str, Any]]:
    when = now - 10 * _DAY
    manifest = _manifest("redis", [("service.yaml", _service("data", "redis", 6379))])
    return [_release(name="redis", ns="data", revision=1, status="deployed", chart="redis",
                     version="20.1.3", app_version="7.4.1",
                     defaults={"architecture": "replication", "auth": {"enabled": True}},
                     config={"auth": {"enabled": False}, "replica": {"replicaCount": 3}},
                     manifest=manifest, notes="Redis can be reached at redis.data:6379\n",
                     first=when, last=when, description="Install complete")]


def load_helm_releases(sb: Sandbox, now: datetime | None = None) -> None:
    now = now or datetime.now(timezone.utc)
    for release in grafana(now) + checkout(now):
        create(sb, release_object(release))
    for release in redis(now):
        create(sb, release_object(release, driver="configmap"))
