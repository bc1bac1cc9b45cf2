"""The four patch types the API server accepts: JSON patch, merge patch, strategic merge
patch and (simplified) server-side apply.

Every function works on private deep copies: stored objects are shared and immutable.
Strategic merge follows k8s.io/apimachinery/pkg/util/strategicpatch (merge keys, the
`$patch`, `$retainKeys`, `$setElementOrder/` and `$deleteFromPrimitiveList/` directives,
and its element ordering), with merge keys from `patch_schema` instead of Go struct tags.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from kubetui.sandbox.errors import ApiError, bad_request
from kubetui.sandbox.apiserver.patch_schema import MergeList, Schema, schema_for, supports_strategic

__all__ = ["apply_patch", "json_patch", "merge_patch", "strategic_merge_patch",
           "supports_strategic"]

Obj = dict[str, Any]

# ----- JSON patch (RFC 6902) ---------------------------------------------------------


def _unprocessable(detail: str) -> ApiError:
    """What the API server answers when a JSON patch does not apply (HTTP 422)."""
    return ApiError(422, "the server rejected our request due to an error in our request",
                    details={"causes": [{"reason": "UnexpectedServerResponse",
                                         "message": detail}]})


def _pointer(path: Any) -> list[str]:
    if not isinstance(path, str) or (path and not path.startswith("/")):
        raise _unprocessable(f"invalid JSON pointer: {path!r}")
    if not path:
        return []
    return [t.replace("~1", "/").replace("~0", "~") for t in path[1:].split("/")]


def _index(container: list[Any], token: str, path: str, *, adding: bool = False) -> int:
    if adding and token == "-":
        return len(container)
    if not token.isdigit() or (len(token) > 1 and token[0] == "0"):
        raise _unprocessable(f"invalid array index {token!r} in {path}")
    i = int(token)
    if i > len(container) or (i == len(container) and not adding):
        raise _unprocessable(f"array index out of bounds in {path}: {i}")
    return i


def _parent(doc: Any, tokens: list[str], path: str) -> Any:
    cur = doc
    for t in tokens[:-1]:
        if isinstance(cur, dict) and t in cur:
            cur = cur[t]
        elif isinstance(cur, list):
            cur = cur[_index(cur, t, path)]
        else:
            raise _unprocessable(f'doc is missing path: "{path}": missing value')
    if not isinstance(cur, (dict, list)):
        raise _unprocessable(f'doc is missing path: "{path}": missing value')
    return cur


def _get(doc: Any, path: str) -> Any:
    tokens = _pointer(path)
    if not tokens:
        return doc
    parent, last = _parent(doc, tokens, path), tokens[-1]
    if isinstance(parent, dict):
        if last not in parent:
            raise _unprocessable(f"doc is missing key: {path}: missing value")
        return parent[last]
    return parent[_index(parent, last, path)]


def _add(doc: Any, path: str, value: Any) -> Any:
    tokens = _pointer(path)
    if not tokens:
        return value
    parent, last = _parent(doc, tokens, path), tokens[-1]
    if isinstance(parent, dict):
        parent[last] = value
    else:
        parent.insert(_index(parent, last, path, adding=True), value)
    return doc


def _remove(doc: Any, path: str) -> tuple[Any, Any]:
    """Remove the value at path; returns (doc, removed value)."""
    tokens = _pointer(path)
    if not tokens:
        return None, doc
    parent, last = _parent(doc, tokens, path), tokens[-1]
    if isinstance(parent, dict):
        if last not in parent:
            raise _unprocessable(f"error in remove for path: '{path}': Unable to remove "
                                 f"nonexistent key: {last}: missing value")
        return doc, parent.pop(last)
    return doc, parent.pop(_index(parent, last, path))


def _json_equal(a: Any, b: Any) -> bool:
    """Equality as JSON sees it: true is not 1, 1 is 1.0."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_json_equal(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_json_equal(x, y) for x, y in zip(a, b))
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b
    return type(a) is type(b) and a == b


def _operation(doc: Any, op: dict[str, Any]) -> Any:
    kind = op.get("op")
    if "path" not in op:
        raise _unprocessable(f"operation missing path field: {json.dumps(op)}")
    path = op["path"]
    if kind in ("add", "replace", "test") and "value" not in op:
        raise _unprocessable(f"operation missing value field: {json.dumps(op)}")
    if kind in ("move", "copy") and "from" not in op:
        raise _unprocessable(f"operation missing from field: {json.dumps(op)}")
    if kind == "add":
        return _add(doc, path, copy.deepcopy(op["value"]))
    if kind == "remove":
        return _remove(doc, path)[0]
    if kind == "replace":
        _get(doc, path)  # must exist
        if not _pointer(path):
            return copy.deepcopy(op["value"])
        doc, _ = _remove(doc, path)
        return _add(doc, path, copy.deepcopy(op["value"]))
    if kind == "move":
        src = op["from"]
        if path != src and path.startswith(src + "/"):
            raise _unprocessable(f"move operation cannot move {src} into its own child {path}")
        doc, value = _remove(doc, src)
        return _add(doc, path, value)
    if kind == "copy":
        return _add(doc, path, copy.deepcopy(_get(doc, op["from"])))
    if kind == "test":
        if not _json_equal(_get(doc, path), op["value"]):
            raise _unprocessable(f"testing value {path} failed: test failed")
        return doc
    raise _unprocessable(f"Unexpected kind: {kind}")


def json_patch(obj: Obj, ops: list[Any]) -> Obj:
    """Apply an RFC 6902 patch. A body that is not a list of operation objects is a 400;
    an operation that does not apply is a 422, as from the API server."""
    if not isinstance(ops, list) or not all(isinstance(op, dict) for op in ops):
        raise bad_request("json: cannot unmarshal object into Go value of type "
                          "jsonpatch.Patch")
    doc: Any = copy.deepcopy(obj)
    for op in ops:
        doc = _operation(doc, op)
    if not isinstance(doc, dict):
        raise _unprocessable("the patched document is not a JSON object")
    return doc


# ----- merge patch (RFC 7386) --------------------------------------------------------


def _merge(target: Any, patch: Any) -> Any:
    if not isinstance(patch, dict):
        return patch
    result = target if isinstance(target, dict) else {}
    for k, v in patch.items():
        if v is None:
            result.pop(k, None)
        else:
            result[k] = _merge(result.get(k), v)
    return result


def merge_patch(obj: Obj, patch: Obj) -> Obj:
    """RFC 7386: objects merge recursively, null deletes, everything else replaces."""
    if not isinstance(patch, dict):
        raise bad_request("json: cannot unmarshal into Go value of type map[string]interface {}")
    return _merge(copy.deepcopy(obj), copy.deepcopy(patch))


# ----- strategic merge patch ---------------------------------------------------------

_DIRECTIVE = "$patch"
_RETAIN_KEYS = "$retainKeys"
_ORDER_PREFIX = "$setElementOrder/"
_DELETE_PREFIX = "$deleteFromPrimitiveList/"


class _PatchError(Exception):
    """A strategic patch the server refuses; `code` is its HTTP status."""

    def __init__(self, message: str, code: int = 400) -> None:
        super().__init__(message)
        self.code = code


def _no_merge_key(item: Any, key: str) -> _PatchError:
    # The Go code returns this as a plain error, which the server turns into a 500.
    return _PatchError(f"map: {item} does not contain declared merge key: {key}", 500)


def _merge_key_of(item: Any, key: str) -> Any:
    if not isinstance(item, dict) or key not in item:
        raise _no_merge_key(item, key)
    return item[key]


def _position(items: list[Any], value: Any, key: str) -> int:
    """Index of the item whose merge key (or, for primitives, whose value) is value."""
    for i, item in enumerate(items):
        mine = item.get(key) if key and isinstance(item, dict) else item
        if mine == value and (not key or isinstance(item, dict) and key in item):
            return i
    return -1


def _ident(item: Any, key: str) -> Any:
    return item.get(key) if key and isinstance(item, dict) else item


def _sorted_by(items: list[Any], order: list[Any], key: str) -> list[Any]:
    """Stable sort by position in `order`; deletion directives go last."""
    deletes = [i for i in items if isinstance(i, dict) and i.get(_DIRECTIVE) == "delete"]
    keep = [i for i in items if not (isinstance(i, dict) and i.get(_DIRECTIVE) == "delete")]
    keep.sort(key=lambda i: _position(order, _ident(i, key), key))
    return keep + deletes


def _normalize_order(merged: list[Any], patch_order: list[Any], server_order: list[Any],
                     key: str) -> list[Any]:
    """Patch items in patch order, server-only items in live order, interleaved where
    the live list says how (normalizeElementOrder/mergeSortedSlice)."""
    in_patch = [i for i in merged if _position(patch_order, _ident(i, key), key) >= 0]
    server_only = [i for i in merged if _position(patch_order, _ident(i, key), key) < 0]
    right = _sorted_by(in_patch, patch_order, key)
    left = _sorted_by(server_only, server_order, key)
    out: list[Any] = []
    i = j = 0
    while i < len(left) or j < len(right):
        if j >= len(right):
            out.append(left[i])
            i += 1
            continue
        if i < len(left):
            li = _position(server_order, _ident(left[i], key), key)
            ri = _position(server_order, _ident(right[j], key), key)
            if li >= 0 and ri >= 0 and li < ri:
                out.append(left[i])
                i += 1
                continue
        out.append(right[j])
        j += 1
    return out


def _merge_list(original: list[Any], patch: list[Any], spec: MergeList) -> list[Any]:
    if not original and not patch:
        return original
    key = spec.key
    if not key:
        merged = list(original)
        merged += [v for v in patch if v not in merged]
        merged = [v for n, v in enumerate(merged) if v not in merged[:n]]
        return _normalize_order(merged, patch, original, "")
    # Lists of maps: first the `$patch` elements, then merge by key.
    plain, replace = [], False
    for item in patch:
        if not isinstance(item, dict):
            raise _PatchError(f"cannot merge lists of maps with {json.dumps(item)}", 500)
        directive = item.get(_DIRECTIVE)
        if directive is None:
            plain.append(item)
        elif directive == "delete":
            value = _merge_key_of(item, key)
            original = [o for o in original
                        if not (isinstance(o, dict) and key in o and o[key] == value)]
        elif directive == "replace":
            replace = True
        elif directive == "merge":
            raise _PatchError("merging lists cannot yet be specified in the patch", 500)
        else:
            raise _PatchError(f"Unknown patch type: {directive} in map: {item}")
    if replace:
        return [_strip(i, spec.item) for i in plain]
    merged = list(original)
    for item in plain:
        value = _merge_key_of(item, key)
        at = _position(merged, value, key)
        if at >= 0:
            merged[at] = _merge_map(merged[at], item, spec.item)
        else:
            merged.append(_strip(item, spec.item))
    return _normalize_order(merged, plain, original, key)


def _strip(value: Any, schema: Schema | MergeList | None) -> Any:
    """A new value with no directives or nulls left in it (merged onto nothing)."""
    if isinstance(value, dict):
        return _merge_map({}, value, schema if isinstance(schema, dict) else None)
    if isinstance(value, list) and isinstance(schema, MergeList):
        return _merge_list([], value, schema)
    return value


def _retain_keys(original: Obj, patch: Obj) -> None:
    keep = patch.pop(_RETAIN_KEYS)
    if not isinstance(keep, list):
        raise _PatchError("invalid patch format of retainKeys")
    for k, v in patch.items():
        if v is not None and not k.startswith((_ORDER_PREFIX, _DELETE_PREFIX)) \
                and k != _DIRECTIVE and k not in keep:
            raise _PatchError("invalid patch format of retainKeys")
    for k in [k for k in original if k not in keep]:
        del original[k]


def _apply_element_order(original: Obj, patch: Obj, schema: Schema) -> None:
    """Merge each list that has a `$setElementOrder/` list, in that order."""
    for directive in [k for k in patch if k.startswith(_ORDER_PREFIX)]:
        order = patch.pop(directive)
        field = directive[len(_ORDER_PREFIX):]
        if not isinstance(order, list) or not field:
            raise _PatchError("invalid patch format of setElementOrder list")
        spec = schema.get(field)
        spec = spec if isinstance(spec, MergeList) else None
        has_orig, has_patch = field in original, field in patch
        if not has_orig and not has_patch:
            continue
        orig_list = original.get(field) or []
        patch_list = patch.pop(field) if has_patch else []
        if not isinstance(orig_list, list) or not isinstance(patch_list, list):
            raise _PatchError("invalid patch format of setElementOrder list")
        key = spec.key if spec else ""
        if has_orig and has_patch:
            merged = _merge_list(orig_list, patch_list, spec) if spec else patch_list
        elif has_patch:
            merged = _strip(patch_list, spec)
        else:
            merged = orig_list
        if spec is not None and key and not all(isinstance(o, dict) and key in o
                                               for o in order):
            raise _no_merge_key(order, key)
        original[field] = _normalize_order(merged, order, orig_list, key)


def _merge_map(original: Obj | None, patch: Obj, schema: Schema | None) -> Obj:
    schema = schema or {}
    if _DIRECTIVE in patch:
        directive = patch[_DIRECTIVE]
        if directive == "replace":
            return {k: v for k, v in patch.items() if k != _DIRECTIVE}
        if directive == "delete":
            return {}
        raise _PatchError(f"Unknown patch type: {directive} in map: {patch}")
    result = dict(original or {})
    patch = dict(patch)
    if _RETAIN_KEYS in patch:
        _retain_keys(result, patch)
    _apply_element_order(result, patch, schema)
    for k, value in patch.items():
        if k.startswith(_DELETE_PREFIX):
            k = k[len(_DELETE_PREFIX):]
            if not isinstance(value, list) or not k:
                raise _PatchError("invalid patch format of primitive list")
            if isinstance(result.get(k), list):
                result[k] = [v for v in result[k] if v not in value]
            continue
        spec = schema.get(k)
        if value is None:
            result.pop(k, None)
        elif k not in result or result[k] is None:
            result[k] = _strip(value, spec)
        elif isinstance(result[k], dict) and isinstance(value, dict):
            result[k] = _merge_map(result[k], value, spec if isinstance(spec, dict) else None)
        elif isinstance(result[k], list) and isinstance(value, list) \
                and isinstance(spec, MergeList):
            result[k] = _merge_list(result[k], value, spec)
        else:
            result[k] = _strip(value, spec)
    return result


def strategic_merge_patch(obj: Obj, patch: Obj, kind: str) -> Obj:
    """Apply a strategic merge patch with the merge keys of `kind`. Callers answer 415 for
    kinds where `supports_strategic` is false, as the real server does for CRs."""
    if not isinstance(patch, dict):
        raise bad_request("json: cannot unmarshal array into Go value of type "
                          "map[string]interface {}")
    try:
        return _merge_map(copy.deepcopy(obj), copy.deepcopy(patch), schema_for(kind))
    except _PatchError as e:
        raise ApiError(e.code, str(e)) from None


# ----- server-side apply -------------------------------------------------------------


def apply_patch(live: Obj | None, applied: Obj, kind: str) -> Obj:
    """Server-side apply's merge: the applied configuration onto the live object with the
    strategic merge keys (lists without keys are replaced). Who owns what is
    managed_fields.py's."""
    if not isinstance(applied, dict):
        raise bad_request("the applied configuration must be an object")
    config = copy.deepcopy(applied)
    (config.get("metadata") or {}).pop("managedFields", None)
    try:
        return _merge_map(copy.deepcopy(live) if live else {}, config, schema_for(kind))
    except _PatchError as e:
        raise ApiError(e.code, str(e)) from None
