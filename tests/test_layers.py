"""The layers stay apart: cluster access, the watch store, row rendering and the sandbox
import no Textual, and the sandbox imports nothing of the UI or the client side."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import pytest

import kubetui


def _modules(package: str) -> list[str]:
    pkg = __import__(package, fromlist=["_"])
    paths = getattr(pkg, "__path__", None)
    if paths is None:  # a plain module
        return [package]
    return [package] + [m.name for m in pkgutil.walk_packages(paths, package + ".")]


def _imported_after(modules: list[str]) -> set[str]:
    code = ("import sys\n" + "".join(f"import {m}\n" for m in modules) +
            "print('\\n'.join(sorted(sys.modules)))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    return set(out.stdout.split())


@pytest.mark.parametrize("package", ["kubetui.sandbox", "kubetui.cluster", "kubetui.render",
                                     "kubetui.kinds", "kubetui.selectors",
                                     "kubetui.ui.table_model"])
def test_no_textual_below_the_ui(package: str) -> None:
    loaded = _imported_after(_modules(package))
    assert not any(m == "textual" or m.startswith("textual.") for m in loaded), package


def test_sandbox_imports_no_ui_or_client() -> None:
    loaded = _imported_after(_modules("kubetui.sandbox"))
    assert not [m for m in loaded if m.startswith(("kubetui.ui", "kubetui.cluster"))]


def test_package_is_importable() -> None:
    assert kubetui.__version__
