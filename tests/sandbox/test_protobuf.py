"""Protobuf request bodies: the decoder on hand-built bytes, then the real kubectl's typed
clients (`create <kind>`, `auth can-i`) against the sandbox, checked in its store."""

from __future__ import annotations

import base64
import shutil
from collections.abc import Callable
from typing import Any

import pytest

from kubetui.sandbox.apiserver.protobuf import _SCALARS, KINDS, MAGIC, SCHEMA, decode_body
from kubetui.sandbox.errors import ApiError

# ----- a tiny encoder, enough to build test bodies -----------------------------------------


def _varint(v: int) -> bytes:
    v &= (1 << 64) - 1  # negatives as ten-byte two's complement, as Go writes them
    out = bytearray()
    while True:
        byte, v = v & 0x7F, v >> 7
        out.append(byte | (0x80 if v else 0))
        if not v:
            return bytes(out)


def num(field: int, v: int) -> bytes:
    return _varint(field << 3) + _varint(v)


def ld(field: int, data: bytes | str) -> bytes:
    """A length-delimited field: a string, bytes or an encoded message."""
    raw = data.encode() if isinstance(data, str) else data
    return _varint(field << 3 | 2) + _varint(len(raw)) + raw


def msg(field: int, *parts: bytes) -> bytes:
    return ld(field, b"".join(parts))


def entry(field: int, key: str, value: bytes | str) -> bytes:
    return msg(field, ld(1, key), ld(2, value))


def packed(*values: int) -> bytes:
    return b"".join(_varint(v) for v in values)


def envelope(api_version: str, kind: str, obj: bytes, encoding: str = "") -> bytes:
    return MAGIC + msg(1, ld(1, api_version), ld(2, kind)) + ld(2, obj) + ld(3, encoding) + \
        ld(4, "")


def meta(name: str, *more: bytes) -> bytes:
    """ObjectMeta as Go writes it: every non-pointer field, zero or not."""
    return msg(1, ld(1, name), ld(2, ""), ld(3, "ns"), num(7, 0), msg(8), *more)


def int_or_string(field: int, v: int | str) -> bytes:
    if isinstance(v, int):
        return msg(field, num(1, 0), num(2, v), ld(3, ""))
    return msg(field, num(1, 1), num(2, 0), ld(3, v))


def quantity(s: str) -> bytes:
    return ld(1, s)


# ----- the decoder ------------------------------------------------------------------------


def test_schema_table_is_closed() -> None:
    for name, fields in SCHEMA.items():
        for number, (_, type_) in fields.items():
            base = type_.removeprefix("[]").removeprefix("map:").rstrip("?")
            assert base in SCHEMA or base in _SCALARS, f"{name}.{number}: {type_}"
    for api_version, kinds in KINDS.items():
        assert kinds <= SCHEMA.keys(), api_version


def test_deployment_with_a_full_container() -> None:
    container = b"".join([
        ld(1, "web"), ld(2, "nginx:1.27"), ld(3, "nginx"), ld(3, "-g"),
        msg(6, ld(1, "http"), num(2, 0), num(3, 80), ld(4, "TCP"), ld(5, "")),
        msg(7, ld(1, "MODE"), ld(2, "prod")),
        msg(7, ld(1, "PASSWORD"), ld(2, ""),
            msg(3, msg(4, msg(1, ld(1, "creds")), ld(2, "pw"), num(3, 0)))),
        msg(8, entry(1, "cpu", quantity("500m")), entry(2, "memory", quantity("64Mi"))),
        msg(9, ld(1, "data"), num(2, 1), ld(3, "/data"), ld(4, ""), ld(6, "")),
        msg(10, msg(1, msg(2, ld(1, "/healthz"), int_or_string(2, 8080), ld(4, "HTTP"))),
            num(2, 5), num(3, 1), num(4, 10), num(5, 1), num(6, 3)),
        msg(11, msg(1, msg(3, int_or_string(1, "http"), ld(2, "")))),
        ld(13, "/dev/termination-log"), ld(14, "IfNotPresent"),
        msg(15, msg(1, ld(2, "ALL")), num(5, 0), num(4, 1000)),
        num(16, 0), num(17, 0), num(18, 0),
    ])
    pod_spec = b"".join([
        msg(1, ld(1, "data"), msg(2, msg(19, msg(1, ld(1, "settings")), num(3, 420)))),
        msg(2, container), ld(3, "Always"), num(4, 30), ld(6, "ClusterFirst"),
        entry(7, "disk", "ssd"), num(11, 0), msg(14, num(4, 1), num(4, 2), ld(4, packed(3, 4))),
        msg(22, ld(1, "k"), ld(2, "Exists"), ld(3, ""), ld(4, "NoExecute"), num(5, 0)),
    ])
    spec = b"".join([
        num(1, 0),  # replicas is a pointer: an explicit 0 stays
        msg(2, entry(1, "app", "web")),
        msg(3, msg(1, ld(1, ""), entry(11, "app", "web")), msg(2, pod_spec)),
        msg(4, ld(1, "RollingUpdate"), msg(2, int_or_string(1, 0), int_or_string(2, "25%"))),
        num(5, 0), num(7, 0),  # non-pointer zeros: left out, as JSON's omitempty does
    ])
    doc = decode_body(envelope("apps/v1", "Deployment",
                               meta("web", entry(11, "app", "web")) + msg(2, spec) + msg(3)))
    assert doc == {
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "ns", "labels": {"app": "web"}},
        "spec": {
            "replicas": 0,
            "selector": {"matchLabels": {"app": "web"}},
            "template": {"metadata": {"labels": {"app": "web"}}, "spec": {
                "volumes": [{"name": "data", "configMap": {"name": "settings",
                                                          "defaultMode": 420}}],
                "containers": [{
                    "name": "web", "image": "nginx:1.27", "command": ["nginx", "-g"],
                    "ports": [{"name": "http", "containerPort": 80, "protocol": "TCP"}],
                    "env": [{"name": "MODE", "value": "prod"},
                            {"name": "PASSWORD", "valueFrom": {"secretKeyRef": {
                                "name": "creds", "key": "pw", "optional": False}}}],
                    "resources": {"limits": {"cpu": "500m"}, "requests": {"memory": "64Mi"}},
                    "volumeMounts": [{"name": "data", "readOnly": True, "mountPath": "/data"}],
                    "livenessProbe": {
                        "httpGet": {"path": "/healthz", "port": 8080, "scheme": "HTTP"},
                        "initialDelaySeconds": 5, "timeoutSeconds": 1, "periodSeconds": 10,
                        "successThreshold": 1, "failureThreshold": 3},
                    "readinessProbe": {"tcpSocket": {"port": "http"}},
                    "terminationMessagePath": "/dev/termination-log",
                    "imagePullPolicy": "IfNotPresent",
                    "securityContext": {"capabilities": {"drop": ["ALL"]},
                                        "runAsNonRoot": False, "runAsUser": 1000},
                }],
                "restartPolicy": "Always", "terminationGracePeriodSeconds": 30,
                "dnsPolicy": "ClusterFirst", "nodeSelector": {"disk": "ssd"},
                "securityContext": {"supplementalGroups": [1, 2, 3, 4]},
                "tolerations": [{"key": "k", "operator": "Exists", "effect": "NoExecute",
                                 "tolerationSeconds": 0}],
            }},
            "strategy": {"type": "RollingUpdate",
                         "rollingUpdate": {"maxUnavailable": 0, "maxSurge": "25%"}},
        },
        "status": {},
    }


def test_times_and_managed_fields() -> None:
    fields_v1 = b'{"f:metadata":{"f:labels":{}}}'
    metadata = meta("x",
                    msg(9, num(1, 1_700_000_000), num(2, 5)),
                    msg(17, ld(1, "kubectl"), ld(2, "Update"), ld(3, "v1"),
                        msg(4, num(1, 86_400)), ld(6, "FieldsV1"), msg(7, ld(1, fields_v1)),
                        ld(8, "")))
    status = msg(3, ld(1, "Active"),
                 msg(2, ld(1, "Gone"), ld(2, "False"), msg(4), ld(5, ""), ld(6, "")))
    doc = decode_body(envelope("v1", "Namespace", metadata + msg(2) + status))
    assert doc["metadata"] == {
        "name": "x", "namespace": "ns",  # creationTimestamp: the zero time, left out
        "deletionTimestamp": "2023-11-14T22:13:20Z",
        "managedFields": [{"manager": "kubectl", "operation": "Update", "apiVersion": "v1",
                           "time": "1970-01-02T00:00:00Z", "fieldsType": "FieldsV1",
                           "fieldsV1": {"f:metadata": {"f:labels": {}}}}]}
    assert doc["spec"] == {}
    assert doc["status"] == {"phase": "Active", "conditions": [{"type": "Gone",
                                                                "status": "False"}]}


def test_secret_and_configmap_bytes_are_base64() -> None:
    secret = decode_body(envelope("v1", "Secret", meta("s") + entry(2, "password", b"\x00s3cr3t")
                                  + entry(2, "empty", b"") + ld(3, "Opaque")))
    assert secret["data"] == {"password": base64.b64encode(b"\x00s3cr3t").decode(),
                              "empty": ""}
    assert secret["type"] == "Opaque"
    cm = decode_body(envelope("v1", "ConfigMap", meta("c") + num(4, 1) + entry(2, "a", "b")
                              + entry(3, "bin", b"\xff\xfe")))
    assert cm["immutable"] is True
    assert cm["data"] == {"a": "b"}
    assert cm["binaryData"] == {"bin": "//4="}


def test_unknown_fields_are_skipped() -> None:
    fixed64 = _varint(900 << 3 | 1) + b"\x01" * 8
    fixed32 = _varint(901 << 3 | 5) + b"\x02" * 4
    body = meta("future", num(99, 7), ld(100, "new")) + fixed64 + fixed32 + msg(30, ld(77, "x"))
    assert decode_body(envelope("v1", "ServiceAccount", body)) == {
        "apiVersion": "v1", "kind": "ServiceAccount",
        "metadata": {"name": "future", "namespace": "ns"}}


def test_negative_numbers_and_unpacked_repeated() -> None:
    spec = msg(14, num(2, -2), num(4, -3), num(4, 9))
    doc = decode_body(envelope("batch/v1", "Job", meta("j") + msg(2, num(7, -1) + msg(
        6, msg(2, spec)))))
    assert doc["spec"]["backoffLimit"] == -1
    assert doc["spec"]["template"]["spec"]["securityContext"] == {
        "runAsUser": -2, "supplementalGroups": [-3, 9]}


def test_access_and_rules_reviews() -> None:
    attrs = b"".join([ld(1, "ns"), ld(2, "create"), ld(3, "apps"), ld(4, ""),
                      ld(5, "deployments"), ld(6, ""), ld(7, "")])
    ssar = decode_body(envelope("authorization.k8s.io/v1", "SelfSubjectAccessReview",
                                meta("") + msg(2, msg(1, attrs)) + msg(3, num(1, 0))))
    assert ssar["spec"] == {"resourceAttributes": {"namespace": "ns", "verb": "create",
                                                   "group": "apps", "resource": "deployments"}}
    ssrr = decode_body(envelope("authorization.k8s.io/v1", "SelfSubjectRulesReview",
                                meta("") + msg(2, ld(1, "default"))))
    assert ssrr["spec"] == {"namespace": "default"}


def test_ingress_rules_inline_their_value() -> None:
    backend = msg(4, ld(1, "web"), msg(2, ld(1, ""), num(2, 80)))
    rule = msg(3, ld(1, "shop.example"), msg(2, msg(1, msg(1, ld(1, "/"), ld(3, "Prefix"),
                                                             msg(2, backend)))))
    doc = decode_body(envelope("networking.k8s.io/v1", "Ingress",
                               meta("i") + msg(2, ld(4, "nginx"), rule)))
    assert doc["spec"] == {"ingressClassName": "nginx", "rules": [{
        "host": "shop.example",
        "http": {"paths": [{"path": "/", "pathType": "Prefix",
                            "backend": {"service": {"name": "web", "port": {"number": 80}}}}]}}]}


@pytest.mark.parametrize("raw, code, text", [
    (b'{"kind": "Namespace"}', 400, "magic"),
    (envelope("v1", "Namespace", meta("x"))[:-9], 400, "truncated"),
    (envelope("v1", "Namespace", num(1, 5)), 400, "ObjectMeta"),
    (envelope("v1", "Namespace", msg(1, ld(1, b"\xff"))), 400, "bad string"),
    (envelope("autoscaling/v2", "HorizontalPodAutoscaler", meta("h")), 415,
     "HorizontalPodAutoscaler"),
    (envelope("v1", "Namespace", meta("x"), encoding="gzip"), 415, "gzip"),
    (MAGIC + _varint(1 << 3 | 3), 400, "wire type"),
])
def test_bad_bodies(raw: bytes, code: int, text: str) -> None:
    with pytest.raises(ApiError) as err:
        decode_body(raw)
    assert err.value.code == code
    assert text in err.value.message


# ----- the real kubectl -------------------------------------------------------------------

needs_kubectl = pytest.mark.skipif(shutil.which("kubectl") is None,
                                   reason="kubectl is not installed on this machine")


def _get(sandbox: Any, group: str, plural: str, namespace: str, name: str) -> dict[str, Any]:
    return sandbox.sandbox.store.get((group, plural), namespace, name)


@needs_kubectl
async def test_create_namespace(sandbox: Any, kc: Callable[..., Any]) -> None:
    await kc("create", "namespace", "team-a")
    ns = _get(sandbox, "", "namespaces", "", "team-a")
    assert ns["metadata"]["name"] == "team-a"
    assert ns["metadata"]["uid"]


@needs_kubectl
async def test_create_configmap(sandbox: Any, kc: Callable[..., Any]) -> None:
    await kc("create", "configmap", "settings", "--from-literal=a=b", "--from-literal=c=d")
    cm = _get(sandbox, "", "configmaps", "default", "settings")
    assert cm["data"] == {"a": "b", "c": "d"}


@needs_kubectl
async def test_create_secret_generic(sandbox: Any, kc: Callable[..., Any]) -> None:
    await kc("create", "secret", "generic", "creds", "--from-literal=password=s3cr3t")
    secret = _get(sandbox, "", "secrets", "default", "creds")
    assert secret["data"] == {"password": base64.b64encode(b"s3cr3t").decode()}
    assert secret["type"] == "Opaque"


@needs_kubectl
async def test_create_deployment(sandbox: Any, kc: Callable[..., Any]) -> None:
    await kc("create", "deployment", "web", "--image=nginx", "--replicas=2", "--port=80")
    d = _get(sandbox, "apps", "deployments", "default", "web")
    assert d["metadata"]["labels"] == {"app": "web"}
    assert d["spec"]["replicas"] == 2
    assert d["spec"]["selector"] == {"matchLabels": {"app": "web"}}
    template = d["spec"]["template"]
    assert template["metadata"]["labels"] == {"app": "web"}
    [container] = template["spec"]["containers"]
    assert container["name"] == "nginx"
    assert container["image"] == "nginx"
    assert container["ports"][0]["containerPort"] == 80


@needs_kubectl
async def test_create_service_clusterip(sandbox: Any, kc: Callable[..., Any]) -> None:
    await kc("create", "service", "clusterip", "web", "--tcp=80:8080")
    svc = _get(sandbox, "", "services", "default", "web")
    assert svc["spec"]["type"] == "ClusterIP"
    assert svc["spec"]["selector"] == {"app": "web"}
    [port] = svc["spec"]["ports"]
    assert (port["name"], port["port"], port["targetPort"], port["protocol"]) == \
        ("80-8080", 80, 8080, "TCP")


@needs_kubectl
async def test_create_job(sandbox: Any, kc: Callable[..., Any]) -> None:
    await kc("create", "job", "once", "--image=busybox", "--", "echo", "hi")
    job = _get(sandbox, "batch", "jobs", "default", "once")
    pod = job["spec"]["template"]["spec"]
    assert pod["restartPolicy"] == "Never"
    assert pod["containers"][0]["command"] == ["echo", "hi"]
    assert pod["containers"][0]["image"] == "busybox"


@needs_kubectl
async def test_create_cronjob(sandbox: Any, kc: Callable[..., Any]) -> None:
    await kc("create", "cronjob", "tick", "--image=busybox", "--schedule=*/5 * * * *",
             "--", "date")
    cj = _get(sandbox, "batch", "cronjobs", "default", "tick")
    assert cj["spec"]["schedule"] == "*/5 * * * *"
    assert cj["spec"]["jobTemplate"]["metadata"]["name"] == "tick"
    pod = cj["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    assert pod["restartPolicy"] == "OnFailure"
    assert pod["containers"][0]["command"] == ["date"]


@needs_kubectl
async def test_create_role(sandbox: Any, kc: Callable[..., Any]) -> None:
    await kc("create", "role", "reader", "--verb=get", "--verb=list", "--resource=pods",
             "--resource=deployments.apps")
    role = _get(sandbox, "rbac.authorization.k8s.io", "roles", "default", "reader")
    assert role["rules"] == [
        {"verbs": ["get", "list"], "apiGroups": [""], "resources": ["pods"]},
        {"verbs": ["get", "list"], "apiGroups": ["apps"], "resources": ["deployments"]}]


@needs_kubectl
@pytest.mark.parametrize("args, key, check", [
    (("serviceaccount", "robot"), ("", "serviceaccounts", "default", "robot"),
     lambda o: o["metadata"]["name"] == "robot"),
    (("quota", "q", "--hard=cpu=1,pods=2"), ("", "resourcequotas", "default", "q"),
     lambda o: o["spec"]["hard"] == {"cpu": "1", "pods": "2"}),
    (("pdb", "p", "--selector=app=web", "--min-available=1"),
     ("policy", "poddisruptionbudgets", "default", "p"),
     lambda o: o["spec"]["minAvailable"] == 1
     and o["spec"]["selector"] == {"matchLabels": {"app": "web"}}),
    (("ingress", "ing", "--rule=shop.example/=web:80"),
     ("networking.k8s.io", "ingresses", "default", "ing"),
     lambda o: o["spec"]["rules"][0]["http"]["paths"][0]["backend"]
     == {"service": {"name": "web", "port": {"number": 80}}}),
    (("rolebinding", "rb", "--role=reader", "--user=ann"),
     ("rbac.authorization.k8s.io", "rolebindings", "default", "rb"),
     lambda o: o["roleRef"]["name"] == "reader" and o["subjects"][0]["name"] == "ann"),
    (("clusterrole", "cr", "--verb=list", "--resource=nodes"),
     ("rbac.authorization.k8s.io", "clusterroles", "", "cr"),
     lambda o: o["rules"][0]["resources"] == ["nodes"]),
    (("clusterrolebinding", "crb", "--clusterrole=cr", "--group=ops"),
     ("rbac.authorization.k8s.io", "clusterrolebindings", "", "crb"),
     lambda o: o["subjects"] == [{"kind": "Group", "apiGroup": "rbac.authorization.k8s.io",
                                  "name": "ops"}]),
])
async def test_create_other_kinds(sandbox: Any, kc: Callable[..., Any], args: tuple[str, ...],
                                  key: tuple[str, str, str, str],
                                  check: Callable[[dict[str, Any]], bool]) -> None:
    await kc("create", *args)
    obj = _get(sandbox, *key)
    assert check(obj), obj


@needs_kubectl
async def test_autoscale(sandbox: Any, kc: Callable[..., Any]) -> None:
    await kc("create", "deployment", "web", "--image=nginx")
    await kc("autoscale", "deployment", "web", "--min=2", "--max=5", "--cpu-percent=80")
    hpa = _get(sandbox, "autoscaling", "horizontalpodautoscalers", "default", "web")
    assert hpa["spec"]["scaleTargetRef"] == {"kind": "Deployment", "name": "web",
                                             "apiVersion": "apps/v1"}
    assert (hpa["spec"]["minReplicas"], hpa["spec"]["maxReplicas"]) == (2, 5)


@needs_kubectl
async def test_auth_can_i(shared_sandbox: Any, kc: Callable[..., Any]) -> None:
    res = await kc("auth", "can-i", "create", "deployments")
    assert res.stdout.strip() == "yes"


@needs_kubectl
async def test_auth_can_i_list(sandbox: Any, kc: Callable[..., Any]) -> None:
    if sandbox.sandbox.kinds.lookup("authorization.k8s.io", "v1",
                                    "selfsubjectrulesreviews") is None:
        pytest.skip("the sandbox does not serve SelfSubjectRulesReview (auth can-i --list)")
    res = await kc("auth", "can-i", "--list")
    assert "Resources" in res.stdout
