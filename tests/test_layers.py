"""The layers stay apart: cluster access, the watch store, row rendering and the sandbox
import no Textual; the sandbox imports nothing of the UI or the client side; the UI does
no HTTP itself; rendering is pure."""

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


def _direct_imports(package_dir: str) -> dict[str, set[str]]:
    """Each module file under `package_dir` -> the top-level modules it imports itself."""
    import ast
    from pathlib import Path

    root = Path(kubetui.__file__).parent / package_dir
    out: dict[str, set[str]] = {}
    for path in root.rglob("*.py"):
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names |= {a.name for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names.add(node.module)
        out[str(path.relative_to(root.parent))] = names
    return out


def test_the_ui_never_talks_http_itself() -> None:
    """HTTP belongs to kubetui.cluster; the UI only calls it (and never the sandbox)."""
    forbidden = ("aiohttp", "kubernetes_asyncio", "urllib3", "requests", "kubetui.sandbox")
    offenders = {f: sorted(m for m in mods if m.startswith(forbidden))
                 for f, mods in _direct_imports("ui").items()}
    assert {f: m for f, m in offenders.items() if m} == {}


def test_rendering_is_pure() -> None:
    """Rows are rendered from plain objects: no HTTP, no cluster access, no sandbox."""
    forbidden = ("aiohttp", "kubernetes_asyncio", "kubetui.cluster", "kubetui.sandbox",
                 "kubetui.ui")
    offenders = {f: sorted(m for m in mods if m.startswith(forbidden))
                 for f, mods in _direct_imports("render").items()}
    assert {f: m for f, m in offenders.items() if m} == {}


def test_every_module_imports_on_its_own() -> None:
    """Each module imported first, in a fresh interpreter: an import cycle that only
    works in one order (sandbox.metrics -> controllers -> hpa -> metrics did) fails."""
    from concurrent.futures import ThreadPoolExecutor

    modules = _modules("kubetui")

    def alone(module: str) -> tuple[str, str]:
        res = subprocess.run([sys.executable, "-c", f"import {module}"], capture_output=True,
                             text=True)
        return module, res.stderr.strip().splitlines()[-1] if res.returncode else ""

    with ThreadPoolExecutor(max_workers=4) as pool:
        failures = {m: err for m, err in pool.map(alone, modules) if err}
    assert failures == {}
