"""ResourceTable driven through a pilot, plus its pure parts (filters, sort keys, layout)."""

from __future__ import annotations

import random

import pytest
from textual.strip import Strip

from kubetui.cluster.store import Batch
from kubetui.model.rows import (RowFilter, RowModel, Slot, fit_columns, fit_name, fit_text,
                                parse_selector, sort_binding_id, sort_letters)
from kubetui.render.model import Column
from kubetui.selectors import LabelRequirement
from kubetui.ui.widgets.resource_table import ResourceTable
from tests.ui.table_helpers import NOW, POD_COLUMNS, Clock, TableApp, pod
from tests.waiting import wait_for


def reset(*entries) -> Batch:
    return Batch(upserts=list(entries), deletes=[], reset=True)


def change(*entries, deletes: tuple[str, ...] = ()) -> Batch:
    return Batch(upserts=list(entries), deletes=list(deletes), reset=False)


def screen_lines(table: ResourceTable) -> list[str]:
    return [table.render_line(y).text.rstrip() for y in range(table.size.height)]


def order(table: ResourceTable) -> list[str]:
    return [table.entry_at(i).name for i in range(table.row_count)]


class CountingTable(ResourceTable):
    """Records which screen lines Textual asked for."""

    rendered: list[int]

    def render_line(self, y: int) -> Strip:
        self.rendered.append(y)
        return super().render_line(y)


class CountingApp(TableApp):
    def compose(self):
        table = CountingTable(clock=self.clock)
        table.rendered = []
        table.set_columns(POD_COLUMNS)
        yield table


# ------------------------------------------------------------------ rows and cursor


async def test_rows_appear_with_header_and_cursor() -> None:
    app = TableApp()
    async with app.run_test() as pilot:
        table = app.table
        table.apply(reset(*(pod(i) for i in range(50))))
        await pilot.pause()
        lines = screen_lines(table)
        assert lines[0].split() == ["NAME↑", "READY", "STATUS", "RESTARTS", "AGE"]
        assert lines[1].split() == ["pod-00000", "1/1", "Running", "0", "60m"]
        assert table.row_count == 50
        assert table.selected_uid == "uid-0"
        assert isinstance(app.messages[-1], ResourceTable.Highlighted)
        assert app.messages[-1].entry.uid == "uid-0"


async def test_cursor_keys_follow_k9s() -> None:
    app = TableApp()
    async with app.run_test() as pilot:
        table = app.table
        table.apply(reset(*(pod(i) for i in range(100))))
        await pilot.press("down", "j", "j")
        assert table.selected_uid == "uid-3"
        await pilot.press("k")
        assert table.selected_uid == "uid-2"
        await pilot.press("G")
        assert table.selected_uid == "uid-99"
        assert screen_lines(table)[-1].split()[0] == "pod-00099"
        await pilot.press("g")
        assert table.selected_uid == "uid-0"
        await pilot.press("pagedown")
        assert table.cursor_index == table.size.height - 1
        await pilot.press("ctrl+b")
        assert table.cursor_index == 0
        await pilot.press("end", "home")
        assert table.selected_uid == "uid-0"


async def test_moving_past_the_page_scrolls_the_rows_and_the_scrollbar() -> None:
    app = TableApp()
    async with app.run_test(size=(80, 12)) as pilot:
        table = app.table
        table.apply(reset(*(pod(i) for i in range(100))))
        await pilot.pause()
        page = table.size.height - 1  # rows under the header
        await pilot.press(*["down"] * page)  # one row past the last one shown
        await pilot.pause()
        assert table.scroll_y == 1 and table.cursor_index == page
        shown = app.export_screenshot()  # what reached the screen
        assert f"pod-{page:05d}" in shown and "pod-00000" not in shown
        await pilot.press("G")
        await pilot.pause()
        assert table.scroll_y == 100 - page
        assert table.vertical_scrollbar.position == 100 - page  # the thumb at the bottom
        assert "pod-00099" in app.export_screenshot()
        await pilot.press(*["up"] * page)
        await pilot.pause()
        assert table.scroll_y == 100 - page - 1 and table.selected_uid == f"uid-{99 - page}"
        assert f"pod-{99 - page:05d}" in app.export_screenshot()


async def test_cursor_keeps_its_object_when_rows_arrive_above() -> None:
    app = TableApp()
    async with app.run_test() as pilot:
        table = app.table
        table.apply(reset(*(pod(i) for i in range(0, 200, 2))))
        table.select_uid("uid-60")
        await pilot.pause()
        line_before = next(i for i, line in enumerate(screen_lines(table))
                           if line.startswith(" pod-00060"))
        table.apply(change(*(pod(i) for i in range(1, 60, 2))))  # 30 rows sort above it
        await pilot.pause()
        assert table.selected_uid == "uid-60"
        assert table.cursor_index == 60
        # The rows on screen stayed where they were: the scroll moved with them.
        assert screen_lines(table)[line_before].startswith(" pod-00060")


async def test_until_moved_the_cursor_stays_at_the_top_as_rows_arrive_above() -> None:
    """A list's later pages sort before its first: the first screen still shows the top
    of the sorted list, cursor on it, until the user moves the cursor."""
    app = TableApp()
    async with app.run_test() as pilot:
        table = app.table
        table.apply(reset(*(pod(i) for i in range(100, 200))))  # the first page
        table.apply(change(*(pod(i) for i in range(0, 100))))  # the next, sorting before
        await pilot.pause()
        assert table.selected_uid == "uid-0"
        assert screen_lines(table)[1].split()[0] == "pod-00000"
        await pilot.press("down")
        table.apply(change(pod(-1, name="pod-0000-first")))
        await pilot.pause()
        assert table.selected_uid == "uid-1"  # moved by the user: it keeps its object
        assert table.cursor_index == 2


async def test_cursor_keeps_its_object_when_rows_go_and_moves_on_when_its_row_goes() -> None:
    app = TableApp()
    async with app.run_test() as pilot:
        table = app.table
        table.apply(reset(*(pod(i) for i in range(20))))
        table.select_uid("uid-10")
        await pilot.pause()
        table.apply(change(deletes=("uid-1", "uid-2", "uid-15")))
        assert table.selected_uid == "uid-10"
        assert table.cursor_index == 8
        await pilot.pause()
        app.messages.clear()
        table.apply(change(deletes=("uid-10",)))
        assert table.selected_uid == "uid-11"  # the row that took its place
        await pilot.pause()
        assert [m.entry.uid for m in app.messages] == ["uid-11"]


async def test_cursor_follows_its_object_when_an_update_resorts_it() -> None:
    app = TableApp()
    async with app.run_test() as pilot:
        table = app.table
        table.apply(reset(*(pod(i, restarts=str(i)) for i in range(30))))
        table.sort_by("RESTARTS")  # numbers: most first
        assert order(table)[:2] == ["pod-00029", "pod-00028"]
        table.select_uid("uid-3")
        table.apply(change(pod(3, restarts="100", rv="2")))
        assert order(table)[0] == "pod-00003"
        assert table.selected_uid == "uid-3"
        assert table.cursor_index == 0
        await pilot.pause()


async def test_reset_keeps_the_cursor_on_the_same_uid() -> None:
    app = TableApp()
    async with app.run_test() as pilot:
        table = app.table
        table.apply(reset(*(pod(i) for i in range(40))))
        table.select_uid("uid-30")
        table.apply(reset(*(pod(i) for i in range(20, 60))))
        assert table.total_count == 40
        assert table.selected_uid == "uid-30"
        assert table.cursor_index == 10
        await pilot.pause()


async def test_enter_selects_and_click_moves_the_cursor() -> None:
    app = TableApp()
    async with app.run_test() as pilot:
        table = app.table
        table.apply(reset(*(pod(i) for i in range(10))))
        await pilot.click(ResourceTable, offset=(3, 4))  # line 4 = row 3
        assert table.selected_uid == "uid-3"
        await pilot.press("enter")
        await wait_for(lambda: any(isinstance(m, ResourceTable.Selected)
                                   for m in app.messages))
        selected = [m for m in app.messages if isinstance(m, ResourceTable.Selected)]
        assert selected[-1].entry.uid == "uid-3"


async def test_clicking_a_header_sorts_by_that_column() -> None:
    app = TableApp()
    async with app.run_test() as pilot:
        table = app.table
        table.apply(reset(*(pod(i) for i in range(10))))
        await pilot.pause()
        x = screen_lines(table)[0].index("STATUS")
        await pilot.click(ResourceTable, offset=(x, 0))
        assert table.sort_column == "STATUS"


# ------------------------------------------------------------------ sorting


async def test_shift_letters_sort_and_repeat_reverses() -> None:
    app = TableApp()
    async with app.run_test() as pilot:
        table = app.table
        table.apply(reset(
            pod(1, name="b", age_s=10, restarts="3 (5m ago)", ready="0/2"),
            pod(2, name="a", age_s=3000, restarts="12", ready="2/2"),
            pod(3, name="c", age_s=500, restarts="<none>", ready="1/2"),
        ))
        assert order(table) == ["a", "b", "c"]
        await pilot.press("N")
        assert order(table) == ["c", "b", "a"] and table.sort_reverse
        assert "NAME↓" in screen_lines(table)[0]
        await pilot.press("A")  # youngest first, as k9s
        assert order(table) == ["b", "c", "a"]
        await pilot.press("A")
        assert order(table) == ["a", "c", "b"]
        await pilot.press("T")  # restarts: numbers, most first, text last
        assert table.sort_column == "RESTARTS"
        assert order(table) == ["a", "b", "c"]
        await pilot.press("R")  # ready: by ratio
        assert order(table) == ["b", "c", "a"]


async def test_number_sort_puts_biggest_first_and_unparsed_apart() -> None:
    app = TableApp()
    async with app.run_test():
        table = app.table
        table.apply(reset(pod(1, name="x", restarts="3 (5m ago)"),
                          pod(2, name="y", restarts="12"),
                          pod(3, name="z", restarts="<none>")))
        table.sort_by("RESTARTS")
        assert table.sort_reverse  # descending: what an on-call engineer looks for
        assert order(table) == ["y", "x", "z"]
        table.sort_by("RESTARTS")
        assert order(table) == ["z", "x", "y"]


async def test_namespace_column_and_its_sort_key() -> None:
    app = TableApp()
    async with app.run_test() as pilot:
        table = app.table
        table.show_namespace = True
        table.apply(reset(pod(1, name="a", namespace="zeta"), pod(2, name="b", namespace="alpha")))
        await pilot.pause()
        assert table.shown_columns[0] == "NAMESPACE"
        await pilot.press("P")
        assert order(table) == ["b", "a"]
        assert screen_lines(table)[1].split()[:2] == ["alpha", "b"]


def test_sort_letters_take_k9s_letters_first() -> None:
    letters = sort_letters(["NAMESPACE", "NAME", "READY", "STATUS", "RESTARTS", "AGE", "IP",
                            "NODE", "NOMINATED NODE", "GATES"])
    assert letters["NAME"] == "N" and letters["AGE"] == "A" and letters["NAMESPACE"] == "P"
    assert letters["RESTARTS"] == "T" and letters["NODE"] == "O" and letters["IP"] == "I"
    assert "G" not in letters.values()  # G goes to the bottom
    assert len(set(letters.values())) == len(letters)


# ------------------------------------------------------------------ filtering


async def test_filter_substring_regex_inverted_and_labels() -> None:
    app = TableApp()
    async with app.run_test() as pilot:
        table = app.table
        table.apply(reset(
            pod(1, name="web-1", labels={"app": "web", "tier": "front"}),
            pod(2, name="web-2", status="CrashLoopBackOff", health="failed",
                labels={"app": "web"}),
            pod(3, name="db-0", status="Pending", health="pending", labels={"app": "db"}),
        ))
        table.set_filter("CRASH")
        assert order(table) == ["web-2"]
        table.set_filter("web-[0-9]$")  # a regex: it has metacharacters and compiles
        assert order(table) == ["web-1", "web-2"]
        table.set_filter("web-[")  # does not compile: a plain substring
        assert order(table) == []
        table.set_filter("!web")
        assert order(table) == ["db-0"]
        table.set_filter("-l app=web,tier!=front")
        assert order(table) == ["web-2"]
        table.set_filter("-l app in (db, other)")
        assert order(table) == ["db-0"]
        table.set_filter("-l !tier")
        assert order(table) == ["db-0", "web-2"]
        table.set_filter("-l app in (web")
        assert order(table) == []
        await pilot.pause()
        assert "Filter: invalid label selector" in "\n".join(screen_lines(table))
        table.set_filter("")
        assert table.row_count == 3


async def test_filter_ignores_ages_and_namespace_unless_shown() -> None:
    app = TableApp()
    async with app.run_test():
        table = app.table
        table.apply(reset(pod(1, name="a", namespace="kube-system"), pod(2, name="b")))
        table.set_filter("60m")
        assert order(table) == []
        table.set_filter("kube")
        assert order(table) == []
        table.show_namespace = True
        assert order(table) == ["a"]


async def test_typing_a_filter_narrows_and_updates_respect_it() -> None:
    app = TableApp()
    async with app.run_test():
        table = app.table
        table.apply(reset(*(pod(i) for i in range(300))))
        for text in ("p", "po", "pod-001", "pod-0012"):
            table.set_filter(text)
        assert order(table) == [f"pod-{i:05d}" for i in range(120, 130)]
        table.apply(change(pod(400, name="pod-00125x"), pod(121, name="pod-00121", rv="2",
                                                           status="Failed"),
                           pod(500, name="other"), deletes=("uid-120",)))
        assert order(table)[:2] == ["pod-00121", "pod-00122"]
        assert "pod-00125x" in order(table) and "other" not in order(table)
        table.apply(change(pod(122, name="renamed", rv="2")))  # no longer matches
        assert "renamed" not in order(table)


async def test_cursor_moves_to_first_row_when_filtered_out() -> None:
    app = TableApp()
    async with app.run_test():
        table = app.table
        table.apply(reset(*(pod(i) for i in range(30))))
        table.select_uid("uid-5")
        table.set_filter("pod-0002")
        assert table.selected_uid == "uid-20"
        table.set_filter("pod-00")
        assert table.selected_uid == "uid-20"  # still shown: the cursor keeps it


def test_row_filter_parsing() -> None:
    assert RowFilter.parse("Nginx").needle == "nginx"
    assert RowFilter.parse("10.0.0.1").pattern is not None  # "." is a metacharacter
    assert RowFilter.parse("!x").invert
    assert not RowFilter.parse("").active and not RowFilter.parse("!").active
    assert RowFilter.parse("-l").selector == ()
    assert RowFilter.parse("-lfoo").needle == "-lfoo"  # no space: plain text
    assert RowFilter.parse("ngin").narrows(RowFilter.parse("ngi"))
    assert not RowFilter.parse("!ngin").narrows(RowFilter.parse("!ngi"))


def test_label_selector_parsing() -> None:
    reqs = parse_selector("app=web, tier!=db,env in (a, b),!canary,team,x==y")
    assert reqs == (
        LabelRequirement("app", "=", frozenset({"web"})),
        LabelRequirement("tier", "!=", frozenset({"db"})),
        LabelRequirement("env", "in", frozenset({"a", "b"})),
        LabelRequirement("canary", "!exists"),
        LabelRequirement("team", "exists"),
        LabelRequirement("x", "=", frozenset({"y"})),
    )
    assert LabelRequirement("tier", "!=", frozenset({"db"})).matches({})
    with pytest.raises(ValueError):
        parse_selector("a=b=c")


# ------------------------------------------------------------------ marks, health, ages


async def test_space_marks_rows_distinctly() -> None:
    app = TableApp()
    async with app.run_test() as pilot:
        table = app.table
        table.apply(reset(*(pod(i) for i in range(10))))
        await pilot.press("space", "down", "down", "space")
        assert table.marked_uids == {"uid-0", "uid-2"}
        assert screen_lines(table)[1].startswith("▌pod-00000")
        assert screen_lines(table)[2].startswith(" pod-00001")
        await pilot.press("space")
        assert table.marked_uids == {"uid-0"}
        await pilot.press("down", "down", "ctrl+space")
        assert table.marked_uids == {f"uid-{i}" for i in range(5)}
        table.apply(change(deletes=("uid-1",)))
        assert "uid-1" not in table.marked_uids
        await pilot.press("ctrl+backslash")
        assert table.marked_uids == set()


async def test_rows_are_coloured_by_health() -> None:
    app = TableApp()
    async with app.run_test() as pilot:
        table = app.table
        table.apply(reset(pod(1, name="a"), pod(2, name="b", health="failed"),
                          pod(3, name="c", health="pending"), pod(4, name="d", health="done"),
                          pod(5, name="e", health="terminating")))
        await pilot.press("end")  # the cursor away from the first row

        def colour(line: int):
            return list(table.render_line(line))[0].style.color

        colours = [colour(line) for line in range(1, 6)]
        assert len(set(colours)) == 5
        cursor = list(table.render_line(5))[0].style
        other = list(table.render_line(1))[0].style
        # Reverse video (issue 17): the cursor row's background is its own text colour,
        # which differs from the background of the rows around it in any theme.
        assert cursor.reverse and not other.reverse
        assert cursor.color is not None and cursor.color != other.bgcolor


async def test_ages_tick_for_visible_rows() -> None:
    clock = Clock()
    app = TableApp(clock)
    async with app.run_test() as pilot:
        table = app.table
        table.apply(reset(pod(1, name="a", age_s=50, restarts="2 (90s ago)")))
        await pilot.pause()
        assert screen_lines(table)[1].split()[3:] == ["2", "(90s", "ago)", "50s"]
        clock.now += 60
        await wait_for(lambda: screen_lines(table)[1].split()[-1] == "110s")
        assert screen_lines(table)[1].split()[3:5] == ["2", "(2m30s"]


# ------------------------------------------------------------------ output and scale


async def test_only_visible_lines_are_rendered_and_offscreen_changes_cost_nothing() -> None:
    app = CountingApp()
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.table
        assert isinstance(table, CountingTable)
        table.apply(reset(*(pod(i) for i in range(10_000))))
        await pilot.pause()
        assert table.rendered and max(table.rendered) < 24  # 10,000 rows, 24 lines drawn
        table.rendered.clear()
        table.apply(change(*(pod(i, status="Failed", rv="2") for i in range(5000, 5100)),
                           deletes=("uid-9000",)))
        await pilot.pause()
        await pilot.pause()
        assert table.rendered == []
        table.apply(change(pod(3, status="Failed", restarts="1", rv="2")))  # on screen
        await wait_for(lambda: bool(table.rendered))
        await pilot.pause()
        assert set(table.rendered) == {4}
        table.rendered.clear()
        table.refresh_ages()  # the ages read the same: nothing to repaint
        await pilot.pause()
        assert table.rendered == []


async def test_fifty_thousand_rows_and_a_thousand_updates() -> None:
    app = TableApp()
    async with app.run_test() as pilot:
        table = app.table
        table.apply(reset(*(pod(i, restarts=str(i % 97)) for i in range(50_000))))
        table.sort_by("RESTARTS")
        table.select_uid("uid-777")
        rng = random.Random(5)
        updates = [pod(i, restarts=str(rng.randrange(200)), rv="2")
                   for i in rng.sample(range(100, 50_000), 1000)]
        table.apply(change(*updates, deletes=tuple(f"uid-{i}" for i in range(100))))
        await pilot.pause()
        assert table.row_count == 49_900
        keys = [int(table.entry_at(i).cells[3]) for i in range(0, 49_900, 499)]
        assert keys == sorted(keys, reverse=True)
        assert table.selected_uid == "uid-777"


def test_model_matches_a_brute_force_order() -> None:
    """Random upserts, deletes, filters and sorts against sorting everything each time."""
    model = RowModel(clock=lambda: NOW)
    model.configure(POD_COLUMNS, show_namespace=True)
    rng = random.Random(1)
    live = {}
    for step in range(600):
        n = rng.randrange(80)
        if rng.random() < 0.3 and live:
            uid = rng.choice(sorted(live))
            model.remove(uid)
            del live[uid]
        else:
            entry = pod(n, name=f"p{rng.randrange(20)}", namespace=rng.choice("ab"),
                        restarts=str(rng.randrange(5)), ready=f"{rng.randrange(3)}/2",
                        age_s=rng.randrange(100))
            model.upsert(entry)
            live[entry.uid] = entry
        if step % 50 == 0:
            model.set_sort(rng.choice(["NAME", "RESTARTS", "READY", "AGE", "NAMESPACE"]),
                           rng.random() < 0.5)
        if step % 70 == 0:
            model.set_filter(RowFilter.parse(rng.choice(["", "p1", "!p1", "-l x"])))
        shown = [e for e in live.values()
                 if not model.filter.active or model.filter.matches(model.rows[e.uid].text,
                                                                    e.labels)]
        expected = sorted(model.rows[e.uid].key for e in shown)
        if model.reverse:
            expected.reverse()
        assert [model.uid_at(i) for i in range(len(model))] == [k[-1] for k in expected]
        for i, key in enumerate(expected):
            assert model.index_of(key[-1]) == i


def test_many_rows_at_once_land_where_one_by_one_would_put_them() -> None:
    """A list's pages arrive as batches of hundreds of new rows, merged into the order
    at once: the same order, filter and positions as upserting each row in turn."""
    rng = random.Random(7)
    bulk, single = RowModel(clock=lambda: NOW), RowModel(clock=lambda: NOW)
    for model in (bulk, single):
        model.configure(POD_COLUMNS, show_namespace=True)
        model.set_sort("RESTARTS", True)
        model.set_filter(RowFilter.parse("!p1"))
    for size in (5, 40, 300, 31, 33, 500):
        batch = [pod(rng.randrange(3000), name=f"p{rng.randrange(30)}",
                     namespace=rng.choice("ab"), restarts=str(rng.randrange(9)),
                     rv=str(rng.randrange(10**6))) for _ in range(size)]
        bulk.upsert_many(batch)  # new rows, changed ones, and a uid twice in one batch
        for entry in batch:
            single.upsert(entry)
        assert len(bulk.rows) == len(single.rows) and len(bulk) == len(single)
        shown = [bulk.uid_at(i) for i in range(len(bulk))]
        assert shown == [single.uid_at(i) for i in range(len(single))]
        assert all(bulk.index_of(uid) == i for i, uid in enumerate(shown))
        assert all(bulk.rows[uid].entry is single.rows[uid].entry for uid in shown)
    bulk.set_filter(RowFilter())
    single.set_filter(RowFilter())
    assert [bulk.uid_at(i) for i in range(len(bulk))] == \
        [single.uid_at(i) for i in range(len(single))]


def test_typed_filters_match_a_full_filter_while_rows_change() -> None:
    """Each keystroke narrows the rows shown (substrings scan only the last matches);
    rows added, changed, renamed and removed between keystrokes must give what filtering
    every row from scratch gives, for substrings, regexes and inverted filters."""
    rng = random.Random(5)
    model = RowModel(clock=lambda: NOW)
    model.configure(POD_COLUMNS, show_namespace=True)
    names = ["web-a", "web-b", "cache", "checkout-1", "checkout-2", "db"]
    statuses = ["Running", "Pending", "CrashLoopBackOff"]

    def random_pod() -> None:
        n = rng.randrange(200)
        model.upsert(pod(n, name=f"{rng.choice(names)}-{n}", namespace=rng.choice("xy"),
                         status=rng.choice(statuses), rv=str(rng.randrange(10**6))))

    for _ in range(150):
        random_pod()
    for text in ("checkout", "che.k", "!web", "web-", "c"):
        for end in range(1, len(text) + 1):
            model.set_filter(RowFilter.parse(text[:end]))
            for _ in range(rng.randrange(6)):
                if rng.random() < 0.3 and model.rows:
                    model.remove(rng.choice(sorted(model.rows)))
                else:
                    random_pod()
            if rng.random() < 0.2:
                model.set_sort(rng.choice(["NAME", "STATUS", "NAMESPACE"]), rng.random() < 0.5)
            fresh = RowModel(clock=lambda: NOW)
            fresh.configure(POD_COLUMNS, show_namespace=True)
            fresh.reset([d.entry for d in model.rows.values()])
            fresh.set_sort(model.sort_column, model.reverse)
            fresh.set_filter(model.filter)
            shown = [model.uid_at(i) for i in range(len(model))]
            assert shown == [fresh.uid_at(i) for i in range(len(fresh))], text[:end]
            assert all(model.filter.matches(model.rows[uid].text, {}) for uid in shown)


def test_sort_binding_ids_have_no_spaces() -> None:
    assert sort_binding_id("NAME") == "table.sort.name"
    assert sort_binding_id("NOMINATED NODE") == "table.sort.nominated-node"


# ------------------------------------------------------------------ layout


async def test_eighty_columns_drop_wide_columns_and_cut_long_names() -> None:
    app = TableApp()
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.table
        table.set_columns(POD_COLUMNS, wide=True)
        table.show_namespace = True
        table.apply(reset(pod(1, name="x" * 90, namespace="kube-system"), pod(2)))
        await pilot.pause()
        assert table.shown_columns == ["NAMESPACE", "NAME", "READY", "STATUS", "RESTARTS",
                                       "AGE"]
        lines = screen_lines(table)
        assert all(len(line) <= 80 for line in lines)
        namespace, name = lines[2].split()[:2]
        # Cut in the middle (issue 17): the end of a name is what tells pods apart.
        assert namespace == "kube-system" and name.startswith("xxx") and name.endswith("x")
        assert "…" in name
    async with TableApp().run_test(size=(200, 24)) as pilot:
        table = pilot.app.table
        table.set_columns(POD_COLUMNS, wide=True)
        table.apply(reset(pod(1)))
        await pilot.pause()
        assert table.shown_columns[-2:] == ["IP", "NODE"]


async def test_pods_of_one_replicaset_stay_apart_at_80_columns() -> None:
    """Long names that differ only at the end: each still reads differently, and the
    columns a person reads first are kept while the pod names are cut."""
    suffixes = ("bq9ml", "fs8rg", "w94jg")
    base = "checkout-payments-frontend-g7zglxgl59-"
    app = TableApp()
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.table
        table.set_columns(POD_COLUMNS, wide=False)
        table.show_namespace = True
        table.apply(reset(*(pod(i, name=base + s, namespace="payments", status="CrashLoopBackOff")
                            for i, s in enumerate(suffixes))))
        await pilot.pause()
        lines = screen_lines(table)
        names = [line.split()[1] for line in lines[1:4]]
        assert all("…" in n for n in names)
        assert sorted(n[-5:] for n in names) == sorted(suffixes)
        assert table.shown_columns == ["NAMESPACE", "NAME", "READY", "STATUS", "RESTARTS",
                                       "AGE"]
        assert "CrashLoopBackOff" in lines[1]


def test_fit_columns_give_way_by_value() -> None:
    def slots() -> list[Slot]:
        return [Slot("NAMESPACE", -1, "text", 0, False, False, natural=11),
                Slot("NAME", 0, "text", 0, False, False, natural=40),
                Slot("READY", 1, "text", 0, False, False, natural=5),
                Slot("STATUS", 2, "text", 0, False, False, natural=16),
                Slot("RESTARTS", 3, "text", 0, False, False, natural=8),
                Slot("AGE", 4, "text", 0, False, False, natural=4),
                Slot("LABELS", 5, "text", 0, False, False, natural=30)]

    def fit(width: int) -> list[tuple[str, int]]:
        return [(s.name, s.width) for s in fit_columns(slots(), width, wide=False)]
    # 127 cells at their natural widths. LABELS (not essential) shrinks first...
    assert fit(120) == [("NAMESPACE", 11), ("NAME", 40), ("READY", 5), ("STATUS", 16),
                        ("RESTARTS", 8), ("AGE", 4), ("LABELS", 23)]
    # ...then NAME, but only down to 24 cells...
    assert fit(100) == [("NAMESPACE", 11), ("NAME", 33), ("READY", 5), ("STATUS", 16),
                        ("RESTARTS", 8), ("AGE", 4), ("LABELS", 10)]
    # ...then LABELS goes...
    assert fit(80) == [("NAMESPACE", 11), ("NAME", 24), ("READY", 5), ("STATUS", 16),
                       ("RESTARTS", 8), ("AGE", 4)]
    # ...then AGE, RESTARTS, READY, and only then NAME and NAMESPACE shrink further.
    assert [n for n, _ in fit(70)] == ["NAMESPACE", "NAME", "READY", "STATUS"]
    assert fit(50) == [("NAMESPACE", 11), ("NAME", 18), ("STATUS", 16)]


def test_fit_name_keeps_the_end() -> None:
    assert fit_name("checkout-g7zglxgl59-bq9ml", 30) == "checkout-g7zglxgl59-bq9ml     "
    assert fit_name("checkout-g7zglxgl59-bq9ml", 20) == "checkout-g…l59-bq9ml"
    assert fit_name("checkout-g7zglxgl59-bq9ml", 12) == "check…-bq9ml"
    assert fit_name("averyveryverylongname", 12) == "averyv…gname"


def test_fit_columns_drops_by_priority_then_shrinks_then_drops() -> None:
    def slots() -> list[Slot]:
        return [Slot("NAME", 0, "text", 0, False, False, natural=50),
                Slot("STATUS", 1, "text", 0, False, False, natural=20),
                Slot("IP", 2, "text", 1, False, False, natural=15),
                Slot("GATES", 3, "text", 2, False, False, natural=15)]
    assert [s.name for s in fit_columns(slots(), 200, wide=False)] == ["NAME", "STATUS"]
    assert [s.name for s in fit_columns(slots(), 110, wide=True)] == ["NAME", "STATUS", "IP",
                                                                      "GATES"]
    assert [s.name for s in fit_columns(slots(), 95, wide=True)] == ["NAME", "STATUS", "IP"]
    assert [s.name for s in fit_columns(slots(), 80, wide=True)] == ["NAME", "STATUS"]
    fitted = fit_columns(slots(), 40, wide=True)
    assert [(s.name, s.width) for s in fitted] == [("NAME", 17), ("STATUS", 20)]
    fitted = fit_columns(slots(), 12, wide=True)
    assert [(s.name, s.width) for s in fitted] == [("NAME", 10)]


def test_fit_text_pads_cuts_and_cleans() -> None:
    assert fit_text("abc", 5) == "abc  "
    assert fit_text("abcdef", 4) == "abc…"
    assert fit_text("日本語", 4) == "日 …"  # a wide character never straddles the cut
    assert fit_text("a\nb", 3) == "a b"


async def test_empty_text_comes_from_the_caller() -> None:
    app = TableApp()
    async with app.run_test() as pilot:
        table = app.table
        table.empty_text = "Loading…"
        await pilot.pause()
        assert "Loading…" in screen_lines(table)[2]
        table.apply(reset(pod(1)))
        table.set_filter("nothing-like-this")
        await pilot.pause()
        assert "No rows match /nothing-like-this" in screen_lines(table)[2]


def test_columns_carry_their_sort_kind() -> None:
    column = Column("CAPACITY", sort="quantity")
    model = RowModel(clock=lambda: NOW)
    model.configure([Column("NAME"), column], show_namespace=False)
    for n, size in enumerate(["1Gi", "512Mi", "2G", "100", "n/a"]):
        entry = pod(n, name=f"pv{n}")
        entry.cells = (f"pv{n}", size)
        model.upsert(entry)
    model.set_sort("CAPACITY", reverse=False)
    assert [model.rows[model.uid_at(i)].entry.cells[1] for i in range(5)] == \
        ["n/a", "100", "512Mi", "1Gi", "2G"]
