"""Widgets for outside text: whatever they are given is shown through the one sanitiser
(`kubetui.render.sanitize`) and never read as markup. Titles, dialog bodies, error lines
and status lines use these, so a new view that does is covered without more work."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Label, Static

from kubetui.render.sanitize import safe_text, sanitize_text

__all__ = ["SafeLabel", "SafeStatic", "safe"]


def safe(content: object, lines: bool = True) -> Text:
    """A str (or a styled Rich `Text` built from outside strings) ready to draw."""
    if isinstance(content, Text):
        return sanitize_text(content, lines)
    return safe_text("" if content is None else content, lines=lines)


class SafeStatic(Static):
    """A `Static` whose content is sanitised, at creation and on every `update`."""

    def __init__(self, content: object = "", **kwargs: object) -> None:
        super().__init__(safe(content), **kwargs)  # type: ignore[arg-type]

    def update(self, content: object = "", *, layout: bool = True) -> None:
        super().update(safe(content), layout=layout)


class SafeLabel(SafeStatic, Label):
    """A `Label` (its look) with `SafeStatic`'s sanitising."""
