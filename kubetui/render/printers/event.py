"""Events, core/v1 and events.k8s.io/v1: LAST SEEN TYPE REASON OBJECT MESSAGE."""

from __future__ import annotations

from datetime import datetime

from kubetui.render.age import since
from kubetui.render.model import FAILED, OK, Cell, RowHealth
from kubetui.render.printers.base import Printer, column, name, wide

COLUMNS = (
    column("Last Seen", sort="age", age=True),
    column("Type"),
    column("Reason"),
    column("Object"),
    wide("Subobject"),
    wide("Source"),
    column("Message"),
    wide("First Seen", sort="age", age=True),
    wide("Count", sort="number"),
    wide("Name", format="name"),
)

#: events.k8s.io/v1 field -> the core/v1 field holding the same thing.
_NEW_TO_CORE = {
    "regarding": "involvedObject",
    "note": "message",
    "deprecatedFirstTimestamp": "firstTimestamp",
    "deprecatedLastTimestamp": "lastTimestamp",
    "deprecatedCount": "count",
    "deprecatedSource": "source",
    "reportingController": "reportingComponent",  # the same Go field, JSON-named apart
}


def as_core_event(event: dict) -> dict:
    """An events.k8s.io/v1 Event with its fields under their core/v1 names (the server
    prints both versions from one internal type)."""
    return {_NEW_TO_CORE.get(key, key): value for key, value in event.items()}


def last_seen_time(event: dict) -> str | None:
    """When an Event (core/v1 fields) was last seen, as kubectl's LAST SEEN counts it."""
    series = event.get("series")
    if series is not None:
        return series.get("lastObservedTime")
    return event.get("lastTimestamp") or event.get("firstTimestamp") or event.get("eventTime")


def event_source(event: dict) -> tuple[str, str]:
    """(component, host) as kubectl's formatEventSource picks them: the source's, else
    the reporting controller's (core/v1 `reportingComponent`) and instance."""
    source = event.get("source") or {}
    return (source.get("component") or event.get("reportingComponent") or "",
            source.get("host") or event.get("reportingInstance") or "")


def render(event: dict, now: datetime) -> tuple[list[Cell], RowHealth]:
    event = as_core_event(event)
    first_seen = (since(event["firstTimestamp"], now) if event.get("firstTimestamp")
                  else since(event.get("eventTime"), now))
    last_seen = since(last_seen_time(event), now)
    series = event.get("series")
    if series is not None:
        count = series.get("count", 0)
    else:
        count = event.get("count") or 1  # singleton events of the new API have no count
    involved = event.get("involvedObject") or {}
    target = involved.get("kind", "").lower()
    if involved.get("name"):
        target = f"{target}/{involved['name']}"
    component, host = event_source(event)
    cells: list[Cell] = [
        last_seen, event.get("type", ""), event.get("reason", ""), target,
        involved.get("fieldPath", ""), f"{component}, {host}" if host else component,
        (event.get("message") or "").strip(), first_seen, count, name(event),
    ]
    return cells, FAILED if event.get("type") == "Warning" else OK


PRINTERS = (
    Printer("Event", "", COLUMNS, render),
    Printer("Event", "events.k8s.io", COLUMNS, render),
)
