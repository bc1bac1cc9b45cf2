"""The prompt at the bottom: `:` commands (k9s's command line, with completion) and `/`
filters typed live into the table."""

from __future__ import annotations

from dataclasses import dataclass
from collections.abc import Callable, Iterable
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.message import Message
from textual.suggester import Suggester
from textual.widgets import Input, Label

from kubetui.model.commands import complete
from kubetui.render.sanitize import visible

class CommandSuggester(Suggester):
    def __init__(self, words: Callable[[], Iterable[str]],
                 arguments: Callable[[str], Iterable[str]]) -> None:
        super().__init__(use_cache=False, case_sensitive=True)
        self._words = words
        self._arguments = arguments

    async def get_suggestion(self, value: str) -> str | None:
        found = complete(value, self._words(), self._arguments)
        return visible(found) if found is not None else None


class PromptBar(Horizontal):
    """Hidden until `open(mode)`; `:` submits on Enter, `/` filters as you type."""

    DEFAULT_CSS = """
    PromptBar { height: 1; display: none; background: $panel; }
    PromptBar.-open { display: block; }
    PromptBar > Label { width: auto; padding: 0 0 0 1; color: $text-accent;
                        text-style: bold; }
    PromptBar > Input, PromptBar > Input:focus { border: none; height: 1; width: 1fr;
        padding: 0 1 0 0; background: $panel; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="prompt.cancel"),
        Binding("tab", "accept_suggestion", "Complete", id="prompt.complete"),
    ]

    @dataclass
    class Submitted(Message):
        mode: str
        value: str

    @dataclass
    class Changed(Message):
        mode: str
        value: str

    @dataclass
    class Closed(Message):
        mode: str
        cancelled: bool

    def __init__(self, suggester: Suggester, **kwargs: str) -> None:
        super().__init__(**kwargs)
        self.mode = ""
        self._suggester = suggester

    def compose(self) -> ComposeResult:
        yield Label(":")
        yield Input(id="prompt-input", select_on_focus=False)

    @property
    def input(self) -> Input:
        return self.query_one(Input)

    @property
    def is_open(self) -> bool:
        return self.has_class("-open")

    def open(self, mode: str, value: str = "") -> None:
        self.mode = mode
        self.query_one(Label).update(mode)
        field = self.input
        field.suggester = self._suggester if mode == ":" else None
        field.placeholder = ("kind (po, deploy, svc, crd...), ns NAME, ctx NAME, q"
                             if mode == ":" else "text, regex, !invert, -l key=value")
        with field.prevent(Input.Changed):
            field.value = value
        field.cursor_position = len(value)
        self.add_class("-open")
        # At once, not via `focus()` (deferred): keys typed right after `:` are already
        # queued, and k9s hands type `:po<enter>` in one go.
        self.screen.set_focus(field)

    def close(self, cancelled: bool) -> None:
        if self.is_open:
            self.remove_class("-open")
            self.post_message(self.Closed(self.mode, cancelled))

    def action_cancel(self) -> None:
        self.close(cancelled=True)

    def action_accept_suggestion(self) -> None:
        self.input.action_cursor_right()  # at the end, that takes the suggestion

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        event.stop()
        if self.is_open:
            self.post_message(self.Changed(self.mode, event.value))

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.post_message(self.Submitted(self.mode, event.value))
        self.close(cancelled=False)
