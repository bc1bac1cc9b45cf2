"""`TextScreen`: a titled, read-only, searchable text (`/` searches, `n`/`N` move between
matches, `esc` closes the search, then the screen). Helm values, manifests, notes, diffs
and a plugin's output use it as it is; Describe and YAML extend it to follow an object.
The text is drawn through `TextView`, which sanitises it, and the title through
`SafeStatic`."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Footer, Input, Static

from kubetui.ui.ordered_input import OrderedInput
from kubetui.ui.widgets.safe import SafeStatic
from kubetui.ui.widgets.text_view import Highlighter, TextView

__all__ = ["TextScreen"]


class TextScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Back", id="detail.close"),
        Binding("slash", "search", "Search", id="detail.search"),
        Binding("n", "next_match", "Next", id="detail.next"),
        Binding("N", "previous_match", "Previous", id="detail.previous"),
        Binding("c", "copy", "Copy", id="detail.copy"),
    ]
    DEFAULT_CSS = """
    TextScreen #detail-title { height: 1; background: $panel; color: $text; padding: 0 1; }
    TextScreen #detail-search { dock: bottom; display: none; border: none; height: 1;
                                padding: 0 1; }
    TextScreen #detail-search.-open { display: block; }
    """
    highlighter: ClassVar[Highlighter | None] = None

    def __init__(self, title: str = "", text: str = "",
                 highlighter: Highlighter | None = None) -> None:
        super().__init__()
        self.title_text = title
        self.text = text
        self._highlighter = highlighter or type(self).highlighter

    def compose(self) -> ComposeResult:
        yield SafeStatic(self.heading(), id="detail-title")
        yield TextView(self._highlighter, id="detail-text")
        yield OrderedInput(placeholder="search", id="detail-search")
        yield Footer()

    @property
    def view(self) -> TextView:
        return self.query_one("#detail-text", TextView)

    def heading(self) -> str:
        return self.title_text

    def subject(self) -> str:
        """What the text is, for messages (`Copied ... of <subject>`)."""
        return self.title_text

    def _update_title(self) -> None:
        self.query_one("#detail-title", Static).update(self.heading())

    def on_mount(self) -> None:
        # Textual runs a subclass's on_mount too: Describe and YAML fill the view themselves.
        if self.text:
            self.view.set_text(self.text)
        self.view.focus()

    # -- actions
    def action_close(self) -> None:
        search = self.query_one("#detail-search", Input)
        if search.has_class("-open"):
            self._close_search(clear=True)
        else:
            self.dismiss()

    def action_search(self) -> None:
        search = self.query_one("#detail-search", Input)
        search.add_class("-open")
        self.set_focus(search)  # at once: the keys after `/` may already be queued

    def action_copy(self) -> None:
        """The line of the current search match, else the whole text (OSC 52)."""
        view, match = self.view, self.view.current_match
        text = view.lines[match[0]] if match else view.text
        self.app.copy_to_clipboard(text)
        what = f"line {match[0] + 1}" if match else f"{len(view.lines)} lines"
        self.notify(f"Copied {what} of {self.subject()} (OSC 52)", timeout=3)

    def action_next_match(self) -> None:
        self._report(self.view.next_match(1))

    def action_previous_match(self) -> None:
        self._report(self.view.next_match(-1))

    def _report(self, match: tuple[int, int, int] | None) -> None:
        if match is None and self.view.matches == []:
            self.notify("No matches", severity="warning", timeout=2)

    @on(Input.Changed, "#detail-search")
    def _search_typed(self, event: Input.Changed) -> None:
        self.view.search(event.value)

    @on(Input.Submitted, "#detail-search")
    def _search_done(self, event: Input.Submitted) -> None:
        if event.value and not self.view.matches:
            self.notify(f"Not found: {event.value}", severity="warning", timeout=2)
        self._close_search(clear=False)

    def _close_search(self, clear: bool) -> None:
        search = self.query_one("#detail-search", Input)
        search.remove_class("-open")
        if clear:
            search.value = ""
            self.view.search("")
        self.view.focus()
