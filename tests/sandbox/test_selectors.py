"""Label and field selectors: grammar, matching and error messages of the real parsers."""

from __future__ import annotations

import pytest

from kubetui.sandbox.errors import ApiError
from kubetui.sandbox.selectors import (
    field_value, parse_field_selector, parse_label_requirements, parse_label_selector,
    selector_matches, selector_to_string,
)

# ----- label selectors -------------------------------------------------------------


def test_full_grammar_matches() -> None:
    match = parse_label_selector("a=b,c!=d,e in (x,y),f notin (z),g,!h")
    good = {"a": "b", "c": "x", "e": "y", "f": "q", "g": ""}
    assert match(good)
    assert not match(good | {"a": "c"})
    assert not match(good | {"c": "d"})
    assert match({k: v for k, v in good.items() if k != "c"})  # != matches an absent key
    assert not match(good | {"e": "w"})
    assert not match({k: v for k, v in good.items() if k != "e"})  # in needs the key
    assert not match(good | {"f": "z"})
    assert match({k: v for k, v in good.items() if k != "f"})  # notin: absent is fine
    assert not match({k: v for k, v in good.items() if k != "g"})
    assert not match(good | {"h": "1"})


def test_double_equals_whitespace_and_none_labels() -> None:
    assert parse_label_selector(" app == web ,  tier in ( fe , be ) ")(
        {"app": "web", "tier": "be"})
    assert parse_label_selector("")({})
    assert parse_label_selector("")(None)  # type: ignore[arg-type]
    assert not parse_label_selector("app")(None)  # type: ignore[arg-type]
    assert parse_label_selector("!app")(None)  # type: ignore[arg-type]


def test_keywords_as_values_and_empty_values() -> None:
    assert parse_label_selector("value in (in,notin)")({"value": "notin"})
    assert parse_label_selector("a=")({"a": ""})
    assert not parse_label_selector("a=")({"a": "x"})
    assert parse_label_selector("x in (foo,,baz)")({"x": ""})
    assert parse_label_selector("z notin ()")({"z": "q"})
    assert not parse_label_selector("z notin ()")({"z": ""})


def test_gt_lt() -> None:
    match = parse_label_selector("n>3,m<10")
    assert match({"n": "4", "m": "9"})
    assert not match({"n": "3", "m": "9"})
    assert not match({"n": "x", "m": "9"})
    assert not match({"m": "9"})


def test_prefixed_keys() -> None:
    match = parse_label_selector("app.kubernetes.io/name=web")
    assert match({"app.kubernetes.io/name": "web"})


def test_requirements_sorted_and_formatted() -> None:
    reqs = parse_label_requirements("z=1,a in (y,x),!m,b")
    assert [str(r) for r in reqs] == ["a in (x,y)", "b", "!m", "z=1"]


@pytest.mark.parametrize(("text", "message"), [
    ("a b", "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt"),
    ("a=b,", "found '', expected: identifier after ','"),
    (",a", "found ',', expected: !, identifier, or 'end of string'"),
    ("a=b c", "found 'c', expected: ',' or 'end of string'"),
    ("!a=b", "found '=', expected: ',' or 'end of string'"),
    ("a in b", "unable to parse requirement: found 'b' expected: '('"),
    ("a in (b c)", "unable to parse requirement: found 'c', expected: ',' or ')'"),
    ("a in (=)", "unable to parse requirement: found '=', expected: ',', ')' or identifier"),
    ("a=(", "unable to parse requirement: found '(', expected: identifier"),
])
def test_syntax_errors(text: str, message: str) -> None:
    with pytest.raises(ApiError) as e:
        parse_label_selector(text)
    assert e.value.code == 400
    assert e.value.reason == "BadRequest"
    assert e.value.message == message


def test_invalid_key_and_value() -> None:
    with pytest.raises(ApiError) as e:
        parse_label_selector("-a=b")
    assert e.value.message.startswith('unable to parse requirement: <nil>: Invalid value: "-a": '
                                      "name part must consist of")
    with pytest.raises(ApiError) as e:
        parse_label_selector("a=$$")
    assert e.value.message.startswith(
        'unable to parse requirement: values[0][a]: Invalid value: "$$": a valid label must')
    with pytest.raises(ApiError):
        parse_label_selector("a=" + "x" * 64)
    with pytest.raises(ApiError) as e:
        parse_label_selector("n>x")
    assert "the value must be an integer" in e.value.message


# ----- LabelSelector objects ---------------------------------------------------------


def test_selector_object_semantics() -> None:
    assert not selector_matches(None, {"a": "b"})
    assert selector_matches({}, {"a": "b"})
    assert selector_matches({}, None)
    sel = {"matchLabels": {"app": "web"},
           "matchExpressions": [{"key": "tier", "operator": "In", "values": ["fe", "be"]},
                                {"key": "env", "operator": "NotIn", "values": ["prod"]},
                                {"key": "team", "operator": "Exists"},
                                {"key": "legacy", "operator": "DoesNotExist"}]}
    labels = {"app": "web", "tier": "fe", "team": "x"}
    assert selector_matches(sel, labels)
    assert not selector_matches(sel, labels | {"app": "api"})
    assert not selector_matches(sel, labels | {"tier": "db"})
    assert not selector_matches(sel, labels | {"env": "prod"})
    assert not selector_matches(sel, {"app": "web", "tier": "fe"})
    assert not selector_matches(sel, labels | {"legacy": "1"})
    assert not selector_matches(
        {"matchExpressions": [{"key": "a", "operator": "Bogus"}]}, {"a": "b"})


def test_selector_to_string() -> None:
    assert selector_to_string({"matchLabels": {"b": "2", "a": "1"}}) == "a=1,b=2"
    assert selector_to_string({"matchLabels": {"app": "web"}, "matchExpressions": [
        {"key": "tier", "operator": "In", "values": ["fe", "be"]},
        {"key": "x", "operator": "DoesNotExist"},
        {"key": "env", "operator": "NotIn", "values": ["prod"]},
        {"key": "team", "operator": "Exists"}]}) == \
        "app=web,env notin (prod),team,tier in (be,fe),!x"
    assert selector_to_string({}) == "<none>"
    assert selector_to_string(None) == "<none>"  # type: ignore[arg-type]
    assert selector_to_string({"matchExpressions": [{"key": "a", "operator": "Nope"}]}) == \
        "<error>"


def test_string_round_trips_through_parser() -> None:
    sel = {"matchLabels": {"app": "web"},
           "matchExpressions": [{"key": "tier", "operator": "In", "values": ["fe", "be"]}]}
    match = parse_label_selector(selector_to_string(sel))
    for labels in ({"app": "web", "tier": "be"}, {"app": "web"}, {"tier": "fe"}):
        assert match(labels) == selector_matches(sel, labels)


# ----- field selectors ---------------------------------------------------------------

POD = {"metadata": {"name": "web-1", "namespace": "default"},
       "spec": {"nodeName": "node-a", "hostNetwork": True},
       "status": {"phase": "Running"}}


def test_field_selector_paths() -> None:
    assert parse_field_selector("metadata.name=web-1")(POD)
    assert parse_field_selector("metadata.name==web-1,metadata.namespace=default")(POD)
    assert not parse_field_selector("metadata.name=web-2")(POD)
    assert parse_field_selector("status.phase!=Pending")(POD)
    assert not parse_field_selector("status.phase!=Running")(POD)
    assert parse_field_selector("spec.hostNetwork=true")(POD)
    assert parse_field_selector("")(POD)


def test_field_selector_missing_fields() -> None:
    pending = {"metadata": {"name": "p"}, "spec": {}, "status": {"phase": "Pending"}}
    assert parse_field_selector("spec.nodeName=")(pending)
    assert not parse_field_selector("spec.nodeName=")(POD)
    assert parse_field_selector("spec.nodeName!=")(POD)
    assert parse_field_selector("metadata.namespace=")({"metadata": {"name": "n1"}})
    node = {"metadata": {"name": "n1"}, "spec": {}}
    assert parse_field_selector("spec.unschedulable=false")(node)
    assert not parse_field_selector("spec.unschedulable=true")(node)
    assert parse_field_selector("spec.unschedulable=true")(
        {"metadata": {"name": "n1"}, "spec": {"unschedulable": True}})


def test_field_selector_events() -> None:
    ev = {"metadata": {"name": "e"}, "type": "Warning", "reason": "BackOff",
          "involvedObject": {"kind": "Pod", "name": "web-1", "namespace": "default",
                             "uid": "u1"},
          "source": {"component": "kubelet"}}
    assert parse_field_selector(
        "involvedObject.name=web-1,involvedObject.kind=Pod,involvedObject.uid=u1,"
        "type=Warning,reason=BackOff")(ev)
    assert parse_field_selector("source=kubelet")(ev)
    assert field_value(ev, "involvedObject.namespace") == "default"


def test_field_selector_escapes() -> None:
    obj = {"metadata": {"name": "a,b=c\\d"}}
    assert parse_field_selector(r"metadata.name=a\,b\=c\\d")(obj)


@pytest.mark.parametrize(("text", "message"), [
    ("metadata.name", "invalid selector: 'metadata.name'; can't understand 'metadata.name'"),
    ("a=b,c", "invalid selector: 'a=b,c'; can't understand 'c'"),
    (r"a=\x", "invalid field selector: invalid escape sequence: \\x"),
    ("a=b=c", "invalid field selector: unescaped character in value: 61"),
])
def test_field_selector_errors(text: str, message: str) -> None:
    with pytest.raises(ApiError) as e:
        parse_field_selector(text)
    assert e.value.code == 400
    assert e.value.message == message
