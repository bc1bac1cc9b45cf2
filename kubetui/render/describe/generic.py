"""kubectl's generic describer, for every kind without one of its own: the object's fields
as a tree of smart labels."""

from __future__ import annotations

import re
from datetime import datetime

from kubetui.render.describe.common import go_value, write_events, write_header
from kubetui.render.describe.writer import Related, Writer


_ACRONYMS = ("API", "URL", "UID", "GUID")


_CAMEL = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+|[^A-Za-z0-9]+")


def smart_label(field: str) -> str:
    """smartLabelFor: `apiVersion` -> "API Version", `creationTimestamp` -> "Creation
    Timestamp"; names with characters other than letters and '-' stay as they are."""
    if any(not (c.isalpha() or c == "-") for c in field):
        return field
    parts = _CAMEL.findall(field)
    merged: list[str] = []
    i = 0
    while i < len(parts):
        part = parts[i]
        if (i + 1 < len(parts) and len(part) >= 2 and part.isupper()
                and parts[i + 1][:1].isupper()):
            merged.append(part + parts[i + 1])
            i += 2
            continue
        merged.append(part)
        i += 1
    words = []
    for part in merged:
        if part == "_":
            continue
        if part.upper() in _ACRONYMS:
            part = part.upper()
        elif part.lower() == part:
            part = part.title()
        words.append(part)
    return " ".join(words)


_GENERIC_SKIP = {".metadata.managedFields", ".metadata.name", ".metadata.namespace",
                 ".metadata.labels", ".metadata.annotations"}


def _tree(w: Writer, level: int, content: dict, prefix: str) -> None:
    """printUnstructuredContent: sorted fields, maps and lists nested a level deeper."""
    for field in sorted(content):
        path = f"{prefix}.{field}"
        if path in _GENERIC_SKIP:
            continue
        value = content[field]
        if isinstance(value, dict):
            w.write(level, f"{smart_label(field)}:\n")
            _tree(w, level + 1, value, path)
        elif isinstance(value, list):
            w.write(level, f"{smart_label(field)}:\n")
            for child in value:
                if isinstance(child, dict):
                    _tree(w, level + 1, child, path)
                else:
                    w.write(level + 1, f"{go_value(child)}\n")
        else:
            w.write(level, f"{smart_label(field)}:\t{go_value(value)}\n")


def describe_generic(w: Writer, obj: dict, events: list[dict], related: Related,
                      now: datetime) -> None:
    write_header(w, obj)
    _tree(w, 0, obj, "")
    write_events(w, events, now)
