"""k9s's key names (`shortCut: Shift-0`, `Ctrl-L`, `b`) as the key a terminal app receives.

k9s takes tcell's names plus its own: `a`-`z`, `0`-`9`, `Shift-A`-`Shift-Z` (the capital
letter) and `Shift-0`-`Shift-9` (the US-keyboard symbol above the digit: Shift-0 is `)`).
The result is Textual's spelling: a character (`A`, `)`), `ctrl+l`, `f5`.
"""

from __future__ import annotations

import string

_SHIFTED_DIGITS = dict(zip("0123456789", ")!@#$%^&*(", strict=True))
_NAMED = {"enter": "enter", "esc": "escape", "tab": "tab", "backtab": "shift+tab",
          "delete": "delete", "insert": "insert", "backspace": "backspace", "home": "home",
          "end": "end", "pgup": "pageup", "pgdn": "pagedown", "up": "up", "down": "down",
          "left": "left", "right": "right"}


def k9s_key(shortcut: str) -> str | None:
    """The key for a k9s shortcut name; None when k9s would not know it."""
    text = shortcut.strip()
    head, dash, tail = text.partition("-")
    modifier = head.lower() if dash else ""
    if not dash:
        if len(text) == 1 and text in string.ascii_lowercase + string.digits:
            return text
        low = text.lower()
        if low in _NAMED:
            return _NAMED[low]
        if low[:1] == "f" and low[1:].isdigit() and 1 <= int(low[1:]) <= 24:
            return low
        return None
    if len(tail) != 1:
        return None
    if modifier == "shift":
        if tail.upper() in string.ascii_uppercase:
            return tail.upper()
        return _SHIFTED_DIGITS.get(tail)
    if modifier == "ctrl" and tail.lower() in string.ascii_lowercase:
        return f"ctrl+{tail.lower()}"
    return None
