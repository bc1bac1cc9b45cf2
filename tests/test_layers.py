"""The layers stay apart, in the order the kubetui package docstring gives: each imports
nothing above it; cluster access, the watch store, the view models, row rendering and the
sandbox import no Textual; the sandbox imports nothing of the UI or the client side; the UI
does no HTTP itself; rendering is pure. The one test of the layer order (the cluster and
render packages' own "no Textual" checks are the parametrized cases below: every module of
each package is imported, the package itself first)."""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from pathlib import Path

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


#: Bottom up, as the package docstring says: each layer imports nothing of those after it.
LAYERS: list[tuple[str, tuple[str, ...]]] = [
    ("base", ("kubetui.kinds", "kubetui.names", "kubetui.quantity", "kubetui.selectors",
              "kubetui.collector")),
    ("render", ("kubetui.render", "kubetui.helm")),
    ("cluster", ("kubetui.cluster", "kubetui.k9s")),
    ("model", ("kubetui.model",)),
    ("ui", ("kubetui.ui",)),
]


def test_the_package_docstring_gives_this_layer_order() -> None:
    assert " -> ".join(name for name, _ in LAYERS) in (kubetui.__doc__ or "")


@pytest.mark.parametrize("index", range(len(LAYERS) - 1), ids=[n for n, _ in LAYERS[:-1]])
def test_no_layer_imports_one_above_it(index: int) -> None:
    name, packages = LAYERS[index]
    above = tuple(p for _, ps in LAYERS[index + 1:] for p in ps)
    loaded = _imported_after([m for p in packages for m in _modules(p)])
    assert sorted(m for m in loaded if m.startswith(above)) == [], name


@pytest.mark.parametrize("package", ["kubetui.sandbox", "kubetui.cluster", "kubetui.render",
                                     "kubetui.kinds", "kubetui.selectors", "kubetui.model",
                                     "kubetui.k9s", "kubetui.helm"])
def test_no_textual_below_the_ui(package: str) -> None:
    loaded = _imported_after(_modules(package))
    assert not any(m == "textual" or m.startswith("textual.") for m in loaded), package


def test_sandbox_imports_no_ui_or_client() -> None:
    loaded = _imported_after(_modules("kubetui.sandbox"))
    assert not [m for m in loaded if m.startswith(("kubetui.ui", "kubetui.cluster",
                                                   "kubetui.model"))]


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


@pytest.mark.parametrize("package_dir", ["ui", "model"])
def test_the_ui_and_models_never_talk_http_themselves(package_dir: str) -> None:
    """HTTP belongs to kubetui.cluster; the UI and the view models only call it (and never
    the sandbox)."""
    forbidden = ("aiohttp", "kubernetes_asyncio", "urllib3", "requests", "kubetui.sandbox")
    offenders = {f: sorted(m for m in mods if m.startswith(forbidden))
                 for f, mods in _direct_imports(package_dir).items()}
    assert {f: m for f, m in offenders.items() if m} == {}


def test_rendering_is_pure() -> None:
    """Rows are rendered from plain objects: no HTTP, no cluster access, no sandbox."""
    forbidden = ("aiohttp", "kubernetes_asyncio", "kubetui.cluster", "kubetui.sandbox",
                 "kubetui.model", "kubetui.ui")
    offenders = {f: sorted(m for m in mods if m.startswith(forbidden))
                 for f, mods in _direct_imports("render").items()}
    assert {f: m for f, m in offenders.items() if m} == {}


def test_the_api_server_imports_no_controller() -> None:
    """The sandbox's API server answers from its store, as a real one from etcd; what a
    controller knows (a budget's disruptions, a pod's requests) it reads from objects or
    from modules both share (`sandbox.podinfo`)."""
    offenders = {f: sorted(m for m in mods if m.startswith("kubetui.sandbox.controllers"))
                 for f, mods in _direct_imports("sandbox/apiserver").items()}
    assert {f: m for f, m in offenders.items() if m} == {}
    assert any("kubetui.sandbox.apiserver.store" in mods
               for mods in _direct_imports("sandbox/apiserver").values())


#: First a child imports every module named on the command line and reports what else that
#: loaded (textual, aiohttp, ...); those are loaded here once. Then one child per module,
#: forked from this interpreter, starts with no kubetui module loaded and imports only its
#: own. Prints a JSON object of the modules that failed, with their last error line.
_IMPORT_EACH_ALONE = """
import json, os, sys, traceback

def in_child(run):
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read)
        code, out = 0, ""
        try:
            out = run()
        except BaseException:
            code, out = 1, traceback.format_exc().strip().splitlines()[-1]
        os.write(write, out.encode())
        os._exit(code)
    os.close(write)
    with os.fdopen(read) as pipe:
        out = pipe.read()
    _, status = os.waitpid(pid, 0)
    return status, out

modules = sys.argv[1:]

def everything():
    for module in modules:
        try:
            __import__(module)
        except BaseException:
            pass
    return "\\n".join(m for m in sys.modules if m != "kubetui" and not m.startswith("kubetui."))

status, dependencies = in_child(everything)
for dependency in dependencies.split("\\n"):
    try:
        __import__(dependency)
    except BaseException:
        pass
failures = {}
for module in modules:
    status, error = in_child(lambda: __import__(module) and "")
    if status:
        failures[module] = error or f"exit status {status}"
print(json.dumps(failures))
"""


def test_every_module_imports_on_its_own() -> None:
    """Each module imported first, in an interpreter where no other kubetui module is
    loaded: an import cycle that only works in one order (sandbox.metrics -> controllers ->
    hpa -> metrics did) fails."""
    import json

    modules = _modules("kubetui")
    res = subprocess.run([sys.executable, "-c", _IMPORT_EACH_ALONE, *modules],
                         capture_output=True, text=True, check=True)
    failures = json.loads(res.stdout)
    assert failures == {}


def _import_graph(root: Path, top: str) -> dict[str, set[str]]:
    """Module -> the modules of the package `top` (at `root`) that importing it imports.

    Every import statement counts: at the top, inside functions and under TYPE_CHECKING.
    Importing `a.b.c` also runs the `__init__` of `a.b`, so that package counts too,
    unless the importer is inside it (then the package is being imported already)."""
    import ast

    files = {}
    for path in (root / top).rglob("*.py"):
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        files[".".join(parts)] = path
    graph: dict[str, set[str]] = {}
    for module, path in files.items():
        package = module if path.name == "__init__.py" else module.rpartition(".")[0]
        targets: list[str] = []
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                targets += [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    up = package.split(".")[:len(package.split(".")) - node.level + 1]
                    base = ".".join(up + ([base] if base else []))
                targets += [f"{base}.{a.name}" if f"{base}.{a.name}" in files else base
                            for a in node.names]
        edges: set[str] = set()
        for target in targets:
            while target and target not in files:
                target = target.rpartition(".")[0]
            if not target.startswith(top):
                continue
            edges.add(target)
            outer = target.rpartition(".")[0]
            while outer and outer != top:
                if module != outer and not module.startswith(outer + "."):
                    edges.add(outer)
                outer = outer.rpartition(".")[0]
        edges.discard(module)
        graph[module] = edges
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One import path back to itself for each module on a cycle, shortest first."""
    from collections import deque

    found = []
    for start in sorted(graph):
        came_from: dict[str, str] = {}
        queue = deque([start])
        while queue and start not in came_from:
            here = queue.popleft()
            for nxt in sorted(graph[here]):
                if nxt not in came_from:
                    came_from[nxt] = here
                    queue.append(nxt)
        if start in came_from:
            path, step = [start], came_from[start]
            while step != start:
                path.append(step)
                step = came_from[step]
            found.append([start, *reversed(path[1:]), start])
    return sorted(found, key=len)


def test_the_cycle_finder_sees_package_inits_and_type_checking_imports(tmp_path: Path) -> None:
    """The shape the sandbox once had (metrics -> controllers/__init__ -> hpa -> metrics)
    and a cycle closed only under TYPE_CHECKING are both found; a package's own modules
    importing a sibling through it are not a cycle."""
    pkg = tmp_path / "top"
    (pkg / "controllers").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "controllers" / "__init__.py").write_text("from top.controllers.hpa import H\n")
    (pkg / "controllers" / "base.py").write_text("X = 1\n")
    (pkg / "controllers" / "hpa.py").write_text("from top import metrics\n"
                                                "from top.controllers import base\n")
    (pkg / "metrics.py").write_text("from top.controllers.base import X\n")
    (pkg / "a.py").write_text("from typing import TYPE_CHECKING\n"
                              "if TYPE_CHECKING:\n    from top.b import B\n")
    (pkg / "b.py").write_text("def f():\n    from top import a\n")
    cycles = _cycles(_import_graph(tmp_path, "top"))
    assert ["top.a", "top.b", "top.a"] in cycles
    assert ["top.metrics", "top.controllers", "top.controllers.hpa", "top.metrics"] in cycles
    assert not [c for c in cycles if c[0] == "top.controllers.base"]


def _kubetui_cycles() -> list[list[str]]:
    return _cycles(_import_graph(Path(kubetui.__file__).parent.parent, "kubetui"))


def test_no_import_cycles_outside_the_ui() -> None:
    """Not even one that works only because an import is lazy or for type checking."""
    assert [c for c in _kubetui_cycles() if not any(m.startswith("kubetui.ui") for m in c)] == []


def test_no_import_cycles_in_the_ui() -> None:
    assert [c for c in _kubetui_cycles() if any(m.startswith("kubetui.ui") for m in c)] == []
