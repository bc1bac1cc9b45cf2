"""`kubetui completion SHELL` run by a real bash; `kubectl tui` and its completion run by
the real kubectl, finding kubetui's executables on PATH as it finds any plugin."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

import kubetui
from kubetui.completion import script
from tests.conftest import KUBECTL, start_sandbox, stop_sandbox

WORKTREE = Path(kubetui.__file__).resolve().parent.parent
BASH = shutil.which("bash")


def _executable(folder: Path, name: str, function: str) -> None:
    """An executable as pip's console scripts are, importing kubetui from this tree."""
    module, _, attr = function.partition(":")
    path = folder / name
    path.write_text(f"#!{sys.executable}\nimport sys\nsys.path.insert(0, {str(WORKTREE)!r})\n"
                    f"from {module} import {attr}\nsys.exit({attr}())\n")
    path.chmod(0o755)


@pytest.fixture
def bin_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "bin"
    folder.mkdir()
    _executable(folder, "kubetui", "kubetui.cli:main")
    _executable(folder, "kubectl-tui", "kubetui.kubectl_plugin:main")
    _executable(folder, "kubectl_complete-tui", "kubetui.kubectl_plugin:complete")
    return folder


def _kubeconfig(path: Path, server: str = "https://127.0.0.1:1") -> Path:
    path.write_text(yaml.safe_dump({
        "apiVersion": "v1", "kind": "Config", "current-context": "alpha",
        "clusters": [{"name": "c", "cluster": {"server": server}}],
        "users": [{"name": "u", "user": {"token": "t"}}],
        "contexts": [{"name": "alpha", "context": {"cluster": "c", "user": "u",
                                                   "namespace": "team-a"}},
                     {"name": "beta", "context": {"cluster": "c", "user": "u",
                                                  "namespace": "team-b"}}]}))
    return path


def _bash_complete(bin_dir: Path, words: list[str], env: dict[str, str] | None = None
                   ) -> list[str]:
    """COMPREPLY for the command line `words` (the last one being typed)."""
    assert BASH
    array = " ".join(f"'{w}'" for w in words)
    program = (f'source <(kubetui completion bash)\nCOMP_WORDS=({array})\n'
               f'COMP_CWORD={len(words) - 1}\n_kubetui_complete\n'
               'printf "%s\\n" "${COMPREPLY[@]}"\n')
    res = subprocess.run([BASH, "-c", program], capture_output=True, text=True, timeout=60,
                         env={**os.environ, **(env or {}),
                              "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"})
    assert res.returncode == 0, res.stderr
    return [line for line in res.stdout.splitlines() if line]


@pytest.mark.skipif(BASH is None, reason="bash is not installed")
def test_bash_completes_options_contexts_kinds_and_shells(bin_dir: Path,
                                                          tmp_path: Path) -> None:
    config = _kubeconfig(tmp_path / "kc")
    env = {"KUBECONFIG": str(config)}
    assert sorted(_bash_complete(bin_dir, ["kubetui", "--con"], env)) == ["--config",
                                                                          "--context"]
    assert _bash_complete(bin_dir, ["kubetui", "--context", ""], env) == ["alpha", "beta"]
    assert _bash_complete(bin_dir, ["kubetui", "-c", "depl"], env) == [
        "deploy", "deployment", "deployments", "deployments.apps"]
    assert _bash_complete(bin_dir, ["kubetui", "completion", "z"], env) == ["zsh"]
    # Namespaces from the kubeconfig when the cluster does not answer (nothing on :1).
    assert _bash_complete(bin_dir, ["kubetui", "--kubeconfig", str(config), "-n", "team"]) \
        == ["team-a", "team-b"]


@pytest.mark.skipif(BASH is None, reason="bash is not installed")
async def test_bash_completes_namespaces_from_the_cluster(bin_dir: Path,
                                                          tmp_path: Path) -> None:
    from kubetui.sandbox.scenarios.objects import create

    running = await start_sandbox(tmp_path / "kubeconfig")
    try:
        create(running.sandbox, {"apiVersion": "v1", "kind": "Namespace",
                                 "metadata": {"name": "only-in-the-cluster"}})
        found = await asyncio.to_thread(
            _bash_complete, bin_dir,
            ["kubetui", "--kubeconfig", str(tmp_path / "kubeconfig"), "-n", "o"])
    finally:
        await stop_sandbox(running)
    assert found == ["only-in-the-cluster"]


def test_zsh_and_fish_scripts_ask_kubetui_for_the_same_words() -> None:
    # No zsh or fish on the test machines: their scripts are checked for what they ask.
    zsh, fish = script("zsh"), script("fish")
    assert zsh.startswith("#compdef kubetui\n") and "compdef _kubetui_complete kubetui" in zsh
    for what in ("contexts", "namespaces", "kinds"):
        assert f"__complete {what}" in zsh
        assert f"(__kubetui_words {what})" in fish
    assert "complete -c kubetui -l context -x -a '(__kubetui_words contexts)'" in fish
    with pytest.raises(ValueError, match="known: bash, zsh, fish"):
        script("tcsh")


@pytest.mark.skipif(KUBECTL is None, reason="kubectl is not installed")
def test_kubectl_tui_runs_kubetui_with_kubectls_flags(bin_dir: Path, tmp_path: Path) -> None:
    config = _kubeconfig(tmp_path / "kc")
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}

    def kubectl(*args: str) -> subprocess.CompletedProcess[str]:
        # kubectl refuses flags before a plugin's name: its cache is under the test's HOME.
        return subprocess.run([KUBECTL, *args],
                              capture_output=True, text=True, timeout=60, env=env,
                              stdin=subprocess.DEVNULL)

    listed = kubectl("plugin", "list")
    assert str(bin_dir / "kubectl-tui") in listed.stdout
    # --kubeconfig and --context reach kubetui: it names the file and refuses the context.
    res = kubectl("tui", "--kubeconfig", str(config), "--context", "nope")
    assert res.returncode == 1
    assert res.stderr.strip() == f"kubectl tui: context 'nope' is not defined in {config}"
    res = kubectl("tui", "--server", "https://x")
    assert res.returncode == 2 and "kubectl's --server is not supported" in res.stderr
    # kubectl's own completion asks kubectl_complete-tui.
    res = kubectl("__complete", "tui", "--kubeconfig", str(config), "--context", "")
    assert res.stdout.splitlines()[:3] == ["alpha", "beta", ":4"], res.stdout + res.stderr
    res = kubectl("__complete", "tui", "--kubeconfig", str(config), "-n", "team-")
    assert res.stdout.splitlines()[:3] == ["team-a", "team-b", ":4"]


def test_kubectl_flags_become_settings() -> None:
    from kubetui.cli import _settings, build_parser

    args = build_parser("kubectl tui").parse_args(
        ["--kubeconfig", "/k", "--context", "prod", "-n", "shop", "-c", "deploy"])
    settings = _settings(args)
    assert (settings.kubeconfig, settings.context, settings.namespace, settings.view) == \
        ("/k", "prod", "shop", "deploy")
