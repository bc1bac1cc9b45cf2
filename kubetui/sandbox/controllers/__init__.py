"""The sandbox's control plane loops.

`WORKLOAD_CONTROLLERS` are kube-controller-manager's workload controllers and garbage
collector; `all_controllers()` is the whole control plane (node side included), as
`run.py` starts it with `Sandbox.start_controllers`.
"""

from __future__ import annotations

from collections.abc import Callable

from kubetui.sandbox.controllers.cronjob import CronJobController
from kubetui.sandbox.controllers.daemonset import DaemonSetController
from kubetui.sandbox.controllers.deployment import DeploymentController
from kubetui.sandbox.controllers.disruption import DisruptionController
from kubetui.sandbox.controllers.endpoints import EndpointsController
from kubetui.sandbox.controllers.gc import GarbageCollector
from kubetui.sandbox.controllers.hpa import HorizontalPodAutoscalerController
from kubetui.sandbox.controllers.job import JobController
from kubetui.sandbox.controllers.kubelet.lifecycle import Kubelet
from kubetui.sandbox.controllers.namespace import NamespaceController
from kubetui.sandbox.controllers.node_lease import NodeLeaseController
from kubetui.sandbox.controllers.replicaset import ReplicaSetController, ReplicationManager
from kubetui.sandbox.controllers.scheduler import Scheduler
from kubetui.sandbox.controllers.serviceaccounts import ServiceAccountsController
from kubetui.sandbox.controllers.statefulset import StatefulSetController
from kubetui.sandbox.core import Controller, Sandbox

WORKLOAD_CONTROLLERS: list[Callable[[Sandbox], Controller]] = [
    DeploymentController,
    ReplicaSetController,
    ReplicationManager,
    StatefulSetController,
    DaemonSetController,
    JobController,
    CronJobController,
    HorizontalPodAutoscalerController,
    DisruptionController,
    GarbageCollector,
]

#: The node side: kube-scheduler, every node's kubelet, the endpoints and endpointslice
#: controllers, the namespace controller, the service account and root CA publishers, the
#: kubelets' node leases.
NODE_CONTROLLERS: list[Callable[[Sandbox], Controller]] = [
    Scheduler,
    Kubelet,
    EndpointsController,
    NamespaceController,
    ServiceAccountsController,
    NodeLeaseController,
]


def all_controllers() -> list[Callable[[Sandbox], Controller]]:
    """Every control loop of the sandbox cluster."""
    return [*NODE_CONTROLLERS, *WORKLOAD_CONTROLLERS]
