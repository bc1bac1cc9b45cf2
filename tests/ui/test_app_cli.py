"""The `kubetui` entry: clear errors without tracebacks (on stderr before the UI starts,
or in the UI for connection problems), and `kubetui --demo` in a real terminal."""

from __future__ import annotations

import importlib.util
import os
import pty
import select
import struct
import subprocess
import sys
import termios
import time
from fcntl import ioctl
from pathlib import Path

import pytest
import yaml

from kubetui.ui.app import KubetuiApp
from tests.ui.app_helpers import Api, app_for, header_text, live, until


def kubetui(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kubetui.cli", *args], capture_output=True,
                          text=True, timeout=60, stdin=subprocess.DEVNULL)


@pytest.mark.parametrize("content, problem", [
    ("clusters: [\n  - name: a\n", "is not valid YAML (line 2)"),
    ("- just\n- a list\n", "expected a mapping at the top"),
    ("clusters: {a: 1}\n", "'clusters' must be a list"),
])
def test_malformed_kubeconfig_is_named_on_stderr(tmp_path: Path, content: str,
                                                 problem: str) -> None:
    path = tmp_path / "broken-kubeconfig"
    path.write_text(content)
    result = kubetui("--kubeconfig", str(path))
    assert result.returncode == 1
    assert result.stderr.startswith(f"kubetui: kubeconfig {path}")
    assert problem in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_missing_kubeconfig_context_and_config_file_errors(tmp_path: Path) -> None:
    result = kubetui("--kubeconfig", str(tmp_path / "nope"))
    assert result.returncode == 1 and "does not exist" in result.stderr
    config = tmp_path / "kc"
    config.write_text(yaml.safe_dump({"contexts": [{"name": "a", "context": {"cluster": "c"}}],
                                      "clusters": [{"name": "c",
                                                    "cluster": {"server": "https://x"}}]}))
    result = kubetui("--kubeconfig", str(config), "--context", "b")
    assert result.returncode == 1 and "context 'b' is not defined" in result.stderr
    result = kubetui("--kubeconfig", str(config))
    assert result.returncode == 1 and "no current-context; pass --context" in result.stderr
    bad = tmp_path / "config.yaml"
    bad.write_text("keymap: 3\n")
    result = kubetui("--kubeconfig", str(config), "--context", "a", "--config", str(bad))
    assert result.returncode == 1 and f"config file {bad}" in result.stderr
    for output in (result.stderr, result.stdout):
        assert "Traceback" not in output


def _kubeconfig_like(source: Path, target: Path, **changes: object) -> Path:
    """`source` with its cluster or user entries changed."""
    doc = yaml.safe_load(source.read_text())
    if "server" in changes:
        doc["clusters"][0]["cluster"]["server"] = changes["server"]
    if "user" in changes:
        doc["users"][0]["user"] = changes["user"]
    target.write_text(yaml.safe_dump(doc))
    return target


@pytest.mark.parametrize("change, problem", [
    ({"server": "https://127.0.0.1:9"}, "cannot reach the server at https://127.0.0.1:9"),
    ({"user": {"token": "wrong"}}, "Unauthorized"),
    ({"user": {"exec": {"apiVersion": "client.authentication.k8s.io/v1",
                        "command": "no-such-login-plugin"}}}, "no-such-login-plugin"),
])
async def test_connection_problems_are_shown_in_the_ui(shared_sandbox, tmp_path: Path,
                                                       change: dict, problem: str) -> None:
    path = _kubeconfig_like(shared_sandbox.kubeconfig, tmp_path / "kubeconfig", **change)
    app = app_for(path)
    async with app.run_test(size=(120, 30)):
        await until(lambda: problem in header_text(app), message=problem)
        assert problem in app.main_table.empty_text
        assert app.is_running  # `:ctx` or `:q` from here


async def test_forbidden_list_is_said_in_the_header(sandbox, api: Api) -> None:
    sandbox.sandbox.faults.rbac = "namespace=default"
    app = app_for()
    async with app.run_test(size=(160, 45)) as pilot:
        await live(app, "pods")
        await pilot.press("0")  # all namespaces: forbidden, shown as what is allowed
        await until(lambda: "Forbidden" in header_text(app), message=header_text(app))
        assert "showing namespaces default only" in header_text(app)


# ----- kubetui --demo in a real terminal ------------------------------------------------------


def _run_in_pty(args: list[str], env: dict[str, str], until_seen: bytes,
                keys: bytes, timeout: float = 60) -> tuple[int, bytes]:
    """Run kubetui in a 120x40 pseudo-terminal; once `until_seen` is on screen, type `keys`
    and wait for the exit. Returns the exit code and everything it wrote."""
    master, slave = pty.openpty()
    ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    proc = subprocess.Popen([sys.executable, "-m", "kubetui.cli", *args], stdin=slave,
                            stdout=slave, stderr=slave, env=env, close_fds=True)
    os.close(slave)
    output = b""
    deadline = time.monotonic() + timeout
    typed = False
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.1)
            if ready:
                try:
                    output += os.read(master, 65536)
                except OSError:  # the child closed the terminal
                    break
            if not typed and until_seen in output:
                os.write(master, keys)
                typed = True
            if proc.poll() is not None and not ready:
                break
        return proc.wait(timeout=max(1, deadline - time.monotonic())), output
    finally:
        if proc.poll() is None:
            proc.kill()
        os.close(master)


@pytest.mark.parametrize("scenario", ["empty", "demo"])
def test_demo_opens_the_ui_in_one_command(tmp_path: Path, scenario: str) -> None:
    if scenario == "demo" and importlib.util.find_spec(
            "kubetui.sandbox.scenarios.demo") is None:
        pytest.skip("the demo scenario is not written yet")
    temp = tmp_path / "tmp"
    temp.mkdir()
    env = {**os.environ, "TERM": "xterm-256color", "TMPDIR": str(temp)}
    code, output = _run_in_pty(["--demo", "--scenario", scenario], env, b"live", b":q\r")
    assert code == 0, output[-2000:]
    assert b"kubetui-sandbox" in output and b"Traceback" not in output
    assert list(temp.iterdir()) == []  # the demo's kubeconfig folder is gone


def test_app_type_is_the_factory_product(shared_sandbox) -> None:
    assert isinstance(app_for(), KubetuiApp)
