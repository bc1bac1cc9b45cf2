"""Pod rows: kubectl's READY, STATUS and RESTARTS rules, wide columns, and health."""

from __future__ import annotations

from datetime import timedelta

import pytest

from kubetui.render import columns_for, render_row


def test_pod_columns_are_kubectls() -> None:
    columns = columns_for("Pod")
    assert [c.name for c in columns] == ["NAME", "READY", "STATUS", "RESTARTS", "AGE", "IP",
                                         "NODE", "NOMINATED NODE", "READINESS GATES"]
    assert [c.priority for c in columns] == [0, 0, 0, 0, 0, 1, 1, 1, 1]
    assert columns[0].format == "name"
    assert (columns[1].sort, columns[3].sort, columns[4].sort) == ("ratio", "number", "age")
    assert [c.name for c in columns if c.age] == ["RESTARTS", "AGE"]


def test_running_pod_full_row(obj, now) -> None:
    row = render_row("Pod", obj("pods", "running"), now)
    assert row.cells == ("web-7c9d8f6b5d-x2kfp", "2/2", "Running", "3 (5m12s ago)", "120m",
                         "10.244.1.17", "worker-1", "<none>", "<none>")
    assert row.health == "ok"


@pytest.mark.parametrize(("key", "ready", "status", "restarts", "health"), [
    ("crashloop", "0/1", "CrashLoopBackOff", "7 (2m ago)", "failed"),
    ("imagepull", "0/1", "ImagePullBackOff", "0", "failed"),
    ("errimagepull", "0/1", "ErrImagePull", "0", "failed"),
    ("unschedulable", "0/1", "Pending", "0", "pending"),
    ("creating", "0/1", "ContainerCreating", "0", "pending"),
    ("running_not_ready", "0/1", "Running", "0", "pending"),
    ("gated", "0/1", "SchedulingGated", "0", "pending"),
    # init containers: running one of two, the second one, failures, no reason given
    ("init_running", "0/1", "Init:0/2", "0", "pending"),
    ("init_second", "0/1", "Init:1/2", "0", "pending"),
    ("init_error", "0/1", "Init:Error", "2 (3m ago)", "failed"),
    ("init_crashloop", "0/1", "Init:CrashLoopBackOff", "2 (3m ago)", "failed"),
    ("init_exitcode", "0/1", "Init:ExitCode:2", "2 (3m ago)", "failed"),
    ("init_signal", "0/1", "Init:Signal:9", "2 (3m ago)", "failed"),
    ("pod_initializing", "0/1", "PodInitializing", "0", "pending"),
    # finished pods
    ("completed", "0/1", "Completed", "0", "done"),
    ("error", "0/1", "Error", "0", "failed"),
    ("exitcode", "0/1", "ExitCode:3", "0", "failed"),
    ("signal", "0/1", "Signal:15", "0", "failed"),
    ("evicted", "0/1", "Evicted", "0", "failed"),
    ("evicted_unknown", "0/1", "ContainerStatusUnknown", "0", "failed"),
    # one container Completed while another still runs: Running if the pod is Ready
    ("partly_completed_ready", "1/2", "Running", "0", "pending"),
    ("partly_completed_notready", "1/2", "NotReady", "0", "pending"),
    # deletion
    ("terminating", "1/1", "Terminating", "0", "terminating"),
    ("terminating_succeeded", "0/1", "Completed", "0", "done"),
    ("nodelost", "1/1", "Unknown", "0", "failed"),
    # a restartable init container (sidecar) counts in READY and RESTARTS
    ("sidecar", "2/2", "Running", "1 (60m ago)", "ok"),
])
def test_pod_status_rules(obj, now, key, ready, status, restarts, health) -> None:
    row = render_row("Pod", obj("pods", key), now)
    assert row.cells[1:4] == (ready, status, restarts)
    assert row.health == health


def test_wide_columns_nominated_node_and_readiness_gates(obj, now) -> None:
    row = render_row("Pod", obj("pods", "readiness_gates"), now)
    assert row.cells[5:] == ("10.244.1.17", "worker-1", "worker-2", "1/2")


def test_unscheduled_pod_has_no_ip_nor_node(obj, now) -> None:
    assert render_row("Pod", obj("pods", "unschedulable"), now).cells[5:] == (
        "<none>", "<none>", "<none>", "<none>")


def test_dual_stack_pod_shows_its_first_ip(obj, now) -> None:
    assert render_row("Pod", obj("pods", "dual_stack"), now).cells[5] == "10.244.1.30"


def test_pod_with_only_status_pod_ip(obj, now) -> None:
    pod = obj("pods", "dual_stack")
    del pod["status"]["podIPs"]
    assert render_row("Pod", pod, now).cells[5] == "10.244.1.30"


def test_restart_age_follows_now(obj, now) -> None:
    later = render_row("Pod", obj("pods", "running"), now + timedelta(hours=1))
    assert later.cells[3] == "3 (65m ago)"
    assert later.cells[4] == "3h"


def test_restarts_without_a_last_termination_time(obj, now) -> None:
    pod = obj("pods", "running")
    pod["status"]["containerStatuses"][0]["lastState"] = {}
    assert render_row("Pod", pod, now).cells[3] == "3"


def test_init_restarts_are_dropped_once_initialized(obj, now) -> None:
    """After init, RESTARTS counts app containers and sidecars only, as kubectl does."""
    pod = obj("pods", "pod_initializing")
    pod["status"]["initContainerStatuses"][0]["restartCount"] = 4
    assert render_row("Pod", pod, now).cells[3] == "0"


def test_pod_without_status(now) -> None:
    pod = {"metadata": {"name": "bare"}, "spec": {"containers": [{"name": "a", "image": "x"}]}}
    assert render_row("Pod", pod, now).cells[:5] == ("bare", "0/1", "", "0", "<unknown>")
