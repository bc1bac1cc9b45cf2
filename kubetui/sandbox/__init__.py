"""The sandbox: a Kubernetes cluster in one process, reached only over HTTP as a real API
server is (the demo, the tests and the benchmarks run against it). It imports nothing of
the UI nor of the client side (`kubetui.cluster`); the layering tests hold it to that.

Layout (the API server imports no controller; controllers call the API server's `verbs`
and read its `store`, as the real control plane's components use their clients):

- `core`: the `Sandbox` object (store, logs, kinds served, fault switches, controllers).
- `run`: start and stop a whole sandbox (store, controllers, scenario, HTTP server,
  kubeconfig); `kubeconfig`, `tls`: the files and certificates a client needs.
- shared by the API server and the controllers: `errors` (ApiError and Status),
  `selectors` (label and field selectors), `events` (recording Events), `podinfo` (pod
  requests, phase, readiness, owners), `logs` (`LogHub`, containers' output), `cron`
  (schedules), `metrics` (what metrics-server would report).
- `apiserver/`: the Kubernetes API server; imports no controller.
  - `server`: life cycle, middleware (request log, faults, authentication, errors as
    Status) and dispatch; `authn` (users, service-account tokens), `request_metrics`
    (`/metrics`).
  - `routing`: URL to `Route`; /version, health, discovery and OpenAPI documents.
  - `resources`: create, get, update, patch, delete, deletecollection over HTTP.
  - `lists`: paged lists and continue tokens; `watch`: watch streaming and bookmarks.
  - `pod_logs`: pods/log; `eviction`: pods/eviction against PodDisruptionBudget status;
    `metrics_api`: metrics.k8s.io; `control`: the `/sandbox/faults` endpoint.
  - `authorization` (`--rbac` answers, modes in `rbac`), `views` (objects per API
    version, server-side Tables), `http_io` (query parameters, bodies, responses).
  - `verbs`: the API's verbs on the store (admission, defaults, validation, managed
    fields); `decoding` (bodies decoded by type, fieldValidation), `typeschema` (every
    field's type, from kubernetes-asyncio's models), `managed_fields`, `defaults`,
    `validation`, `patch` (+ `patch_schema`), `discovery`, `openapi`, `protobuf`: the API
    machinery behind them.
  - `store`: the object store, the sandbox's etcd (resourceVersions, watch history).
- `controllers/`: the control plane's loops on the `Reconciler` base (`base`):
  kube-controller-manager's workload controllers, garbage collector, namespace,
  endpoints, disruption, HPA and service account (+ root CA) controllers, the
  `scheduler`, `node_lease` (node heartbeats), `podlogs` (containers' output) and
  `kubelet/`:
  - `lifecycle` (the `Kubelet` controller), `containers` (what a container does, from
    its image), `runtime` (per pod and container state), `pod_status` (the status it
    writes), `ipam` (pod IPs), `nodes` (node registration), `timing` (`KubeletTiming`).
- `scenarios/`: what a cluster holds at start (`demo`, `scale`), built with `objects`.
"""
