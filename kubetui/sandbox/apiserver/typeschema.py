"""The type of every field of the built-in kinds, read from kubernetes-asyncio's models.

The real API server knows its types from Go structs (k8s.io/api); the generated Python
models carry the same tree: `openapi_types` (field -> type), `attribute_map` (field ->
JSON name), a description on each property and a `must not be None` check in the
setter of each required field. The sandbox reads them once, lazily, to serve full
OpenAPI schemas (`kubectl explain` at any depth) and to decode requests as strictly as
the real server does (`decoding.py`).

What the models do not carry is approximated here and named as such: the Go integer
width (`int32` unless the field is one of `_INT64_FIELDS`), which string maps hold
quantities (`_QUANTITY_FIELDS`), and which `object` fields are IntOrString.
"""

from __future__ import annotations

import functools
import re
import sys
from dataclasses import dataclass, field
from typing import Any

from kubernetes_asyncio.client import models

from kubetui.kinds import BUILTIN_KINDS, Kind

#: Go int64 fields (k8s.io/api and apimachinery); every other integer is an int32.
_INT64_FIELDS = frozenset({
    "generation", "observedGeneration", "deletionGracePeriodSeconds",
    "activeDeadlineSeconds", "terminationGracePeriodSeconds", "runAsUser", "runAsGroup",
    "fsGroup", "startingDeadlineSeconds", "expirationSeconds", "revision",
    "gracePeriodSeconds", "remainingItemCount", "supplementalGroups", "count",
    "deprecatedCount", "ttlSecondsAfterFinished", "value",
})
#: Go fields of type IntOrString (the models say only `object`).
_INT_OR_STRING_FIELDS = frozenset({"maxSurge", "maxUnavailable", "targetPort", "port",
                                   "partition"})
#: String maps whose values are resource.Quantity (the models say only `dict(str, str)`).
_QUANTITY_FIELDS = frozenset({
    "limits", "requests", "capacity", "allocatable", "hard", "used", "max", "min",
    "default", "defaultRequest", "maxLimitRequestRatio", "overhead", "allocatedResources",
    "sizeLimit",
})
#: Models of k8s.io/apimachinery's meta/v1, wherever they are used.
_META_MODELS = frozenset({
    "ObjectMeta", "ListMeta", "LabelSelector", "LabelSelectorRequirement", "OwnerReference",
    "ManagedFieldsEntry", "Condition", "Status", "StatusDetails", "StatusCause",
    "DeleteOptions", "Preconditions", "APIResource", "APIGroup", "GroupVersionForDiscovery",
    "ServerAddressByClientCIDR",
})
META_PREFIX = "io.k8s.apimachinery.pkg.apis.meta"

_CLASS_NAME = re.compile(r"^(?:[A-Z][a-z]+)?(V\d+(?:alpha\d+|beta\d+)?)(?=[A-Z])")
_REQUIRED = re.compile(r"Invalid value for `(\w+)`, must not be `None`")
_LIST = re.compile(r"^list\[(.+)\]$")
_MAP = re.compile(r"^dict\(str, (.+)\)$")
_SCALARS = {"str": "string", "int": "integer", "bool": "boolean", "float": "number",
            "datetime": "time", "date": "time", "object": "any"}


@dataclass(frozen=True)
class FieldType:
    """One field's type. `kind` is string, integer, boolean, number, time, any,
    int-or-string, quantity, model, list or map."""

    kind: str
    model: str = ""  # for kind "model": the model class name
    item: FieldType | None = None  # for list and map

    def go(self, field_name: str = "") -> str:
        """The Go type as encoding/json names it in its errors."""
        if self.kind == "model":
            return f"{go_package(self.model)}.{go_name(self.model)}"
        if self.kind in ("list", "map") and self.item is not None:
            inner = self.item.go(field_name)
            return f"[]{inner}" if self.kind == "list" else f"map[string]{inner}"
        if self.kind == "integer":
            return "int64" if field_name in _INT64_FIELDS else "int32"
        return {"number": "float64", "boolean": "bool", "quantity": "resource.Quantity",
                "int-or-string": "intstr.IntOrString"}.get(self.kind, "string")


@dataclass(frozen=True)
class Field:
    json_name: str
    type: FieldType
    description: str = ""


@dataclass(frozen=True)
class Model:
    """A generated model: a Go struct of k8s.io/api."""

    class_name: str
    fields: dict[str, Field] = field(default_factory=dict)  # by JSON name
    required: tuple[str, ...] = ()  # JSON names

    @property
    def go_name(self) -> str:
        return go_name(self.class_name)


def go_name(class_name: str) -> str:
    """V1DeploymentSpec -> DeploymentSpec; CoreV1Event -> Event."""
    return _CLASS_NAME.sub("", class_name)


def go_package(class_name: str) -> str:
    """The Go package (the API version) a model's struct lives in: v1, v2, v1beta1."""
    m = _CLASS_NAME.match(class_name)
    return m.group(1).lower() if m else "v1"


def _parse_type(spec: str, json_name: str) -> FieldType:
    if m := _LIST.match(spec):
        return FieldType("list", item=_parse_type(m.group(1), json_name))
    if m := _MAP.match(spec):
        item = _parse_type(m.group(1), json_name)
        if json_name in _QUANTITY_FIELDS and item.kind == "string":
            item = FieldType("quantity")
        return FieldType("map", item=item)
    if spec == "object" and json_name in _INT_OR_STRING_FIELDS:
        return FieldType("int-or-string")
    if spec == "str" and json_name in _QUANTITY_FIELDS:
        return FieldType("quantity")
    if spec in _SCALARS:
        return FieldType(_SCALARS[spec])
    return FieldType("model", model=spec)


def _doc_text(doc: str | None) -> str:
    """The description paragraph of a generated property's docstring."""
    if not doc:
        return ""
    lines = [ln.strip().replace("# noqa: E501", "").strip() for ln in doc.splitlines()]
    paragraphs: list[list[str]] = [[]]
    for ln in lines:
        if not ln:
            paragraphs.append([])
        else:
            paragraphs[-1].append(ln)
    texts = [" ".join(p) for p in paragraphs if p and not p[0].startswith(":")]
    return texts[1] if len(texts) > 1 else ""


@functools.cache
def _required_in_module(module_name: str) -> frozenset[str]:
    module = sys.modules[module_name]
    with open(module.__file__ or "", encoding="utf-8") as f:
        return frozenset(_REQUIRED.findall(f.read()))


@functools.cache
def model(class_name: str) -> Model | None:
    """The model named `class_name`, or None if kubernetes-asyncio has none."""
    cls = getattr(models, class_name, None)
    if cls is None or not hasattr(cls, "openapi_types"):
        return None
    attr_map: dict[str, str] = cls.attribute_map
    fields = {}
    for attr, spec in cls.openapi_types.items():
        json_name = attr_map[attr]
        prop = cls.__dict__.get(attr)
        desc = _doc_text(prop.fget.__doc__) if isinstance(prop, property) and prop.fget \
            else ""
        fields[json_name] = Field(json_name, _parse_type(spec, json_name), desc)
    required_attrs = _required_in_module(cls.__module__)
    required = tuple(attr_map[a] for a in cls.openapi_types if a in required_attrs)
    return Model(class_name, fields, required)


def kind_model_name(group: str, version: str, kind: str) -> str | None:
    """The model class of a kind: V1Deployment, CoreV1Event, EventsV1Event."""
    v = version[:1].upper() + version[1:]
    prefix = (group.split(".")[0] if group else "core").capitalize()
    for name in (f"{v}{kind}", f"{prefix}{v}{kind}"):
        if model(name) is not None:
            return name
    return None


def kind_model(k: Kind, version: str | None = None) -> Model | None:
    name = kind_model_name(k.group, version or k.version, k.kind)
    return model(name) if name else None


def reachable(root: str) -> list[str]:
    """Every model name a model refers to, itself first, depth first."""
    seen: dict[str, None] = {}
    stack = [root]
    while stack:
        name = stack.pop()
        if name in seen:
            continue
        m = model(name)
        if m is None:
            continue
        seen[name] = None
        for f in reversed(list(m.fields.values())):
            t = f.type
            while t.item is not None:
                t = t.item
            if t.kind == "model":
                stack.append(t.model)
    return list(seen)


def _group_prefix(group: str) -> str:
    return f"io.k8s.api.{group.split('.')[0] if group else 'core'}"


@functools.cache
def _home_groups() -> dict[str, str]:
    """Each model's API group: the first built-in kind (core first) that uses it."""
    homes: dict[str, str] = {}
    for k in BUILTIN_KINDS:
        for version in (k.version, *k.also_versions):
            root = kind_model_name(k.group, version, k.kind)
            for name in reachable(root) if root else ():
                homes.setdefault(name, k.group)
    return homes


def component_name(class_name: str) -> str:
    """The schema's name in kube-apiserver's OpenAPI: io.k8s.api.apps.v1.DeploymentSpec,
    io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta."""
    short, package = go_name(class_name), go_package(class_name)
    if short in _META_MODELS:
        return f"{META_PREFIX}.{package}.{short}"
    home = _home_groups().get(class_name, "")
    return f"{_group_prefix(home)}.{package}.{short}"


def describe(value: Any) -> str:
    """A JSON value's kind as encoding/json names it: string, number, bool, array, object."""
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"
