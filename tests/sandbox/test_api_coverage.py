"""What a real 1.32 cluster serves beyond the basics, judged by kubectl and the clients:
the API groups and kinds kind lists, DELETE answers per kind, authentication.k8s.io."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Callable

import pytest

from kubetui.kinds import BUILTIN_KINDS

pytestmark = pytest.mark.asyncio

#: `kubectl api-versions` against a fresh kind v1.32 cluster (no metrics-server).
KIND_API_VERSIONS = {
    "admissionregistration.k8s.io/v1", "apiextensions.k8s.io/v1", "apiregistration.k8s.io/v1",
    "apps/v1", "authentication.k8s.io/v1", "authorization.k8s.io/v1", "autoscaling/v1",
    "autoscaling/v2", "batch/v1", "certificates.k8s.io/v1", "coordination.k8s.io/v1",
    "discovery.k8s.io/v1", "events.k8s.io/v1", "flowcontrol.apiserver.k8s.io/v1",
    "networking.k8s.io/v1", "node.k8s.io/v1", "policy/v1", "rbac.authorization.k8s.io/v1",
    "scheduling.k8s.io/v1", "storage.k8s.io/v1", "v1",
}


async def test_api_versions_match_a_kind_cluster(shared_sandbox, kubectl: Callable) -> None:
    res = await kubectl("api-versions")
    assert KIND_API_VERSIONS <= set(res.stdout.split())


@pytest.mark.parametrize("resource", [
    "leases.coordination.k8s.io", "replicationcontrollers", "podtemplates",
    "priorityclasses.scheduling.k8s.io", "certificatesigningrequests.certificates.k8s.io",
    "csistoragecapacities.storage.k8s.io", "runtimeclasses.node.k8s.io",
    "apiservices.apiregistration.k8s.io",
    "mutatingwebhookconfigurations.admissionregistration.k8s.io",
    "validatingwebhookconfigurations.admissionregistration.k8s.io",
    "flowschemas.flowcontrol.apiserver.k8s.io",
    "prioritylevelconfigurations.flowcontrol.apiserver.k8s.io",
    "tokenreviews.authentication.k8s.io", "selfsubjectreviews.authentication.k8s.io",
])
async def test_api_resources_lists_added_kinds(shared_sandbox, kubectl: Callable,
                                               resource: str) -> None:
    res = await kubectl("api-resources", "-o", "name")
    assert resource in res.stdout.split()


async def test_new_kinds_store_and_list(sandbox, kubectl: Callable) -> None:
    docs = [
        {"apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
         "metadata": {"name": "leader", "namespace": "default"},
         "spec": {"holderIdentity": "pod-a", "leaseDurationSeconds": 15}},
        {"apiVersion": "scheduling.k8s.io/v1", "kind": "PriorityClass",
         "metadata": {"name": "high"}, "value": 1000},
        {"apiVersion": "node.k8s.io/v1", "kind": "RuntimeClass",
         "metadata": {"name": "gvisor"}, "handler": "runsc"},
        {"apiVersion": "admissionregistration.k8s.io/v1",
         "kind": "ValidatingWebhookConfiguration", "metadata": {"name": "hook"}, "webhooks": []},
    ]
    await kubectl("apply", "-f", "-", input=json.dumps({"apiVersion": "v1", "kind": "List",
                                                        "items": docs}))
    out = (await kubectl("get", "leases", "-o", "json")).stdout
    assert json.loads(out)["items"][0]["spec"]["holderIdentity"] == "pod-a"
    # kubectl prints the server's tables, with kubectl's columns for each kind.
    leases = (await kubectl("get", "leases")).stdout.splitlines()
    assert leases[0].split() == ["NAME", "HOLDER", "AGE"] and leases[1].split()[:2] == \
        ["leader", "pod-a"]
    pcs = (await kubectl("get", "priorityclasses")).stdout.splitlines()
    assert pcs[0].split() == ["NAME", "VALUE", "GLOBAL-DEFAULT", "AGE", "PREEMPTIONPOLICY"]
    assert pcs[1].split()[:3] == ["high", "1000", "false"]
    rcs = (await kubectl("get", "runtimeclasses")).stdout.splitlines()
    assert rcs[0].split() == ["NAME", "HANDLER", "AGE"] and "runsc" in rcs[1]


async def test_delete_answers_follow_the_upstream_registries() -> None:
    """Which kinds answer a DELETE with the object: the generated client's return type of
    each delete call comes from upstream's OpenAPI, which follows each registry's
    ReturnDeletedObject."""
    import kubernetes_asyncio.client.api as apis

    returns: dict[str, str] = {}
    for name in dir(apis):
        cls = getattr(apis, name)
        for method in dir(cls) if isinstance(cls, type) else ():
            if method.startswith("delete_") and not method.startswith("delete_collection") \
                    and not method.endswith("_with_http_info"):
                m = re.search(r":rtype: (\w+)", getattr(cls, method).__doc__ or "")
                returns[f"{name}.{method}"] = m.group(1) if m else ""

    def snake(kind: str) -> str:
        return re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", kind).lower()

    checked = 0
    for kind in BUILTIN_KINDS:
        if "delete" not in kind.verbs:
            continue
        group = kind.group.removesuffix(".k8s.io").split(".")[0] if kind.group else "core"
        api = "".join(p.capitalize() for p in re.split(r"[.-]", group)) + \
            kind.version.capitalize() + "Api"
        api = {"CoreV1Api": "CoreV1Api", "RbacV1Api": "RbacAuthorizationV1Api",
               "FlowcontrolV1Api": "FlowcontrolApiserverV1Api"}.get(api, api)
        scope = "namespaced_" if kind.namespaced else ""
        rtype = returns.get(f"{api}.delete_{scope}{snake(kind.kind)}")
        assert rtype is not None, (kind.kind, api)
        assert kind.returns_deleted == (rtype != "V1Status"), (kind.kind, rtype)
        checked += 1
    assert checked > 40


async def test_official_client_deletes_a_service(sandbox) -> None:
    """The issue's case: the official client reads the DELETE answer as a V1Service."""
    kubernetes = pytest.importorskip("kubernetes")

    def run() -> tuple[str, str]:
        api = kubernetes.config.new_client_from_config(config_file=str(sandbox.kubeconfig))
        try:
            core = kubernetes.client.CoreV1Api(api)
            core.create_namespaced_service("default", {
                "apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"},
                "spec": {"ports": [{"port": 80}]}})
            core.create_namespaced_config_map("default", {
                "apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cm"}})
            svc = core.delete_namespaced_service("web", "default")
            status = core.delete_namespaced_config_map("cm", "default")  # a plain dict
            return svc.metadata.name, status["status"]
        finally:
            api.close()

    assert await asyncio.to_thread(run) == ("web", "Success")
    assert sandbox.sandbox.store.find(("", "services"), "default", "web") is None


async def test_auth_whoami(shared_sandbox, kubectl: Callable) -> None:
    res = await kubectl("auth", "whoami", "-o", "json")
    info = json.loads(res.stdout)
    assert info["kind"] == "SelfSubjectReview"
    assert info["status"]["userInfo"]["username"] == "kubetui-sandbox"
    assert "system:authenticated" in info["status"]["userInfo"]["groups"]


async def test_create_token_authenticates_as_the_service_account(sandbox, kubectl: Callable,
                                                                 tmp_path) -> None:  # noqa: ANN001
    await kubectl("create", "serviceaccount", "robot")
    token = (await kubectl("create", "token", "robot", "--duration=1h")).stdout.strip()
    assert token.count(".") == 2
    # The token works against the API, as the service account.
    res = await kubectl("auth", "whoami", f"--token={token}", "--kubeconfig",
                        str(sandbox.kubeconfig), "-o", "jsonpath={.status.userInfo.username}")
    assert res.stdout == "system:serviceaccount:default:robot"
    # A TokenReview says the same; a made-up token is not authenticated.
    review = {"apiVersion": "authentication.k8s.io/v1", "kind": "TokenReview",
              "spec": {"token": token}}
    out = json.loads((await kubectl("create", "-f", "-", "-o", "json",
                                    input=json.dumps(review))).stdout)
    assert out["status"]["authenticated"] is True
    assert out["status"]["user"]["username"] == "system:serviceaccount:default:robot"
    review["spec"]["token"] = "made-up"
    out = json.loads((await kubectl("create", "-f", "-", "-o", "json",
                                    input=json.dumps(review))).stdout)
    assert out["status"].get("authenticated") is not True
    short = await kubectl("create", "token", "robot", "--duration=1m", check=False)
    assert "may not specify a duration less than 10 minutes" in short.stderr
    missing = await kubectl("create", "token", "ghost", check=False)
    assert 'serviceaccounts "ghost" not found' in missing.stderr


async def test_core_event_reporting_component_is_its_source(sandbox, kubectl: Callable) -> None:
    """core/v1 names the reporting controller `reportingComponent`; an Event written with it
    (and no source) shows it in SOURCE, as kubectl's formatEventSource does."""
    event = {"apiVersion": "v1", "kind": "Event", "metadata": {"name": "e1"},
             "involvedObject": {"kind": "Pod", "name": "web", "namespace": "default"},
             "reason": "Pulled", "message": "pulled", "type": "Normal",
             "eventTime": "2026-01-01T00:00:00.000000Z", "action": "Pulling",
             "reportingComponent": "kubelet", "reportingInstance": "node-1"}
    await kubectl("create", "-f", "-", input=json.dumps(event))
    stored = sandbox.sandbox.store.get(("", "events"), "default", "e1")
    assert stored["reportingComponent"] == "kubelet"
    out = (await kubectl("get", "events", "-o", "wide")).stdout.splitlines()
    header = out[0].split()
    row = next(line for line in out if "e1" in line)
    assert "SOURCE" in header and "kubelet, node-1" in row


async def test_client_certificate_auth(isolated_home, monkeypatch, tmp_path) -> None:  # noqa: ANN001
    """--auth cert: the kubeconfig holds a client certificate the sandbox's CA signed;
    kubectl and kubetui's own client authenticate with it, as against kind."""
    import yaml

    from kubetui.cluster import kubeconfig
    from kubetui.cluster.client import ClusterClient
    from tests.conftest import KUBECTL, serving_sandbox

    async with serving_sandbox(isolated_home, monkeypatch, auth="cert") as running:
        doc = yaml.safe_load(running.kubeconfig.read_text())
        user = doc["users"][0]["user"]
        assert set(user) == {"client-certificate-data", "client-key-data"}
        cfg = kubeconfig.load()
        client = await ClusterClient.connect(cfg, cfg.current)
        try:
            namespaces = await client.request("GET", "/api/v1/namespaces")
            assert "kube-system" in {n["metadata"]["name"] for n in namespaces["items"]}
        finally:
            await client.close()
        if KUBECTL is None:
            pytest.skip("kubectl is not installed on this machine")
        proc = await asyncio.create_subprocess_exec(
            KUBECTL, f"--cache-dir={tmp_path / 'cache'}", "auth", "whoami", "-o", "json",
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        out, err = await proc.communicate()
        assert proc.returncode == 0, err
        info = json.loads(out)["status"]["userInfo"]
        assert info["username"] == "kubetui-sandbox"
        assert "kubeadm:cluster-admins" in info["groups"]
        # Without a certificate or a token: 401.
        import aiohttp

        connector = aiohttp.TCPConnector(ssl=running.client_ssl_context())
        async with aiohttp.ClientSession(connector=connector) as session:
            async with session.get(running.url + "/api/v1/namespaces") as resp:
                assert resp.status == 401


async def test_error_status_keys_in_the_real_servers_order(shared_sandbox) -> None:
    """metav1.Status's fields in Go order: ..., reason, details, code."""
    kubernetes = pytest.importorskip("kubernetes")

    def fetch() -> str:
        api = kubernetes.config.new_client_from_config(
            config_file=str(shared_sandbox.kubeconfig))
        try:
            core = kubernetes.client.CoreV1Api(api)
            resp = core.read_namespaced_config_map("nope", "default", _preload_content=False)
            return resp.data.decode()
        except kubernetes.client.ApiException as e:
            return e.body if isinstance(e.body, str) else e.body.decode()
        finally:
            api.close()

    body = await asyncio.to_thread(fetch)
    keys = list(json.loads(body))
    assert keys == ["kind", "apiVersion", "metadata", "status", "message", "reason",
                    "details", "code"]


async def test_metrics_count_requests_by_verb_resource_and_code(sandbox,
                                                                kubectl: Callable) -> None:
    """`kubectl get --raw /metrics` reads Prometheus text with apiserver_request_total."""
    await kubectl("get", "configmaps")
    await kubectl("get", "configmap", "nope", check=False)
    text = (await kubectl("get", "--raw", "/metrics")).stdout
    assert "# TYPE apiserver_request_total counter" in text
    lines = [ln for ln in text.splitlines() if ln.startswith("apiserver_request_total{")]
    list_ok = next(ln for ln in lines if 'resource="configmaps"' in ln
                   and 'verb="LIST"' in ln and 'code="200"' in ln)
    assert 'scope="namespace"' in list_ok and int(list_ok.rsplit(" ", 1)[1]) >= 1
    assert any('resource="configmaps"' in ln and 'verb="GET"' in ln and 'code="404"' in ln
               and 'scope="resource"' in ln for ln in lines)


DEPLOY_YAML = """\
apiVersion: apps/v1
kind: Deployment
metadata: {{name: web, namespace: default}}
spec:
  replicas: {replicas}
  selector: {{matchLabels: {{app: web}}}}
  template:
    metadata: {{labels: {{app: web}}}}
    spec: {{containers: [{{name: web, image: nginx}}]}}
"""


async def test_server_side_apply_owns_fields_and_conflicts(sandbox, kubectl: Callable) -> None:
    await kubectl("apply", "-f", "-", input=DEPLOY_YAML.format(replicas=2))
    await kubectl("label", "deployment", "web", "team=shop")

    def managers() -> dict[str, dict]:
        dep = sandbox.sandbox.store.get(("apps", "deployments"), "default", "web")
        return {(m["manager"], m["operation"]): m["fieldsV1"]
                for m in dep["metadata"]["managedFields"]}
    owned = managers()
    assert "f:replicas" in owned[("kubectl-client-side-apply", "Update")]["f:spec"]
    assert owned[("kubectl-label", "Update")] == {"f:metadata": {"f:labels": {"f:team": {}}}}
    # Another manager changing replicas: 409 naming the owner.
    res = await kubectl("apply", "--server-side", "-f", "-", check=False,
                        input=DEPLOY_YAML.format(replicas=5))
    assert res.returncode != 0
    assert ('Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using '
            'apps/v1: .spec.replicas') in res.stderr
    assert sandbox.sandbox.store.get(("apps", "deployments"), "default",
                                     "web")["spec"]["replicas"] == 2
    # The same values conflict with no one; forcing takes the field.
    await kubectl("apply", "--server-side", "--force-conflicts", "-f", "-",
                  input=DEPLOY_YAML.format(replicas=5))
    owned = managers()
    assert owned[("kubectl", "Apply")]["f:spec"]["f:replicas"] == {}
    assert "f:replicas" not in owned[("kubectl-client-side-apply", "Update")]["f:spec"]
    out = json.loads((await kubectl("get", "deploy", "web", "-o", "json",
                                    "--show-managed-fields")).stdout)
    assert {m["manager"] for m in out["metadata"]["managedFields"]} >= {
        "kubectl-client-side-apply", "kubectl-label", "kubectl"}
