"""Columns and rows for any kind: the one entry point the UI and the sandbox share."""

from __future__ import annotations

from datetime import datetime

from kubetui.render import printers
from kubetui.render.custom import crd_cells, crd_columns
from kubetui.render.model import OK, PENDING, TERMINATING, Cell, Column, RowHealth, Row
from kubetui.render.text import display_all

__all__ = ["Column", "Row", "columns_for", "crd_columns", "has_printer", "render_crd_row",
           "render_row", "render_values"]


def has_printer(kind: str, group: str) -> bool:
    """Whether `kind` has columns of its own here (built-in kinds, metrics); the others are
    printed with their CRD's printer columns, or NAME and AGE."""
    return printers.find(kind, group) is not None


def columns_for(kind: str, group: str = "") -> list[Column]:
    """kubectl's columns for `kind` (wide ones included); NAME and AGE for unknown kinds,
    as the server serves a custom resource without printer columns."""
    printer = printers.find(kind, group)
    return list(printer.columns) if printer else crd_columns(None)


def render_values(kind: str, obj: dict, now: datetime, group: str = "",
                  printer_columns: list[dict] | None = None) -> tuple[list[Cell], RowHealth]:
    """The typed cells of `obj` as the server's Table carries them, and its health.
    With `printer_columns` the object is a custom resource and `kind` is not consulted."""
    printer = None if printer_columns is not None else printers.find(kind, group)
    if printer is not None:
        cells, health = printer.render(obj, now)
    else:
        cells, health = crd_cells(printer_columns, obj, now)
    if health in (OK, PENDING) and (obj.get("metadata") or {}).get("deletionTimestamp"):
        health = TERMINATING
    return cells, health


def render_row(kind: str, obj: dict, now: datetime, group: str = "") -> Row:
    cells, health = render_values(kind, obj, now, group)
    return Row(cells=display_all(cells), health=health)


def render_crd_row(printer_columns: list[dict], obj: dict, now: datetime) -> Row:
    """A custom resource's row; each printer column's JSONPath evaluated against `obj`."""
    cells, health = render_values("", obj, now, printer_columns=printer_columns)
    return Row(cells=display_all(cells), health=health)
