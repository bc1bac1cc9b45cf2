"""The two value types every renderer produces: column definitions and rendered rows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

#: One cell as the server's Table carries it: most are strings, some columns carry ints
#: (READY counts, DATA...), StorageClass's ALLOWVOLUMEEXPANSION a bool, a custom resource's
#: column whatever its type says; None where a custom column's path found nothing.
Cell = str | int | float | bool | None

RowHealth = Literal["ok", "pending", "failed", "done", "terminating"]
OK: Final = "ok"
PENDING: Final = "pending"
FAILED: Final = "failed"
DONE: Final = "done"
TERMINATING: Final = "terminating"


@dataclass(frozen=True, slots=True)
class Column:
    name: str  # header as kubectl prints it: "NAME", "READY", "STATUS", "AGE"
    type: str = "string"  # "string" | "integer" | "number" | "date" | "boolean"
    format: str = ""  # "name" for the NAME column, as the real server sets it
    priority: int = 0  # 0 = default columns, 1 = only with -o wide
    description: str = ""
    sort: str = "text"  # "text" | "number" | "age" | "ratio" | "quantity"
    age: bool = False  # the cell depends on `now` (AGE, LAST SEEN, "3 (5m ago)"...)
    api_name: str = ""  # the name in the server's Table ("Cluster-IP"); kubectl upper-cases it

    @property
    def table_name(self) -> str:
        return self.api_name or self.name


@dataclass(frozen=True, slots=True)
class Row:
    cells: tuple[str, ...]  # one string per column (wide ones included), rendered at `now`
    health: RowHealth
