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

Widgets whose keys are all bindings (the tables, the text views) get the same, so a key's
action (`s` scale, `d` describe) runs before the next key is looked at, and the keys after it
can wait for its dialog or view (`held_keys`) instead of being already on their way to the
table, queued behind it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import cache

from textual import events
from textual.widget import Widget
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


@cache
def _bindings_only(cls: type[Widget]) -> bool:
    return cls._on_key is Widget._on_key and not any(
        name.startswith(("key_", "_key_")) for name in dir(cls))


def takes_keys_in_order(widget: Widget) -> bool:
    """Whether `deliver_key` applies keys to `widget` as Textual would: an `OrderedInput`,
    or a widget that does all with bindings (no key handler of its own: kubetui's tables
    and text views, buttons; not an `Input`, `Select` or `TextArea`)."""
    return isinstance(widget, OrderedInput) or _bindings_only(type(widget))


async def deliver_key(focused: Widget, event: events.Key) -> None:
    """Apply `event` to the `focused` widget now, as Textual would after bubbling:
    priority bindings first, then an `OrderedInput`'s own typing, then the bindings of the
    widget and its ancestors up to the modal screen, nearest first (one that skips, such as
    an Input's inherited scroll_up, passes to the next). `App._check_bindings` is
    Textual's own lookup; calling it here only changes when it runs."""
    app = focused.app
    if await app._check_bindings(event.key, priority=True):
        return
    if isinstance(focused, OrderedInput) and event.is_printable:
        await Input._on_key(focused, event)  # inserts (or replaces the selection)
    else:
        await app._check_bindings(event.key)
