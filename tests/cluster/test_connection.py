"""The proxy a cluster client goes through: kubeconfig's proxy-url, else the environment's,
looked up once per client."""

from __future__ import annotations

import pytest

from kubetui.cluster.connection import Configuration, proxy_for


@pytest.fixture(autouse=True)
def no_proxy_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "NO_PROXY",
                 "no_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)


def test_the_environment_proxy_with_its_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://ann:s3cret@proxy.corp:3128")
    proxy, auth = proxy_for(Configuration(host="https://k8s.example:6443"))
    assert proxy == "http://proxy.corp:3128"
    assert auth is not None and (auth.login, auth.password) == ("ann", "s3cret")


def test_no_proxy_and_kubeconfig_proxy_url_win(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.corp:3128")
    monkeypatch.setenv("NO_PROXY", "k8s.example")
    assert proxy_for(Configuration(host="https://k8s.example:6443")) == (None, None)
    assert proxy_for(Configuration(host="https://other.example", proxy="http://p:1")) == \
        ("http://p:1", None)
    assert proxy_for(Configuration(host="https://other.example"))[0] == \
        "http://proxy.corp:3128"
