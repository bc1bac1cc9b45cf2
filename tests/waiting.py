"""Waiting for conditions, never for fixed times."""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Callable
from typing import Any


async def wait_for(condition: Callable[[], Any], timeout: float = 15.0,
                   interval: float = 0.02, message: str = "") -> Any:
    """Poll `condition` (sync or async) until it returns something truthy; return that.
    Fails the test with `message` (or the condition's source) after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if inspect.isawaitable(value):
            value = await value
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for: "
                                 f"{message or _describe(condition)}")
        await asyncio.sleep(interval)


def _describe(condition: Callable[[], Any]) -> str:
    try:
        return inspect.getsource(condition).strip()
    except (OSError, TypeError):
        return repr(condition)
