"""Pure parts of kubetui.cluster.logs and the view's ring and text helpers."""

from __future__ import annotations

import pytest

from kubetui.cluster.errors import ClusterError
from kubetui.cluster.logs import (ContainerLog, LogLine, LogOptions, LogSettings, Source,
                                  _exit_words, _time_key, _waiting_words, container_names)
from kubetui.model.log_ring import Ring
from kubetui.ui.widgets.log_view import clean, compile_search, pretty_json

SRC = Source("default", "web", "app")


def lines(*texts: str) -> list[LogLine]:
    return [LogLine(SRC, "", t) for t in texts]


def test_options_become_kubectls_query() -> None:
    assert LogOptions(tail=10, since=60).query("app") == {
        "container": "app", "follow": True, "previous": None, "tailLines": 10,
        "sinceSeconds": 60, "timestamps": True}
    assert LogOptions(previous=True).query("app")["follow"] is False


def test_timestamps_compare_as_times_whatever_the_fraction_length() -> None:
    assert _time_key("2024-01-01T00:00:01.5Z") > _time_key("2024-01-01T00:00:01.123456789Z")
    assert _time_key("2024-01-01T00:00:01Z") < _time_key("2024-01-01T00:00:01.000000001Z")


def test_container_names_and_exit_words() -> None:
    pod = {"spec": {"containers": [{"name": "a"}, {"name": "b"}],
                    "initContainers": [{"name": "setup"}]}}
    assert container_names(pod) == (["a", "b"], ["setup"])
    assert _exit_words({"lastState": {"terminated": {"reason": "OOMKilled",
                                                     "exitCode": 137}}}) == \
        "OOMKilled, exit code 137"
    assert _exit_words({"state": {"running": {}}}) == ""


@pytest.mark.parametrize(("error", "words"), [
    (ClusterError("Not found", status=404), "pod web is gone"),
    (ClusterError("Forbidden: you may not get log of pods", status=403),
     "not allowed to read these logs: Forbidden: you may not get log of pods"),
    (ClusterError('BadRequest (400) (previous terminated container "app" in pod "web" '
                  'not found)', status=400),
     "no previous instance of container app (it has not restarted)"),
])
async def test_refusals_in_words(error: ClusterError, words: str) -> None:
    log = ContainerLog(None, SRC, LogOptions(), None, LogSettings(),  # type: ignore[arg-type]
                       lambda s, st: None)
    assert log._refusal(error) == words


async def test_not_started_is_retried_when_following_and_said_otherwise() -> None:
    error = ClusterError('BadRequest (400) (container "app" in pod "web" is waiting to '
                         'start: ContainerCreating)', status=400)
    follow = ContainerLog(None, SRC, LogOptions(), None, LogSettings(),  # type: ignore[arg-type]
                          lambda s, st: None)
    assert follow._refusal(error) is None
    assert _waiting_words(error) == "container not started yet (waiting: ContainerCreating)"
    once = ContainerLog(None, SRC, LogOptions(follow=False), None,  # type: ignore[arg-type]
                        LogSettings(), lambda s, st: None)
    assert once._refusal(error) == ("container app has not started: container not started "
                                    "yet (waiting: ContainerCreating)")


def test_ring_keeps_the_newest_and_counts_what_fell_out() -> None:
    ring = Ring(3)
    assert ring.extend(lines("a", "b")) == 0
    assert ring.extend(lines("c", "d")) == 1
    assert [ln.text for ln in ring] == ["b", "c", "d"]
    assert (ring.first, ring.total, ring.dropped) == (1, 4, 1)
    assert ring[3].text == "d" and ring[1].text == "b"
    with pytest.raises(IndexError):
        ring[0]
    assert ring.extend(lines("e", "f", "g", "h", "i")) == 5
    assert [ln.text for ln in ring] == ["g", "h", "i"] and ring.dropped == 6
    assert ring[8].text == "i"


def test_search_pattern_substring_or_regex() -> None:
    assert compile_search("a.b").search("xAxB")  # a regex when it compiles
    assert compile_search("(oops").search("an (OOPS here")  # else a literal
    assert compile_search("") is None


def test_clean_keeps_escapes_away_from_the_terminal() -> None:
    assert clean("\x1b[31mred\x1b[0m\tx\x07") == "red    x^G"
    assert clean("a\x9b2Jb\x1b]0;t\x07c") == "abc"


def test_pretty_json_level_message_fields_and_plain_lines() -> None:
    pieces = pretty_json('{"level":"warn","msg":"slow","ms":250,"tags":["a"]}')
    assert pieces is not None
    assert "".join(t for t, _ in pieces) == 'WARN  slow  ms=250  tags=["a"]'
    assert pieces[0][1] is not None and pieces[0][1].color.name == "yellow"
    assert pretty_json("plain {x}") is None and pretty_json("[1,2]") is None
    assert pretty_json("{broken") is None
