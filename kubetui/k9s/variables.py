"""k9s's plugin variables: `$NAME`, `${NAME}`, `$COL-READY`, `${COL-%CPU/L}` and the
inverted booleans `$!VAR`, substituted in a plugin's arguments (k9s `internal/view/env.go`
behaviour: names are matched upper-cased, longest first; an unknown name stays as written;
`$NAME-x` is one (unknown) name, write `${NAME}-x`;
a value that reads as a boolean and not as a number is written `true`/`false`)."""

from __future__ import annotations

import re
from collections.abc import Mapping

_VARIABLE = re.compile(r"\$(!?)([\w\-]+)|\$\{(!?)([\w\-%/: ]+)\}", re.ASCII)
_TRUE = frozenset({"1", "t", "T", "TRUE", "true", "True"})
_FALSE = frozenset({"0", "f", "F", "FALSE", "false", "False"})


def is_number(value: str) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return True


def _value(raw: str, invert: bool) -> str:
    if is_number(raw) or raw not in _TRUE | _FALSE:
        return raw
    truth = (raw in _TRUE) != invert
    return "true" if truth else "false"


def substitute(text: str, variables: Mapping[str, str]) -> str:
    """`text` with every known variable replaced by its value."""
    env = {k.upper(): v for k, v in variables.items()}

    def one(match: re.Match[str]) -> str:
        invert = bool(match.group(1) or match.group(3))
        name = (match.group(2) or match.group(4)).upper()
        if name in env:
            return _value(env[name], invert)
        return match.group(0)

    return _VARIABLE.sub(one, text)
