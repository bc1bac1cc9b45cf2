"""`TextScreen`: a titled, read-only, searchable text (Helm values, manifests, notes,
diffs, a plugin's output). The text is drawn through `TextView`, which sanitises it."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Footer, Input

from kubetui.ui.widgets.safe import SafeStatic
from kubetui.ui.widgets.text_view import Highlighter, TextView

__all__ = ["TextScreen"]


class TextScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Back", id="text.close"),
        Binding("slash", "search", "Search", id="text.search"),
        Binding("n", "next_match", "Next", id="text.next"),
        Binding("N", "previous_match", "Previous", id="text.previous"),
    ]
    DEFAULT_CSS = """
    TextScreen #text-title { height: 1; background: $panel; color: $text; padding: 0 1; }
    TextScreen #text-search { dock: bottom; display: none; border: none; height: 1;
                              padding: 0 1; }
    TextScreen #text-search.-open { display: block; }
    """

    def __init__(self, title: str, text: str, highlighter: Highlighter | None = None
                 ) -> None:
        super().__init__()
        self.title_text = title
        self.text = text
        self._highlighter = highlighter

    def compose(self) -> ComposeResult:
        yield SafeStatic(self.title_text, id="text-title")
        yield TextView(self._highlighter, id="text-view")
        yield Input(placeholder="search", id="text-search")
        yield Footer()

    @property
    def view(self) -> TextView:
        return self.query_one("#text-view", TextView)

    def on_mount(self) -> None:
        self.view.set_text(self.text)
        self.view.focus()

    def show(self, title: str, text: str) -> None:
        self.title_text, self.text = title, text
        self.query_one("#text-title", SafeStatic).update(title)
        self.view.set_text(text)

    def action_close(self) -> None:
        self.dismiss()

    def action_search(self) -> None:
        field = self.query_one("#text-search", Input)
        field.add_class("-open")
        field.focus()

    @on(Input.Submitted, "#text-search")
    def _searched(self, event: Input.Submitted) -> None:
        event.input.remove_class("-open")
        self.view.search(event.value)
        self.view.focus()

    def action_next_match(self) -> None:
        self.view.next_match(1)

    def action_previous_match(self) -> None:
        self.view.next_match(-1)
