"""What a pushed list (problems, events, xray) is dismissed with when Enter picks an
object: the app then shows it in its kind's view with the cursor on it."""

from __future__ import annotations

from dataclasses import dataclass

from kubetui.kinds import Kind

__all__ = ["GoTo"]


@dataclass(frozen=True)
class GoTo:
    kind: Kind
    namespace: str
    uid: str
