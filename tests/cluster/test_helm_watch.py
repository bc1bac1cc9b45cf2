"""Helm releases live from the cluster: records written over HTTP as helm would write them
appear, change and go in the watch; records that are not Helm's or cannot be read are told
apart."""

from __future__ import annotations

from datetime import datetime, timezone

from kubetui.cluster.helm_watch import HelmWatch
from kubetui.helm.records import release_object
from kubetui.helm.releases import latest_revisions
from kubetui.sandbox.run import RunningSandbox
from kubetui.sandbox.scenarios import helm_releases
from tests.cluster.helpers import FAST, connect
from tests.waiting import wait_for


def _namespace(name: str) -> dict:
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}}


async def test_releases_follow_the_records(sandbox: RunningSandbox) -> None:
    client = await connect(sandbox)
    changes: list[int] = []
    watch = HelmWatch(client, None, lambda: changes.append(1), FAST)
    try:
        for ns in ("monitoring", "payments", "data"):
            await client.request("POST", "/api/v1/namespaces", _namespace(ns))
        now = datetime.now(timezone.utc)
        grafana = helm_releases.grafana(now)
        await client.request("POST", "/api/v1/namespaces/monitoring/secrets",
                             release_object(grafana[0]))
        watch.start()
        await wait_for(lambda: watch.health.state == "live")
        assert [(r.name, r.revision, r.status) for r in watch.revisions] == \
            [("grafana", 1, "superseded")]
        # An upgrade writes a new record: the list shows the new revision.
        await client.request("POST", "/api/v1/namespaces/monitoring/secrets",
                             release_object(grafana[1]))
        for release in helm_releases.redis(now):
            await client.request("POST", "/api/v1/namespaces/data/configmaps",
                                 release_object(release, driver="configmap"))
        await wait_for(lambda: {(r.name, r.revision, r.status)
                                for r in latest_revisions(watch.revisions)} ==
                       {("grafana", 2, "deployed"), ("redis", 1, "deployed")})
        # Labelled as Helm's but not a release, or a release that cannot be read.
        await client.request("POST", "/api/v1/namespaces/data/secrets", {
            "metadata": {"name": "not-a-release", "labels": {"owner": "helm"}},
            "type": "Opaque", "stringData": {"x": "y"}})
        broken = release_object(helm_releases.checkout(now)[0])
        broken["data"]["release"] = "bm90IGJhc2U2NCBnemlw"  # "not base64 gzip"
        await client.request("POST", "/api/v1/namespaces/payments/secrets", broken)
        await wait_for(lambda: len(watch.unreadable) == 1)
        assert watch.unreadable[0].record == "sh.helm.release.v1.checkout.v1"
        assert len(watch.revisions) == 3
        # helm uninstall deletes the records.
        for revision in (1, 2):
            await client.request(
                "DELETE", f"/api/v1/namespaces/monitoring/secrets/sh.helm.release.v1.grafana"
                          f".v{revision}")
        await wait_for(lambda: [r.name for r in watch.revisions] == ["redis"])
        assert changes  # the view was told
    finally:
        await watch.stop()
        await client.close()


async def test_a_namespace_watch_sees_only_its_releases(sandbox: RunningSandbox) -> None:
    client = await connect(sandbox)
    watch = HelmWatch(client, "data", lambda: None, FAST)
    try:
        for ns in ("monitoring", "data"):
            await client.request("POST", "/api/v1/namespaces", _namespace(ns))
        now = datetime.now(timezone.utc)
        await client.request("POST", "/api/v1/namespaces/monitoring/secrets",
                             release_object(helm_releases.grafana(now)[0]))
        await client.request("POST", "/api/v1/namespaces/data/configmaps",
                             release_object(helm_releases.redis(now)[0], driver="configmap"))
        # Without Helm's owner label a record is not Helm's (its drivers select on it).
        unlabelled = release_object(helm_releases.checkout(now)[0])
        del unlabelled["metadata"]["labels"]
        unlabelled["metadata"]["namespace"] = "data"
        await client.request("POST", "/api/v1/namespaces/data/secrets", unlabelled)
        watch.start()
        await wait_for(lambda: watch.health.state == "live" and watch.revisions)
        assert [r.name for r in watch.revisions] == ["redis"]
    finally:
        await watch.stop()
        await client.close()
