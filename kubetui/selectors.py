"""Label selectors as the API server parses them (`labels.Parse` of
k8s.io/apimachinery/pkg/labels), with its error messages: the sandbox answers a bad
`labelSelector` with them, and the table's `-l` filter shows them. Pure: no I/O.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass

from kubetui import names

__all__ = ["EQUALS", "EXISTS", "GT", "IN", "LT", "NOT_EQUALS", "NOT_EXISTS", "NOT_IN",
           "LabelRequirement", "new_requirement", "parse_requirements"]

#: Operators. `==` parses as EQUALS: the two mean the same.
EQUALS, NOT_EQUALS, IN, NOT_IN, EXISTS, NOT_EXISTS, GT, LT = (
    "=", "!=", "in", "notin", "exists", "!exists", "gt", "lt")
_BINARY_OPERATORS = ("in", "notin", "=", "==", "!=", "gt", "lt")  # as the errors name them
_OP_TEXT = {GT: ">", LT: "<"}


@dataclass(frozen=True, slots=True)
class LabelRequirement:
    """One term of a selector: `k=v`, `k!=v`, `k in (a,b)`, `k notin (a)`, `k`, `!k`,
    `k>1`, `k<1`."""

    key: str
    op: str
    values: frozenset[str] = frozenset()

    def matches(self, labels: Mapping[str, str]) -> bool:
        present = self.key in labels
        value = labels.get(self.key, "")
        if self.op in (IN, EQUALS):
            return present and value in self.values
        if self.op in (NOT_IN, NOT_EQUALS):  # a missing label satisfies these
            return not present or value not in self.values
        if self.op == EXISTS:
            return present
        if self.op == NOT_EXISTS:
            return not present
        # gt / lt compare integers; a non-integer label value never matches.
        try:
            have, want = int(value), int(next(iter(self.values), ""))
        except ValueError:
            return False
        return present and (have > want if self.op == GT else have < want)

    def __str__(self) -> str:
        if self.op == EXISTS:
            return self.key
        if self.op == NOT_EXISTS:
            return "!" + self.key
        values = ",".join(sorted(self.values))
        if self.op in (IN, NOT_IN):
            return f"{self.key} {self.op} ({values})"
        return f"{self.key}{_OP_TEXT.get(self.op, self.op)}{values}"


def new_requirement(key: str, op: str, values: list[str]) -> LabelRequirement:
    """Validate like labels.NewRequirement; raises ValueError with the server's text."""
    errs = []
    if problems := names.qualified_name(key):
        errs.append(f"key: Invalid value: {json.dumps(key)}: {'; '.join(problems)}")
    if op in (IN, NOT_IN) and not values:
        errs.append("values: Invalid value: []: for 'in', 'notin' operators, values set "
                    "can't be empty")
    if op in (GT, LT):
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
    return LabelRequirement(key, op, frozenset(values))


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

    def parse(self) -> list[LabelRequirement]:
        reqs: list[LabelRequirement] = []
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

    def _requirement(self) -> LabelRequirement:
        op = ""
        tok, key = self._take()
        if tok == _BANG:
            op = NOT_EXISTS
            tok, key = self._take()
        if tok != _IDENT:
            raise ValueError(f"found '{key}', expected: identifier")
        if problems := names.qualified_name(key):
            raise ValueError(f"<nil>: Invalid value: {json.dumps(key)}: {'; '.join(problems)}")
        if op == NOT_EXISTS or self._peek()[0] in (_END, _COMMA):
            return new_requirement(key, op or EXISTS, [])
        tok, lit = self._take(values=False)
        ops = {_IN_T: IN, _NOTIN_T: NOT_IN, _EQ: EQUALS, _DEQ: EQUALS,
               _NEQ: NOT_EQUALS, _GT_T: GT, _LT_T: LT}
        if tok not in ops:
            raise ValueError(f"found '{lit}', expected: {', '.join(_BINARY_OPERATORS)}")
        op = ops[tok]
        values = self._set_values() if op in (IN, NOT_IN) else self._exact_value()
        return new_requirement(key, op, values)

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


def parse_requirements(text: str) -> list[LabelRequirement]:
    """The requirements of a selector string, in the order written. Raises ValueError
    with labels.Parse's message."""
    return _LabelParser(text).parse()
