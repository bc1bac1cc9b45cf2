"""What many describers print alike: values as Go prints them, the name/labels/annotations
header, the controller, conditions, and the events table."""

from __future__ import annotations

from datetime import datetime, timezone

from kubetui.render.age import parse_time, since
from kubetui.render.describe.writer import Writer
from kubetui.render.printers import base
from kubetui.render.printers.event import as_core_event, event_source
from kubetui.render.text import dig, go_float


_LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"


_MAX_ANNOTATION = 140


_GO_ZERO_TIME = datetime(1, 1, 1, tzinfo=timezone.utc)


def rfc1123(timestamp: str | None, now: datetime) -> str:
    """Go's time.RFC1123Z in the zone of `now` (the zero time for a missing timestamp)."""
    then = parse_time(timestamp)
    if then is None:
        return _GO_ZERO_TIME.strftime("%a, %d %b %Y %H:%M:%S +0000")
    return then.astimezone(now.tzinfo or timezone.utc).strftime("%a, %d %b %Y %H:%M:%S %z")


def go_value(value: object) -> str:
    """Go's %v of a JSON value."""
    if value is None:
        return "<nil>"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return go_float(value)
    if isinstance(value, list):
        return "[" + " ".join(go_value(v) for v in value) + "]"
    return str(value)


def print_bool(value: object) -> str:
    """kubectl's printBool: True/False."""
    return "True" if value else "False"


def or_none(text: str) -> str:
    return text or "<none>"


def write_labels(w: Writer, title: str, labels: dict | None, indent: str = "") -> None:
    """printLabelsMultilineWithIndent: one `k=v` per line, sorted, aligned."""
    w.write(0, f"{indent}{title}:\t")
    if not labels:
        w.write(0, "<none>\n")
        return
    for i, key in enumerate(sorted(labels)):
        if i:
            w.write(0, f"{indent}\t")
        w.write(0, f"{key}={labels[key]}\n")


def write_annotations(w: Writer, title: str, annotations: dict | None) -> None:
    """printAnnotationsMultiline: last-applied-configuration skipped, long or multi-line
    values on their own lines, each cut at 140 characters."""
    w.write(0, f"{title}:\t")
    keys = sorted(k for k in annotations or {} if k != _LAST_APPLIED)
    if not keys:
        w.write(0, "<none>\n")
        return
    assert annotations is not None
    for i, key in enumerate(keys):
        if i:
            w.write(0, "\t")
        value = annotations[key].removesuffix("\n")
        if len(value) + len(key) + 2 > _MAX_ANNOTATION or "\n" in value:
            w.write(0, f"{key}:\n")
            for part in value.split("\n"):
                cut = _MAX_ANNOTATION - 2
                w.write(0, f"\t  {part[:cut] + '...' if len(part) > cut else part}\n")
        else:
            w.write(0, f"{key}: {value}\n")


def write_header(w: Writer, obj: dict, namespaced: bool = True) -> None:
    """Name, Namespace, Labels, Annotations: how most describers begin."""
    meta = base.meta(obj)
    w.write(0, f"Name:\t{meta.get('name', '')}\n")
    if namespaced:
        w.write(0, f"Namespace:\t{meta.get('namespace', '')}\n")
    write_labels(w, "Labels", meta.get("labels"))
    write_annotations(w, "Annotations", meta.get("annotations"))


def _controller(obj: dict) -> str:
    ref = next((r for r in base.meta(obj).get("ownerReferences") or [] if r.get("controller")),
               None)
    return f"{ref.get('kind', '')}/{ref.get('name', '')}" if ref else ""


def write_controller(w: Writer, obj: dict) -> None:
    if controlled_by := _controller(obj):
        w.write(0, f"Controlled By:\t{controlled_by}\n")



def write_conditions(w: Writer, obj: dict) -> None:
    """The Type/Status/Reason conditions table of Deployments and ReplicaSets."""
    conditions = base.status(obj).get("conditions") or []
    if conditions:
        w.write(0, "Conditions:\n  Type\tStatus\tReason\n")
        w.write(1, "----\t------\t------\n")
        for c in conditions:
            w.write(1, f"{c.get('type', '')} \t{c.get('status', '')}\t{c.get('reason', '')}\n")


def write_events(w: Writer, events: list[dict], now: datetime) -> None:
    """DescribeEvents: oldest first; "5m (x3 over 20m)" for repeated events."""
    if not events:
        w.write(0, "Events:\t<none>\n")
        return
    w.flush()
    items = sorted((as_core_event(e) for e in events),
                   key=lambda e: parse_time(e.get("lastTimestamp")
                                            or dig(e, "series", "lastObservedTime")
                                            or e.get("eventTime")) or _GO_ZERO_TIME)
    w.write(0, "Events:\n  Type\tReason\tAge\tFrom\tMessage\n")
    w.write(1, "----\t------\t----\t----\t-------\n")
    for e in items:
        first = (since(e["eventTime"], now) if e.get("eventTime")
                 else since(e.get("firstTimestamp"), now))
        series, count = e.get("series"), e.get("count") or 0
        if series:
            age = (f"{since(series.get('lastObservedTime'), now)} "
                   f"(x{series.get('count', 0)} over {first})")
        elif count > 1:
            age = f"{since(e.get('lastTimestamp'), now)} (x{count} over {first})"
        else:
            age = first
        source = event_source(e)[0]  # the component only, as kubectl describe's From
        w.write(1, f"{e.get('type', '')}\t{e.get('reason', '')}\t{age}\t{source}\t"
                   f"{(e.get('message') or '').strip()}\n")
