"""What a sandbox cluster holds at start (`--scenario`): `empty`, `demo` or `scale`.

`RunningSandbox.start` calls `load_scenario` after the controllers are started and before
the server listens, so the "serving" line of `kubetui sandbox` comes once the scenario is
in place: at once for `demo` (whose workloads then come up as a real cluster's would), and
only when every pod is Running and Ready for `scale` (progress on stderr; it loads in its
steady state, see `scale.py`), so benchmarks measure a cluster that is ready to serve.

Objects go through `verbs.create`, the API server's own create, so defaults and validation
apply as they would to a client's request (`objects.py`). What components outside the sandbox's
control plane would write (node capacity from a kubelet's registration, a cloud load
balancer's address, a volume provisioner's binding) is written as status directly, and so
is the state a settled cluster's own components reported long ago (the scale scenario's
running pods).
"""

from __future__ import annotations

from typing import Protocol

from kubetui.sandbox.core import Sandbox

SCENARIOS = ("empty", "demo", "scale")


class ScenarioOptions(Protocol):
    """What a scenario reads of `run.SandboxOptions` (a protocol: no import of `run`,
    which imports this package)."""

    @property
    def scenario(self) -> str: ...
    @property
    def controllers(self) -> bool: ...
    @property
    def nodes(self) -> int | None: ...
    @property
    def pods(self) -> int: ...
    @property
    def namespaces(self) -> int: ...
    @property
    def churn(self) -> float: ...


#: How many nodes the empty scenario has unless told: one Ready worker, as `kind create
#: cluster` gives one node that runs pods.
EMPTY_NODES = 1


async def load_scenario(sb: Sandbox, opts: ScenarioOptions) -> None:
    """Fill `sb` with the scenario `opts.scenario` names; `opts.nodes`, when set, is how
    many nodes it has (else the scenario's own number)."""
    if opts.scenario == "empty":
        from kubetui.sandbox.scenarios.objects import workers

        workers(sb, EMPTY_NODES if opts.nodes is None else opts.nodes)
        return
    if opts.scenario == "demo":
        from kubetui.sandbox.scenarios.demo import load_demo

        await load_demo(sb, wait_for_controllers=opts.controllers, node_count=opts.nodes)
        return
    if opts.scenario == "scale":
        from kubetui.sandbox.scenarios.scale import load_scale

        await load_scale(sb, opts.pods, opts.namespaces, opts.churn,
                         wait_ready=opts.controllers, nodes=opts.nodes)
        return
    raise ValueError(f"unknown scenario {opts.scenario!r}: use one of {', '.join(SCENARIOS)}")
