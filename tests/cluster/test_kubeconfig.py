"""kubeconfig as kubectl reads it: which files, how they merge, contexts, credentials."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import shutil
import time
from pathlib import Path

import pytest
import yaml

from kubetui.cluster import kubeconfig
from kubetui.cluster.errors import ConfigError
from tests.cluster.helpers import kubeconfig_doc


def test_kubeconfig_env_merges_files_first_wins(write_config, monkeypatch):
    a = write_config("a.yaml", kubeconfig_doc(
        {"one": {"server": "https://one:6443", "namespace": "shop"},
         "both": {"server": "https://from-a:6443"}}, current="one"))
    b = write_config("b.yaml", kubeconfig_doc(
        {"two": {"server": "https://two:6443"}, "both": {"server": "https://from-b:6443"}},
        current="two"))
    monkeypatch.setenv("KUBECONFIG", f"{a}{os.pathsep}/does/not/exist{os.pathsep}{b}")
    cfg = kubeconfig.load()
    assert [c.name for c in cfg.contexts] == ["both", "one", "two"]
    assert cfg.current == "one"  # the first file's current-context wins
    assert cfg.context("both").server == "https://from-a:6443"
    assert cfg.context("one").namespace == "shop"
    assert cfg.context("two").namespace == "default"
    assert cfg.context("two").server == "https://two:6443"


def test_explicit_kubeconfig_and_context(write_config, monkeypatch):
    path = write_config("x.yaml", kubeconfig_doc({"a": {}, "b": {"namespace": "ops"}},
                                                 current="a"))
    monkeypatch.setenv("KUBECONFIG", "/nowhere")
    cfg = kubeconfig.load(str(path), context="b")
    assert cfg.current == "b"
    assert cfg.context(cfg.current).namespace == "ops"
    with pytest.raises(ConfigError, match=r"context 'nope' is not defined in .*x\.yaml"):
        kubeconfig.load(str(path), context="nope")
    with pytest.raises(ConfigError, match=r"kubeconfig .*missing\.yaml does not exist"):
        kubeconfig.load(str(path.parent / "missing.yaml"))


def test_default_path_is_home_kube_config(isolated_home, monkeypatch):
    monkeypatch.delenv("KUBECONFIG")
    with pytest.raises(ConfigError, match=r"no kubeconfig .*\.kube/config"):
        kubeconfig.load()
    path = isolated_home / ".kube" / "config"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(kubeconfig_doc({"home": {}}, current="home")))
    assert kubeconfig.load().current == "home"


@pytest.mark.parametrize("text, problem", [
    ("clusters: [\n  - name: x\n    cluster: {server: ", "not valid YAML"),
    ("- just\n- a list\n", "expected a mapping"),
    ("contexts: {a: b}\n", "'contexts' must be a list"),
    ("users:\n- user: {token: x}\n", "needs a name"),
])
def test_malformed_file_is_named(write_config, text, problem):
    path = write_config("broken.yaml", text)
    with pytest.raises(ConfigError) as err:
        kubeconfig.load(str(path))
    assert str(path) in str(err.value)
    assert problem in str(err.value)


@pytest.mark.parametrize("section", ["clusters", "users", "contexts"])
async def test_duplicate_name_in_one_file_is_an_error(write_config, section, tmp_path):
    """As client-go: kubectl refuses the file too (asked here as the judge)."""
    doc = kubeconfig_doc({"a": {"server": "https://a:6443"}}, current="a")
    doc[section].append(dict(doc[section][0]))
    path = write_config("dup.yaml", doc)
    with pytest.raises(ConfigError) as err:
        kubeconfig.load(str(path))
    assert str(path) in str(err.value) and "duplicate" in str(err.value)
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        pytest.skip("kubectl is not installed on this machine")
    proc = await asyncio.create_subprocess_exec(
        kubectl, f"--kubeconfig={path}", f"--cache-dir={tmp_path / 'cache'}", "config",
        "view", stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    _, stderr = await proc.communicate()
    assert proc.returncode != 0 and b"duplicate name" in stderr


async def test_token_file_relative_to_its_kubeconfig(write_config, tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "token").write_text("secret-1\n")
    path = write_config("sub/config", kubeconfig_doc(
        {"c": {"server": "http://127.0.0.1:1", "user": {"tokenFile": "token"}}}, current="c"))
    conf = await kubeconfig.load(str(path)).configuration("c")
    assert await conf.authorization_header() == "Bearer secret-1"
    # A rotated file is read again when the server says 401 (reload).
    (tmp_path / "sub" / "token").write_text("secret-2")
    await conf.credentials.reload(conf)
    assert conf.authorization == "Bearer secret-2"


async def test_tls_settings_and_inline_data(write_config, tmp_path):
    ca = b"-----BEGIN CERTIFICATE-----\nfake\n-----END CERTIFICATE-----\n"
    path = write_config("tls.yaml", kubeconfig_doc({"c": {
        "server": "https://k8s.example:6443",
        "cluster": {"certificate-authority-data": base64.b64encode(ca).decode(),
                    "tls-server-name": "api.internal", "proxy-url": "http://proxy:3128"},
        "user": {"token": "abc"}}}, current="c"))
    conf = await kubeconfig.load(str(path)).configuration("c")
    assert conf.host == "https://k8s.example:6443"
    assert Path(conf.ssl_ca_cert).read_bytes() == ca
    assert conf.tls_server_name == "api.internal"
    assert conf.proxy == "http://proxy:3128"
    assert conf.verify_ssl is True
    assert conf.authorization == "Bearer abc"

    insecure = write_config("insecure.yaml", kubeconfig_doc({"c": {
        "cluster": {"insecure-skip-tls-verify": True}}}, current="c"))
    assert (await kubeconfig.load(str(insecure)).configuration("c")).verify_ssl is False

    missing = write_config("missing-ca.yaml", kubeconfig_doc({"c": {
        "cluster": {"certificate-authority": "nope.crt"}}}, current="c"))
    with pytest.raises(ConfigError, match=r"missing-ca\.yaml: certificate-authority file"):
        await kubeconfig.load(str(missing)).configuration("c")


async def test_exec_plugin_success_without_terminal(write_config, exec_plugin, tmp_path):
    plugin = exec_plugin(token="from-plugin")
    path = write_config("exec.yaml", kubeconfig_doc({"c": {"user": {"exec": {
        "apiVersion": "client.authentication.k8s.io/v1", "command": "./kube-login",
        "env": [{"name": "EXTRA", "value": "yes"}]}}}}, current="c"))
    conf = await kubeconfig.load(str(path)).configuration("c")
    assert conf.authorization == "Bearer from-plugin"
    seen = json.loads((plugin.parent / "kube-login.seen").read_text())
    assert seen["info"]["spec"]["interactive"] is False
    assert seen["stdin_tty"] is False and seen["stdin"] == ""  # stdin is /dev/null
    assert seen["extra"] == "yes"


async def test_exec_plugin_token_refreshed_before_expiry(write_config, exec_plugin):
    exec_plugin(token="tok", counter=True, expires_in=1)
    path = write_config("exec.yaml", kubeconfig_doc({"c": {"user": {"exec": {
        "apiVersion": "client.authentication.k8s.io/v1beta1",
        "command": "./kube-login"}}}}, current="c"))
    conf = await kubeconfig.load(str(path)).configuration("c")
    assert conf.authorization == "Bearer tok-1"
    # Timestamps have whole seconds: the token is due for refresh within ~1 s.
    deadline = time.monotonic() + 5
    while await conf.authorization_header() == "Bearer tok-1":
        assert time.monotonic() < deadline, "the exec token was never refreshed"
        await asyncio.sleep(0.05)
    assert conf.authorization == "Bearer tok-2"


async def test_exec_plugin_missing_binary(write_config):
    path = write_config("exec.yaml", kubeconfig_doc({"c": {"user": {"exec": {
        "apiVersion": "client.authentication.k8s.io/v1", "command": "no-such-login-tool",
        "installHint": "Install it with: brew install no-such-login-tool"}}}}, current="c"))
    with pytest.raises(ConfigError) as err:
        await kubeconfig.load(str(path)).configuration("c")
    text = str(err.value)
    assert "'no-such-login-tool'" in text and "was not found" in text
    assert "brew install" in text and str(path) in text


async def test_exec_plugin_failure_shows_stderr(write_config, exec_plugin):
    exec_plugin(exit_code=3)
    path = write_config("exec.yaml", kubeconfig_doc({"c": {"user": {"exec": {
        "apiVersion": "client.authentication.k8s.io/v1", "command": "./kube-login"}}}},
        current="c"))
    with pytest.raises(ConfigError, match=r"failed \(exit code 3\): login required"):
        await kubeconfig.load(str(path)).configuration("c")


async def test_exec_plugin_that_needs_a_terminal_is_refused(write_config, exec_plugin):
    exec_plugin()
    path = write_config("exec.yaml", kubeconfig_doc({"c": {"user": {"exec": {
        "apiVersion": "client.authentication.k8s.io/v1", "command": "./kube-login",
        "interactiveMode": "Always"}}}}, current="c"))
    with pytest.raises(ConfigError, match="needs an interactive terminal"):
        await kubeconfig.load(str(path)).configuration("c")


async def test_in_cluster_when_no_kubeconfig(tmp_path, monkeypatch):
    sa = tmp_path / "sa"
    sa.mkdir()
    (sa / "token").write_text("pod-token")
    (sa / "namespace").write_text("team-a\n")
    monkeypatch.setattr(kubeconfig, "SERVICE_ACCOUNT_DIR", sa)
    monkeypatch.setenv("KUBERNETES_SERVICE_HOST", "10.0.0.1")
    monkeypatch.setenv("KUBERNETES_SERVICE_PORT", "443")
    cfg = kubeconfig.load()
    info = cfg.context(cfg.current)
    assert (info.name, info.server, info.namespace) == \
        ("in-cluster", "https://10.0.0.1:443", "team-a")
    conf = await cfg.configuration(cfg.current)
    assert conf.authorization == "Bearer pod-token"


async def test_unsupported_auth_provider(write_config):
    path = write_config("oidc.yaml", kubeconfig_doc({"c": {"user": {
        "auth-provider": {"name": "oidc", "config": {}}}}}, current="c"))
    with pytest.raises(ConfigError, match="auth-provider 'oidc'.*exec credential plugin"):
        await kubeconfig.load(str(path)).configuration("c")
