"""Custom resources: columns from additionalPrinterColumns, cells from their JSONPath."""

from __future__ import annotations

import pytest

from kubetui.render import columns_for, crd_columns, render_crd_row, render_row
from kubetui.render.jsonpath import JSONPathError, evaluate


@pytest.fixture
def cert_columns(obj) -> list[dict]:
    return obj("cluster", "crd")["spec"]["versions"][0]["additionalPrinterColumns"]


def test_crd_columns_are_name_then_printer_columns(cert_columns) -> None:
    columns = crd_columns(cert_columns)
    assert [c.name for c in columns] == ["NAME", "READY", "SECRET", "ISSUER", "STATUS", "AGE"]
    assert [c.api_name for c in columns] == ["Name", "Ready", "Secret", "Issuer", "Status", "Age"]
    assert [c.priority for c in columns] == [0, 0, 0, 1, 1, 0]
    assert columns[0].format == "name"
    assert (columns[5].type, columns[5].sort, columns[5].age) == ("date", "age", True)
    assert columns[2].description == (
        "Custom resource definition column (in JSONPath format): .spec.secretName")


def test_without_printer_columns_the_server_serves_age(now) -> None:
    columns = crd_columns([])
    assert [(c.name, c.type) for c in columns] == [("NAME", "string"), ("AGE", "date")]
    assert columns_for("Widget", "example.com") == columns


def test_certificate_rows(obj, now, cert_columns) -> None:
    ready = render_crd_row(cert_columns, obj("custom", "certificate"), now)
    assert ready.cells == ("shop", "True", "shop-tls", "letsencrypt",
                           "Certificate is up to date and has not expired", "60m")
    assert ready.health == "ok"
    not_ready = render_crd_row(cert_columns, obj("custom", "certificate_not_ready"), now)
    assert not_ready.cells[1] == "False"
    assert not_ready.health == "pending"


def test_missing_values_print_empty(obj, now, cert_columns) -> None:
    row = render_crd_row(cert_columns, obj("custom", "certificate_no_status"), now)
    assert row.cells == ("fresh", "", "fresh-tls", "letsencrypt", "", "2s")
    assert row.health == "ok"


def test_unknown_kind_renders_name_and_age(obj, now) -> None:
    row = render_row("Certificate", obj("custom", "certificate"), now, "cert-manager.io")
    assert row.cells == ("shop", "60m")


WIDGET_COLUMNS = [
    {"name": "Size", "type": "integer", "jsonPath": ".spec.size"},
    {"name": "Ratio", "type": "number", "jsonPath": ".spec.ratio"},
    {"name": "Weight", "type": "number", "jsonPath": ".spec.weight"},
    {"name": "Enabled", "type": "boolean", "jsonPath": ".spec.enabled"},
    {"name": "Ports", "type": "string", "jsonPath": ".spec.ports"},
    {"name": "Owner", "type": "string", "jsonPath": ".spec.owner"},
    {"name": "Replicas", "type": "integer", "jsonPath": ".spec.replicas"},  # a string: null
    {"name": "Scheduled", "type": "date", "jsonPath": ".spec.schedule.at"},
    {"name": "Broken", "type": "date", "jsonPath": ".spec.broken"},
    {"name": "Score", "type": "string", "jsonPath": ".status.score"},
    {"name": "Tiny", "type": "string", "jsonPath": ".status.tiny"},
    {"name": "Live", "type": "string", "jsonPath": ".spec.enabled"},
    {"name": "Part-of", "type": "string",
     "jsonPath": ".metadata.labels.app\\.kubernetes\\.io/name"},
]


def test_typed_cells_print_as_kubectl_prints_them(obj, now) -> None:
    row = render_crd_row(WIDGET_COLUMNS, obj("custom", "widget"), now)
    assert row.cells == ("gizmo", "3", "0.75", "2", "true", "[80,443]",
                         '{"team":"core","tier":"\\u003cgold\\u003e"}', "", "30m", "<invalid>",
                         "1.2345675e+06", "1e-05", "true", "gizmo")


@pytest.mark.parametrize(("path", "expected"), [
    (".status.conditions[?(@.type==\"Ready\")].status", ["True"]),
    ("{.status.conditions[?(@.type=='Issuing')].reason}", ["Done"]),
    (".status.conditions[?(@.status!=\"True\")].type", ["Issuing"]),
    (".status.conditions[?(@.observedGeneration>=1)].type", ["Issuing", "Ready"]),
    (".status.conditions[?(@.reason)].type", ["Issuing", "Ready"]),
    (".status.conditions[0].type", ["Issuing"]),
    (".status.conditions[-1].type", ["Ready"]),
    (".status.conditions[*].type", ["Issuing", "Ready"]),
    (".spec.issuerRef.*", ["ClusterIssuer", "letsencrypt"]),
    ("$.spec['issuerRef'].name", ["letsencrypt"]),
    (".spec.dnsNames[5]", []),
    (".spec.nothing.here", []),
    (".spec.secretName[0]", []),
    (".status.conditions[?(@.type==\"Ready\")]", None),  # whole item, checked below
])
def test_jsonpath(obj, path, expected) -> None:
    cert = obj("custom", "certificate")
    found = evaluate(path, cert)
    if expected is None:
        assert found == [cert["status"]["conditions"][1]]
    else:
        assert found == expected


@pytest.mark.parametrize("path", [".spec..name", ".spec[1:2]", ".spec[", "spec"])
def test_jsonpath_outside_the_subset(path) -> None:
    with pytest.raises(JSONPathError):
        evaluate(path, {})


def test_unsupported_path_gives_an_empty_cell(obj, now) -> None:
    columns = [{"name": "Odd", "type": "string", "jsonPath": ".spec..name"}]
    assert render_crd_row(columns, obj("custom", "widget"), now).cells == ("gizmo", "")
