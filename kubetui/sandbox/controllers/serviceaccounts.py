"""What every namespace of a real cluster holds: a `default` ServiceAccount and the
`kube-root-ca.crt` ConfigMap.

Two loops of kube-controller-manager: the service account controller
(pkg/controller/serviceaccount/serviceaccounts_controller.go) creates the `default`
ServiceAccount in each active namespace and again if it is deleted; the root CA
certificate publisher (pkg/controller/certificates/rootcacertpublisher/publisher.go) keeps
a ConfigMap with the API server's CA bundle under `ca.crt` in each namespace, restoring it
when it is changed or deleted. Client test suites wait for both before they start.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable

from kubetui.kinds import builtin
from kubetui.sandbox.apiserver.store import NAMESPACES, Event, clone
from kubetui.sandbox.controllers.base import Reconciler, create
from kubetui.sandbox.errors import ApiError
from kubetui.sandbox.podinfo import is_deleting

SA_KIND = builtin("ServiceAccount")
CM_KIND = builtin("ConfigMap")
DEFAULT_SA = "default"
ROOT_CA = "kube-root-ca.crt"
#: The publisher's annotation, word for word.
DESCRIPTION = ("Contains a CA bundle that can be used to verify the kube-apiserver when using "
               "internal endpoints such as the internal service IP or kubernetes.default.svc. "
               "No other usage is guaranteed across distributions of Kubernetes clusters.")


class _NoServerYet(Exception):
    pass


class ServiceAccountsController(Reconciler):
    """Keys are namespace names; a sync makes both objects right in that namespace."""

    name = "serviceaccount-controller"
    watched = (NAMESPACES, SA_KIND.key, CM_KIND.key)

    def keys_for(self, ev: Event) -> Iterable[Hashable]:
        meta = ev.obj["metadata"]
        if ev.key == NAMESPACES:
            return () if ev.type == "DELETED" else (meta["name"],)
        if meta.get("name") in (DEFAULT_SA, ROOT_CA):
            return (meta.get("namespace", ""),)
        return ()

    def sync(self, key: Hashable) -> float | None:
        ns = self.store.find(NAMESPACES, "", str(key))
        if ns is None or is_deleting(ns):
            return None
        try:
            self._default_service_account(str(key))
            self._root_ca(str(key))
        except ApiError:  # the namespace went away meanwhile, or a race: look again
            return 0.5
        except _NoServerYet:  # the CA exists once the API server serves
            return 0.1
        return None

    def _default_service_account(self, ns: str) -> None:
        if self.store.find(SA_KIND.key, ns, DEFAULT_SA) is None:
            create(self.sandbox, SA_KIND, {"apiVersion": "v1", "kind": "ServiceAccount",
                                           "metadata": {"name": DEFAULT_SA, "namespace": ns}})

    def _root_ca(self, ns: str) -> None:
        pem = self.sandbox.ca_pem.decode()
        if not pem:
            raise _NoServerYet()
        data = {"ca.crt": pem}
        current = self.store.find(CM_KIND.key, ns, ROOT_CA)
        if current is None:
            create(self.sandbox, CM_KIND, {
                "apiVersion": "v1", "kind": "ConfigMap",
                "metadata": {"name": ROOT_CA, "namespace": ns,
                             "annotations": {"kubernetes.io/description": DESCRIPTION}},
                "data": data})
        elif current.get("data") != data or current.get("binaryData"):
            fixed = clone(current)
            fixed["data"] = data
            fixed.pop("binaryData", None)
            fixed["metadata"].setdefault("annotations", {})[
                "kubernetes.io/description"] = DESCRIPTION
            self.store.update(CM_KIND.key, fixed, check_rv=False)
