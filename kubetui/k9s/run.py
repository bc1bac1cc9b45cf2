"""Running a plugin's command in the background: its output (stdout and stderr, as they
interleave) is collected for a view; the UI suspends itself for foreground plugins."""

from __future__ import annotations

import asyncio
import os
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


async def _drain(process: asyncio.subprocess.Process) -> bytes:
    """Everything printed, keeping the first MAX_OUTPUT + 1 bytes: the rest is read and
    dropped so that the command is never stuck on a full pipe."""
    assert process.stdout is not None
    kept = bytearray()
    while chunk := await process.stdout.read(65536):
        if len(kept) <= MAX_OUTPUT:
            kept += chunk[:MAX_OUTPUT + 1 - len(kept)]
    return bytes(kept)


async def run_in_background(argv: list[str], timeout: float | None = None,
                            env: Mapping[str, str] | None = None) -> PluginOutput:
    """Run `argv` with no terminal (stdin closed) and collect what it prints."""
    try:
        process = await asyncio.create_subprocess_exec(
            *argv, stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT, env={**os.environ, **(env or {})})
    except OSError as e:
        return PluginOutput(tuple(argv), None, f"cannot run {argv[0]!r}: {e.strerror}")
    try:
        data = await asyncio.wait_for(_drain(process), timeout)
        code = await process.wait()
    except TimeoutError:
        process.kill()
        await process.wait()
        return PluginOutput(tuple(argv), process.returncode,
                            f"{argv[0]} did not finish within {timeout:g} s")
    text = data[:MAX_OUTPUT].decode(errors="replace")
    if len(data) > MAX_OUTPUT:
        text += "\n[output cut at 1 MB]"
    return PluginOutput(tuple(argv), code, text)
