"""CPU and MEM columns from metrics.k8s.io: the same figures as `kubectl top` on the
sandbox, and `n/a` (said once) when the cluster serves no metrics API."""

from __future__ import annotations

from kubetui.sandbox.metrics import CPU_ANNOTATION, MEMORY_ANNOTATION
from tests.ui.app_helpers import Api, app_for, live, until


def cells(app, name: str, *columns: str) -> tuple[str, ...] | None:
    """The cells of row `name` under `columns`, as the main table draws them."""
    table = app.main_table
    model = table._model  # the drawn text, ages included, as the table renders it
    slots = {s.name: s for s in model.slots}
    for i in range(table.row_count):
        entry = table.entry_at(i)
        if entry.name == name:
            data = model.rows[entry.uid]
            return tuple(model.cell_text(data, slots[c], 0.0) for c in columns)
    return None


async def pinned_pod(api: Api, name: str, cpu: str, memory: str, containers: int = 1) -> None:
    """A running pod whose simulated use is fixed (no wobble), so two readings agree."""
    spec = {"nodeName": "node-1", "containers": [
        {"name": f"c{i}", "image": "nginx",
         "resources": {"requests": {"cpu": "50m", "memory": "64Mi"},
                       "limits": {"cpu": "200m", "memory": "256Mi"}}}
        for i in range(containers)]}
    await api.create("/api/v1/namespaces/default/pods", {
        "metadata": {"name": name, "annotations": {CPU_ANNOTATION: cpu,
                                                   MEMORY_ANNOTATION: memory}},
        "spec": spec})


async def test_pod_and_node_metrics_match_kubectl_top(sandbox, api: Api, kubectl) -> None:
    await api.node("node-1")
    await pinned_pod(api, "web-1", "12345678n", "123456Ki")  # 12.3m, 120.6Mi: rounding
    await pinned_pod(api, "web-2", "1500m", "700Mi", containers=2)
    app = app_for()
    async with app.run_test(size=(200, 40)):
        await live(app, "pods")
        columns = ("CPU", "MEM", "%CPU/R", "%CPU/L", "%MEM/R", "%MEM/L")
        await until(lambda: all(cells(app, n, "CPU") not in (None, ("",), ("-",))
                                for n in ("web-1", "web-2")), 20, "pods' metrics")
        top = (await kubectl("top", "pod", "--no-headers")).stdout.split("\n")
        kubectl_says = {line.split()[0]: tuple(line.split()[1:3]) for line in top if line}
        for name in ("web-1", "web-2"):
            assert cells(app, name, "CPU", "MEM") == kubectl_says[name], name
        assert kubectl_says["web-1"] == ("13m", "120Mi")  # up for CPU, down for memory
        # k9s's percentages of the summed requests (100m, 128Mi) and limits (400m, 512Mi);
        # the sandbox holds use under the limits (400m, 95% of 512Mi).
        assert cells(app, "web-2", *columns) == ("400m", "486Mi", "400", "100", "380", "95")

        await app._run_command("nodes")
        await live(app, "nodes")
        await until(lambda: cells(app, "node-1", "CPU") not in (None, ("",)), 20)
        top = (await kubectl("top", "node", "--no-headers")).stdout.split()
        assert cells(app, "node-1", "CPU", "%CPU", "MEM", "%MEM") == (
            top[1], top[2].rstrip("%"), top[3], top[4].rstrip("%"))


async def test_without_a_metrics_api_the_columns_say_n_a_once(sandbox, api: Api,
                                                              tmp_path) -> None:
    # The cluster stops serving metrics.k8s.io, as one without metrics-server.
    kinds = sandbox.sandbox.kinds
    kinds._builtin = [k for k in kinds._builtin if k.group != "metrics.k8s.io"]
    await api.node("node-1")
    await api.pod("web-1", node="node-1")
    config = tmp_path / "config.yaml"
    config.write_text("metrics_interval: 1\n")  # a poll a second: a storm would show
    app = app_for(config_path=config)
    async with app.run_test(size=(200, 40)):
        await live(app, "pods")
        await until(lambda: cells(app, "web-1", "CPU", "MEM") == ("n/a", "n/a"), 20)
        told = [n for n in app._notifications if "n/a" in n.message]
        assert len(told) == 1 and "metrics.k8s.io is not served" in told[0].message
        metrics = app._metrics
        assert metrics is not None and metrics.interval == 1
        polls = metrics.polls
        await until(lambda: metrics.polls >= polls + 2, 20)  # polled on, said nothing more
        assert len([n for n in app._notifications if "n/a" in n.message]) == 1
        assert cells(app, "web-1", "%CPU/R") == ("n/a",)


async def test_a_deployment_shows_the_sum_over_its_pods(sandbox, api: Api, kubectl) -> None:
    await api.node("node-1")
    labels = {"app": "web"}
    await api.create("/apis/apps/v1/namespaces/default/deployments", {
        "metadata": {"name": "web"},
        "spec": {"replicas": 3, "selector": {"matchLabels": labels},
                 "template": {"metadata": {"labels": labels, "annotations": {
                     CPU_ANNOTATION: "120m", MEMORY_ANNOTATION: "100Mi"}},
                     "spec": {"containers": [{"name": "app", "image": "nginx"}]}}}})
    app = app_for()
    async with app.run_test(size=(200, 40)) as pilot:
        await live(app, "pods")
        await pilot.press("2")
        await live(app, "deployments")
        await until(lambda: cells(app, "web", "CPU", "MEM") == ("360m", "300Mi"), 30,
                    "three pods' use summed")
        top = (await kubectl("top", "pod", "--no-headers")).stdout.split("\n")
        assert sum(int(line.split()[1][:-1]) for line in top if line) == 360
