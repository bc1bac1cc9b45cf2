"""What a simulated container does, and how containerd names its image.

What a container does is chosen by its image name (lower-cased, substrings):

=====================  ===============================================================
``imagepullbackoff``,  the pull fails: ErrImagePull, then ImagePullBackOff, retried with
``does-not-exist``     back-off (base, doubling, capped)
``crashloop``          prints a few lines and a fatal error, exits 1 after ~3 s; restarts
                       under restartPolicy Always/OnFailure with CrashLoopBackOff
                       (first restart at once, then base, 2*base, ... capped)
``oomkill``            exits 137, reason OOMKilled, after ~3 s (restarts as above)
``exit-<N>``           runs ~3 s and exits with code N (Completed for 0, else Error)
``never-ready``        runs but never becomes Ready (Unhealthy events every probe period
                       when it has a readinessProbe)
``ignore-sigterm``     on deletion it ignores SIGTERM: killed (137) only when the grace
                       period (deletionGracePeriodSeconds or terminationGracePeriodSeconds)
                       is over
``chatty``             logs ``chatty_rate`` lines a second instead of ``log_rate``
=====================  ===============================================================

A ``sleep N`` in a container's command or args makes it run N seconds then exit 0. A
container with a command but no sleep under restartPolicy Never/OnFailure (a batch job)
runs ~2 s and exits 0, printing what its ``echo`` commands say; init containers run ~1 s.
Anything else runs until its pod is deleted. Log flavour: nginx access log for ``nginx``
images, JSON lines for images naming an app/api/service/backend/worker, plain otherwise.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Any

from kubetui.sandbox.apiserver.defaults import image_pull_policy
from kubetui.sandbox.apiserver.store import Obj
from kubetui.sandbox.controllers import podlogs
from kubetui.sandbox.controllers.kubelet.timing import KubeletTiming

_EXIT = re.compile(r"exit-(\d+)")
_SLEEP = re.compile(r"\bsleep\s+(\d+(?:\.\d+)?)\b")
_ECHO = re.compile(r"""\becho\s+(?:"([^"]*)"|'([^']*)'|([^;&|]+))""")


@dataclass(frozen=True)
class Behaviour:
    """A container's script, read from its image name and command."""

    pull_fails: bool = False
    run_for: float | None = None  # seconds at pace 1 until it exits; None: until stopped
    exit_code: int = 0
    exit_reason: str = "Completed"
    crash: bool = False  # prints an error before exiting
    never_ready: bool = False
    ignore_sigterm: bool = False
    flavour: str = podlogs.PLAIN
    chatty: bool = False
    echo: tuple[str, ...] = ()


def behaviour_of(container: Obj, restart_policy: str, init: bool,
                 timing: KubeletTiming) -> Behaviour:
    image = (container.get("image") or "").lower()
    words = " ".join(str(w) for w in (container.get("command") or []) +
                     (container.get("args") or []))
    common: dict[str, Any] = {
        "pull_fails": "imagepullbackoff" in image or "does-not-exist" in image,
        "never_ready": "never-ready" in image,
        "ignore_sigterm": "ignore-sigterm" in image,
        "flavour": podlogs.flavour_of(image),
        "chatty": "chatty" in image,
        "echo": tuple(next(g for g in m.groups() if g is not None).strip()
                      for m in _ECHO.finditer(words)),
    }
    if "crashloop" in image:
        return Behaviour(run_for=timing.run_short, exit_code=1, exit_reason="Error",
                         crash=True, **common)
    if "oomkill" in image:
        return Behaviour(run_for=timing.run_short, exit_code=137, exit_reason="OOMKilled",
                         **common)
    if m := _EXIT.search(image):
        code = int(m.group(1))
        return Behaviour(run_for=timing.run_short, exit_code=code,
                         exit_reason="Completed" if code == 0 else "Error",
                         crash=code != 0, **common)
    if m := _SLEEP.search(words):
        return Behaviour(run_for=float(m.group(1)), **common)
    if init:
        return Behaviour(run_for=timing.init_run, **common)
    if words and restart_policy != "Always":
        return Behaviour(run_for=timing.batch_run, **common)
    return Behaviour(**common)


def image_ref(image: str) -> str:
    """The image as containerd reports it: `nginx` -> `docker.io/library/nginx:latest`."""
    name, digest = image.split("@", 1) if "@" in image else (image, "")
    first = name.split("/", 1)[0]
    if "/" not in name:
        name = f"docker.io/library/{name}"
    elif "." not in first and ":" not in first and first != "localhost":
        name = f"docker.io/{name}"
    if digest:
        return f"{name}@{digest}"
    if ":" not in name.rsplit("/", 1)[-1]:
        name += ":latest"
    return name


def image_id(image: str) -> str:
    ref = image_ref(image)
    repo = ref.split("@", 1)[0].rsplit(":", 1)[0] if "@" not in ref else ref.split("@")[0]
    return f"{repo}@sha256:{hashlib.sha256(ref.encode()).hexdigest()}"


def image_size(image: str) -> int:
    return 5_000_000 + int(hashlib.sha256(image.encode()).hexdigest()[:6], 16) * 40


def pull_policy(container: Obj) -> str:
    """The defaulted imagePullPolicy: Always for `:latest` or no tag."""
    return container.get("imagePullPolicy") or image_pull_policy(container.get("image") or "")
