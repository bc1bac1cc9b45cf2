"""Keys that arrive together (one read: fast typing over SSH, a paste without bracketed
paste) take effect in the order typed, in the prompts and dialogs, in a real terminal.

Each burst is written in ONE `write` to the pseudo-terminal, so the app reads it at once;
the Pilot cannot show this (it waits for each key to be handled before the next)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.terminal import Terminal, demo_env

BACKSPACE, CTRL_U, ENTER = b"\x7f", b"\x15", b"\r"
ESC = b"\x1b"  # alone in its write: ESC and a key in one read is alt+key to any terminal app


@contextmanager
def running_demo(tmp_path: Path, *options: str) -> Iterator[Terminal]:
    term = Terminal(["--demo", *options], demo_env(tmp_path), width=120, height=40)
    try:
        term.wait_for("live")
        yield term
    finally:
        assert term.close() == 0


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[Terminal]:
    with running_demo(tmp_path) as term:
        yield term


def bottom_line(term: Terminal) -> str:
    """The prompt: the line above the footer."""
    return term.lines[-2].strip()


def field_text(term: Terminal) -> str:
    """The text in a dialog's (bordered) text field."""
    for line in term.lines:
        if "▊" in line and "▔" not in line and "▁" not in line:
            return line.split("▊", 1)[1].split("▎", 1)[0].strip()
    return ""


def test_filter_prompt_applies_a_burst_in_order(demo: Terminal) -> None:
    demo.write(b"/")
    demo.wait_for("text, regex")
    demo.write(b"xyz" + BACKSPACE + b"q")
    demo.wait(lambda t: bottom_line(t) == "/xyq", "backspace then q")
    demo.write(CTRL_U + b"ml")
    demo.wait(lambda t: bottom_line(t) == "/ml", "ctrl-u then ml")
    assert "No rows match" not in demo.text  # ml-training's pod matches /ml


def test_command_prompt_burst_and_the_keys_after_enter(demo: Terminal) -> None:
    # `:`, a typo fixed with backspace, enter, then `/` and a filter: all in one read.
    demo.write(b":deplx" + BACKSPACE + b"oy" + ENTER + b"/check")
    demo.wait(lambda t: "deployments" in t.lines[0] + t.lines[1] + t.lines[2]
              and bottom_line(t) == "/check", "deployments filtered by /check")
    demo.wait(lambda t: "checkout" in t.text and "frontend" not in t.text,
              "only checkout left")
    # Enter closes the filter prompt; the `:svc<enter>` after it is a command, not text.
    demo.write(ENTER + b":svc" + ENTER)
    demo.wait(lambda t: "services" in t.lines[2] and "LoadBalancer" in t.text,
              "the services view after enter")
    assert "svc" not in bottom_line(demo)


def open_frontend(term: Terminal) -> None:
    """The deployments filtered to frontend, its row shown: the crumbs say `/frontend`
    while the table still says "Loading…", and an action key there has no row to act on
    ("nothing selected", a toast gone before a 45 s wait ends)."""
    term.write(b":deploy" + ENTER + b"/frontend" + ENTER)
    term.wait(lambda t: "frontend" in t.text and "checkout" not in t.text, "frontend only")
    term.wait(lambda t: any("frontend" in line and "3/3" in line for line in t.lines),
              "frontend's row, its 3 pods ready")


def test_scale_dialog_applies_a_burst_in_order(demo: Terminal) -> None:
    open_frontend(demo)
    demo.write(b"s")
    demo.wait_for("now 3 replicas")
    demo.write(b"17" + BACKSPACE + b"2")  # replaces the selected count
    demo.wait(lambda t: field_text(t) == "12", "the count field shows 12")
    demo.write(ESC)
    demo.wait(lambda t: "now 3 replicas" not in t.text, "the dialog closed")


def test_an_action_key_before_the_rows_arrive_says_nothing_selected(tmp_path: Path) -> None:
    """A server slow to list (every request 2 s late): `s` typed with the view switch and
    its filter finds the table still loading. It says so, and acts once the row is shown
    (what `open_frontend` waits for)."""
    with running_demo(tmp_path, "--latency-ms", "2000") as term:
        term.write(b":deploy" + ENTER + b"/frontend" + ENTER + b"s")
        term.wait_for("nothing selected")
        assert "Loading" in term.text and "now 3 replicas" not in term.text, term.text
        open_frontend(term)
        term.write(b"s")
        term.wait_for("now 3 replicas")


def crumbs(term: Terminal) -> str:
    """The breadcrumbs line (the view and its namespace): under the header and tabs."""
    return term.lines[2].strip()


def test_keys_typed_with_the_scale_key_go_to_its_dialog(demo: Terminal) -> None:
    """`s` opens its dialog only after the access check and the current count come back
    from the server; `5` and enter in the same read were meant for it, not for the table
    (where `5` is the Jobs tab and enter opens the pods)."""
    open_frontend(demo)
    view = crumbs(demo)
    demo.write(b"s5" + ENTER)
    demo.wait(lambda t: "/5" in t.text, "frontend scaled to 5")
    assert crumbs(demo) == view, demo.text
    assert "now 3 replicas" not in demo.text  # the dialog closed by the enter


@pytest.fixture
def refusing_demo(tmp_path: Path) -> Iterator[Terminal]:
    """The demo whose server answers every write (and every write's access check) no."""
    with running_demo(tmp_path, "--rbac", "readonly") as term:
        yield term


def test_keys_typed_for_a_refused_dialog_are_dropped(refusing_demo: Terminal) -> None:
    """The scale dialog never opens (the access check says no): the keys typed for it are
    dropped, not given to the table, where `5` is the Jobs tab and enter opens pods."""
    open_frontend(refusing_demo)
    view = crumbs(refusing_demo)
    mark = len(refusing_demo.output)
    refusing_demo.write(b"s5" + ENTER)
    refusing_demo.wait_for("you may not patch")
    refusing_demo.write(b"1")  # typed after the refusal: the table's Pods tab, as usual
    refusing_demo.wait(lambda t: crumbs(t).startswith("pods("), "the pods view")
    # Keys take effect in order, so `5` and enter would have been drawn by now.
    seen = bytes(refusing_demo.output[mark:])
    assert b"jobs(" not in seen and b"pods of deployment/frontend" not in seen, view

