"""The main screen's footer: Textual's, recomposed once for a burst of binding changes.

Textual's footer rebuilds all its keys (a widget each, styled anew) after the next refresh
for every change of the screen's bindings, one rebuild per change even when several come
together. Starting up, the keymap, the focus, the screen and each table's sort keys (every
`set_columns`) change them within moments: seven rebuilds before the first rows, each
~10-25 ms of CPU while the first page waits to be shown (issue 19). Here a burst that
comes before the next refresh is passed on once, when that refresh is done: three
rebuilds remain (the first keys; the focus's own deferred change; connected).

A change that leaves the keys shown as they are (the tables' sort keys, which the footer
does not show, change with their columns) rebuilds nothing: the rebuild for the first
view's columns landed between its rows and "live" and took 20-46 ms of CPU of the full
sync at 1,000 pods (bench/run.py's app process).
"""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer

__all__ = ["KeyFooter"]


class KeyFooter(Footer):
    _change_pending = False
    _composed: tuple[Any, ...] | None = None  # `_shown` when the keys were last composed

    def bindings_changed(self, screen: Screen) -> None:
        if not self._change_pending:
            self._change_pending = True
            self.call_after_refresh(self._pass_on, screen)

    def _pass_on(self, screen: Screen) -> None:
        self._change_pending = False
        if self._composed is not None and screen is self.screen and \
                self._shown(screen) == self._composed:
            return
        super().bindings_changed(screen)

    def compose(self) -> ComposeResult:
        if self._bindings_ready:
            self._composed = self._shown(self.screen)
        yield from super().compose()

    def _shown(self, screen: Screen) -> tuple[Any, ...]:
        """What of `screen`'s bindings the footer's keys show (as Footer.compose reads
        them): the keys with `show`, and the command palette's."""
        palette = self.app.COMMAND_PALETTE_BINDING
        return tuple(
            (key, binding.action, binding.description, binding.tooltip, binding.group,
             self.app.get_key_display(binding), enabled, tooltip)
            for key, (_, binding, enabled, tooltip) in screen.active_bindings.items()
            if binding.show or key == palette)
