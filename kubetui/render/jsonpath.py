"""The simple JSONPath of a CRD's additionalPrinterColumns (k8s.io/client-go jsonpath):
`.a.b`, `['a.b']`, `a\\.b`, `[0]`, `[-1]`, `[*]`, `.*` and filters such as
`[?(@.type=="Ready")]`. Not supported: slices, recursive descent, unions, functions."""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any


class JSONPathError(ValueError):
    """A path outside the supported subset."""


Step = Callable[[Any], Iterator[Any]]


@dataclass(frozen=True, slots=True)
class _Field:
    key: str

    def __call__(self, node: Any) -> Iterator[Any]:
        if isinstance(node, dict) and self.key in node:
            yield node[self.key]


@dataclass(frozen=True, slots=True)
class _Index:
    index: int

    def __call__(self, node: Any) -> Iterator[Any]:
        if isinstance(node, list) and -len(node) <= self.index < len(node):
            yield node[self.index]


def _wildcard(node: Any) -> Iterator[Any]:
    if isinstance(node, list):
        yield from node
    elif isinstance(node, dict):
        yield from (node[key] for key in sorted(node))


_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "==": operator.eq, "!=": operator.ne, "<=": operator.le, ">=": operator.ge,
    "<": operator.lt, ">": operator.gt,
}
_FILTER = re.compile(r"@(?P<path>[^=!<>]*?)\s*(?:(?P<op>==|!=|<=|>=|<|>)\s*(?P<value>.+))?")


@dataclass(frozen=True, slots=True)
class _Filter:
    """[?(@.path op literal)] keeps the list items that satisfy it; [?(@.path)] those
    that have the path at all."""
    path: tuple[Step, ...]
    op: str
    literal: Any

    def __call__(self, node: Any) -> Iterator[Any]:
        if not isinstance(node, list):
            return
        for item in node:
            found = _walk(self.path, item)
            if not self.op:
                if found:
                    yield item
                continue
            try:
                if found and _COMPARE[self.op](found[0], self.literal):
                    yield item
            except TypeError:  # a comparison across types matches nothing
                continue


def parse(path: str) -> tuple[Step, ...]:
    """The steps of `path`, with or without its {braces} and leading $."""
    text = path.strip()
    if text.startswith("{") and text.endswith("}"):
        text = text[1:-1].strip()
    text = text.removeprefix("$")
    steps: list[Step] = []
    i = 0
    while i < len(text):
        if text[i] == ".":
            if text.startswith("*", i + 1):
                steps.append(_wildcard)
                i += 2
                continue
            key, i = _read_name(text, i + 1)
            if not key:
                raise JSONPathError(f"empty field name in {path!r}")
            steps.append(_Field(key))
        elif text[i] == "[":
            end = _closing_bracket(text, i)
            steps.append(_bracket(text[i + 1:end].strip(), path))
            i = end + 1
        else:
            raise JSONPathError(f"unexpected {text[i]!r} in {path!r}")
    return tuple(steps)


def evaluate(path: str, obj: Any) -> list[Any]:
    """Every value `path` selects in `obj`, in document order; [] when none."""
    return _walk(parse(path), obj)


def _walk(steps: tuple[Step, ...], obj: Any) -> list[Any]:
    nodes = [obj]
    for step in steps:
        nodes = [found for node in nodes for found in step(node)]
    return nodes


def _read_name(text: str, i: int) -> tuple[str, int]:
    out = []
    while i < len(text) and text[i] not in ".[":
        if text[i] == "\\" and i + 1 < len(text):  # `\.` keeps a dot inside a key
            i += 1
        out.append(text[i])
        i += 1
    return "".join(out), i


def _closing_bracket(text: str, start: int) -> int:
    quote = None
    for i in range(start + 1, len(text)):
        char = text[i]
        if quote:
            quote = None if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char == "]":
            return i
    raise JSONPathError(f"unclosed [ in {text!r}")


def _bracket(inner: str, path: str) -> Step:
    if inner == "*":
        return _wildcard
    if len(inner) >= 2 and inner[0] == inner[-1] and inner[0] in "'\"":
        return _Field(inner[1:-1])
    if re.fullmatch(r"-?\d+", inner):
        return _Index(int(inner))
    if inner.startswith("?(") and inner.endswith(")"):
        match = _FILTER.fullmatch(inner[2:-1].strip())
        if match:
            sub_path = parse(match["path"]) if match["path"] else ()
            literal = _literal(match["value"]) if match["op"] else None
            return _Filter(sub_path, match["op"] or "", literal)
    raise JSONPathError(f"unsupported [{inner}] in {path!r}")


def _literal(text: str) -> Any:
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1]
    if text in ("true", "false"):
        return text == "true"
    for number in (int, float):
        try:
            return number(text)
        except ValueError:
            pass
    return text
