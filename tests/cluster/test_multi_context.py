"""Several contexts at once, on two sandboxes at once: one merged table with a CONTEXT
column, each context on its own connection and watches with its own health; a context
that cannot connect keeps its error while the others go on."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from kubetui.cluster import kubeconfig as kubeconfigs
from kubetui.cluster.errors import ConfigError
from kubetui.cluster.store import Batch, Entry
from kubetui.kinds import builtin
from kubetui.model.multi import MergedFeed, connect_all, is_multi, named_contexts, row_context
from kubetui.model.views import root_view
from tests.cluster.helpers import FAST
from kubetui.sandbox.kubeconfig import merged_kubeconfig
from tests.conftest import start_sandbox, stop_sandbox
from tests.waiting import wait_for


def merged_with_a_dead_context(tmp_path: Path, files: dict[str, Path]) -> Path:
    """The sandboxes' contexts under the names given, and a context whose server is not
    there."""
    doc = merged_kubeconfig(files)
    doc["clusters"].append({"name": "gone", "cluster": {"server": "https://127.0.0.1:1"}})
    doc["contexts"].append({"name": "gone", "context": {"cluster": "gone", "user": "east"}})
    path = tmp_path / "merged-kubeconfig"
    path.write_text(yaml.safe_dump(doc))
    return path


def test_which_specs_name_several_contexts() -> None:
    assert is_multi("a,b") and is_multi("*") and not is_multi("a") and not is_multi(None)


async def test_two_clusters_in_one_table(tmp_path: Path) -> None:
    east = await start_sandbox(tmp_path / "east.kubeconfig")
    west = await start_sandbox(tmp_path / "west.kubeconfig")
    feed = None
    connections = []
    try:
        path = merged_with_a_dead_context(tmp_path, {"east": tmp_path / "east.kubeconfig",
                                             "west": tmp_path / "west.kubeconfig"})
        config = kubeconfigs.load(str(path))
        assert named_contexts("*", config) == ["east", "gone", "west"]
        assert named_contexts("west, east", config) == ["west", "east"]
        with pytest.raises(ConfigError, match="'north' is not defined"):
            named_contexts("east,north", config)
        connections = await connect_all(config, ["east", "west", "gone"], FAST)
        by_name = {c.context: c for c in connections}
        assert by_name["east"].session and by_name["west"].session
        assert by_name["gone"].session is None and by_name["gone"].error

        pod = {"metadata": {"name": "same-name"},
               "spec": {"containers": [{"name": "c", "image": "nginx"}]}}
        for conn, extra in ((by_name["east"], "east-only"), (by_name["west"], "west-only")):
            assert conn.session is not None
            for name in ("same-name", extra):
                await conn.session.client.request(
                    "POST", "/api/v1/namespaces/default/pods",
                    {**pod, "metadata": {"name": name}})

        rows: dict[str, Entry] = {}
        healths: dict[str, str] = {}

        def on_batch(batch: Batch) -> None:
            assert not batch.reset  # one context's list never wipes the others' rows
            for uid in batch.deletes:
                rows.pop(uid, None)
            rows.update((e.uid, e) for e in batch.upserts)

        view = root_view(builtin("Pod"), "default")
        feed = MergedFeed(connections, view, on_batch,
                          lambda name, h: healths.__setitem__(name, h.state))
        assert set(feed.errors) == {"gone"} and set(feed.healths) == {"east", "west"}
        await wait_for(lambda: len(rows) == 4)
        shown = sorted((e.cells[0], e.name) for e in rows.values())
        assert shown == [("east", "east-only"), ("east", "same-name"),
                         ("west", "same-name"), ("west", "west-only")]
        assert {row_context(uid)[0] for uid in rows} == {"east", "west"}
        await wait_for(lambda: healths == {"east": "live", "west": "live"})
        # A change in one cluster reaches only its rows.
        await by_name["west"].session.client.request(  # type: ignore[union-attr]
            "DELETE", "/api/v1/namespaces/default/pods/same-name")
        await wait_for(lambda: sorted((e.cells[0], e.name) for e in rows.values()) ==
                       [("east", "east-only"), ("east", "same-name"),
                        ("west", "west-only")])
        # One cluster going away: its health says so, the other stays live.
        await stop_sandbox(west)
        west = None
        await wait_for(lambda: healths.get("west") in ("reconnecting", "stale", "error"))
        assert healths["east"] == "live"
        assert {e.name for e in rows.values() if e.cells[0] == "east"} == \
            {"east-only", "same-name"}
    finally:
        if feed is not None:
            feed.close()
        for conn in connections:
            if conn.session is not None:
                await conn.session.close()
        await stop_sandbox(east)
        if west is not None:
            await stop_sandbox(west)
