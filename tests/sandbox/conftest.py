"""Fixtures for talking to the sandbox over raw HTTP."""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import aiohttp
import pytest

from kubetui.sandbox.run import RunningSandbox
from tests.shared_sandbox import Use


class Api:
    """A bare HTTP client for the sandbox, to send exactly the request under test."""

    def __init__(self, session: aiohttp.ClientSession, url: str, token: str) -> None:
        self.session, self.url, self.token = session, url, token

    async def call(self, method: str, path: str, body: Any = None, *,
                   content_type: str = "application/json", token: str | None = None,
                   raw: bytes | None = None) -> tuple[int, Any]:
        headers = {"Content-Type": content_type}
        tok = self.token if token is None else token
        if tok:
            headers["Authorization"] = f"Bearer {tok}"
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None
                                            else None)
        async with self.session.request(method, self.url + path, data=data,
                                        headers=headers) as resp:
            text = await resp.read()
            try:
                return resp.status, json.loads(text)
            except ValueError:
                return resp.status, text.decode()


@contextlib.asynccontextmanager
async def raw_api(running: RunningSandbox) -> AsyncIterator[Api]:
    """A raw HTTP client for a running sandbox, trusting its CA."""
    connector = aiohttp.TCPConnector(ssl=running.client_ssl_context())
    async with aiohttp.ClientSession(connector=connector) as session:
        yield Api(session, running.url, running.sandbox.token)


@pytest.fixture
async def api(sandbox: RunningSandbox) -> AsyncIterator[Api]:
    """A raw HTTP client for the `sandbox` fixture's server."""
    async with raw_api(sandbox) as client:
        yield client


@pytest.fixture
async def shared_api(shared_sandbox: Use) -> AsyncIterator[Api]:
    """A raw HTTP client for the shared read-only sandbox (`shared_sandbox`)."""
    async with raw_api(shared_sandbox.running) as client:
        yield client


@pytest.fixture
def kc(request: pytest.FixtureRequest, kubectl: Callable[..., Any]) -> Iterator[Any]:
    """kubectl, plus a check after the test that every request it sent found a route: on the
    test's own `sandbox`, or on `shared_sandbox` (its requests since the test began) when
    the test asks for that one."""
    if "shared_sandbox" in request.fixturenames:
        shared = request.getfixturevalue("shared_sandbox")
        yield kubectl
        unmatched = shared.unmatched()
    else:
        running = request.getfixturevalue("sandbox")
        yield kubectl
        unmatched = running.server.unmatched
    missed = [f"{r.method} {r.path}?{r.query}" for r in unmatched]
    assert missed == [], f"requests that hit no route: {missed}"
