"""The guard of the shared read-only sandboxes (tests/shared_sandbox.py): a test that
writes to one, through the API or straight into its store, is told so when it ends; one
that only reads is not; a cluster that moves by itself fails the check only when quiet."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import namespace_ready
from tests.sandbox.conftest import raw_api
from tests.shared_sandbox import SharedSandbox

CONFIGMAPS = ("", "configmaps")


def config_map(name: str) -> dict:
    return {"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": name, "namespace": "default"}, "data": {"a": "b"}}


@pytest.fixture
def shared(tmp_path: Path) -> Iterator[SharedSandbox]:
    """A quiet shared sandbox of this test's own (the session's one must stay unchanged)."""
    running = SharedSandbox.start("guarded", tmp_path / "shared" / "config", quiet=True,
                                  prepare=namespace_ready, nodes=0)
    yield running
    running.stop()


async def test_reads_pass_and_writes_through_the_api_are_named(shared: SharedSandbox,
                                                               tmp_path: Path) -> None:
    use = shared.use(tmp_path / "a" / "config")
    async with raw_api(shared.running) as api:
        assert (await api.call("GET", "/api/v1/namespaces/default/configmaps"))[0] == 200
        status, _ = await api.call("POST", "/api/v1/namespaces/default/configmaps?dryRun=All",
                                   config_map("dry"))
        assert status == 201
        status, _ = await api.call("POST", "/api/v1/namespaces/default/nosuchthings", {})
        assert status == 404
    assert [r.path for r in use.unmatched()] == ["/api/v1/namespaces/default/nosuchthings"]
    use.check()  # a GET, a dry run and a refused POST change nothing

    use = shared.use(tmp_path / "b" / "config")
    assert use.unmatched() == []  # counted from this use on
    async with raw_api(shared.running) as api:
        status, _ = await api.call("POST", "/api/v1/namespaces/default/configmaps",
                                   config_map("written"))
        assert status == 201
    assert use.writes() == ["POST /api/v1/namespaces/default/configmaps? -> 201"]
    with pytest.raises(AssertionError, match="wrote: .*POST /api/v1/namespaces/default/"):
        use.check()


def test_writes_into_the_store_are_named(shared: SharedSandbox, tmp_path: Path) -> None:
    use = shared.use(tmp_path / "a" / "config")
    assert use.read(lambda sb: sb.store.find(CONFIGMAPS, "default", "kube-root-ca.crt"))
    use.check()
    shared.running.sandbox.store.create(CONFIGMAPS, config_map("direct"))  # this thread
    use.read(lambda sb: sb.store.create(CONFIGMAPS, config_map("inside-read")))
    assert use.writes() == ["ADDED configmaps default/direct",
                            "ADDED configmaps default/inside-read"]
    with pytest.raises(AssertionError, match="direct"):
        use.check()


def test_a_cluster_that_moves_by_itself_fails_only_when_quiet(shared: SharedSandbox,
                                                              tmp_path: Path) -> None:
    use = shared.use(tmp_path / "a" / "config")
    # As a controller would: in the sandbox's own thread, outside any `read`.
    shared.served.call(lambda: shared.running.sandbox.store.create(
        CONFIGMAPS, config_map("by-a-controller")))
    assert use.writes() == []
    with pytest.raises(AssertionError, match="resourceVersion"):
        use.check()
    shared.quiet = False
    use.check()


def test_each_test_has_its_own_kubeconfig_copy(shared: SharedSandbox, tmp_path: Path) -> None:
    first = shared.use(tmp_path / "a" / "config")
    second = shared.use(tmp_path / "b" / "config")
    assert first.kubeconfig != second.kubeconfig
    assert first.kubeconfig.read_text() == second.kubeconfig.read_text()
    assert shared.running.url in first.kubeconfig.read_text()
    assert first.kubeconfig.stat().st_mode & 0o777 == 0o600
