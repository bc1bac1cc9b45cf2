"""A pod's containers as rows (fixtures, fixed now)."""

from __future__ import annotations

from kubetui.render.containers import CONTAINER_COLUMNS, container_rows

COLUMN = {c.name: i for i, c in enumerate(CONTAINER_COLUMNS)}


def cell(row, column: str) -> str:
    return row.cells[COLUMN[column]]


def test_a_crash_looping_container_says_how_it_last_ended(obj, now) -> None:
    [row] = container_rows(obj("pods", "crashloop"), now, {"app": (0.0123, 50 * 2**20)})
    assert (row.name, row.type, row.health) == ("app", "container", "failed")
    assert (cell(row, "STATE"), cell(row, "REASON"), cell(row, "RESTARTS")) == (
        "waiting", "CrashLoopBackOff", "7")
    assert cell(row, "LAST TERMINATION") == "exit 1 (Error) 2m ago"
    assert (cell(row, "CPU"), cell(row, "MEM")) == ("13m", "50Mi")
    assert cell(row, "PORTS") == "8080/TCP (http)"
    assert len(row.cells) == len(CONTAINER_COLUMNS)


def test_init_sidecar_and_regular_containers_in_start_order(obj, now) -> None:
    pod = obj("pods", "sidecar")
    pod["spec"]["initContainers"].insert(0, {"name": "migrate", "image": "busybox"})
    pod["spec"]["ephemeralContainers"] = [{"name": "debugger", "image": "busybox"}]
    rows = container_rows(pod, now)
    assert [(r.name, r.type) for r in rows][:2] == [("migrate", "init"),
                                                    ("istio-proxy", "sidecar")]
    assert rows[-1].type == "ephemeral" and {r.type for r in rows[2:-1]} == {"container"}
    assert all(cell(r, "CPU") == "-" for r in rows)  # no metrics given


def test_probes_are_summarised(obj, now) -> None:
    pod = obj("pods", "running")
    pod["spec"]["containers"][0]["readinessProbe"] = {"httpGet": {"path": "/ready",
                                                                  "port": 8080}}
    pod["spec"]["containers"][0]["livenessProbe"] = {"tcpSocket": {"port": 8080}}
    row = container_rows(pod, now)[0]
    assert cell(row, "PROBES") == "liveness:tcp :8080 readiness:http :8080/ready"
    assert row.health == "ok" and cell(row, "READY") == "true"
