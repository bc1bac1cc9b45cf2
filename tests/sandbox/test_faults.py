"""Fault switches, seen by clients as they would see them on a real cluster: kubectl 1.32
and kubernetes_asyncio against a sandbox that cuts watches, forgets history, fails,
lags, expires tokens and refuses by RBAC; the control endpoint that flips them at run
time; and the same switches as `kubetui sandbox` flags."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import pytest_asyncio
import yaml
from kubernetes_asyncio import client, config, watch
from kubernetes_asyncio.client.exceptions import ApiException

from kubetui.sandbox.core import Faults
from kubetui.sandbox.run import RunningSandbox
from tests.conftest import ROOT_CA
from tests.conftest import KUBECTL, serving_sandbox
from tests.sandbox.conftest import Api, raw_api
from tests.waiting import wait_for

CONFIGMAPS = "/api/v1/namespaces/default/configmaps"


def _cm(name: str) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name},
            "data": {"k": "v"}}


@pytest_asyncio.fixture
async def faulty(isolated_home: Path, monkeypatch: pytest.MonkeyPatch,
                 request: pytest.FixtureRequest) -> AsyncIterator[RunningSandbox]:
    """A sandbox started with the options the test parametrizes it with."""
    async with serving_sandbox(isolated_home, monkeypatch,
                               **getattr(request, "param", {})) as running:
        yield running


@pytest_asyncio.fixture
async def raw(faulty: RunningSandbox) -> AsyncIterator[Api]:
    async with raw_api(faulty) as client:
        yield client


@pytest_asyncio.fixture
async def typed(faulty: RunningSandbox) -> AsyncIterator[client.CoreV1Api]:
    cfg = client.Configuration()
    await config.load_kube_config(config_file=str(faulty.kubeconfig), client_configuration=cfg)
    async with client.ApiClient(cfg) as api_client:
        yield client.CoreV1Api(api_client)


async def _control(api: Api, **changes: Any) -> dict[str, Any]:
    status, doc = await api.call("POST", "/sandbox/faults", changes)
    assert status == 200, doc
    return doc


# ----- --drop-watches-every ------------------------------------------------------------

@pytest.mark.parametrize("faulty", [{"faults": Faults(drop_watches_every=0.5)}], indirect=True)
async def test_dropped_watch_ends_kubectl_get_w(faulty: RunningSandbox,
                                                kubectl) -> None:  # noqa: ANN001
    started = time.monotonic()
    res = await kubectl("get", "configmaps", "-w", "--request-timeout=0", check=False,
                        timeout=20)
    assert time.monotonic() - started < 10  # it ended on the cut, not on a timeout
    assert faulty.server.unmatched == []
    assert any(r.query and "watch=true" in r.query for r in faulty.server.requests), res


@pytest.mark.parametrize("faulty", [{"faults": Faults(drop_watches_every=0.4)}], indirect=True)
async def test_dropped_watch_ends_and_resumes_for_kubernetes_asyncio(
        faulty: RunningSandbox, raw: Api, typed: client.CoreV1Api) -> None:
    cms, seen_rv = [], ""
    for round_ in range(3):  # each stream is cut; the next resumes where it stopped
        await raw.call("POST", CONFIGMAPS, _cm(f"cm-{round_}"))
        kwargs: dict[str, Any] = {"timeout_seconds": 30}
        if seen_rv:
            kwargs["resource_version"] = seen_rv
        started = time.monotonic()
        w = watch.Watch()
        try:
            async for ev in w.stream(typed.list_namespaced_config_map, "default", **kwargs):
                if ev["object"].metadata.name != ROOT_CA:  # the namespace's own
                    cms.append((ev["type"], ev["object"].metadata.name))
                # (initial ADDED events come in name order, not in resourceVersion order)
                seen_rv = max(seen_rv or "0", ev["object"].metadata.resource_version, key=int)
        except aiohttp.ClientPayloadError:
            pass  # the cut arrives as a truncated chunked body: the stream ends either way
        finally:
            await w.close()
        assert time.monotonic() - started < 5
    assert [name for _, name in cms] == ["cm-0", "cm-1", "cm-2"]  # nothing lost or repeated
    assert {t for t, _ in cms} == {"ADDED"}


# ----- --watch-history -------------------------------------------------------------------

@pytest.mark.parametrize("faulty", [{"watch_history": 5}], indirect=True)
async def test_short_history_expires_old_resource_versions(
        faulty: RunningSandbox, raw: Api, typed: client.CoreV1Api, kubectl) -> None:  # noqa: ANN001
    _, listing = await raw.call("GET", CONFIGMAPS)
    old_rv = listing["metadata"]["resourceVersion"]
    for i in range(10):
        await raw.call("POST", CONFIGMAPS, _cm(f"cm-{i}"))
    w = watch.Watch()
    with pytest.raises(ApiException) as err:
        async for _ in w.stream(typed.list_namespaced_config_map, "default",
                                resource_version=old_rv, timeout_seconds=5):
            pass
    await w.close()
    assert err.value.status == 410
    out = await kubectl("get", "--raw",
                        f"{CONFIGMAPS}?watch=true&resourceVersion={old_rv}")
    event = yaml.safe_load(out.stdout.splitlines()[0])
    assert event["type"] == "ERROR"
    assert (event["object"]["code"], event["object"]["reason"]) == (410, "Expired")
    # A recent resourceVersion still works, as on a real server.
    _, listing = await raw.call("GET", CONFIGMAPS)
    fresh = listing["metadata"]["resourceVersion"]
    w = watch.Watch()
    async for ev in w.stream(typed.list_namespaced_config_map, "default",
                             resource_version=fresh, timeout_seconds=1):
        raise AssertionError(f"nothing happened after {fresh}, yet: {ev}")
    await w.close()


# ----- --error-rate ----------------------------------------------------------------------

@pytest.mark.parametrize("faulty", [{"faults": Faults(error_rate=0.5)}], indirect=True)
async def test_error_rate_answers_500_and_429_with_retry_after(faulty: RunningSandbox) -> None:
    headers = {"Authorization": f"Bearer {faulty.sandbox.token}"}
    seen: dict[int, str | None] = {}
    connector = aiohttp.TCPConnector(ssl=faulty.client_ssl_context())
    async with aiohttp.ClientSession(connector=connector) as session:
        for _ in range(60):
            async with session.get(faulty.url + CONFIGMAPS, headers=headers) as resp:
                body = await resp.json()
                seen.setdefault(resp.status, resp.headers.get("Retry-After"))
                if resp.status != 200:
                    assert body["kind"] == "Status" and body["code"] == resp.status
            if {200, 429, 500} <= set(seen):
                break
    assert {200, 429, 500} <= set(seen)
    assert seen[429] == "1" and seen[500] is None


@pytest.mark.parametrize("faulty", [{"faults": Faults(error_rate=1.0)}], indirect=True)
async def test_kubectl_shows_injected_errors(faulty: RunningSandbox, raw: Api,  # noqa: ARG001
                                             kubectl) -> None:  # noqa: ANN001
    res = await kubectl("get", "configmaps", check=False, timeout=60)
    assert res.returncode != 0
    # Discovery fails first, and kubectl words it as for any real server error.
    assert re.search(r"Error from server \((InternalError|TooManyRequests)\)", res.stderr), \
        res.stderr
    await _control(raw, error_rate=0)
    assert (await kubectl("get", "configmaps")).returncode == 0


# ----- --latency-ms ----------------------------------------------------------------------

@pytest.mark.parametrize("faulty", [{"faults": Faults(latency_ms=300)}], indirect=True)
async def test_latency_delays_every_response(faulty: RunningSandbox, raw: Api) -> None:
    for path in ("/version", CONFIGMAPS):
        started = time.monotonic()
        status, _ = await raw.call("GET", path)
        assert status == 200 and time.monotonic() - started >= 0.3
    started = time.monotonic()
    await _control(raw, latency_ms=0)  # the control endpoint is never delayed
    assert time.monotonic() - started < 0.3
    started = time.monotonic()
    await raw.call("GET", CONFIGMAPS)
    assert time.monotonic() - started < 0.3


# ----- --token-ttl -----------------------------------------------------------------------

@pytest.mark.parametrize("faulty", [{"faults": Faults(token_ttl=1.0)}], indirect=True)
async def test_token_ttl_expires_static_tokens_not_token_files(
        faulty: RunningSandbox, raw: Api, kubectl) -> None:  # noqa: ANN001
    kubeconfig = yaml.safe_load(faulty.kubeconfig.read_text())
    token_file = Path(kubeconfig["users"][0]["user"]["tokenFile"])
    static = token_file.read_text()
    assert (await raw.call("GET", CONFIGMAPS, token=static))[0] == 200
    await wait_for(lambda: token_file.read_text() != static, timeout=5)

    async def expired() -> bool:
        return (await raw.call("GET", CONFIGMAPS, token=static))[0] == 401

    await wait_for(expired, timeout=5)
    status, body = await raw.call("GET", CONFIGMAPS, token=static)
    assert (status, body["reason"]) == (401, "Unauthorized")
    # kubectl reads the token file again: it keeps working across several rotations.
    for _ in range(3):
        before = token_file.read_text()
        assert (await kubectl("get", "configmaps")).returncode == 0
        await wait_for(lambda: token_file.read_text() != before, timeout=5)


# ----- --rbac ----------------------------------------------------------------------------

@pytest.mark.parametrize("faulty", [{"faults": Faults(rbac="readonly")}], indirect=True)
async def test_rbac_readonly(faulty: RunningSandbox, kubectl) -> None:  # noqa: ANN001
    assert (await kubectl("get", "pods")).returncode == 0
    res = await kubectl("create", "configmap", "x", "--from-literal=a=b", check=False)
    assert res.returncode == 1
    assert 'configmaps is forbidden: User "kubetui-sandbox" cannot create resource ' \
        '"configmaps"' in res.stderr
    no = await kubectl("auth", "can-i", "create", "pods", check=False)
    assert no.returncode == 1 and no.stdout.startswith("no - the sandbox runs with --rbac")
    yes = await kubectl("auth", "can-i", "list", "pods")
    assert yes.stdout.strip() == "yes"
    assert all(r.status == 403 for r in faulty.server.mutating_requests())


@pytest.mark.parametrize("faulty", [{"faults": Faults(rbac="namespace=team-a")}], indirect=True)
async def test_rbac_namespace(faulty: RunningSandbox, kubectl) -> None:  # noqa: ANN001
    faulty.sandbox.store.create(("", "namespaces"), {
        "apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team-a"}},
        namespaced=False)
    wide = await kubectl("get", "pods", "-A", check=False)
    assert wide.returncode == 1 and "Forbidden" in wide.stderr
    assert "at the cluster scope" in wide.stderr
    mine = await kubectl("get", "pods", "-n", "team-a")
    assert "No resources found in team-a namespace." in mine.stderr
    created = await kubectl("-n", "team-a", "create", "configmap", "x", "--from-literal=a=b")
    assert "configmap/x created" in created.stdout
    other = await kubectl("get", "configmaps", "-n", "default", check=False)
    assert other.returncode == 1 and "Forbidden" in other.stderr
    yes = await kubectl("auth", "can-i", "list", "pods", "-n", "team-a")
    assert yes.stdout.strip() == "yes"
    no = await kubectl("auth", "can-i", "list", "pods", "-A", check=False)
    assert no.returncode == 1 and no.stdout.startswith("no")
    nodes = await kubectl("get", "nodes", check=False)
    assert nodes.returncode == 1 and "Forbidden" in nodes.stderr


# ----- the control endpoint --------------------------------------------------------------

async def test_control_endpoint(faulty: RunningSandbox, raw: Api) -> None:
    status, now = await raw.call("GET", "/sandbox/faults")
    assert status == 200
    assert now == {"drop_watches_every": 0.0, "drop_streams_every": 0.0, "error_rate": 0.0,
                   "latency_ms": 0,
                   "token_ttl": 0.0, "rbac": "full", "watch_history": 10_000}
    changed = await _control(raw, error_rate=1, rbac="readonly", watch_history=3,
                             drop_streams_every=2)
    assert (changed["error_rate"], changed["rbac"], changed["watch_history"],
            changed["drop_streams_every"]) == (1.0, "readonly", 3, 2.0)
    assert faulty.sandbox.faults.rbac == "readonly"
    assert (await raw.call("GET", CONFIGMAPS))[0] in (429, 500)
    # Bad changes change nothing.
    for bad in ({"error_rate": 2}, {"rbac": "root"}, {"nope": 1}, {"latency_ms": -1}, [1]):
        status, body = await raw.call("POST", "/sandbox/faults", bad)
        assert status == 400 and body["reason"] == "BadRequest", bad
    assert (await raw.call("GET", "/sandbox/faults"))[1] == changed
    assert (await raw.call("GET", "/sandbox/faults", token=""))[0] == 401
    assert (await raw.call("DELETE", "/sandbox/faults"))[0] == 405
    await _control(raw, error_rate=0, rbac="full")
    assert (await raw.call("GET", CONFIGMAPS))[0] == 200
    assert faulty.server.unmatched == []
    assert any(r.path == "/sandbox/faults" and r.matched for r in faulty.server.requests)


# ----- the flags of `kubetui sandbox` ----------------------------------------------------

def test_fault_flags_on_the_command_line(tmp_path: Path) -> None:
    if KUBECTL is None:
        pytest.skip("kubectl is not installed on this machine")
    kubeconfig = tmp_path / "sandbox.kubeconfig"
    proc = subprocess.Popen(
        [sys.executable, "-m", "kubetui.cli", "sandbox", "--port", "0",
         "--kubeconfig", str(kubeconfig), "--drop-watches-every", "1", "--latency-ms", "20",
         "--drop-streams-every", "3",
         "--rbac", "readonly", "--watch-history", "50"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=dict(os.environ))
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert "serving https://" in line, line
        run = [KUBECTL, f"--kubeconfig={kubeconfig}", f"--cache-dir={tmp_path / 'cache'}"]
        started = time.monotonic()
        subprocess.run([*run, "get", "pods", "-w", "--request-timeout=0"],
                       capture_output=True, text=True, timeout=30)
        assert time.monotonic() - started < 10  # cut by --drop-watches-every
        denied = subprocess.run([*run, "create", "namespace", "x"], capture_output=True,
                                text=True, timeout=30)
        assert denied.returncode == 1 and "Forbidden" in denied.stderr
        faults = asyncio.run(_get_faults(kubeconfig))
        assert (faults["drop_watches_every"], faults["latency_ms"], faults["rbac"],
                faults["watch_history"], faults["drop_streams_every"]) == \
            (1.0, 20, "readonly", 50, 3.0)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=20)
    assert proc.returncode == 0


async def _get_faults(kubeconfig: Path) -> dict[str, Any]:
    """GET /sandbox/faults with what the kubeconfig holds (server, CA, token)."""
    import base64
    import ssl

    doc = yaml.safe_load(kubeconfig.read_text())
    cluster, user = doc["clusters"][0]["cluster"], doc["users"][0]["user"]
    ctx = ssl.create_default_context(
        cadata=base64.b64decode(cluster["certificate-authority-data"]).decode())
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(ssl=ctx)) as session:
        async with session.get(cluster["server"] + "/sandbox/faults",
                               headers={"Authorization": f"Bearer {user['token']}"}) as resp:
            assert resp.status == 200
            return await resp.json()
