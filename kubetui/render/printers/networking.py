"""networking.k8s.io/v1 (Ingress, IngressClass, NetworkPolicy) and discovery.k8s.io/v1
EndpointSlice."""

from __future__ import annotations

from datetime import datetime

from kubetui.render.model import OK, PENDING, Cell, RowHealth
from kubetui.render.printers.base import AGE, NAME, Printer, age, column, name, spec, status
from kubetui.render.printers.core import load_balancer_addresses
from kubetui.render.text import format_selector, list_with_more

INGRESS = (
    NAME,
    column("Class", description="The name of the IngressClass resource that should be used "
                                "for additional configuration"),
    column("Hosts", description="Hosts that incoming requests are matched against before "
                                "the ingress rule"),
    column("Address", description="Address is a list containing ingress points for the "
                                  "load-balancer"),
    column("Ports", description="Ports of TLS configurations that open"),
    AGE,
)
SHOWN_HOSTS = 3


def render_ingress(ing: dict, now: datetime) -> tuple[list[Cell], RowHealth]:
    ing_spec = spec(ing)
    address = ",".join(load_balancer_addresses(status(ing).get("loadBalancer")))
    cells: list[Cell] = [name(ing), ing_spec.get("ingressClassName") or "<none>",
                         _hosts(ing_spec.get("rules") or []), address,
                         "80, 443" if ing_spec.get("tls") else "80", age(ing, now)]
    return cells, OK if address else PENDING


def _hosts(rules: list[dict]) -> str:
    """formatHosts: the first three hosts, skipping rules without one; if any rule follows
    the third host, " + N more..." where N counts rules, not hosts."""
    hosts: list[str] = []
    for rule in rules:
        if len(hosts) == SHOWN_HOSTS:
            return f"{','.join(hosts)} + {len(rules) - SHOWN_HOSTS} more..."
        if rule.get("host"):
            hosts.append(rule["host"])
    return ",".join(hosts) or "*"


INGRESSCLASS = (
    NAME,
    column("Controller", description="Controller that is responsible for handling this class"),
    column("Parameters", description="A reference to a resource with additional parameters"),
    AGE,
)


def render_ingressclass(ic: dict, now: datetime) -> tuple[list[Cell], RowHealth]:
    params = spec(ic).get("parameters")
    parameters = "<none>"
    if params:
        kind = params.get("kind", "")
        if params.get("apiGroup") is not None:
            kind = f"{kind}.{params['apiGroup']}"
        parameters = f"{kind}/{params.get('name', '')}"
    return [name(ic), spec(ic).get("controller", ""), parameters, age(ic, now)], OK


NETWORKPOLICY = (NAME, column("Pod-Selector"), AGE)


def render_networkpolicy(policy: dict, now: datetime) -> tuple[list[Cell], RowHealth]:
    return [name(policy), format_selector(spec(policy).get("podSelector")),
            age(policy, now)], OK


ENDPOINTSLICE = (NAME, column("AddressType"), column("Ports"), column("Endpoints"), AGE)


def render_endpointslice(eps: dict, now: datetime) -> tuple[list[Cell], RowHealth]:
    ports = [str(p["port"]) if p.get("port") is not None
             else p["name"] if p.get("name") is not None else "*"
             for p in eps.get("ports") or []]
    addresses = [a for e in eps.get("endpoints") or [] for a in e.get("addresses") or []]
    cells: list[Cell] = [name(eps), eps.get("addressType", ""),
                         list_with_more(ports, len(ports)),
                         list_with_more(addresses, len(addresses)), age(eps, now)]
    return cells, OK if addresses else PENDING


PRINTERS = (
    Printer("Ingress", "networking.k8s.io", INGRESS, render_ingress),
    Printer("IngressClass", "networking.k8s.io", INGRESSCLASS, render_ingressclass),
    Printer("NetworkPolicy", "networking.k8s.io", NETWORKPOLICY, render_networkpolicy),
    Printer("EndpointSlice", "discovery.k8s.io", ENDPOINTSLICE, render_endpointslice),
)
