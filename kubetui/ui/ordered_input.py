"""Text fields whose keys take effect in the order they were typed.

Textual 8 applies a burst of keys (one read of several bytes: a paste without bracketed
paste, fast typing over SSH) out of order in an `Input`: printable keys are inserted by the
Input itself as soon as it sees them, while keys handled by a binding (backspace, ctrl+u,
enter, tab) first bubble up through every ancestor's message queue to the App, which runs
the binding only then. `xyz`, backspace, `q` in one read leaves `xyz` (the `q` went in
before the backspace ran). See docs/upstream-textual-key-order.md for the upstream report.

The workaround: the App hands each key meant for an `OrderedInput` to `deliver_key` at
once, in its own queue's order, instead of forwarding it to the Input's queue; a binding
that closes the field (enter with `on_submit`, esc) moves the focus before the next key is
looked at, so keys typed after `:po<enter>` reach the table, not the closed prompt.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from textual import events
from textual.widgets import Input


class OrderedInput(Input):
    """An `Input` fed key by key by `deliver_key`. With `on_submit`, enter awaits it (with
    the value) instead of posting `Input.Submitted`, so what it does (close a prompt, run
    a command) is done before the next key is looked at."""

    def __init__(self, *args: object,
                 on_submit: Callable[[str], Awaitable[None]] | None = None,
                 **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.on_submit = on_submit

    async def action_submit(self) -> None:
        if self.on_submit is None:
            await super().action_submit()
        else:
            await self.on_submit(self.value)


async def deliver_key(field: OrderedInput, event: events.Key) -> None:
    """Apply `event` to the focused `field` now, as Textual would after bubbling: priority
    bindings first, then the field's own typing, then the bindings of the field and its
    ancestors up to the modal screen, nearest first (one that skips, such as an Input's
    inherited scroll_up, passes to the next). `App._check_bindings` is Textual's own
    lookup; calling it here only changes when it runs."""
    app = field.app
    if await app._check_bindings(event.key, priority=True):
        return
    if event.is_printable:
        await Input._on_key(field, event)  # inserts (or replaces the selection)
    else:
        await app._check_bindings(event.key)
