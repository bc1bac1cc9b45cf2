"""Pure row rendering with kubectl's columns and STATUS rules; imports no Textual.

One implementation serves both the sandbox API server (server-side Tables for
`kubectl get`, see `table.to_table`) and the UI's rows (`columns_for`, `render_row`).
"""

from __future__ import annotations

from kubetui.render.age import age_seconds, format_age
from kubetui.render.columns import (Column, Row, columns_for, crd_columns, has_printer,
                                    render_crd_row, render_row)
from kubetui.render.table import to_table

__all__ = ["Column", "Row", "age_seconds", "columns_for", "crd_columns", "format_age",
           "has_printer", "render_crd_row", "render_row", "to_table"]
