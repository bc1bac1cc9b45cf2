"""The pure pieces behind the shell and port-forward keys (no cluster): the ports typed in
the dialog, the `:pf` rows, a pod's containers and the default one, and what the access
review asks for each action."""

from __future__ import annotations

from kubetui.cluster.actions import Access, Ref
from kubetui.cluster.portforward import (ACTIVE, FAILED, RECONNECTING, Forward, PortChoice,
                                         Target)
from kubetui.kinds import builtin
from kubetui.model.actions import needs
from kubetui.model.containers import default_container, not_running, pod_containers
from kubetui.model.portforwards import forward_rows, parse_address, parse_ports, summary

POD, SERVICE = builtin("Pod"), builtin("Service")
OFFERED = [PortChoice(80, "http", "8080"), PortChoice(9090, "metrics", "9090")]


def test_ports_typed_as_kubectl_takes_them() -> None:
    assert parse_ports("8080:80, 9090", OFFERED) == [(8080, 80), (9090, 9090)]
    assert parse_ports("0:80", OFFERED) == [(0, 80)]  # 0: a free port
    assert parse_ports("8080:81", OFFERED) == "81 is not a port of the target (it offers " \
                                              "80, 9090)"
    assert parse_ports("8080:80 8080:9090", OFFERED) == "local port 8080 is given twice"
    assert parse_ports("x:80", OFFERED) == "'x:80' is not LOCAL:REMOTE (two port numbers)"
    assert parse_ports("70000:80", OFFERED).startswith("'70000:80': ports go from 1")
    assert parse_ports(" ", OFFERED) == "type at least one LOCAL:REMOTE pair"
    assert parse_ports("5000:5432", []) == [(5000, 5432)]  # nothing declared: any port


def test_bind_addresses() -> None:
    assert parse_address("localhost") == "127.0.0.1"
    assert parse_address(" 0.0.0.0 ") == "0.0.0.0"
    assert parse_address("::1") == "::1"
    assert parse_address("example.com") is None


def test_pf_rows_say_the_state_in_words() -> None:
    target = Target(SERVICE, "shop", "web")
    moved = Forward(target, 80, "127.0.0.1", 8080, state=ACTIVE, pod="web-b", pod_port=8080,
                    moves=["web-a -> web-b"], open_connections=1, connections=3,
                    bytes_in=2048, bytes_out=100, since=1000.0)
    waiting = Forward(Target(POD, "shop", "solo"), 5432, "::1", 5432, state=RECONNECTING,
                      reason="pod solo is gone; waiting for it to return", since=1000.0)
    refused = Forward(target, 80, "127.0.0.1", 8081, state=FAILED, reason="Forbidden: no",
                      since=1000.0)
    rows = [r.cells for r in forward_rows([moved, waiting, refused], now=1075.0)]
    assert rows[0] == ("127.0.0.1:8080", "shop/service/web:80", "web-b:8080",
                       "active, moved web-a -> web-b", "1/3", "2.0 KiB", "100 Bytes", "75s")
    assert rows[1][:4] == ("[::1]:5432", "shop/pod/solo:5432", "",
                           "reconnecting: pod solo is gone; waiting for it to return")
    assert rows[2][3] == "failed: Forbidden: no"
    assert (summary(0), summary(1), summary(2)) == ("", "1 port-forward", "2 port-forwards")


def test_containers_the_default_one_and_why_one_cannot_be_entered() -> None:
    pod = {"metadata": {"name": "p", "annotations": {
               "kubectl.kubernetes.io/default-container": "side"}},
           "spec": {"containers": [{"name": "app", "image": "a"},
                                   {"name": "side", "image": "s", "stdin": True}],
                    "ephemeralContainers": [{"name": "debugger-x", "image": "busybox"}]},
           "status": {"containerStatuses": [
               {"name": "app", "state": {"running": {}}},
               {"name": "side", "state": {"waiting": {"reason": "CrashLoopBackOff"}}}]}}
    containers = pod_containers(pod)
    assert [(c.name, c.role, c.state) for c in containers] == [
        ("app", "", "running"), ("side", "", "waiting: CrashLoopBackOff"),
        ("debugger-x", "ephemeral", "not started")]
    assert default_container(pod, containers) == 1
    assert not_running(pod, containers[0]) is None
    assert not_running(pod, containers[1]) == \
        "container side of pod p is not running (waiting: CrashLoopBackOff)"


def test_the_access_review_asks_for_the_streams_on_pods() -> None:
    pod, service = Ref(POD, "ns", "p"), Ref(SERVICE, "ns", "web")
    assert needs("shell", [pod]) == [Access("create", POD, "ns", "p", "exec")]
    assert needs("attach", [pod]) == [Access("create", POD, "ns", "p", "attach")]
    assert needs("debug", [pod]) == [Access("patch", POD, "ns", "p", "ephemeralcontainers"),
                                     Access("create", POD, "ns", "p", "attach")]
    assert needs("port_forward", [service]) == [
        Access("get", SERVICE, "ns", "web"), Access("create", POD, "ns", "", "portforward")]
