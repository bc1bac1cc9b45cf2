"""Fixtures for the cluster layer: kubeconfig files and exec plugins written in tmp dirs,
clients connected to in-process sandboxes, extra sandboxes with faults switched on."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import pytest_asyncio
import yaml

from kubetui.cluster import kubeconfig
from kubetui.cluster.client import ClusterClient

if TYPE_CHECKING:
    from kubetui.sandbox.core import Faults
    from kubetui.sandbox.run import RunningSandbox


@pytest.fixture
def write_config(tmp_path: Path) -> Callable[..., Path]:
    def write(name: str, doc: dict[str, Any] | str) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(doc if isinstance(doc, str) else yaml.safe_dump(doc))
        return path
    return write


@pytest.fixture
def exec_plugin(tmp_path: Path) -> Callable[..., Path]:
    """Write a tiny exec credential plugin: prints a token (or fails) and records its
    environment and whether it had a stdin."""
    def make(token: str = "t0k3n", exit_code: int = 0, expires_in: float | None = None,
             name: str = "kube-login", counter: bool = False) -> Path:
        script = tmp_path / name
        script.write_text(f"""#!{sys.executable}
import json, os, sys, datetime, pathlib
here = pathlib.Path(__file__).parent
info = json.loads(os.environ["KUBERNETES_EXEC_INFO"])
(here / "{name}.seen").write_text(json.dumps({{
    "info": info, "stdin_tty": sys.stdin.isatty(), "stdin": sys.stdin.read(),
    "extra": os.environ.get("EXTRA", "")}}))
if {exit_code}:
    print("login required: no browser", file=sys.stderr)
    sys.exit({exit_code})
token = {token!r}
if {counter}:
    n = here / "{name}.count"
    k = int(n.read_text()) + 1 if n.exists() else 1
    n.write_text(str(k))
    token = f"{{token}}-{{k}}"
status = {{"token": token}}
if {expires_in!r} is not None:
    when = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds={expires_in!r})
    status["expirationTimestamp"] = when.strftime("%Y-%m-%dT%H:%M:%SZ")
print(json.dumps({{"apiVersion": info["apiVersion"], "kind": "ExecCredential",
                  "status": status}}))
""")
        script.chmod(0o755)
        return script
    return make


# ----- the sandbox -----------------------------------------------------------------------

StartSandbox = Callable[..., Awaitable["RunningSandbox"]]


@pytest_asyncio.fixture
async def start_sandbox(tmp_path: Path) -> AsyncIterator[StartSandbox]:
    """Start extra sandboxes (faults, several clusters); each writes its own kubeconfig
    (context = `name`) and is stopped at the end of the test."""
    from kubetui.sandbox.core import Faults
    from kubetui.sandbox.run import RunningSandbox, SandboxOptions

    running: list[RunningSandbox] = []

    async def start(name: str = "sandbox", faults: Faults | None = None,
                    **options: Any) -> RunningSandbox:
        (tmp_path / name).mkdir(parents=True, exist_ok=True)
        if options.get("scenario", "empty") == "empty":
            options.setdefault("nodes", 0)  # tests add the nodes they need
        opts = SandboxOptions(kubeconfig=str(tmp_path / name / "config"), context=name,
                              faults=faults or Faults(), **options)
        sb = await RunningSandbox.start(opts)
        running.append(sb)
        return sb

    yield start
    for sb in running:
        await sb.stop()


@pytest_asyncio.fixture
async def client(sandbox: RunningSandbox) -> AsyncIterator[ClusterClient]:
    """A client for the shared `sandbox` fixture, through $KUBECONFIG."""
    cfg = kubeconfig.load()
    c = await ClusterClient.connect(cfg, cfg.current)
    yield c
    await c.close()
