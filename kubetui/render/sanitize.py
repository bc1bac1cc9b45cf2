"""The one sanitiser: text from outside (a cluster, a server error, a plugin's stderr, a
kubeconfig) made safe to draw on a terminal; pure, no Textual.

Anyone who can write an annotation, a label, an event or a log line can put terminal
control sequences in it: `ESC ]0;title BEL` renames the window, `ESC ]52;c;... BEL` writes
the clipboard, `ESC [2J` clears the screen. Rich and Textual pass ESC (and C1 controls)
through to the terminal, so every such string goes through here before it is drawn:

- `visible(text)`: C0 controls, DEL and C1 controls are shown, never sent: `^[` for ESC,
  `^G` for BEL, `^?` for DEL, `\\x9b` for a C1 byte. With `lines=True`, newlines and tabs
  keep their meaning (for views that have lines); otherwise they show as `^J` / `^I`.
- `one_line(text)`: for a table cell, where line breaks and tabs read as spaces.
- `safe_text(text)`: the same as a Rich `Text`, which is never read as markup, so
  `[bold]` in a label stays text.
- `strip_ansi(text)`: drops whole ANSI sequences first (colours in log lines), then
  `visible`.

How a view is covered (tests/ui/test_injection.py checks every Screen class of kubetui.ui):
text drawn through the shared widgets is sanitised by them, so a new view that uses them
needs nothing more: `TextView.set_text` (describe, YAML, diffs), `ResourceTable` cells
(`fit_text`), `SafeStatic` / `safe_label` for titles, bodies and error lines, the app's
`notify` (every toast, from any screen or widget), the `Header` and `Breadcrumbs`, and the
log view. A new widget that draws outside text by other means calls `safe_text` itself.
The injection test refuses a Screen class it has no opener for: add one there.
"""

from __future__ import annotations

import re

from rich.text import Text

__all__ = ["one_line", "safe_text", "sanitize_text", "strip_ansi", "visible"]

# C0 (except what `lines` keeps), DEL, C1; and the Unicode line/paragraph separators,
# which some terminals treat as line breaks.
_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_UNSAFE_IN_LINES = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")
# CSI ... final, OSC ... (BEL | ST), and two-character escapes.
_ANSI = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[@-Z\\-_])"
                   r"|\x9b[0-?]*[ -/]*[@-~]")


def _shown(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x20:
        return "^" + chr(code + 0x40)
    if code == 0x7f:
        return "^?"
    return f"\\x{code:02x}" if code <= 0xff else f"\\u{code:04x}"


def visible(text: str, lines: bool = False) -> str:
    """`text` with every control character shown as visible characters (see above)."""
    pattern = _UNSAFE_IN_LINES if lines else _UNSAFE
    if text.isprintable() or not pattern.search(text):
        return text
    return pattern.sub(_shown, text)


def one_line(text: str) -> str:
    """`visible` for a single-line field (a table cell): line breaks and tabs read as
    spaces, as whitespace there has no other meaning."""
    if "\n" in text or "\t" in text:
        text = text.replace("\r\n", " ").replace("\n", " ").replace("\t", " ")
    return visible(text)


def strip_ansi(text: str, lines: bool = False) -> str:
    """`text` without ANSI escape sequences (log colours), the rest made `visible`."""
    if "\x1b" in text or "\x9b" in text:
        text = _ANSI.sub("", text)
    return visible(text, lines)


def safe_text(text: object, style: str = "", lines: bool = False) -> Text:
    """A Rich `Text` of `visible(str(text))`: drawn as is, markup never interpreted."""
    return Text(visible(str(text), lines), style=style)


def sanitize_text(text: Text, lines: bool = False) -> Text:
    """A styled Rich `Text` (built from outside strings) with its controls made visible;
    its styles stay on the same characters."""
    plain = text.plain
    pattern = _UNSAFE_IN_LINES if lines else _UNSAFE
    if not pattern.search(plain):
        return text
    offsets, pieces = [0], []
    for ch in plain:
        match = pattern.match(ch)
        piece = _shown(match) if match else ch
        pieces.append(piece)
        offsets.append(offsets[-1] + len(piece))
    out = Text("".join(pieces), style=text.style, justify=text.justify,
               overflow=text.overflow, no_wrap=text.no_wrap, end=text.end)
    for span in text.spans:
        out.stylize(span.style, offsets[span.start], offsets[min(span.end, len(plain))])
    return out
