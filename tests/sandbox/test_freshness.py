"""A resourceVersion the server has not reached (a client of an earlier server, or of one
restored from a backup) is answered as the apiserver's watch cache answers it: after
waiting up to 3 s for the store to catch up, 504 Timeout "Too large resource version" with
a ResourceVersionTooLarge cause (storage.NewTooLargeResourceVersionError) — an ERROR event
on a watch, an error response on a list. `--state-dir` keeps the endpoint's identity."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

import kubernetes
import pytest

from kubetui.sandbox.run import RunningSandbox
from kubetui.sandbox.state_dir import load_or_create
from tests.conftest import ROOT_CA, start_sandbox, stop_sandbox
from tests.sandbox.conftest import Api, raw_api

CM_PATH = "/api/v1/namespaces/default/configmaps"


def make_cm(sb: RunningSandbox, name: str) -> None:
    sb.sandbox.store.create(("", "configmaps"), {"metadata": {"name": name,
                                                              "namespace": "default"}})


def too_large(status: dict, requested: int, current: int) -> None:
    assert status["code"] == 504 and status["reason"] == "Timeout"
    assert status["message"] == (f"Timeout: Too large resource version: {requested}, "
                                 f"current: {current}")
    assert status["details"]["causes"] == [{"reason": "ResourceVersionTooLarge",
                                            "message": "Too large resource version"}]


async def watch_lines(api: Api, rv: int) -> list[dict]:
    async with api.session.get(f"{api.url}{CM_PATH}",
                               params={"watch": "true", "resourceVersion": str(rv),
                                       "timeoutSeconds": "6"},
                               headers={"Authorization": f"Bearer {api.token}"}) as resp:
        assert resp.status == 200
        out = []
        async for line in resp.content:
            out.append(json.loads(line))
            if out[-1]["type"] in ("ERROR", "ADDED"):
                return out
        return out


async def test_watch_from_a_future_resource_version_is_an_error_event(sandbox, api) -> None:
    current = sandbox.sandbox.store.rv
    started = time.monotonic()
    [event] = await watch_lines(api, current + 100)
    assert time.monotonic() - started >= 2.9  # the watch cache's wait, as upstream
    assert event["type"] == "ERROR"
    too_large(event["object"], current + 100, current)


async def test_watch_a_little_ahead_waits_for_the_store(sandbox, api) -> None:
    current = sandbox.sandbox.store.rv
    task = asyncio.ensure_future(watch_lines(api, current + 1))
    await asyncio.sleep(0.3)  # the request is waiting on the server when the change lands
    make_cm(sandbox, "late")
    make_cm(sandbox, "later")
    [event] = await task
    assert event["type"] == "ADDED" and event["object"]["metadata"]["name"] == "later"


async def test_list_not_older_than_a_future_resource_version(sandbox, api) -> None:
    current = sandbox.sandbox.store.rv
    status, body = await api.call(
        "GET", f"{CM_PATH}?resourceVersion={current + 50}&resourceVersionMatch=NotOlderThan")
    assert status == 504
    too_large(body, current + 50, current)
    status, body = await api.call(
        "GET", f"{CM_PATH}?resourceVersion={current}&resourceVersionMatch=NotOlderThan")
    assert status == 200 and int(body["metadata"]["resourceVersion"]) >= current


async def test_the_official_client_sees_the_upstream_error(sandbox) -> None:
    from kubernetes.client.rest import ApiException

    def calls() -> tuple[ApiException, ApiException]:
        api_client = kubernetes.config.new_client_from_config(str(sandbox.kubeconfig))
        core = kubernetes.client.CoreV1Api(api_client)
        future = str(sandbox.sandbox.store.rv + 1000)
        with pytest.raises(ApiException) as listed:
            core.list_namespaced_config_map("default", resource_version=future,
                                            resource_version_match="NotOlderThan")
        with pytest.raises(ApiException) as watched:
            for _ in kubernetes.watch.Watch().stream(core.list_namespaced_config_map,
                                                     "default", resource_version=future,
                                                     timeout_seconds=10):
                pass
        return listed.value, watched.value

    listed, watched = await asyncio.to_thread(calls)
    assert listed.status == 504 and "Too large resource version" in listed.body
    assert watched.status == 504 and "Too large resource version" in str(watched.reason)


async def test_state_dir_keeps_the_endpoint_across_restarts(isolated_home: Path) -> None:
    state, config = isolated_home / "state", isolated_home / "sandbox.kubeconfig"
    first = await start_sandbox(config, state_dir=str(state))
    port, kubeconfig_text = first.server.port, config.read_text()
    ca, token = first.ca_pem, first.sandbox.token
    make_cm(first, "only-on-the-first")
    await stop_sandbox(first)
    assert sorted(p.name for p in state.iterdir()) == ["ca.crt", "ca.key", "tls.crt",
                                                       "tls.key", "token"]
    assert {oct(p.stat().st_mode & 0o777) for p in state.iterdir()} == {"0o600"}
    assert oct(state.stat().st_mode & 0o777) == "0o700"
    second = await start_sandbox(config, state_dir=str(state), port=port)
    try:
        assert (second.server.port, second.ca_pem, second.sandbox.token) == (port, ca, token)
        assert config.read_text() == kubeconfig_text  # old clients need nothing new
        async with raw_api(second) as api:
            status, body = await api.call("GET", CM_PATH)
        names = [i["metadata"]["name"] for i in body["items"]]
        assert status == 200 and names in ([], [ROOT_CA])  # its objects start afresh (the
        # namespace's own kube-root-ca.crt excepted, once the controller has made it)
    finally:
        await stop_sandbox(second)
    assert load_or_create(state, "127.0.0.1", "ignored").token == token
