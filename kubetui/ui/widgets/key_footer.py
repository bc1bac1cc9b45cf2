"""The main screen's footer: Textual's, recomposed once for a burst of binding changes.

Textual's footer rebuilds all its keys (a widget each, styled anew) after the next refresh
for every change of the screen's bindings, one rebuild per change even when several come
together. Starting up, the keymap, the focus, the screen and each table's sort keys (every
`set_columns`) change them within moments: seven rebuilds before the first rows, each
~10-25 ms of CPU while the first page waits to be shown (issue 19). Here a burst that
comes before the next refresh is passed on once, when that refresh is done: three
rebuilds remain (the first keys; the focus's own deferred change; connected).
"""

from __future__ import annotations

from textual.screen import Screen
from textual.widgets import Footer

__all__ = ["KeyFooter"]


class KeyFooter(Footer):
    _change_pending = False

    def bindings_changed(self, screen: Screen) -> None:
        if not self._change_pending:
            self._change_pending = True
            self.call_after_refresh(self._pass_on, screen)

    def _pass_on(self, screen: Screen) -> None:
        self._change_pending = False
        super().bindings_changed(screen)
