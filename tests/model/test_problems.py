"""`ProblemIndex`: findings joined with events, CronJobs' Jobs, Services' Endpoints and
time, on entries made by the store's own `EntryMaker` from fixtures, at a fixed now."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from functools import cache
from pathlib import Path
from typing import Any

from kubetui.cluster.entries import Entry, EntryMaker
from kubetui.cluster.store import Batch
from kubetui.kinds import Kind, builtin
from kubetui.model.problems import PROBLEM_KINDS, ProblemIndex, problem_entry

FIXTURES = Path(__file__).parents[1] / "render" / "fixtures"
NOW = datetime(2024, 6, 1, 12, 0, 0, tzinfo=timezone.utc)
POD, EVENT = builtin("Pod"), builtin("Event", "")


@cache
def _read(name: str) -> dict[str, dict]:
    return json.loads((FIXTURES / f"{name}.json").read_text())


def fixture(file: str, key: str, **meta: Any) -> dict:
    obj = json.loads(json.dumps(_read(file)[key]))
    obj["metadata"].update(meta)
    return obj


def entry(kind: Kind, obj: dict) -> Entry:
    return EntryMaker(kind)(obj, NOW)


def event(about: dict, reason: str, message: str, *, uid: str, count: int = 1,
          at: str = "2024-06-01T11:59:00Z", type_: str = "Warning") -> Entry:
    meta = about["metadata"]
    return entry(EVENT, {
        "kind": "Event", "apiVersion": "v1",
        "metadata": {"name": f"{meta['name']}.{uid}", "namespace": meta.get("namespace", ""),
                     "uid": uid, "creationTimestamp": at},
        "involvedObject": {"kind": about["kind"], "name": meta["name"],
                           "namespace": meta.get("namespace", ""), "uid": meta["uid"]},
        "reason": reason, "message": message, "type": type_, "count": count,
        "firstTimestamp": at, "lastTimestamp": at})


def index_of(*items: tuple[Kind, Entry], grace: float = 60.0) -> ProblemIndex:
    index = ProblemIndex(grace=grace)
    for kind in PROBLEM_KINDS:  # every stream's first batch, as the feed delivers them
        index.apply(kind, Batch([e for k, e in items if k.key == kind.key], [], True))
    return index


def test_a_pull_error_is_told_by_the_event_with_the_registry_s_words() -> None:
    pod = fixture("pods", "imagepull")
    index = index_of((POD, entry(POD, pod)),
                     (EVENT, event(pod, "Failed", 'Failed to pull image "x:1": not found',
                                   uid="e1", at="2024-06-01T11:58:00Z")),
                     (EVENT, event(pod, "Failed", "Error: ImagePullBackOff", uid="e2")),
                     (EVENT, event(pod, "BackOff", "Back-off pulling image", uid="e3",
                                   type_="Normal")))
    [problem] = index.problems(NOW.timestamp())
    assert (problem.reason, problem.detail) == ("ImagePullBackOff",
                                                'Failed to pull image "x:1": not found')
    assert problem.kind.kind == "Pod" and problem.namespace == "shop"


def test_not_ready_for_long_says_which_probe_fails_and_waits_for_the_grace() -> None:
    pod = fixture("pods", "running_not_ready")
    probe = event(pod, "Unhealthy", "Readiness probe failed: HTTP probe failed with "
                  "statuscode: 503", uid="e1", count=40)
    index = index_of((POD, entry(POD, pod)), (EVENT, probe))
    [problem] = index.problems(NOW.timestamp())
    assert problem.reason == "NotReady"
    assert problem.detail == ("Readiness probe failed: HTTP probe failed with statuscode: "
                              "503 (x40)")
    began = entry(POD, pod).problem.since
    later = index_of((POD, entry(POD, pod)), (EVENT, probe))
    assert later.problems(began + 30) == []  # not ready for 30 s: not yet a problem
    assert later.update(began + 59) == ([], [])
    [due] = later.update(began + 61)[0]  # the grace ran out: it counts, with no change
    assert due.reason == "NotReady"


def test_failed_scheduling_keeps_the_scheduler_s_message() -> None:
    pod = fixture("pods", "unschedulable")
    index = index_of((POD, entry(POD, pod)))
    [problem] = index.problems(NOW.timestamp())
    assert problem.reason == "FailedScheduling"
    assert problem.detail.startswith("0/3 nodes are available: 3 Insufficient cpu")


def test_a_cronjob_whose_newest_job_failed() -> None:
    cron = fixture("batch", "cronjob")
    owner = [{"apiVersion": "batch/v1", "kind": "CronJob", "name": "report",
              "uid": cron["metadata"]["uid"], "controller": True}]
    failed = fixture("batch", "job_failed", ownerReferences=owner,
                     creationTimestamp="2024-06-01T11:30:00Z")
    older_ok = fixture("batch", "job_complete", ownerReferences=owner)
    job, cronjob = builtin("Job"), builtin("CronJob")
    index = index_of((cronjob, entry(cronjob, cron)), (job, entry(job, failed)),
                     (job, entry(job, older_ok)))
    by_kind = {p.kind.kind: p for p in index.problems(NOW.timestamp())}
    assert by_kind["CronJob"].reason == "LastJobFailed"
    assert "BackoffLimitExceeded" in by_kind["CronJob"].detail
    assert by_kind["Job"].reason == "BackoffLimitExceeded"
    # A newer Job that succeeds clears the CronJob.
    newer = fixture("batch", "job_complete", ownerReferences=owner, uid="newer",
                    name="report-2", creationTimestamp="2024-06-01T11:50:00Z")
    index.apply(job, Batch([entry(job, newer)], [], False))
    assert {p.kind.kind for p in index.problems(NOW.timestamp())} == {"Job"}


def test_endpoints_without_ready_addresses_name_their_service() -> None:
    service, endpoints = builtin("Service"), builtin("Endpoints")
    svc = {"kind": "Service", "apiVersion": "v1",
           "metadata": {"name": "placeholder", "namespace": "shop", "uid": "svc-uid"},
           "spec": {"selector": {"app": "x"}}}
    index = index_of((service, entry(service, svc)),
                     (endpoints, entry(endpoints, fixture("core", "endpoints_none"))))
    [problem] = index.problems(NOW.timestamp())
    assert (problem.kind.kind, problem.uid, problem.reason) == ("Service", "svc-uid",
                                                                "NoReadyEndpoints")


def test_a_warning_storm_on_a_healthy_object() -> None:
    pod = fixture("pods", "running")
    index = index_of((POD, entry(POD, pod)),
                     (EVENT, event(pod, "FailedMount", "MountVolume.SetUp failed", uid="e1",
                                   count=15)),
                     (EVENT, event(pod, "BackOff", "Back-off", uid="e2", count=10)))
    [problem] = index.problems(NOW.timestamp())
    assert problem.reason == "WarningStorm" and problem.kind.kind == "Pod"
    assert problem.detail.startswith("25 warnings (BackOff, FailedMount)")


def test_updates_report_only_what_changed() -> None:
    crash = entry(POD, fixture("pods", "crashloop"))
    index = index_of((POD, crash))
    now = NOW.timestamp()
    [first], gone = index.update(now)
    assert first.reason == "CrashLoopBackOff" and gone == []
    assert index.update(now) == ([], [])  # nothing happened
    index.apply(POD, Batch([crash], [], False))  # the same again (a relist)
    assert index.update(now) == ([], [])
    index.apply(POD, Batch([], [crash.uid], False))
    assert index.update(now) == ([], [crash.uid]) and index.current == {}


def test_changes_and_deletes_follow_the_store_and_order_is_by_severity() -> None:
    crash = entry(POD, fixture("pods", "crashloop"))
    not_ready = entry(POD, fixture("pods", "running_not_ready"))
    node = builtin("Node")
    cordoned = entry(node, fixture("nodes", "cordoned"))
    index = index_of((POD, not_ready), (POD, crash), (node, cordoned))
    problems = index.problems(NOW.timestamp())
    assert [(p.severity, p.reason) for p in problems] == [
        (0, "CrashLoopBackOff"), (1, "Cordoned"), (1, "NotReady")]
    healed = entry(POD, fixture("pods", "running", uid=crash.uid))
    index.apply(POD, Batch([healed], [not_ready.uid], False))
    assert [p.reason for p in index.problems(NOW.timestamp())] == ["Cordoned"]
    assert index.totals[POD.key] == {crash.uid}


def test_a_problem_as_a_table_row() -> None:
    index = index_of((POD, entry(POD, fixture("pods", "crashloop"))))
    [problem] = index.problems(NOW.timestamp())
    row = problem_entry(problem)
    assert row.uid == problem.uid and row.name == "web-7c9d8f6b5d-crash"
    assert row.cells[:4] == ("critical", "Pod", "web-7c9d8f6b5d-crash",
                                 "CrashLoopBackOff")
    assert row.health == "failed"


def test_the_critical_count_follows_incremental_updates() -> None:
    """`critical` is kept as problems come, change severity and go (the title of
    `:problems` reads it instead of counting every problem)."""
    now = NOW.timestamp()

    def counted(index: ProblemIndex) -> tuple[int, int]:
        index.update(now)
        return index.critical, sum(1 for p in index.current.values() if p.severity == 0)

    crash = entry(POD, fixture("pods", "crashloop"))
    pull = entry(POD, fixture("pods", "imagepull", uid="pull-uid", name="pull"))
    index = index_of((POD, crash), (POD, pull))
    assert counted(index) == (2, 2)
    cordoned = fixture("nodes", "cordoned")
    index.apply(builtin("Node"), Batch([entry(builtin("Node"), cordoned)], [], False))
    assert counted(index) == (2, 2) and len(index.current) == 3  # a warning
    not_ready = fixture("pods", "running_not_ready", uid=crash.uid,
                        creationTimestamp="2024-06-01T10:00:00Z")
    index.apply(POD, Batch([entry(POD, not_ready)], [], False))  # critical -> warning
    assert counted(index) == (1, 1) and index.current[crash.uid].reason == "NotReady"
    index.apply(POD, Batch([crash], [], False))  # and back
    assert counted(index) == (2, 2)
    index.apply(POD, Batch([], [pull.uid], False))
    assert counted(index) == (1, 1)
    index.apply(POD, Batch([crash], [], True))  # a relist holding only the crash
    assert counted(index) == (1, 1) and len(index.current) == 2


def test_an_update_on_a_budget_leaves_the_rest_pending() -> None:
    """With a budget, `update` stops when it runs out and the objects it did not look at
    stay pending; further updates finish the job to the same problems."""
    pods = [entry(POD, fixture("pods", "crashloop", uid=f"uid-{i}", name=f"crash-{i}"))
            for i in range(40)]
    now = NOW.timestamp()
    index = index_of(*((POD, p) for p in pods))
    changed, gone = index.update(now, budget=0.0)
    assert len(changed) == 1 and gone == [] and index.pending
    turns = 1
    while index.pending:
        index.update(now, budget=0.0)
        turns += 1
    assert turns == 40
    whole = index_of(*((POD, p) for p in pods))
    whole.update(now)
    assert not whole.pending and index.current == whole.current and len(index.current) == 40
