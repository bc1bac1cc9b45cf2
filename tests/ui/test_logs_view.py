"""LogScreen's view features against the sandbox, with controlled content appended to the
sandbox's container logs: search, filter, JSON, save, copy, autoscroll, bounds, toggles."""

from __future__ import annotations

import pytest

from kubetui.cluster.logs import LogOptions
from kubetui.ui.screens.log_screen import save_dir
from tests.ui.log_helpers import (LogHost, create_pod, pod_doc, pod_target, running, screen_rows, texts)
from tests.waiting import wait_for

pytestmark = pytest.mark.asyncio
KEY = ("default", "web", "app")


async def open_web(fast_sandbox, client, quiet: bool = False, **kw) -> LogHost:
    """A host showing pod web's logs; its container also writes lines of its own unless
    `quiet` (it then only echoes one line at start)."""
    doc = pod_doc("web", ("app", "quiet"))
    if quiet:
        doc["spec"]["containers"][0]["command"] = ["sh", "-c", "echo started"]
    await create_pod(client, doc)
    await wait_for(lambda: running(fast_sandbox, "web"))
    return LogHost(client, pod_target("web"), **kw)


async def write(fast_sandbox, view, *lines: str) -> None:
    for line in lines:
        fast_sandbox.sandbox.logs.append(KEY, line)
    await wait_for(lambda: lines[-1] in texts(view))


def last_row(view) -> str:
    return [row for row in screen_rows(view) if row][-1]


def styled(view, y: int, bgcolor: str) -> list[str]:
    """Texts of the segments on screen row `y` painted with background `bgcolor`."""
    return [s.text for s in view.render_line(y)._segments
            if s.style and s.style.bgcolor and s.style.bgcolor.name == bgcolor]


async def test_search_highlights_and_moves_between_matches(fast_sandbox, client) -> None:
    app = await open_web(fast_sandbox, client)
    async with app.run_test(size=(100, 20)) as pilot:
        view = app.view
        await write(fast_sandbox, view, "alpha one", "beta", "ALPHA two", "gamma")
        await pilot.press("slash", *"alpha", "enter")
        lines = list(view.lines())
        assert view.current is not None
        assert view.ring[view.current].text == "ALPHA two"  # nearest above the bottom
        await pilot.pause()
        row = next(y for y, text in enumerate(screen_rows(view)) if text == "ALPHA two")
        assert styled(view, row, "dark_orange") == ["ALPHA"]
        other = next(y for y, text in enumerate(screen_rows(view)) if text == "alpha one")
        assert styled(view, other, "yellow") == ["alpha"]
        await pilot.press("N")
        assert view.ring[view.current].text == "alpha one"
        await pilot.press("n")
        assert view.ring[view.current].text == "ALPHA two"
        assert not view.follow  # a jump to a match pauses autoscroll
        assert "/alpha" in str(app.logs.query_one("#log-title").render())
        assert len(lines) >= 4


async def test_filter_shows_only_matching_lines_also_new_ones(fast_sandbox, client) -> None:
    app = await open_web(fast_sandbox, client)
    async with app.run_test(size=(100, 20)) as pilot:
        view = app.view
        await write(fast_sandbox, view, "error: disk full", "fine", "error: again")
        await pilot.press("slash", *"error", "enter", "F")
        assert texts(view) == ["error: disk full", "error: again"]
        fast_sandbox.sandbox.logs.append(KEY, "error: third")
        fast_sandbox.sandbox.logs.append(KEY, "not this one")
        await wait_for(lambda: texts(view)[-1:] == ["error: third"])
        await wait_for(lambda: "not this one" in [ln.text for ln in view.ring])
        assert texts(view) == ["error: disk full", "error: again", "error: third"]
        assert "3 shown" in app.logs.status_text()
        await pilot.press("escape")  # clears the search and the filter
        assert "not this one" in texts(view) and not view.filtering


async def test_json_lines_pretty_on_toggle_plain_lines_untouched(fast_sandbox,
                                                               client) -> None:
    app = await open_web(fast_sandbox, client)
    async with app.run_test(size=(120, 20)) as pilot:
        view = app.view
        await write(fast_sandbox, view,
                    '{"ts":"2024-01-01T00:00:00Z","level":"error","msg":"boom","code":7}',
                    "a plain line {not json}")
        await pilot.pause()
        assert any(r.startswith('{"ts"') for r in screen_rows(view))
        await pilot.press("J")
        await pilot.pause()
        rows = screen_rows(view)
        pretty = next(r for r in rows if "boom" in r)
        assert pretty == "ERROR boom  ts=2024-01-01T00:00:00Z  code=7"
        assert "a plain line {not json}" in rows
        y = rows.index(pretty)
        level = view.render_line(y)._segments[0]
        assert level.text.strip() == "ERROR" and level.style.color.name == "red"
        await pilot.press("J")
        await pilot.pause()
        assert any(r.startswith('{"ts"') for r in screen_rows(view))


async def test_save_writes_the_buffer_and_says_where(fast_sandbox, client) -> None:
    app = await open_web(fast_sandbox, client)
    async with app.run_test(size=(100, 20)) as pilot:
        view = app.view
        await write(fast_sandbox, view, "first saved line", "second saved line")
        await pilot.press("ctrl+s")
        files = await wait_for(lambda: list(save_dir().glob("default_pod-web_*.log")))
        text = files[0].read_text()
        assert "first saved line\nsecond saved line\n" in text
        assert text.count("\n") >= len(texts(view)) - 5  # lines kept coming meanwhile
        await wait_for(lambda: any(str(files[0]) in n.message
                                   for n in app._notifications))


async def test_copy_sends_the_lines_on_screen_to_the_terminal_clipboard(fast_sandbox,
                                                                       client) -> None:
    app = await open_web(fast_sandbox, client)
    async with app.run_test(size=(100, 20)) as pilot:
        view = app.view
        await write(fast_sandbox, view, "copy me")
        await pilot.press("c")
        assert "copy me" in app.clipboard.splitlines()


async def test_autoscroll_pauses_when_scrolled_up_and_resumes_at_the_end(fast_sandbox,
                                                                         client) -> None:
    app = await open_web(fast_sandbox, client, quiet=True)  # the newest line is ours
    async with app.run_test(size=(100, 12)) as pilot:
        view = app.view
        await write(fast_sandbox, view, *(f"line {i}" for i in range(60)))
        await pilot.pause()
        assert view.follow and screen_rows(view)[-1] == texts(view)[-1]
        await pilot.press("pageup")
        assert not view.follow
        top = screen_rows(view)[0]
        await write(fast_sandbox, view, *(f"more {i}" for i in range(30)))
        await pilot.pause()
        assert screen_rows(view)[0] == top  # paused: what is on screen stays put
        assert "paused" in app.logs.status_text()
        await pilot.press("G")
        await write(fast_sandbox, view, "newest")
        await pilot.pause()
        assert view.follow and screen_rows(view)[-1] == "newest"


async def test_a_full_buffer_says_how_many_lines_it_dropped(fast_sandbox, client) -> None:
    app = await open_web(fast_sandbox, client, capacity=50)
    async with app.run_test(size=(100, 12)):
        view = app.view
        await write(fast_sandbox, view, *(f"n{i}" for i in range(200)))
        assert view.line_count == 50 and view.dropped >= 150
        assert "n199" in texts(view)[-3:]
        assert f"dropped {view.dropped:,}" in app.logs.status_text()


async def test_timestamps_and_wrap_toggles(fast_sandbox, client) -> None:
    app = await open_web(fast_sandbox, client)
    async with app.run_test(size=(60, 12)) as pilot:
        view = app.view
        long = "x" * 70 + "END"
        await write(fast_sandbox, view, long)
        await pilot.press("s")  # autoscroll off: the rows stay where they are
        rows = screen_rows(view)
        width = view.scrollable_content_region.width
        assert long[:width] in rows and not any("END" in r for r in rows)
        await pilot.press("w")
        await pilot.pause()
        rows = screen_rows(view)
        assert rows[rows.index(long[:width]) + 1] == long[width:]  # the rest, wrapped
        await pilot.press("w", "t")
        await pilot.pause()
        row = next(r for r in screen_rows(view) if "xxxx" in r)
        assert row[:4].isdigit() and row[10] == "T" and row[23:26] == "Z x"


async def test_time_windows_and_tail_keys_restart_the_stream(fast_sandbox, client) -> None:
    app = await open_web(fast_sandbox, client, options=LogOptions(tail=100))
    async with app.run_test(size=(100, 12)) as pilot:
        await write(fast_sandbox, app.view, "old news")
        await pilot.press("3")  # k9s: 5 minutes
        assert app.logs.options.since == 300 and app.logs.options.tail is None
        assert "last 5m" in app.logs.status_text()
        await wait_for(lambda: "old news" in texts(app.view))
        await pilot.press("T")  # tail length 100 -> 500
        assert app.logs.options.tail == 500 and app.logs.options.since is None
        await pilot.press("1")  # head: the whole log
        assert app.logs.options.tail is None and "whole log" in app.logs.status_text()
        await wait_for(lambda: "old news" in texts(app.view))


async def test_search_and_filter_match_the_pod_tag_of_aggregated_lines() -> None:
    """`/blx2h` in the logs of a Deployment finds the lines of pod ...-blx2h: the tag
    shown at the start of each line is searched as it is shown (issue 17)."""
    from textual.app import App, ComposeResult

    from kubetui.cluster.logs import LogBatch, LogLine, Source
    from kubetui.ui.widgets.log_view import LogView

    class Host(App[None]):
        def compose(self) -> ComposeResult:
            yield LogView()

    a, b = Source("shop", "api-7d9-blx2h", "app"), Source("shop", "api-7d9-q8k2m", "app")
    app = Host()
    async with app.run_test(size=(100, 10)) as pilot:
        view = app.query_one(LogView)
        view.set_flags(show_tags=True, timestamps=True)
        view.append(LogBatch.of([LogLine(a, "2026-12-05T10:00:00Z", "GET /healthz 200"),
                                 LogLine(b, "2026-12-05T10:00:01Z", "GET /cart 500"),
                                 LogLine(a, "2026-12-05T10:00:02Z", "GET /cart 200")]))
        await pilot.pause()
        assert view.set_search("blx2h")
        rows = screen_rows(view)
        assert rows[0].startswith("api-7d9-blx2h/app ") and "2026-12-05T10:00:00" in rows[0]
        assert styled(view, 0, "yellow") + styled(view, 2, "yellow") + \
            styled(view, 2, "dark_orange") + styled(view, 0, "dark_orange") == ["blx2h"] * 2
        view.set_filter(True)
        assert [line.text for line in view.lines()] == ["GET /healthz 200", "GET /cart 200"]
        view.set_flags(show_tags=False)  # one pod's logs: no tag shown, none searched
        view.set_search("blx2h")
        assert list(view.lines()) == []


async def test_left_and_right_scroll_sideways_by_a_page(fast_sandbox, client) -> None:
    app = await open_web(fast_sandbox, client)
    async with app.run_test(size=(60, 12)) as pilot:
        view = app.view
        long = "".join(f"{i:03d}." for i in range(60))  # 240 columns, each place labelled
        await write(fast_sandbox, view, long)
        await pilot.press("s")
        width = view.scrollable_content_region.width
        await pilot.press("right")
        await pilot.pause()
        row = next(r for r in screen_rows(view) if "." in r)
        assert view.scroll_x == width - 4  # a page, keeping 4 columns in sight
        assert row.startswith(long[width - 4:width - 4 + 8])
        await pilot.press("left")
        await pilot.pause()
        assert view.scroll_x == 0
