"""`kubetui sandbox` as a person runs it: one ready line, a working kubeconfig, and a
clean stop on SIGINT or SIGTERM."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import yaml


def _start(tmp_path: Path, *extra: str) -> tuple[subprocess.Popen[str], str, Path]:
    kubeconfig = tmp_path / "sandbox.kubeconfig"
    proc = subprocess.Popen(
        [sys.executable, "-m", "kubetui.cli", "sandbox", "--port", "0",
         "--kubeconfig", str(kubeconfig), *extra],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=dict(os.environ))
    assert proc.stdout is not None
    line = proc.stdout.readline()  # blocks until ready (or the process died)
    return proc, line, kubeconfig


def _stop(proc: subprocess.Popen[str], sig: int) -> tuple[int, str, str]:
    proc.send_signal(sig)
    out, err = proc.communicate(timeout=20)
    return proc.returncode, out, err


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_serves_until_signal(tmp_path: Path, sig: int) -> None:
    proc, line, kubeconfig = _start(tmp_path)
    try:
        m = re.search(r"serving (https://127\.0\.0\.1:(\d+))", line)
        assert m, f"no ready line: {line!r}"
        assert int(m.group(2)) > 0
        doc = yaml.safe_load(kubeconfig.read_text())
        assert doc["current-context"] == "kubetui-sandbox"
        assert doc["clusters"][0]["cluster"]["server"] == m.group(1)
        assert doc["users"][0]["user"]["token"]
        assert oct(kubeconfig.stat().st_mode & 0o777) == "0o600"
        if shutil.which("kubectl"):
            res = subprocess.run(["kubectl", f"--kubeconfig={kubeconfig}",
                                  f"--cache-dir={tmp_path / 'cache'}", "get", "ns"],
                                 capture_output=True, text=True, timeout=60)
            assert res.returncode == 0, res.stderr
            assert "kube-system" in res.stdout
    finally:
        code, out, err = _stop(proc, sig)
    assert code == 0
    assert "Traceback" not in err, err
    assert "stopped" in out


def test_scenario_and_fault_flags_are_checked(tmp_path: Path) -> None:
    res = subprocess.run([sys.executable, "-m", "kubetui.cli", "sandbox", "--error-rate", "2"],
                         capture_output=True, text=True, timeout=30)
    assert res.returncode == 2
    assert "must be between 0 and 1" in res.stderr
    assert "Traceback" not in res.stderr


def test_port_in_use_is_a_clear_error(tmp_path: Path) -> None:
    proc, line, _ = _start(tmp_path)
    try:
        port = re.search(r":(\d+) ", line).group(1)  # type: ignore[union-attr]
        res = subprocess.run([sys.executable, "-m", "kubetui.cli", "sandbox", "--port", port,
                              "--kubeconfig", str(tmp_path / "other")],
                             capture_output=True, text=True, timeout=30)
        assert res.returncode == 1
        assert f"cannot listen on 127.0.0.1:{port}" in res.stderr
        assert "Traceback" not in res.stderr
    finally:
        _stop(proc, signal.SIGTERM)


@pytest.mark.parametrize(("extra", "nodes"), [((), 1), (("--nodes", "3"), 3)])
def test_empty_scenario_has_ready_nodes_that_run_pods(tmp_path: Path, extra: tuple[str, ...],
                                                      nodes: int) -> None:
    """The empty cluster has one Ready node (`--nodes N` sizes it), so a pod runs."""
    if not shutil.which("kubectl"):
        pytest.skip("kubectl is not installed on this machine")
    proc, line, kubeconfig = _start(tmp_path, "--pace", "0.05", *extra)
    base = ["kubectl", f"--kubeconfig={kubeconfig}", f"--cache-dir={tmp_path / 'cache'}"]
    try:
        assert "serving" in line, line
        res = subprocess.run([*base, "wait", "--for=condition=Ready", "nodes", "--all",
                              "--timeout=60s"], capture_output=True, text=True, timeout=90)
        assert res.returncode == 0, res.stderr
        rows = subprocess.run([*base, "get", "nodes", "--no-headers"], capture_output=True,
                              text=True, timeout=60).stdout.splitlines()
        assert len(rows) == nodes and all(r.split()[1] == "Ready" for r in rows)
        subprocess.run([*base, "run", "web", "--image=nginx"], check=True,
                       capture_output=True, timeout=60)
        res = subprocess.run([*base, "wait", "--for=condition=Ready", "pod/web",
                              "--timeout=60s"], capture_output=True, text=True, timeout=90)
        assert res.returncode == 0, res.stderr
    finally:
        _stop(proc, signal.SIGTERM)
