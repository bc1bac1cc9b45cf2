"""Navigation against a sandbox: `:` commands and aliases, filter, sort, drill-downs and
back, and switching contexts between two clusters."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from kubetui.cli import build_parser
from kubetui.ui.aliases import AliasesScreen
from kubetui.ui.app import KINDS_MAX_AGE, KubetuiApp
from tests.conftest import start_sandbox
from tests.ui.app_helpers import Api, app_for, crumbs_text, header_text, live, names, until


async def command(pilot, text: str) -> None:
    """Type `:text<enter>` as fast as a person who knows k9s does."""
    await pilot.press("colon", *text, "enter")


async def select(app: KubetuiApp, name: str) -> None:
    await until(lambda: name in names(app), message=f"{name} shown")
    assert app.main_table.select_uid(
        next(app.main_table.entry_at(i).uid for i in range(app.main_table.row_count)
             if app.main_table.entry_at(i).name == name))


@pytest.mark.parametrize("typed, plural", [
    ("po", "pods"), ("deploy", "deployments"), ("svc", "services"), ("ns", "namespaces"),
    ("no", "nodes"), ("crd", "customresourcedefinitions"), ("sts", "statefulsets"),
    ("cronjobs", "cronjobs"), ("ReplicaSet", "replicasets"), ("cm", "configmaps"),
    # k9s's own aliases and the server's short names a k9s user types (issue 17)
    ("dp", "deployments"), ("rb", "rolebindings"), ("crb", "clusterrolebindings"),
    ("sa", "serviceaccounts"),
    ("pdb", "poddisruptionbudgets"), ("sc", "storageclasses"), ("ep", "endpoints"),
    ("sec", "secrets"), ("jo", "jobs"), ("cr", "clusterroles"), ("ro", "roles"),
    ("np", "networkpolicies"),
])
async def test_command_switches_by_alias(sandbox, api: Api, typed: str, plural: str) -> None:
    await api.node("node-1")
    app = app_for()
    async with app.run_test(size=(160, 45)) as pilot:
        await live(app, "pods")
        await command(pilot, typed)
        await live(app, plural)
        assert f"view {plural}" in header_text(app)
        assert crumbs_text(app).startswith(plural)
        if plural == "nodes":
            await until(lambda: names(app) == ["node-1"])


async def test_start_view_from_the_command_flag(sandbox, api: Api) -> None:
    """`-c deploy` (k9s's flag) opens on Deployments; a name the server lacks says so and
    opens on pods."""
    assert build_parser().parse_args(["-c", "deploy"]).view == "deploy"
    await api.deployment("web")
    app = app_for(view="deploy")
    async with app.run_test(size=(160, 45)):
        await live(app, "deployments")
        await until(lambda: names(app) == ["web"])
    app = app_for(view="nosuchthing")
    async with app.run_test(size=(160, 45)):
        await live(app, "pods")
        assert any("no resource type 'nosuchthing'" in n.message
                   for n in app._notifications)


async def test_command_completion_and_errors(sandbox, api: Api) -> None:
    await api.namespace("shop")
    await api.pod("cart-1", "shop")
    app = app_for()
    async with app.run_test(size=(160, 45)) as pilot:
        await live(app, "pods")
        await pilot.press("colon", "d", "e", "p")
        await until(lambda: app.prompt.input._suggestion == "deploy")
        await pilot.press("tab")
        assert app.prompt.input.value == "deploy"
        await pilot.press("enter")
        await live(app, "deployments")
        await pilot.press("colon", *"po sh")  # the second word completes namespaces
        await until(lambda: app.prompt.input._suggestion == "po shop")
        await pilot.press("tab", "enter")
        await until(lambda: names(app) == ["cart-1"])
        assert "ns shop" in header_text(app)
        await command(pilot, "nosuchthing")
        await until(lambda: any("nosuchthing" in n.message for n in app._notifications))
        assert app.view is not None and app.view.kind.plural == "pods"
        await pilot.press("colon", "x", "escape")  # esc closes the prompt, nothing runs
        assert not app.prompt.is_open and app.main_table.has_focus
        await command(pilot, "q")
        await until(lambda: not app.is_running)


CRD = {
    "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
    "metadata": {"name": "certificates.cert-manager.io"},
    "spec": {"group": "cert-manager.io", "scope": "Namespaced",
             "names": {"plural": "certificates", "singular": "certificate",
                       "kind": "Certificate", "shortNames": ["cert", "certs"]},
             "versions": [{"name": "v1", "served": True, "storage": True,
                           "schema": {"openAPIV3Schema": {
                               "type": "object", "x-kubernetes-preserve-unknown-fields": True}},
                           "additionalPrinterColumns": [
                               {"name": "Secret", "type": "string",
                                "jsonPath": ".spec.secretName"},
                               {"name": "Age", "type": "date",
                                "jsonPath": ".metadata.creationTimestamp"}]}]}}


async def test_custom_resource_created_after_start(sandbox, api: Api) -> None:
    app = app_for()
    async with app.run_test(size=(160, 45)) as pilot:
        await live(app, "pods")
        await api.create("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", CRD)
        await api.create("/apis/cert-manager.io/v1/namespaces/default/certificates", {
            "apiVersion": "cert-manager.io/v1", "kind": "Certificate",
            "metadata": {"name": "shop-tls"}, "spec": {"secretName": "shop-tls-secret"}})
        await command(pilot, "certificates.cert-manager.io")
        await live(app, "certificates")
        await until(lambda: names(app) == ["shop-tls"])
        assert app.main_table.shown_columns == ["NAME", "SECRET", "AGE"]
        assert app.main_table.entry_at(0).cells[1] == "shop-tls-secret"
        await command(pilot, "crd")
        await until(lambda: "certificates.cert-manager.io" in names(app))
        await command(pilot, "cert")  # a short name from discovery
        await live(app, "certificates")


async def test_tab_completes_a_custom_resource_created_after_start(sandbox, api: Api) -> None:
    app = app_for()
    async with app.run_test(size=(160, 45)) as pilot:
        await live(app, "pods")
        await api.create("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", CRD)
        assert app.session is not None
        app.session.discovered -= KINDS_MAX_AGE  # as if connected a while ago
        await pilot.press("colon", *"certif")  # `:` reads the kinds again
        await until(lambda: app.session.resolve("certificates") is not None,
                    message="the new kind is known")
        await pilot.press("tab")
        assert app.prompt.input.value == "certificate"  # the shortest alias
        await pilot.press("enter")
        await live(app, "certificates")


async def test_podmetrics_show_usage_under_their_own_name(sandbox, api: Api) -> None:
    """`:podmetrics`: metrics-server's columns, and a title that is not the pods'."""
    await api.node("node-1")
    await api.pod("web-1", node="node-1")
    app = app_for()
    async with app.run_test(size=(160, 45)) as pilot:
        await live(app, "pods")
        await command(pilot, "podmetrics")
        await until(lambda: names(app) == ["web-1"], timeout=60, message="web-1 listed")
        assert "view pods.metrics.k8s.io" in header_text(app)
        assert crumbs_text(app) == "pods.metrics.k8s.io(default)"
        assert app.main_table.shown_columns == ["NAME", "CPU", "MEMORY", "WINDOW"]
        cells = app.main_table.entry_at(0).cells
        assert cells[1].endswith("n") and cells[2].endswith("Ki") and cells[3] == "15s"


async def test_aliases_list_filter_and_open(shared_sandbox) -> None:
    app = app_for()
    async with app.run_test(size=(160, 45)) as pilot:
        await live(app, "pods")
        await pilot.press("ctrl+a")
        screen = await until(lambda: isinstance(app.screen, AliasesScreen) and app.screen)
        resources = [r.resource for r in screen.shown]
        assert "deployments.apps" in resources and "pods" in resources
        deployments = next(r for r in screen.shown if r.resource == "deployments.apps")
        assert {"dp", "deploy", "deployments"} <= set(deployments.names)
        await pilot.press(*"crb")
        assert [r.resource for r in screen.shown] == [
            "clusterrolebindings.rbac.authorization.k8s.io"]
        await pilot.press("enter")
        await live(app, "clusterrolebindings")
        await command(pilot, "aliases")  # the same from `:`
        await until(lambda: isinstance(app.screen, AliasesScreen))
        await pilot.press("escape")
        await until(lambda: not isinstance(app.screen, AliasesScreen))


async def test_filter_as_you_type(sandbox, api: Api) -> None:
    await api.pod("web-1", labels={"app": "web", "tier": "front"})
    await api.pod("web-2", labels={"app": "web", "tier": "front"})
    await api.pod("db-1", labels={"app": "db", "tier": "back"})
    app = app_for()
    async with app.run_test(size=(160, 45)) as pilot:
        await live(app, "pods")
        await until(lambda: len(names(app)) == 3)
        await pilot.press("slash", "w", "e")
        assert names(app) == ["web-1", "web-2"]
        assert crumbs_text(app).endswith("/we")
        await pilot.press("enter")  # keeps the filter, back to the table
        assert app.main_table.has_focus and names(app) == ["web-1", "web-2"]
        await pilot.press("slash")  # the prompt opens on the filter to edit it
        assert app.prompt.input.value == "we"
        await pilot.press("ctrl+u", *"!web", "enter")
        assert names(app) == ["db-1"]
        await pilot.press("slash", "ctrl+u", *"-l tier=front", "enter")
        assert names(app) == ["web-1", "web-2"]
        await pilot.press("slash", "ctrl+u", *"^web-[2]", "enter")
        assert names(app) == ["web-2"]
        await pilot.press("escape")  # esc clears the filter before going anywhere
        assert names(app) == ["db-1", "web-1", "web-2"] and not crumbs_text(app).count("/")
        await pilot.press("slash", "d", "b", "escape")  # esc in the prompt cancels it
        assert len(names(app)) == 3


async def test_sort_keys(sandbox, api: Api) -> None:
    for name in ("b-pod", "a-pod", "c-pod"):
        await api.pod(name)
    app = app_for()
    async with app.run_test(size=(160, 45)) as pilot:
        await live(app, "pods")
        await until(lambda: len(names(app)) == 3)
        assert names(app) == ["a-pod", "b-pod", "c-pod"]
        await pilot.press("N")  # k9s: shift+N sorts by name, again flips it
        assert names(app) == ["c-pod", "b-pod", "a-pod"]
        await pilot.press("A")  # by age (created in the same second: then by name)
        assert app.main_table.sort_column == "AGE" and not app.main_table.sort_reverse
        await pilot.press("A")
        assert app.main_table.sort_reverse
        await pilot.press("7")  # another view starts sorted by name (issue 17)...
        await live(app, "services")
        assert app.main_table.sort_column == "NAME" and not app.main_table.sort_reverse
        await pilot.press("1")  # ...and so does a new pods view
        await live(app, "pods")
        assert app.main_table.sort_column == "NAME"


async def test_drill_into_a_deployment_and_back(sandbox, api: Api) -> None:
    await api.node("node-1")
    await api.deployment("api", replicas=1)
    await api.deployment("web", replicas=2)
    app = app_for()
    async with app.run_test(size=(160, 45)) as pilot:
        await live(app, "pods")
        await pilot.press("2")
        await live(app, "deployments")
        await select(app, "web")
        await pilot.press("slash", "w", "enter")  # a filter, restored on the way back
        await pilot.press("enter")
        await until(lambda: len(names(app)) == 2 and all(n.startswith("web-")
                                                         for n in names(app)))
        assert crumbs_text(app) == "deployments(default) › pods of deployment/web"
        assert "view pods" in header_text(app)
        streams = list(app.session.store.streams)
        await pilot.press("escape")
        await live(app, "deployments")
        await until(lambda: app.main_table.selected_entry is not None
                    and app.main_table.selected_entry.name == "web")
        assert app.main_table.filter.text == "w"
        # The drill-down was a filter over the namespace's pod stream: no stream of its own.
        assert ("", "pods", "default") in streams
        await pilot.press("escape", "escape")  # clears the filter; the root stays
        assert names(app) == ["api", "web"] and len(app.stack) == 1


async def test_drill_into_replicaset_node_and_namespace(sandbox, api: Api) -> None:
    await api.node("node-1")
    await api.namespace("shop")
    await api.deployment("web", replicas=2)
    await api.pod("cart-1", "shop")
    app = app_for()
    async with app.run_test(size=(160, 45)) as pilot:
        await live(app, "pods")
        await command(pilot, "rs")
        await until(lambda: len(names(app)) == 1)
        await pilot.press("enter")
        await until(lambda: len(names(app)) == 2)
        assert crumbs_text(app).startswith("replicasets(default) › pods of replicaset/web-")

        await command(pilot, "no")
        await select(app, "node-1")
        await pilot.press("enter")
        await until(lambda: len(names(app)) == 3)  # every namespace's pods on the node
        assert crumbs_text(app) == "nodes › pods on node/node-1"
        assert app.main_table.shown_columns[0] == "NAMESPACE"

        await command(pilot, "ns")
        await select(app, "shop")
        await pilot.press("enter")
        await until(lambda: names(app) == ["cart-1"])
        assert "ns shop" in header_text(app)
        await pilot.press("escape")
        await live(app, "namespaces")
        assert app.main_table.selected_entry.name == "shop"


async def test_drill_into_a_service(sandbox, api: Api) -> None:
    await api.node("node-1")
    await api.deployment("web", replicas=2)
    await api.pod("other", labels={"app": "other"})
    await api.service("web", {"app": "web"})
    app = app_for()
    async with app.run_test(size=(160, 45)) as pilot:
        await live(app, "pods")
        await pilot.press("7")
        await select(app, "web")
        await pilot.press("enter")
        await until(lambda: len(names(app)) == 2 and "other" not in names(app))
        assert crumbs_text(app).startswith("services(default) › pods of service/web")
        # The endpoints appear once the kubelet has made the pods ready.
        await until(lambda: "endpoints 10." in crumbs_text(app), timeout=20)
        assert ":8080" in crumbs_text(app)


async def test_switch_context_between_two_clusters(sandbox, api: Api, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    await api.pod("in-first")
    second = await start_sandbox(tmp_path / "second.yaml", context="second")
    try:
        from kubetui.cluster import kubeconfig
        from kubetui.cluster.client import ClusterClient
        config = kubeconfig.load(str(second.kubeconfig))
        async with await ClusterClient.connect(config, "second") as client:
            await Api(client).pod("in-second")
        first = os.environ["KUBECONFIG"]
        monkeypatch.setenv("KUBECONFIG", f"{first}:{second.kubeconfig}")
        app = app_for()
        async with app.run_test(size=(160, 45)) as pilot:
            await live(app, "pods")
            await until(lambda: names(app) == ["in-first"])
            first_client = app.session.client
            await command(pilot, "ctx second")
            await until(lambda: "⎈ second" in header_text(app))
            await until(lambda: names(app) == ["in-second"])
            assert second.url in header_text(app)
            assert first_client.closed
            await command(pilot, "ctx")  # the picker, the current one highlighted
            from kubetui.ui.screens.contexts import ContextPicker
            await until(lambda: isinstance(app.screen, ContextPicker))
            await pilot.press("up", "enter")
            await until(lambda: names(app) == ["in-first"])
            assert "⎈ kubetui-sandbox" in header_text(app)
    finally:
        await second.stop()
