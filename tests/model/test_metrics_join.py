"""CPU/MEM: readings parsed from metrics.k8s.io lists, cells as kubectl top prints them,
and rows joined to the latest reading (fixtures, fixed now)."""

from __future__ import annotations

import dataclasses

from kubetui.cluster.metrics import parse_reading
from kubetui.cluster.store import Batch
from kubetui.kinds import builtin
from kubetui.model.metrics import MetricsJoin
from kubetui.render import columns_for
from kubetui.render.metrics import Resources, metric_cells, resources_of
from tests.model.test_problems import entry, fixture

POD = builtin("Pod")

POD_METRICS = {"kind": "PodMetricsList", "items": [{
    "metadata": {"name": "web-7c9d8f6b5d-x2x9k", "namespace": "shop"}, "window": "15.2s",
    "containers": [{"name": "app", "usage": {"cpu": "2500001n", "memory": "10240Ki"}},
                   {"name": "proxy", "usage": {"cpu": "1m", "memory": "1Mi"}}]}]}


def test_a_reading_sums_containers_and_keeps_them() -> None:
    reading, window = parse_reading(POD_METRICS, 1.0)
    usage = reading.usage[("shop", "web-7c9d8f6b5d-x2x9k")]
    assert round(usage.cpu, 9) == 0.003500001 and usage.memory == 11 * 1024 * 1024
    assert set(reading.containers[("shop", "web-7c9d8f6b5d-x2x9k")]) == {"app", "proxy"}
    assert window == 15.2


def test_cells_round_as_kubectl_top_does() -> None:
    res = Resources(0.1, 0.0, 128 * 2**20, 256 * 2**20)
    assert metric_cells("Pod", 0.003500001, 11.9 * 2**20, res) == (
        "4m", "11Mi", "3", "-", "9", "4")
    assert metric_cells("Pod", None, None, res) == ("-",) * 6  # not running
    assert metric_cells("Pod", 0.1, 1.0, res, error="no API") == ("n/a",) * 6
    node = Resources(1.87, 0.0, 7 * 2**30, 0.0)
    assert metric_cells("Node", 0.2501, 3 * 2**30, node) == ("251m", "13", "3072Mi", "42")


def test_resources_are_summed_over_containers() -> None:
    pod = fixture("pods", "running")
    found = resources_of("Pod", pod)
    assert found is not None and found.cpu > 0 and found.memory > 0


def test_joined_rows_put_metrics_before_the_wide_columns_and_follow_readings() -> None:
    pod = entry(POD, fixture("pods", "running", name="web-7c9d8f6b5d-x2x9k",
                             namespace="shop"))
    join = MetricsJoin("Pod", columns_for("Pod"))
    names = [c.name for c in join.columns]
    assert names[:7] == ["NAME", "READY", "STATUS", "RESTARTS", "AGE", "CPU", "MEM"]
    assert names[-4:] == ["IP", "NODE", "NOMINATED NODE", "READINESS GATES"]
    [first] = join.batch(Batch([pod], [], True)).upserts
    assert first.row.cells[5:11] == ("",) * 6  # no reading yet
    assert first.row.cells[:5] == pod.row.cells[:5] and first.row.cells[11:] == \
        pod.row.cells[5:]
    reading, _ = parse_reading(POD_METRICS, 1.0)
    [changed] = join.update(reading).upserts
    assert changed.row.cells[5:7] == ("4m", "11Mi") and changed.uid == pod.uid
    assert join.update(reading).upserts == []  # nothing new: nothing redrawn
    assert join.batch(Batch([], [pod.uid], False)).deletes == [pod.uid]
    assert join.update(parse_reading({"items": []}, 2.0)[0]).upserts == []


def test_a_joined_row_keeps_everything_else_of_its_entry() -> None:
    pod = entry(POD, fixture("pods", "running", name="web-7c9d8f6b5d-x2x9k",
                             namespace="shop"))
    [joined] = MetricsJoin("Pod", columns_for("Pod")).batch(Batch([pod], [], True)).upserts
    assert joined.row != pod.row
    assert joined == dataclasses.replace(pod, row=joined.row)


def test_a_deployment_s_use_is_summed_over_its_replicasets_pods() -> None:
    rs = entry(builtin("ReplicaSet"), fixture("apps", "replicaset"))
    deployment_uid = rs.owners[0]
    pods = []
    for i, name in enumerate(("web-a", "web-b")):
        pod = fixture("pods", "running", name=name, namespace="shop", uid=f"p{i}")
        pod["metadata"]["ownerReferences"] = [{"kind": "ReplicaSet", "uid": rs.uid,
                                               "name": "web"}]
        pods.append(entry(POD, pod))
    reading, _ = parse_reading({"items": [
        {"metadata": {"name": n, "namespace": "shop"},
         "containers": [{"name": "app", "usage": {"cpu": "100m", "memory": "64Mi"}}]}
        for n in ("web-a", "web-b", "unrelated")]}, 1.0)
    join = MetricsJoin("Deployment", columns_for("Deployment", "apps"),
                       lambda: pods, lambda: [rs])
    deploy = entry(builtin("Deployment"), fixture("apps", "deployment", uid=deployment_uid))
    join.batch(Batch([deploy], [], True))
    [row] = join.update(reading).upserts
    names = [c.name for c in join.columns]
    assert row.row.cells[names.index("CPU")] == "200m"
    assert row.row.cells[names.index("MEM")] == "128Mi"
