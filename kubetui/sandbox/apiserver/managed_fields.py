"""Field ownership: `metadata.managedFields` as structured-merge-diff keeps it.

Each manager (fieldManager) owns a set of fields, kept as `fieldsV1`: `f:<name>` for a
field, `k:{"name":"web"}` for an element of a list merged by key (with `.` for the element
itself), `v:<json>` for an element of a set. An update (create, PUT, any non-apply patch)
gives its manager the fields it changed and takes them from everyone else; a server-side
apply gives its manager exactly the fields it applied, and fails with 409 when one of them
would change a value another manager owns, unless forced, which moves the field
(k8s.io/apimachinery/pkg/util/managedfields/internal: fieldmanager.go, conflict.go).

Approximations: the merge keys are patch_schema.py's; fields a manager stops applying
stay in the object (the real server removes those no one else owns).
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

from kubetui.sandbox.apiserver.patch_schema import MergeList, Schema, schema_for
from kubetui.sandbox.errors import ApiError

Path = tuple[str, ...]
Obj = dict[str, Any]
_SYSTEM_META = ("name", "namespace", "generateName", "resourceVersion", "uid",
                "creationTimestamp", "generation", "managedFields", "deletionTimestamp",
                "deletionGracePeriodSeconds", "selfLink")
_MISSING = object()


def tracked(obj: Obj | None) -> Obj:
    """The part of an object fields are owned in: no type, status or system metadata."""
    if not obj:
        return {}
    out = {k: v for k, v in obj.items() if k not in ("apiVersion", "kind", "status")}
    meta = {k: v for k, v in (obj.get("metadata") or {}).items() if k not in _SYSTEM_META}
    if meta:
        out["metadata"] = meta
    else:
        out.pop("metadata", None)
    return out


def leaves(value: Any, schema: Schema | MergeList | None, prefix: Path = ()) -> dict[Path, Any]:
    """Every owned path of `value` and the value there (None for a keyed element's `.`)."""
    out: dict[Path, Any] = {}
    if not isinstance(value, dict):
        return out
    sub = schema if isinstance(schema, dict) else {}
    for k, v in value.items():
        spec, path = sub.get(k), (*prefix, f"f:{k}")
        if isinstance(v, dict) and v:
            out.update(leaves(v, spec, path))
        elif isinstance(v, list) and isinstance(spec, MergeList):
            for item in v:
                if spec.key and isinstance(item, dict) and spec.key in item:
                    ident = json.dumps({spec.key: item[spec.key]}, separators=(",", ":"))
                    element = (*path, f"k:{ident}")
                    out[(*element, ".")] = None
                    out.update(leaves(item, spec.item, element))
                elif not spec.key:
                    out[(*path, f"v:{json.dumps(item, separators=(',', ':'))}")] = None
        else:
            out[path] = v
    return out


def to_fields(paths: set[Path] | dict[Path, Any]) -> dict[str, Any]:
    """A fieldsV1 document of `paths`."""
    root: dict[str, Any] = {}
    for path in sorted(paths):
        node = root
        for part in path:
            node = node.setdefault(part, {})
    return root


def paths_of(fields: dict[str, Any], prefix: Path = ()) -> set[Path]:
    out: set[Path] = set()
    for k, v in (fields or {}).items():
        if isinstance(v, dict) and v:
            out |= paths_of(v, (*prefix, k))
        else:
            out.add((*prefix, k))
    return out


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _entry(manager: str, operation: str, api_version: str, paths: set[Path]) -> Obj:
    return {"manager": manager, "operation": operation, "apiVersion": api_version,
            "time": _now(), "fieldsType": "FieldsV1", "fieldsV1": to_fields(paths)}


def _owners(live: Obj | None) -> list[tuple[Obj, set[Path]]]:
    return [(e, paths_of(e.get("fieldsV1") or {}))
            for e in ((live or {}).get("metadata") or {}).get("managedFields") or ()]


def _rebuild(owners: list[tuple[Obj, set[Path]]], mine: Obj) -> list[Obj]:
    """The entries after a write: others with what they still own, then the writer's."""
    out = [dict(e, fieldsV1=to_fields(paths)) for e, paths in owners if paths]
    return [*out, mine]


def record_update(old: Obj | None, new: Obj, manager: str, kind: str) -> None:
    """An update by `manager`: it owns what it changed; nobody owns what it removed."""
    schema = schema_for(kind)
    before, after = leaves(tracked(old), schema), leaves(tracked(new), schema)
    changed = {p for p, v in after.items() if before.get(p, _MISSING) != v}
    removed = set(before) - set(after)
    owners = _owners(old)
    mine: set[Path] = set()
    for e, paths in owners:
        if e.get("manager") == manager and e.get("operation") == "Update":
            mine = paths
    owners = [(e, paths - changed - removed) for e, paths in owners
              if not (e.get("manager") == manager and e.get("operation") == "Update")]
    new["metadata"]["managedFields"] = _rebuild(
        owners, _entry(manager, "Update", new.get("apiVersion", ""), (mine | changed) - removed))


def _describe(entry: Obj) -> str:
    """printManager: an updater is named with its API version (manager identifiers carry
    no time)."""
    name = json.dumps(entry.get("manager", ""))
    if entry.get("subresource"):
        name += f' with subresource {json.dumps(entry["subresource"])}'
    if entry.get("operation") == "Update":
        name += f" using {entry.get('apiVersion', '')}"
    return name


def _path_text(path: Path) -> str:
    """A field path as structured-merge-diff prints it: .spec.replicas,
    .spec.containers[name="web"].image."""
    out = ""
    for part in path:
        kind, _, rest = part.partition(":")
        if kind == "f":
            out += f".{rest}"
        elif kind == "k":
            out += "[" + ",".join(f"{k}={json.dumps(v)}" for k, v in json.loads(rest).items()) \
                + "]"
        elif kind == "v":
            out += f"[={rest}]"
    return out


def record_apply(live: Obj | None, applied: Obj, result: Obj, manager: str, kind: str,
                 force: bool) -> None:
    """A server-side apply by `manager` of `applied` onto `live`, merged as `result`."""
    schema = schema_for(kind)
    mine = leaves(tracked(applied), schema)
    current = leaves(tracked(live), schema)
    owners = [(e, paths) for e, paths in _owners(live)
              if not (e.get("manager") == manager and e.get("operation") == "Apply")]
    conflicts = [(e, p) for e, paths in owners for p in sorted(paths & set(mine))
                 if current.get(p, _MISSING) != mine[p]]
    if conflicts and not force:
        raise _conflict_error(conflicts)
    taken = {p for _, p in conflicts}
    owners = [(e, paths - taken) for e, paths in owners]
    result.setdefault("metadata", {})["managedFields"] = _rebuild(
        owners, _entry(manager, "Apply", applied.get("apiVersion", ""), set(mine)))


def _conflict_error(conflicts: list[tuple[Obj, Path]]) -> ApiError:
    """errors.NewApplyConflict with internal/conflict.go's message."""
    causes = [{"reason": "FieldManagerConflict", "message": f"conflict with {_describe(e)}",
               "field": _path_text(p)} for e, p in conflicts]
    if len(conflicts) == 1:
        e, p = conflicts[0]
        message = f"Apply failed with 1 conflict: conflict with {_describe(e)}: {_path_text(p)}"
    else:
        by_manager: dict[str, list[str]] = {}
        for e, p in conflicts:
            by_manager.setdefault(_describe(e), []).append(_path_text(p))
        lines = []
        for name in sorted(by_manager):
            lines.append(f"conflicts with {name}:")
            lines += [f"- {p}" for p in by_manager[name]]
        message = f"Apply failed with {len(conflicts)} conflicts: " + "\n".join(lines)
    return ApiError(409, message, reason="Conflict", details={"causes": causes})
