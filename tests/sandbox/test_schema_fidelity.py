"""Full schemas and strict decoding, judged by real clients (kubectl, the official client).

The real server decodes every body into its Go types: a value of the wrong type fails the
request and is never stored; unknown fields are dropped, and `fieldValidation` decides
whether the client is refused (Strict), warned (Warn) or told nothing (Ignore).
"""

from __future__ import annotations

import asyncio
import json
import textwrap
from collections.abc import Callable
from typing import Any

import pytest

from kubetui.kinds import BUILTIN_KINDS, Kind
from kubetui.sandbox.apiserver import typeschema
from tests.waiting import wait_for

pytestmark = pytest.mark.asyncio

BOGUS_CM = textwrap.dedent("""\
    apiVersion: v1
    kind: ConfigMap
    metadata: {name: bogus, namespace: default}
    data: {a: b}
    bogusField: 1
    """)

DEPLOY = {
    "apiVersion": "apps/v1", "kind": "Deployment",
    "metadata": {"name": "web", "namespace": "default"},
    "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "web"}},
             "template": {"metadata": {"labels": {"app": "web"}},
                          "spec": {"containers": [{"name": "web", "image": "nginx"}]}}},
}


@pytest.mark.parametrize(("path", "expected"), [
    ("deployment.spec.strategy", "rollingUpdate\t<RollingUpdateDeployment>"),
    ("deployment.spec.template.spec.containers.resources", "limits\t<map[string]Quantity>"),
    ("pod.spec.containers.livenessProbe.httpGet", "port\t<IntOrString> -required-"),
    ("cronjob.spec.jobTemplate.spec.template.spec.volumes.configMap", "items\t<[]KeyToPath>"),
    ("service.spec.ports", "protocol\t<string>"),
])
async def test_explain_at_depth(kubectl: Callable, shared_sandbox, path: str,
                                expected: str) -> None:
    res = await kubectl("explain", path)
    assert expected in res.stdout.replace("  ", "\t").replace("\t\t", "\t"), res.stdout


async def test_explain_every_builtin_kind(kubectl: Callable, shared_sandbox) -> None:
    """`kubectl explain <kind>.metadata.labels` works for each built-in kind."""
    for kind in BUILTIN_KINDS:
        if "list" not in kind.verbs:
            continue
        res = await kubectl("explain", f"{kind.plural}.metadata.labels",
                            f"--api-version={kind.api_version}", check=False)
        assert res.returncode == 0 and "map[string]string" in res.stdout, \
            (kind.resource, res.stderr)


async def test_strict_apply_rejects_unknown_field(kubectl: Callable, sandbox) -> None:
    res = await kubectl("apply", "--validate=strict", "-f", "-", input=BOGUS_CM, check=False)
    assert res.returncode != 0
    assert ('ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding '
            'error: unknown field "bogusField"') in res.stderr
    assert sandbox.sandbox.store.find(("", "configmaps"), "default", "bogus") is None


async def test_warn_apply_warns_and_drops(kubectl: Callable, sandbox) -> None:
    res = await kubectl("apply", "--validate=warn", "-f", "-", input=BOGUS_CM)
    assert 'Warning: unknown field "bogusField"' in res.stderr
    stored = sandbox.sandbox.store.get(("", "configmaps"), "default", "bogus")
    assert "bogusField" not in stored and stored["data"] == {"a": "b"}


async def test_ignore_apply_drops_silently(kubectl: Callable, sandbox) -> None:
    res = await kubectl("apply", "--validate=false", "-f", "-", input=BOGUS_CM)
    assert "unknown field" not in res.stderr
    assert "bogusField" not in sandbox.sandbox.store.get(("", "configmaps"), "default", "bogus")


async def test_strict_nested_unknown_fields_named_by_path(kubectl: Callable, sandbox) -> None:
    doc = json.loads(json.dumps(DEPLOY))
    doc["spec"]["replica"] = 2
    doc["spec"]["template"]["spec"]["containers"][0]["imagePullPolicyx"] = "Always"
    res = await kubectl("create", "-f", "-", input=json.dumps(doc), check=False)
    assert ('strict decoding error: unknown field "spec.replica", unknown field '
            '"spec.template.spec.containers[0].imagePullPolicyx"') in res.stderr


async def test_wrong_type_on_create_is_refused(kubectl: Callable, sandbox) -> None:
    doc = json.loads(json.dumps(DEPLOY))
    doc["spec"]["replicas"] = "lots"
    res = await kubectl("create", "-f", "-", input=json.dumps(doc), check=False)
    assert ('Deployment in version "v1" cannot be handled as a Deployment: json: cannot '
            'unmarshal string into Go struct field DeploymentSpec.spec.replicas of type '
            'int32') in res.stderr
    assert sandbox.sandbox.store.find(("apps", "deployments"), "default", "web") is None


async def test_wrong_type_through_edit_is_never_stored(kubectl: Callable, sandbox) -> None:
    """The issue's case: `replicas: lots` through a patch (what `kubectl edit` sends)."""
    await kubectl("create", "-f", "-", input=json.dumps(DEPLOY))
    for ptype in ("merge", "strategic"):
        res = await kubectl("patch", "deployment", "web", f"--type={ptype}", "-p",
                            '{"spec":{"replicas":"lots"}}', check=False)
        assert res.returncode != 0
        assert 'is invalid: patch: Invalid value:' in res.stderr
        assert ("json: cannot unmarshal string into Go struct field DeploymentSpec"
                ".spec.replicas of type int32") in res.stderr
    assert sandbox.sandbox.store.get(("apps", "deployments"), "default",
                                     "web")["spec"]["replicas"] == 1
    res = await kubectl("get", "deploy", "web")
    assert "web" in res.stdout


def _official_api(sandbox):  # noqa: ANN001, ANN202
    """An official (synchronous) client on the sandbox; run it in a thread, since the
    sandbox serves on this test's event loop."""
    kubernetes = pytest.importorskip("kubernetes")
    return kubernetes.config.new_client_from_config(config_file=str(sandbox.kubeconfig))


def _official_post(sandbox, url: str, body: Any, api: Any = None  # noqa: ANN001
                   ) -> tuple[int, dict[str, str]]:
    """POST with the official client (`api`, or one made for this request and closed)."""
    own = api is None
    api = _official_api(sandbox) if own else api
    try:
        cfg = api.configuration
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        cfg.update_params_for_auth = None
        headers["Authorization"] = cfg.get_api_key_with_prefix("BearerToken") or \
            cfg.api_key.get("authorization", "")
        resp = api.call_api("POST", cfg.host + url, header_params=headers, body=body)
        resp.read()
        return resp.status, dict(resp.getheaders())
    finally:
        if own:
            api.close()


async def test_official_client_warn_is_the_default(sandbox) -> None:
    """No fieldValidation parameter means Warn: stored without the field, a warning sent."""
    body = {"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "c", "namespace": "default"}, "bogus": True}
    status, headers = await asyncio.to_thread(
        _official_post, sandbox, "/api/v1/namespaces/default/configmaps", body)
    assert status == 201
    assert headers.get("Warning") == '299 - "unknown field \\"bogus\\""'
    assert "bogus" not in sandbox.sandbox.store.get(("", "configmaps"), "default", "c")


#: Per field type, values of another type (a number is a valid Quantity, as in Go).
_WRONG: dict[str, list[Any]] = {
    "string": [7, ["a"]], "integer": ["lots", True, 1.5], "boolean": ["yes", 3],
    "number": ["lots", True], "time": [5, "yesterday"], "list": ["x", {"a": 1}],
    "map": ["x", 5, ["a"]], "model": ["x", 5, ["a"]], "quantity": ["lots", True, ["a"]],
    "int-or-string": [True, ["a"], {"a": 1}],
}


def _wrong_bodies(kind: Kind) -> list[tuple[list[str], dict[str, Any]]]:
    """For every top-level field of the kind and every field one level down: bodies that
    set it to a value of another type."""
    m = typeschema.kind_model(kind)
    assert m is not None, kind.kind
    out = []
    for name, f in m.fields.items():
        if name in ("apiVersion", "kind") or f.type.kind == "any":
            continue
        paths = [([name], f.type)]
        sub = typeschema.model(f.type.model) if f.type.kind == "model" else None
        paths += [([name, sub_name], sf.type) for sub_name, sf in
                  (sub.fields.items() if sub else ()) if sf.type.kind != "any"]
        for path, ftype in paths:
            for bad in _WRONG[ftype.kind]:
                body: dict[str, Any] = {"apiVersion": kind.api_version, "kind": kind.kind,
                                        "metadata": {"name": "fuzz"}}
                node = body
                for part in path[:-1]:
                    node = node.setdefault(part, {})
                node[path[-1]] = bad
                out.append((path, body))
    return out


async def test_wrong_types_into_every_kind_never_crash(sandbox, kubectl: Callable) -> None:
    """Each built-in kind gets every top-level field and every field one level down with
    a wrong type: each is refused with a 4xx and nothing is stored; then the server and the
    controllers still work (a crashed controller would make no pods)."""
    def feed() -> list[str]:
        failures = []
        api = _official_api(sandbox)  # one connection for every request: TLS set-up is slow
        for kind in BUILTIN_KINDS:
            if "create" not in kind.verbs:
                continue
            prefix = f"/apis/{kind.group}/{kind.version}" if kind.group else "/api/v1"
            url = f"{prefix}/namespaces/default/{kind.plural}" if kind.namespaced else \
                f"{prefix}/{kind.plural}"
            for path, body in _wrong_bodies(kind):
                status, _ = _official_post(sandbox, url, body, api)
                stored = sandbox.sandbox.store.find(
                    kind.key, "default" if kind.namespaced else "", "fuzz")
                if not 400 <= status < 500 or stored is not None:
                    failures.append(f"{kind.kind} {'.'.join(path)}={body}: {status}")
        api.close()
        return failures

    failures = await asyncio.to_thread(feed)
    assert failures == [], "\n".join(failures)
    await kubectl("create", "-f", "-", input=json.dumps(DEPLOY))
    await wait_for(lambda: sandbox.sandbox.store.count(("", "pods")) >= 1, timeout=30)
    assert "web" in (await kubectl("get", "deploy")).stdout
