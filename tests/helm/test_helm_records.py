"""Helm release records decoded as Helm writes them: Go's JSON of the release, gzip at best
compression, base64 (std) as the driver's text; a Secret's data base64-encodes that text
once more on the API, a ConfigMap holds it as is. The records here are built with the
standard library directly, not with kubetui's encoder."""

from __future__ import annotations

import base64
import gzip
import json
from datetime import datetime, timezone

import pytest

from kubetui.helm.diff import revision_diff
from kubetui.helm.records import ReleaseRecordError, decode_release, encode_release
from kubetui.helm.releases import (
    ManifestObject,
    Revision,
    UnreadableRecord,
    history,
    latest_revisions,
    manifest_objects,
    revision_from_object,
    values_text,
)
from tests.shared_sandbox import Use

MANIFEST_V1 = """---
# Source: web/templates/service.yaml
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  ports:
    - port: 80
---
# Source: web/templates/deployment.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  replicas: 2
"""


def helm_release(name: str, revision: int, status: str, *, version: str = "1.2.3",
                 config: dict | None = None, manifest: str = MANIFEST_V1,
                 notes: str = "", namespace: str = "shop") -> dict:
    """A release as Helm 3 marshals it (field names from helm's release/v1 and chart/v2
    Go structs)."""
    return {
        "name": name,
        "info": {"first_deployed": "2024-05-01T10:00:00.123456789Z",
                 "last_deployed": f"2024-05-0{revision}T10:00:00.987654321+02:00",
                 "deleted": "", "description": "Install complete", "status": status,
                 "notes": notes},
        "chart": {"metadata": {"name": "web", "version": version, "appVersion": "2.0",
                               "apiVersion": "v2", "type": "application"},
                  "lock": None, "templates": [], "values": {
                      "replicas": 1, "image": {"repository": "nginx", "tag": "1.25"},
                      "debug": True},
                  "schema": None, "files": []},
        "config": config if config is not None else {"replicas": 2},
        "manifest": manifest,
        "version": revision,
        "namespace": namespace,
    }


def driver_text(release: dict, compress: bool = True) -> str:
    raw = json.dumps(release).encode()
    if compress:
        raw = gzip.compress(raw, compresslevel=9)
    return base64.b64encode(raw).decode()


def as_secret(release: dict, compress: bool = True) -> dict:
    text = driver_text(release, compress)
    return {"metadata": {"name": f"sh.helm.release.v1.{release['name']}.v{release['version']}",
                         "namespace": release["namespace"],
                         "labels": {"name": release["name"], "owner": "helm",
                                    "status": release["info"]["status"],
                                    "version": str(release["version"])}},
            "type": "helm.sh/release.v1",
            "data": {"release": base64.b64encode(text.encode()).decode()}}


def as_configmap(release: dict) -> dict:
    secret = as_secret(release)
    return {"metadata": secret["metadata"], "data": {"release": driver_text(release)}}


def test_a_secret_record_decodes_to_its_revision() -> None:
    rev = revision_from_object(as_secret(helm_release("web", 1, "deployed",
                                                      notes="Visit http://web\n")))
    assert isinstance(rev, Revision)
    assert (rev.name, rev.namespace, rev.revision, rev.status, rev.chart, rev.app_version) == \
        ("web", "shop", 1, "deployed", "web-1.2.3", "2.0")
    assert rev.updated == datetime(2024, 5, 1, 8, 0, 0, 987654, tzinfo=timezone.utc)
    assert rev.notes == "Visit http://web\n"
    assert rev.record == "sh.helm.release.v1.web.v1"
    assert rev.user_values == {"replicas": 2}
    assert rev.computed_values == {"replicas": 2, "debug": True,
                                   "image": {"repository": "nginx", "tag": "1.25"}}


def test_configmap_driver_and_uncompressed_records() -> None:
    from_cm = revision_from_object(as_configmap(helm_release("web", 2, "superseded")))
    assert isinstance(from_cm, Revision) and (from_cm.revision, from_cm.status) == \
        (2, "superseded")
    # Records written before Helm compressed them are plain base64 JSON.
    plain = revision_from_object(as_secret(helm_release("old", 1, "deployed"),
                                           compress=False))
    assert isinstance(plain, Revision) and plain.name == "old"


def test_objects_that_are_not_helms_are_ignored_and_broken_ones_reported() -> None:
    assert revision_from_object({"metadata": {"name": "x"}, "type": "Opaque",
                                 "data": {"release": "e30="}}) is None
    assert revision_from_object({"metadata": {"name": "cm"}, "data": {"a": "b"}}) is None
    broken = as_secret(helm_release("web", 1, "deployed"))
    truncated = base64.b64encode(b"\x1f\x8b\x08\x00garbage").decode()  # gzip's magic
    broken["data"]["release"] = base64.b64encode(truncated.encode()).decode()
    bad = revision_from_object(broken)
    assert isinstance(bad, UnreadableRecord) and bad.record == "sh.helm.release.v1.web.v1"
    assert "gzip" in bad.error
    with pytest.raises(ReleaseRecordError, match="not base64"):
        decode_release("%%%")
    with pytest.raises(ReleaseRecordError, match="not JSON"):
        decode_release(base64.b64encode(b"not json").decode())


def test_a_gzip_bomb_is_refused() -> None:
    import kubetui.helm.records as records

    big = base64.b64encode(gzip.compress(b"{" + b" " * (records.MAX_RELEASE_BYTES + 10)
                                         + b"}")).decode()
    with pytest.raises(ReleaseRecordError, match="larger than"):
        decode_release(big)


def test_encoder_writes_what_helm_reads() -> None:
    release = helm_release("web", 3, "failed")
    text = encode_release(release)
    raw = base64.b64decode(text)
    assert raw[:3] == b"\x1f\x8b\x08"
    assert json.loads(gzip.decompress(raw)) == release


def test_list_history_values_and_diff() -> None:
    records = [
        helm_release("web", 1, "superseded"),
        helm_release("web", 2, "deployed", version="1.3.0",
                     config={"replicas": 3, "debug": None},
                     manifest=MANIFEST_V1.replace("replicas: 2", "replicas: 3")),
        helm_release("web", 3, "failed", version="1.4.0", config={"replicas": 3}),
        helm_release("db", 1, "deployed", namespace="data"),
    ]
    revisions = [revision_from_object(as_secret(r)) for r in records]
    assert all(isinstance(r, Revision) for r in revisions)
    listing = latest_revisions(revisions)  # type: ignore[arg-type]
    assert [(r.namespace, r.name, r.revision, r.status, r.chart) for r in listing] == [
        ("data", "db", 1, "deployed", "web-1.2.3"), ("shop", "web", 3, "failed", "web-1.4.0")]
    past = history(revisions, "shop", "web")  # type: ignore[arg-type]
    assert [(r.revision, r.status) for r in past] == [(1, "superseded"), (2, "deployed"),
                                                       (3, "failed")]
    # A user's null removes the chart's default.
    assert "debug" not in past[1].computed_values
    assert values_text(past[1].user_values) == "debug: null\nreplicas: 3\n"
    assert values_text({}) == "{}\n"
    diff = revision_diff(past[0], past[1])
    assert "--- web revision 1 values\n+++ web revision 2 values\n" in diff
    assert "-debug: true\n" in diff and "-replicas: 2\n+replicas: 3\n" in diff
    assert "--- web revision 1 manifest" in diff and "+  replicas: 3\n" in diff
    same = revision_diff(past[1], past[1])
    assert same.startswith("revisions 2 and 2 of web have the same")


def test_objects_of_a_release_from_its_manifest() -> None:
    assert manifest_objects(MANIFEST_V1) == [
        ManifestObject("v1", "Service", "web", ""),
        ManifestObject("apps/v1", "Deployment", "web", "shop")]
    assert manifest_objects("not: [valid") == []


async def test_demo_stores_releases_the_kubernetes_client_reads_back(shared_demo: Use) -> None:
    """The demo's records, read over HTTP with the official client as any tool would."""
    import asyncio

    from kubernetes import client, config

    def read() -> tuple[list[dict], list[dict]]:
        api = client.CoreV1Api(config.new_client_from_config(str(shared_demo.kubeconfig)))
        secrets = api.list_secret_for_all_namespaces(label_selector="owner=helm")
        maps = api.list_config_map_for_all_namespaces(label_selector="owner=helm")
        return ([{"metadata": {"name": s.metadata.name, "namespace": s.metadata.namespace,
                               "labels": s.metadata.labels},
                  "type": s.type, "data": s.data} for s in secrets.items],
                [{"metadata": {"name": m.metadata.name,
                               "namespace": m.metadata.namespace,
                               "labels": m.metadata.labels},
                  "data": m.data} for m in maps.items])

    secrets, maps = await asyncio.to_thread(read)
    assert all(s["type"] == "helm.sh/release.v1" for s in secrets)
    revisions = [revision_from_object(o) for o in secrets + maps]
    assert all(isinstance(r, Revision) for r in revisions), revisions
    listing = {(r.namespace, r.name): (r.revision, r.status)
               for r in latest_revisions(revisions)}  # type: ignore[arg-type]
    assert listing == {("monitoring", "grafana"): (2, "deployed"),
                       ("payments", "checkout"): (3, "failed"),
                       ("data", "redis"): (1, "deployed")}
    checkout = history(revisions, "payments", "checkout")  # type: ignore[arg-type]
    assert [r.status for r in checkout] == ["superseded", "deployed", "failed"]
    assert "context deadline exceeded" in checkout[-1].description
    assert checkout[-1].computed_values["image"] == {"repository": "ghcr.io/acme/checkout",
                                                     "tag": "1.9.0-never-ready"}
    assert {o.kind for o in manifest_objects(checkout[-1].manifest)} == {"Service",
                                                                         "Deployment"}


def test_rows_as_helm_list_and_history_print_them() -> None:
    from kubetui.helm.rows import history_cells, release_cells

    rev = revision_from_object(as_secret(helm_release("web", 1, "deployed")))
    assert isinstance(rev, Revision)
    now = datetime(2024, 5, 1, 11, 0, 5, tzinfo=timezone.utc)  # 3h after the deploy
    assert release_cells(rev, now) == ("web", "shop", "1", "deployed", "web-1.2.3", "2.0",
                                       "3h")
    assert history_cells(rev, now) == ("1", "3h", "deployed", "web-1.2.3", "2.0",
                                       "Install complete")
