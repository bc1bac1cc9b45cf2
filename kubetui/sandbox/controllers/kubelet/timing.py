"""How long the simulated kubelet takes for each step, and how fast containers log."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class KubeletTiming:
    """Simulated durations in seconds at pace 1; each is multiplied by `pace`."""

    pace: float = 1.0
    creating: float = 1.0  # pod sandbox and container creation (image present)
    pull: float = 2.5  # first pull of an image on a node
    repull: float = 0.5  # imagePullPolicy Always with the layers cached
    pull_fail: float = 1.5  # until a missing image is reported
    run_short: float = 3.0  # crashloop, oomkill, exit-N
    batch_run: float = 2.0  # batch commands without a sleep
    init_run: float = 1.0  # init containers without their own timing
    stop: float = 0.2  # SIGTERM to exit
    probe: float = 0.5  # readiness probe's first success after initialDelaySeconds
    notice: float = 0.5  # an exit seen and reported, before the back-off state
    backoff_base: float = 10.0
    backoff_max: float = 300.0
    # Log output (rates, not delays: not paced).
    log_rate: float = 1.0  # lines per second per container
    chatty_rate: float = 25.0
    log_budget: float = 2000.0  # lines per second for all ordinary containers together
    log_tick: float = 0.25

    def of(self, seconds: float) -> float:
        return seconds * self.pace
