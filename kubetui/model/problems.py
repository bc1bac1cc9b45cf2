"""`:problems`: every unhealthy object in a namespace scope, with its reason, live.

Each store entry carries its own `Finding` (`render.diagnosis`, from its status). This
module adds what needs more than one object: the message of a Warning event that says
more than the status (the failing probe, the pull error), a CronJob whose newest Job
failed, a Service whose Endpoints have no ready address, a Warning storm on one object,
and states that are problems only when they last (a grace period). `ProblemIndex` is pure
and incremental (a batch costs its size); `ProblemsFeed` feeds it from the store's
watches, the same streams every other view shares. No Textual here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from kubetui.cluster.entries import Entry
from kubetui.cluster.store import Batch, Health, Subscription, WatchStore
from kubetui.kinds import Kind, builtin, resolve
from kubetui.render.diagnosis import CRITICAL, WARNING, Finding
from kubetui.render.model import FAILED, OK, PENDING, Column, Row

__all__ = ["PROBLEM_COLUMNS", "PROBLEM_KINDS", "PULSE_COLUMNS", "Problem", "ProblemIndex",
           "ProblemsFeed", "Pulse", "SEVERITY_NAMES", "problem_entry", "pulse_entry"]

POD, CRONJOB, JOB = builtin("Pod"), builtin("CronJob"), builtin("Job")
SERVICE, ENDPOINTS, EVENT = builtin("Service"), builtin("Endpoints"), builtin("Event", "")

#: What `:problems` watches. Services only name their Endpoints' problem.
PROBLEM_KINDS: tuple[Kind, ...] = (
    POD, builtin("Deployment"), builtin("StatefulSet"), builtin("DaemonSet"), JOB, CRONJOB,
    builtin("Node"), builtin("PersistentVolumeClaim"), builtin("HorizontalPodAutoscaler"),
    ENDPOINTS, SERVICE, EVENT)

SEVERITY_NAMES = {CRITICAL: "critical", WARNING: "warning"}
#: Seconds a lasting state (not ready, a rollout in progress, Pending) must last to count.
GRACE = 60.0
#: Warning events (summed counts) on one object that make a storm worth listing.
STORM = 20

PROBLEM_COLUMNS = (
    Column("SEVERITY"), Column("KIND"), Column("NAME", format="name"), Column("REASON"),
    Column("DETAIL"),
    Column("AGE", sort="age", age=True, description="How long the problem has lasted"),
)


@dataclass(frozen=True, slots=True)
class Problem:
    uid: str  # the object's
    kind: Kind
    namespace: str
    name: str
    severity: int
    reason: str
    detail: str
    since: float | None  # epoch seconds, when known


class ProblemIndex:
    """The findings of the entries of `PROBLEM_KINDS`, joined into `Problem`s."""

    def __init__(self, grace: float = GRACE, storm: int = STORM) -> None:
        self.grace = grace
        self.storm = storm
        self.totals: dict[tuple[str, str], set[str]] = {k.key: set() for k in PROBLEM_KINDS}
        self._found: dict[str, tuple[Kind, Entry]] = {}  # uid -> entry with a finding
        self._warnings: dict[str, dict[str, Entry]] = {}  # object uid -> its Warning events
        self._event_ref: dict[str, str] = {}  # event uid -> object uid
        self._services: dict[tuple[str, str], str] = {}  # (namespace, name) -> uid
        self._jobs: dict[str, Entry] = {}
        self._cronjobs: dict[str, Entry] = {}

    # ----- input ------------------------------------------------------------------------

    def apply(self, kind: Kind, batch: Batch) -> None:
        """A store batch of `kind` (one of `PROBLEM_KINDS`)."""
        if batch.reset:
            for uid in list(self.totals[kind.key]):
                self._remove(kind, uid)
        for uid in batch.deletes:
            self._remove(kind, uid)
        for entry in batch.upserts:
            self._upsert(kind, entry)

    def _upsert(self, kind: Kind, entry: Entry) -> None:
        uid, key = entry.uid, kind.key
        self.totals[key].add(uid)
        if key == EVENT.key:
            self._drop_event(uid)
            if entry.problem is not None and entry.ref:
                self._warnings.setdefault(entry.ref, {})[uid] = entry
                self._event_ref[uid] = entry.ref
            return
        if key == SERVICE.key:
            self._services[(entry.namespace, entry.name)] = uid
        elif key == JOB.key:
            self._jobs[uid] = entry
        elif key == CRONJOB.key:
            self._cronjobs[uid] = entry
        if entry.problem is not None:
            self._found[uid] = (kind, entry)
        else:
            self._found.pop(uid, None)

    def _remove(self, kind: Kind, uid: str) -> None:
        self.totals[kind.key].discard(uid)
        if kind.key == EVENT.key:
            self._drop_event(uid)
            return
        self._found.pop(uid, None)
        self._jobs.pop(uid, None)
        self._cronjobs.pop(uid, None)
        if kind.key == SERVICE.key:
            self._services = {k: v for k, v in self._services.items() if v != uid}

    def _drop_event(self, uid: str) -> None:
        ref = self._event_ref.pop(uid, None)
        if ref is not None:
            events = self._warnings.get(ref, {})
            events.pop(uid, None)
            if not events:
                self._warnings.pop(ref, None)

    # ----- output -----------------------------------------------------------------------

    def problems(self, now: float) -> list[Problem]:
        """Every problem at `now`, most severe first, then by kind, namespace and name."""
        out: list[Problem] = []
        listed: set[str] = set()
        for uid, (kind, entry) in self._found.items():
            problem = self._problem(kind, entry, now)
            if problem is not None:
                out.append(problem)
                listed.add(problem.uid)
        out.extend(self._cronjob_problems(listed))
        out.extend(self._storms(self._found.keys() | listed))  # objects whose status is fine
        out.sort(key=lambda p: (p.severity, p.kind.kind, p.namespace, p.name))
        return out

    def pulses(self, now: float) -> list[Pulse]:
        """Per kind (in `PROBLEM_KINDS` order, Events and Endpoints left out: they speak
        for other objects), how many there are and how many are unhealthy."""
        unhealthy: dict[tuple[str, str], set[str]] = {}
        critical: set[tuple[str, str]] = set()
        for p in self.problems(now):
            unhealthy.setdefault(p.kind.key, set()).add(p.uid)
            if p.severity == CRITICAL:
                critical.add(p.kind.key)
        return [Pulse(kind, len(self.totals[kind.key]), len(unhealthy.get(kind.key, ())),
                      kind.key in critical)
                for kind in PROBLEM_KINDS if kind.key not in (EVENT.key, ENDPOINTS.key)]

    def _problem(self, kind: Kind, entry: Entry, now: float) -> Problem | None:
        finding = entry.problem
        assert finding is not None
        if finding.since is not None and now - finding.since < self.grace:
            return None
        detail = self._explained(entry.uid, finding) or finding.detail
        uid = entry.uid
        if kind.key == ENDPOINTS.key:  # it speaks for its Service
            kind, uid = SERVICE, self._services.get((entry.namespace, entry.name), uid)
        return Problem(uid, kind, entry.namespace, entry.name, finding.severity,
                       finding.reason, detail, finding.since or entry.created)

    def _explained(self, uid: str, finding: Finding) -> str:
        """The newest Warning event message about `uid` with a reason the finding names,
        skipping the kubelet's bare "Error: <reason>" echoes when a fuller one exists."""
        if not finding.explained_by:
            return ""
        events = [e.problem for e in self._warnings.get(uid, {}).values()
                  if e.problem is not None and e.problem.reason in finding.explained_by]
        if not events:
            return ""
        events.sort(key=lambda f: (not f.detail.startswith("Error: "), f.since or 0.0))
        best = events[-1]
        return best.detail + (f" (x{best.count})" if best.count > 1 else "")

    def _cronjob_problems(self, listed: set[str]) -> Iterable[Problem]:
        newest: dict[str, Entry] = {}
        for job in self._jobs.values():
            for owner in job.owners:
                if owner in self._cronjobs:
                    seen = newest.get(owner)
                    if seen is None or (job.created or 0.0) > (seen.created or 0.0):
                        newest[owner] = job
        for owner, job in newest.items():
            if job.problem is None or owner in listed:
                continue
            cron = self._cronjobs[owner]
            yield Problem(owner, CRONJOB, cron.namespace, cron.name, WARNING, "LastJobFailed",
                          f"job {job.name}: {job.problem.reason}: {job.problem.detail}",
                          job.created)

    def _storms(self, diagnosed: set[str]) -> Iterable[Problem]:
        for ref, events in self._warnings.items():
            if ref in diagnosed:
                continue
            findings = [e.problem for e in events.values() if e.problem is not None]
            total = sum(f.count for f in findings)
            if total < self.storm:
                continue
            newest = max(events.values(), key=lambda e: e.problem.since or 0.0
                         if e.problem else 0.0)
            kind_word, _, name = newest.row.cells[3].partition("/")
            kind = resolve(kind_word) or EVENT
            reasons = sorted({f.reason for f in findings})
            last = newest.problem
            assert last is not None
            yield Problem(ref, kind, newest.namespace, name, WARNING, "WarningStorm",
                          f"{total} warnings ({', '.join(reasons)}); last: {last.detail}",
                          last.since)


@dataclass(frozen=True, slots=True)
class Pulse:
    kind: Kind
    total: int
    unhealthy: int
    critical: bool  # one of them at least is critical


PULSE_COLUMNS = (Column("KIND", format="name"), Column("TOTAL", sort="number"),
                 Column("HEALTHY", sort="number"), Column("UNHEALTHY", sort="number"))


def pulse_entry(pulse: Pulse) -> Entry:
    """A pulse as a row of `PULSE_COLUMNS`, keyed by its kind."""
    cells = (pulse.kind.plural, str(pulse.total), str(pulse.total - pulse.unhealthy),
             str(pulse.unhealthy))
    health = FAILED if pulse.critical else PENDING if pulse.unhealthy else OK
    return Entry(uid="/".join(pulse.kind.key), name=pulse.kind.plural, namespace="",
                 row=Row(cells=cells, health=health), labels={}, owners=(), node="",
                 created=None, rv="")


def problem_entry(problem: Problem) -> Entry:
    """A problem as a row of `PROBLEM_COLUMNS`, keyed by its object's uid."""
    cells = (SEVERITY_NAMES[problem.severity], problem.kind.kind, problem.name,
             problem.reason, problem.detail, "")
    health = FAILED if problem.severity == CRITICAL else PENDING
    return Entry(uid=problem.uid, name=problem.name, namespace=problem.namespace,
                 row=Row(cells=cells, health=health), labels={}, owners=(), node="",
                 created=problem.since, rv="")


class ProblemsFeed:
    """Follows `PROBLEM_KINDS` in `namespace` (None: all) into a `ProblemIndex`, calling
    `on_change` after each batch (on the event loop; the caller paces its redraws)."""

    def __init__(self, store: WatchStore, namespace: str | None,
                 on_change: Callable[[], None], on_health: Callable[[Health], None],
                 index: ProblemIndex | None = None) -> None:
        self.index = index or ProblemIndex()
        self._on_change = on_change
        self._subs: list[Subscription] = []
        for kind in PROBLEM_KINDS:
            self._subs.append(store.subscribe(
                kind, namespace, lambda batch, kind=kind: self._batch(kind, batch),
                on_health if kind is POD else _ignore))

    @property
    def health(self) -> Health:
        return self._subs[0].health

    @property
    def synced(self) -> bool:
        """Every stream has delivered its first content."""
        return not any(s.needs_reset for s in self._subs)

    def _batch(self, kind: Kind, batch: Batch) -> None:
        self.index.apply(kind, batch)
        self._on_change()

    def close(self) -> None:
        for sub in self._subs:
            sub.close()
        self._subs.clear()


def _ignore(_: object) -> None:
    pass
