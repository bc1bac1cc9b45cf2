"""Label and field selectors, parsed and matched as the API server does.

The label selector grammar and its error messages are `kubetui.selectors` (a port of
`labels.Parse`, shared with the UI's filter); field selectors follow `fields.ParseSelector`.
Bad syntax is a 400 whose message is the parser's, as the server answers a list call.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from kubetui.sandbox.errors import bad_request
from kubetui.selectors import (EQUALS, EXISTS, IN, NOT_EXISTS, NOT_IN, LabelRequirement,
                               new_requirement, parse_requirements)

LabelPredicate = Callable[[dict[str, str]], bool]
ObjectPredicate = Callable[[dict[str, Any]], bool]

# ----- label selectors -------------------------------------------------------------


def parse_label_requirements(text: str) -> list[LabelRequirement]:
    """The requirements of a label selector string, sorted by key; 400 on bad syntax."""
    try:
        reqs = parse_requirements(text)
    except ValueError as e:
        raise bad_request(str(e)) from None
    return sorted(reqs, key=lambda r: r.key)


def _match_all(reqs: list[LabelRequirement]) -> LabelPredicate:
    def predicate(labels: dict[str, str] | None) -> bool:
        ls = labels or {}
        return all(r.matches(ls) for r in reqs)
    return predicate


def parse_label_selector(text: str) -> LabelPredicate:
    """A predicate over a labels dict (None counts as no labels)."""
    return _match_all(parse_label_requirements(text))


# ----- LabelSelector objects ---------------------------------------------------------

_EXPRESSION_OPS = {"In": IN, "NotIn": NOT_IN, "Exists": EXISTS, "DoesNotExist": NOT_EXISTS}


def label_selector_requirements(selector: dict[str, Any]) -> list[LabelRequirement]:
    """metav1.LabelSelectorAsSelector: the requirements of a LabelSelector object.
    Raises ValueError for an unknown operator or invalid keys/values."""
    reqs = [new_requirement(k, EQUALS, [v])
            for k, v in (selector.get("matchLabels") or {}).items()]
    for expr in selector.get("matchExpressions") or ():
        op = _EXPRESSION_OPS.get(expr.get("operator", ""))
        if op is None:
            raise ValueError(f"{json.dumps(expr.get('operator', ''))} is not a valid label "
                             "selector operator")
        values = list(expr.get("values") or ()) if op in (IN, NOT_IN) else []
        reqs.append(new_requirement(expr.get("key", ""), op, values))
    return sorted(reqs, key=lambda r: r.key)


def selector_matches(selector: dict[str, Any] | None, labels: dict[str, str] | None) -> bool:
    """Nil matches nothing, empty matches everything, an invalid selector nothing."""
    if selector is None:
        return False
    try:
        reqs = label_selector_requirements(selector)
    except ValueError:
        return False
    return _match_all(reqs)(labels)


def selector_to_string(selector: dict[str, Any] | None) -> str:
    """metav1.FormatLabelSelector: "a=b,c in (x,y)", "<none>" when empty or nil."""
    if selector is None:
        return "<none>"
    try:
        reqs = label_selector_requirements(selector)
    except ValueError:
        return "<error>"
    return ",".join(str(r) for r in reqs) or "<none>"


# ----- field selectors ---------------------------------------------------------------

# Fields whose value the server derives rather than reads at the same path.
_FIELD_ALIASES = {"source": "source.component"}
# Booleans the server always renders, so absent means "false" rather than "".
_FALSE_WHEN_ABSENT = {"spec.unschedulable", "spec.hostNetwork"}


def _split_terms(text: str) -> list[str]:
    """Split on commas that are not backslash-escaped (the backslash is kept)."""
    terms, start, escaped = [], 0, False
    for i, c in enumerate(text):
        if escaped:
            escaped = False
        elif c == "\\":
            escaped = True
        elif c == ",":
            terms.append(text[start:i])
            start = i + 1
    terms.append(text[start:])
    return terms


def _unescape(value: str) -> str:
    out, escaped = [], False
    for c in value:
        if escaped:
            if c not in "\\,=":
                raise bad_request(f"invalid field selector: invalid escape sequence: \\{c}")
            out.append(c)
            escaped = False
        elif c == "\\":
            escaped = True
        elif c in ",=":
            raise bad_request(f"invalid field selector: unescaped character in value: {ord(c)}")
        else:
            out.append(c)
    if escaped:
        raise bad_request("invalid field selector: invalid escape sequence: \\")
    return "".join(out)


def field_value(obj: dict[str, Any], path: str) -> str:
    """The string a field selector compares against: "" when missing, Go's bool text."""
    cur: Any = obj
    for part in _FIELD_ALIASES.get(path, path).split("."):
        cur = cur.get(part) if isinstance(cur, dict) else None
    if cur is None:
        return "false" if path in _FALSE_WHEN_ABSENT else ""
    if isinstance(cur, bool):
        return "true" if cur else "false"
    return str(cur)


def parse_field_selector(text: str) -> ObjectPredicate:
    """A predicate over whole objects. Any dotted path is accepted (the server would
    also refuse field labels a kind does not index; that check is the caller's)."""
    terms: list[tuple[str, bool, str]] = []  # (path, equal?, value)
    for part in sorted(_split_terms(text) if text else []):
        if not part:
            continue
        for i in range(len(part)):
            op = next((o for o in ("!=", "==", "=") if part.startswith(o, i)), None)
            if op:
                terms.append((part[:i], op != "!=", _unescape(part[i + len(op):])))
                break
        else:
            raise bad_request(f"invalid selector: '{text}'; can't understand '{part}'")

    def predicate(obj: dict[str, Any]) -> bool:
        return all((field_value(obj, path) == value) == equal for path, equal, value in terms)
    return predicate

