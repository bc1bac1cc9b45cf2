"""Enter on a pod: its containers, one row each, kept current; `l` shows the logs of the
container under the cursor, `s` opens a shell in it (the pods view's shell action, told
which container).

The pod is re-read when its resourceVersion changes in the store (debounced, as the
describe screen does); CPU and MEM per container come from metrics.k8s.io while the
screen is open (`cluster.metrics`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer

from kubetui.cluster.actions import Ref
from kubetui.cluster.entries import Entry
from kubetui.cluster.errors import ClusterError
from kubetui.cluster.logs import LogTarget
from kubetui.cluster.metrics import MetricsFeed, Reading
from kubetui.cluster.store import Batch, Subscription, WatchStore
from kubetui.kinds import builtin
from kubetui.model.actions import BY_NAME, refusal
from kubetui.render.containers import CONTAINER_COLUMNS, container_rows
from kubetui.ui.actions.steps import RunAction
from kubetui.ui.screens.log_screen import LogScreen
from kubetui.ui.widgets.resource_table import ResourceTable
from kubetui.ui.widgets.safe import SafeStatic

__all__ = ["ContainersScreen"]

POD = builtin("Pod")


class ContainersScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Back", id="containers.close"),
        Binding("l", "logs", "Logs", id="containers.logs"),
        Binding("s", "shell", "Shell", id="containers.shell"),
    ]
    DEFAULT_CSS = "ContainersScreen #containers-title { height: 1; background: $panel; " \
                  "padding: 0 1; }"
    DEBOUNCE: ClassVar[float] = 0.2

    def __init__(self, store: WatchStore, namespace: str, name: str, *, log_buffer: int,
                 metrics_interval: float, readonly: bool = False) -> None:
        super().__init__()
        self.readonly = readonly
        self.store = store
        self.namespace = namespace
        self.pod_name = name
        self.log_buffer = log_buffer
        self.pod: dict[str, Any] | None = None
        self.error = ""
        self.usage: dict[str, tuple[float, float]] = {}
        self.metrics_error = ""
        self._metrics = MetricsFeed(store.client, False, namespace, self._on_reading,
                                    metrics_interval)
        self._sub: Subscription | None = None
        self._timer: Timer | None = None

    def compose(self) -> ComposeResult:
        yield SafeStatic(self._title(), id="containers-title")
        yield ResourceTable(id="containers-table")
        yield Footer()

    @property
    def table(self) -> ResourceTable:
        return self.query_one("#containers-table", ResourceTable)

    def _title(self) -> str:
        parts = [f"Containers of pod {self.namespace}/{self.pod_name}"]
        if self.error:
            parts.append(self.error)
        if self.metrics_error:
            parts.append(f"CPU/MEM n/a: {self.metrics_error}")
        return "  ·  ".join(parts)

    def on_mount(self) -> None:
        table = self.table
        table.set_columns(CONTAINER_COLUMNS, wide=True)
        table.empty_text = "Loading…"
        table.focus()
        self._sub = self.store.subscribe(POD, self.namespace, self._on_pods, lambda h: None)
        self._metrics.start()
        self.load()

    def on_unmount(self) -> None:
        self._metrics.close()
        if self._sub is not None:
            self._sub.close()
            self._sub = None

    def _on_pods(self, batch: Batch) -> None:
        ours = next((e for e in batch.upserts if e.name == self.pod_name), None)
        rv = (self.pod or {}).get("metadata", {}).get("resourceVersion")
        if ours is not None and ours.rv != rv and self._timer is None:
            self._timer = self.set_timer(self.DEBOUNCE, self._reload)

    def _reload(self) -> None:
        self._timer = None
        self.load()

    def _on_reading(self, reading: Reading) -> None:
        self.metrics_error = reading.error
        per = reading.containers.get((self.namespace, self.pod_name), {})
        self.usage = dict(per)
        self._show()

    @work(exclusive=True, group="containers-load", exit_on_error=False)
    async def load(self) -> None:
        try:
            self.pod = await self.store.client.get(POD, self.namespace, self.pod_name)
            self.error = ""
        except ClusterError as e:
            self.error = str(e)
        self._show()

    def _show(self) -> None:
        self.query_one("#containers-title", SafeStatic).update(self._title())
        if self.pod is None:
            self.table.empty_text = self.error or "Loading…"
            return
        uid = self.pod["metadata"].get("uid", "")
        entries = [Entry(uid=f"{uid}/{r.name}", name=r.name, namespace="",
                         cells=r.cells, health=r.health, labels={}, owners=(),
                         node="", created=None, rv="")
                   for r in container_rows(self.pod, datetime.now().astimezone(),
                                           self.usage)]
        self.table.apply(Batch(entries, [], True))
        self.table.empty_text = "No containers"

    def action_close(self) -> None:
        self.dismiss(None)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "shell" and refusal(BY_NAME["shell"], POD, self.readonly) is not None:
            return False  # read-only mode: hidden, as on the pods view
        return True

    def action_shell(self) -> None:
        """The pods view's shell action on this pod, in the container under the cursor
        (the runner checks read-only mode and access as for any action)."""
        entry = self.table.selected_entry
        if entry is not None:
            self.post_message(RunAction("shell", [Ref(POD, self.namespace, self.pod_name)],
                                        {"container": entry.name}))

    def action_logs(self) -> None:
        entry = self.table.selected_entry
        if entry is None:
            return
        target = LogTarget(POD, self.namespace, self.pod_name, entry.name)
        self.app.push_screen(LogScreen(self.store.client, target, store=self.store,
                                       capacity=self.log_buffer))
