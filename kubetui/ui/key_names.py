"""Whether a key name from the config file's keymap is one Textual knows, so that a typo
(`app.filter: "not a key!!"`) is refused at start instead of leaving the action unbound."""

from __future__ import annotations

from textual.keys import REPLACED_KEYS, Keys, key_to_character

__all__ = ["unknown_key"]

_MODIFIERS = frozenset({"ctrl", "shift", "alt", "meta", "super", "hyper"})
# Named keys, and the short names Textual gives some characters ("slash", "minus").
_NAMED = frozenset({k.value for k in Keys if not k.value.startswith("<")} | set(REPLACED_KEYS))


def _known(key: str) -> bool:
    *modifiers, base = key.split("+")
    if not base or any(m not in _MODIFIERS for m in modifiers):
        return False
    if len(base) == 1:
        return base.isprintable() and not base.isspace()
    return base in _NAMED or key_to_character(base) is not None


def unknown_key(keys: str) -> str | None:
    """The first key of a comma-separated list (as `Binding` takes) Textual does not
    know; None when all are known."""
    return next((k.strip() for k in keys.split(",") if not _known(k.strip())), None)
