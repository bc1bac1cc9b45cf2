"""The screen of the resource views, which lays itself out for a new terminal size before
Textual paints it at that size.

Textual hands a resize to the App at once but to its screens 1/120 s later (a debounce), and
a screen paints in the same step as it lays out at the new size. A layout change made on the
App's `Resize` (the namespace pane shown or hidden by width) was therefore painted once at the
OLD size: after growing from 80 to 160 columns the first frame showed an empty pane squeezed
into the old window, after shrinking the old wide layout cropped into the new one (issue 17).
Handlers of a Screen subclass run before `Screen`'s own, so `fit` is called with the new size
before the layout that paints it.
"""

from __future__ import annotations

from collections.abc import Callable

from textual import events
from textual.geometry import Size

from kubetui.ui.partial_update import CellScreen


class MainScreen(CellScreen):
    """The App's default screen; `fit(size)` adapts its widgets to the terminal's size."""

    def __init__(self, fit: Callable[[Size], None]) -> None:
        super().__init__(id="_default")
        self._fit = fit

    def on_resize(self, event: events.Resize) -> None:
        self._fit(event.size)

    def on_screen_resume(self) -> None:
        """Back from a full screen pushed over it: the terminal may have been resized
        meanwhile (`Screen` lays out again at the App's size next)."""
        self._fit(self.app.size)
