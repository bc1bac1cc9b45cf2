"""Files kubetui writes that hold secrets or the user's data.

- `write_private`: mode 0600 from the first byte (the file is created with it, never
  chmod-ed afterwards), by default atomically through a temporary name; `exclusive=True`
  refuses to replace a file that exists (saved logs never overwrite each other).
- `private_dir`: a 0700 temporary folder for short-lived secrets (client keys from a
  kubeconfig, the file handed to $EDITOR), removed at exit and on SIGHUP/SIGTERM too, once
  `remove_on_signals()` has been called (the CLI does): a dropped SSH session sends SIGHUP,
  whose default action ends the process without running `atexit`.

Pure standard library, importable from every layer (the sandbox writes its token file
with it).
"""

from __future__ import annotations

import atexit
import contextlib
import os
import shutil
import signal
import tempfile
from pathlib import Path
from types import FrameType

__all__ = ["private_dir", "remove_on_signals", "remove_private_dirs", "write_private"]

_dirs: list[str] = []


def write_private(path: str | Path, data: str | bytes, exclusive: bool = False) -> Path:
    """Write `data` to `path` with mode 0600 (see the module docstring)."""
    path = Path(path)
    raw = data.encode() if isinstance(data, str) else data
    if exclusive:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(raw)
        return path
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")  # mode 0600
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(raw)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return path


def private_dir(prefix: str = "kubetui-") -> Path:
    """A new 0700 folder, removed with everything in it when the process ends."""
    folder = tempfile.mkdtemp(prefix=prefix)
    _dirs.append(folder)
    return Path(folder)


def remove_private_dirs() -> None:
    while _dirs:
        shutil.rmtree(_dirs.pop(), ignore_errors=True)


atexit.register(remove_private_dirs)


def _remove_then_die(signum: int, frame: FrameType | None) -> None:
    remove_private_dirs()
    signal.signal(signum, signal.SIG_DFL)
    os.kill(os.getpid(), signum)


def remove_on_signals() -> None:
    """Remove the private folders on SIGHUP and SIGTERM too, then end as the signal
    would have (signals someone else already handles are left to them)."""
    for sig in (signal.SIGHUP, signal.SIGTERM):
        if signal.getsignal(sig) in (signal.SIG_DFL, None):
            signal.signal(sig, _remove_then_die)
