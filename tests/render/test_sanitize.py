"""The one sanitiser: controls shown, never sent; markup never read."""

from __future__ import annotations

from rich.text import Text

from kubetui.render.sanitize import one_line, safe_text, sanitize_text, strip_ansi, visible

ATTACK = "\x1b]0;pwned\x07\x1b]52;c;cHduZWQ=\x07\x1b[2J"


def test_escape_sequences_are_shown_not_sent() -> None:
    assert visible(ATTACK) == "^[]0;pwned^G^[]52;c;cHduZWQ=^G^[[2J"
    assert visible("a\x9bb\x85c\x7fd\x00") == "a\\x9bb\\x85c^?d^@"
    assert visible("line\u2028sep") == "line\\u2028sep"


def test_lines_and_tabs_keep_their_meaning_only_where_asked() -> None:
    assert visible("a\tb\nc") == "a^Ib^Jc"
    assert visible("a\tb\nc\rd", lines=True) == "a\tb\nc^Md"
    assert one_line("a\tb\r\nc\x1b") == "a b c^["


def test_plain_text_is_returned_as_is() -> None:
    text = "nginx-7d9c 1/1 Running — 日本語"
    assert visible(text) is text


def test_strip_ansi_drops_whole_sequences_then_shows_the_rest() -> None:
    assert strip_ansi("\x1b[31mred\x1b[0m \x1b]0;t\x07ok\x9b2J\x01") == "red ok^A"


def test_safe_text_never_reads_markup() -> None:
    text = safe_text("[bold]x[/bold]\x1b")
    assert text.plain == "[bold]x[/bold]^[" and not text.spans


def test_sanitize_text_keeps_styles_on_the_same_characters() -> None:
    text = Text("ok ")
    text.append("\x1b[2Jbad", "red")
    text.append(" end", "bold")
    out = sanitize_text(text)
    assert out.plain == "ok ^[[2Jbad end"
    assert [(out.plain[s.start:s.end], s.style) for s in out.spans] == [
        ("^[[2Jbad", "red"), (" end", "bold")]
