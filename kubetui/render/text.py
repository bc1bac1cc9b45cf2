"""Go formatting that kubectl's printers rely on: labels, selectors, lists, values."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from collections.abc import Sequence
from typing import Any

from kubetui.render.model import Cell


def dig(obj: Any, *keys: str) -> Any:
    """obj[k0][k1]... or None as soon as a key is missing (or a value is null)."""
    for key in keys:
        if not isinstance(obj, dict):
            return None
        obj = obj.get(key)
    return obj


def format_labels(labels: dict[str, str] | None) -> str:
    """labels.FormatLabels: k=v pairs sorted by key, "<none>" when empty."""
    if not labels:
        return "<none>"
    return ",".join(f"{key}={labels[key]}" for key in sorted(labels))


_LINE_BREAK = re.compile("[\n\r\f]")  # where kubectl cuts a multi-line cell
_OPERATORS = {"In": " in ", "NotIn": " notin "}


def selector_string(selector: dict | None) -> str | None:
    """A LabelSelector as labels.Selector.String() prints it ("" matches everything or
    nothing); None if an operator is not one a selector accepts."""
    if not selector:
        return ""
    requirements = [(key, f"{key}={value}")
                    for key, value in (selector.get("matchLabels") or {}).items()]
    for expr in selector.get("matchExpressions") or []:
        key, operator = expr.get("key", ""), expr.get("operator")
        values = ",".join(sorted(expr.get("values") or []))
        if operator in _OPERATORS:
            requirements.append((key, f"{key}{_OPERATORS[operator]}({values})"))
        elif operator == "Exists":
            requirements.append((key, key))
        elif operator == "DoesNotExist":
            requirements.append((key, f"!{key}"))
        else:
            return None
    return ",".join(text for _, text in sorted(requirements, key=lambda r: r[0]))


def format_selector(selector: dict | None) -> str:
    """metav1.FormatLabelSelector: like selector_string, "<none>" when empty."""
    text = selector_string(selector)
    if text is None:
        return "<error>"
    return text or "<none>"


def container_cells(containers: list[dict] | None) -> tuple[str, str]:
    """The wide CONTAINERS and IMAGES cells: names and images, comma-separated."""
    containers = containers or []
    return (",".join(c.get("name", "") for c in containers),
            ",".join(c.get("image", "") for c in containers))


_ACCESS_MODES = (("ReadWriteOnce", "RWO"), ("ReadOnlyMany", "ROX"),
                 ("ReadWriteMany", "RWX"), ("ReadWriteOncePod", "RWOP"))


def access_modes(modes: list[str] | None) -> str:
    """helper.GetAccessModesAsString: RWO,ROX,RWX,RWOP in that fixed order."""
    modes = modes or []
    return ",".join(short for mode, short in _ACCESS_MODES if mode in modes)


def list_with_more(items: list[str], total: int, limit: int = 3, empty: str = "<unset>") -> str:
    """The first `limit` items, then " + N more..." for the rest of `total`."""
    text = ",".join(items[:limit])
    if total > limit:
        return f"{text} + {total - limit} more..."
    return text or empty


def go_float(value: float) -> str:
    """A float as Go's fmt %v prints it: shortest digits, exponent form from 1e+06 and
    below 1e-04, e.g. 1.5, 1e-05, 1.2345675e+06."""
    if value != value:
        return "NaN"
    if value in (float("inf"), float("-inf")):
        return "+Inf" if value > 0 else "-Inf"
    if value == 0:
        return "0"
    sign, digits, exponent = Decimal(repr(value)).normalize().as_tuple()
    count = len(digits)
    point = count + exponent  # position of the decimal point after the first digit
    exp = point - 1
    text = "".join(map(str, digits))
    if exp < -4 or exp >= 6:
        mantissa = text[0] + ("." + text[1:] if count > 1 else "")
        out = f"{mantissa}e{'-' if exp < 0 else '+'}{abs(exp):02d}"
    elif point <= 0:
        out = "0." + "0" * -point + text
    elif point >= count:
        out = text + "0" * (point - count)
    else:
        out = text[:point] + "." + text[point:]
    return ("-" if sign else "") + out


def go_json(value: Any) -> str:
    """json.Marshal's compact output: sorted keys, <, > and & escaped."""
    text = json.dumps(value, separators=(",", ":"), sort_keys=True, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def display_all(cells: Sequence[Cell]) -> tuple[str, ...]:
    """`display` of each cell. A row's cells are nearly always text without a line break:
    then one scan of them all, not a call and a scan per cell (a 50,000-pod list renders
    450,000 cells)."""
    try:
        joined = "".join(cells)  # type: ignore[arg-type]
    except TypeError:  # a cell that is not text
        return tuple(map(display, cells))
    return tuple(cells) if _LINE_BREAK.search(joined) is None else tuple(map(display, cells))


def display(cell: Cell) -> str:
    """A cell as kubectl prints it: Go's %v for numbers and bools, nothing for null, and a
    multi-line string cut at its first line break with "..." (kubectl's table printer)."""
    if type(cell) is str:  # nearly every cell: one regex scan
        cut = _LINE_BREAK.search(cell)
        return cell if cut is None else cell[:cut.start()] + "..."
    if cell is None:
        return ""
    if isinstance(cell, bool):
        return "true" if cell else "false"
    if isinstance(cell, int):
        return str(cell)
    if isinstance(cell, float):
        return str(int(cell)) if cell.is_integer() and abs(cell) < 1e21 else go_float(cell)
    cut = min((i for i in (cell.find(c) for c in "\n\r\f") if i >= 0), default=-1)
    return cell if cut < 0 else cell[:cut] + "..."
