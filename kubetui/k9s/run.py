"""Running a plugin's command, through its pipes (k9s's `pipes`: each command's stdout into
the next one's stdin). In the background its output (stdout and stderr of every command, as
they interleave) is collected for a view; in the foreground it gets the terminal, which the
UI has given up (suspended) meanwhile."""

from __future__ import annotations

import asyncio
import os
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass

#: Output kept from a background plugin; the rest is cut with a note.
MAX_OUTPUT = 1_000_000


@dataclass(frozen=True)
class PluginOutput:
    argv: tuple[str, ...]
    returncode: int | None  # None: it could not be started
    output: str

    @property
    def ok(self) -> bool:
        return self.returncode == 0


def plugin_variables(*, context: str, cluster: str, user: str, kubeconfig: str,
                     namespace: str = "", name: str = "", container: str = "",
                     filter: str = "", group: str = "", version: str = "",
                     resource: str = "", columns: Mapping[str, str] | None = None
                     ) -> dict[str, str]:
    """k9s's plugin variables for one selected row. GROUPS is k9s's `n/a`: kubetui has
    no --as-group."""
    found = {"CONTEXT": context, "CLUSTER": cluster, "USER": user, "GROUPS": "n/a",
             "KUBECONFIG": kubeconfig, "NAMESPACE": namespace, "NAME": name,
             "CONTAINER": container, "FILTER": filter, "RESOURCE_GROUP": group,
             "RESOURCE_VERSION": version, "RESOURCE_NAME": resource}
    for column, value in (columns or {}).items():
        found[f"COL-{column}"] = value
    return found


async def _drain(stream: asyncio.StreamReader) -> bytes:
    """Everything printed, keeping the first MAX_OUTPUT + 1 bytes: the rest is read and
    dropped so that the command is never stuck on a full pipe."""
    kept = bytearray()
    while chunk := await stream.read(65536):
        if len(kept) <= MAX_OUTPUT:
            kept += chunk[:MAX_OUTPUT + 1 - len(kept)]
    return bytes(kept)


async def _start_chain(commands: list[list[str]], out: int, env: Mapping[str, str]
                       ) -> list[asyncio.subprocess.Process]:
    """Each command's stdout into the next one's stdin, the last one's (and everyone's
    stderr) into `out`; stdin of the first closed. Raises OSError (the started ones
    killed) when one cannot start."""
    processes: list[asyncio.subprocess.Process] = []
    stdin: int = asyncio.subprocess.DEVNULL
    try:
        for i, argv in enumerate(commands):
            read, write = os.pipe() if i + 1 < len(commands) else (-1, out)
            try:
                processes.append(await asyncio.create_subprocess_exec(
                    *argv, stdin=stdin, stdout=write, stderr=out, env=env))
            finally:  # the children hold their ends now
                if write != out:
                    os.close(write)
                if stdin >= 0:
                    os.close(stdin)
                stdin = read
    except OSError:
        if stdin >= 0:
            os.close(stdin)
        for process in processes:
            process.kill()
            await process.wait()
        raise
    return processes


async def run_in_background(argv: list[str], timeout: float | None = None,
                            env: Mapping[str, str] | None = None,
                            pipes: list[list[str]] | None = None) -> PluginOutput:
    """Run `argv` (through `pipes`, k9s's plugin pipes) with no terminal (stdin closed)
    and collect what they print; the code is the last command's, as a shell's pipeline."""
    commands = [argv, *(pipes or [])]
    shown = tuple(argv) + tuple(w for pipe in pipes or () for w in ("|", *pipe))
    read, write = os.pipe()
    try:
        processes = await _start_chain(commands, write, {**os.environ, **(env or {})})
    except OSError as e:
        os.close(read)
        return PluginOutput(shown, None, f"cannot run {e.filename or argv[0]!r}: "
                                         f"{e.strerror}")
    finally:
        os.close(write)
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    transport, _ = await loop.connect_read_pipe(
        lambda: asyncio.StreamReaderProtocol(reader), os.fdopen(read, "rb"))
    try:
        data = await asyncio.wait_for(_drain(reader), timeout)
        codes = [await p.wait() for p in processes]
    except TimeoutError:
        for process in processes:
            if process.returncode is None:
                process.kill()
            await process.wait()
        return PluginOutput(shown, processes[-1].returncode,
                            f"{argv[0]} did not finish within {timeout:g} s")
    finally:
        transport.close()
    text = data[:MAX_OUTPUT].decode(errors="replace")
    if len(data) > MAX_OUTPUT:
        text += "\n[output cut at 1 MB]"
    return PluginOutput(shown, codes[-1], text)


def run_in_foreground(commands: list[list[str]]) -> int:
    """Run a plugin's command (and its pipes) on this process's terminal; the last
    command's exit code. Raises OSError when one cannot start."""
    processes: list[subprocess.Popen[bytes]] = []
    try:
        for i, argv in enumerate(commands):
            stdin = processes[-1].stdout if processes else None
            last = i + 1 == len(commands)
            processes.append(subprocess.Popen(argv, stdin=stdin,
                                              stdout=None if last else subprocess.PIPE))
            if stdin is not None:
                stdin.close()  # the next command holds it now
    except OSError:
        for process in processes:
            process.kill()
            process.wait()
        raise
    return [p.wait() for p in processes][-1]
