"""The main screen's footer rebuilds its keys only when the keys it shows change."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.widget import Widget
from textual.widgets._footer import FooterKey

from kubetui.ui.widgets.key_footer import KeyFooter
from tests.waiting import wait_for


class Keyed(Widget, can_focus=True):
    BINDINGS = [Binding("a", "noop", "Alpha")]

    def bind_key(self, key: str, description: str, show: bool) -> None:
        """A binding added after mount, as ResourceTable binds its sort keys."""
        bindings = self._merged_bindings.copy()
        for one in Binding.make_bindings([Binding(key, f"noop('{key}')", description,
                                                  show=show)]):
            bindings.key_to_bindings.setdefault(one.key, []).append(one)
        self._bindings = bindings
        self.refresh_bindings()

    def action_noop(self, key: str = "") -> None:
        pass


class Host(App):
    def compose(self) -> ComposeResult:
        yield Keyed()
        yield KeyFooter(compact=True)

    def on_mount(self) -> None:
        self.query_one(Keyed).focus()


def shown(app: Host) -> list[FooterKey]:
    return list(app.query(FooterKey))


async def test_hidden_bindings_leave_the_keys_shown_as_they_are() -> None:
    app = Host()
    async with app.run_test() as pilot:
        await wait_for(lambda: any(k.description == "Alpha" for k in shown(app)),
                       message="the first keys")
        await pilot.pause()
        keys = shown(app)
        keyed = app.query_one(Keyed)
        keyed.bind_key("S", "Sort status", show=False)  # as a table's sort keys
        await pilot.pause()
        await pilot.pause()
        assert shown(app) == keys  # the same widgets: not rebuilt
        keyed.bind_key("b", "Bravo", show=True)
        await wait_for(lambda: any(k.description == "Bravo" for k in shown(app)),
                       message="the new key shown")
        assert not set(shown(app)) & set(keys)  # rebuilt
