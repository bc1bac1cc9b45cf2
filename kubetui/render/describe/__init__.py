"""`kubectl describe` text, pure: an object, its events and related objects in, text out.

One module per API area, as `kubetui.render.printers`; each has a DESCRIBERS map (kind ->
describer), merged here. Kinds without a describer of their own get kubectl's generic one
(`generic`). What several share is in `common` (header, labels, events...) and
`pod_template` (containers, volumes); `writer` is kubectl's tab-aligned PrefixWriter.

The layout follows kubectl 1.32's describers (staging/src/k8s.io/kubectl/pkg/describe):
the same section order, labels, `<none>`/`<unset>` placeholders, and the same alignment,
because kubectl pushes its text through Go's `text/tabwriter` (min width 0, padding 2,
spaces) and `tabwrite` here is that algorithm: a tab ends a cell, and a column is aligned
over each run of consecutive lines that have a cell in it. Events are flushed separately,
so their table aligns on its own.

Times print as kubectl prints them (RFC 1123 with a numeric zone) in the zone of `now`: pass
`datetime.now().astimezone()` for the user's local time, a UTC `now` in tests.

`related` carries what a describer lists besides the object (the cluster layer fetches it,
see `kubetui.cluster.related`):

- Deployment: "replicasets" (those it controls);
- ReplicaSet, StatefulSet, DaemonSet: "pods" (those it controls);
- Service: "endpoints" (the Endpoints of the same name); Ingress: "services", "endpoints";
- Node: "pods" (its non-terminated pods), "leases" (its kube-node-lease Lease);
- PersistentVolumeClaim: "pods" (those mounting it);
- Namespace: "resourcequotas", "limitranges".

Secrets show the size of each value, never a value (kubectl prints service-account tokens;
kubetui does not).
"""

from __future__ import annotations

from datetime import datetime

from kubetui.render.describe import apps, autoscaling, batch, core, networking
from kubetui.render.describe.generic import describe_generic, smart_label
from kubetui.render.describe.writer import Describer, Related, Writer, tabwrite

__all__ = ["DESCRIBERS", "describe", "smart_label", "tabwrite"]

DESCRIBERS: dict[str, Describer] = {
    kind: describer
    for module in (core, apps, batch, networking, autoscaling)
    for kind, describer in module.DESCRIBERS.items()
}


def describe(kind: str, obj: dict, events: list[dict], related: Related | None,
             now: datetime) -> str:
    """The `kubectl describe` text of `obj` (of kind `kind`, e.g. "Deployment"), with its
    `events` (core/v1 Events about it, in any order) and `related` objects (see the
    module docstring). Kinds without a describer of their own get kubectl's generic one."""
    w = Writer()
    DESCRIBERS.get(kind, describe_generic)(w, obj, events, related or {}, now)
    return w.text()
