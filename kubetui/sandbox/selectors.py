"""Label and field selectors, parsed and matched as the API server does.

The label selector grammar and its error messages follow `labels.Parse`
(k8s.io/apimachinery/pkg/labels); field selectors follow `fields.ParseSelector`.
Bad syntax is a 400 whose message is the parser's, as the server answers a list call.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kubetui.sandbox import names
from kubetui.sandbox.errors import bad_request

LabelPredicate = Callable[[dict[str, str]], bool]
ObjectPredicate = Callable[[dict[str, Any]], bool]

# ----- label selectors -------------------------------------------------------------

_EQUALS, _DOUBLE_EQUALS, _NOT_EQUALS = "=", "==", "!="
_IN, _NOT_IN, _EXISTS, _NOT_EXISTS, _GT, _LT = "in", "notin", "exists", "!", "gt", "lt"
_BINARY_OPERATORS = (_IN, _NOT_IN, _EQUALS, _DOUBLE_EQUALS, _NOT_EQUALS, _GT, _LT)


@dataclass(frozen=True)
class Requirement:
    key: str
    op: str
    values: tuple[str, ...] = ()

    def matches(self, labels: dict[str, str]) -> bool:
        present = self.key in labels
        value = labels.get(self.key, "")
        if self.op in (_IN, _EQUALS, _DOUBLE_EQUALS):
            return present and value in self.values
        if self.op in (_NOT_IN, _NOT_EQUALS):
            return not present or value not in self.values
        if self.op == _EXISTS:
            return present
        if self.op == _NOT_EXISTS:
            return not present
        # gt / lt compare integers; a non-integer label value never matches.
        try:
            have, want = int(value), int(self.values[0])
        except ValueError:
            return False
        return present and (have > want if self.op == _GT else have < want)

    def __str__(self) -> str:
        if self.op == _EXISTS:
            return self.key
        if self.op == _NOT_EXISTS:
            return "!" + self.key
        values = ",".join(sorted(self.values))
        if self.op in (_IN, _NOT_IN):
            return f"{self.key} {self.op} ({values})"
        return f"{self.key}{_OP_TEXT.get(self.op, self.op)}{values}"


_OP_TEXT = {_GT: ">", _LT: "<"}


def _new_requirement(key: str, op: str, values: list[str]) -> Requirement:
    """Validate like labels.NewRequirement; raises ValueError with the server's text."""
    errs = []
    if problems := names.qualified_name(key):
        errs.append(f"key: Invalid value: {json.dumps(key)}: {'; '.join(problems)}")
    if op in (_IN, _NOT_IN) and not values:
        errs.append("values: Invalid value: []: for 'in', 'notin' operators, values set "
                    "can't be empty")
    if op in (_GT, _LT):
        for i, v in enumerate(values):
            try:
                int(v)
            except ValueError:
                errs.append(f"values[{i}]: Invalid value: {json.dumps(v)}: for 'Gt', 'Lt' "
                            "operators, the value must be an integer")
    for i, v in enumerate(values):
        if problems := names.label_value(v):
            errs.append(f"values[{i}][{key}]: Invalid value: {json.dumps(v)}: "
                        + "; ".join(problems))
    if errs:
        raise ValueError(errs[0] if len(errs) == 1 else f"[{', '.join(errs)}]")
    return Requirement(key, op, tuple(values))


# Lexer tokens.
_END, _CLOSE, _COMMA, _BANG, _DEQ, _EQ, _GT_T, _IDENT, _IN_T, _LT_T, _NEQ, _NOTIN_T, _OPEN = \
    range(13)
_SYMBOLS = {")": _CLOSE, ",": _COMMA, "!": _BANG, "==": _DEQ, "=": _EQ, ">": _GT_T,
            "in": _IN_T, "<": _LT_T, "!=": _NEQ, "notin": _NOTIN_T, "(": _OPEN}
_SPECIAL = set("=!(),><")
_SPACE = set(" \t\r\n")


def _lex(text: str) -> list[tuple[int, str]]:
    items: list[tuple[int, str]] = []
    i, n = 0, len(text)
    while True:
        while i < n and text[i] in _SPACE:
            i += 1
        if i >= n:
            items.append((_END, ""))
            return items
        if text[i] in _SPECIAL:
            # The longest run of special characters that is a known operator; every
            # single special character is one, so this always advances.
            j = i + 1
            while j < n and text[i:j + 1] in _SYMBOLS:
                j += 1
            items.append((_SYMBOLS[text[i:j]], text[i:j]))
            i = j
            continue
        j = i
        while j < n and text[j] not in _SPECIAL and text[j] not in _SPACE:
            j += 1
        word = text[i:j]
        items.append((_SYMBOLS.get(word, _IDENT), word))
        i = j


class _LabelParser:
    """Recursive descent over the token list, with labels.Parse's error messages."""

    def __init__(self, text: str) -> None:
        self.items = _lex(text)
        self.pos = 0

    def _peek(self, values: bool = True) -> tuple[int, str]:
        return self._token(self.items[self.pos], values)

    def _take(self, values: bool = True) -> tuple[int, str]:
        self.pos += 1
        return self._token(self.items[self.pos - 1], values)

    @staticmethod
    def _token(item: tuple[int, str], values: bool) -> tuple[int, str]:
        # In value context, "in" and "notin" are plain identifiers.
        if values and item[0] in (_IN_T, _NOTIN_T):
            return _IDENT, item[1]
        return item

    def parse(self) -> list[Requirement]:
        reqs: list[Requirement] = []
        while True:
            tok, lit = self._peek()
            if tok == _END:
                return reqs
            if tok not in (_IDENT, _BANG):
                raise ValueError(f"found '{lit}', expected: !, identifier, or 'end of string'")
            try:
                reqs.append(self._requirement())
            except ValueError as e:
                raise ValueError(f"unable to parse requirement: {e}") from None
            tok, lit = self._take()
            if tok == _END:
                return reqs
            if tok != _COMMA:
                raise ValueError(f"found '{lit}', expected: ',' or 'end of string'")
            tok, lit = self._peek()
            if tok not in (_IDENT, _BANG):
                raise ValueError(f"found '{lit}', expected: identifier after ','")

    def _requirement(self) -> Requirement:
        op = ""
        tok, key = self._take()
        if tok == _BANG:
            op = _NOT_EXISTS
            tok, key = self._take()
        if tok != _IDENT:
            raise ValueError(f"found '{key}', expected: identifier")
        if problems := names.qualified_name(key):
            raise ValueError(f"<nil>: Invalid value: {json.dumps(key)}: {'; '.join(problems)}")
        if op == _NOT_EXISTS or self._peek()[0] in (_END, _COMMA):
            return _new_requirement(key, op or _EXISTS, [])
        tok, lit = self._take(values=False)
        ops = {_IN_T: _IN, _NOTIN_T: _NOT_IN, _EQ: _EQUALS, _DEQ: _DOUBLE_EQUALS,
               _NEQ: _NOT_EQUALS, _GT_T: _GT, _LT_T: _LT}
        if tok not in ops:
            raise ValueError(f"found '{lit}', expected: {', '.join(_BINARY_OPERATORS)}")
        op = ops[tok]
        values = self._set_values() if op in (_IN, _NOT_IN) else self._exact_value()
        return _new_requirement(key, op, values)

    def _set_values(self) -> list[str]:
        tok, lit = self._take()
        if tok != _OPEN:
            raise ValueError(f"found '{lit}' expected: '('")
        tok, lit = self._peek()
        if tok == _CLOSE:
            self._take()
            return [""]
        if tok not in (_IDENT, _COMMA):
            raise ValueError(f"found '{lit}', expected: ',', ')' or identifier")
        values: set[str] = set()
        while True:
            tok, lit = self._take()
            if tok == _IDENT:
                values.add(lit)
                tok2, lit2 = self._peek()
                if tok2 == _CLOSE:
                    self._take()
                    return sorted(values)
                if tok2 != _COMMA:
                    raise ValueError(f"found '{lit2}', expected: ',' or ')'")
            elif tok == _COMMA:
                # Empty entries ("(,a)", "(a,)", "(a,,b)") stand for the empty value.
                if not values:
                    values.add("")
                tok2, _ = self._peek()
                if tok2 in (_CLOSE, _COMMA):
                    values.add("")
                if tok2 == _CLOSE:
                    self._take()
                    return sorted(values)
            else:
                raise ValueError(f"found '{lit}', expected: ',', or identifier")

    def _exact_value(self) -> list[str]:
        tok, _ = self._peek()
        if tok in (_END, _COMMA):
            return [""]
        tok, lit = self._take()
        if tok == _IDENT:
            return [lit]
        raise ValueError(f"found '{lit}', expected: identifier")


def parse_label_requirements(text: str) -> list[Requirement]:
    """The requirements of a label selector string, sorted by key; 400 on bad syntax."""
    try:
        reqs = _LabelParser(text).parse()
    except ValueError as e:
        raise bad_request(str(e)) from None
    return sorted(reqs, key=lambda r: r.key)


def _match_all(reqs: list[Requirement]) -> LabelPredicate:
    def predicate(labels: dict[str, str] | None) -> bool:
        ls = labels or {}
        return all(r.matches(ls) for r in reqs)
    return predicate


def parse_label_selector(text: str) -> LabelPredicate:
    """A predicate over a labels dict (None counts as no labels)."""
    return _match_all(parse_label_requirements(text))


# ----- LabelSelector objects ---------------------------------------------------------

_EXPRESSION_OPS = {"In": _IN, "NotIn": _NOT_IN, "Exists": _EXISTS, "DoesNotExist": _NOT_EXISTS}


def label_selector_requirements(selector: dict[str, Any]) -> list[Requirement]:
    """metav1.LabelSelectorAsSelector: the requirements of a LabelSelector object.
    Raises ValueError for an unknown operator or invalid keys/values."""
    reqs = [_new_requirement(k, _EQUALS, [v])
            for k, v in (selector.get("matchLabels") or {}).items()]
    for expr in selector.get("matchExpressions") or ():
        op = _EXPRESSION_OPS.get(expr.get("operator", ""))
        if op is None:
            raise ValueError(f"{json.dumps(expr.get('operator', ''))} is not a valid label "
                             "selector operator")
        values = list(expr.get("values") or ()) if op in (_IN, _NOT_IN) else []
        reqs.append(_new_requirement(expr.get("key", ""), op, values))
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

