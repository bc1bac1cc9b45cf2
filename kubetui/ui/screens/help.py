"""`?`: every binding of the current view, generated from the bindings themselves (so a
remapped key shows as remapped), with the id to use in the config file's keymap."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import ActiveBinding, Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.dom import DOMNode
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from kubetui.render.sanitize import visible


@dataclass(frozen=True)
class KeyHelp:
    keys: str  # "j, down"
    description: str
    binding_id: str
    where: str  # "app", "table", ...
    enabled: bool
    action: str
    node: DOMNode = field(compare=False, repr=False)


def key_help(active: Mapping[str, ActiveBinding], display: Callable[[Binding], str]
             ) -> list[KeyHelp]:
    """One row per action (its keys merged), grouped by the node that binds it: the view
    (the screen) first, then the focused widgets, the nearest first, then the app. Within a
    group, rows keep the order the bindings were declared in.

    Textual lists active bindings by key, priority bindings first, so the same node's
    bindings come in several runs; grouping here gives each heading once."""
    rows: dict[tuple[int, str], tuple[list[str], Binding, DOMNode, bool]] = {}
    for node, binding, enabled, _ in active.values():
        if not binding.description or binding.system:
            continue
        slot = rows.setdefault((id(node), binding.action),
                               ([], binding, node, enabled))
        shown = display(binding)
        if shown not in slot[0]:
            slot[0].append(shown)
    first_seen: dict[int, int] = {}
    for _, _, node, _ in rows.values():
        first_seen.setdefault(id(node), len(first_seen))
    grouped = sorted(rows.values(), key=lambda row: (_rank(row[2]), first_seen[id(row[2])]))
    return [KeyHelp(", ".join(keys), binding.description, binding.id or "", _where(node),
                    enabled, binding.action, node)
            for keys, binding, node, enabled in grouped]


def _rank(node: DOMNode) -> int:
    """Where `node`'s group goes in the help: the view, then widgets, then the app."""
    if isinstance(node, Screen):
        return 0
    return 2 if node is node.app else 1


def _where(node: DOMNode) -> str:
    """A heading for the bindings of `node`: "view", "table", "namespace pane", "app"..."""
    if node is node.app:
        return "app"
    if isinstance(node, Screen):
        return "view"
    return {"main": "table", "namespaces": "namespace pane"}.get(
        node.id or "", type(node).__name__.lower())


class HelpScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll { width: 90%; max-width: 100; height: 90%;
        border: round $accent; background: $surface; padding: 0 1; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "dismiss", "Close", id="help.close"),
    ]

    def __init__(self, title: str, rows: list[KeyHelp]) -> None:
        super().__init__()
        self.title_text = title
        self.rows = rows

    def compose(self) -> ComposeResult:
        with VerticalScroll() as scroll:
            scroll.border_title = f"Keys: {self.title_text}"
            scroll.border_subtitle = "esc closes · remap in config.yaml by id"
            yield Static(self._content(), id="help-text")

    def _content(self) -> Content:
        width = max((len(r.keys) for r in self.rows), default=4) + 2
        desc = max((len(r.description) for r in self.rows), default=8) + 2
        parts: list[tuple[str, str]] = []
        where = None
        for row in self.rows:
            if row.where != where:
                where = row.where
                parts.append((f"{'' if not parts else chr(10)}{where}\n", "bold $text-accent"))
            style = "" if row.enabled else "dim"
            # keys and descriptions may come from the user's config file
            parts.append((visible(row.keys).ljust(width), f"bold {style}".strip()))
            parts.append((visible(row.description).ljust(desc), style))
            parts.append((f"{row.binding_id}\n", "$text-muted"))
        return Content.assemble(*parts)

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(result)
