"""`:helm`: Helm releases read from the cluster's Helm storage, live (no helm binary).

`HelmScreen` lists each release's latest revision; enter opens its history
(`HistoryScreen`). On a release or a revision: `v` the user-supplied values, `V` the computed
values, `m` the manifest, `n` the notes, `o` the objects of the release; in the history
`space` marks a revision and `d` shows the diff between the marked (else the previous)
revision and the one under the cursor. Every cell and text comes from the cluster and is
drawn through the sanitiser.

Over several contexts (a merged table's `connections`), the releases of every connected
context are listed with a CONTEXT column first, each read through its own context's
connection (`HelmWatches`); a context that could not connect is named in the title.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import DataTable, Footer

from kubetui.cluster.helm_watch import HelmWatch
from kubetui.helm.diff import revision_diff
from kubetui.helm.releases import Revision, history, latest_revisions, manifest_objects, values_text
from kubetui.helm.rows import (BAD_STATUSES, BUSY_STATUSES, HISTORY_COLUMNS, RELEASE_COLUMNS,
                               history_cells, release_cells)
from kubetui.model.multi import CONTEXT_COLUMN, Connection, HelmWatches
from kubetui.model.session import Session
from kubetui.render.sanitize import one_line
from kubetui.ui.screens.object_screens import DescribeScreen
from kubetui.ui.screens.text_screen import TextScreen
from kubetui.ui.widgets.safe import SafeStatic
from kubetui.ui.widgets.text_view import yaml_highlighter

__all__ = ["HelmScreen", "HistoryScreen"]

_REVISION_KEYS: list[BindingType] = [
    Binding("v", "values(False)", "Values", id="helm.values"),
    Binding("V", "values(True)", "All values", id="helm.computed_values"),
    Binding("m", "manifest", "Manifest", id="helm.manifest"),
    Binding("n", "notes", "Notes", id="helm.notes"),
    Binding("o", "objects", "Objects", id="helm.objects"),
    Binding("escape", "close", "Back", id="helm.close"),
]


def _cell(text: str, status: str = "") -> Text:
    style = "red" if status in BAD_STATUSES else "yellow" if status in BUSY_STATUSES else ""
    return Text(one_line(text), style=style)


class _RevisionsScreen(Screen[None]):
    """A table of revisions and the keys that open what a revision holds."""

    DEFAULT_CSS = """
    _RevisionsScreen #helm-title { height: 1; background: $panel; padding: 0 1; }
    _RevisionsScreen DataTable { height: 1fr; }
    """
    COLUMNS: ClassVar[tuple[str, ...]] = ()

    def __init__(self, session: Session, watch: HelmWatch | HelmWatches) -> None:
        super().__init__()
        self.session = session
        self.helm = watch
        self.merged = isinstance(watch, HelmWatches)
        self.shown: list[Revision] = []
        self._ready = False  # the table has its columns

    def compose(self) -> ComposeResult:
        yield SafeStatic("", id="helm-title")
        yield DataTable(cursor_type="row", zebra_stripes=False, id="helm-table")
        yield Footer()

    @property
    def table(self) -> DataTable[Text]:
        return self.query_one("#helm-table", DataTable)

    def on_mount(self) -> None:
        self.table.add_columns(*((CONTEXT_COLUMN,) if self.merged else ()), *self.COLUMNS)
        self.table.focus()
        self._ready = True
        self.refresh_rows()

    def rows(self) -> list[Revision]:
        raise NotImplementedError

    def cells(self, rev: Revision, now: datetime) -> tuple[str, ...]:
        raise NotImplementedError

    def heading(self) -> str:
        raise NotImplementedError

    def refresh_rows(self) -> None:
        """Show the watch's current records, keeping the cursor on the same revision."""
        if not self._ready:
            return
        table = self.table
        current = self.selected
        now = datetime.now(timezone.utc)
        self.shown = self.rows()
        table.clear()
        for rev in self.shown:
            cells = ((rev.context,) if self.merged else ()) + self.cells(rev, now)
            table.add_row(*(_cell(c, rev.status) for c in cells),
                          key=f"{rev.context}/{rev.namespace}/{rev.name}/{rev.revision}")
        if current is not None:
            for i, rev in enumerate(self.shown):
                if rev.key == current.key and (rev.revision == current.revision
                                               or isinstance(self, HelmScreen)):
                    table.move_cursor(row=i)
        health = self.helm.health
        state = health.state if health.state != "live" else ""
        problems = [f"{u.namespace}/{u.record}: {u.error}" if u.namespace else
                    f"{u.record}: {u.error}" for u in self.helm.unreadable]
        parts = [self.heading(), state, health.error or "", *problems[:1]]
        self.query_one("#helm-title", SafeStatic).update(
            "  ·  ".join(p for p in parts if p))

    @property
    def selected(self) -> Revision | None:
        row = self.table.cursor_row if self._ready else -1
        return self.shown[row] if 0 <= row < len(self.shown) else None

    def _open(self, what: str, make: Callable[[Revision], str], yaml: bool = False) -> None:
        rev = self.selected
        if rev is None:
            return
        self.app.push_screen(TextScreen(
            f"{what} · {rev.namespace}/{rev.name} revision {rev.revision}", make(rev),
            yaml_highlighter if yaml else None))

    def action_values(self, computed: bool) -> None:
        if computed:
            self._open("Computed values", lambda r: values_text(r.computed_values), yaml=True)
        else:
            self._open("User-supplied values", lambda r: values_text(r.user_values),
                       yaml=True)

    def action_manifest(self) -> None:
        self._open("Manifest", lambda r: r.manifest or "(no manifest)\n", yaml=True)

    def action_notes(self) -> None:
        self._open("Notes", lambda r: r.notes or "(no notes)\n")

    def session_of(self, rev: Revision) -> Session:
        """The connection of the revision's context."""
        if isinstance(self.helm, HelmWatches):
            return self.helm.sessions.get(rev.context, self.session)
        return self.session

    def action_objects(self) -> None:
        rev = self.selected
        if rev is not None:
            self.app.push_screen(ObjectsScreen(self.session_of(rev), rev))

    def action_close(self) -> None:
        self.dismiss()


class HelmScreen(_RevisionsScreen):
    """Releases (the latest revision of each) in a namespace or all, live."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "history", "History", id="helm.history", priority=True), *_REVISION_KEYS]
    COLUMNS = RELEASE_COLUMNS

    def __init__(self, session: Session, namespace: str | None,
                 connections: list[Connection] | None = None) -> None:
        self.namespace = namespace
        self._listeners: list[_RevisionsScreen] = []
        super().__init__(session, HelmWatch(session.client, namespace, self._changed,
                                            session.store.settings)
                         if connections is None else
                         HelmWatches(connections, namespace, self._changed))

    def on_mount(self) -> None:
        super().on_mount()
        self.helm.start()

    async def on_unmount(self) -> None:
        await self.helm.stop()

    def _changed(self) -> None:
        for screen in (self, *self._listeners):
            screen.refresh_rows()

    def rows(self) -> list[Revision]:
        return latest_revisions(self.helm.revisions)

    def cells(self, rev: Revision, now: datetime) -> tuple[str, ...]:
        return release_cells(rev, now)

    def heading(self) -> str:
        where = f"namespace {self.namespace}" if self.namespace else "all namespaces"
        return f"Helm releases · {where} · {len(self.shown)}"

    def action_history(self) -> None:
        rev = self.selected
        if rev is None:
            return
        screen = HistoryScreen(self.session_of(rev), self.helm, rev.namespace, rev.name,
                               rev.context)
        self._listeners.append(screen)
        self.app.push_screen(screen, lambda _: self._listeners.remove(screen))


class HistoryScreen(_RevisionsScreen):
    """One release's revisions, oldest first (`helm history`)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "values(False)", "Values", show=False, id="helm.open_values",
                priority=True),
        Binding("space", "mark", "Mark", id="helm.mark"),
        Binding("d", "diff", "Diff", id="helm.diff"), *_REVISION_KEYS]
    COLUMNS = HISTORY_COLUMNS

    def __init__(self, session: Session, watch: HelmWatch | HelmWatches, namespace: str,
                 name: str, context: str = "") -> None:
        super().__init__(session, watch)
        self.release = (namespace, name)
        self.context = context
        self.marked: int | None = None

    def rows(self) -> list[Revision]:
        return history(self.helm.revisions, *self.release, self.context)

    def cells(self, rev: Revision, now: datetime) -> tuple[str, ...]:
        cells = history_cells(rev, now)
        return (f"{cells[0]}*" if rev.revision == self.marked else cells[0], *cells[1:])

    def heading(self) -> str:
        mark = f" · marked {self.marked}" if self.marked is not None else ""
        where = f" · {self.context}" if self.context else ""
        return f"History · {self.release[0]}/{self.release[1]}{where}{mark}"

    def action_mark(self) -> None:
        rev = self.selected
        if rev is not None:
            self.marked = None if self.marked == rev.revision else rev.revision
            self.refresh_rows()

    def action_diff(self) -> None:
        rev = self.selected
        if rev is None:
            return
        others = [r for r in self.shown if r.revision == self.marked] or \
            [r for r in self.shown if r.revision < rev.revision][-1:]
        if not others:
            self.app.notify("no earlier revision to compare with; mark one with space",
                            severity="warning")
            return
        old, new = sorted((others[0], rev), key=lambda r: r.revision)
        self.app.push_screen(TextScreen(
            f"Diff · {rev.namespace}/{rev.name} revisions {old.revision} → {new.revision}",
            revision_diff(old, new)))


class ObjectsScreen(Screen[None]):
    """The objects a revision's manifest creates; enter describes one."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "describe", "Describe", id="helm.describe_object", priority=True),
        Binding("escape", "close", "Back", id="helm.objects_close"),
    ]
    DEFAULT_CSS = """
    ObjectsScreen #objects-title { height: 1; background: $panel; padding: 0 1; }
    ObjectsScreen DataTable { height: 1fr; }
    """

    def __init__(self, session: Session, rev: Revision) -> None:
        super().__init__()
        self.session = session
        self.rev = rev
        self.objects = [(o.kind, o.namespace or rev.namespace, o.name)
                        for o in manifest_objects(rev.manifest)]

    def compose(self) -> ComposeResult:
        yield SafeStatic(f"Objects of {self.rev.namespace}/{self.rev.name} revision "
                         f"{self.rev.revision} · {len(self.objects)}", id="objects-title")
        yield DataTable(cursor_type="row", id="objects-table")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("KIND", "NAMESPACE", "NAME")
        for kind, namespace, name in self.objects:
            table.add_row(*(_cell(c) for c in (kind, namespace, name)))
        table.focus()

    def action_describe(self) -> None:
        row = self.query_one(DataTable).cursor_row
        if not 0 <= row < len(self.objects):
            return
        kind_name, namespace, name = self.objects[row]
        kind = self.session.resolve(kind_name.lower())
        if kind is None:
            self.app.notify(f"the server has no resource type {kind_name!r}",
                            severity="error")
            return
        self.app.push_screen(DescribeScreen(self.session.store, kind, namespace, name))

    def action_close(self) -> None:
        self.dismiss()
