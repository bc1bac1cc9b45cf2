"""ClusterClient against the sandbox: discovery, reads, actions, and errors a person reads."""

from __future__ import annotations

import os
import socket

import pytest
import yaml

from kubetui.cluster import kubeconfig
from kubetui.cluster.client import ClusterClient, ClusterError
from kubetui.kinds import builtin
from tests.cluster.helpers import connect, kubeconfig_doc

CRD = {
    "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
    "metadata": {"name": "widgets.example.com"},
    "spec": {"group": "example.com", "scope": "Namespaced",
             "names": {"plural": "widgets", "singular": "widget", "kind": "Widget",
                       "shortNames": ["wd"]},
             "versions": [{"name": "v1", "served": True, "storage": True,
                           "schema": {"openAPIV3Schema": {
                               "type": "object", "x-kubernetes-preserve-unknown-fields": True}},
                           "additionalPrinterColumns": [
                               {"name": "Size", "type": "integer", "jsonPath": ".spec.size"}]}]},
}


async def test_version_kinds_get_and_custom_resources(client: ClusterClient):
    assert (await client.server_version()).startswith("v1.32")
    assert client.info.namespace == "default"
    await client.request("POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions",
                         CRD)
    kinds = await client.kinds()
    widget = next(k for k in kinds if k.kind == "Widget")
    assert (widget.group, widget.version, widget.plural, widget.namespaced) == \
        ("example.com", "v1", "widgets", True)
    assert "wd" in widget.short_names
    deploy = next(k for k in kinds if k.kind == "Deployment")
    assert deploy.scalable and deploy.restartable  # built-ins keep their capabilities

    await client.request("POST", "/apis/example.com/v1/namespaces/default/widgets",
                         {"apiVersion": "example.com/v1", "kind": "Widget",
                          "metadata": {"name": "w1"}, "spec": {"size": 3}})
    obj = await client.get(widget, "default", "w1")
    assert obj["spec"] == {"size": 3} and obj["metadata"]["uid"]
    assert await client.printer_columns(widget) == \
        CRD["spec"]["versions"][0]["additionalPrinterColumns"]


async def test_request_patch_and_delete(client: ClusterClient):
    cm = builtin("ConfigMap")
    await client.request("POST", "/api/v1/namespaces/default/configmaps",
                         {"metadata": {"name": "c1"}, "data": {"a": "1"}})
    await client.request("PATCH", "/api/v1/namespaces/default/configmaps/c1",
                         {"data": {"b": "2"}}, content_type="application/merge-patch+json")
    assert (await client.get(cm, "default", "c1"))["data"] == {"a": "1", "b": "2"}
    await client.request("DELETE", "/api/v1/namespaces/default/configmaps/c1")
    with pytest.raises(ClusterError) as err:
        await client.get(cm, "default", "c1")
    assert err.value.status == 404
    assert str(err.value).startswith('Not found: configmaps "c1" in namespace "default"')


async def test_server_status_message_on_conflict(client: ClusterClient):
    body = {"metadata": {"name": "dup"}}
    await client.request("POST", "/api/v1/namespaces/default/configmaps", body)
    with pytest.raises(ClusterError) as err:
        await client.request("POST", "/api/v1/namespaces/default/configmaps", body)
    assert err.value.status == 409 and err.value.reason == "AlreadyExists"
    assert "already exists" in str(err.value)


async def test_forbidden_names_verb_kind_and_namespace(start_sandbox):
    from kubetui.sandbox.core import Faults
    sb = await start_sandbox(faults=Faults(rbac="readonly"))
    async with await connect(sb) as client:
        with pytest.raises(ClusterError) as err:
            await client.request("DELETE", "/apis/apps/v1/namespaces/shop/deployments/web")
    assert err.value.status == 403
    assert str(err.value).startswith(
        'Forbidden: you may not delete deployments "web" in namespace "shop"')


async def test_unauthorized_names_user_and_context(start_sandbox, write_config):
    sb = await start_sandbox("ctx")
    doc = yaml.safe_load(sb.kubeconfig.read_text())
    doc["users"][0]["user"] = {"token": "wrong"}
    cfg = kubeconfig.load(str(write_config("bad.yaml", doc)))
    async with await ClusterClient.connect(cfg, "ctx") as client:
        with pytest.raises(ClusterError) as err:
            await client.request("GET", "/api/v1/namespaces")
    assert err.value.status == 401
    assert f"{sb.url} rejected the credentials of user 'ctx' (context 'ctx')" in \
        str(err.value)


async def test_unreachable_server(write_config):
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    path = write_config("down.yaml", kubeconfig_doc(
        {"ctx": {"server": f"http://127.0.0.1:{port}", "user": {"token": "x"}}},
        current="ctx"))
    cfg = kubeconfig.load(str(path))
    async with await ClusterClient.connect(cfg, "ctx") as client:
        with pytest.raises(ClusterError) as err:
            await client.server_version()
    assert err.value.status is None
    assert str(err.value).startswith(f"cannot reach the server at http://127.0.0.1:{port}")
    assert "refused" in str(err.value).lower()


async def test_tls_failure_is_reported(start_sandbox, write_config):
    sb = await start_sandbox()
    assert sb.url.startswith("https://")
    path = write_config("tls.yaml", kubeconfig_doc(  # no certificate-authority: untrusted
        {"ctx": {"server": sb.url, "user": {"token": "x"}}}, current="ctx"))
    cfg = kubeconfig.load(str(path))
    async with await ClusterClient.connect(cfg, "ctx") as client:
        with pytest.raises(ClusterError) as err:
            await client.server_version()
    assert str(err.value).startswith(f"TLS failure talking to {sb.url}")
    assert "certificate verify failed (self-signed certificate" in str(err.value)


async def test_two_file_kubeconfig_two_sandboxes(start_sandbox, monkeypatch):
    red = await start_sandbox("red")
    blue = await start_sandbox("blue")
    monkeypatch.setenv("KUBECONFIG", f"{red.kubeconfig}{os.pathsep}{blue.kubeconfig}")
    cfg = kubeconfig.load()
    assert {c.name for c in cfg.contexts} == {"red", "blue"}
    assert cfg.current == "red"
    for name, sb in (("red", red), ("blue", blue)):
        async with await ClusterClient.connect(cfg, name) as client:
            assert client.info.server == sb.url
            await client.request("POST", "/api/v1/namespaces",
                                 {"metadata": {"name": f"only-{name}"}})
    for name, other in (("red", "blue"), ("blue", "red")):
        async with await ClusterClient.connect(cfg, name) as client:
            names = {n["metadata"]["name"]
                     for n in (await client.request("GET", "/api/v1/namespaces"))["items"]}
            assert f"only-{name}" in names and f"only-{other}" not in names


async def test_stream_checks_status(client: ClusterClient):
    with pytest.raises(ClusterError) as err:
        async for _ in client.stream("/api/v1/namespaces/default/pods/nope/log", {}):
            pass
    assert err.value.status == 404
