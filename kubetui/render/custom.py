"""Columns of custom resources, from a CRD version's additionalPrinterColumns, as the
apiextensions server's table convertor builds them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from kubetui.render.age import parse_time, since
from kubetui.render.jsonpath import JSONPathError, evaluate
from kubetui.render.model import OK, PENDING, Cell, Column, RowHealth
from kubetui.render.printers.base import NAME, condition, name
from kubetui.render.text import go_float, go_json

#: What the server serves for a CRD version that declares no printer columns.
DEFAULT_PRINTER_COLUMNS: tuple[dict, ...] = ({
    "name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp",
    "description": "Time since the object was created (metadata.creationTimestamp).",
},)
_SORTS = {"integer": "number", "number": "number", "date": "age"}


def _definitions(printer_columns: list[dict] | None) -> list[dict] | tuple[dict, ...]:
    return printer_columns or DEFAULT_PRINTER_COLUMNS


def crd_columns(printer_columns: list[dict] | None) -> list[Column]:
    """NAME, then each printer column in order (AGE only when there are none)."""
    columns = [NAME]
    for definition in _definitions(printer_columns):
        kind = definition.get("type", "string")
        path = definition.get("jsonPath", "")
        columns.append(Column(
            name=definition["name"].upper(), type=kind, format=definition.get("format", ""),
            priority=definition.get("priority", 0),
            description=definition.get("description")
            or f"Custom resource definition column (in JSONPath format): {path}",
            sort=_SORTS.get(kind, "text"), age=kind == "date", api_name=definition["name"]))
    return columns


def crd_cells(printer_columns: list[dict] | None, obj: dict,
              now: datetime) -> tuple[list[Cell], RowHealth]:
    """The typed cells of one custom resource, and its health from a Ready condition."""
    cells: list[Cell] = [name(obj)]
    for definition in _definitions(printer_columns):
        try:
            found = evaluate(definition.get("jsonPath", ""), obj)
        except JSONPathError:
            found = []
        kind = definition.get("type", "string")
        cells.append(_cell(kind, found[0], now) if found else None)
    ready = condition(obj, "Ready")
    return cells, PENDING if ready is not None and ready.get("status") != "True" else OK


def _cell(kind: str, value: Any, now: datetime) -> Cell:
    """cellForJSONValue: the value if it has the column's type, else null; dates become
    ages and string columns print any value as JSONPath prints it."""
    if value is None:
        return None
    is_number = isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind == "string":
        return _text(value)
    if kind == "integer" and is_number:
        return int(value)
    if kind == "number" and is_number:
        return float(value)
    if kind == "boolean" and isinstance(value, bool):
        return value
    if kind == "date" and isinstance(value, str):
        return since(value, now) if parse_time(value) else "<invalid>"
    return None


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return go_float(value)
    if isinstance(value, (dict, list)):
        return go_json(value)
    return str(value)
