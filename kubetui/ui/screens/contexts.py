"""`:ctx`: pick a kubeconfig context to switch to."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from kubetui.cluster.kubeconfig import ContextInfo
from kubetui.render.sanitize import visible


class ContextPicker(ModalScreen[str | None]):
    """Lists the contexts (current one marked); Enter switches, esc keeps the current."""

    DEFAULT_CSS = """
    ContextPicker { align: center middle; }
    ContextPicker > OptionList { width: 90%; max-width: 110; height: auto; max-height: 80%;
        border: round $accent; background: $surface; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss", "Cancel", id="contexts.cancel"),
    ]

    def __init__(self, contexts: list[ContextInfo], current: str) -> None:
        super().__init__()
        self.contexts = contexts
        self.current = current

    def compose(self) -> ComposeResult:
        options = [Option(Content.assemble(
            ("● " if c.name == self.current else "  ", "$text-success"),
            (visible(c.name), "bold"), (visible(f"  {c.server}"), "$text-muted"),
            (visible(f"  ns {c.namespace}  user {c.user}"), "$text-muted")), id=c.name)
            for c in self.contexts]
        picker = OptionList(*options)
        picker.border_title = "Contexts (enter switches, esc cancels)"
        yield picker

    def on_mount(self) -> None:
        picker = self.query_one(OptionList)
        names = [c.name for c in self.contexts]
        if self.current in names:
            picker.highlighted = names.index(self.current)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    async def action_dismiss(self, result: str | None = None) -> None:
        self.dismiss(result)
