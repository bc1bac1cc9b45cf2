"""The prompt at the bottom: `:` commands (k9s's command line, with completion) and `/`
filters typed live into the table."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.suggester import Suggester
from textual.widget import Widget
from textual.widgets import Input, Label

from kubetui.model.commands import complete
from kubetui.render.sanitize import visible
from kubetui.ui.ordered_input import OrderedInput

class CommandSuggester(Suggester):
    def __init__(self, words: Callable[[], Iterable[str]],
                 arguments: Callable[[str], Iterable[str]]) -> None:
        super().__init__(use_cache=False, case_sensitive=True)
        self._words = words
        self._arguments = arguments

    async def get_suggestion(self, value: str) -> str | None:
        return self.complete(value)

    def complete(self, value: str) -> str | None:
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

    def __init__(self, suggester: CommandSuggester, on_change: Callable[[str, str], None],
                 on_submit: Callable[[str, str], Awaitable[None]], **kwargs: str) -> None:
        """`on_change(mode, value)` is called as the value changes (and with "" when a `/`
        prompt is cancelled); `on_submit(mode, value)` is awaited on enter. Both before
        the keys typed after them are looked at: `:po<enter>/x` filters the pods view,
        not the one before it (see ordered_input)."""
        super().__init__(**kwargs)
        self.mode = ""
        self._suggester = suggester
        self._on_change = on_change
        self._on_submit = on_submit
        self._return_focus: Widget | None = None

    def compose(self) -> ComposeResult:
        yield Label(":")
        yield OrderedInput(id="prompt-input", select_on_focus=False, on_submit=self._submit)

    @property
    def input(self) -> Input:
        return self.query_one(Input)

    @property
    def is_open(self) -> bool:
        return self.has_class("-open")

    def open(self, mode: str, value: str = "", return_to: Widget | None = None) -> None:
        """Show the prompt; closing it focuses `return_to` (by default what had the focus)."""
        self.mode = mode
        self.query_one(Label).update(mode)
        field = self.input
        field.suggester = self._suggester if mode == ":" else None
        field.placeholder = ("kind (po, deploy, svc, crd...), ns NAME, ctx NAME, q"
                             if mode == ":" else "text, regex, !invert, -l key=value")
        field.value = value  # not open yet: not reported
        field.cursor_position = len(value)
        self.add_class("-open")
        self._return_focus = return_to or self.screen.focused
        # At once, not via `focus()` (deferred): keys typed right after `:` are already
        # queued, and k9s hands type `:po<enter>` in one go.
        self.screen.set_focus(field)

    def on_mount(self) -> None:
        # A watcher, not `Input.Changed`: that message would arrive after the keys typed
        # behind it, perhaps once the prompt is closed or open in the other mode.
        self.watch(self.input, "value", self._value_changed, init=False)

    def _value_changed(self, value: str) -> None:
        if self.is_open:
            self._on_change(self.mode, value)

    def close(self, cancelled: bool) -> None:
        if self.is_open:
            self.remove_class("-open")
            # At once too: the keys typed after enter or esc go where they went before.
            self.screen.set_focus(self._return_focus)
            if cancelled and self.mode == "/":
                self._on_change(self.mode, "")

    def action_cancel(self) -> None:
        self.close(cancelled=True)

    def action_accept_suggestion(self) -> None:
        """Complete now, from the words known now (the suggestion shown is computed in
        the background and may be missing or older)."""
        field = self.input
        completion = self._suggester.complete(field.value) if self.mode == ":" else None
        if completion:
            field.value = completion
            field.cursor_position = len(completion)

    async def _submit(self, value: str) -> None:
        mode = self.mode
        self.close(cancelled=False)
        await self._on_submit(mode, value)
