"""`GET /metrics`: the API server's own Prometheus metrics, the request counter first.

`apiserver_request_total` counts every resource request by the labels kube-apiserver
gives it (staging/src/k8s.io/apiserver/pkg/endpoints/metrics/metrics.go): the verb as
CleanVerb names it (LIST and WATCH for collection GETs, APPLY for server-side apply), group,
version, resource, subresource, scope (resource for a named object, else namespace or
cluster), component and the response code; text format 0.0.4.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from kubetui.sandbox.apiserver.routing import Route

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
_LABELS = ("code", "component", "dry_run", "group", "resource", "scope", "subresource",
           "verb", "version")


def clean_verb(method: str, route: Route, watch: bool, content_type: str) -> str:
    if method == "GET" and not route.name:
        return "WATCH" if watch else "LIST"
    if method == "PATCH" and content_type.startswith("application/apply-patch"):
        return "APPLY"
    return method


@dataclass
class RequestCounter:
    counts: Counter[tuple[str, ...]] = field(default_factory=Counter)

    def count(self, route: Route, verb: str, code: int, dry_run: bool) -> None:
        scope = "resource" if route.name else ("namespace" if route.namespace else "cluster")
        labels = {"code": str(code), "component": "apiserver",
                  "dry_run": "All" if dry_run else "", "group": route.kind.group,
                  "resource": route.kind.plural, "scope": scope,
                  "subresource": route.subresource, "verb": verb, "version": route.version}
        self.counts[tuple(labels[k] for k in _LABELS)] += 1

    def text(self) -> str:
        lines = ["# HELP apiserver_request_total [STABLE] Counter of apiserver requests "
                 "broken out for each verb, dry run value, group, version, resource, scope, "
                 "component, and HTTP response code.",
                 "# TYPE apiserver_request_total counter"]
        for values, n in sorted(self.counts.items()):
            inner = ",".join(f'{k}="{v}"' for k, v in zip(_LABELS, values))
            lines.append(f"apiserver_request_total{{{inner}}} {n}")
        return "\n".join(lines) + "\n"
