"""OpenAPI v3 documents the sandbox API server serves, built from `Kind`s.

What kubectl 1.32 reads from them:
- `/openapi/v3` lists one document per group/version; client-go fetches the
  `serverRelativeURL` of the one it needs (client-go openapi/client.go, openapi3/root.go).
  The `hash` changes whenever the document does, so kubectl's HTTP cache stays right.
- Before create/apply/edit with `--validate=strict` (the default), kubectl looks for the
  kind's PATCH operation (`x-kubernetes-group-version-kind` as a single object) and its
  `fieldValidation` query parameter; finding it, it leaves validation to the server
  (cli-runtime resource/query_param_verifier_v3.go). kubectl takes the first matching
  PATCH it meets, in no fixed order, so every PATCH of a kind carries the parameter.
- Client-side apply computes a strategic merge patch from these schemas only if the
  PATCH accepts `application/strategic-merge-patch+json` (kubectl apply/patcher.go).
  The schemas of built-in kinds are full (every field, from kubernetes-asyncio's models,
  see typeschema.py) but carry no patch merge keys, so that media type is left out: kubectl then falls back to its
  compiled-in types for built-in kinds (the same merge keys the real schemas carry)
  and to a JSON merge patch for custom resources, as it does against a real cluster.
- `kind: List` files, and kinds without a PATCH operation, are validated client-side
  against OpenAPI v2, which kubectl reads as protobuf: an empty body is a valid empty
  document (nothing to check), while a 404 fails the command. See OPENAPI_V2_BODY.
- `kubectl explain` finds the component schema by `x-kubernetes-group-version-kind`
  (a list there) and prints its properties.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Sequence
from typing import Any

from kubetui.kinds import Kind
from kubetui.sandbox.apiserver import typeschema
from kubetui.sandbox.apiserver.discovery import group_versions, kinds_at, subresource

#: `GET /openapi/v2`: an empty protobuf Document. The Content-Type must parse as a media
#: type in Go; the "spec.v2@v1.0" form kubectl puts in Accept does not (kubectl fails).
OPENAPI_V2_BODY: bytes = b""
OPENAPI_V2_CONTENT_TYPE = "application/com.github.proto-openapi.spec.v2.v1.0+protobuf"

_META = f"{typeschema.META_PREFIX}.v1"
_OBJECT_META = f"{_META}.ObjectMeta"
_SCALE = "io.k8s.api.autoscaling.v1.Scale"
_QUANTITY = "io.k8s.apimachinery.pkg.api.resource.Quantity"
_INT_OR_STRING = "io.k8s.apimachinery.pkg.util.intstr.IntOrString"

#: PATCH media types offered. No strategic-merge-patch+json: see the module docstring.
PATCH_CONTENT_TYPES: tuple[str, ...] = (
    "application/apply-patch+yaml", "application/json-patch+json", "application/merge-patch+json",
)
_RESPONSE_TYPES = ("application/json", "application/yaml")

_OPEN_OBJECT = {"type": "object", "x-kubernetes-preserve-unknown-fields": True}
_SCALAR_SCHEMAS: dict[str, dict[str, Any]] = {
    "string": {"type": "string"},
    "boolean": {"type": "boolean"},
    "number": {"type": "number", "format": "double"},
    "time": {"type": "string", "format": "date-time"},
}

_DESCRIPTIONS = {
    "apiVersion": "APIVersion defines the versioned schema of this representation of an object.",
    "kind": "Kind is a string value representing the REST resource this object represents.",
    "metadata": "Standard object's metadata.",
    "spec": "Spec defines the desired behavior of the {kind}.",
    "status": "Status is the most recently observed status of the {kind}.",
}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def schema_name(group: str, version: str, kind: str) -> str:
    """Component name in kube-apiserver's style: io.k8s.api.apps.v1.Deployment for the
    built-in groups, the reversed domain (com.example.stable.v1.CronTab) for others."""
    if not group:
        prefix = "io.k8s.api.core"
    elif "." not in group or group.endswith(".k8s.io"):
        prefix = f"io.k8s.api.{group.split('.')[0]}"
    else:
        prefix = ".".join(reversed(group.split(".")))
    return f"{prefix}.{version}.{kind}"


def _kind_schema(k: Kind, version: str) -> dict[str, Any]:
    """A built-in kind's full schema (its model); a loose one for custom resources."""
    gvk = [{"group": k.group, "kind": k.kind, "version": version}]
    model_name = typeschema.kind_model_name(k.group, version, k.kind)
    if model_name:
        schema = _model_schema(model_name)
        schema["description"] = f"{k.kind} is the Schema for the {k.plural} API."
        schema["x-kubernetes-group-version-kind"] = gvk
        return schema
    props: dict[str, Any] = {
        "apiVersion": {"type": "string", "description": _DESCRIPTIONS["apiVersion"]},
        "kind": {"type": "string", "description": _DESCRIPTIONS["kind"]},
        "metadata": {"allOf": [_ref(_OBJECT_META)], "default": {},
                     "description": _DESCRIPTIONS["metadata"]},
    }
    for name in ("spec", "status"):
        props[name] = {**_OPEN_OBJECT,
                       "description": _DESCRIPTIONS[name].format(kind=k.kind)}
    return {
        "description": f"{k.kind} is the Schema for the {k.plural} API.",
        "type": "object",
        "properties": props,
        "x-kubernetes-preserve-unknown-fields": True,
        "x-kubernetes-group-version-kind": gvk,
    }


def _type_schema(t: typeschema.FieldType, name: str) -> dict[str, Any]:
    if t.kind == "model":
        return {"allOf": [_ref(typeschema.component_name(t.model))], "default": {}}
    if t.kind == "list" and t.item is not None:
        return {"type": "array", "items": _type_schema(t.item, name)}
    if t.kind == "map" and t.item is not None:
        return {"type": "object", "additionalProperties": _type_schema(t.item, name)}
    if t.kind == "integer":
        return {"type": "integer", "format": t.go(name)}
    if t.kind == "quantity":
        return {"allOf": [_ref(_QUANTITY)]}
    if t.kind == "int-or-string":
        return {"allOf": [_ref(_INT_OR_STRING)]}
    return dict(_SCALAR_SCHEMAS.get(t.kind, _OPEN_OBJECT))


def _model_schema(class_name: str) -> dict[str, Any]:
    """A model as an OpenAPI schema: its fields, their descriptions, what is required."""
    m = typeschema.model(class_name)
    assert m is not None
    props = {}
    for name, f in m.fields.items():
        prop = _type_schema(f.type, name)
        if f.description:
            prop["description"] = f.description
        props[name] = prop
    schema: dict[str, Any] = {"type": "object", "properties": props}
    if m.required:
        schema["required"] = list(m.required)
    return schema


def _list_schema(k: Kind, version: str) -> dict[str, Any]:
    return {
        "description": f"{k.kind}List is a list of {k.kind}.",
        "type": "object",
        "required": ["items"],
        "properties": {
            "apiVersion": {"type": "string", "description": _DESCRIPTIONS["apiVersion"]},
            "kind": {"type": "string", "description": _DESCRIPTIONS["kind"]},
            "metadata": {"allOf": [_ref(f"{_META}.ListMeta")], "default": {}},
            "items": {"type": "array", "items": _ref(schema_name(k.group, version, k.kind))},
        },
        "x-kubernetes-group-version-kind": [{"group": k.group, "kind": f"{k.kind}List",
                                             "version": version}],
    }


def _shared_schemas() -> dict[str, Any]:
    schemas = {typeschema.component_name(name): _model_schema(name)
               for root in ("V1ObjectMeta", "V1ListMeta")
               for name in typeschema.reachable(root)}
    return {
        **schemas,
        _QUANTITY: {"oneOf": [{"type": "string"}, {"type": "number"}],
                    "description": "Quantity is a fixed-point "
                    "representation of a number: 128974848, 129e6, 129M, 123Mi, 100m."},
        _INT_OR_STRING: {"format": "int-or-string",
                         "oneOf": [{"type": "integer"}, {"type": "string"}],
                         "description": "IntOrString is a type that can hold an int32 or "
                                        "a string."},
        f"{_META}.Patch": {"type": "object",
                           "description": "Patch is provided to give a concrete name and type "
                                          "to the Kubernetes PATCH request body."},
        f"{_META}.Status": {"type": "object", "x-kubernetes-preserve-unknown-fields": True,
                            "x-kubernetes-group-version-kind": [
                                {"group": "", "kind": "Status", "version": "v1"}]},
        f"{_META}.DeleteOptions": {"type": "object",
                                   "x-kubernetes-preserve-unknown-fields": True},
    }


def _scale_schema() -> dict[str, Any]:
    return {
        "description": "Scale represents a scaling request for a resource.",
        "type": "object",
        "properties": {
            "apiVersion": {"type": "string"}, "kind": {"type": "string"},
            "metadata": {"allOf": [_ref(f"{_META}.ObjectMeta")], "default": {}},
            "spec": {"type": "object", "properties": {"replicas": {"type": "integer",
                                                                   "format": "int32"}}},
            "status": {"type": "object", "properties": {
                "replicas": {"type": "integer", "format": "int32"},
                "selector": {"type": "string"}}},
        },
        "x-kubernetes-group-version-kind": [{"group": "autoscaling", "kind": "Scale",
                                             "version": "v1"}],
    }


# --- paths and operations ------------------------------------------------------------


def _param(name: str, where: str, type_: str = "string", desc: str = "",
           required: bool = False) -> dict[str, Any]:
    p: dict[str, Any] = {"name": name, "in": where}
    if desc:
        p["description"] = desc
    if required:
        p["required"] = True
    p["schema"] = {"type": type_, "uniqueItems": True}
    return p


_WRITE_PARAMS = [
    _param("dryRun", "query", desc="When present, modifications are not persisted."),
    _param("fieldManager", "query", desc="A name for the actor making these changes."),
    _param("fieldValidation", "query",
           desc="How the server treats unknown or duplicate fields: Ignore, Warn or Strict."),
]
_PATCH_PARAMS = [*_WRITE_PARAMS,
                 _param("force", "query", "boolean",
                        "Force apply requests to take ownership of conflicting fields.")]
_LIST_PARAMS = [
    _param("allowWatchBookmarks", "query", "boolean"),
    _param("continue", "query"),
    _param("fieldSelector", "query"),
    _param("labelSelector", "query"),
    _param("limit", "query", "integer"),
    _param("resourceVersion", "query"),
    _param("resourceVersionMatch", "query"),
    _param("sendInitialEvents", "query", "boolean"),
    _param("timeoutSeconds", "query", "integer"),
    _param("watch", "query", "boolean"),
]
_DELETE_PARAMS = [
    _param("dryRun", "query"),
    _param("gracePeriodSeconds", "query", "integer"),
    _param("orphanDependents", "query", "boolean"),
    _param("propagationPolicy", "query"),
]
_PRETTY = _param("pretty", "query", desc="If 'true', then the output is pretty printed.")


def _content(schema: dict[str, Any], types: Sequence[str] = _RESPONSE_TYPES) -> dict[str, Any]:
    return {t: {"schema": schema} for t in types}


def _operation(action: str, op_id: str, gvk: dict[str, str], response: dict[str, Any],
               params: list[dict[str, Any]], body: dict[str, Any] | None = None,
               created: bool = False) -> dict[str, Any]:
    responses: dict[str, Any] = {"200": {"description": "OK", "content": _content(response)}}
    if created:
        responses["201"] = {"description": "Created", "content": _content(response)}
    responses["401"] = {"description": "Unauthorized"}
    op: dict[str, Any] = {"operationId": op_id, "parameters": params}
    if body is not None:
        op["requestBody"] = {"content": body, "required": True}
    op["responses"] = responses
    op["x-kubernetes-action"] = action
    op["x-kubernetes-group-version-kind"] = gvk
    return op


def _camel(text: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in text.replace("-", ".").split("."))


def _paths_for(k: Kind, version: str) -> dict[str, Any]:
    """The REST paths of one kind at one version, with an operation per verb it serves."""
    group_id = _camel(k.group.removesuffix(".k8s.io")) if k.group else "Core"
    gv_id = f"{group_id}{_camel(version)}"
    scope = "Namespaced" if k.namespaced else ""
    ref = _ref(schema_name(k.group, version, k.kind))
    gvk = {"group": k.group, "version": version, "kind": k.kind}
    prefix = f"/apis/{k.group}/{version}" if k.group else f"/api/{version}"
    ns = "/namespaces/{namespace}" if k.namespaced else ""
    ns_params = [_param("namespace", "path", desc="object name and auth scope",
                        required=True)] if k.namespaced else []
    name_param = _param("name", "path", desc=f"name of the {k.kind}", required=True)
    write_body = _content(ref, ("application/json", "application/yaml"))
    patch_body = _content(_ref(f"{_META}.Patch"), PATCH_CONTENT_TYPES)
    verbs = set(k.verbs)

    paths: dict[str, Any] = {}
    collection: dict[str, Any] = {}
    if "list" in verbs:
        collection["get"] = _operation("list", f"list{gv_id}{scope}{k.kind}", gvk,
                                       _ref(schema_name(k.group, version, f"{k.kind}List")),
                                       _LIST_PARAMS)
    if "create" in verbs:
        collection["post"] = _operation("post", f"create{gv_id}{scope}{k.kind}", gvk, ref,
                                        _WRITE_PARAMS, write_body, created=True)
    if "deletecollection" in verbs:
        collection["delete"] = _operation("deletecollection",
                                          f"delete{gv_id}Collection{scope}{k.kind}", gvk,
                                          _ref(f"{_META}.Status"), _LIST_PARAMS + _DELETE_PARAMS)
    if collection:
        collection["parameters"] = [*ns_params, _PRETTY]
        paths[f"{prefix}{ns}/{k.plural}"] = collection

    item: dict[str, Any] = {}
    if "get" in verbs:
        item["get"] = _operation("get", f"read{gv_id}{scope}{k.kind}", gvk, ref, [])
    if "update" in verbs:
        item["put"] = _operation("put", f"replace{gv_id}{scope}{k.kind}", gvk, ref,
                                 _WRITE_PARAMS, write_body, created=True)
    if "patch" in verbs:
        item["patch"] = _operation("patch", f"patch{gv_id}{scope}{k.kind}", gvk, ref,
                                   _PATCH_PARAMS, patch_body, created=True)
    if "delete" in verbs:
        item["delete"] = _operation("delete", f"delete{gv_id}{scope}{k.kind}", gvk,
                                    ref if k.returns_deleted else _ref(f"{_META}.Status"),
                                    _DELETE_PARAMS)
    if item:
        item["parameters"] = [name_param, *ns_params, _PRETTY]
        paths[f"{prefix}{ns}/{k.plural}/{{name}}"] = item

    if k.namespaced and "list" in verbs:
        paths[f"{prefix}/{k.plural}"] = {
            "get": _operation("list", f"list{gv_id}{k.kind}ForAllNamespaces", gvk,
                              _ref(schema_name(k.group, version, f"{k.kind}List")),
                              _LIST_PARAMS),
            "parameters": [_PRETTY],
        }

    # Object-valued subresources kubectl may write to; log, eviction and binding are left out.
    for sub_name in ("status", "scale"):
        if sub_name not in k.subresources:
            continue
        sub = subresource(sub_name)
        sub_kind = sub.kind or k.kind
        sub_group, sub_version = sub.group_version or (k.group, version)
        sub_gvk = {"group": sub_group, "version": sub_version, "kind": sub_kind}
        sub_ref = _ref(schema_name(sub_group, sub_version, sub_kind))
        sub_body = _content(sub_ref, ("application/json", "application/yaml"))
        suffix = f"{scope}{k.kind}{_camel(sub_name)}"
        paths[f"{prefix}{ns}/{k.plural}/{{name}}/{sub_name}"] = {
            "get": _operation("get", f"read{gv_id}{suffix}", sub_gvk, sub_ref, []),
            "put": _operation("put", f"replace{gv_id}{suffix}", sub_gvk, sub_ref,
                              _WRITE_PARAMS, sub_body, created=True),
            "patch": _operation("patch", f"patch{gv_id}{suffix}", sub_gvk, sub_ref,
                                _PATCH_PARAMS, patch_body, created=True),
            "parameters": [name_param, *ns_params, _PRETTY],
        }
    return paths


# --- documents -----------------------------------------------------------------------


def _api_path(group: str, version: str) -> str:
    return f"apis/{group}/{version}" if group else f"api/{version}"


def openapi_group_version(kinds: Sequence[Kind], group: str, version: str) -> dict[str, Any] | None:
    """`GET /openapi/v3/api/v1` or `/openapi/v3/apis/<group>/<version>`; None if not served."""
    served = kinds_at(kinds, group, version)
    return _document(served, version) if served else None


def _document(served: list[Kind], version: str) -> dict[str, Any]:
    return _cached_document(tuple(served), version)


@functools.lru_cache(maxsize=64)
def _cached_document(served: tuple[Kind, ...], version: str) -> dict[str, Any]:
    """Built once per set of kinds: the full schemas make it the costliest document."""
    paths: dict[str, Any] = {}
    schemas = _shared_schemas()
    for k in served:
        paths.update(_paths_for(k, version))
        model_name = typeschema.kind_model_name(k.group, version, k.kind)
        for name in typeschema.reachable(model_name)[1:] if model_name else ():
            schemas.setdefault(typeschema.component_name(name), _model_schema(name))
        schemas[schema_name(k.group, version, k.kind)] = _kind_schema(k, version)
        schemas[schema_name(k.group, version, f"{k.kind}List")] = _list_schema(k, version)
        if "scale" in k.subresources:
            schemas[_SCALE] = _scale_schema()
    return {
        "openapi": "3.0.0",
        "info": {"title": "Kubernetes", "version": "unversioned"},
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {"BearerToken": {
                "type": "apiKey", "description": "Bearer Token authentication",
                "name": "authorization", "in": "header"}},
        },
        "security": [{"BearerToken": []}],
    }


def document_hash(doc: dict[str, Any]) -> str:
    """What `?hash=` carries: it changes exactly when the document does."""
    canonical = json.dumps(doc, sort_keys=True, separators=(",", ":")).encode()
    return hashlib.sha512(canonical).hexdigest().upper()


@functools.lru_cache(maxsize=64)
def _served_hash(served: tuple[Kind, ...], version: str) -> str:
    return document_hash(_cached_document(served, version))


def openapi_root(kinds: Sequence[Kind]) -> dict[str, Any]:
    """`GET /openapi/v3`: where each group/version's document is."""
    paths = {}
    for group, version in group_versions(kinds):
        digest = _served_hash(tuple(kinds_at(kinds, group, version)), version)
        api_path = _api_path(group, version)
        paths[api_path] = {"serverRelativeURL": f"/openapi/v3/{api_path}?hash={digest}"}
    return {"paths": paths}
