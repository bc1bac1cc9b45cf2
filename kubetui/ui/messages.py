"""Notifications kept to be read again (`:messages`), and held while a dialog or picker is
open so that none covers it (they show once it closes)."""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from rich.text import Text
from textual.screen import ModalScreen

from kubetui.ui.widgets.safe import SafeStatic

MESSAGE_WORDS = ("messages", "msgs")


@dataclass(frozen=True)
class Note:
    """One notification as it was shown (or held)."""

    at: float  # epoch seconds
    severity: str  # Textual's: "information", "warning", "error"
    title: str
    message: str
    timeout: float | None = None

    @property
    def line(self) -> str:
        when = time.strftime("%H:%M:%S", time.localtime(self.at))
        title = f"{self.title}: " if self.title else ""
        return f"{when}  {self.severity:<11}  {title}{self.message}"


class MessageLog:
    """The last `size` notifications, and those waiting for a dialog to close."""

    def __init__(self, size: int = 200) -> None:
        self.notes: deque[Note] = deque(maxlen=size)
        self.held: list[Note] = []

    def record(self, note: Note, hold: bool) -> None:
        self.notes.append(note)
        if hold:
            self.held.append(note)

    def release(self) -> list[Note]:
        held, self.held = self.held, []
        return held


class MessagesScreen(ModalScreen[None]):
    """`:messages`: recent notifications, newest first."""

    DEFAULT_CSS = """
    MessagesScreen { align: center middle; }
    MessagesScreen > VerticalScroll { width: 90%; max-width: 140; height: 90%;
        border: round $accent; background: $surface; padding: 0 1; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "close", "Close", id="messages.close"),
    ]

    def __init__(self, notes: list[Note]) -> None:
        super().__init__()
        self.notes = notes

    def compose(self) -> ComposeResult:
        with VerticalScroll() as box:
            box.border_title = f"Messages ({len(self.notes)}, newest first)"
            box.border_subtitle = "esc closes"
            styles = {"error": "red", "warning": "yellow"}
            parts = [(note.line + "\n", styles.get(note.severity, ""))
                     for note in reversed(self.notes)] or [("No messages yet.", "dim")]
            yield SafeStatic(Text.assemble(*parts), id="messages-text")

    def action_close(self) -> None:
        self.dismiss(None)
