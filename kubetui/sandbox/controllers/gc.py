"""The garbage collector: deletion propagates along ownerReferences.

- Background: once none of an object's owners exists any more, the object is deleted
  (pods gracefully, through the same DELETE the API server serves); references to owners
  that are gone are dropped while another owner remains.
- Orphan: an owner being deleted with the `orphan` finalizer has the references to it
  removed from its dependents, then loses the finalizer (and so goes).
- Foreground: an owner being deleted with `foregroundDeletion` has its dependents deleted
  (in the foreground too, so grandchildren go first), and loses the finalizer once none is
  left.

The API server adds those finalizers when a DELETE asks for Orphan or Foreground. The
collector hears every change through a store listener (it cares about every resource),
and looks owners up by uid through `store.dependents`. Unlike the real one it keeps no
graph of its own: the store's owner index is the graph.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable

from kubetui.kinds import Kind
from kubetui.sandbox import podinfo
from kubetui.sandbox.apiserver.store import Event, Obj, ResKey, clone
from kubetui.sandbox.controllers import base
from kubetui.sandbox.core import Sandbox
from kubetui.sandbox.errors import ApiError

ORPHAN = "orphan"
FOREGROUND = "foregroundDeletion"
_RETRY = 1.0  # seconds; a foreground owner also looks again when a dependent goes


class GarbageCollector(base.Reconciler):
    """Keys: ("owner", key, ns, name) for an owner being deleted with a finalizer, and
    ("dependent", key, ns, name) for an object whose owners may be gone."""

    name = "garbage-collector"

    def __init__(self, sandbox: Sandbox) -> None:
        super().__init__(sandbox)
        self._kinds: dict[tuple[str, str], Kind] = {}
        self._kinds_generation = -1
        sandbox.store.add_listener(self._on_event)
        for key in sandbox.store.resources():
            for obj in sandbox.store.iter(key):
                self.queue_keys(self._keys(key, obj, None, "ADDED"))

    def queue_keys(self, keys: Iterable[Hashable]) -> None:
        for k in keys:
            self.queue.add(k)

    def keys_for(self, ev: Event) -> Iterable[Hashable]:
        return self._keys(ev.key, ev.obj, ev.old, ev.type)

    def _on_event(self, ev: Event) -> None:
        self.queue_keys(self.keys_for(ev))

    def _keys(self, key: ResKey, obj: Obj, old: Obj | None, etype: str) -> list[Hashable]:
        meta = obj["metadata"]
        ns = meta.get("namespace", "") or ""
        keys: list[Hashable] = []
        if etype == "DELETED":
            keys += [("dependent", key_, ns_, name_) for key_, ns_, name_ in
                     self._dependents_of(meta.get("uid", ""))]
            # A foreground owner waiting for this one may now go.
            for ref in meta.get("ownerReferences") or ():
                owner = self._owner(obj, ref)
                if owner is not None and podinfo.is_deleting(owner):
                    keys.append(("owner", self._key_of(owner),
                                 owner["metadata"].get("namespace", "") or "",
                                 owner["metadata"]["name"]))
            return keys
        fins = meta.get("finalizers") or ()
        if meta.get("deletionTimestamp") and (ORPHAN in fins or FOREGROUND in fins):
            keys.append(("owner", key, ns, meta["name"]))
        refs = meta.get("ownerReferences") or ()
        if refs and (etype == "ADDED" or old is None or
                     refs != old["metadata"].get("ownerReferences")):
            if any(self._owner(obj, r) is None for r in refs):
                keys.append(("dependent", key, ns, meta["name"]))
        return keys

    def _dependents_of(self, uid: str) -> list[tuple[ResKey, str, str]]:
        out = []
        for dep in self.store.dependents(uid):
            kind = self._kind_of(dep)
            if kind is not None:
                out.append((self._key_of(dep), dep["metadata"].get("namespace", "") or "",
                            dep["metadata"]["name"]))
        return out

    # ----- kinds --------------------------------------------------------------------------

    def _kind_for(self, kind: str, api_version: str) -> Kind | None:
        registry = self.sandbox.kinds
        if self._kinds_generation != registry.generation or not self._kinds:
            self._kinds = {}
            for k in registry.all():
                self._kinds.setdefault((k.kind, k.group), k)  # core Event before events.k8s.io
            self._kinds_generation = registry.generation
        return self._kinds.get((kind, api_version.rpartition("/")[0]))

    def _kind_of(self, obj: Obj) -> Kind | None:
        return self._kind_for(obj.get("kind", ""), obj.get("apiVersion", ""))

    def _key_of(self, obj: Obj) -> ResKey:
        kind = self._kind_of(obj)
        assert kind is not None
        return ("", "events") if kind.group == "events.k8s.io" else kind.key

    def _owner(self, dependent: Obj, ref: dict) -> Obj | None:
        """The owner a reference names, if it exists with that uid."""
        kind = self._kind_for(ref.get("kind", ""), ref.get("apiVersion", ""))
        if kind is None:
            return None
        ns = (dependent["metadata"].get("namespace", "") or "") if kind.namespaced else ""
        owner = self.store.find(kind.key, ns, ref.get("name", ""))
        if owner is None or owner["metadata"].get("uid") != ref.get("uid"):
            return None
        return owner

    # ----- sync ---------------------------------------------------------------------------

    def sync(self, key: tuple[str, ResKey, str, str]) -> float | None:
        what, res, ns, name = key
        obj = self.store.find(res, ns, name)
        if obj is None:
            return None
        if what == "dependent":
            self._collect(res, obj)
            return None
        return self._finish_owner(res, obj)

    def _collect(self, res: ResKey, obj: Obj) -> None:
        refs = obj["metadata"].get("ownerReferences") or []
        alive = [r for r in refs if self._owner(obj, r) is not None]
        if len(alive) == len(refs) or podinfo.is_deleting(obj):
            return
        if alive:
            new = clone(obj)
            new["metadata"]["ownerReferences"] = alive
            self.store.update(res, new, check_rv=False)
            return
        kind = self._kind_of(obj)
        if kind is not None:
            self._delete(kind, obj, "Background")

    def _finish_owner(self, res: ResKey, owner: Obj) -> float | None:
        meta = owner["metadata"]
        if not meta.get("deletionTimestamp"):
            return None
        fins = list(meta.get("finalizers") or ())
        uid = meta["uid"]
        deps = self.store.dependents(uid)
        if ORPHAN in fins:
            for dep in deps:
                new = clone(dep)
                new["metadata"]["ownerReferences"] = [
                    r for r in dep["metadata"].get("ownerReferences") or ()
                    if r.get("uid") != uid]
                self.store.update(self._key_of(dep), new, check_rv=False)
            self._drop_finalizer(res, owner, ORPHAN)
            return None
        if FOREGROUND not in fins:
            return None
        for dep in deps:
            kind = self._kind_of(dep)
            if kind is not None and not podinfo.is_deleting(dep):
                self._delete(kind, dep, "" if kind.kind == "Pod" else "Foreground")
        if self.store.dependents(uid):
            return _RETRY
        self._drop_finalizer(res, owner, FOREGROUND)
        return None

    def _drop_finalizer(self, res: ResKey, owner: Obj, finalizer: str) -> None:
        new = clone(owner)
        new["metadata"]["finalizers"] = [f for f in owner["metadata"]["finalizers"]
                                         if f != finalizer]
        self.store.update(res, new, check_rv=False)

    def _delete(self, kind: Kind, obj: Obj, propagation: str) -> None:
        try:
            base.delete(self.sandbox, kind, obj, propagation)
        except ApiError as e:
            if e.code != 404:
                raise
