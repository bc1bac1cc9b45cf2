"""Keys that arrive before what they were typed for has opened (kubetui/ui/held_keys.py),
with the pilot. A burst is posted to the App's queue all at once, as Textual's driver
posts the keys of one read (`Pilot.press` would wait for each key to be handled); the
pseudo-terminal tests of the same rule are in test_terminal_keys.py."""

from __future__ import annotations

import time
from typing import Any

import pytest
from textual import events

from kubetui.ui import held_keys
from kubetui.ui.aliases import AliasesScreen
from kubetui.ui.ordered_input import OrderedInput
from kubetui.ui.screens.dialogs import ScaleDialog
from kubetui.ui.screens.object_screens import DescribeScreen
from tests.fast_cluster import Cluster
from tests.ui.app_helpers import app_for, crumbs_text, live, names, until

KEY_NAMES = {"/": "slash", ":": "colon", "\r": "enter"}


def burst(app: object, text: str) -> None:
    """`text` as one read of the terminal: every key queued before any is handled."""
    for char in text:
        app.post_message(events.Key(KEY_NAMES.get(char, char), char))  # type: ignore[attr-defined]


async def typed_into(app: Any, screen_class: type, selector: str, text: str) -> None:
    """Wait for a `screen_class` screen whose field `selector` holds `text` and has the
    focus."""
    screen = await until(lambda: isinstance(app.screen, screen_class) and app.screen)
    await until(lambda: screen.query(selector), message="composed")
    field = screen.query_one(selector, OrderedInput)
    await until(lambda: field.value == text, message=f"{text!r} typed, not {field.value!r}")
    assert app.focused is field


async def test_keys_after_describe_reach_its_search(cluster: Cluster) -> None:
    """`d` pushes the describe view; its view takes the focus only once mounted, through
    the App's queue, where `/Repl` already wait."""
    cluster.create_deployment()
    app = app_for(view="deploy")
    async with app.run_test(size=(120, 40)):
        await live(app, "deployments")
        await until(lambda: names(app) == ["web"])
        burst(app, "d/Repl")
        await typed_into(app, DescribeScreen, "#detail-search", "Repl")
        assert crumbs_text(app).startswith("deployments(")  # nothing reached the table


async def test_a_server_that_does_not_answer_does_not_hold_the_keyboard(
        cluster: Cluster, monkeypatch: pytest.MonkeyPatch) -> None:
    """Keys are held for a pending dialog at most HOLD_LIMIT seconds: then they are dropped
    and the next key reaches the table."""
    cluster.create_deployment()
    monkeypatch.setattr(held_keys, "HOLD_LIMIT", 0.3)
    app = app_for(view="deploy")
    async with app.run_test(size=(120, 40)):
        await live(app, "deployments")
        await until(lambda: names(app) == ["web"])
        cluster.running.sandbox.faults.latency_ms = 5000  # the access check takes 5 s
        burst(app, "s5")
        await until(lambda: app.key_hold.keys, message="5 held for the scale dialog")
        await until(lambda: time.monotonic() - app.key_hold.since > 0.3, message="limit")
        burst(app, "1")  # the Pods tab
        await until(lambda: crumbs_text(app).startswith("pods("), message="pods")
        assert not app.key_hold.keys  # the 5 was dropped, not applied
        assert not isinstance(app.screen, ScaleDialog)
        cluster.running.sandbox.faults.latency_ms = 0


async def test_keys_after_a_command_reach_the_screen_it_opens(cluster: Cluster) -> None:
    """`:aliases` enter, then `dp`, in one read: the aliases view opens with its filter
    focused (on mount), and `dp` is typed into it."""
    app = app_for()
    async with app.run_test(size=(120, 40)):
        await live(app, "pods")
        burst(app, ":aliases\rdp")
        await typed_into(app, AliasesScreen, "#filter", "dp")
