"""The sandbox's Kubernetes API server: HTTP in front (`server`, `routing`, `resources`,
`lists`, `watch`, `pod_logs`, `eviction`, `metrics_api`, `control`), the API machinery
behind it (`verbs`, `decoding`, `typeschema`, `managed_fields`, `authn`, `defaults`,
`validation`, `patch`, `discovery`, `openapi`, `protobuf`, `request_metrics`) and the object store (`store`), the sandbox's etcd. See `kubetui.sandbox` for
the whole layout. Nothing here imports a controller."""
