"""A unified diff between two revisions of a release: values (computed) and manifest."""

from __future__ import annotations

import difflib

from kubetui.helm.releases import Revision, values_text


def _lines(text: str) -> list[str]:
    return text.splitlines(keepends=True) if text.endswith("\n") or not text \
        else (text + "\n").splitlines(keepends=True)


def revision_diff(old: Revision, new: Revision) -> str:
    """`--- name rev N` / `+++ name rev M` hunks for the computed values, then for the
    manifest; a line saying so when they are the same."""
    parts: list[str] = []
    for what, before, after in (
            ("values", values_text(old.computed_values), values_text(new.computed_values)),
            ("manifest", old.manifest, new.manifest)):
        parts += difflib.unified_diff(
            _lines(before), _lines(after),
            fromfile=f"{old.name} revision {old.revision} {what}",
            tofile=f"{new.name} revision {new.revision} {what}")
    if not parts:
        return (f"revisions {old.revision} and {new.revision} of {new.name} have the same "
                "values and manifest\n")
    return "".join(parts)
