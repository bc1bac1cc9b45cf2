"""Every built-in kind kubetui knows: names, API coordinates, scope and capabilities.

Pure data at the bottom of the house. The sandbox's discovery, the cluster layer and the
row renderers all read this table, so nothing has to import upward to learn about a kind.
Kinds the server offers beyond these (CRDs, aggregated APIs) are described at run time
with the same `Kind` dataclass, built from discovery.
"""

from __future__ import annotations

from dataclasses import dataclass, field

#: The verbs a normal read/write resource supports, as discovery lists them.
ALL_VERBS: tuple[str, ...] = (
    "create", "delete", "deletecollection", "get", "list", "patch", "update", "watch",
)
READ_VERBS: tuple[str, ...] = ("get", "list", "watch")
_RBAC = "rbac.authorization.k8s.io"
#: k9s's own aliases, beyond the names the server gives (k9s's default alias table).
K9S_ALIASES: dict[str, tuple[str, str]] = {
    "dp": ("apps", "deployments"), "sec": ("", "secrets"), "jo": ("batch", "jobs"),
    "cr": (_RBAC, "clusterroles"), "crb": (_RBAC, "clusterrolebindings"),
    "ro": (_RBAC, "roles"), "rb": (_RBAC, "rolebindings"),
    "np": ("networking.k8s.io", "networkpolicies"),
}


@dataclass(frozen=True)
class Kind:
    """One resource type as the API serves it, plus what kubetui may do with it."""

    kind: str
    group: str  # "" for the core group
    version: str
    plural: str
    singular: str
    namespaced: bool
    short_names: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    verbs: tuple[str, ...] = ALL_VERBS
    subresources: tuple[str, ...] = ()  # e.g. ("status", "scale", "log")
    # Capabilities, declared once so the UI and the read-only gate agree.
    scalable: bool = False
    restartable: bool = False
    has_logs: bool = False  # pods, and workloads whose pods' logs can be aggregated
    # Other API versions under which the same objects are served (e.g. autoscaling/v1 HPA).
    also_versions: tuple[str, ...] = field(default=())
    # DELETE answers with the deleted object rather than a Status: the registry's
    # `ReturnDeletedObject` (k8s pkg/registry/*/storage), which the OpenAPI spec and so the
    # generated clients' delete return types reflect.
    returns_deleted: bool = False

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def resource(self) -> str:
        """kubectl's fully-qualified resource name: `deployments.apps`, `pods`."""
        return f"{self.plural}.{self.group}" if self.group else self.plural

    @property
    def title(self) -> str:
        """How views name it: the plural, qualified by the group when a core kind has the
        same plural (metrics.k8s.io's `pods` is `pods.metrics.k8s.io`)."""
        core = {k.plural for k in BUILTIN_KINDS if not k.group}
        return self.resource if self.group and self.plural in core else self.plural

    @property
    def key(self) -> tuple[str, str]:
        """(group, plural): the identity of the resource, independent of version."""
        return (self.group, self.plural)

    @property
    def aliases(self) -> tuple[str, ...]:
        """Every name a person may type for this kind, lower-case: the server's names and
        k9s's aliases."""
        names = [self.plural, self.singular, self.kind.lower(), *self.short_names,
                 *(alias for alias, key in K9S_ALIASES.items() if key == self.key)]
        if self.group:
            names.append(self.resource)
        return tuple(dict.fromkeys(n.lower() for n in names))


def _k(kind: str, group: str, version: str, plural: str, namespaced: bool = True,
       short: tuple[str, ...] = (), **kw) -> Kind:
    return Kind(kind=kind, group=group, version=version, plural=plural,
                singular=kind.lower(), namespaced=namespaced, short_names=short, **kw)


_ALL = ("all",)

BUILTIN_KINDS: tuple[Kind, ...] = (
    # core/v1
    _k("Namespace", "", "v1", "namespaces", False, ("ns",),
       verbs=("create", "delete", "get", "list", "patch", "update", "watch"),
       subresources=("status", "finalize")),
    _k("Node", "", "v1", "nodes", False, ("no",), subresources=("status",)),
    _k("Pod", "", "v1", "pods", True, ("po",), categories=_ALL,
       subresources=("status", "log", "eviction", "binding", "exec", "attach", "portforward",
                     "ephemeralcontainers"), has_logs=True, returns_deleted=True),
    _k("Service", "", "v1", "services", True, ("svc",), categories=_ALL,
       verbs=("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"),
       subresources=("status",), has_logs=True, returns_deleted=True),
    _k("Endpoints", "", "v1", "endpoints", True, ("ep",)),
    _k("ConfigMap", "", "v1", "configmaps", True, ("cm",)),
    _k("Secret", "", "v1", "secrets", True),
    _k("ServiceAccount", "", "v1", "serviceaccounts", True, ("sa",), subresources=("token",),
       returns_deleted=True),
    _k("Event", "", "v1", "events", True, ("ev",)),
    _k("PersistentVolume", "", "v1", "persistentvolumes", False, ("pv",),
       subresources=("status",), returns_deleted=True),
    _k("PersistentVolumeClaim", "", "v1", "persistentvolumeclaims", True, ("pvc",),
       subresources=("status",), returns_deleted=True),
    _k("ResourceQuota", "", "v1", "resourcequotas", True, ("quota",), subresources=("status",),
       returns_deleted=True),
    _k("LimitRange", "", "v1", "limitranges", True, ("limits",)),
    _k("ReplicationController", "", "v1", "replicationcontrollers", True, ("rc",),
       categories=_ALL, subresources=("status", "scale"), scalable=True, has_logs=True),
    _k("PodTemplate", "", "v1", "podtemplates", True, returns_deleted=True),
    # apps/v1
    _k("Deployment", "apps", "v1", "deployments", True, ("deploy",), categories=_ALL,
       subresources=("status", "scale"), scalable=True, restartable=True, has_logs=True),
    _k("ReplicaSet", "apps", "v1", "replicasets", True, ("rs",), categories=_ALL,
       subresources=("status", "scale"), scalable=True, has_logs=True),
    _k("StatefulSet", "apps", "v1", "statefulsets", True, ("sts",), categories=_ALL,
       subresources=("status", "scale"), scalable=True, restartable=True, has_logs=True),
    _k("DaemonSet", "apps", "v1", "daemonsets", True, ("ds",), categories=_ALL,
       subresources=("status",), restartable=True, has_logs=True),
    _k("ControllerRevision", "apps", "v1", "controllerrevisions", True),
    # batch/v1
    _k("Job", "batch", "v1", "jobs", True, categories=_ALL, subresources=("status",),
       has_logs=True),
    _k("CronJob", "batch", "v1", "cronjobs", True, ("cj",), categories=_ALL,
       subresources=("status",)),
    # autoscaling
    _k("HorizontalPodAutoscaler", "autoscaling", "v2", "horizontalpodautoscalers", True,
       ("hpa",), categories=_ALL, subresources=("status",), also_versions=("v1",)),
    # networking.k8s.io/v1
    _k("Ingress", "networking.k8s.io", "v1", "ingresses", True, ("ing",),
       subresources=("status",)),
    _k("IngressClass", "networking.k8s.io", "v1", "ingressclasses", False),
    _k("NetworkPolicy", "networking.k8s.io", "v1", "networkpolicies", True, ("netpol",)),
    # discovery.k8s.io/v1
    _k("EndpointSlice", "discovery.k8s.io", "v1", "endpointslices", True),
    # policy/v1
    _k("PodDisruptionBudget", "policy", "v1", "poddisruptionbudgets", True, ("pdb",),
       subresources=("status",)),
    # rbac.authorization.k8s.io/v1
    _k("Role", "rbac.authorization.k8s.io", "v1", "roles", True),
    _k("RoleBinding", "rbac.authorization.k8s.io", "v1", "rolebindings", True),
    _k("ClusterRole", "rbac.authorization.k8s.io", "v1", "clusterroles", False),
    _k("ClusterRoleBinding", "rbac.authorization.k8s.io", "v1", "clusterrolebindings", False),
    # storage.k8s.io/v1
    _k("StorageClass", "storage.k8s.io", "v1", "storageclasses", False, ("sc",),
       returns_deleted=True),
    _k("CSIDriver", "storage.k8s.io", "v1", "csidrivers", False, returns_deleted=True),
    _k("CSINode", "storage.k8s.io", "v1", "csinodes", False, returns_deleted=True),
    _k("CSIStorageCapacity", "storage.k8s.io", "v1", "csistoragecapacities", True),
    _k("VolumeAttachment", "storage.k8s.io", "v1", "volumeattachments", False,
       subresources=("status",), returns_deleted=True),
    # coordination.k8s.io/v1: leader election and node heartbeats
    _k("Lease", "coordination.k8s.io", "v1", "leases", True),
    # scheduling.k8s.io/v1, node.k8s.io/v1
    _k("PriorityClass", "scheduling.k8s.io", "v1", "priorityclasses", False, ("pc",)),
    _k("RuntimeClass", "node.k8s.io", "v1", "runtimeclasses", False),
    # certificates.k8s.io/v1
    _k("CertificateSigningRequest", "certificates.k8s.io", "v1", "certificatesigningrequests",
       False, ("csr",), subresources=("status", "approval")),
    # admissionregistration.k8s.io/v1: stored only, the sandbox calls no webhook
    _k("MutatingWebhookConfiguration", "admissionregistration.k8s.io", "v1",
       "mutatingwebhookconfigurations", False),
    _k("ValidatingWebhookConfiguration", "admissionregistration.k8s.io", "v1",
       "validatingwebhookconfigurations", False),
    _k("ValidatingAdmissionPolicy", "admissionregistration.k8s.io", "v1",
       "validatingadmissionpolicies", False, subresources=("status",)),
    _k("ValidatingAdmissionPolicyBinding", "admissionregistration.k8s.io", "v1",
       "validatingadmissionpolicybindings", False),
    # apiregistration.k8s.io/v1: the local APIServices a cluster lists; stored only
    _k("APIService", "apiregistration.k8s.io", "v1", "apiservices", False,
       subresources=("status",)),
    # flowcontrol.apiserver.k8s.io/v1: API priority and fairness; stored only
    _k("FlowSchema", "flowcontrol.apiserver.k8s.io", "v1", "flowschemas", False,
       subresources=("status",)),
    _k("PriorityLevelConfiguration", "flowcontrol.apiserver.k8s.io", "v1",
       "prioritylevelconfigurations", False, subresources=("status",)),
    # apiextensions.k8s.io/v1
    _k("CustomResourceDefinition", "apiextensions.k8s.io", "v1", "customresourcedefinitions",
       False, ("crd", "crds"), subresources=("status",)),
    # authorization.k8s.io/v1: create-only reviews
    _k("SelfSubjectAccessReview", "authorization.k8s.io", "v1", "selfsubjectaccessreviews",
       False, verbs=("create",)),
    _k("SelfSubjectRulesReview", "authorization.k8s.io", "v1", "selfsubjectrulesreviews",
       False, verbs=("create",)),
    _k("SubjectAccessReview", "authorization.k8s.io", "v1", "subjectaccessreviews",
       False, verbs=("create",)),
    _k("LocalSubjectAccessReview", "authorization.k8s.io", "v1", "localsubjectaccessreviews",
       True, verbs=("create",)),
    # authentication.k8s.io/v1: create-only reviews (`kubectl auth whoami`)
    _k("TokenReview", "authentication.k8s.io", "v1", "tokenreviews", False, verbs=("create",)),
    _k("SelfSubjectReview", "authentication.k8s.io", "v1", "selfsubjectreviews", False,
       verbs=("create",)),
    # events.k8s.io/v1: the same events, newer schema
    _k("Event", "events.k8s.io", "v1", "events", True, ("ev",)),
)

#: metrics.k8s.io/v1beta1 as metrics-server serves it: read-only, computed on each request
#: (the sandbox simulates it; `kubectl top` reads it).
METRICS_KINDS: tuple[Kind, ...] = (
    _k("PodMetrics", "metrics.k8s.io", "v1beta1", "pods", True, verbs=("get", "list")),
    _k("NodeMetrics", "metrics.k8s.io", "v1beta1", "nodes", False, verbs=("get", "list")),
)

#: Kinds that are served but are not lists a person browses.
_NOT_BROWSABLE = {("events.k8s.io", "events")}


def builtin(kind: str, group: str | None = None) -> Kind:
    """The built-in Kind named `kind` (e.g. "Deployment"); core group preferred for Event."""
    for k in BUILTIN_KINDS:
        if k.kind == kind and (group is None or k.group == group):
            return k
    raise KeyError(kind)


def by_key(group: str, plural: str) -> Kind | None:
    for k in BUILTIN_KINDS:
        if k.key == (group, plural):
            return k
    return None


def browsable(kinds: tuple[Kind, ...] | list[Kind] = BUILTIN_KINDS) -> list[Kind]:
    return [k for k in kinds if k.key not in _NOT_BROWSABLE and "list" in k.verbs]


def resolve(name: str, kinds: tuple[Kind, ...] | list[Kind] = BUILTIN_KINDS) -> Kind | None:
    """Find a kind by anything kubectl accepts: plural, singular, kind, short name,
    `plural.group` or `kind.group`. Earlier entries win (core before events.k8s.io)."""
    needle = name.strip().lower()
    for k in kinds:
        if needle in k.aliases:
            return k
    for k in kinds:  # kind.group, plural.version.group
        if k.group and needle in (f"{k.kind.lower()}.{k.group}",
                                  f"{k.plural}.{k.version}.{k.group}"):
            return k
    return None
