"""CPU/MEM: readings parsed from metrics.k8s.io lists, cells as kubectl top prints them,
and rows joined to the latest reading (fixtures, fixed now)."""

from __future__ import annotations

import dataclasses

from kubetui.cluster.metrics import parse_reading
from kubetui.cluster.store import Batch
from kubetui.kinds import builtin
from kubetui.model.metrics import MetricsJoin
from kubetui.model.rows import RowFilter, RowModel
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
    cpu, memory = usage
    assert round(cpu, 9) == 0.003500001 and memory == 11 * 1024 * 1024
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
    join.take(Batch([pod], [], True))
    first = join.cells(pod)
    assert first[5:11] == ("",) * 6  # no reading yet
    assert first[:5] == pod.cells[:5] and first[11:] == pod.cells[5:]
    reading, _ = parse_reading(POD_METRICS, 1.0)
    [changed] = join.update(reading).upserts
    assert changed is pod  # the store's entry, to be upserted again
    assert join.cells(changed)[5:7] == ("4m", "11Mi")
    assert join.update(reading).upserts == []  # nothing new: nothing redrawn
    join.take(Batch([], [pod.uid], False))
    # Gone: a reading without it ("-" cells) redraws nothing.
    assert join.update(parse_reading({"items": []}, 2.0)[0]).upserts == []


def test_a_joined_row_keeps_everything_else_of_its_entry() -> None:
    pod = entry(POD, fixture("pods", "running", name="web-7c9d8f6b5d-x2x9k",
                             namespace="shop"))
    join = MetricsJoin("Pod", columns_for("Pod"))
    join.take(Batch([pod], [], True))
    [joined] = join.joined(Batch([pod], [], True)).upserts
    assert joined.cells != pod.cells
    assert joined == dataclasses.replace(pod, cells=joined.cells)


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
    join.take(Batch([deploy], [], True))
    [row] = join.update(reading).upserts
    names = [c.name for c in join.columns]
    assert join.cells(row)[names.index("CPU")] == "200m"
    assert join.cells(row)[names.index("MEM")] == "128Mi"


def _pods_reading(cpu: dict[str, str], at: float) -> object:
    return parse_reading({"items": [
        {"metadata": {"name": name, "namespace": "shop"},
         "containers": [{"name": "app", "usage": {"cpu": value, "memory": "64Mi"}}]}
        for name, value in cpu.items()]}, at)[0]


def _joined_table(names: tuple[str, ...]) -> tuple[MetricsJoin, RowModel, dict[str, object]]:
    """A row model showing `names`' pods with their metrics joined in, as the app's main
    table does (the join takes each store batch before the table applies it)."""
    pods = {n: entry(POD, fixture("pods", "running", name=n, namespace="shop", uid=n))
            for n in names}
    join = MetricsJoin("Pod", columns_for("Pod"))
    model = RowModel(clock=lambda: 0.0)
    model.configure(join.columns, show_namespace=False, join=join.cells)
    batch = Batch(list(pods.values()), [], True)
    join.take(batch)
    model.reset(batch.upserts)
    return join, model, pods


def _apply_reading(join: MetricsJoin, model: RowModel, reading: object) -> None:
    for batch in join.updates(reading, size=1):  # type: ignore[arg-type]
        model.upsert_many(batch.upserts)


def _names(model: RowModel) -> list[str]:
    return [model.rows[model.uid_at(i)].entry.name for i in range(len(model))]


def test_rows_sorted_by_cpu_follow_each_reading() -> None:
    join, model, _ = _joined_table(("a", "b", "c"))
    model.set_sort("CPU", reverse=True)
    _apply_reading(join, model, _pods_reading({"a": "10m", "b": "300m", "c": "20m"}, 1.0))
    assert _names(model) == ["b", "c", "a"]
    _apply_reading(join, model, _pods_reading({"a": "900m", "b": "300m", "c": "20m"}, 2.0))
    assert _names(model) == ["a", "b", "c"]
    cpu = join.columns.index(next(c for c in join.columns if c.name == "CPU"))
    assert [model.rows[model.uid_at(i)].cells[cpu] for i in range(3)] == \
        ["900m", "300m", "20m"]


def test_a_filter_finds_metrics_cells_as_each_reading_shows_them() -> None:
    join, model, _ = _joined_table(("a", "b"))
    model.set_filter(RowFilter.parse("300m"))
    assert _names(model) == []
    _apply_reading(join, model, _pods_reading({"a": "10m", "b": "300m"}, 1.0))
    assert _names(model) == ["b"]
    _apply_reading(join, model, _pods_reading({"a": "300m", "b": "20m"}, 2.0))
    assert _names(model) == ["a"]


def test_a_changed_object_keeps_its_metrics_and_shows_its_own_new_cells() -> None:
    join, model, pods = _joined_table(("a", "b"))
    _apply_reading(join, model, _pods_reading({"a": "10m", "b": "300m"}, 1.0))
    newer = fixture("pods", "running", name="b", namespace="shop", uid="b")
    newer["status"]["phase"] = "Pending"
    changed = entry(POD, newer)
    batch = Batch([changed], [], False)
    join.take(batch)
    model.upsert_many(batch.upserts)
    data = model.rows["b"]
    assert data.entry is changed and data.cells == join.cells(changed)
    names = [c.name for c in join.columns]
    assert data.cells[names.index("CPU")] == "300m"
    assert data.cells[names.index("STATUS")] == changed.cells[names.index("STATUS")]
    assert data.cells[names.index("STATUS")] != pods["b"].cells[names.index("STATUS")]
    # The rows hold the store's entries, not copies with joined rows.
    assert model.rows["a"].entry is pods["a"]
    assert len(data.cells) == len(join.columns) == len(changed.cells) + 6
