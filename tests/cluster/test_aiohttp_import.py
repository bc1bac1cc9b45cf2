"""aiohttp is loaded without its default TLS contexts' CA certificates (issue 19: ~35 ms of
CPU at start), and everything else still gets the system's CAs and the environment it had.

Each check runs in a fresh interpreter, as `kubetui` starts."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

REPORT = """
import json, os, ssl, sys
{imports}
aiohttp = sys.modules.get("aiohttp")
defaults = getattr(getattr(aiohttp, "connector", None), "_SSL_CONTEXT_VERIFIED", None)
print(json.dumps({{
    "env": {{name: os.environ.get(name) for name in ("SSL_CERT_FILE", "SSL_CERT_DIR")}},
    "system_cas": ssl.create_default_context().cert_store_stats()["x509_ca"],
    "aiohttp_default_cas": defaults.cert_store_stats()["x509_ca"] if defaults else None,
}}))
"""


def _report(imports: str, env: dict[str, str]) -> dict:
    base = {k: v for k, v in os.environ.items() if k not in ("SSL_CERT_FILE", "SSL_CERT_DIR")}
    out = subprocess.run([sys.executable, "-c", REPORT.format(imports=imports)],
                         capture_output=True, text=True, check=True, env=base | env)
    return json.loads(out.stdout)


@pytest.mark.parametrize("env", [{}, {"SSL_CERT_DIR": "/nonexistent-certs"}],
                         ids=["unset", "set"])
def test_the_environment_and_the_system_cas_are_as_without_kubetui(env: dict[str, str]) -> None:
    plain = _report("", env)
    loaded = _report("import kubetui.cluster.connection", env)
    assert loaded["env"] == plain["env"] == {"SSL_CERT_FILE": None, **{"SSL_CERT_DIR": None},
                                              **env}
    # A context that asks for the defaults (open_session's, when a kubeconfig names no CA)
    # trusts what it would without kubetui.
    assert loaded["system_cas"] == plain["system_cas"]


def test_aiohttp_s_unused_default_contexts_hold_no_ca() -> None:
    plain = _report("import aiohttp", {})
    loaded = _report("import kubetui.cluster.connection", {})
    if plain["aiohttp_default_cas"] is None:
        pytest.skip("this aiohttp builds no default TLS context on import")
    if plain["aiohttp_default_cas"] == 0:
        pytest.skip("this machine has no system CA certificates to load")
    assert loaded["aiohttp_default_cas"] == 0
