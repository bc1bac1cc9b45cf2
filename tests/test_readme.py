"""The README's key tables are what the code binds: `python scripts/keys.py --write`
regenerates them after a binding changes."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent


def _keys_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("keys_script", ROOT / "scripts" / "keys.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_readme_key_tables_match_the_bindings() -> None:
    keys = _keys_script()
    documented = keys.section((ROOT / "README.md").read_text())
    assert documented == keys.render(), (
        "README.md's key tables differ from the code's bindings: run "
        "`python scripts/keys.py --write`")


def test_readme_starts_with_the_two_setup_commands() -> None:
    lines = (ROOT / "README.md").read_text().splitlines()
    commands = [line.split("#")[0].strip() for line in lines[3:5]]
    assert commands == ["pip install . && kubetui --demo",
                        "pip install '.[test]' && python -m pytest -n 4"]
    ci = (ROOT / ".ci" / "run").read_text().splitlines()
    assert ci[-1] == commands[1], "CI runs exactly the README's test command"
