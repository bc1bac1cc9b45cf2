"""`kubectl get -o yaml` text: order, quoting, managedFields, and Secret masking."""

from __future__ import annotations

import copy
import json

import yaml

from kubetui.render.yaml_text import MASK, to_yaml


def test_order_quoting_and_block_style(obj) -> None:
    cm = obj("core", "configmap")
    cm["metadata"]["managedFields"] = [{"manager": "kubectl", "operation": "Apply"}]
    cm["data"]["EMPTY"] = ""
    cm["data"]["PORT"] = "8080"
    cm["data"]["ENABLED"] = "true"
    assert to_yaml(cm).split("\n") == [
        "apiVersion: v1",
        "kind: ConfigMap",
        "metadata:",
        '  creationTimestamp: "2024-06-01T11:59:15Z"',
        "  name: web-config",
        "  namespace: shop",
        '  resourceVersion: "36455"',
        "  uid: 19075455-7d2a-4f1b-9c3e-5a6b7c8d9e0f",
        "binaryData:",
        "  logo.png: iVBORw0KGgo=",
        "data:",
        '  EMPTY: ""',
        '  ENABLED: "true"',
        "  LOG_LEVEL: info",
        '  PORT: "8080"',
        "  app.yaml: |",
        "    listen: 8080",
        "    log: info",
        "",
    ]


def test_managed_fields_only_when_asked(obj) -> None:
    pod = obj("pods", "running")
    pod["metadata"]["managedFields"] = [{"manager": "kubelet", "operation": "Update"}]
    assert "managedFields" not in to_yaml(pod)
    assert "  managedFields:\n  - manager: kubelet\n" in to_yaml(pod, managed_fields=True)


def test_top_level_reads_api_version_kind_metadata_spec_status(obj) -> None:
    text = to_yaml(obj("apps", "deployment"))
    tops = [line.split(":")[0] for line in text.split("\n") if line and not line[0].isspace()]
    assert tops == ["apiVersion", "kind", "metadata", "spec", "status"]
    assert "      containers:\n      - image: registry.example.com/shop/app:1.4.2\n" in text
    assert yaml.safe_load(text) == obj("apps", "deployment")  # nothing lost


def test_secret_values_are_masked_until_revealed(obj) -> None:
    secret = obj("core", "secret_tls")
    secret["stringData"] = {"extra": "plain-text-value"}
    secret["metadata"]["annotations"] = {
        "kubectl.kubernetes.io/last-applied-configuration": json.dumps(secret),
        "team": "web"}
    before = copy.deepcopy(secret)

    masked = to_yaml(secret)
    values = [*secret["data"].values(), "plain-text-value"]
    for value in values:
        assert value not in masked
    lines = masked.split("\n")
    assert f"  ca.crt: '{MASK}'" in lines
    assert f"  extra: '{MASK}'" in lines
    assert f"    kubectl.kubernetes.io/last-applied-configuration: '{MASK}'" in lines
    assert "    team: web" in lines
    # Every value masks to the same text: not even a length shows.
    assert len({line.split(": ", 1)[1] for line in lines if MASK in line}) == 1

    revealed = to_yaml(secret, reveal_secrets=True)
    for value in values:
        assert value in revealed
    assert secret == before  # masking works on a copy


def test_other_kinds_are_never_masked(obj) -> None:
    cm = obj("core", "configmap")
    cm["metadata"]["annotations"] = {
        "kubectl.kubernetes.io/last-applied-configuration": '{"kind":"ConfigMap"}'}
    assert MASK not in to_yaml(cm)


def test_a_five_thousand_line_object() -> None:
    big = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "big"},
           "data": {f"key-{i:04d}": f"line one\nline two {i}" for i in range(1700)}}
    lines = to_yaml(big).split("\n")
    assert len(lines) > 5000
    assert lines[5:8] == ["  key-0000: |-", "    line one", "    line two 0"]
