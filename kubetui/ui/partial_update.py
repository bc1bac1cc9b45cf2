"""Screen updates that write only the cells that were refreshed.

Textual 8.2.8 writes a refreshed region of a line from the left edge of the widget that
holds it (`ChopsUpdate.render_segments` crops the end of a span, not its start: "TODO: crop
to x extents" in textual/_compositor.py), so refreshing the AGE cell of a table row rewrites
the whole row. Over SSH, a screen of young pods whose ages tick every second cost ~6 KB/s
that way. `CellScreen` renders its partial updates with both ends cropped.
"""

from __future__ import annotations

from functools import lru_cache

from rich.color import ColorSystem
from rich.console import Console
from rich.control import Control
from rich.style import Style
from textual._compositor import ChopsUpdate, Compositor
from textual.screen import Screen


RESET = "\x1b[0m"


@lru_cache(maxsize=1024)
def _style_on(style: Style, color_system: ColorSystem) -> str:
    """The SGR sequence that turns `style` on (after a reset)."""
    marker = "\x00"
    return style.render(marker, color_system=color_system).partition(marker)[0]


class CroppedUpdate(ChopsUpdate):
    """A `ChopsUpdate` that writes only the cells inside its spans, and a style only when
    it differs from the one in effect (the ages of a column of rows share one)."""

    def render_segments(self, console: Console) -> str:
        color_system = console._color_system or ColorSystem.TRUECOLOR
        out: list[str] = []
        current: Style | None = None
        for y, x1, x2 in self.spans:
            for end, (x, strip) in zip(self.chop_ends[y], self.chops[y].items()):
                if strip is None or x >= x2 or end <= x1:
                    continue
                start = max(x, x1)
                out.append(Control.move_to(start, y).segment.text)
                for text, style, _ in strip.crop(start - x, min(end, x2) - x):
                    if style != current:
                        out.append(RESET if current is not None else "")
                        out.append(_style_on(style, color_system) if style else "")
                        current = style
                    out.append(text)
        if current is not None:
            out.append(RESET)
        return "".join(out)


class CroppingCompositor(Compositor):
    def render_partial_update(self) -> ChopsUpdate | None:
        update = super().render_partial_update()
        if update is None:
            return None
        return CroppedUpdate(update.chops, update.spans, update.chop_ends)


class CellScreen(Screen):
    """A screen whose partial updates write only the refreshed cells."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self._compositor = CroppingCompositor()
