"""What the API server does for each write verb, apart from HTTP.

Each function takes the `Sandbox`, the `Kind` the URL named, and what the client sent; it
defaults, validates and stores exactly as the real kube-apiserver would, raising `ApiError`
for anything it would refuse. Nothing here knows about aiohttp: the server parses the
request and calls these, so the rules can be tested and reused on their own.
"""

from __future__ import annotations

import ipaddress
import random
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from kubetui.kinds import Kind
from kubetui.sandbox.apiserver import (decoding, defaults, managed_fields, patch, rbac,
                                       validation)
from kubetui.sandbox.apiserver.authn import (
    ADMIN, API_AUDIENCE, DEFAULT_EXPIRATION, MIN_EXPIRATION, UserInfo, service_account_user,
)
from kubetui.sandbox.core import Sandbox
from kubetui.sandbox.errors import (
    ApiError, already_exists, bad_request, conflict, invalid, not_found,
)
from kubetui.sandbox.selectors import selector_to_string
from kubetui.sandbox.apiserver.store import Obj, ResKey, clone, new_uid, now_rfc3339

SCALE_API_VERSION = "autoscaling/v1"
_NAME_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"  # as apimachinery's rand.String
_SERVICE_CIDR = ipaddress.ip_network("10.96.0.0/12")

PATCH_JSON = "application/json-patch+json"
PATCH_MERGE = "application/merge-patch+json"
PATCH_STRATEGIC = "application/strategic-merge-patch+json"
PATCH_APPLY = "application/apply-patch+yaml"
PATCH_TYPES = (PATCH_JSON, PATCH_MERGE, PATCH_STRATEGIC, PATCH_APPLY)


def store_key(kind: Kind) -> ResKey:
    """Where a kind's objects live. events.k8s.io Events are the core Events."""
    if kind.group == "events.k8s.io":
        return ("", "events")
    return kind.key


@dataclass(frozen=True)
class WriteOptions:
    dry_run: bool = False
    field_manager: str = ""
    field_validation: str = decoding.WARN  # Strict, Warn or Ignore
    force: bool = False  # server-side apply takes fields other managers own
    #: Where a request collects the `Warning` headers it answers with (None: nobody asks).
    warnings: list[str] | None = None
    user: UserInfo = ADMIN  # who asks (SelfSubjectReview answers with it)
    #: The body comes from the sandbox's own control plane, built from stored objects
    #: (a pod from its ReplicaSet's template): already of the kind's types, so it is not
    #: walked through them again (that walk was a tenth of the time to start 10,000 pods).
    #: Defaults and validation apply as to any request.
    typed: bool = False

    def decode(self, kind: Kind, obj: Obj, version: str, patched: bool = False) -> Obj:
        """`obj` as the server stores it: wrong types refused, unknown fields dropped."""
        if self.typed:
            return obj
        sink = self.warnings if self.warnings is not None else []
        return decoding.check_request(kind, obj, self.field_validation, version, sink,
                                      patched)


def random_suffix(n: int = 5) -> str:
    """What generateName appends: five characters of the names alphabet."""
    return "".join(random.choice(_NAME_ALPHABET) for _ in range(n))


def _check_identity(kind: Kind, namespace: str, obj: Any, version: str) -> Obj:
    """The body must be an object of the URL's kind, in the URL's namespace."""
    if not isinstance(obj, dict):
        raise bad_request("the body of the request was in an unknown format - "
                          "accepted media types include: application/json, application/yaml")
    api_version = obj.get("apiVersion")
    expected = f"{kind.group}/{version}" if kind.group else version
    if api_version and api_version != expected and not (
            kind.group and api_version in (f"{kind.group}/{v}" for v in kind.also_versions)):
        raise bad_request(f"the API version in the data ({api_version}) does not match the "
                          f"expected API version ({expected})")
    if obj.get("kind") and obj["kind"] != kind.kind:
        raise bad_request(f"the kind in the data ({obj['kind']}) does not match the "
                          f"expected kind ({kind.kind})")
    meta = obj.get("metadata")
    if meta is None:
        obj = {**obj, "metadata": {}}
    elif not isinstance(meta, dict):
        raise bad_request("metadata must be an object")
    obj = clone(obj)
    obj["apiVersion"], obj["kind"] = kind.api_version, kind.kind
    meta = obj["metadata"]
    if kind.namespaced:
        if meta.get("namespace") and meta["namespace"] != namespace:
            raise bad_request("the namespace of the provided object does not match the "
                              "namespace sent on the request")
        meta["namespace"] = namespace
    else:
        meta.pop("namespace", None)
    return obj


def _allocate_cluster_ip(sb: Sandbox) -> str:
    used = {s.get("spec", {}).get("clusterIP") for s in sb.store.iter(("", "services"))}
    hosts = _SERVICE_CIDR.hosts()
    next(hosts)  # 10.96.0.1 is the kubernetes service's
    for _ in range(10):  # also skip the low range real clusters keep for DNS
        next(hosts)
    for ip in hosts:
        if str(ip) not in used:
            return str(ip)
    raise ApiError(500, "the service cluster IP range is full")


def _prepare_new(sb: Sandbox, kind: Kind, obj: Obj, user: UserInfo = ADMIN) -> Obj:
    """Server-side fields set on create: generated names, cluster IPs, initial status."""
    meta = obj["metadata"]
    meta["uid"] = new_uid()  # the server's, never the client's; Job defaults use it
    if not meta.get("name") and meta.get("generateName"):
        meta["name"] = meta["generateName"] + random_suffix()
    if kind.subresources and "status" in kind.subresources and kind.kind != "Namespace":
        obj.pop("status", None)  # status comes from controllers, not from the client
    obj = defaults.apply_defaults(kind.kind, obj)
    validation.validate(kind.kind, obj, kind.group)
    if kind.kind == "Service":
        spec = obj.setdefault("spec", {})
        if spec.get("type") != "ExternalName" and not spec.get("clusterIP"):
            ip = _allocate_cluster_ip(sb)
            spec["clusterIP"], spec["clusterIPs"] = ip, [ip]
        if spec.get("type") in ("NodePort", "LoadBalancer"):
            for p in spec.get("ports", []):
                p.setdefault("nodePort", random.randint(30000, 32767))
        obj.setdefault("status", {"loadBalancer": {}})
    elif kind.kind == "CustomResourceDefinition":
        obj["status"] = _crd_status(obj)
    elif kind.kind == "SelfSubjectAccessReview":
        obj["status"] = access_review(sb, obj.get("spec", {}))
    elif kind.kind == "SelfSubjectRulesReview":
        obj["status"] = rules_review(sb, obj.get("spec", {}))
    elif kind.kind in ("SubjectAccessReview", "LocalSubjectAccessReview"):
        obj["status"] = access_review(sb, obj.get("spec", {}))
    elif kind.kind == "SelfSubjectReview":
        obj["status"] = {"userInfo": user.as_json()}
    elif kind.kind == "TokenReview":
        obj["status"] = token_review(sb, obj.get("spec", {}))
    return obj


def token_review(sb: Sandbox, spec: Obj) -> Obj:
    """What a TokenReview answers: who the token is, if anyone
    (pkg/registry/authentication/tokenreview/storage.go)."""
    token = spec.get("token") or ""
    if sb.token_valid(token):
        return {"authenticated": True, "user": ADMIN.as_json(),
                "audiences": list(spec.get("audiences") or [API_AUDIENCE])}
    bound = sb.service_tokens.lookup(token)
    wanted = spec.get("audiences") or [API_AUDIENCE]
    if bound and set(wanted) & set(bound[1]):
        return {"authenticated": True, "user": bound[0].as_json(),
                "audiences": sorted(set(wanted) & set(bound[1]))}
    return {"user": {}, "error": "[invalid bearer token, token lookup failed]"}


def request_token(sb: Sandbox, namespace: str, name: str, body: Any) -> Obj:
    """POST .../serviceaccounts/<name>/token: a bound token for the service account
    (pkg/registry/core/serviceaccount/storage/token.go; `kubectl create token`)."""
    sa = sb.store.get(("", "serviceaccounts"), namespace, name)
    req = body if isinstance(body, dict) else {}
    spec = dict(req.get("spec") or {})
    seconds = spec.get("expirationSeconds") or DEFAULT_EXPIRATION
    if not isinstance(seconds, int) or isinstance(seconds, bool) or seconds < MIN_EXPIRATION:
        raise invalid("TokenRequest", "authentication.k8s.io", name, [(
            "spec.expirationSeconds", "FieldValueInvalid",
            f"Invalid value: {seconds}: may not specify a duration less than 10 minutes")])
    audiences = tuple(spec.get("audiences") or (API_AUDIENCE,))
    user = service_account_user(namespace, name, sa["metadata"]["uid"])
    token, expiry = sb.service_tokens.issue(user, audiences, seconds)
    spec.update(audiences=list(audiences), expirationSeconds=seconds)
    spec.setdefault("boundObjectRef", None)
    return {"kind": "TokenRequest", "apiVersion": "authentication.k8s.io/v1",
            "metadata": {"name": name, "namespace": namespace, "creationTimestamp": None},
            "spec": spec,
            "status": {"token": token, "expirationTimestamp": datetime.fromtimestamp(
                expiry, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")}}


def _crd_status(crd: Obj) -> Obj:
    now = now_rfc3339()
    names = crd.get("spec", {}).get("names", {})
    return {
        "acceptedNames": {k: v for k, v in names.items()
                          if k in ("kind", "listKind", "plural", "singular", "shortNames",
                                   "categories")},
        "conditions": [
            {"type": "NamesAccepted", "status": "True", "reason": "NoConflicts",
             "message": "no conflicts found", "lastTransitionTime": now},
            {"type": "Established", "status": "True", "reason": "InitialNamesAccepted",
             "message": "the initial names have been accepted", "lastTransitionTime": now},
        ],
        "storedVersions": [v["name"] for v in crd.get("spec", {}).get("versions", [])
                           if v.get("storage")],
    }


def access_review(sb: Sandbox, spec: Obj) -> Obj:
    """What a SelfSubjectAccessReview answers under the sandbox's RBAC mode."""
    attrs = spec.get("resourceAttributes") or {}
    ns = attrs.get("namespace", "")
    kind = sb.kinds.lookup(attrs.get("group", ""), attrs.get("version", "") or "v1",
                           attrs.get("resource", ""))
    namespaced = kind.namespaced if kind else bool(ns)
    if rbac.allowed(sb.faults.rbac, attrs.get("verb", ""), ns, namespaced):
        return {"allowed": True, "reason": "the sandbox allows it"}
    return {"allowed": False, "denied": True, "reason": rbac.denial(sb.faults.rbac)}


def rules_review(sb: Sandbox, spec: Obj) -> Obj:
    """What a SelfSubjectRulesReview (`kubectl auth can-i --list`) answers."""
    mode, ns = sb.faults.rbac, spec.get("namespace", "")
    verbs = ["*"]
    if mode == "readonly":
        verbs = list(rbac.READ_VERBS)
    elif mode != "full" and not rbac.allowed(mode, "get", ns, True):
        verbs = []
    rules = [{"verbs": verbs, "apiGroups": ["*"], "resources": ["*"]}] if verbs else []
    return {"resourceRules": rules,
            "nonResourceRules": [{"verbs": ["get"], "nonResourceURLs": ["/version",
                                                                        "/healthz"]}],
            "incomplete": False}


def is_review(kind: Kind) -> bool:
    """Reviews (create-only kinds) are answered, never stored."""
    return kind.verbs == ("create",)


def create(sb: Sandbox, kind: Kind, namespace: str, body: Any, version: str,
           opts: WriteOptions = WriteOptions()) -> Obj:
    obj = _check_identity(kind, namespace, opts.decode(kind, body, version), version)
    obj = _prepare_new(sb, kind, obj, opts.user)
    if is_review(kind) or opts.dry_run:
        # Reviews are answered, never stored; a dry run stores nothing either.
        meta = obj["metadata"]
        meta.setdefault("creationTimestamp", now_rfc3339() if opts.dry_run else None)
        if opts.dry_run and sb.store.find(store_key(kind), namespace if kind.namespaced
                                          else "", meta.get("name", "")):
            raise already_exists(kind.group, kind.plural, meta["name"])
        return obj
    if opts.field_manager:
        managed_fields.record_update(None, obj, opts.field_manager, kind.kind)
    # `obj` is this request's own copy (`_check_identity` made it).
    return sb.store.create(store_key(kind), obj, namespaced=kind.namespaced, owned=True)


def update(sb: Sandbox, kind: Kind, namespace: str, name: str, body: Any, version: str,
           subresource: str = "", opts: WriteOptions = WriteOptions()) -> Obj:
    """PUT of an object or its status."""
    obj = _check_identity(kind, namespace, opts.decode(kind, body, version), version)
    if obj["metadata"].get("name") != name:
        raise bad_request(f"the name of the object ({obj['metadata'].get('name')}) does not "
                          f"match the name on the URL ({name})")
    return _replace(sb, kind, obj, subresource, opts, check_rv=True)


def _decode_applied(kind: Kind, applied: Any) -> Any:
    """Server-side apply types the applied configuration first; a field the schema does
    not declare fails it whatever fieldValidation says (apimachinery managedfields
    internal/structuredmerge.go: "failed to create typed patch object")."""
    decoded = decoding.decode(kind, applied, kind.version)
    problem = decoded.type_error or (f".{decoded.unknown[0]}: field not declared in schema"
                                     if decoded.unknown else "")
    if problem:
        meta = applied.get("metadata") if isinstance(applied.get("metadata"), dict) else {}
        where = f"{meta.get('namespace', '')}/{meta.get('name', '')}"
        raise ApiError(500, f"failed to create typed patch object ({where}; "
                            f"{kind.group}/{kind.version}, Kind={kind.kind}): {problem}")
    return applied


def _replace(sb: Sandbox, kind: Kind, obj: Obj, subresource: str, opts: WriteOptions,
             check_rv: bool) -> Obj:
    key = store_key(kind)
    ns = obj["metadata"].get("namespace", "") if kind.namespaced else ""
    old = sb.store.get(key, ns, obj["metadata"]["name"])
    if check_rv and obj["metadata"].get("resourceVersion") and \
            obj["metadata"]["resourceVersion"] != old["metadata"]["resourceVersion"]:
        raise conflict(kind.group, kind.plural, obj["metadata"]["name"])
    status_only = subresource == "status"
    if subresource == "ephemeralcontainers":
        obj = _ephemeral_containers_only(kind, old, obj)
    if not status_only:
        obj = defaults.apply_defaults(kind.kind, obj)
        validation.validate(kind.kind, obj, kind.group)
        _check_immutable(kind, old, obj)
    if opts.dry_run:
        return obj
    if opts.field_manager and not status_only:
        managed_fields.record_update(old, obj, opts.field_manager, kind.kind)
    if kind.kind == "Namespace" and not status_only:
        obj["status"] = old.get("status", {})
    return sb.store.update(key, obj, check_rv=check_rv, status_only=status_only)


def _ephemeral_containers_only(kind: Kind, old: Obj, new: Obj) -> Obj:
    """pods/ephemeralcontainers: the pod as it was with the new `ephemeralContainers`;
    existing ephemeral containers may not be changed or removed, names stay unique."""
    name = old["metadata"]["name"]
    spec = old.get("spec", {})
    before = {c.get("name"): c for c in spec.get("ephemeralContainers") or []}
    after = (new.get("spec") or {}).get("ephemeralContainers") or []
    taken = {c.get("name") for c in (spec.get("containers") or []) +
             (spec.get("initContainers") or [])}
    causes = []
    seen: set[str] = set()
    for i, c in enumerate(after):
        if c.get("name") in taken or c.get("name") in seen:
            causes.append((f"spec.ephemeralContainers[{i}].name", "FieldValueDuplicate",
                           f'Duplicate value: "{c.get("name")}"'))
        seen.add(c.get("name"))
    now = {c.get("name"): c for c in after}
    for n, c in before.items():
        if n not in now or any(now[n].get(f) != c.get(f) for f in ("image", "command", "args")):
            causes.append(("spec.ephemeralContainers", "FieldValueForbidden",
                           f'existing ephemeral containers "{n}" may not be changed'))
    if causes:
        raise invalid(kind.kind, kind.group, name, causes)
    out = clone(old)
    out["spec"]["ephemeralContainers"] = after
    out["metadata"]["resourceVersion"] = new["metadata"].get(
        "resourceVersion", old["metadata"]["resourceVersion"])
    return out


def _check_immutable(kind: Kind, old: Obj, new: Obj) -> None:
    causes = []
    if kind.kind in ("Deployment", "ReplicaSet", "StatefulSet", "DaemonSet", "Job"):
        if old.get("spec", {}).get("selector") != new.get("spec", {}).get("selector"):
            causes.append(("spec.selector", "FieldValueInvalid", "field is immutable"))
    if kind.kind == "Service":
        o, n = old.get("spec", {}).get("clusterIP"), new.get("spec", {}).get("clusterIP")
        if n and o and n != o:
            causes.append(("spec.clusterIP", "FieldValueInvalid", "field is immutable"))
        elif not n and o:
            new["spec"]["clusterIP"], new["spec"]["clusterIPs"] = o, [o]
    if kind.kind == "Pod":
        o_spec, n_spec = old.get("spec", {}), new.get("spec", {})
        if [c.get("name") for c in o_spec.get("containers", [])] != \
                [c.get("name") for c in n_spec.get("containers", [])] or \
                (o_spec.get("nodeName") and o_spec.get("nodeName") != n_spec.get("nodeName")):
            causes.append(("spec", "Forbidden", "pod updates may not change fields other than "
                           "`spec.containers[*].image`, `spec.initContainers[*].image`, "
                           "`spec.activeDeadlineSeconds`, `spec.tolerations` (only additions "
                           "to existing tolerations) or `spec.terminationGracePeriodSeconds`"))
    if causes:
        raise invalid(kind.kind, kind.group, new["metadata"]["name"], causes)


def apply_patch(sb: Sandbox, kind: Kind, namespace: str, name: str, content_type: str,
                body: Any, subresource: str = "", opts: WriteOptions = WriteOptions()) -> Obj:
    """PATCH of an object, its status, or its scale. Server-side apply creates if absent."""
    key = store_key(kind)
    ns = namespace if kind.namespaced else ""
    if content_type not in PATCH_TYPES:
        raise ApiError(415, f"the body of the request was in an unknown format - accepted "
                            f"media types include: {', '.join(PATCH_TYPES)}")
    if content_type == PATCH_STRATEGIC and not patch.supports_strategic(kind.kind):
        raise ApiError(415, "the body of the request was in an unknown format - accepted "
                            f"media types include: {PATCH_JSON}, {PATCH_MERGE}, {PATCH_APPLY}")
    if content_type == PATCH_APPLY and not opts.field_manager:
        raise bad_request("PATCH /apply requests must have a fieldManager")
    current = sb.store.find(key, ns, name)
    if current is None:
        if content_type != PATCH_APPLY or subresource:
            raise not_found(kind.group, kind.plural, name)
        applied = _check_identity(kind, namespace, _decode_applied(kind, body), kind.version)
        if applied["metadata"].get("name") != name:
            raise bad_request("the name of the object does not match the name on the URL")
        new = patch.apply_patch(None, applied, kind.kind)
        managed_fields.record_apply(None, applied, new, opts.field_manager, kind.kind,
                                    opts.force)
        new = _prepare_new(sb, kind, new)
        if opts.dry_run:
            return new
        return sb.store.create(key, new, namespaced=kind.namespaced)
    if subresource == "scale":
        return _patch_scale(sb, kind, current, content_type, body, opts)
    target = current
    if content_type == PATCH_JSON:
        if not isinstance(body, list):
            raise bad_request("json: cannot unmarshal object into Go value of type "
                              "jsonpatch.Patch")
        new = patch.json_patch(target, body)
    elif not isinstance(body, dict):
        raise bad_request("the body of the request was in an unknown format")
    elif content_type == PATCH_MERGE:
        new = patch.merge_patch(target, body)
    elif content_type == PATCH_STRATEGIC:
        new = patch.strategic_merge_patch(target, body, kind.kind)
    else:
        applied = _check_identity(kind, namespace, _decode_applied(kind, body), kind.version)
        new = patch.apply_patch(target, applied, kind.kind)
        managed_fields.record_apply(target, applied, new, opts.field_manager, kind.kind,
                                    opts.force)
    if not isinstance(new, dict) or not isinstance(new.get("metadata"), dict):
        raise bad_request("the patch removed the object's metadata")
    if content_type != PATCH_APPLY:
        new = opts.decode(kind, new, kind.version, patched=True)
    if new["metadata"].get("name") != name or \
            (kind.namespaced and new["metadata"].get("namespace") != namespace):
        raise bad_request("the patch may not change the object's name or namespace")
    new["apiVersion"], new["kind"] = kind.api_version, kind.kind
    # A patch is checked against the version it read only if it names one itself.
    check = bool(new["metadata"].get("resourceVersion")) and \
        new["metadata"]["resourceVersion"] != current["metadata"]["resourceVersion"]
    if check:
        raise conflict(kind.group, kind.plural, name)
    new["metadata"]["resourceVersion"] = current["metadata"]["resourceVersion"]
    # An apply's ownership is set above; any other patch is an update by its manager.
    manager = "" if content_type == PATCH_APPLY else opts.field_manager
    return _replace(sb, kind, new, subresource,
                    WriteOptions(opts.dry_run, manager, decoding.IGNORE), check_rv=False)


# ----- scale subresource ------------------------------------------------------------------

def scale_of(kind: Kind, obj: Obj) -> Obj:
    """The autoscaling/v1 Scale view of a Deployment, ReplicaSet or StatefulSet."""
    if not kind.scalable:
        raise not_found(kind.group, f"{kind.plural}/scale", obj["metadata"]["name"])
    meta = obj["metadata"]
    spec, status = obj.get("spec", {}), obj.get("status", {})
    selector = spec.get("selector") or {}
    if kind.kind == "ReplicationController":  # a plain label map there
        selector = {"matchLabels": selector}
    return {
        "kind": "Scale",
        "apiVersion": SCALE_API_VERSION,
        "metadata": {k: meta[k] for k in ("name", "namespace", "uid", "resourceVersion",
                                          "creationTimestamp") if k in meta},
        "spec": {"replicas": spec.get("replicas", 1)},
        "status": {"replicas": status.get("replicas", 0),
                   "selector": selector_to_string(selector)},
    }


def _set_replicas(sb: Sandbox, kind: Kind, current: Obj, scale: Any,
                  opts: WriteOptions) -> Obj:
    name = current["metadata"]["name"]
    replicas = (scale.get("spec") or {}).get("replicas") if isinstance(scale, dict) else None
    if not isinstance(replicas, int) or isinstance(replicas, bool):
        raise invalid("Scale", "autoscaling", name,
                      [("spec.replicas", "FieldValueInvalid",
                        "Invalid value: must be an integer")])
    if replicas < 0:
        raise invalid("Scale", "autoscaling", name,
                      [("spec.replicas", "FieldValueInvalid",
                        f"Invalid value: {replicas}: must be greater than or equal to 0")])
    rv = (scale.get("metadata") or {}).get("resourceVersion")
    if rv and rv != current["metadata"]["resourceVersion"]:
        raise conflict(kind.group, kind.plural, name)
    new = clone(current)
    new["spec"]["replicas"] = replicas
    if opts.dry_run:
        return scale_of(kind, new)
    stored = sb.store.update(store_key(kind), new, check_rv=False)
    return scale_of(kind, stored)


def _patch_scale(sb: Sandbox, kind: Kind, current: Obj, content_type: str, body: Any,
                 opts: WriteOptions) -> Obj:
    scale = scale_of(kind, current)
    if content_type == PATCH_JSON:
        if not isinstance(body, list):
            raise bad_request("a JSON patch must be a list of operations")
        new = patch.json_patch(scale, body)
    elif not isinstance(body, dict):
        raise bad_request("the body of the request was in an unknown format")
    elif content_type == PATCH_MERGE:
        new = patch.merge_patch(scale, body)
    else:
        new = patch.strategic_merge_patch(scale, body, "Scale") if content_type == \
            PATCH_STRATEGIC else patch.apply_patch(scale, body, "Scale")
    return _set_replicas(sb, kind, current, new, opts)


def update_scale(sb: Sandbox, kind: Kind, namespace: str, name: str, body: Any,
                 opts: WriteOptions = WriteOptions()) -> Obj:
    current = sb.store.get(store_key(kind), namespace, name)
    scale_of(kind, current)  # 404 for kinds without scale
    return _set_replicas(sb, kind, current, body, opts)


# ----- deletion ---------------------------------------------------------------------------

@dataclass(frozen=True)
class DeleteOptions:
    propagation: str = ""  # "", Background, Foreground, Orphan
    grace_seconds: int | None = None
    precondition_uid: str = ""
    precondition_rv: str = ""
    dry_run: bool = False

    @classmethod
    def parse(cls, body: Any, query: dict[str, str], dry_run: bool) -> DeleteOptions:
        body = body if isinstance(body, dict) else {}
        pre = body.get("preconditions") or {}
        grace = body.get("gracePeriodSeconds", query.get("gracePeriodSeconds"))
        try:
            grace_s = int(grace) if grace not in (None, "") else None
        except (TypeError, ValueError):
            raise bad_request(f"invalid gracePeriodSeconds: {grace!r}") from None
        policy = body.get("propagationPolicy") or query.get("propagationPolicy") or ""
        if body.get("orphanDependents") is True or query.get("orphanDependents") == "true":
            policy = policy or "Orphan"
        if policy not in ("", "Background", "Foreground", "Orphan"):
            raise invalid("DeleteOptions", "", "", [(
                "propagationPolicy", "FieldValueNotSupported",
                f'Unsupported value: "{policy}": supported values: "Foreground", '
                '"Background", "Orphan"')])
        return cls(policy, grace_s, pre.get("uid") or "", pre.get("resourceVersion") or "",
                   dry_run)


def delete(sb: Sandbox, kind: Kind, namespace: str, name: str,
           opts: DeleteOptions = DeleteOptions()) -> Obj:
    """DELETE one object. Pods on a node go gracefully (the kubelet finishes them);
    Foreground and Orphan propagation leave a finalizer for the garbage collector."""
    key = store_key(kind)
    ns = namespace if kind.namespaced else ""
    obj = sb.store.get(key, ns, name)
    meta = obj["metadata"]
    if opts.precondition_uid and opts.precondition_uid != meta["uid"]:
        raise conflict(kind.group, kind.plural, name)
    if opts.precondition_rv and opts.precondition_rv != meta["resourceVersion"]:
        raise conflict(kind.group, kind.plural, name)
    if opts.dry_run:
        return obj
    finalizer = {"Foreground": "foregroundDeletion", "Orphan": "orphan"}.get(opts.propagation)
    if finalizer and finalizer not in (meta.get("finalizers") or []):
        obj = clone(obj)
        obj["metadata"]["finalizers"] = [*(meta.get("finalizers") or []), finalizer]
        obj = sb.store.update(key, obj, check_rv=False)
    if kind.kind == "Namespace":
        if name in ("default", "kube-system", "kube-public"):
            raise ApiError(403, f'namespaces "{name}" is forbidden: this namespace may not be '
                                "deleted")
        ns_obj = sb.store.mark_deleting(key, "", name)
        if ns_obj.get("status", {}).get("phase") != "Terminating":
            ns_obj = clone(ns_obj)
            ns_obj["status"] = {"phase": "Terminating"}
            ns_obj = sb.store.write_status(key, ns_obj)
        return ns_obj
    if kind.kind == "Pod":
        grace = opts.grace_seconds
        if grace is None:
            grace = obj.get("spec", {}).get("terminationGracePeriodSeconds", 30)
        if obj.get("spec", {}).get("nodeName") and grace > 0 and \
                obj.get("status", {}).get("phase") not in ("Succeeded", "Failed"):
            return sb.store.mark_deleting(key, ns, name, grace)
    return sb.store.delete(key, ns, name)
