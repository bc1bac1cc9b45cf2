"""What a `:` command line says: its word and argument, and the completion of what is typed.
No Textual: `kubetui.ui.widgets.prompt_bar` shows the prompt and asks this module."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

QUIT_WORDS = ("q", "q!", "quit")
CONTEXT_WORDS = ("ctx", "context", "contexts")
PROBLEM_WORDS = ("problems", "problem", "triage")
PULSE_WORDS = ("pulses", "pulse", "pu")
XRAY_WORDS = ("xray",)
PORTFORWARD_WORDS = ("pf", "portforward", "portforwards")
HELM_WORDS = ("helm", "hm", "charts", "chart")
ALIAS_WORDS = ("aliases", "alias")


@dataclass(frozen=True)
class Command:
    """`:word arg`, lower-cased word; `arg` is "" when absent."""

    word: str
    arg: str = ""


def parse_command(text: str) -> Command | None:
    words = text.strip().lstrip(":").split()
    if not words:
        return None
    return Command(words[0].lower(), " ".join(words[1:]))


def complete(value: str, words: Iterable[str],
             arguments: Callable[[str], Iterable[str]]) -> str | None:
    """The completion of `value`: its first word from `words`, or its second from
    `arguments(first word)`; the shortest candidate wins (`de` -> `deploy`), then the
    alphabetically first."""
    head, space, tail = value.partition(" ")
    if not space:
        prefix, candidates, keep = head.lower(), words, ""
    else:
        prefix, candidates, keep = tail, arguments(head.lower()), head + " "
    found = sorted((c for c in candidates if c.startswith(prefix) and c != prefix),
                   key=lambda c: (len(c), c))
    return keep + found[0] if found else None
