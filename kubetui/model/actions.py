"""Every action a person can take on objects, declared once. No Textual.

An `ActionSpec` says all about an action except how it is carried out: its name (the app's
action name and its flow's), key, description and binding id, the kinds it applies to,
whether it changes the cluster, what the access check asks the server, and which rows it
acts on. Everything else derives from `ACTIONS`:

- the main table's key bindings and the generic key dispatch (`kubetui.ui.actions.keys`),
  and so the help screen, the command palette and the README key table (`scripts/keys.py`);
- the read-only gate and the applicability test, both in `refusal`, which hides a key
  (`check_action`) and refuses the action (the runner) alike;
- the permissions a SelfSubjectAccessReview is asked about (`needs`).

Adding an action touches three places:

1. its `ActionSpec` in `ACTIONS` below;
2. its cluster call: a method of `kubetui.cluster.actions.Actions` returning a `Result`;
3. its flow in `kubetui.ui.actions.flows`, a function decorated `@flow("<name>")` that
   opens its dialog if it has one (dialogs live in `kubetui.ui.screens.dialogs`), makes the
   call and reports the result. Read-only mode, "nothing selected", applicability and the
   access check have already been passed when a flow runs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Literal

from kubetui.cluster.actions import POD, Access, Ref, has_pod_spec
from kubetui.kinds import Kind

#: Which rows an action acts on: the marked rows (else the cursor's), the cursor's row
#: only, or none (it asks for its objects itself, as apply does).
Targets = Literal["selected", "cursor", "none"]
Applies = Callable[[Kind], bool]


def _kind(group: str, plural: str) -> Applies:
    return lambda kind: kind.key == (group, plural)


def _any(kind: Kind) -> bool:
    return True


@dataclass(frozen=True)
class ActionSpec:
    """One action; see the module docstring."""

    name: str
    key: str  # k9s's where it has one; "" when only its own screen binds it
    description: str
    applies: Applies  # to rows of this kind
    mutates: bool = True  # read-only mode hides and refuses it
    verb: str = "patch"  # the access check, on each target ("": none, as for a view)
    subresource: str = ""
    also: tuple[Access, ...] = ()  # accesses needed beyond the targets'
    #: (verb, subresource) on pods in each target's namespace (on the pod itself when
    #: the target is one): what streams into a pod asks (exec, attach, portforward).
    pod_access: tuple[tuple[str, str], ...] = ()
    targets: Targets = "selected"
    #: Also offered with no kind (no view yet): actions that bring their own objects.
    kindless: bool = False
    #: Acts with no dialog or view of its own (an undo is offered instead). The others
    #: open one first, and the keys typed after theirs are held for it (ui.held_keys).
    acts_at_once: bool = False

    @property
    def binding_id(self) -> str:
        return f"actions.{self.name}"

    @property
    def words(self) -> str:
        """How messages name it: "set image"."""
        return self.name.replace("_", " ")


DEPLOYMENTS = _kind("apps", "deployments")
NODES = _kind("", "nodes")
PODS = _kind("", "pods")
#: What a port-forward can follow to a ready pod: a pod, a Service, a pod-owning workload.
FORWARDABLE = frozenset({("", "pods"), ("", "services"), ("apps", "deployments"),
                         ("apps", "statefulsets"), ("apps", "daemonsets"),
                         ("apps", "replicasets")})

#: The actions, in the order the footer and help show them. As in k9s, `r` restarts a
#: workload and drains a node, `s` scales a workload and opens a shell in a pod: only the
#: one that applies to the view's kind is enabled. Shell, attach, debug and port-forward
#: create subresources, so read-only mode refuses them as k9s's does.
ACTIONS: tuple[ActionSpec, ...] = (
    ActionSpec("shell", "s", "Shell", PODS, verb="create", subresource="exec",
               targets="cursor"),
    ActionSpec("attach", "a", "Attach", PODS, verb="create", subresource="attach",
               targets="cursor"),
    ActionSpec("debug", "D", "Debug container", PODS, subresource="ephemeralcontainers",
               pod_access=(("create", "attach"),), targets="cursor"),
    ActionSpec("port_forward", "F", "Port-forward", lambda k: k.key in FORWARDABLE,
               verb="get", pod_access=(("create", "portforward"),), targets="cursor"),
    ActionSpec("scale", "s", "Scale", lambda k: k.scalable, subresource="scale",
               targets="cursor"),
    ActionSpec("restart", "r", "Restart", lambda k: k.restartable),
    ActionSpec("drain", "r", "Drain", NODES,
               also=(Access("create", POD, "", "", "eviction"),)),
    ActionSpec("cordon", "c", "Cordon", NODES, acts_at_once=True),
    ActionSpec("uncordon", "u", "Uncordon", NODES, acts_at_once=True),
    ActionSpec("set_image", "i", "Set image", has_pod_spec, targets="cursor"),
    ActionSpec("rollout", "o", "Rollout", DEPLOYMENTS, mutates=False, verb="",
               targets="cursor"),
    ActionSpec("edit", "e", "Edit", _any, verb="update", targets="cursor"),
    ActionSpec("delete", "ctrl+d", "Delete", _any, verb="delete"),
    ActionSpec("kill", "ctrl+k", "Kill", _kind("", "pods"), verb="delete"),
    # ctrl+o ("open a manifest"), not `a` (attach in k9s and here) nor ctrl+a (k9s's aliases).
    ActionSpec("apply", "ctrl+o", "Apply file", _any, targets="none", kindless=True),
    # From the rollout view, which binds their keys itself.
    ActionSpec("rollout_undo", "", "Undo", DEPLOYMENTS, targets="cursor"),
    ActionSpec("rollout_pause", "", "Pause", DEPLOYMENTS, targets="cursor",
               acts_at_once=True),
    ActionSpec("rollout_resume", "", "Resume", DEPLOYMENTS, targets="cursor",
               acts_at_once=True),
)

BY_NAME: dict[str, ActionSpec] = {spec.name: spec for spec in ACTIONS}
#: The actions bound on the main table.
KEYED: tuple[ActionSpec, ...] = tuple(spec for spec in ACTIONS if spec.key)
#: The names of the actions that change the cluster.
MUTATING: frozenset[str] = frozenset(spec.name for spec in ACTIONS if spec.mutates)


def applicable(spec: ActionSpec, kind: Kind | None) -> bool:
    """Whether `spec` makes sense for rows of `kind` (None: no view)."""
    return spec.kindless if kind is None else spec.applies(kind)


def refusal(spec: ActionSpec, kind: Kind | None, readonly: bool,
            selected: bool = True) -> str | None:
    """Why `spec` may not run on rows of `kind` (with rows `selected` or not), in words,
    or None. This is the read-only gate and the applicability test: the app hides the key
    when there is a reason, and the runner refuses with it."""
    if readonly and spec.mutates:
        return f"read-only mode: {spec.words} is disabled"
    if not selected and spec.targets != "none":
        return "nothing selected"
    if not applicable(spec, kind):
        return f"{kind.plural if kind else 'this view'} cannot {spec.words}"
    return None


def needs(action: str, refs: Iterable[Ref]) -> list[Access]:
    """The permissions `action` on `refs` needs (apply is a patch of each object; creating
    needs `create` as well: see `ApplyPlan.creates`)."""
    spec = BY_NAME[action]
    if not spec.verb:
        return []
    refs = list(refs)
    return [*(Access(spec.verb, r.kind, r.namespace, r.name, spec.subresource)
              for r in refs),
            *(Access(verb, POD, r.namespace, r.name if r.kind.key == POD.key else "", sub)
              for r in refs for verb, sub in spec.pod_access), *spec.also]
