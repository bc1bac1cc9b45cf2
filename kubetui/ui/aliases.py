"""`ctrl+a` or `:aliases`: every name `:` accepts, by kind, filtered as you type; enter
opens the highlighted kind (k9s's aliases view). The person's own aliases (k9s's
`aliases.yaml`, kubetui's config file) come first, each with the command it stands for and
the file it is from; enter runs it as typed after `:`."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList
from textual.widgets.option_list import Option

from kubetui.k9s.aliases import Aliases
from kubetui.kinds import Kind
from kubetui.render.sanitize import visible
from kubetui.ui.ordered_input import OrderedInput


@dataclass(frozen=True)
class AliasRow:
    resource: str  # plural.group, or a user alias's command line
    names: tuple[str, ...]
    group: str
    source: str = ""  # the file of a user's alias; "" for a kind's own names

    @property
    def command(self) -> str:
        """What enter runs after `:`: the kind, or the user's alias by its name."""
        return self.names[0] if self.source else self.resource

    @property
    def text(self) -> str:
        return f"{self.resource} {' '.join(self.names)} {self.group} {self.source}".lower()


def alias_rows(kinds: Iterable[Kind], aliases: Aliases | None = None) -> list[AliasRow]:
    """The user's aliases by name, then one row per kind, by resource name; its names
    shortest first (the resource itself, which `:` takes too, is the row's last column)."""
    own = aliases or Aliases({})
    mine = [AliasRow(line.text, (name,), "", str(own.sources.get(name, "")) or "config")
            for name, line in sorted(own.lines.items())]
    return mine + sorted((AliasRow(k.resource, tuple(sorted((a for a in k.aliases
                                                             if a != k.resource), key=len)),
                                   k.group or "core") for k in kinds),
                         key=lambda r: r.resource)


def matching(rows: list[AliasRow], text: str) -> list[AliasRow]:
    """Rows where every word of `text` is part of the resource, a name or the group."""
    words = text.lower().split()
    return [r for r in rows if all(w in r.text for w in words)]


def _line(row: AliasRow, width: int, room: int) -> Text:
    """NAMES (cut to `width`) then the resource, cut to fit `room` cells: one line."""
    def cut(text: str, size: int) -> str:
        return text if len(text) <= size else text[:max(0, size - 1)] + "…"
    names = cut(", ".join(row.names), width - 2).ljust(width)
    if row.source:  # the user's own: the command in full, and the file it is from
        mark = f"  (yours: {_home_short(row.source)})"
        command = cut(row.resource, room - width)
        return Text.assemble((visible(names), "bold"), (visible(command), ""),
                             (visible(cut(mark, max(0, room - width - len(command)))),
                              "italic"))
    return Text.assemble((visible(names), "bold"),
                         (visible(cut(row.resource, room - width)), "dim"))


def _home_short(path: str) -> str:
    home = str(Path.home())
    return "~" + path[len(home):] if path.startswith(home + os.sep) else path


class AliasesScreen(ModalScreen[str | None]):
    """Dismissed with the resource to open (or None)."""

    DEFAULT_CSS = """
    AliasesScreen { align: center middle; }
    AliasesScreen > Vertical { width: 90%; max-width: 120; height: 90%;
        border: round $accent; background: $surface; padding: 0 1; }
    AliasesScreen OptionList { height: 1fr; border: none; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss_none", "Close", id="aliases.close"),
        Binding("down", "move(1)", "Next", show=False, id="aliases.next"),
        Binding("up", "move(-1)", "Previous", show=False, id="aliases.previous"),
    ]

    def __init__(self, kinds: Iterable[Kind], aliases: Aliases | None = None) -> None:
        super().__init__()
        self.rows = alias_rows(kinds, aliases)
        self.shown = self.rows

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = "Aliases: NAMES  RESOURCE (yours: the command and its file)"
            box.border_subtitle = "type to filter · enter opens · esc closes"
            yield OrderedInput(placeholder="filter: a name, a kind, a group", id="filter",
                               on_submit=self._open)
            yield OptionList(id="aliases")

    def on_mount(self) -> None:
        self.set_focus(self.query_one("#filter", OrderedInput))
        self.call_after_refresh(self._show, "")  # once the list's width is known

    def _show(self, text: str) -> None:
        self.shown = matching(self.rows, text)
        width = min(36, max((len(", ".join(r.names)) for r in self.shown), default=0)) + 2
        listing = self.query_one(OptionList)
        listing.clear_options()
        room = (listing.content_size.width or self.app.size.width) - 4
        listing.add_options(Option(_line(r, width, room), id=str(i))
                            for i, r in enumerate(self.shown))
        listing.highlighted = 0 if self.shown else None

    @on(Input.Changed, "#filter")
    def _filter(self, event: Input.Changed) -> None:
        self._show(event.value)

    def action_move(self, delta: int) -> None:
        listing = self.query_one(OptionList)
        if self.shown:
            listing.highlighted = max(0, min(len(self.shown) - 1,
                                             (listing.highlighted or 0) + delta))

    async def _open(self, _: str) -> None:
        index = self.query_one(OptionList).highlighted
        self.dismiss(self.shown[index].command if index is not None and self.shown else None)

    def action_dismiss_none(self) -> None:
        self.dismiss(None)
