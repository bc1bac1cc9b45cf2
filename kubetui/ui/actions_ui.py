"""Actions from the keyboard: ask the server, ask the person, act, say what was sent.

`ActionRunner` holds one method per action (named as the app's actions are, so the
read-only gate's names and these agree). Each runs in a worker (dialogs are awaited) and
follows the same steps: refuse in read-only mode; check the kind can do it; ask the server
whether the user may (SelfSubjectAccessReview) and say "you may not …" if not; open the
dialog or confirmation; perform it through `kubetui.cluster.actions`; notify the result
with the requests sent. The live table shows the effect by itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shlex
import shutil
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from textual.app import App, SuspendNotSupported
from textual.binding import Binding

from kubetui.cluster.actions import (Access, Actions, EditorFailed, Ref, Result, has_pod_spec,
                                     needs, parse_manifest)
from kubetui.cluster.errors import ClusterError
from kubetui.kinds import Kind
from kubetui.private_files import private_dir, write_private
from kubetui.ui.screens.dialogs import (DEFAULT_SCALE_CEILING, ConfirmDialog, PromptDialog,
                                ScaleDialog, SetImageDialog)
from kubetui.ui.widgets.resource_table import ResourceTable
from kubetui.ui.screens.rollout_screen import RolloutScreen
from kubetui.model.session import Session


#: The keys (k9s's where it has them). `r` restarts a workload and drains a node, as in k9s:
#: of the two bindings only the one that applies to the view's kind is enabled.
ACTION_BINDINGS: list[Binding] = [
    Binding("s", "scale", "Scale", id="actions.scale"),
    Binding("r", "restart", "Restart", id="actions.restart"),
    Binding("r", "drain", "Drain", id="actions.drain"),
    Binding("c", "cordon", "Cordon", id="actions.cordon"),
    Binding("u", "uncordon", "Uncordon", id="actions.uncordon"),
    Binding("i", "set_image", "Set image", id="actions.set_image"),
    Binding("o", "rollout", "Rollout", id="actions.rollout"),
    Binding("e", "edit", "Edit", id="actions.edit"),
    Binding("ctrl+d", "delete", "Delete", id="actions.delete"),
    Binding("ctrl+k", "kill", "Kill", id="actions.kill"),
    Binding("a", "apply", "Apply file", id="actions.apply"),
]
#: The actions those bindings name; all but `rollout` (a view) change the cluster.
ACTIONS: frozenset[str] = frozenset(b.action for b in ACTION_BINDINGS)
#: The screens the actions open, whose binding ids a keymap may name too.
ACTION_SCREENS = (RolloutScreen, ConfirmDialog, ScaleDialog, SetImageDialog, PromptDialog)


def applicable(action: str, kind: Kind | None) -> bool:
    """Whether `action` makes sense for rows of `kind` (the app hides it otherwise)."""
    if kind is None:
        return action == "apply"
    if action == "scale":
        return kind.scalable
    if action == "restart":
        return kind.restartable
    if action == "set_image":
        return has_pod_spec(kind)
    if action == "rollout":
        return kind.key == ("apps", "deployments")
    if action in ("cordon", "uncordon", "drain"):
        return kind.key == ("", "nodes")
    if action in ("rollout_undo", "rollout_pause", "rollout_resume"):
        return kind.key == ("apps", "deployments")
    if action == "kill":
        return kind.key == ("", "pods")
    return action in ("edit", "delete", "apply")


def targets(table: ResourceTable, kind: Kind) -> list[Ref]:
    """The marked rows (in display order), else the row under the cursor."""
    marked = table.marked_uids
    entries = [table.entry_at(i) for i in range(table.row_count)
               if table.entry_at(i).uid in marked] if marked else []
    if not entries and table.selected_entry is not None:
        entries = [table.selected_entry]
    return [Ref(kind, e.namespace, e.name) for e in entries]


def _listing(refs: Sequence[Ref]) -> str:
    return "\n".join(f"  {r.where}" for r in refs)


def _editor_command() -> list[str]:
    """kubectl's choice: $KUBE_EDITOR, $EDITOR, else vi."""
    for var in ("KUBE_EDITOR", "EDITOR"):
        value = os.environ.get(var, "").strip()
        if value:
            return shlex.split(value)
    return ["vi"]


async def run_editor(app: App, text: str, name: str) -> str:
    """Hand `text` to the person's editor in a temporary file, the TUI suspended meanwhile;
    the saved text comes back. Screen updates are held while the editor owns the
    terminal (the event loop, and so the watches, keep running). The file (which may hold
    a Secret's values) is 0600 in a private folder, removed after, and on SIGHUP too."""
    command = _editor_command()
    folder = private_dir("kubetui-edit-")
    try:
        path = write_private(folder / f"{name}.yaml", text)
        with app.batch_update(), contextlib.ExitStack() as stack:
            with contextlib.suppress(SuspendNotSupported):  # headless (tests), web
                stack.enter_context(app.suspend())
            try:
                proc = await asyncio.create_subprocess_exec(*command, str(path))
            except OSError as e:
                raise EditorFailed(f"cannot run the editor {command[0]!r}: "
                                   f"{e.strerror or e}") from None
            code = await proc.wait()
        if code != 0:
            raise EditorFailed(f"the editor {command[0]!r} exited with status {code}")
        return path.read_text()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@dataclass
class ActionRunner:
    """Performs actions for the app on one session; see the module docstring."""

    app: App
    session: Session
    readonly: bool = False
    scale_ceiling: int = DEFAULT_SCALE_CEILING
    #: `Actions.drain`'s timeout / retry_interval / poll_interval, when not its defaults.
    drain_options: dict[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.actions = Actions(self.session.client)

    # ----- the common steps ----------------------------------------------------------

    def _refused(self, action: str, refs: Sequence[Ref]) -> bool:
        """Read-only mode, nothing selected, or a kind the action does not apply to."""
        if self.readonly:
            self.app.notify(f"read-only mode: {action.replace('_', ' ')} is disabled",
                            severity="warning")
            return True
        kind = refs[0].kind if refs else None
        if not refs and action != "apply":
            self.app.notify("nothing selected", severity="warning")
            return True
        if not applicable(action, kind):
            self.app.notify(f"{kind.plural if kind else 'this view'} cannot "
                            f"{action.replace('_', ' ')}", severity="warning")
            return True
        return False

    async def _may(self, accesses: Iterable[Access]) -> bool:
        denied = await self.actions.permitted(accesses)
        if denied:
            self.app.notify(denied, title="Not allowed", severity="error", timeout=10)
            return False
        return True

    async def _confirm(self, title: str, body: str, confirm: str, danger: bool = True
                       ) -> bool:
        return bool(await self.app.push_screen(ConfirmDialog(title, body, confirm, danger),
                                               wait_for_dismiss=True))

    def report(self, result: Result, title: str) -> None:
        self.app.notify(f"{result.message}\nsent: {result.details}", title=title,
                        severity="information" if result.ok else "error",
                        timeout=8 if result.ok else 15, markup=False)

    async def _ready(self, action: str, refs: Sequence[Ref]) -> bool:
        return not self._refused(action, refs) and await self._may(needs(action, refs))

    # ----- the actions ---------------------------------------------------------------

    async def scale(self, refs: Sequence[Ref]) -> None:
        """The cursor's object (the first target): its count in a dialog; 0 confirms."""
        if not await self._ready("scale", refs[:1]):
            return
        ref = refs[0]
        try:
            current = await self.actions.replicas(ref)
        except ClusterError as e:
            self.app.notify(str(e), title="Scale", severity="error")
            return
        count = await self.app.push_screen(ScaleDialog(str(ref), current, self.scale_ceiling),
                                           wait_for_dismiss=True)
        if count is None:
            return
        if count == 0 and not await self._confirm(
                f"Scale {ref} to 0?", f"Every pod of\n{_listing([ref])}\nwill be stopped.",
                "Scale to 0"):
            return
        self.report(await self.actions.scale(ref, count), "Scale")

    async def restart(self, refs: Sequence[Ref]) -> None:
        if not await self._ready("restart", refs):
            return
        if not await self._confirm(f"Restart {len(refs)} object(s)?",
                                   f"Rolling restart (as kubectl rollout restart) of\n"
                                   f"{_listing(refs)}", "Restart"):
            return
        for ref in refs:
            self.report(await self.actions.restart(ref), "Restart")

    async def set_image(self, refs: Sequence[Ref]) -> None:
        if not await self._ready("set_image", refs[:1]):
            return
        ref = refs[0]
        try:
            containers = await self.actions.containers(ref)
        except ClusterError as e:
            self.app.notify(str(e), title="Set image", severity="error")
            return
        chosen = await self.app.push_screen(SetImageDialog(str(ref), containers),
                                            wait_for_dismiss=True)
        if chosen is not None:
            self.report(await self.actions.set_image(ref, *chosen), "Set image")

    async def edit(self, refs: Sequence[Ref]) -> None:
        if not await self._ready("edit", refs[:1]):
            return
        ref = refs[0]
        result = await self.actions.edit(ref, lambda text: run_editor(self.app, text,
                                                                      ref.name))
        self.report(result, "Edit")

    async def delete(self, refs: Sequence[Ref], kill: bool = False) -> None:
        action = "kill" if kill else "delete"
        if not await self._ready(action, refs):
            return
        verb = "Kill" if kill else "Delete"
        how = "at once, without a grace period" if kill else "(propagation Background)"
        if not await self._confirm(f"{verb} {len(refs)} object(s)?",
                                   f"{verb} {how}:\n{_listing(refs)}", verb):
            return
        self.report(await self.actions.delete(refs, kill), verb)

    async def kill(self, refs: Sequence[Ref]) -> None:
        await self.delete(refs, kill=True)

    async def cordon(self, refs: Sequence[Ref], unschedulable: bool = True) -> None:
        if not await self._ready("cordon" if unschedulable else "uncordon", refs):
            return
        for ref in refs:
            self.report(await self.actions.cordon(ref, unschedulable),
                        "Cordon" if unschedulable else "Uncordon")

    async def uncordon(self, refs: Sequence[Ref]) -> None:
        await self.cordon(refs, unschedulable=False)

    async def drain(self, refs: Sequence[Ref]) -> None:
        """Each node in turn, progress (PDB retries) shown as it comes."""
        if not await self._ready("drain", refs):
            return
        if not await self._confirm(
                f"Drain {len(refs)} node(s)?",
                f"Cordon, then evict every pod except DaemonSet and mirror pods, respecting "
                f"PodDisruptionBudgets:\n{_listing(refs)}", "Drain"):
            return
        for ref in refs:
            self.app.notify(f"draining {ref}…", title="Drain")
            result = await self.actions.drain(
                ref, progress=lambda line: self.app.notify(line, title="Drain", timeout=4,
                                                           markup=False),
                **self.drain_options)
            self.report(result, "Drain")

    async def apply(self, namespace: str) -> None:
        """A path prompt, the server-side dry run shown, then the real apply."""
        if self._refused("apply", []):
            return
        path = await self.app.push_screen(PromptDialog(
            "Apply a YAML file (server-side apply)", "path/to/file.yaml", check=_readable),
            wait_for_dismiss=True)
        if path is None:
            return
        try:
            objects = parse_manifest(Path(path).expanduser().read_text(),
                                     self.session.kinds, namespace)
        except (OSError, UnicodeDecodeError, ValueError) as e:
            self.app.notify(f"{path}: {e}", title="Apply", severity="error")
            return
        if not await self._may(needs("apply", [ref for ref, _ in objects])):
            return
        plan = await self.actions.plan_apply(objects)
        if not plan.result.ok:
            self.report(plan.result, "Apply (dry run)")
            return
        if not await self._may(Access("create", r.kind, r.namespace) for r in plan.creates):
            return
        diffs = "\n".join(item.diff for item in plan.items if item.diff)
        if not await self._confirm(f"Apply {path}?", f"{plan.summary}\n\n{diffs}".rstrip(),
                                   "Apply", danger=False):
            return
        self.report(await self.actions.apply(plan), "Apply")

    async def rollout(self, refs: Sequence[Ref]) -> None:
        """Open the rollout view of the cursor's Deployment (reading needs no check)."""
        if not refs or not applicable("rollout", refs[0].kind):
            self.app.notify("the rollout view is for Deployments", severity="warning")
            return
        await self.app.push_screen(RolloutScreen(self, refs[0]))

    # ----- from the rollout view ---------------------------------------------------------

    async def undo(self, ref: Ref, revision: int = 0) -> None:
        if not await self._ready("rollout_undo", [ref]):
            return
        to = f"revision {revision}" if revision else "the previous revision"
        if not await self._confirm(f"Roll {ref} back to {to}?",
                                   f"As kubectl rollout undo:\n{_listing([ref])}",
                                   "Roll back"):
            return
        self.report(await self.actions.undo(ref, revision), "Rollout undo")

    async def set_paused(self, ref: Ref, paused: bool) -> None:
        if not await self._ready("rollout_pause" if paused else "rollout_resume", [ref]):
            return
        self.report(await self.actions.set_paused(ref, paused),
                    "Rollout pause" if paused else "Rollout resume")


class ActionKeys:
    """Mixin for the app: an `action_<name>` per binding of ACTION_BINDINGS, each running
    the runner's method in a worker. The app sets `action_runner` when a session opens,
    implements `action_context`, adds ACTION_BINDINGS to its BINDINGS, and lets
    `actions_check` decide for these actions in its `check_action`."""

    action_runner: ActionRunner | None = None

    def action_context(self) -> tuple[ResourceTable, Kind | None, str]:
        """(the table acted on, its rows' kind, the namespace new objects go to)."""
        raise NotImplementedError

    def actions_check(self, action: str) -> bool:
        """Enabled (and shown) only on the main screen, when connected, not read-only for
        a change, and applicable to the view's kind."""
        runner = self.action_runner
        app: App = self  # type: ignore[assignment]
        if runner is None or app.screen is not app.screen_stack[0]:
            return False
        if runner.readonly and action != "rollout":
            return False
        return applicable(action, self.action_context()[1])

    def _act(self, name: str) -> None:
        runner = self.action_runner
        if runner is None:
            return
        table, kind, namespace = self.action_context()
        work = runner.apply(namespace) if name == "apply" else getattr(runner, name)(
            targets(table, kind) if kind is not None else [])
        self.run_worker(work, group="action", exit_on_error=False)  # type: ignore[attr-defined]

    def action_scale(self) -> None:
        self._act("scale")

    def action_restart(self) -> None:
        self._act("restart")

    def action_drain(self) -> None:
        self._act("drain")

    def action_cordon(self) -> None:
        self._act("cordon")

    def action_uncordon(self) -> None:
        self._act("uncordon")

    def action_set_image(self) -> None:
        self._act("set_image")

    def action_rollout(self) -> None:
        self._act("rollout")

    def action_edit(self) -> None:
        self._act("edit")

    def action_delete(self) -> None:
        self._act("delete")

    def action_kill(self) -> None:
        self._act("kill")

    def action_apply(self) -> None:
        self._act("apply")


def _readable(value: str) -> str:
    if not value:
        return "type the path of a YAML file"
    path = Path(value).expanduser()
    if not path.is_file():
        return f"{value}: no such file"
    if not os.access(path, os.R_OK):
        return f"{value}: not readable"
    return ""
