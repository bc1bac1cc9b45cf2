"""The render package covers every kind kubetui browses (its purity: tests/test_layers.py)."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from kubetui.kinds import BUILTIN_KINDS, browsable
from kubetui.render import columns_for, render_row
from kubetui.render.printers import PRINTERS


@pytest.mark.parametrize("kind", browsable(), ids=lambda k: f"{k.group or 'core'}/{k.kind}")
def test_every_browsable_kind_has_kubectls_printer(kind) -> None:
    assert (kind.group, kind.kind) in PRINTERS
    columns = columns_for(kind.kind, kind.group)
    assert columns[0].name in ("NAME", "LAST SEEN")
    assert len({c.name for c in columns}) == len(columns)


@pytest.mark.parametrize("kind", BUILTIN_KINDS, ids=lambda k: f"{k.group or 'core'}/{k.kind}")
def test_every_kind_renders_an_empty_object(kind) -> None:
    """A row per column, whatever fields an object lacks."""
    now = datetime(2024, 6, 1, tzinfo=timezone.utc)
    row = render_row(kind.kind, {"metadata": {"name": "x"}}, now, kind.group)
    assert len(row.cells) == len(columns_for(kind.kind, kind.group))
    assert row.health in ("ok", "pending", "failed", "done", "terminating")


def test_deletion_marks_any_healthy_object_terminating(obj, now) -> None:
    cm = obj("core", "configmap")
    assert render_row("ConfigMap", cm, now).health == "ok"
    cm["metadata"]["deletionTimestamp"] = "2024-06-01T11:59:00Z"
    assert render_row("ConfigMap", cm, now).health == "terminating"
    deploy = obj("apps", "deployment_unavailable")
    assert render_row("Deployment", deploy, now).health == "pending"
    deploy["metadata"]["deletionTimestamp"] = "2024-06-01T11:59:00Z"
    assert render_row("Deployment", deploy, now).health == "terminating"
    job = obj("batch", "job_failed")
    job["metadata"]["deletionTimestamp"] = "2024-06-01T11:59:00Z"
    assert render_row("Job", job, now).health == "failed"  # Failed outranks Terminating


def test_multi_line_cells_are_cut_like_kubectl(obj, now) -> None:
    event = obj("events", "normal")
    event["message"] = "first line\nsecond line"
    assert render_row("Event", event, now).cells[6] == "first line..."
