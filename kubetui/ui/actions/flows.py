"""One flow per action: its dialog if it has one, the cluster call, the report.

A flow runs only after the runner's gate (read-only mode, nothing selected, the kind) and,
for actions on selected objects, the access check of `kubetui.model.actions.needs`. It is
registered by `@flow(name)` under its `ActionSpec`'s name and called as
`flow(steps, refs, namespace, **options)`: `refs` are the targets the spec asks for,
`namespace` the one new objects go to. The live table shows the effect by itself.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any

from kubetui.cluster.actions import Access, Ref, parse_manifest
from kubetui.cluster.errors import ClusterError
from kubetui.cluster.rollout import RolloutError, template_changes, undo_target
from kubetui.model.actions import needs
from kubetui.ui.actions.editor import run_editor
from kubetui.ui.actions.steps import ActionSteps, listing, names
from kubetui.ui.screens.dialogs import PromptDialog, ScaleDialog, SetImageDialog
from kubetui.ui.screens.rollout_screen import RolloutScreen

Flow = Callable[..., Awaitable[None]]
FLOWS: dict[str, Flow] = {}


def flow(name: str, **options: Any) -> Callable[[Flow], Flow]:
    """Register the decorated function as the flow of the action `name`; `options` tell
    apart two actions that share a flow (kill is a delete with `kill=True`)."""
    def register(function: Flow) -> Flow:
        FLOWS[name] = functools.partial(function, **options) if options else function
        return function
    return register


@flow("scale")
async def scale(steps: ActionSteps, refs: Sequence[Ref], namespace: str) -> None:
    """The cursor's object: its count in a dialog; 0 confirms."""
    ref = refs[0]
    try:
        current = await steps.actions.replicas(ref)
    except ClusterError as e:
        steps.error(str(e), "Scale")
        return
    count = await steps.app.push_screen(ScaleDialog(str(ref), current, steps.scale_ceiling),
                                        wait_for_dismiss=True)
    if count is None:
        return
    if count == 0 and not await steps.confirm(
            f"Scale {ref} to 0?", f"Every pod of\n{listing([ref])}\nwill be stopped.",
            "Scale to 0"):
        return
    steps.report(await steps.actions.scale(ref, count), "Scale")


@flow("restart")
async def restart(steps: ActionSteps, refs: Sequence[Ref], namespace: str) -> None:
    if not await steps.confirm(f"Restart {len(refs)} object(s)?",
                               f"Rolling restart (as kubectl rollout restart) of\n"
                               f"{listing(refs)}", "Restart"):
        return
    for ref in refs:
        steps.report(await steps.actions.restart(ref), "Restart")


@flow("set_image")
async def set_image(steps: ActionSteps, refs: Sequence[Ref], namespace: str) -> None:
    ref = refs[0]
    try:
        containers = await steps.actions.containers(ref)
    except ClusterError as e:
        steps.error(str(e), "Set image")
        return
    chosen = await steps.app.push_screen(SetImageDialog(str(ref), containers),
                                         wait_for_dismiss=True)
    if chosen is not None:
        steps.report(await steps.actions.set_image(ref, *chosen), "Set image")


@flow("edit")
async def edit(steps: ActionSteps, refs: Sequence[Ref], namespace: str) -> None:
    ref = refs[0]
    result = await steps.actions.edit(ref, lambda text: run_editor(steps.app, text, ref.name))
    steps.report(result, "Edit")


@flow("delete")
@flow("kill", kill=True)
async def delete(steps: ActionSteps, refs: Sequence[Ref], namespace: str,
                 kill: bool = False) -> None:
    verb = "Kill" if kill else "Delete"
    how = "at once, without a grace period" if kill else "(propagation Background)"
    if not await steps.confirm(f"{verb} {len(refs)} object(s)?",
                               f"{verb} {how}:\n{listing(refs)}", verb):
        return
    steps.report(await steps.actions.delete(refs, kill), verb)


@flow("cordon")
@flow("uncordon", unschedulable=False)
async def cordon(steps: ActionSteps, refs: Sequence[Ref], namespace: str,
                 unschedulable: bool = True, undoable: bool = True) -> None:
    """Acts at once (one opposite action reverses it): an undo is offered instead."""
    title = "Cordon" if unschedulable else "Uncordon"
    results = [(ref, await steps.actions.cordon(ref, unschedulable)) for ref in refs]
    done = [ref for ref, result in results if result.ok]
    undo = steps.offer_undo(f"{'uncordon' if unschedulable else 'cordon'} {names(done)}",
                            lambda: cordon(steps, done, namespace, not unschedulable,
                                           False)) if done and undoable else ""
    for ref, result in results:
        steps.report(result, title, undo if done and ref is done[-1] else "")


@flow("drain")
async def drain(steps: ActionSteps, refs: Sequence[Ref], namespace: str) -> None:
    """Each node in turn, progress (PDB retries) shown as it comes."""
    if not await steps.confirm(
            f"Drain {len(refs)} node(s)?",
            f"Cordon, then evict every pod except DaemonSet and mirror pods, respecting "
            f"PodDisruptionBudgets:\n{listing(refs)}", "Drain"):
        return
    for ref in refs:
        steps.app.notify(f"draining {ref}…", title="Drain")
        result = await steps.actions.drain(
            ref, progress=lambda line: steps.app.notify(line, title="Drain", timeout=4,
                                                        markup=False),
            **steps.drain_options)
        steps.report(result, "Drain")


@flow("apply")
async def apply(steps: ActionSteps, refs: Sequence[Ref], namespace: str) -> None:
    """A path prompt, the server-side dry run shown, then the real apply."""
    path = await steps.app.push_screen(PromptDialog(
        "Apply a YAML file (server-side apply)", "path/to/file.yaml", check=_readable,
        paths=True), wait_for_dismiss=True)
    if path is None:
        return
    try:
        objects = parse_manifest(Path(path).expanduser().read_text(),
                                 steps.session.kinds, namespace)
    except (OSError, UnicodeDecodeError, ValueError) as e:
        steps.error(f"{path}: {e}", "Apply")
        return
    if not await steps.may(needs("apply", [ref for ref, _ in objects])):
        return
    plan = await steps.actions.plan_apply(objects)
    if not plan.result.ok:
        steps.report(plan.result, "Apply (dry run)")
        return
    if not await steps.may(Access("create", r.kind, r.namespace) for r in plan.creates):
        return
    diffs = "\n".join(item.diff for item in plan.items if item.diff)
    if not await steps.confirm(f"Apply {path}?", f"{plan.summary}\n\n{diffs}".rstrip(),
                               "Apply", danger=False):
        return
    steps.report(await steps.actions.apply(plan), "Apply")


@flow("rollout")
async def rollout(steps: ActionSteps, refs: Sequence[Ref], namespace: str) -> None:
    """Open the rollout view of the cursor's Deployment."""
    await steps.app.push_screen(RolloutScreen(steps.actions, steps.session.store, refs[0],
                                              steps.readonly))


@flow("rollout_undo")
async def undo(steps: ActionSteps, refs: Sequence[Ref], namespace: str,
               revision: int = 0) -> None:
    """Asks first, naming the revision it goes back to and what that changes."""
    ref = refs[0]
    try:
        state = await steps.actions.rollout(ref)
        target = undo_target(state.deployment, state.history, revision)
    except (ClusterError, RolloutError) as e:
        steps.error(str(e), "Rollout undo")
        return
    current = state.current
    changes = template_changes(current, target) if current else []
    now = f"revision {current.number}" if current else "the current template"
    cause = f" ({target.change_cause})" if target.change_cause else ""
    body = "\n".join([f"As kubectl rollout undo, from {now} to revision {target.number}"
                      f"{cause}:", *(f"  {line}" for line in
                                     changes or ["no change to the pod template"])])
    if not await steps.confirm(f"Roll {ref} back to revision {target.number}?", body,
                               "Roll back"):
        return
    steps.report(await steps.actions.undo(ref, target.number), "Rollout undo")


@flow("rollout_pause")
@flow("rollout_resume", paused=False)
async def set_paused(steps: ActionSteps, refs: Sequence[Ref], namespace: str,
                     paused: bool = True, undoable: bool = True) -> None:
    """Acts at once (resume reverses pause): an undo is offered instead."""
    ref = refs[0]
    result = await steps.actions.set_paused(ref, paused)
    undo = steps.offer_undo(f"{'resume' if paused else 'pause'} {ref}",
                            lambda: set_paused(steps, refs, namespace, not paused, False)) \
        if result.ok and undoable else ""
    steps.report(result, "Rollout pause" if paused else "Rollout resume", undo)


def _readable(value: str) -> str:
    if not value:
        return "type the path of a YAML file"
    path = Path(value).expanduser()
    if not path.is_file():
        return f"{value}: no such file"
    if not os.access(path, os.R_OK):
        return f"{value}: not readable"
    return ""
