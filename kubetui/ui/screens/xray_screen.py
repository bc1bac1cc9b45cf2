"""`:xray KIND [NAME]` (k9s's name): the tree of what a workload (or Service, or pod) is
made of and uses, for every one in the namespace scope or the one named. Unhealthy nodes
show their `:problems` reason; Enter goes to the object in its kind's view.

The tree needs whole objects (selectors, volumes, scale targets), so the screen lists
them (`cluster.related.list_objects`) and lists again, debounced, when the store sees the
root kind or pods change.
"""

from __future__ import annotations

import asyncio
from typing import ClassVar

from textual import on, work
from textual.timer import Timer

from kubetui.cluster.entries import Entry
from kubetui.cluster.errors import ClusterError
from kubetui.cluster.related import list_objects
from kubetui.cluster.store import Batch, Subscription, WatchStore
from kubetui.kinds import Kind, builtin
from kubetui.model.xray import RELATED_KINDS, XNode, flatten, problems_in, xray
from kubetui.render.diagnosis import CRITICAL
from kubetui.render.model import FAILED, OK, PENDING, Column
from kubetui.ui.screens.goto import GoTo
from kubetui.ui.widgets.resource_table import ResourceTable
from kubetui.ui.screens.table_screen import _TableScreen

__all__ = ["XrayScreen"]

#: No NAME column: the table then keeps rows in entry-name order, the tree's order.
XRAY_COLUMNS = (Column("OBJECT"), Column("STATUS"), Column("DETAIL"))


def _entry(index: int, prefix: str, node: XNode, key: str) -> Entry:
    problem = node.problem
    status = problem.reason if problem else ("ok" if node.uid else "")
    detail = problem.detail if problem else node.note
    health = OK if problem is None else FAILED if problem.severity == CRITICAL else PENDING
    return Entry(uid=key, name=f"{index:07d}", namespace=node.namespace,
                 cells=(f"{prefix}{node.kind.lower()}/{node.name}", status, detail),
                 health=health, labels={}, owners=(), node="", created=None, rv="")


class XrayScreen(_TableScreen):
    DEBOUNCE: ClassVar[float] = 1.0

    def __init__(self, store: WatchStore, kind: Kind, namespace: str | None,
                 name: str = "") -> None:
        super().__init__()
        self.store = store
        self.kind = kind
        self.namespace = namespace
        self.object_name = name
        self.trees: list[XNode] = []
        self.error = ""
        self.loads = 0
        self._nodes_by_key: dict[str, XNode] = {}
        self._subs: list[Subscription] = []
        self._timer: Timer | None = None

    def title_text(self) -> str:
        where = f"namespace {self.namespace}" if self.namespace else "all namespaces"
        what = f"{self.kind.kind.lower()}/{self.object_name}" if self.object_name \
            else self.kind.plural
        parts = [f"Xray · {what} · {where}"]
        unhealthy = sum(1 for t in self.trees for _ in problems_in(t))
        if self.trees:
            parts.append(f"{unhealthy} unhealthy")
        if self.error:
            parts.append(self.error)
        return "  ·  ".join(parts)

    def on_mount(self) -> None:
        table = self.table
        table.set_columns(XRAY_COLUMNS, wide=True)
        table.show_namespace = self.namespace is None
        table.empty_text = "Loading…"
        table.focus()
        for kind in {self.kind.key: self.kind, ("", "pods"): builtin("Pod")}.values():
            self._subs.append(self.store.subscribe(kind, self.namespace, self._changed,
                                                   lambda h: None))
        self.load()

    def on_unmount(self) -> None:
        for sub in self._subs:
            sub.close()
        self._subs.clear()

    def _changed(self, batch: Batch) -> None:
        if not batch.reset and self._timer is None and self.loads:
            self._timer = self.set_timer(self.DEBOUNCE, self._reload)

    def _reload(self) -> None:
        self._timer = None
        self.load()

    async def _list(self, kind: str, group: str) -> list[dict]:
        what = builtin(kind, group)
        try:
            return await list_objects(self.store.client, what,
                                      self.namespace if what.namespaced else None)
        except ClusterError as e:
            if e.status in (403, 404):  # what may not be read is left out of the tree
                return []
            raise

    @work(exclusive=True, group="xray-load", exit_on_error=False)
    async def load(self) -> None:
        try:
            lists = await asyncio.gather(*(self._list(k, g) for k, g in RELATED_KINDS))
            self.trees = xray(self.kind.kind, {k: items for (k, _), items
                                               in zip(RELATED_KINDS, lists)},
                              self.object_name)
            self.error = ""
        except (ClusterError, ValueError) as e:
            self.error = str(e)
        self.loads += 1
        self._show()

    def _show(self) -> None:
        lines = flatten(self.trees)
        self._nodes_by_key = {key: node for _, node, key in lines}
        self.table.apply(Batch([_entry(i, prefix, node, key)
                                for i, (prefix, node, key) in enumerate(lines)], [], True))
        self.table.empty_text = self.error or f"No {self.kind.plural}"
        self.show_title()

    @on(ResourceTable.Selected)
    def _chosen(self, message: ResourceTable.Selected) -> None:
        message.stop()
        node = self._nodes_by_key.get(message.entry.uid)
        if node is None or not node.uid:
            self.notify("nothing to go to: a container or a missing object",
                        severity="warning")
            return
        kind = builtin(node.kind, dict(RELATED_KINDS)[node.kind])
        self.dismiss(GoTo(kind, node.namespace, node.uid))
