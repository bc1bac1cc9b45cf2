"""The rollout view of a Deployment: live progress, history, diffs, undo, pause/resume.

Live from watches: the screen follows the namespace's Deployment and ReplicaSet streams of
the shared store (usually already open for the table behind it); when an event touches this
Deployment or its ReplicaSets, it reads a fresh snapshot (`Actions.rollout`: the object and
its ReplicaSets), at most one read in flight, so a burst of events costs one or two reads.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from kubetui.cluster.actions import REPLICASET, Actions, Ref, Rollout
from kubetui.cluster.errors import ClusterError
from kubetui.cluster.rollout import Revision, revision_of, template_diff
from kubetui.cluster.store import Batch, Subscription, WatchStore
from kubetui.model.actions import BY_NAME, refusal
from kubetui.ui.actions.steps import RunAction
from kubetui.ui.widgets.safe import SafeStatic, safe


class RolloutChanged(Message):
    """Something the rollout view shows may have changed."""


def progress_lines(state: Rollout) -> Text:
    """The status block: kubectl's message, the strategy's bounds and the counts."""
    d = state.deployment
    spec, status = d.get("spec") or {}, d.get("status") or {}
    out = Text()
    style = "bold red" if state.status.failed else ("green" if state.status.done
                                                    else "yellow")
    out.append("FAILED  " if state.status.failed else "", "bold red")
    out.append(state.status.message + "\n", style)
    if state.bounds is None:
        strategy = "Recreate"
    else:
        strategy = f"RollingUpdate  maxSurge {state.bounds[0]}  maxUnavailable " \
                   f"{state.bounds[1]}"
    paused = "  PAUSED" if spec.get("paused") else ""
    out.append(f"{strategy}{paused}\n", "bold" if paused else "")
    out.append(f"replicas {spec.get('replicas', 1)} desired · {status.get('replicas', 0)} "
               f"current · {status.get('updatedReplicas', 0)} updated · "
               f"{status.get('readyReplicas', 0)} ready · "
               f"{status.get('availableReplicas', 0)} available")
    return out


def replica_set_lines(state: Rollout) -> Text:
    """New vs old ReplicaSets with their counts, newest first."""
    current = state.current.name if state.current else None
    out = Text()
    for rs in reversed(state.replica_sets):
        spec, status = rs.get("spec") or {}, rs.get("status") or {}
        name = rs["metadata"]["name"]
        new = name == current
        out.append("new " if new else "old ", "bold green" if new else "dim")
        out.append(f"{name}  rev {revision_of(rs) or '?'}  desired {spec.get('replicas', 0)}"
                   f"  current {status.get('replicas', 0)}  ready "
                   f"{status.get('readyReplicas', 0)}  available "
                   f"{status.get('availableReplicas', 0)}\n")
    return out


def history_label(revision: Revision, current: Revision | None) -> Text:
    text = Text()
    text.append(f"{revision.number:>4}  ", "bold")
    text.append(", ".join(revision.images))
    if revision.change_cause:
        text.append(f"  {revision.change_cause}", "italic")
    if current is not None and revision.number == current.number:
        text.append("  (current)", "green")
    return text


class RolloutScreen(Screen[None]):
    """A Deployment's rollout, followed live; see the module docstring."""

    DEFAULT_CSS = """
    RolloutScreen { layout: vertical; }
    RolloutScreen #title { text-style: bold; background: $panel; padding: 0 1; }
    RolloutScreen #progress, RolloutScreen #replicasets { padding: 0 1; height: auto; }
    RolloutScreen #history { height: auto; max-height: 12; border: round $accent; }
    RolloutScreen #diff-box { height: 1fr; border: round $panel; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Back", id="rollout.close"),
        Binding("u", "rollout_undo(0)", "Undo", id="rollout.undo"),
        Binding("U", "rollout_undo_to", "Undo to revision", id="rollout.undo_to"),
        Binding("d", "diff", "Diff", id="rollout.diff"),
        Binding("b", "base", "Diff base", id="rollout.base"),
        Binding("p", "rollout_pause", "Pause", id="rollout.pause"),
        Binding("P", "rollout_resume", "Resume", id="rollout.resume"),
    ]

    def __init__(self, actions: Actions, store: WatchStore, ref: Ref,
                 readonly: bool = False) -> None:
        super().__init__()
        self.actions = actions
        self.store = store
        self.ref = ref
        self.readonly = readonly
        self.state: Rollout | None = None
        self.error = ""
        self._subs: list[Subscription] = []
        self._dirty = False
        self._reading = False
        self.base: int | None = None  # the revision diffs compare with; None: current

    def compose(self) -> ComposeResult:
        yield SafeStatic(f"Rollout of {self.ref.where}", id="title")
        yield SafeStatic("Loading…", id="progress")
        yield SafeStatic("", id="replicasets")
        history = OptionList(id="history")
        history.border_title = ("History (U undo to highlighted · d diff it with the "
                                "current, or with the one b chose)")
        yield history
        with VerticalScroll(id="diff-box"):
            yield SafeStatic("", id="diff")
        yield Footer()

    def on_mount(self) -> None:
        self._subs = [self.store.subscribe(kind, self.ref.namespace, self._on_batch, _ignore)
                      for kind in (self.ref.kind, REPLICASET)]
        self.post_message(RolloutChanged())

    def on_unmount(self) -> None:
        for sub in self._subs:
            sub.close()

    # ----- live ------------------------------------------------------------------------

    def _relevant(self, batch: Batch) -> bool:
        """Whether a batch may touch this Deployment (by uid or name) or its ReplicaSets."""
        uid = self.state.deployment["metadata"].get("uid") if self.state else None
        if batch.reset or batch.deletes or uid is None:
            return True
        return any(e.uid == uid or uid in e.owners or
                   (e.namespace, e.name) == (self.ref.namespace, self.ref.name)
                   for e in batch.upserts)

    def _on_batch(self, batch: Batch) -> None:
        if self._relevant(batch):
            self.post_message(RolloutChanged())

    def on_rollout_changed(self, _: RolloutChanged) -> None:
        self._dirty = True
        if not self._reading:
            self._reading = True
            self.run_worker(self._follow(), group="rollout-refresh", exit_on_error=False)

    async def _follow(self) -> None:
        """Read snapshots while something changed since the last read (one at a time)."""
        try:
            while self._dirty:
                self._dirty = False
                try:
                    self.state = await self.actions.rollout(self.ref)
                    self.error = ""
                except ClusterError as e:
                    self.error = str(e)
                self._show_state()
        finally:
            self._reading = False

    def _show_state(self) -> None:
        progress = self.query_one("#progress", Static)
        if self.error or self.state is None:
            progress.update(Text(self.error or "Loading…", "red"))
            return
        state = self.state
        progress.update(progress_lines(state))
        progress.set_class(state.status.failed, "failed")
        progress.set_class(state.status.done, "done")
        self.query_one("#replicasets", Static).update(replica_set_lines(state))
        history = self.query_one(OptionList)
        highlighted = history.highlighted_option.id if history.highlighted_option else None
        history.clear_options()
        history.add_options([Option(safe(history_label(r, state.current)), id=str(r.number))
                             for r in reversed(state.history)])
        ids = [str(r.number) for r in reversed(state.history)]
        # The current revision (on top) until one is chosen, so that the first down-arrow
        # goes to the previous revision (issue 17: it "did not move" from nothing to the
        # top, and `d` then compared the current revision with itself).
        history.highlighted = ids.index(highlighted) if highlighted in ids else 0 if ids \
            else None
        self.refresh_bindings()

    @property
    def status_text(self) -> str:
        """The status block as shown, in plain text."""
        return str(self.query_one("#progress", Static).render())

    # ----- keys ----------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        spec = BY_NAME.get("rollout_undo" if action == "rollout_undo_to" else action)
        if spec is not None and refusal(spec, self.ref.kind, self.readonly) is not None:
            return False
        paused = bool(self.state and (self.state.deployment.get("spec") or {}).get("paused"))
        if action == "rollout_pause":
            return not paused
        if action == "rollout_resume":
            return paused
        return True

    def _highlighted(self) -> Revision | None:
        option = self.query_one(OptionList).highlighted_option
        if option is None or self.state is None:
            return None
        return next((r for r in self.state.history if str(r.number) == option.id), None)

    def action_close(self) -> None:
        self.dismiss(None)

    def action_base(self) -> None:
        """The highlighted revision becomes the one `d` compares with (else the current)."""
        chosen = self._highlighted()
        self.base = chosen.number if chosen else None
        self.notify(f"diffs compare with revision {self.base}" if chosen else
                    "diffs compare with the current revision")

    def action_diff(self) -> None:
        """From the base revision's pod template (the current one unless `b` chose one) to
        the highlighted revision's: what an undo to it would change."""
        chosen, state = self._highlighted(), self.state
        diff = self.query_one("#diff", Static)
        base = None if state is None else next(
            (r for r in state.history if r.number == self.base), state.current)
        if chosen is None or base is None:
            diff.update("Highlight a revision in the history to compare it.")
            return
        if chosen.number == base.number:
            diff.update(f"Revision {chosen.number} is the one diffs compare with: highlight "
                        "another (up/down).")
            return
        text = template_diff(base, chosen)
        diff.update(text or f"Revisions {chosen.number} and {base.number} have the same pod "
                            "template.")

    def action_rollout_undo(self, revision: int = 0) -> None:
        self.post_message(RunAction("rollout_undo", [self.ref], {"revision": revision}))

    def action_rollout_undo_to(self) -> None:
        chosen = self._highlighted()
        if chosen is None:
            self.notify("highlight a revision in the history first", severity="warning")
            return
        self.action_rollout_undo(chosen.number)

    def action_rollout_pause(self) -> None:
        self.post_message(RunAction("rollout_pause", [self.ref]))

    def action_rollout_resume(self) -> None:
        self.post_message(RunAction("rollout_resume", [self.ref]))


def _ignore(_: object) -> None:
    """The health of the streams shows in the main view's header."""
