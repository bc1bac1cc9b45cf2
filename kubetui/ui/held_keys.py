"""Keys that arrive before what they were typed for has opened are held, then given to it.

k9s opens its dialogs at once, so everything typed after `s` goes to the scale dialog.
kubetui's open after a round trip to the server (`s` asks a SelfSubjectAccessReview and the
current count first; so do `i`, `r`, ctrl+d, `o`, the rollout view's `u`), and a pushed
screen takes its focus only once it is mounted. Keys that arrive in the same read as the
action's key (a burst over SSH, a paste) used to reach the table meanwhile: `s5<enter>`
switched to the Jobs tab (`5`) while the dialog was on its way. So the app holds every key
that arrives while

- an action that opens something (`ActionSpec.acts_at_once` is false) is pending: from its
  key until it pushes its first screen, or ends; or
- a pushed screen is not mounted yet;

and then applies the held keys, in the order typed, to the screen that opened (in its text
field, through `ordered_input.deliver_key`).

What happens to keys held for a dialog that never opens (the server refused the action, or
it failed): they are DROPPED, not given to the table. They were typed for a dialog; on the
table the same keys are commands (`5` a tab, enter a drill-down, `d` describe, ctrl+d
delete), which a k9s user never meant. The refusal ("you may not …") is on screen; keys
typed after it reach the table as usual. Likewise keys held when the terminal is handed
over (shell, attach, debug, edit): kubetui has already read them and cannot give them to
the shell or editor, so they are dropped rather than applied afterwards. A hold that lasts
longer than `HOLD_LIMIT` (a server that does not answer) is given up the same way, so the
keyboard never stays dead; the app's quit key is never held.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from textual import events

from kubetui.ui.ordered_input import deliver_key, takes_keys_in_order

#: Seconds a key may be held before the hold is given up (its keys dropped).
HOLD_LIMIT = 5.0


class _Wait:
    """One reason to hold keys (an action pending, a screen mounting)."""


@dataclass
class KeyHold:
    """The keys held and why; `HeldKeys` (the App) decides when."""

    waits: set[_Wait] = field(default_factory=set)
    keys: list[events.Key] = field(default_factory=list)
    releasing: bool = False  # the wait is over, the keys are about to be applied
    since: float = 0.0
    action: _Wait | None = None  # the pending action's wait

    @property
    def holding(self) -> bool:
        return bool(self.waits) or self.releasing

    def begin(self) -> _Wait:
        if not self.holding:
            self.since = time.monotonic()
        wait = _Wait()
        self.waits.add(wait)
        return wait

    def end(self, wait: _Wait, use: bool) -> bool:
        """`wait` is over. True when the keys held are now to be applied (`use`, and no
        other wait holds them); else, with no other wait, they are dropped."""
        if wait not in self.waits:
            return False
        self.waits.discard(wait)
        if wait is self.action:
            self.action = None
        if self.waits:
            return False
        if use and self.keys:
            self.releasing = True  # keys arriving until they are applied join them
            return True
        self.keys.clear()
        return False

    def take(self) -> list[events.Key]:
        keys, self.keys, self.releasing = self.keys, [], False
        return keys

    def drop(self) -> None:
        self.waits.clear()
        self.keys.clear()
        self.releasing, self.action = False, None

    def keep(self, event: events.Key) -> bool:
        """Hold `event` if keys are held (and not for too long: then the hold is given
        up); whether it was."""
        if not self.holding:
            return False
        if time.monotonic() - self.since > HOLD_LIMIT:
            self.drop()
            return False
        self.keys.append(event)
        return True


class HeldKeys:
    """Mixed into the App, before `App`: keys taken in arrival order (see the module
    docstring and `ordered_input`), `push_screen` holding keys until the screen is
    mounted, `await_screen` for actions, `suspend` dropping held keys. The App sets
    `key_hold`."""

    key_hold: KeyHold

    def await_screen(self) -> Callable[[], None]:
        """An action that opens a dialog or view has started: hold keys until it pushes
        a screen. Call the function returned when the action ends (the keys are dropped
        if it pushed none)."""
        hold = self.key_hold
        wait = hold.action = hold.begin()
        return lambda: self._end_wait(wait, use=False)

    def _end_wait(self, wait: _Wait, use: bool) -> None:
        if self.key_hold.end(wait, use):
            self.call_later(self._apply_held)  # type: ignore[attr-defined]

    async def _apply_held(self) -> None:
        hold = self.key_hold
        keys = hold.take()
        while keys:
            await self._take_key(keys.pop(0))
            if hold.holding:  # that key opened something: the rest wait for it, ahead
                hold.keys[:0] = keys  # of the keys that arrive meanwhile
                return

    async def _take_key(self, event: events.Key) -> None:
        hold = self.key_hold
        if hold.holding and not self._quits(event) and hold.keep(event):
            return
        focused = self.focused  # type: ignore[attr-defined]
        if focused is not None and takes_keys_in_order(focused):
            await deliver_key(focused, event)
        else:
            await super().on_event(event)  # type: ignore[misc]

    def _quits(self, event: events.Key) -> bool:
        active = self.screen.active_bindings.get(event.key)  # type: ignore[attr-defined]
        return active is not None and active.binding.action == "quit"

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key) and not event.is_forwarded:
            await self._take_key(event)
            return
        await super().on_event(event)  # type: ignore[misc]

    def push_screen(self, screen, *args, **kwargs):  # type: ignore[no-untyped-def]
        """Keys wait for `screen` to be mounted (its focus set); a pending action's
        keys are this screen's."""
        hold = self.key_hold
        wait = hold.begin()
        pushed = super().push_screen(screen, *args, **kwargs)  # type: ignore[misc]
        self.get_screen(screen).call_later(self._screen_ready, wait)  # type: ignore[attr-defined]
        if hold.action is not None:
            self._end_wait(hold.action, use=True)
        return pushed

    def _screen_ready(self, wait: _Wait) -> None:
        """Run by a pushed screen after its Mount. Its widgets focus themselves there with
        `focus()`, which the App does later, in its queue: the keys are applied after
        that, so the wait ends in the App's queue too, behind those."""
        self.call_later(self._end_wait, wait, True)  # type: ignore[attr-defined]

    @contextmanager
    def suspend(self) -> Iterator[None]:
        """The terminal handed over: the keys held are dropped (see above)."""
        self.key_hold.drop()
        with super().suspend():  # type: ignore[misc]
            yield
