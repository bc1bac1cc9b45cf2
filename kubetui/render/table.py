"""meta.k8s.io/v1 Table responses, as the API server builds them for `kubectl get`."""

from __future__ import annotations

from datetime import datetime

from kubetui.render.columns import columns_for, render_values
from kubetui.render.custom import crd_columns

INCLUDE_OBJECT = ("Metadata", "Object", "None")
#: Row conditions the server sets on pods that have finished.
_POD_DONE = {
    "Succeeded": {"type": "Completed", "status": "True", "reason": "Succeeded",
                  "message": "The pod has completed successfully."},
    "Failed": {"type": "Completed", "status": "True", "reason": "Failed",
               "message": "The pod failed."},
}


def to_table(kind: str, objs: list[dict], now: datetime, group: str = "",
             include_object: str = "Metadata", wide_all: bool = True,
             printer_columns: list[dict] | None = None) -> dict:
    """A Table of `objs`. Cells keep the server's JSON types (ints for counts, a bool for
    ALLOWVOLUMEEXPANSION, null for a custom column that found nothing). The real server
    always sends every column; kubectl hides priority>0 ones unless -o wide. Pass
    `printer_columns` (possibly []) for custom resources. The caller sets
    metadata.resourceVersion."""
    if include_object not in INCLUDE_OBJECT:
        raise ValueError(f"includeObject must be one of {INCLUDE_OBJECT}, not {include_object!r}")
    columns = (crd_columns(printer_columns) if printer_columns is not None
               else columns_for(kind, group))
    shown = [i for i, c in enumerate(columns) if wide_all or c.priority == 0]
    rows = []
    for obj in objs:
        cells, _ = render_values(kind, obj, now, group, printer_columns)
        row: dict = {"cells": [cells[i] for i in shown], "object": _row_object(obj, include_object)}
        done = _POD_DONE.get((obj.get("status") or {}).get("phase", "")) if kind == "Pod" else None
        if done and printer_columns is None:
            row["conditions"] = [done]
        rows.append(row)
    return {
        "kind": "Table",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": {},
        "columnDefinitions": [
            {"name": columns[i].table_name, "type": columns[i].type,
             "format": columns[i].format, "description": columns[i].description,
             "priority": columns[i].priority}
            for i in shown
        ],
        "rows": rows,
    }


def _row_object(obj: dict, include_object: str) -> dict | None:
    if include_object == "None":
        return None
    if include_object == "Object":
        return obj
    return {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1",
            "metadata": obj.get("metadata") or {}}
