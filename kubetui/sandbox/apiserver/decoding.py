"""Decoding a request body into a built-in kind as the real server does, field by field.

kube-apiserver decodes JSON into Go structs (sigs.k8s.io/json), so a value of the wrong
type never reaches storage or a controller: it fails the request with encoding/json's
error. Unknown fields are dropped by the decoder, and `fieldValidation` decides what the
client hears of them (apiserver pkg/endpoints/handlers/create.go, update.go, patch.go):
- Strict: the request fails with `strict decoding error: unknown field "spec.foo"`;
- Warn (the default when the parameter is absent, handlers/rest.go `fieldValidation`):
  each one becomes a `Warning` header;
- Ignore: nothing is said.

`decode` returns the object as the server would store it (unknown fields pruned), the
first type error, and the unknown fields; `check_request` turns that into the error
each verb answers with. Custom resources and kinds without a model pass unchanged.
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass, field
from typing import Any

from kubetui.kinds import Kind
from kubetui.quantity import parse_quantity
from kubetui.sandbox.apiserver import typeschema
from kubetui.sandbox.errors import ApiError, bad_request
from kubetui.sandbox.apiserver.typeschema import FieldType, Model

STRICT, WARN, IGNORE = "Strict", "Warn", "Ignore"
DIRECTIVES = (STRICT, WARN, IGNORE)
_INT32 = (-(2**31), 2**31 - 1)
_INT64 = (-(2**63), 2**63 - 1)
_QUANTITY_ERROR = ("quantities must match the regular expression "
                   "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'")


@dataclass
class Decoded:
    obj: Any
    type_error: str = ""
    unknown: list[str] = field(default_factory=list)

    def strict_message(self) -> str:
        """runtime.NewStrictDecodingError's text."""
        return "strict decoding error: " + ", ".join(f'unknown field "{p}"'
                                                      for p in self.unknown)


def field_validation(query_value: str | None) -> str:
    """The directive of a request: absent means Warn; anything else is a 400."""
    if not query_value:
        return WARN
    if query_value not in DIRECTIVES:
        raise bad_request(f'fieldValidation must be one of "Ignore", "Warn" or "Strict", '
                          f'got "{query_value}"')
    return query_value


@dataclass
class _Walk:
    decoded: Decoded

    def error(self, msg: str) -> None:
        if not self.decoded.type_error:
            self.decoded.type_error = msg

    def struct(self, value: dict[str, Any], m: Model, path: str, go_path: str) -> dict:
        out: dict[str, Any] = {}
        for key, v in value.items():
            f = m.fields.get(key)
            if f is None:
                self.decoded.unknown.append(f"{path}{key}")
                continue
            out[key] = self.value(v, f.type, f"{path}{key}", f"{go_path}{key}",
                                  m.go_name, key)
        return out

    def value(self, v: Any, t: FieldType, path: str, go_path: str, struct: str,
              name: str) -> Any:
        if v is None or t.kind == "any":
            return v

        def wrong(what: str = "") -> Any:
            self.error(f"json: cannot unmarshal {what or typeschema.describe(v)} into Go "
                       f"struct field {struct}.{go_path} of type {t.go(name)}")
            return v

        if t.kind == "model":
            m = typeschema.model(t.model)
            if not isinstance(v, dict):
                return wrong()
            return self.struct(v, m, f"{path}.", f"{go_path}.") if m else v
        if t.kind == "list":
            if not isinstance(v, list) or t.item is None:
                return wrong()
            return [self.value(x, t.item, f"{path}[{i}]", go_path, struct, name)
                    for i, x in enumerate(v)]
        if t.kind == "map":
            if not isinstance(v, dict) or t.item is None:
                return wrong()
            return {k: self.value(x, t.item, f"{path}.{k}", go_path, struct, name)
                    for k, x in v.items()}
        if t.kind == "string":
            return v if isinstance(v, str) else wrong()
        if t.kind == "boolean":
            return v if isinstance(v, bool) else wrong()
        if t.kind == "number":
            return v if isinstance(v, (int, float)) and not isinstance(v, bool) else wrong()
        if t.kind == "integer":
            if isinstance(v, bool) or not isinstance(v, (int, float)):
                return wrong()
            low, high = _INT64 if t.go(name) == "int64" else _INT32
            if isinstance(v, float) and not v.is_integer() or not low <= v <= high:
                return wrong(f"number {json.dumps(v)}")
            return int(v)
        if t.kind == "int-or-string":
            if isinstance(v, bool) or not isinstance(v, (int, str)):
                self.error(f"json: cannot unmarshal {typeschema.describe(v)} into Go value "
                           "of type int32")
            return v
        if t.kind == "quantity":
            # Quantity.UnmarshalJSON: a string or a number, surrounding space trimmed;
            # what is stored is the string form.
            if isinstance(v, bool) or not isinstance(v, (str, int, float)):
                self.error(_QUANTITY_ERROR)
                return v
            text = v.strip() if isinstance(v, str) else json.dumps(v)
            try:
                parse_quantity(text)
            except ValueError:
                self.error(_QUANTITY_ERROR)
            return text
        if t.kind == "time":
            if not isinstance(v, str):
                self.error(f"json: cannot unmarshal {typeschema.describe(v)} into Go value "
                           "of type string")
            elif not _rfc3339(v):
                self.error(f'parsing time "{v}" as "2006-01-02T15:04:05Z07:00": cannot '
                           f'parse "{v}" as "2006"')
            return v
        return v


def _rfc3339(text: str) -> bool:
    try:
        datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return False
    return "T" in text


def decode(kind: Kind, obj: Any, version: str | None = None) -> Decoded:
    """Decode `obj` (already a JSON value) into `kind`'s type."""
    m = typeschema.kind_model(kind, version)
    if m is None or not isinstance(obj, dict):
        return Decoded(obj)
    decoded = Decoded(obj)
    decoded.obj = _Walk(decoded).struct(obj, m, "", "")
    return decoded


def check_request(kind: Kind, obj: Any, directive: str, version: str,
                  warnings: list[str], patched: bool = False) -> Any:
    """The object a create, update or patch stores, or the error the server answers.

    Create and update fail with 400 (handlers/rest.go transformDecodeError); a merge,
    JSON or strategic patch whose result does not decode fails with 422 on the field
    `patch` (handlers/patch.go)."""
    decoded = decode(kind, obj, version)
    problem = decoded.type_error
    if not problem and decoded.unknown:
        if directive == STRICT:
            problem = decoded.strict_message()
        elif directive == WARN:
            warnings.extend(f'unknown field "{p}"' for p in decoded.unknown)
    if not problem:
        return decoded.obj
    if patched:
        value = json.dumps(json.dumps(obj, separators=(",", ":")))
        cause = {"reason": "FieldValueInvalid", "message": f"Invalid value: {value}: {problem}",
                 "field": "patch"}
        raise ApiError(422, f' "" is invalid: patch: Invalid value: {value}: {problem}',
                       details={"causes": [cause]})
    raise bad_request(f'{kind.kind} in version "{version}" cannot be handled as a '
                      f'{kind.kind}: {problem}')


def warning_header(text: str) -> str:
    """A `Warning` header value as apiserver writes it (RFC 7234 warn-code 299)."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'299 - "{escaped}"'
