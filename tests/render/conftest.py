"""Fixtures for the renderer tests: objects as a real cluster returns them, and a fixed now."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timezone
from functools import cache
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
NOW = datetime(2024, 6, 1, 12, 0, 0, tzinfo=timezone.utc)


@cache
def _read(name: str) -> dict[str, dict]:
    return json.loads((FIXTURES / f"{name}.json").read_text())


@pytest.fixture
def now() -> datetime:
    return NOW


@pytest.fixture
def obj() -> Callable[[str, str], dict]:
    """obj("pods", "running"): a fresh copy of one fixture object."""
    return lambda file, key: json.loads(json.dumps(_read(file)[key]))
