"""What the event loop was doing when it stalled: a watchdog thread samples the main
thread's stack while the loop misses its heartbeat, and the garbage collector's passes are
timed meanwhile.

    with StallSampler(threshold_ms=30) as stalls:
        ...  # keys under churn
    print(stalls.report())

A callback scheduled every `BEAT` seconds on the loop records when it last ran; the
watchdog thread wakes every `BEAT` too and, while the last beat is older than the
threshold, takes the main thread's stack (`sys._current_frames`). The thread needs the GIL
to sample, which Python code gives up every few milliseconds (a collection does not: its
pause is timed by `gc.callbacks` instead). When the beat runs again, the gap is a stall
with the samples taken during it. Each stall is named by the callback the loop was running
(the frame under asyncio's `Handle._run`) and the innermost kubetui (else Textual) frame
seen most often among its samples. Used by bench/run.py and bench/problems_bench.py
(`--stalls`) and by hand.

The samples name where the main thread was when the watchdog got the GIL, which it gets
most readily when that thread gives it up: around a socket read (`recv_into`, an SSL
read) more often than in the Python code that took the CPU. So each callback the loop runs
is also timed in CPU (asyncio's `Handle._run`, wrapped while sampling), and those that
held the CPU over the threshold are reported by name, with the collector's part.

A stall's wall time is the main thread's CPU time in it, its wait for a core while it
could run (the kernel's run queue, from /proc's schedstat, Linux only), and the rest: it
slept, which on the loop's thread means waiting for the GIL that another thread held (or a
blocking call). So each stall also counts the CPU time the process's other threads (the
watchdog left out) took within it, and which of them the watchdog saw running.
"""

from __future__ import annotations

import asyncio
import gc
import os
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from types import FrameType

__all__ = ["Stall", "StallSampler"]

BEAT = 0.005  # seconds between heartbeats, and between the watchdog's looks
OURS = ("/kubetui/", "/textual/", "/rich/", "/kubernetes_asyncio/", "/aiohttp/")


@dataclass
class Stall:
    start: float  # perf_counter when the loop last beat before it
    ms: float
    cpu_ms: float  # the main thread's CPU time within it (the rest: waiting for a core)
    samples: list[list[str]] = field(default_factory=list)  # stacks, outermost first
    gc_ms: dict[int, float] = field(default_factory=dict)  # collection pauses within it
    queued_ms: float = 0.0  # the main thread runnable but waiting for a core
    others_cpu_ms: float = 0.0  # the CPU time of the process's other threads within it
    #: The other threads seen taking CPU time during it: innermost frame -> looks.
    others: Counter[str] = field(default_factory=Counter)

    @property
    def slept_ms(self) -> float:
        """Neither on a core nor waiting for one: the GIL, or a blocking call."""
        return max(0.0, self.ms - self.cpu_ms - self.queued_ms)

    def label(self) -> str:
        """The callback and the innermost frame of ours most often seen, or the collector
        when it took most of the stall, or '?' with no sample."""
        gc_total = sum(self.gc_ms.values())
        if gc_total >= self.ms / 2:
            worst = max(self.gc_ms, key=lambda g: self.gc_ms[g])
            return f"gc (generation {worst})"
        if not self.samples:
            return "? (no sample)"
        names = Counter(f"{_callback(s)} > {_innermost(s)}" for s in self.samples)
        return names.most_common(1)[0][0]


def _frame_name(frame: FrameType) -> str:
    code = frame.f_code
    path = code.co_filename
    for root in OURS:
        if root in path:
            path = root.strip("/") + "/" + path.split(root, 1)[1]
            break
    else:
        path = path.rsplit("/", 1)[-1]
    return f"{path}:{code.co_qualname}:{frame.f_lineno}"


def _stack(frame: FrameType | None) -> list[str]:
    names = []
    while frame is not None:
        names.append(_frame_name(frame))
        frame = frame.f_back
    return names[::-1]


def _callback(stack: list[str]) -> str:
    """The frame the loop called (under asyncio's Handle._run), without its line."""
    for i, name in enumerate(stack):
        if "events.py:Handle._run" in name and i + 1 < len(stack):
            return stack[i + 1].rsplit(":", 1)[0]
    return stack[-1].rsplit(":", 1)[0] if stack else "?"


def _handle_name(handle: asyncio.Handle) -> str:
    """The function a loop callback calls, or the coroutine of the task it steps."""
    callback = handle._callback  # type: ignore[attr-defined]
    task = getattr(callback, "__self__", None)
    if isinstance(task, asyncio.Task):
        coro = task.get_coro()
        return f"task {getattr(coro, '__qualname__', type(coro).__name__)}"
    return getattr(callback, "__qualname__", type(callback).__name__)


def _innermost(stack: list[str]) -> str:
    for prefix in ("kubetui/", "textual/"):
        for name in reversed(stack):
            if name.startswith(prefix):
                return name
    return stack[-1] if stack else "?"


class StallSampler:
    """Stalls of the running loop over `threshold_ms` between `start` and `stop`."""

    def __init__(self, threshold_ms: float = 30.0) -> None:
        self.threshold = threshold_ms / 1000
        self.stalls: list[Stall] = []
        #: (start, generation, ms, CPU ms of the thread that collected)
        self.gc_pauses: list[tuple[float, int, float, float]] = []
        self._beat = time.perf_counter()
        self._beat_cpu = time.thread_time()
        self._samples: list[tuple[float, list[str]]] = []
        #: (when, innermost frame) of the other threads that ran since the look before
        self._others: list[tuple[float, str]] = []
        self._lock = threading.Lock()
        self._running = False
        self._gc_started = self._gc_cpu = 0.0
        self._gc_cpu_total = 0.0  # CPU seconds the collector has taken while sampling
        #: (callback or task, CPU ms, of which collecting) of the callbacks the loop ran
        #: that held the CPU over the threshold
        self.long_callbacks: list[tuple[str, float, float]] = []
        self._handle_run: Callable[[asyncio.Handle], None] | None = None
        self._main = threading.main_thread().ident
        #: Every look's stack's callback > innermost frame of ours, stall or not: where
        #: the main thread's time goes (a sampling profile; idle waits included).
        self.profile: Counter[str] = Counter()
        self._span = (0.0, 0.0, 0.0, 0.0)  # perf_counter, thread_time, process_time at start
        self._handle: asyncio.TimerHandle | None = None
        self._thread: threading.Thread | None = None
        self._schedstat: int | None = None  # the main thread's /proc schedstat, open
        self._beat_queued = self._beat_process = self._span_queued = 0.0
        self._watchdog_cpu = 0.0  # the watchdog's own CPU time (seconds), kept by it
        self._beat_watchdog = 0.0

    def __enter__(self) -> StallSampler:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        self._running = True
        try:
            self._schedstat = os.open(
                f"/proc/self/task/{threading.get_native_id()}/schedstat", os.O_RDONLY)
        except OSError:
            self._schedstat = None
        self._beat, self._beat_cpu = time.perf_counter(), time.thread_time()
        self._beat_queued, self._beat_process = self._queued(), time.process_time()
        self._span = (self._beat, self._beat_cpu, time.process_time(), 0.0)
        self._span_queued = self._beat_queued
        gc.callbacks.append(self._on_gc)
        self._handle_run = run = asyncio.Handle._run

        def timed(handle: asyncio.Handle) -> None:
            cpu, collected = time.thread_time(), self._gc_cpu_total
            run(handle)
            cpu = time.thread_time() - cpu
            if cpu > self.threshold:
                self.long_callbacks.append((_handle_name(handle), cpu * 1000,
                                            (self._gc_cpu_total - collected) * 1000))

        asyncio.Handle._run = timed  # type: ignore[method-assign]
        self._handle = asyncio.get_running_loop().call_later(BEAT, self._on_beat)
        self._thread = threading.Thread(target=self._watch, name="stall-watchdog",
                                        daemon=True)
        self._thread.start()

    def stop(self) -> None:
        started, cpu, process, _ = self._span
        self._span = (started, cpu, process, time.perf_counter())
        self._span_cpu = (time.thread_time() - cpu, time.process_time() - process)
        self._span_queued = self._queued() - self._span_queued
        self._running = False
        if self._handle is not None:
            self._handle.cancel()
        if self._on_gc in gc.callbacks:
            gc.callbacks.remove(self._on_gc)
        if self._handle_run is not None:
            asyncio.Handle._run = self._handle_run  # type: ignore[method-assign]
            self._handle_run = None
        if self._thread is not None:
            self._thread.join()
        if self._schedstat is not None:
            os.close(self._schedstat)
            self._schedstat = None

    def _queued(self) -> float:
        """Seconds the main thread has waited in the run queue (0 where unknown)."""
        if self._schedstat is None:
            return 0.0
        return int(os.pread(self._schedstat, 64, 0).split()[1]) / 1e9

    def _on_gc(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._gc_started, self._gc_cpu = time.perf_counter(), time.thread_time()
        else:
            now, cpu = time.perf_counter(), time.thread_time()
            self._gc_cpu_total += cpu - self._gc_cpu
            self.gc_pauses.append((self._gc_started, info["generation"],
                                   (now - self._gc_started) * 1000,
                                   (cpu - self._gc_cpu) * 1000))

    def _on_beat(self) -> None:
        now, cpu = time.perf_counter(), time.thread_time()
        queued, process, watchdog = self._queued(), time.process_time(), self._watchdog_cpu
        gap = now - self._beat - BEAT
        if gap > self.threshold:
            with self._lock:
                samples = [s for t, s in self._samples if t >= self._beat]
                others = Counter(o for t, o in self._others if t >= self._beat)
                self._samples.clear()
                self._others.clear()
            main = cpu - self._beat_cpu
            stall = Stall(self._beat, gap * 1000, main * 1000, samples,
                          queued_ms=(queued - self._beat_queued) * 1000,
                          others_cpu_ms=max(0.0, process - self._beat_process - main
                                            - (watchdog - self._beat_watchdog)) * 1000,
                          others=others)
            for started, generation, ms, _ in self.gc_pauses:
                if self._beat <= started <= now:
                    stall.gc_ms[generation] = stall.gc_ms.get(generation, 0.0) + ms
            self.stalls.append(stall)
        else:
            with self._lock:
                self._samples.clear()
                self._others.clear()
        self._beat, self._beat_cpu = now, cpu
        self._beat_queued, self._beat_process, self._beat_watchdog = queued, process, watchdog
        if self._running:
            self._handle = asyncio.get_running_loop().call_later(BEAT, self._on_beat)

    def _watch(self) -> None:
        me = threading.get_ident()
        clocks: dict[int, float] = {}  # other threads' CPU time at the last look
        while self._running:
            time.sleep(BEAT)
            frames = sys._current_frames()
            stack = _stack(frames.get(self._main))  # type: ignore[arg-type]
            self.profile[f"{_callback(stack)} > {_innermost(stack).rsplit(':', 1)[0]}"] += 1
            ran = []
            for ident, frame in frames.items():
                if ident in (me, self._main):
                    continue
                try:
                    used = time.clock_gettime(time.pthread_getcpuclockid(ident))
                except (OSError, AttributeError):  # ended meanwhile; not on this system
                    continue
                if used - clocks.get(ident, used) > 0.0005:
                    ran.append(_innermost(_stack(frame)))
                clocks[ident] = used
            if time.perf_counter() - self._beat > self.threshold:
                looked = time.perf_counter()
                with self._lock:
                    self._samples.append((looked, stack))
                    self._others += [(looked, name) for name in ran]
            self._watchdog_cpu = time.thread_time()

    def report(self, stacks: int = 0, profile: int = 15) -> str:
        """The main thread's and the process's CPU share, stalls grouped by label (count,
        total and longest ms), the collector's passes by generation, the `profile` places
        most often sampled, and the `stacks` longest stalls' first sampled stack (ours
        only)."""
        started, _, _, stopped = self._span
        wall = max(stopped - started, 1e-9)
        main_cpu, process_cpu = getattr(self, "_span_cpu", (0.0, 0.0))
        lines = [f"over {wall:.1f} s: main thread on the CPU {main_cpu / wall:.0%} of the "
                 f"time (waiting for a core {self._span_queued / wall:.0%}), the process "
                 f"{process_cpu / wall:.0%}"]
        if not self.stalls:
            lines.append("no stall over the threshold")
        else:
            groups: dict[str, list[Stall]] = {}
            for stall in self.stalls:
                groups.setdefault(stall.label(), []).append(stall)
            total = sum(s.ms for s in self.stalls)
            cpu = sum(s.cpu_ms for s in self.stalls)
            queued = sum(s.queued_ms for s in self.stalls)
            others = sum(s.others_cpu_ms for s in self.stalls)
            lines.append(f"{len(self.stalls)} stalls over {self.threshold * 1000:.0f} ms, "
                         f"{total:.0f} ms in all ({cpu:.0f} ms of it on the CPU, {queued:.0f} "
                         f"waiting for a core, the rest asleep; other threads' CPU meanwhile "
                         f"{others:.0f} ms):")
            held = [s for s in self.stalls if s.cpu_ms > self.threshold * 1000]
            lines.append(f"{len(held)} of them held the CPU over {self.threshold * 1000:.0f} ms "
                         f"themselves ({sum(s.cpu_ms for s in held):.0f} ms; the others "
                         "waited for a core, the GIL or a call): on a busy machine these "
                         "compare better than the wall times")
            lines.append("  count,  wall ms (CPU, queued, asleep; others' CPU), longest  where")
            for label, group in sorted(groups.items(), key=lambda g: -sum(s.ms for s in g[1])):
                ms = [s.ms for s in group]
                lines.append(f"  {len(ms):3d} x, {sum(ms):6.0f} ms "
                             f"({sum(s.cpu_ms for s in group):4.0f}, "
                             f"{sum(s.queued_ms for s in group):4.0f}, "
                             f"{sum(s.slept_ms for s in group):4.0f}; "
                             f"{sum(s.others_cpu_ms for s in group):4.0f}), longest "
                             f"{max(ms):4.0f} ms  {label}")
        if self.long_callbacks:
            calls: dict[str, list[tuple[float, float]]] = {}
            for name, cpu_ms, gc_ms in self.long_callbacks:
                calls.setdefault(name, []).append((cpu_ms, gc_ms))
            lines.append(f"callbacks of the loop that held the CPU over "
                         f"{self.threshold * 1000:.0f} ms: {len(self.long_callbacks)}, "
                         f"{sum(c[1] for c in self.long_callbacks):.0f} ms "
                         f"({sum(c[2] for c in self.long_callbacks):.0f} of it collecting):")
            for name, times in sorted(calls.items(), key=lambda c: -sum(t[0] for t in c[1])):
                lines.append(f"  {len(times):3d} x, {sum(t[0] for t in times):6.0f} ms "
                             f"(collecting {sum(t[1] for t in times):4.0f}), longest "
                             f"{max(t[0] for t in times):4.0f} ms  {name}")
        by_gen: dict[int, list[tuple[float, float]]] = {}
        for _, generation, ms, cpu_ms in self.gc_pauses:
            by_gen.setdefault(generation, []).append((ms, cpu_ms))
        for generation, times in sorted(by_gen.items()):
            ms = [t[0] for t in times]
            lines.append(f"gc generation {generation}: {len(ms)} passes, {sum(ms):.0f} ms "
                         f"(CPU {sum(t[1] for t in times):.0f}), longest {max(ms):.0f} ms "
                         f"(CPU {max(t[1] for t in times):.0f})")
        looks = sum(self.profile.values())
        if looks and profile:
            lines.append(f"where the main thread was, of {looks} looks every "
                         f"{BEAT * 1000:.0f} ms:")
            lines += [f"  {n / looks:4.0%}  {place}"
                      for place, n in self.profile.most_common(profile)]
        for stall in sorted(self.stalls, key=lambda s: -s.ms)[:stacks]:
            lines.append(f"--- {stall.ms:.0f} ms stall ({stall.cpu_ms:.0f} ms CPU, "
                         f"{stall.queued_ms:.0f} queued, {stall.slept_ms:.0f} asleep; other "
                         f"threads {stall.others_cpu_ms:.0f} ms CPU), {len(stall.samples)} "
                         f"samples, gc {sum(stall.gc_ms.values()):.0f} ms")
            if stall.others:
                lines.append("    other threads running: " + ", ".join(
                    f"{name} ({n})" for name, n in stall.others.most_common(3)))
            label = stall.label()
            shown = next((s for s in stall.samples
                          if f"{_callback(s)} > {_innermost(s)}" == label), None)
            if shown is not None:  # a sample of what the stall is named after
                lines += [f"    {n}" for n in shown if n.startswith(("kubetui/", "textual/"))]
        return "\n".join(lines)
