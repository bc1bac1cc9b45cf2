"""The action keys of the main table, made from `kubetui.model.actions.KEYED`, and the one
key dispatch: every `action_<name>` goes to `ActionKeys.start_action`."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from textual.app import App
from textual.binding import Binding
from textual.screen import Screen

from kubetui.cluster.actions import Ref
from kubetui.kinds import Kind
from kubetui.model.actions import BY_NAME, KEYED, refusal

if TYPE_CHECKING:  # the runner, its steps and dialogs load with the first session
    from kubetui.ui.actions.runner import ActionRunner
    from kubetui.ui.actions.steps import RunAction
    from kubetui.ui.widgets.resource_table import ResourceTable

ACTION_BINDINGS: list[Binding] = [Binding(spec.key, spec.name, spec.description,
                                          id=spec.binding_id) for spec in KEYED]
#: The actions those bindings name.
ACTION_NAMES: frozenset[str] = frozenset(spec.name for spec in KEYED)


def action_screens() -> tuple[type[Screen], ...]:
    """The screens the actions open, whose binding ids a keymap may name too."""
    from kubetui.ui.screens.dialogs import (ChoiceDialog, ConfirmDialog, PortForwardDialog,
                                           PromptDialog, ScaleDialog, SetImageDialog)
    from kubetui.ui.screens.rollout_screen import RolloutScreen

    return (RolloutScreen, ConfirmDialog, ScaleDialog, SetImageDialog, PromptDialog,
            ChoiceDialog, PortForwardDialog)


def targets(table: ResourceTable, kind: Kind) -> list[Ref]:
    """The marked rows (in display order), else the row under the cursor."""
    entries = table.marked_entries()
    if not entries and table.selected_entry is not None:
        entries = [table.selected_entry]
    return [Ref(kind, e.namespace, e.name) for e in entries]


class ActionKeys:
    """Mixin for the app: an `action_<name>` per action of ACTION_BINDINGS, all going to
    `start_action`, which runs the runner in a worker; `RunAction` messages (from the
    rollout view) go there too. The app (a `HeldKeys`) sets `action_runner` when a session
    opens, implements `action_context`, adds ACTION_BINDINGS to its BINDINGS, and lets
    `actions_check` decide for these actions in its `check_action`."""

    action_runner: ActionRunner | None = None

    def action_context(self) -> tuple[ResourceTable, Kind | None, str]:
        """(the table acted on, its rows' kind, the namespace new objects go to)."""
        raise NotImplementedError

    def actions_check(self, action: str) -> bool:
        """Enabled (and shown) only on the main screen, when connected, and when
        `refusal` finds no reason (read-only mode, a kind it does not apply to)."""
        runner = self.action_runner
        app: App = self  # type: ignore[assignment]
        if runner is None or app.screen is not app.screen_stack[0]:
            return False
        return refusal(BY_NAME[action], self.action_context()[1], runner.readonly) is None

    def start_action(self, name: str, refs: list[Ref] | None = None,
                     **options: Any) -> None:
        """Run action `name` on `refs`, by default the table's selection."""
        runner = self.action_runner
        if runner is None:
            return
        table, kind, namespace = self.action_context()
        if refs is None:
            refs = targets(table, kind) if kind is not None else []
        # Keys typed after this one are for the dialog or view it opens (held_keys).
        ended = None if BY_NAME[name].acts_at_once else \
            self.await_screen()  # type: ignore[attr-defined]

        async def run() -> None:
            try:
                await runner.run(name, refs, namespace, **options)
            finally:
                if ended is not None:
                    ended()
        self.run_worker(run(), group="action", exit_on_error=False)  # type: ignore[attr-defined]

    def on_run_action(self, message: RunAction) -> None:
        self.start_action(message.name, message.refs, **message.options)


def _key(name: str) -> Callable[[ActionKeys], None]:
    def action(self: ActionKeys) -> None:
        self.start_action(name)
    action.__name__ = action.__qualname__ = f"action_{name}"
    action.__doc__ = BY_NAME[name].description
    return action


for _spec in KEYED:
    setattr(ActionKeys, f"action_{_spec.name}", _key(_spec.name))
