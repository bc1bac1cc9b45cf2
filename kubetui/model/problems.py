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

import time
from collections.abc import Callable
from dataclasses import dataclass

from kubetui.cluster.entries import Entry
from kubetui.cluster.store import Batch, StreamHealth, Subscription, WatchStore
from kubetui.kinds import Kind, builtin, resolve
from kubetui.render.diagnosis import CRITICAL, WARNING, Finding
from kubetui.render.model import FAILED, OK, PENDING, Column

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
    crashed: str = ""  # a crash-looping pod's container (see `Finding.crashed`)


class ProblemIndex:
    """The findings of the entries of `PROBLEM_KINDS`, joined into `Problem`s.

    Incremental: `apply` notes which objects changed (an event counts for the object it
    is about); `update` looks at those again, and at lasting states whose grace ran out,
    so its cost follows the changes, not the number of problems."""

    def __init__(self, grace: float = GRACE, storm: int = STORM) -> None:
        self._grace = grace
        self.storm = storm
        self.totals: dict[tuple[str, str], set[str]] = {k.key: set() for k in PROBLEM_KINDS}
        #: The problems found by the last `update`, by the uid of the object they are about.
        self.current: dict[str, Problem] = {}
        #: How many of `current` are CRITICAL (kept as `current` changes: a title that
        #: counts them costs nothing at 50,000 problems).
        self.critical = 0
        self._found: dict[str, tuple[Kind, Entry]] = {}  # uid -> entry with a finding
        self._warnings: dict[str, dict[str, Entry]] = {}  # object uid -> its Warning events
        self._event_ref: dict[str, str] = {}  # event uid -> object uid
        self._services: dict[tuple[str, str], str] = {}  # (namespace, name) -> uid
        self._endpoints: dict[tuple[str, str], str] = {}  # (namespace, name) -> uid
        self._jobs: dict[str, Entry] = {}
        self._cronjobs: dict[str, Entry] = {}
        self._dirty: set[str] = set()  # object uids to look at again
        self._due: dict[str, float] = {}  # uid -> when its lasting state starts to count
        self._said: dict[str, str] = {}  # object uid -> uid of the problem it gave
        self._cron_said: set[str] = set()  # CronJobs listed for their newest Job
        self._jobs_changed = False

    @property
    def grace(self) -> float:
        return self._grace

    @grace.setter
    def grace(self, seconds: float) -> None:
        self._grace = seconds
        self._dirty.update(self._due)  # waiting with the old grace: look again

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
                self._dirty.add(entry.ref)
            return
        self._dirty.add(uid)
        where = (entry.namespace, entry.name)
        if key == SERVICE.key:
            self._services[where] = uid
            if where in self._endpoints:  # its Endpoints' problem is told under its uid
                self._dirty.add(self._endpoints[where])
        elif key == ENDPOINTS.key:
            self._endpoints[where] = uid
        elif key == JOB.key:
            self._jobs[uid] = entry
            self._jobs_changed = True
        elif key == CRONJOB.key:
            self._cronjobs[uid] = entry
            self._jobs_changed = True
        if entry.problem is not None:
            self._found[uid] = (kind, entry)
        else:
            self._found.pop(uid, None)

    def _remove(self, kind: Kind, uid: str) -> None:
        self.totals[kind.key].discard(uid)
        if kind.key == EVENT.key:
            self._drop_event(uid)
            return
        self._dirty.add(uid)
        self._found.pop(uid, None)
        if self._jobs.pop(uid, None) is not None or self._cronjobs.pop(uid, None) is not None:
            self._jobs_changed = True
        names = {SERVICE.key: self._services, ENDPOINTS.key: self._endpoints}.get(kind.key)
        if names is not None:  # (a pod's deletion must not scan every Service)
            for where in [w for w, u in names.items() if u == uid]:
                del names[where]

    def _drop_event(self, uid: str) -> None:
        ref = self._event_ref.pop(uid, None)
        if ref is not None:
            self._dirty.add(ref)
            events = self._warnings.get(ref, {})
            events.pop(uid, None)
            if not events:
                self._warnings.pop(ref, None)

    # ----- output -----------------------------------------------------------------------

    @property
    def pending(self) -> bool:
        """Objects changed that `update` has not looked at yet (it ran out of budget)."""
        return bool(self._dirty)

    def update(self, now: float, budget: float | None = None
               ) -> tuple[list[Problem], list[str]]:
        """Bring `current` up to `now`: the problems new or changed, and the uids of those
        gone. With a `budget` (seconds), the objects left to look at when it runs out stay
        `pending` for the next call: the first update after a reset of 50,000 pods takes
        ~100 ms."""
        changed: dict[str, Problem] = {}
        gone: set[str] = set()
        due = [uid for uid, at in self._due.items() if at <= now]
        for uid in due:
            del self._due[uid]
        look, self._dirty = iter(self._dirty | set(due)), set()
        ends = None if budget is None else time.perf_counter() + budget
        for uid in look:
            self._look(uid, now, changed, gone)
            if ends is not None and time.perf_counter() > ends:
                self._dirty.update(look)
                break
        if self._jobs_changed:
            self._jobs_changed = False
            self._look_at_cronjobs(changed, gone)
        gone.difference_update(changed)
        return list(changed.values()), list(gone)

    def problems(self, now: float) -> list[Problem]:
        """Every problem at `now`, most severe first, then by kind, namespace and name."""
        self.update(now)
        return sorted(self.current.values(),
                      key=lambda p: (p.severity, p.kind.kind, p.namespace, p.name))

    def pulses(self, now: float) -> list[Pulse]:
        """Per kind (in `PROBLEM_KINDS` order, Events and Endpoints left out: they speak
        for other objects), how many there are and how many are unhealthy."""
        self.update(now)
        unhealthy: dict[tuple[str, str], set[str]] = {}
        critical: set[tuple[str, str]] = set()
        for p in self.current.values():
            unhealthy.setdefault(p.kind.key, set()).add(p.uid)
            if p.severity == CRITICAL:
                critical.add(p.kind.key)
        return [Pulse(kind, len(self.totals[kind.key]), len(unhealthy.get(kind.key, ())),
                      kind.key in critical)
                for kind in PROBLEM_KINDS if kind.key not in (EVENT.key, ENDPOINTS.key)]

    def _look(self, uid: str, now: float, changed: dict[str, Problem],
              gone: set[str]) -> None:
        """Find `uid`'s problem again (its own, or a Warning storm)."""
        problem = None
        found = self._found.get(uid)
        if found is not None:
            problem = self._problem(*found, now)
        elif uid in self._warnings:
            problem = self._storm(uid)
        old = self._said.pop(uid, None)
        if problem is not None:
            self._said[uid] = problem.uid
            if self.current.get(problem.uid) != problem:
                self._put(problem)
                changed[problem.uid] = problem
        if old is not None and (problem is None or problem.uid != old):
            self._drop(old)
            gone.add(old)

    def _put(self, problem: Problem) -> None:
        old = self.current.get(problem.uid)
        self.critical += (problem.severity == CRITICAL) - (
            old is not None and old.severity == CRITICAL)
        self.current[problem.uid] = problem

    def _drop(self, uid: str) -> None:
        old = self.current.pop(uid, None)
        if old is not None and old.severity == CRITICAL:
            self.critical -= 1

    def _problem(self, kind: Kind, entry: Entry, now: float) -> Problem | None:
        finding = entry.problem
        assert finding is not None
        if finding.since is not None and now - finding.since < self._grace:
            self._due[entry.uid] = finding.since + self._grace
            return None
        detail = self._explained(entry.uid, finding) or finding.detail
        uid = entry.uid
        if kind.key == ENDPOINTS.key:  # it speaks for its Service
            kind, uid = SERVICE, self._services.get((entry.namespace, entry.name), uid)
        return Problem(uid, kind, entry.namespace, entry.name, finding.severity,
                       finding.reason, detail, finding.since or entry.created, finding.crashed)

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

    def _look_at_cronjobs(self, changed: dict[str, Problem], gone: set[str]) -> None:
        """CronJobs whose newest Job failed (and that have no problem of their own)."""
        newest: dict[str, Entry] = {}
        for job in self._jobs.values():
            for owner in job.owners:
                if owner in self._cronjobs:
                    seen = newest.get(owner)
                    if seen is None or (job.created or 0.0) > (seen.created or 0.0):
                        newest[owner] = job
        said: set[str] = set()
        for owner, job in newest.items():
            if job.problem is None or owner in self._said:
                continue
            cron = self._cronjobs[owner]
            problem = Problem(owner, CRONJOB, cron.namespace, cron.name, WARNING,
                              "LastJobFailed",
                              f"job {job.name}: {job.problem.reason}: {job.problem.detail}",
                              job.created)
            said.add(owner)
            if self.current.get(owner) != problem:
                self._put(problem)
                changed[owner] = problem
        for owner in self._cron_said - said:
            if owner not in self._said:
                self._drop(owner)
                gone.add(owner)
        self._cron_said = said

    def _storm(self, ref: str) -> Problem | None:
        """A storm of Warning events on an object whose status is fine."""
        events = self._warnings[ref]
        findings = [e.problem for e in events.values() if e.problem is not None]
        total = sum(f.count for f in findings)
        if total < self.storm:
            return None
        newest = max(events.values(), key=lambda e: e.problem.since or 0.0
                     if e.problem else 0.0)
        kind_word, _, name = newest.cells[3].partition("/")
        kind = resolve(kind_word) or EVENT
        reasons = sorted({f.reason for f in findings})
        last = newest.problem
        assert last is not None
        return Problem(ref, kind, newest.namespace, name, WARNING, "WarningStorm",
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
                 cells=cells, health=health, labels={}, owners=(), node="", created=None,
                 rv="")


def problem_entry(problem: Problem, last_words: str = "") -> Entry:
    """A problem as a row of `PROBLEM_COLUMNS`, keyed by its object's uid; `last_words`,
    a crashed container's last log line, ends the detail."""
    detail = f"{problem.detail}; last log: {last_words}" if last_words else problem.detail
    cells = (SEVERITY_NAMES[problem.severity], problem.kind.kind, problem.name,
             problem.reason, detail, "")
    health = FAILED if problem.severity == CRITICAL else PENDING
    return Entry(uid=problem.uid, name=problem.name, namespace=problem.namespace,
                 cells=cells, health=health, labels={}, owners=(), node="",
                 created=problem.since, rv="")


class ProblemsFeed:
    """Follows `PROBLEM_KINDS` in `namespace` (None: all) into a `ProblemIndex`, calling
    `on_change` after each batch (on the event loop; the caller paces its redraws)."""

    def __init__(self, store: WatchStore, namespace: str | None,
                 on_change: Callable[[], None], on_health: Callable[[StreamHealth], None],
                 index: ProblemIndex | None = None) -> None:
        self.index = index or ProblemIndex()
        self._on_change = on_change
        self._subs: list[Subscription] = []
        for kind in PROBLEM_KINDS:
            self._subs.append(store.subscribe(
                kind, namespace, lambda batch, kind=kind: self._batch(kind, batch),
                on_health if kind is POD else _ignore))

    @property
    def health(self) -> StreamHealth:
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
