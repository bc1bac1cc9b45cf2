"""The action table (`kubetui.model.actions`) is the one source: every declared action has a
flow, a key on the main table or a screen of its own, a binding id of its own, and the
read-only gate refuses exactly those that change the cluster."""

from __future__ import annotations

import pytest

from kubetui.cluster.actions import Ref
from kubetui.kinds import BUILTIN_KINDS, builtin
from kubetui.model.actions import ACTIONS, BY_NAME, KEYED, MUTATING, needs, refusal
from kubetui.ui.actions import inside  # noqa: F401  (registers its flows, as the runner does)
from kubetui.ui.actions.flows import FLOWS
from kubetui.ui.actions.keys import ACTION_BINDINGS, ActionKeys
from kubetui.ui.screens.rollout_screen import RolloutScreen


def test_every_action_has_a_flow_and_every_keyed_one_a_binding_and_a_handler() -> None:
    assert set(FLOWS) == set(BY_NAME)
    assert [(b.key, b.action, b.id) for b in ACTION_BINDINGS] == \
        [(s.key, s.name, f"actions.{s.name}") for s in KEYED]
    assert all(callable(getattr(ActionKeys, f"action_{s.name}", None)) for s in KEYED)
    assert len({s.binding_id for s in ACTIONS}) == len(ACTIONS)


def test_the_rollout_view_binds_the_unkeyed_ones() -> None:
    bound = {b.action.split("(")[0] for b in RolloutScreen.BINDINGS}  # type: ignore[union-attr]
    assert {s.name for s in ACTIONS if not s.key} <= bound


@pytest.mark.parametrize("spec", ACTIONS, ids=lambda s: s.name)
def test_read_only_refuses_exactly_what_changes_the_cluster(spec) -> None:
    kind = next((k for k in BUILTIN_KINDS if spec.applies(k)), None)
    assert kind is not None, "applies to no built-in kind"
    assert refusal(spec, kind, readonly=False) is None
    readonly = refusal(spec, kind, readonly=True)
    assert (readonly == f"read-only mode: {spec.words} is disabled") is (spec.name in MUTATING)
    assert (readonly is None) is (not spec.mutates)


def test_kinds_an_action_does_not_fit_are_refused_in_words() -> None:
    assert refusal(BY_NAME["kill"], builtin("Deployment"), False) == \
        "deployments cannot kill"
    assert refusal(BY_NAME["delete"], builtin("Pod"), False, selected=False) == \
        "nothing selected"
    assert refusal(BY_NAME["apply"], None, False, selected=False) is None


def test_needs_asks_the_declared_verb_and_subresource() -> None:
    ref = Ref(builtin("Deployment"), "default", "web")
    assert [str(a) for a in needs("scale", [ref])] == \
        ['patch deployments.apps/scale "web" in namespace "default"']
    assert [str(a) for a in needs("drain", [Ref(builtin("Node"), "", "n1")])] == \
        ['patch nodes "n1"', "create pods/eviction in every namespace"]
    assert needs("rollout", [ref]) == []
