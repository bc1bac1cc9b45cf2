"""Describers of networking.k8s.io/v1 kinds: Ingress."""

from __future__ import annotations

from datetime import datetime

from kubetui.render.describe.common import write_annotations, write_events, write_labels
from kubetui.render.describe.writer import Describer, Related, Writer
from kubetui.render.printers import base
from kubetui.render.printers.core import endpoints_text, load_balancer_addresses
from kubetui.render.text import dig


def _describe_ingress(w: Writer, ing: dict, events: list[dict], related: Related,
                      now: datetime) -> None:
    meta, spec = base.meta(ing), base.spec(ing)
    services = {base.meta(s).get("name"): s for s in related.get("services") or []}
    endpoints = {base.meta(e).get("name"): e for e in related.get("endpoints") or []}

    def backend_text(backend: dict) -> str:
        if (service := backend.get("service")) is not None:
            port = service.get("port") or {}
            port_text = port.get("number") or port.get("name", "")
            text = f"{service.get('name', '')}:{port_text}"
            svc = services.get(service.get("name"))
            ep = endpoints.get(service.get("name"))
            if svc is None or ep is None:
                missing = "services" if svc is None else "endpoints"
                return f'{text} (<error: {missing} "{service.get("name", "")}" not found>)'
            port_name = next((p.get("name", "") for p in base.spec(svc).get("ports") or []
                              if (port.get("number") and p.get("port") == port["number"])
                              or (port.get("name") and p.get("name") == port["name"])), "")
            return f"{text} ({endpoints_text(ep, port_name)})"
        if (resource := backend.get("resource")) is not None:
            return (f"APIGroup: {resource.get('apiGroup') or '<none>'}, "
                    f"Kind: {resource.get('kind', '')}, Name: {resource.get('name', '')}")
        return ""

    w.write(0, f"Name:\t{meta.get('name', '')}\n")
    write_labels(w, "Labels", meta.get("labels"))
    w.write(0, f"Namespace:\t{meta.get('namespace', '')}\n")
    address = ",".join(load_balancer_addresses(dig(ing, "status", "loadBalancer")))
    w.write(0, f"Address:\t{address}\n")
    w.write(0, f"Ingress Class:\t{spec.get('ingressClassName') or '<none>'}\n")
    default = spec.get("defaultBackend")
    default_text = backend_text(default) if default else "<default>"
    w.write(0, f"Default backend:\t{default_text}\n")
    if tls := spec.get("tls"):
        w.write(0, "TLS:\n")
        for entry in tls:
            hosts = ",".join(entry.get("hosts") or [])
            if entry.get("secretName"):
                w.write(1, f"{entry['secretName']} terminates {hosts}\n")
            else:
                w.write(1, f"SNI routes {hosts}\n")
    w.write(0, "Rules:\n  Host\tPath\tBackends\n")
    w.write(1, "----\t----\t--------\n")
    rules = [r for r in spec.get("rules") or [] if r.get("http") is not None]
    for rule in rules:
        w.write(1, f"{rule.get('host') or '*'}\t\n")
        for path in rule["http"].get("paths") or []:
            w.write(2, f"\t{path.get('path', '')} \t{backend_text(path.get('backend') or {})}\n")
    if not rules:
        w.write(1, f"*\t*\t{default_text}\n")
    write_annotations(w, "Annotations", meta.get("annotations"))
    write_events(w, events, now)


DESCRIBERS: dict[str, Describer] = {
    "Ingress": _describe_ingress,
}
