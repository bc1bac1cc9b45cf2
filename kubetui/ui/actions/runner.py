"""`ActionRunner`: the one way an action runs, whichever key or screen asked for it.

Every action follows the same steps, here and nowhere else: refuse in read-only mode, with
nothing selected, or for a kind it does not apply to (`kubetui.model.actions.refusal`);
ask the server whether the user may (SelfSubjectAccessReviews of `needs`) and say
"you may not …" if not; then run the action's flow (`kubetui.ui.actions.flows`), which
asks the person, acts, and says what was sent.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from kubetui.cluster.actions import Ref
from kubetui.model.actions import BY_NAME, needs, refusal
from kubetui.ui.actions.steps import ActionSteps


class ActionRunner(ActionSteps):
    """Gates and dispatches actions for the app on one session."""

    async def run(self, name: str, refs: Sequence[Ref], namespace: str = "",
                  **options: Any) -> None:
        """Action `name` on `refs` (the marked rows, else the cursor's; the spec says
        whether it takes all or the first); `namespace` is where new objects go."""
        spec = BY_NAME[name]
        if spec.targets == "cursor":
            refs = refs[:1]
        elif spec.targets == "none":
            refs = []
        why = refusal(spec, refs[0].kind if refs else None, self.readonly,
                      selected=bool(refs))
        if why is not None:
            self.warn(why)
            return
        if refs and not await self.may(needs(name, refs)):
            return
        # The flows, their dialogs and views load with the first action, not at start.
        from kubetui.ui.actions import inside  # noqa: F401  (registers the shell, attach,
        from kubetui.ui.actions.flows import FLOWS  # debug and port-forward flows)

        await FLOWS[name](self, refs, namespace, **options)
