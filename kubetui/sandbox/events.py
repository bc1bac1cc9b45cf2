"""Writing core/v1 Events as the real components do (repeats bump `count`)."""

from __future__ import annotations

import hashlib

from kubetui.sandbox.apiserver.store import Obj, ObjectStore, now_rfc3339

EVENTS = ("", "events")


def record_event(store: ObjectStore, involved: Obj, type_: str, reason: str, message: str,
                 component: str, host: str = "") -> Obj | None:
    """Record (or repeat) an event about `involved`. Returns the stored Event, or None if
    the object's namespace is gone. Cluster-scoped objects' events go to `default`."""
    meta = involved["metadata"]
    ns = meta.get("namespace") or "default"
    if store.find(("", "namespaces"), "", ns) is None:
        return None
    digest = hashlib.sha1(
        f"{meta.get('uid')}|{type_}|{reason}|{message}|{component}".encode()).hexdigest()[:16]
    name = f"{meta['name']}.{digest}"
    now = now_rfc3339()
    old = store.find(EVENTS, ns, name)
    if old is not None:
        ev = {**old, "count": old.get("count", 1) + 1, "lastTimestamp": now}
        return store.update(EVENTS, ev, check_rv=False, owned=True)
    ref = {
        "kind": involved.get("kind", ""),
        "namespace": meta.get("namespace", ""),
        "name": meta["name"],
        "uid": meta.get("uid", ""),
        "apiVersion": involved.get("apiVersion", ""),
        "resourceVersion": meta.get("resourceVersion", ""),
    }
    if not ref["namespace"]:
        del ref["namespace"]
    ev = {
        "apiVersion": "v1",
        "kind": "Event",
        "metadata": {"name": name, "namespace": ns},
        "involvedObject": ref,
        "reason": reason,
        "message": message,
        "type": type_,
        "source": {"component": component, **({"host": host} if host else {})},
        "firstTimestamp": now,
        "lastTimestamp": now,
        "count": 1,
        "reportingComponent": component,
        "reportingInstance": host,
    }
    return store.create(EVENTS, ev, owned=True)
