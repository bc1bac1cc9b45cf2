"""`diagnose`: what is wrong with one object, from its own status (fixtures as a real
cluster returns them)."""

from __future__ import annotations

import pytest

from kubetui.render.diagnosis import CRITICAL, WARNING, diagnose


@pytest.mark.parametrize(("file", "key", "kind", "group", "severity", "reason", "detail"), [
    ("pods", "crashloop", "Pod", "", CRITICAL, "CrashLoopBackOff",
     "container app: last exit code 1 (Error), 7 restarts"),
    ("pods", "errimagepull", "Pod", "", CRITICAL, "ErrImagePull",
     "container app: rpc error: code = NotFound"),
    ("pods", "imagepull", "Pod", "", CRITICAL, "ImagePullBackOff", "container app: Back-off"),
    ("pods", "unschedulable", "Pod", "", CRITICAL, "FailedScheduling",
     "0/3 nodes are available: 3 Insufficient cpu."),
    ("pods", "init_crashloop", "Pod", "", CRITICAL, "CrashLoopBackOff",
     "init container migrate: last exit code 1"),
    ("pods", "evicted", "Pod", "", CRITICAL, "Evicted", "low on resource: ephemeral-storage"),
    ("pods", "running_not_ready", "Pod", "", WARNING, "NotReady",
     "containers with unready status: [app]"),
    ("apps", "deployment_deadline", "Deployment", "apps", CRITICAL,
     "ProgressDeadlineExceeded", "has timed out progressing"),
    ("apps", "deployment_rolling", "Deployment", "apps", WARNING, "RolloutInProgress",
     "2/3 updated"),
    ("apps", "deployment_unavailable", "Deployment", "apps", WARNING, "Unavailable",
     "1/2 available"),
    ("apps", "statefulset", "StatefulSet", "apps", WARNING, "NotReady", "2/3 ready"),
    ("apps", "daemonset_degraded", "DaemonSet", "apps", WARNING, "NotReady", "2/4 ready"),
    ("batch", "job_failed", "Job", "batch", CRITICAL, "BackoffLimitExceeded",
     "reached the specified backoff limit"),
    ("nodes", "not_ready", "Node", "", CRITICAL, "NotReady", "stopped posting"),
    ("nodes", "cordoned", "Node", "", WARNING, "Cordoned", "cordoned"),
    ("core", "pvc_pending", "PersistentVolumeClaim", "", WARNING, "Pending", "not bound"),
    ("core", "endpoints_none", "Endpoints", "", WARNING, "NoReadyEndpoints", ""),
    ("core", "endpoints_not_ready", "Endpoints", "", WARNING, "NoReadyEndpoints",
     "1 not ready"),
    ("autoscaling", "unknown", "HorizontalPodAutoscaler", "autoscaling", WARNING,
     "FailedGetResourceMetric", ""),
    ("events", "scheduler", "Event", "", WARNING, "FailedScheduling",
     "0/3 nodes are available"),
])
def test_unhealthy_objects_say_why(obj, file: str, key: str, kind: str, group: str,
                                   severity: int, reason: str, detail: str) -> None:
    found = diagnose(kind, group, obj(file, key))
    assert found is not None
    assert (found.severity, found.reason) == (severity, reason)
    assert detail in found.detail
    assert "\n" not in found.detail


@pytest.mark.parametrize(("file", "key", "kind", "group"), [
    ("pods", "running", "Pod", ""), ("pods", "completed", "Pod", ""),
    ("pods", "terminating", "Pod", ""), ("pods", "sidecar", "Pod", ""),
    ("apps", "deployment", "Deployment", "apps"),
    ("apps", "deployment_scaled_zero", "Deployment", "apps"),
    ("apps", "daemonset", "DaemonSet", "apps"), ("batch", "job_complete", "Job", "batch"),
    ("batch", "job_running_single", "Job", "batch"), ("nodes", "worker", "Node", ""),
    ("core", "pvc", "PersistentVolumeClaim", ""), ("core", "endpoints", "Endpoints", ""),
    ("autoscaling", "cpu_and_memory", "HorizontalPodAutoscaler", "autoscaling"),
    ("events", "normal", "Event", ""), ("core", "configmap", "ConfigMap", ""),
])
def test_healthy_objects_have_no_finding(obj, file: str, key: str, kind: str,
                                         group: str) -> None:
    assert diagnose(kind, group, obj(file, key)) is None


def test_lasting_states_carry_when_they_began(obj) -> None:
    rolling = diagnose("Deployment", "apps", obj("apps", "deployment_rolling"))
    not_ready = diagnose("Pod", "", obj("pods", "running_not_ready"))
    assert rolling is not None and rolling.since is not None
    assert not_ready is not None and not_ready.since is not None
    assert not_ready.explained_by == ("Unhealthy",)  # the probe's message is in events


def test_a_warning_event_carries_its_count_and_last_time(obj) -> None:
    found = diagnose("Event", "", obj("events", "warning"))
    assert found is not None and found.reason == "BackOff" and found.count == 512
    assert found.since is not None


def test_a_crash_loop_running_again_between_crashes_is_still_critical(obj) -> None:
    pod = obj("pods", "crashloop")
    cs = pod["status"]["containerStatuses"][0]
    cs["state"] = {"running": {"startedAt": "2024-06-01T11:59:50Z"}}
    cs["ready"] = False
    found = diagnose("Pod", "", pod)
    assert found is not None and found.severity == CRITICAL
    assert (found.reason, found.detail) == ("Restarting", "container app: last exit code 1 "
                                            "(Error), 7 restarts")
    cs["ready"] = True  # up and serving: a past crash is history
    for c in pod["status"]["conditions"]:
        c["status"] = "True"
    assert diagnose("Pod", "", pod) is None
