"""What the main table shows: a kind in a namespace, optionally narrowed to a drill-down's
scope (the pods of a Deployment, of a node, behind a Service...); the tabs; and a view as the
person left it (`ViewState`, the app keeps a stack of them). `kubetui.model.feed` brings the
rows. No Textual here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kubetui.cluster.scope import Scope, pods_of
from kubetui.cluster.store import Entry
from kubetui.kinds import Kind, builtin

POD = builtin("Pod")
JOB = builtin("Job")
SERVICE = builtin("Service")
NAMESPACE = builtin("Namespace")
EVENT = builtin("Event", "")


@dataclass(frozen=True)
class Tab:
    """A kind one key away: the workloads and services an on-call engineer looks at most."""

    key: str
    label: str
    short: str  # for narrow terminals
    kind: Kind


TABS: tuple[Tab, ...] = tuple(
    Tab(str(i), label, short, builtin(kind)) for i, (label, short, kind) in enumerate((
        ("Pods", "Pods", "Pod"), ("Deployments", "Deploy", "Deployment"),
        ("StatefulSets", "STS", "StatefulSet"), ("DaemonSets", "DS", "DaemonSet"),
        ("Jobs", "Jobs", "Job"), ("CronJobs", "CJ", "CronJob"),
        ("Services", "Svc", "Service")), start=1))


@dataclass(frozen=True)
class View:
    kind: Kind
    namespace: str | None  # None: all namespaces (ignored by cluster-scoped kinds)
    crumb: str  # how the breadcrumbs name it
    scope: Scope | None = None
    service: str = ""  # a Service's name: its Endpoints are shown as a note

    @property
    def all_namespaces(self) -> bool:
        return self.kind.namespaced and self.namespace is None


def root_view(kind: Kind, namespace: str | None) -> View:
    where = "" if not kind.namespaced else f"({namespace or 'all'})"
    return View(kind, namespace, f"{kind.title}{where}")


def needs_object(kind: Kind) -> bool:
    """Whether drilling into `kind` needs the full object (a Service's selector)."""
    return kind.key == SERVICE.key


def drill_view(kind: Kind, entry: Entry, namespace: str | None,
               obj: dict[str, Any] | None = None) -> View | None:
    """The view Enter opens on `entry` (a row of `kind`), or None if there is none.
    `namespace` is the current view's; pods are watched with the same scope."""
    what = f"{kind.kind.lower()}/{entry.name}"
    if kind.key == NAMESPACE.key:
        return View(POD, entry.name, f"pods({entry.name})")
    if kind.key == ("", "nodes"):
        return View(POD, None, f"pods on {what}", Scope(node=entry.name))
    if kind.key == ("batch", "cronjobs"):
        return View(JOB, namespace, f"jobs of {what}",
                    Scope(namespace=entry.namespace, owner=entry.uid))
    scope = pods_of(kind, entry.namespace, entry.uid, obj)
    if scope is None:
        return None
    service = entry.name if kind.key == SERVICE.key else ""
    return View(POD, namespace, f"pods of {what}", scope, service)


@dataclass(frozen=True)
class ViewState:
    """A view as the person left it: the app's navigation stack holds these."""

    view: View
    cursor: str | None = None  # uid
    filter: str = ""
    sort: tuple[str, bool] | None = None  # (column, reverse)
