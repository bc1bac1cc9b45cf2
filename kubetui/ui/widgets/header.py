"""The lines above the table: where you are (context, server, version, namespace, view),
whether what you see is live, the tabs one key away, and the breadcrumbs of drill-downs.

Everything in them may come from outside (a context name, a server error, a plugin's
stderr, an object's name): each piece passes `visible` as it is assembled."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace

from textual.content import Content
from textual.events import Click
from textual.geometry import Size
from textual.message import Message
from textual.widget import Widget

from kubetui.cluster.store import StreamHealth
from kubetui.model.views import Tab
from kubetui.render.sanitize import visible


@dataclass(frozen=True)
class Status:
    context: str = ""
    server: str = ""
    version: str = ""
    namespace: str | None = None  # None: all namespaces
    view: str = ""
    health: StreamHealth | None = None
    busy: str = ""  # "connecting to x…"
    problem: str = ""  # why there is no connection
    readonly: bool = False
    problems: int | None = None  # unhealthy objects in the namespace scope (`:problems`)
    forwards: str = ""  # "2 port-forwards" when some are up
    #: Several contexts at once: (context, its state or its error) each.
    contexts: tuple[tuple[str, str], ...] = ()


Part = tuple[str, str]  # (text, style): pieces that `Content.assemble` joins


def health_parts(health: StreamHealth | None, busy: str, problem: str, now: float) -> list[Part]:
    """The watch's health in words: "● live", "◌ syncing", "↻ reconnecting: <why>",
    "✕ stale for 12s", "✕ error: <why>"."""
    if busy:
        return [(busy, "bold $text-warning")]
    if problem:
        return [(f"✕ {problem}", "bold $text-error")]
    if health is None:
        return [("…", "dim")]
    state, error = health.state, health.error
    if state == "live":
        note = [(f" ({error})", "$text-warning")] if error else []  # a fallback (RBAC)
        return [("● live", "bold $text-success"), *note]
    if state == "syncing":
        return [("◌ syncing", "bold $text-warning")]
    if state == "reconnecting":
        return [(f"↻ reconnecting: {error or 'connection lost'}", "bold $text-warning")]
    if state == "stale":
        why = f": {error}" if error else ""
        return [(f"✕ stale for {int(now - health.since)}s{why}", "bold $text-error")]
    return [(f"✕ error: {error}", "bold $text-error")]


def _joined_length(groups: list[list[Part]]) -> int:
    shown = [sum(len(text) for text, _ in g) for g in groups if any(text for text, _ in g)]
    return sum(shown) + 2 * max(0, len(shown) - 1)


_CONTEXT_MARKS = {"live": ("●", "$text-success"), "syncing": ("◌", "$text-warning"),
                  "reconnecting": ("↻", "$text-warning"), "stale": ("✕", "$text-error")}


class Header(Widget):
    """One line: on a narrow terminal the version, the server, then the problems' words
    give way. Only a
    problem too long for one line (why there is no connection) wraps to a second. The
    health's age ticks."""

    DEFAULT_CSS = """
    Header { height: auto; max-height: 2; background: $panel; color: $foreground;
             padding: 0 1; }
    """

    def __init__(self, clock: Callable[[], float] = time.time, **kwargs: str) -> None:
        super().__init__(**kwargs)
        self.clock = clock
        self.status = Status()
        self._shown = ""

    def on_mount(self) -> None:
        self.set_interval(1.0, self._tick)

    def update(self, **changes: object) -> None:
        self.status = replace(self.status, **changes)
        self._tick()

    def _tick(self) -> None:
        """Repaint only when the text changes (SSH users pay for every byte), and lay the
        screen out again only when it takes another number of lines: a layout repaints
        the whole screen, and the problem count changes every second under churn."""
        content = self.text
        text = content.plain
        if text != self._shown:
            self._shown = text
            width, height = self.content_size
            self.refresh(layout=not width or len(content.wrap(width)) != height)

    @property
    def text(self) -> Content:
        return self.line(self.content_size.width or 10_000)

    def line(self, width: int) -> Content:
        """The header for `width` cells: the version, then the server left out when it
        would not fit."""
        s = self.status
        groups: list[list[Part]] = [
            [("⎈ ", "$text-accent"), (s.context or "no context", "bold")],
            [(s.server, "$text-muted")],
            [(s.version, "")],
            [("ns ", "$text-muted"), (s.namespace or "all", "bold")],
            [("view ", "$text-muted"), (s.view, "bold")],
            health_parts(s.health, s.busy, s.problem, self.clock()),
        ]
        problems_at = len(groups)
        if s.problems is not None:
            groups.append([(f"! {s.problems} problems" if s.problems else "no problems",
                            "bold $text-error" if s.problems else "$text-muted")])
        if s.forwards:
            groups.append([(f"⇄ {s.forwards}", "bold $text-accent")])
        for name, state in s.contexts:
            mark, style = _CONTEXT_MARKS.get(state, ("✕", "bold $text-error"))
            detail = "" if state in _CONTEXT_MARKS else f" {state}"
            groups.append([(f"{mark} {name}{detail}", style)])
        if s.readonly:
            groups.append([("READ-ONLY", "bold reverse")])
        groups = [[(visible(text), style) for text, style in group] for group in groups]
        for give_way in (2, 1, problems_at):  # the version, the server, then the problems' words
            if _joined_length(groups) <= width:
                break
            if give_way != problems_at:
                groups[give_way] = []
            elif s.problems is not None:  # "no problems" goes; "! 3 problems" says "! 3"
                groups[give_way] = [(f"! {s.problems}", "bold $text-error")] if s.problems else []
        parts: list[Part] = []
        for group in groups:  # a group wraps as a whole: its spaces do not break
            if any(text for text, _ in group):
                parts.extend([("  ", "")] * bool(parts)
                             + [(text.replace(" ", "\u00a0"), style) for text, style in group])
        return Content.assemble(*parts)

    def render(self) -> Content:
        return self.text

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        """Measured on the line for `width` itself: the rendered text follows the width of
        the last layout, which right after a resize is still the old one."""
        return self.line(width).get_height(self.styles, width) if width else 0


class TabStrip(Widget):
    """`1 Pods  2 Deployments ...`: the key is shown beside each tab; short labels when
    the terminal is narrow. Clicking a tab selects it too."""

    DEFAULT_CSS = """
    TabStrip { height: 1; padding: 0 1; background: $surface; color: $text-muted; }
    """

    @dataclass
    class Chosen(Message):
        index: int

    def __init__(self, tabs: tuple[Tab, ...], **kwargs: str) -> None:
        super().__init__(**kwargs)
        self.tabs = tabs
        self.current: int | None = None
        self._spans: list[tuple[int, int]] = []

    def select(self, index: int | None) -> None:
        if index != self.current:
            self.current = index
            self.refresh()

    def render(self) -> Content:
        short = self.size.width < 100
        parts: list[Part] = []
        self._spans = []
        x = 0
        for i, tab in enumerate(self.tabs):
            label = tab.short if short else tab.label
            if i == self.current:
                piece = [(f" {tab.key} {label} ", "bold reverse $text-accent")]
            else:
                piece = [(f" {tab.key}", "bold $text-accent"), (f" {label} ", "")]
            width = sum(len(t) for t, _ in piece)
            self._spans.append((x, x + width))
            parts.extend(piece + [("  ", "")])
            x += width + 2
        return Content.assemble(*parts[:-1])

    def on_click(self, event: Click) -> None:
        x = event.x - 1  # padding
        for i, (start, end) in enumerate(self._spans):
            if start <= x < end:
                self.post_message(self.Chosen(i))


class Breadcrumbs(Widget):
    """`deployments(shop) › pods of deployment/web · endpoints ... · /filter`."""

    DEFAULT_CSS = """
    Breadcrumbs { height: 1; padding: 0 1; color: $text-muted; }
    """

    def __init__(self, **kwargs: str) -> None:
        super().__init__(**kwargs)
        self.crumbs: list[str] = []
        self.note = ""
        self.filter = ""

    def show(self, crumbs: list[str] | None = None, note: str | None = None,
             filter: str | None = None) -> None:
        if crumbs is not None:
            self.crumbs = crumbs
        if note is not None:
            self.note = note
        if filter is not None:
            self.filter = filter
        self.refresh()

    @property
    def text(self) -> Content:
        parts: list[Part] = []
        for i, crumb in enumerate(self.crumbs):
            if i:
                parts.append((" › ", ""))
            parts.append((visible(crumb), "bold $foreground" if i == len(self.crumbs) - 1 else ""))
        if self.note:
            parts.append((visible(f"  · {self.note}"), ""))
        if self.filter:
            parts.append((visible(f"  /{self.filter}"), "bold $text-warning"))
        return Content.assemble(*parts)

    def render(self) -> Content:
        return self.text
