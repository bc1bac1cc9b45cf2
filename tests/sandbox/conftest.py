"""Fixtures for talking to the sandbox over raw HTTP."""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from kubetui.sandbox.run import RunningSandbox


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
