"""Secrets never leak (issue 11): no notification or dry-run diff shows a Secret's values;
`x` reveals them decoded and a reopened view is masked again; client keys from a
kubeconfig and the edit file do not outlive their use on disk, a hang-up included; files
written for the user are 0600 and never overwrite each other."""

from __future__ import annotations

import asyncio
import base64
import datetime
import os
import pty
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from kubetui.cluster import kubeconfig
from kubetui.cluster.actions import Request
from kubetui.cluster.client import ClusterClient
from kubetui.kinds import builtin
from kubetui.render.yaml_text import MASK
from kubetui.ui.screens.dialogs import ConfirmDialog, PromptDialog
from kubetui.ui.screens.log_screen import save_dir
from kubetui.ui.screens.object_screens import YamlScreen
from tests.ui.app_helpers import names
from tests.fast_cluster import Cluster
from tests.ui.action_host import action_app, noted, notes
from tests.ui.test_logs_view import open_web, write
from tests.waiting import wait_for

SECRET = builtin("Secret")
CLEAR, NEW_CLEAR, API_KEY = "hunter2-old-password", "hunter2-new-password", "sk-live-4242"


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


LEAKS = (CLEAR, NEW_CLEAR, API_KEY, b64(CLEAR), b64(NEW_CLEAR), b64(API_KEY))


async def make_secret(c: Cluster) -> None:
    await c.client.request("POST", "/api/v1/namespaces/default/secrets", {
        "apiVersion": "v1", "kind": "Secret", "metadata": {"name": "db"},
        "data": {"password": b64(CLEAR)}})


def leaked(texts: list[str]) -> list[str]:
    return [t for t in texts if any(secret in t for secret in LEAKS)]


def recording_editor(folder: Path, old: str, new: str) -> Path:
    """An $EDITOR that replaces `old` with `new` and notes the file's path and modes."""
    script = folder / "editor.py"
    script.write_text(f"""#!{sys.executable}
import os, pathlib, stat, sys
target = pathlib.Path(sys.argv[-1])
modes = [stat.S_IMODE(os.stat(p).st_mode) for p in (target, target.parent)]
pathlib.Path({str(folder / "seen")!r}).write_text(f"{{target}} {{modes[0]:o}} {{modes[1]:o}}")
target.write_text(target.read_text().replace({old!r}, {new!r}))
""")
    script.chmod(0o755)
    return script


async def test_edit_of_a_secret_notifies_without_values(
        cluster: Cluster, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    await make_secret(cluster)
    monkeypatch.setenv("EDITOR", str(recording_editor(tmp_path, b64(CLEAR), b64(NEW_CLEAR))))
    app = action_app(SECRET)
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_for(lambda: app.action_runner is not None and "db" in names(app))
        await pilot.press("e")
        note = await wait_for(lambda: noted(app, "secret/db edited"), timeout=20)
    secret = cluster.store.get(("", "secrets"), "default", "db")
    assert secret["data"]["password"] == b64(NEW_CLEAR)  # the edit did happen
    assert "sent: PUT /api/v1/namespaces/default/secrets/db" in note
    assert leaked([m for _, m in notes(app)]) == []
    path, file_mode, dir_mode = (tmp_path / "seen").read_text().split()
    assert (file_mode, dir_mode) == ("600", "700")
    assert not Path(path).exists() and not Path(path).parent.exists()


def test_requests_to_secrets_are_shown_masked() -> None:
    path = "/api/v1/namespaces/default/secrets/db"
    shown = [str(Request("PUT", path, {"kind": "Secret", "data": {"password": b64(CLEAR)}})),
             str(Request("PATCH", path, {"stringData": {"apikey": API_KEY}},
                         "application/merge-patch+json")),
             str(Request("PATCH", path, [{"op": "replace", "path": "/data/password",
                                          "value": b64(NEW_CLEAR)}],
                         "application/json-patch+json")),
             str(Request("POST", "/api/v1/namespaces/default/secrets",
                         {"kind": "Secret", "metadata": {"annotations": {
                             "kubectl.kubernetes.io/last-applied-configuration": API_KEY}}}))]
    assert all(MASK in s for s in shown) and leaked(shown) == []


async def test_apply_of_a_secret_shows_no_value_in_the_plan_or_the_result(
        cluster: Cluster, tmp_path: Path) -> None:
    await make_secret(cluster)
    manifest = tmp_path / "secret.yaml"
    manifest.write_text(yaml.safe_dump({
        "apiVersion": "v1", "kind": "Secret", "metadata": {"name": "db"},
        "data": {"password": b64(NEW_CLEAR)}, "stringData": {"apikey": API_KEY}}))
    app = action_app(SECRET)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(lambda: app.action_runner is not None and "db" in names(app))
        await pilot.press("ctrl+o")  # apply (`a` is attach and ctrl+a the aliases, as in k9s)
        prompt = await wait_for(lambda: isinstance(app.screen, PromptDialog) and app.screen)
        prompt.query_one("#answer").value = str(manifest)
        await pilot.press("enter")
        confirm = await wait_for(lambda: isinstance(app.screen, ConfirmDialog)
                                 and app.screen)
        body = str(confirm.query_one("#body").render())
        assert "secret/db configured" in body
        assert f"{MASK} (before)" in body and f"{MASK} (after)" in body  # which key changes
        assert leaked([body]) == []
        await pilot.press("right", "enter")
        await wait_for(lambda: noted(app, "secret/db serverside-applied"))
    secret = cluster.store.get(("", "secrets"), "default", "db")
    assert secret["data"] == {"password": b64(NEW_CLEAR), "apikey": b64(API_KEY)}
    assert leaked([m for _, m in notes(app)]) == []


async def test_reveal_shows_decoded_values_and_a_reopened_view_is_masked(
        cluster: Cluster) -> None:
    await make_secret(cluster)
    app = action_app(SECRET)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(lambda: app.session is not None)
        assert app.session is not None
        screen = YamlScreen(app.session.store, SECRET, "default", "db")
        await app.push_screen(screen)
        await wait_for(lambda: f"  password: '{MASK}'" in screen.view.lines)
        await pilot.press("x")
        assert f"  password: {CLEAR}" in screen.view.lines
        assert b64(CLEAR) not in screen.view.text
        await pilot.press("escape")
        again = YamlScreen(app.session.store, SECRET, "default", "db")
        await app.push_screen(again)
        await wait_for(lambda: f"  password: '{MASK}'" in again.view.lines)
        assert CLEAR not in again.view.text


async def test_saved_logs_are_private_and_never_overwritten(fast_sandbox, client) -> None:
    app = await open_web(fast_sandbox, client)
    async with app.run_test(size=(100, 20)) as pilot:
        await write(fast_sandbox, app.view, "a saved line")
        await pilot.press("ctrl+s")
        await pilot.press("ctrl+s")  # the same second, most likely: a second file anyway
        files = await wait_for(lambda: len(list(save_dir().glob("default_pod-web_*.log"))) == 2
                               and sorted(save_dir().glob("default_pod-web_*.log")))
    assert [stat.S_IMODE(f.stat().st_mode) for f in files] == [0o600, 0o600]
    assert all("a saved line" in f.read_text() for f in files)


# ----- client keys on disk -----------------------------------------------------------------

def client_cert() -> tuple[bytes, bytes]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "tester")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now).not_valid_after(now + datetime.timedelta(days=1))
            .sign(key, hashes.SHA256()))
    return (cert.public_bytes(serialization.Encoding.PEM),
            key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                              serialization.NoEncryption()))


def kubeconfig_with_client_key(sandbox: Any, home: Path) -> tuple[Path, bytes]:
    cert, key = client_cert()
    doc = yaml.safe_load(Path(sandbox.kubeconfig).read_text())
    doc["users"][0]["user"].update({"client-certificate-data": base64.b64encode(cert).decode(),
                                    "client-key-data": base64.b64encode(key).decode()})
    path = home / "with-key.kubeconfig"
    path.write_text(yaml.safe_dump(doc))
    return path, key


def files_holding(folder: Path, data: bytes) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file() and data in p.read_bytes()]


async def test_client_key_is_not_left_on_disk_after_loading(
        sandbox: Any, isolated_home: Path, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    import tempfile
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setattr(tempfile, "tempdir", None)  # re-read TMPDIR
    path, key = kubeconfig_with_client_key(sandbox, isolated_home)
    config = kubeconfig.load(str(path))
    client = await ClusterClient.connect(config, config.current)
    try:
        assert await client.server_version()  # the TLS context works without the file
        assert files_holding(tmp_path, key) == []
    finally:
        await client.close()


async def test_a_hang_up_leaves_no_private_file(sandbox: Any, isolated_home: Path,
                                                tmp_path: Path) -> None:
    """The real CLI in a pseudo-terminal, sent SIGHUP as a dropped SSH session does."""
    path, key = kubeconfig_with_client_key(sandbox, isolated_home)
    env = {**os.environ, "TMPDIR": str(tmp_path), "TERM": "xterm-256color",
           "PYTHONPATH": str(Path.cwd())}
    pid, fd = pty.fork()
    if pid == 0:  # the child: kubetui itself
        os.execvpe(sys.executable, [sys.executable, "-m", "kubetui.cli", "--kubeconfig",
                                    str(path)], env)
    screen = bytearray()

    def read_until(word: bytes, timeout: float = 60) -> bool:
        deadline = time.monotonic() + timeout
        while word not in screen and time.monotonic() < deadline:
            try:
                screen.extend(os.read(fd, 65536))
            except OSError:
                return False
        return word in screen

    try:
        assert await asyncio.to_thread(read_until, b"live"), "kubetui did not show live pods"
        assert files_holding(tmp_path, key) == []  # deleted right after loading
        os.kill(pid, signal.SIGHUP)
        _, status = await asyncio.to_thread(os.waitpid, pid, 0)
        assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGHUP
        assert list(tmp_path.glob("kubetui-*")) == []
    finally:
        with_child_gone(pid)
        os.close(fd)


def with_child_gone(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    except (ProcessLookupError, ChildProcessError):
        pass


def test_sandbox_token_file_stays_private_after_rotation(tmp_path: Path) -> None:
    """`kubetui sandbox --token-ttl`: the token file is rewritten on rotation, 0600."""
    config = tmp_path / "sandbox.kubeconfig"
    proc = subprocess.Popen([sys.executable, "-m", "kubetui.cli", "sandbox", "--kubeconfig",
                             str(config), "--token-ttl", "0.6"], stdout=subprocess.PIPE,
                            text=True, cwd=Path.cwd())
    try:
        assert proc.stdout is not None
        assert "serving" in proc.stdout.readline()
        token_file = config.with_suffix(".token")
        first = token_file.read_text()
        deadline = time.monotonic() + 20
        while token_file.read_text() == first and time.monotonic() < deadline:
            time.sleep(0.05)
        assert token_file.read_text() != first, "the token was not rotated"
        assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
        assert stat.S_IMODE(config.stat().st_mode) == 0o600
    finally:
        proc.terminate()
        proc.wait(timeout=30)
