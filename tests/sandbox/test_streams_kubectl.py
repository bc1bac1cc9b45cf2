"""Getting inside the sandbox's workloads with the real kubectl: exec, attach, cp,
port-forward and debug containers, judged by what kubectl prints and what the containers
hold afterwards; and the same refused under `--rbac readonly`."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import pytest

from kubetui.sandbox.core import Faults
from tests.sandbox.streaming import (PODS, PtyProcess, cluster, create, http_get,
                                     kubectl_args, port_forward, read_until_closed, running_pod,
                                     shell_session, web_pod)
from tests.waiting import wait_for

pytestmark = pytest.mark.asyncio


@pytest.fixture
async def running(isolated_home: Path, monkeypatch: pytest.MonkeyPatch):
    async with cluster(isolated_home, monkeypatch) as r:
        yield r


@pytest.fixture
def cache(tmp_path: Path, kubectl: Callable) -> Path:
    """kubectl's --cache-dir for clients started here (skips without kubectl)."""
    return tmp_path / "kubectl-cache"


async def test_exec_runs_commands_and_returns_exit_codes(running, kubectl) -> None:
    await running_pod(running, web_pod("web"))
    out = await kubectl("exec", "web", "--", "hostname")
    assert out.stdout == "web\n"
    res = await kubectl("exec", "web", "--", "sh", "-c", "echo to-err >&2; exit 3",
                        check=False)
    assert res.returncode == 3
    assert "to-err" in res.stderr and "command terminated with exit code 3" in res.stderr
    res = await kubectl("exec", "web", "--", "nosuch", check=False)
    assert res.returncode == 1 and 'exec: "nosuch": executable file not found in $PATH' \
        in res.stderr
    assert not running.server.unmatched


async def test_exec_passes_stdin(running, kubectl) -> None:
    await running_pod(running, web_pod("web"))
    out = await kubectl("exec", "-i", "web", "--", "sh", "-c", "wc -l; cat /etc/hostname",
                        input="one\ntwo\nthree\n")
    assert out.stdout.split() == ["3", "web"]


async def test_exec_it_shell_under_a_terminal(running, cache) -> None:
    await running_pod(running, web_pod("web"))
    term = PtyProcess(kubectl_args(cache, "exec", "-it", "web", "--", "bash"))
    try:
        await term.expect(r"root@web:/# ")
        term.type("cd /etc && ech\x7fho typed-here | wc -c\r")
        await term.expect(r"\r\n11\r\n")
        await term.expect(r"root@web:/etc# ")
        term.type("nosuch\r")
        await term.expect(r"bash: nosuch: command not found")
        term.type("exit 5\r")
        assert await term.exit_code() == 5
    finally:
        term.close()


async def test_cp_both_ways(running, kubectl, tmp_path: Path) -> None:
    await running_pod(running, web_pod("web"))
    local = tmp_path / "notes.txt"
    local.write_text("from the laptop\n")
    await kubectl("cp", str(local), "web:/tmp/notes.txt")
    inst = running.sandbox.containers.instance("default", "web")
    assert inst.fs.read("/tmp/notes.txt") == b"from the laptop\n"
    await kubectl("exec", "web", "--", "sh", "-c", "mkdir -p /srv/out && "
                  "echo report > /srv/out/r.txt")
    await kubectl("cp", "web:/srv/out", str(tmp_path / "copied"))
    assert (tmp_path / "copied" / "r.txt").read_text() == "report\n"


async def test_port_forward_to_pod_service_and_deployment(running, cache) -> None:
    create(running, "Service", {"apiVersion": "v1", "kind": "Service",
                                "metadata": {"name": "web"},
                                "spec": {"selector": {"app": "web"},
                                         "ports": [{"port": 8080, "targetPort": "http"}]}})
    from kubetui.kinds import builtin
    from kubetui.sandbox.apiserver import verbs
    verbs.create(running.sandbox, builtin("Deployment"), "default", {
        "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
        "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "web"}},
                 "template": {"metadata": {"labels": {"app": "web"}},
                              "spec": web_pod()["spec"]}}}, "v1")

    def ready_pod() -> str | None:
        for p in running.sandbox.store.list(PODS, "default")[0]:
            if any(c["type"] == "Ready" and c["status"] == "True"
                   for c in p.get("status", {}).get("conditions") or []):
                return p["metadata"]["name"]
        return None

    pod = await wait_for(ready_pod, timeout=20)
    for target, remote in ((f"pod/{pod}", 80), ("svc/web", 8080), ("deploy/web", 80)):
        async with port_forward(cache, target, remote) as ([port], proc):
            status, body = await http_get(port, "/")
            assert status == 200 and f"default/{pod}" in body, (target, body)
            # several connections at once through one forward
            results = await asyncio.gather(*(http_get(port, "/healthz") for _ in range(4)))
            assert results == [(200, "ok\n")] * 4
    logs = [ln.text for ln in running.sandbox.logs.lines(("default", pod, "main"))]
    assert sum('"GET /healthz HTTP/1.1" 200' in ln for ln in logs) == 12


async def test_port_forward_several_ports_at_once(running, cache) -> None:
    await running_pod(running, web_pod("web", ports=[{"name": "http", "containerPort": 80},
                                                     {"name": "metrics",
                                                      "containerPort": 9090}]))
    async with port_forward(cache, "pod/web", 80, 9090) as ([web, metrics], _):
        (s1, body), (s2, text) = await asyncio.gather(http_get(web, "/"),
                                                      http_get(metrics, "/metrics"))
        assert (s1, s2) == (200, 200)
        assert "default/web" in body and "http_requests_total" in text


async def test_port_forward_closes_the_local_connection_when_the_pod_closes(running,
                                                                          cache) -> None:
    """An answer that ends with the server closing (HTTP/1.0) ends for the local client
    too, whether or not it stopped sending first (kubectl half-closes its data stream)."""
    await running_pod(running, web_pod("web"))
    async with port_forward(cache, "pod/web", 80) as ([port], proc):
        for half_close in (False, True):
            answer = await read_until_closed(port, b"GET / HTTP/1.0\r\nHost: web\r\n\r\n",
                                             half_close)
            head, _, body = answer.partition(b"\r\n\r\n")
            assert head.startswith(b"HTTP/1.0 200 ") and body.startswith(
                b"Hello from default/web"), (half_close, answer)
        # a keep-alive answer after a half-close: the app is not told (as under
        # containerd), and its connection is closed a grace period later
        answer = await read_until_closed(port, b"GET /healthz HTTP/1.1\r\nHost: web\r\n\r\n",
                                         half_close=True)
        assert answer.startswith(b"HTTP/1.1 200 ") and answer.endswith(b"\r\n\r\nok\n")
        assert proc.returncode is None  # the forward goes on


async def test_port_forward_to_a_closed_port_reports_the_refusal(running, cache) -> None:
    await running_pod(running, web_pod("web"))
    async with port_forward(cache, "pod/web", 5432) as ([port], proc):
        with pytest.raises((ConnectionError, ValueError, IndexError, asyncio.IncompleteReadError)):
            await http_get(port, "/")
        assert proc.stderr is not None
        err = (await asyncio.wait_for(proc.stderr.read(), 20)).decode()
        assert "connection refused" in err
        assert await asyncio.wait_for(proc.wait(), 20) != 0


async def test_debug_container_for_a_distroless_pod(running, kubectl, cache) -> None:
    await running_pod(running, web_pod("app", image="gcr.io/distroless/static:nonroot"))
    res = await kubectl("exec", "app", "--", "sh", check=False)
    assert res.returncode != 0 and 'exec: "sh": executable file not found' in res.stderr
    await shell_session(kubectl_args(cache, "debug", "app", "-it", "--image=busybox",
                                     "--profile=general"),
                        "hostname; cat /etc/hostname", r"app\r\napp\r\n")
    pod = running.sandbox.store.find(PODS, "default", "app")
    [debugger] = pod["spec"]["ephemeralContainers"]
    assert debugger["image"] == "busybox"

    def terminated() -> bool:
        p = running.sandbox.store.find(PODS, "default", "app")
        [st] = p["status"]["ephemeralContainerStatuses"]
        return "terminated" in st["state"]

    await wait_for(terminated, message="the debug container ended with its shell")
    assert not running.server.unmatched


async def test_attach_to_a_running_interactive_container(running, cache) -> None:
    await running_pod(running, web_pod("shell", image="busybox:1.36", stdin=True, tty=True,
                                       command=["sh"]))
    term = PtyProcess(kubectl_args(cache, "attach", "-it", "shell"))
    try:
        await term.expect("If you don't see a command prompt")
        term.type("\r")
        await term.expect(r"/ # ")
        term.type("echo attached-$HOSTNAME\r")
        await term.expect(r"attached-shell\r\n")
    finally:
        term.close()


async def test_readonly_rbac_refuses_every_way_in(isolated_home, monkeypatch, kubectl,
                                                  cache, tmp_path: Path) -> None:
    async with cluster(isolated_home, monkeypatch,
                       faults=Faults(rbac="readonly")) as running:
        await running_pod(running, web_pod("web"))
        local = tmp_path / "f.txt"
        local.write_text("x")
        for args, resource in (
                (("exec", "web", "--", "hostname"), "pods/exec"),
                (("attach", "web"), "pods/attach"),
                (("cp", str(local), "web:/tmp/f.txt"), "pods/exec"),
                (("port-forward", "pod/web", ":80"), "pods/portforward"),
                (("debug", "web", "--image=busybox", "--profile=general"),
                 "pods/ephemeralcontainers")):
            res = await kubectl(*args, check=False, timeout=30)
            assert res.returncode != 0, args
            assert "forbidden" in res.stderr.lower() and resource in res.stderr, \
                (args, res.stderr)
        assert running.server.mutating_requests() == [] or all(
            r.status == 403 for r in running.server.mutating_requests())


async def test_dropped_streams_end_the_clients(running, cache) -> None:
    await running_pod(running, web_pod("web"))
    async with port_forward(cache, "pod/web", 80) as ([port], proc):
        assert (await http_get(port))[0] == 200
        assert running.server.streams.drop_all() == 1
        assert await asyncio.wait_for(proc.wait(), 20) != 0
        assert proc.stderr is not None
        assert "lost connection to pod" in (await proc.stderr.read()).decode()
    term = PtyProcess(kubectl_args(cache, "exec", "-it", "web", "--", "sh"))
    try:
        await term.expect(r"/ # ")
        running.sandbox.faults.drop_streams_every = 0.2
        assert await term.exit_code() != 0
    finally:
        running.sandbox.faults.drop_streams_every = 0
        term.close()


async def test_unknown_paths_answer_404_with_details(running, kubectl) -> None:
    from tests.sandbox.conftest import raw_api

    async with raw_api(running) as api:
        code, body = await api.call("GET", "/api/v1/namespaces/default/nosuchthings")
    assert code == 404 and body["reason"] == "NotFound" and body["details"] == {}
    res = await kubectl("get", "--raw", "/api/v1/namespaces/default/nosuchthings",
                        check=False)
    assert res.returncode == 1
    assert "the server could not find the requested resource" in res.stderr
    assert "panic" not in res.stderr


async def test_the_demo_has_ways_in(shared_demo, kubectl, cache) -> None:
    def ready(prefix: str, ns: str) -> bool:
        return any(p["metadata"]["name"].startswith(prefix) and any(
            c["type"] == "Ready" and c["status"] == "True"
            for c in p.get("status", {}).get("conditions") or [])
            for p in shared_demo.read(lambda sb: sb.store.list(PODS, ns)[0]))

    await wait_for(lambda: ready("frontend-", "shop") and
                   ready("fraud-scorer-", "payments"), timeout=30)
    conf = await kubectl("exec", "-n", "shop", "deploy/frontend", "--", "cat",
                         "/etc/nginx/conf.d/default.conf")
    assert "proxy_pass http://api:8080/" in conf.stdout
    res = await kubectl("exec", "-n", "payments", "deploy/fraud-scorer", "--", "sh",
                        check=False)
    assert res.returncode != 0 and "executable file not found" in res.stderr
    async with port_forward(cache, "svc/frontend", 80, namespace="shop") as ([port], _):
        status, body = await http_get(port)
        assert status == 200 and "shop/frontend-" in body


async def test_debug_copy_to_and_node(running, cache) -> None:
    await running_pod(running, web_pod("app", image="gcr.io/distroless/static:nonroot"))
    for args, pod_prefix, host in (
            (("debug", "app", "-it", "--image=busybox", "--copy-to=app-debug",
              "--profile=general"), "app-debug", "app-debug"),
            (("debug", "node/node-1", "-it", "--image=busybox", "--profile=general"),
             "node-debugger-node-1-", "node-1")):  # on the host network: the node's name
        await shell_session(kubectl_args(cache, *args), "echo in-$HOSTNAME",
                            rf"in-{host}\r\n")
        pods = [p["metadata"]["name"] for p in running.sandbox.store.list(PODS, "default")[0]]
        assert any(n.startswith(pod_prefix) for n in pods), pods
    assert not running.server.unmatched


async def test_attach_without_stdin_follows_the_containers_output(running, kubectl,
                                                                  cache) -> None:
    await running_pod(running, web_pod("web"))
    proc = await asyncio.create_subprocess_exec(
        *kubectl_args(cache, "attach", "web"), stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE)
    try:
        await wait_for(lambda: any(s.kind == "attach"
                                   for s in running.server.streams.sessions.open))
        await kubectl("exec", "web", "--", "curl", "-s", "-A", "probe-from-inside",
                      "localhost/healthz")
        assert proc.stdout is not None
        while b"probe-from-inside" not in (line := await asyncio.wait_for(
                proc.stdout.readline(), 20)):
            assert line, "kubectl attach ended"
        assert b'"GET /healthz HTTP/1.1" 200' in line
    finally:
        proc.terminate()
        await proc.wait()


async def test_a_container_that_stops_ends_the_exec_sessions_in_it(running, kubectl) -> None:
    await running_pod(running, web_pod("web"))
    session = asyncio.create_task(kubectl("exec", "web", "--", "sleep", "600", check=False))
    await wait_for(lambda: any("sleep 600" in p.command for p in
                               running.sandbox.containers.instance("default", "web")
                               .procs.list()))
    from kubetui.kinds import builtin
    from kubetui.sandbox.apiserver import verbs
    verbs.delete(running.sandbox, builtin("Pod"), "default", "web")
    res = await asyncio.wait_for(session, 20)
    assert res.returncode == 137 and "command terminated with exit code 137" in res.stderr
