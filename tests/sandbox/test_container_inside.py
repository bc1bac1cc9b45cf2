"""The inside of a simulated container, through the runtime the API server's exec uses:
the shell's grammar and messages, the utilities, the filesystem the pod spec makes, the
pod network and the terminal's line discipline."""

from __future__ import annotations

import asyncio
import base64
from typing import Any

import pytest

from kubetui.sandbox.container.pipe import Empty, Pipe
from kubetui.sandbox.container.runtime import ContainerRuntime, ExecNotFound, Instance
from kubetui.sandbox.container.tty import Terminal
from kubetui.sandbox.core import Sandbox

pytestmark = pytest.mark.asyncio
PODS, CONFIGMAPS = ("", "pods"), ("", "configmaps")


def _running(name: str, containers: list[dict], ip: str, ready: bool = True,
             restarts: int = 0, **spec: Any) -> dict:
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name, "namespace": "default", "uid": f"uid-{name}",
                         "labels": {"app": name}},
            "spec": {"containers": containers, **spec},
            "status": {"phase": "Running", "podIP": ip,
                       "conditions": [{"type": "Ready", "status": str(ready)}],
                       "containerStatuses": [
                           {"name": c["name"], "ready": ready, "restartCount": restarts,
                            "state": {"running": {}}} for c in containers]}}


@pytest.fixture
def sb() -> Sandbox:
    sb = Sandbox.create()
    sb.store.create(CONFIGMAPS, {"apiVersion": "v1", "kind": "ConfigMap",
                                 "metadata": {"name": "cfg", "namespace": "default"},
                                 "data": {"app.conf": "level=info\n"}})
    sb.store.create(("", "secrets"), {"apiVersion": "v1", "kind": "Secret",
                                      "metadata": {"name": "db", "namespace": "default"},
                                      "data": {"password": base64.b64encode(b"s3cret").decode()}})
    mounts = [{"name": "cfg", "mountPath": "/etc/app"}, {"name": "scratch", "mountPath": "/data"}]
    sb.store.create(PODS, _running("web", [
        {"name": "main", "image": "nginx:1.27", "ports": [{"name": "http", "containerPort": 80}],
         "env": [{"name": "DB_PASSWORD", "valueFrom": {"secretKeyRef": {"name": "db",
                                                                        "key": "password"}}},
                 {"name": "POD", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}}],
         "envFrom": [{"configMapRef": {"name": "cfg"}, "prefix": "CFG_"}],
         "volumeMounts": mounts},
        {"name": "sidecar", "image": "busybox:1.36", "volumeMounts": mounts[1:]}],
        "10.88.0.7", volumes=[{"name": "cfg", "configMap": {"name": "cfg"}},
                              {"name": "scratch", "emptyDir": {}}]), namespaced=True)
    sb.store.create(("", "services"), {
        "apiVersion": "v1", "kind": "Service", "metadata": {"name": "web", "namespace": "default"},
        "spec": {"clusterIP": "10.96.5.5", "selector": {"app": "web"},
                 "ports": [{"port": 8080, "targetPort": "http"}]}}, namespaced=True)
    return sb


def inst(sb: Sandbox, container: str = "main", pod: str = "web") -> Instance:
    return sb.containers.instance("default", pod, container)


async def sh(i: Instance, script: str, shell: str = "sh", stdin: bytes | None = None
             ) -> tuple[str, str, int]:
    out, err = bytearray(), bytearray()
    code = await i.exec([shell, "-c", script],
                        Pipe(stdin, closed=True) if stdin is not None else Empty(),
                        out.extend, err.extend)
    return out.decode(), err.decode(), code


async def test_shell_grammar(sb: Sandbox) -> None:
    i = inst(sb)
    assert await sh(i, "echo 'a  b' \"$POD\" | wc -w && false || echo fallback; echo $?") == \
        ("3\nfallback\n0\n", "", 0)
    assert await sh(i, "cd /tmp; echo x > f; echo y >> f; cat < f; pwd") == \
        ("x\ny\n/tmp\n", "", 0)
    assert await sh(i, "ls /nope 2>&1 | grep -c 'No such'") == ("1\n", "", 0)
    assert await sh(i, "exit 42") == ("", "", 42)
    assert await sh(i, "echo 'unterminated") == \
        ("", "sh: unterminated quoted string\n", 2)


async def test_unknown_commands_say_so_as_each_shell_does(sb: Sandbox) -> None:
    assert await sh(inst(sb), "frobnicate") == ("", "sh: frobnicate: not found\n", 127)
    assert await sh(inst(sb), "frobnicate", shell="bash") == \
        ("", "bash: frobnicate: command not found\n", 127)


async def test_images_decide_what_is_inside(sb: Sandbox) -> None:
    sb.store.create(PODS, _running("static", [{"name": "app", "image":
                                               "gcr.io/distroless/static:nonroot"}],
                                   "10.88.0.9"), namespaced=True)
    with pytest.raises(ExecNotFound):
        await sh(inst(sb, "app", "static"), "true")
    with pytest.raises(ExecNotFound):
        await sh(inst(sb, "sidecar"), "true", shell="bash")  # busybox has no bash
    assert (await sh(inst(sb, "sidecar"), "echo ok"))[0] == "ok\n"


async def test_environment_from_the_pod_spec(sb: Sandbox) -> None:
    out, _, code = await sh(inst(sb), "printenv DB_PASSWORD POD CFG_app.conf "
                                      "WEB_SERVICE_HOST HOSTNAME")
    assert (out, code) == ("s3cret\nweb\nlevel=info\n\n10.96.5.5\nweb\n", 0)
    assert (await sh(inst(sb), "env | grep -c ^PATH="))[0] == "1\n"


async def test_volumes_follow_the_cluster_and_the_container(sb: Sandbox) -> None:
    i = inst(sb)
    assert await sh(i, "cat /etc/app/app.conf /etc/hostname") == ("level=info\nweb\n", "", 0)
    cm = sb.store.get(CONFIGMAPS, "default", "cfg")
    sb.store.update(CONFIGMAPS, {**cm, "data": {"app.conf": "level=debug\n"}})
    assert (await sh(i, "cat /etc/app/app.conf"))[0] == "level=debug\n"
    assert await sh(i, "echo nope > /etc/app/x") == \
        ("", "sh: can't create /etc/app/x: Read-only file system\n", 1)
    await sh(i, "echo shared > /data/note; echo mine > /root/private")
    assert (await sh(inst(sb, "sidecar"), "cat /data/note"))[0] == "shared\n"
    # a restart starts from the image again; the emptyDir keeps its files
    pod = sb.store.get(PODS, "default", "web")
    pod["status"]["containerStatuses"][0]["restartCount"] = 1
    sb.store.write_status(PODS, pod)
    again = inst(sb)
    assert again is not i
    assert await sh(again, "cat /root/private") == \
        ("", "cat: /root/private: No such file or directory\n", 1)
    assert (await sh(again, "cat /data/note"))[0] == "shared\n"


async def test_tar_round_trip(sb: Sandbox) -> None:
    i = inst(sb)
    archive, err, code = bytearray(), bytearray(), 0
    code = await i.exec(["tar", "cf", "-", "/etc/app"], Empty(), archive.extend, err.extend)
    assert code == 0 and err.decode() == "tar: Removing leading `/' from member names\n"
    assert await sh(i, "mkdir /restore && tar -xmf - -C /restore && cat /restore/etc/app/app.conf",
                    stdin=bytes(archive)) == ("level=info\n", "", 0)


async def test_the_pod_network(sb: Sandbox) -> None:
    sb.logs.start(("default", "web", "main"))  # as the kubelet does when it starts it
    i = inst(sb, "sidecar")
    out, _, code = await sh(i, "nslookup web")
    assert code == 0 and "Name:\tweb.default.svc.cluster.local\nAddress: 10.96.5.5" in out
    assert await sh(i, "nslookup nothere") == (
        "Server:\t\t10.96.0.10\nAddress:\t10.96.0.10:53\n\n"
        "** server can't find nothere: NXDOMAIN\n\n", "", 1)
    assert await sh(i, "curl -s web.default.svc:8080/") == (
        "Hello from default/web, container main (nginx:1.27)\n", "", 0)
    assert (await sh(i, "curl -s localhost:81/"))[2] == 7  # nothing listens there
    assert (await sh(i, "curl -s http://ghost/"))[2] == 6
    logs = [ln.text for ln in sb.logs.lines(("default", "web", "main"))]
    assert any('"GET / HTTP/1.1" 200' in ln for ln in logs)


async def test_healthz_follows_readiness(sb: Sandbox) -> None:
    sb.store.create(PODS, _running("slow", [{"name": "app", "image": "never-ready",
                                             "ports": [{"containerPort": 8080}]}],
                                   "10.88.0.8", ready=False), namespaced=True)
    out, _, code = await sh(inst(sb, "sidecar"), "curl -si 10.88.0.8:8080/healthz")
    assert code == 0 and out.startswith("HTTP/1.1 503 Service Unavailable")


async def test_ps_and_kill(sb: Sandbox) -> None:
    i = inst(sb)
    sleeper = asyncio.create_task(sh(i, "sleep 30"))
    await asyncio.sleep(0)
    out, _, _ = await sh(i, "ps")
    assert "nginx -g daemon off;" in out.splitlines()[1]
    pid = next(line.split()[0] for line in out.splitlines() if line.endswith("sleep 30"))
    assert await sh(i, f"kill {pid}") == ("", "", 0)
    assert (await asyncio.wait_for(sleeper, 5))[2] == 143
    assert await sh(i, "kill 1") == ("", "", 0)  # PID 1 ignores it


async def test_terminal_line_discipline() -> None:
    shown = bytearray()
    term = Terminal(shown.extend)
    interrupted = []
    term.on_interrupt = lambda: interrupted.append(True)
    term.feed(b"lx\x7fs -l\x1b[A\r")
    assert await term.readline() == b"ls -l\n"
    assert bytes(shown) == b"lx\x08 \x08s -l\r\n"
    term.feed(b"abc\x03")
    assert interrupted == [True] and bytes(shown).endswith(b"abc^C\r\n")
    term.feed(b"\x04")
    assert await term.readline() == b""
    term.output(b"a\nb\n")
    assert bytes(shown).endswith(b"a\r\nb\r\n")


async def test_runtime_forgets_a_deleted_pod(sb: Sandbox) -> None:
    rt: ContainerRuntime = sb.containers
    i = inst(sb)
    await sh(i, "echo x > /data/y")
    rt.forget("uid-web")
    assert inst(sb) is not i
    assert (await sh(inst(sb), "cat /data/y"))[2] == 1
