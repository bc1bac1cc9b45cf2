"""Describe and YAML: the screens that show one object live.

Each screen takes the context's `WatchStore` (its `client` does the reads), the `Kind`, the
namespace and the name, so the app pushes one with a single call. The screens follow the
store rather than polling: a change of the object's resourceVersion (or, for describe, an
event about it) schedules one re-read, debounced, so a burst of updates costs one request.

Text is drawn by `kubetui.ui.widgets.text_view.TextView`.
"""

from __future__ import annotations

from typing import ClassVar

from textual import work
from textual.binding import Binding, BindingType
from textual.timer import Timer

from kubetui import clock
from kubetui.cluster.errors import ClusterError
from kubetui.cluster.related import Described, fetch_described
from kubetui.cluster.store import Batch, Entry, StreamHealth, Subscription, WatchStore
from kubetui.kinds import Kind
from kubetui.render.describe import describe
from kubetui.render.yaml_text import decode_secret, to_yaml
from kubetui.ui.screens.text_screen import TextScreen
from kubetui.ui.widgets.events_view import EVENT_KIND
from kubetui.ui.widgets.text_view import describe_highlighter, yaml_highlighter

__all__ = ["DescribeScreen", "YamlScreen"]


# ----- the screens showing one object -------------------------------------------------------

class _ObjectScreen(TextScreen):
    """What Describe and YAML add to a text screen: following the object."""

    #: Seconds to wait for more changes before re-reading the object.
    DEBOUNCE: ClassVar[float] = 0.2
    VIEW: ClassVar[str] = ""

    def __init__(self, store: WatchStore, kind: Kind, namespace: str, name: str) -> None:
        super().__init__()
        self.store = store
        self.kind = kind
        self.namespace = namespace if kind.namespaced else ""
        self.object_name = name
        self.obj: dict | None = None
        self.error: str | None = None
        self.deleted = False
        self.loads = 0  # completed reads: how tests (and a status line) tell a refresh
        self._health = "syncing"
        self._subs: list[Subscription] = []
        self._timer: Timer | None = None

    def subject(self) -> str:
        return f"{self.VIEW} {self.object_name}"

    def heading(self) -> str:
        where = f"{self.namespace}/" if self.namespace else ""
        parts = [f"{self.VIEW} {self.kind.resource}/{where}{self.object_name}"]
        if self.deleted:
            parts.append("deleted")
        elif self.error:
            parts.append(self.error)
        elif self.loads == 0:
            parts.append("loading…")
        elif self._health != "live":
            parts.append(self._health)
        return "  ·  ".join(parts)


    # -- life cycle
    def on_mount(self) -> None:
        self.view.focus()
        self.view.set_text(f"Loading {self.kind.resource} {self.object_name}…")  # a slow server
        self._subs.append(self.store.subscribe(self.kind, self.namespace or None,
                                               self._on_objects, self._on_health))
        self.load()

    def on_unmount(self) -> None:
        for sub in self._subs:
            sub.close()
        self._subs.clear()

    def _on_health(self, health: StreamHealth) -> None:
        self._health = health.state
        self._update_title()

    def _on_objects(self, batch: Batch) -> None:
        entry = next((e for e in batch.upserts if self._is_ours(e)), None)
        if entry is not None:
            if self.obj is None and self.loads == 0:
                return  # the first read is on its way
            if self.obj is None or entry.rv != self.obj["metadata"].get("resourceVersion"):
                self.schedule_load()
        elif batch.reset and self.obj is not None:
            self._gone()
        elif self.obj is not None and self.obj["metadata"].get("uid") in batch.deletes:
            self._gone()

    def _is_ours(self, entry: Entry) -> bool:
        return entry.name == self.object_name and entry.namespace == self.namespace

    def _gone(self) -> None:
        self.deleted = True
        self._update_title()

    def schedule_load(self) -> None:
        """Re-read soon; changes arriving meanwhile ride on the same read."""
        if self._timer is None:
            self._timer = self.set_timer(self.DEBOUNCE, self._fire)

    def _fire(self) -> None:
        self._timer = None
        self.load()

    @work(exclusive=True, group="detail-load", exit_on_error=False)
    async def load(self) -> None:
        try:
            await self.fetch()
        except ClusterError as e:
            self.error = str(e)
            self.deleted = e.status == 404
            if self.loads == 0:  # nothing read yet: the error instead of "Loading…"
                self.view.set_text(str(e))
        else:
            self.error, self.deleted = None, False
            self.render_text()
        self.loads += 1
        self._update_title()

    async def fetch(self) -> None:
        """Read what the screen shows into attributes (raise ClusterError on failure)."""
        raise NotImplementedError

    def render_text(self) -> None:
        """Show what `fetch` read."""
        raise NotImplementedError


class DescribeScreen(_ObjectScreen):
    """`kubectl describe` of one object, its events included, kept current."""

    VIEW = "Describe"
    highlighter = staticmethod(describe_highlighter)

    def __init__(self, store: WatchStore, kind: Kind, namespace: str, name: str) -> None:
        super().__init__(store, kind, namespace, name)
        self._described: Described | None = None

    def on_mount(self) -> None:
        super().on_mount()
        # Events about the object arrive without the object changing (a BackOff repeats).
        # Cluster-scoped objects' events may live in any namespace.
        self._subs.append(self.store.subscribe(EVENT_KIND, self.namespace or None,
                                               self._on_events, lambda health: None))

    def _on_events(self, batch: Batch) -> None:
        # A reset lists what the first read already saw (or a relist): not news.
        if not batch.reset and any(self._is_about_us(e) for e in batch.upserts):
            self.schedule_load()

    def _is_about_us(self, event: Entry) -> bool:
        return self.obj is not None and event.ref == self.obj["metadata"].get("uid")

    async def fetch(self) -> None:
        self._described = await fetch_described(self.store.client, self.kind,
                                                self.namespace, self.object_name)
        self.obj = self._described.obj

    def render_text(self) -> None:
        d = self._described
        assert d is not None
        self.view.set_text(describe(self.kind.kind, d.obj, d.events, d.related,
                                    clock.local_now()))


class YamlScreen(_ObjectScreen):
    """The object as `kubectl get -o yaml` prints it; `x` reveals a Secret's values
    (decoded, as k9s shows them) or masks them again; a new screen starts masked."""

    VIEW = "YAML"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("x", "toggle_secrets", "Reveal/mask secrets", id="detail.reveal"),
    ]
    highlighter = staticmethod(yaml_highlighter)

    def __init__(self, store: WatchStore, kind: Kind, namespace: str, name: str) -> None:
        super().__init__(store, kind, namespace, name)
        self.revealed = False

    async def fetch(self) -> None:
        self.obj = await self.store.client.get(self.kind, self.namespace, self.object_name)

    def render_text(self) -> None:
        if self.obj is not None:
            obj = decode_secret(self.obj) if self.revealed else self.obj
            self.view.set_text(to_yaml(obj, reveal_secrets=self.revealed))

    def action_toggle_secrets(self) -> None:
        if self.kind.key != ("", "secrets"):
            self.notify("Only a Secret has values to reveal", timeout=2)
            return
        self.revealed = not self.revealed
        self.render_text()
        self.notify("Secret values revealed: x masks them again" if self.revealed
                    else "Secret values masked", severity="warning" if self.revealed
                    else "information", timeout=3)


