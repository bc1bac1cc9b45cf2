"""What every per-kind printer is made of: its columns and one function from object to
cells and health. The cells are the server's Table cells (typed); rows shown in the UI
are these same cells as text."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from kubetui.render.age import since
from kubetui.render.model import Cell, Column, RowHealth

Render = Callable[[dict, datetime], tuple[list[Cell], RowHealth]]


@dataclass(frozen=True, slots=True)
class Printer:
    kind: str
    group: str
    columns: tuple[Column, ...]
    render: Render


def column(api_name: str, type: str = "string", *, priority: int = 0, sort: str = "",
           age: bool = False, format: str = "", description: str = "") -> Column:
    """A column named as the server names it; kubectl's header is that name upper-cased."""
    default_sort = "number" if type in ("integer", "number") else "text"
    return Column(name=api_name.upper(), type=type, format=format, priority=priority,
                  description=description, sort=sort or default_sort, age=age,
                  api_name=api_name)


def wide(api_name: str, type: str = "string", **kw) -> Column:
    return column(api_name, type, priority=1, **kw)


NAME = column("Name", format="name", description="Name of the object, unique within its "
              "namespace (or the cluster, for cluster-scoped kinds).")
AGE = column("Age", sort="age", age=True,
             description="Time since the object was created (metadata.creationTimestamp).")
CONTAINERS = wide("Containers", description="Names of each container in the template.")
IMAGES = wide("Images", description="Images referenced by each container in the template.")
SELECTOR = wide("Selector")


def meta(obj: dict) -> dict:
    return obj.get("metadata") or {}


def name(obj: dict) -> str:
    return meta(obj).get("name", "")


def age(obj: dict, now: datetime) -> str:
    return since(meta(obj).get("creationTimestamp"), now)


def spec(obj: dict) -> dict:
    return obj.get("spec") or {}


def status(obj: dict) -> dict:
    return obj.get("status") or {}


def condition(obj: dict, kind: str) -> dict | None:
    """The status condition of type `kind`, if the object reports one."""
    return next((c for c in status(obj).get("conditions") or [] if c.get("type") == kind),
                None)


def condition_true(obj: dict, kind: str) -> bool:
    found = condition(obj, kind)
    return found is not None and found.get("status") == "True"


def int_or_string(value: int | str | None, missing: str = "N/A") -> str:
    return missing if value is None else str(value)
