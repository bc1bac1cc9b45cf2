"""Every screenshot the README shows exists, and the command that makes them is documented."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_readme_screenshots_exist_and_their_command_is_documented() -> None:
    readme = (ROOT / "README.md").read_text()
    assert "python scripts/screenshots.py" in readme
    assert (ROOT / "scripts" / "screenshots.py").is_file()
    shown = re.findall(r"!\[[^\]]*\]\((screenshots/[^)]+\.svg)\)", readme)
    assert shown, "the README shows no screenshot"
    for path in shown:
        svg = ROOT / path
        assert svg.is_file(), f"{path} is missing: run python scripts/screenshots.py"
        assert svg.read_text().lstrip().startswith("<svg"), f"{path} is not an SVG"
    saved = {p.name for p in (ROOT / "screenshots").glob("*.svg")}
    assert saved == {Path(p).name for p in shown}, "screenshots/ and the README disagree"
