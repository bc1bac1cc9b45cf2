"""What every action's flow may use: the app, the session, the cluster actions, and the
shared steps (ask the server, ask the person, say what was sent). Also `RunAction`, the
message by which a screen of its own (the rollout view) asks for an action."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from textual.app import App
from textual.message import Message

from kubetui.cluster.actions import Access, Actions, Ref, Result
from kubetui.config import DEFAULT_SCALE_CEILING
from kubetui.model.session import Session
from kubetui.ui.undo import UNDO_KEY, UNDO_SECONDS, UndoOffer, offer


@dataclass
class RunAction(Message):
    """Run the action `name` on `refs` (as its key would on the table's selection)."""

    name: str
    refs: list[Ref]
    options: dict[str, Any] = field(default_factory=dict)


@dataclass
class ActionSteps:
    """The state and steps the flows share (`ActionRunner` adds the gate and dispatch)."""

    app: App
    session: Session
    readonly: bool = False
    scale_ceiling: int = DEFAULT_SCALE_CEILING
    #: `Actions.drain`'s timeout / retry_interval / poll_interval, when not its defaults.
    drain_options: dict[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.actions = Actions(self.session.client)
        self.undo_offer: UndoOffer | None = None  # the last reversible action's way back

    async def run_undo(self) -> None:
        """Take back the last reversible action, if its offer still stands."""
        undo, self.undo_offer = self.undo_offer, None
        if undo is None or not undo.live:
            self.app.notify("nothing to undo", severity="warning", timeout=3)
            return
        await undo.run()

    def offer_undo(self, label: str, run: Callable[[], Awaitable[None]]) -> str:
        """Offer `run` as the undo; the words to add to the notification."""
        self.undo_offer = offer(label, run)
        return f"\n{UNDO_KEY} within {UNDO_SECONDS:g} s: {label}"

    def warn(self, text: str) -> None:
        self.app.notify(text, severity="warning")

    def error(self, text: str, title: str) -> None:
        self.app.notify(text, title=title, severity="error")

    async def may(self, accesses: Iterable[Access]) -> bool:
        """Whether the server allows every access; says "you may not …" if not."""
        denied = await self.actions.permitted(accesses)
        if denied:
            self.app.notify(denied, title="Not allowed", severity="error", timeout=10)
            return False
        return True

    async def confirm(self, title: str, body: str, confirm: str, danger: bool = True
                      ) -> bool:
        from kubetui.ui.screens.dialogs import ConfirmDialog

        return bool(await self.app.push_screen(ConfirmDialog(title, body, confirm, danger),
                                               wait_for_dismiss=True))

    def report(self, result: Result, title: str, undo: str = "") -> None:
        self.app.notify(f"{result.message}\nsent: {result.details}{undo}", title=title,
                        severity="information" if result.ok else "error",
                        timeout=8 if result.ok else 15, markup=False)


def names(refs: Sequence[Ref]) -> str:
    """The objects on one line (three, then how many more), for a notification."""
    shown = ", ".join(str(r) for r in refs[:3])
    return shown + (f" and {len(refs) - 3} more" if len(refs) > 3 else "")


def listing(refs: Sequence[Ref]) -> str:
    """The objects, one a line, for a confirmation."""
    return "\n".join(f"  {r.where}" for r in refs)
