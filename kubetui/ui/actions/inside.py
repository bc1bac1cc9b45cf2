"""The flows that get inside a pod: shell (`s`), attach (`a`), debug container (`D`) and
port-forward (`F`). Registered in `kubetui.ui.actions.flows.FLOWS` by `@flow` like the
others, so the runner's gate (read-only mode, kind, access review) has run before them.

Shell and attach hand the terminal over: the app is suspended, the terminal bridged to the
stream in raw mode (`kubetui.ui.terminal_bridge`), and when the process ends the app
resumes where it was (view, filter, cursor: nothing of it changed meanwhile) and says how
it ended.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import Any

from textual.app import SuspendNotSupported

from kubetui.cluster.actions import Ref, explain
from kubetui.cluster.debug import DEFAULT_IMAGE, add_debug_container, wait_running
from kubetui.cluster.errors import ClusterError
from kubetui.cluster.exec import ExecSession, NoShell, open_shell
from kubetui.cluster.portforward import Target, port_choices
from kubetui.model.actions import needs
from kubetui.model.containers import (PodContainer, default_container, not_running,
                                      pod_containers)
from kubetui.render.sanitize import visible
from kubetui.ui.actions.flows import flow
from kubetui.ui.actions.steps import ActionSteps
from kubetui.ui.screens.dialogs import ChoiceDialog, PortForwardDialog, PromptDialog
from kubetui.ui.terminal_bridge import DETACH_OUTPUT, DETACH_STDIN, bridge


async def _get(steps: ActionSteps, ref: Ref, title: str) -> dict[str, Any] | None:
    try:
        return await steps.session.client.get(ref.kind, ref.namespace, ref.name)
    except ClusterError as e:
        steps.error(explain(e, ref), title)
        return None


async def _container(steps: ActionSteps, pod: dict[str, Any] | None, title: str,
                     running: bool = True, name: str = "") -> PodContainer | None:
    """The container to use: the one `name`d (a container row's), else the only one, else
    the person's pick (the default container highlighted). With `running`, one that is
    not running is refused in words."""
    if pod is None:
        return None
    if name:
        containers = [c for c in pod_containers(pod) if c.name == name]
        if not containers:
            steps.error(f"pod {pod['metadata']['name']} has no container {name}", title)
            return None
    else:
        containers = [c for c in pod_containers(pod) if c.role != "init" or c.running]
    if not containers:
        steps.error("the pod has no containers", title)
        return None
    index: int | None = 0
    if len(containers) > 1:
        index = await steps.app.push_screen(
            ChoiceDialog(f"{title}: which container of {pod['metadata']['name']}?",
                         [c.describe() for c in containers],
                         default_container(pod, containers)), wait_for_dismiss=True)
        if index is None:
            return None
    chosen = containers[index]
    problem = not_running(pod, chosen) if running else None
    if problem:
        steps.error(problem, title)
        return None
    return chosen


async def hand_over(steps: ActionSteps, session: ExecSession, what: str, title: str,
                    detach: bytes = b"", banner: str = "") -> None:
    """The terminal to `session` until it ends, then the app back and a word on how."""
    app = steps.app
    try:
        with app.batch_update(), app.suspend():
            if banner:
                os.write(sys.__stdout__.fileno(), visible(banner).encode() + b"\r\n")
            ended = await bridge(session, sys.__stdin__.fileno(), sys.__stdout__.fileno(),
                                 detach)
    except SuspendNotSupported:
        steps.error("this terminal cannot be handed over (the app cannot suspend here)",
                    title)
        return
    finally:
        await session.close()
    if ended is None:
        app.notify(f"detached from {what}; it goes on running", title=title)
    elif ended.ok:
        app.notify(f"{what} {ended.describe()}", title=title)
    else:
        how = ended.describe()
        app.notify(f"{what} {how}" if ended.code is not None else f"{what}: {how}",
                   title=title, severity="warning", markup=False)


@flow("shell")
async def shell(steps: ActionSteps, refs: Sequence[Ref], namespace: str,
                container: str = "") -> None:
    """bash, else sh, in `container` (from a container row) or the chosen one; no shell
    offers a debug container."""
    ref = refs[0]
    pod = await _get(steps, ref, "Shell")
    chosen = await _container(steps, pod, "Shell", name=container)
    if pod is None or chosen is None:
        return
    try:
        session = await open_shell(steps.session.client, ref.namespace, ref.name,
                                   chosen.name)
    except NoShell as e:
        if await steps.confirm(f"No shell in {chosen.name}",
                               f"{e}.\nAdd a debug container ({DEFAULT_IMAGE}) sharing its "
                               f"processes, and open a shell in it?", "Debug",
                               danger=False) and await steps.may(needs("debug", [ref])):
            await debug_into(steps, ref, chosen.name, DEFAULT_IMAGE)
        return
    except ClusterError as e:
        steps.error(explain(e, ref), "Shell")
        return
    await hand_over(steps, session, f"shell in {ref.name}/{chosen.name}", "Shell")


@flow("attach")
async def attach(steps: ActionSteps, refs: Sequence[Ref], namespace: str) -> None:
    """The container's main process: its tty and stdin when it has them, else its output
    (ctrl-c leaves it; ctrl-p ctrl-q leaves one that takes input)."""
    ref = refs[0]
    pod = await _get(steps, ref, "Attach")
    container = await _container(steps, pod, "Attach")
    if pod is None or container is None:
        return
    await attach_to(steps, ref, container.name, container.stdin, container.tty)


async def attach_to(steps: ActionSteps, ref: Ref, container: str, stdin: bool,
                    tty: bool) -> None:
    try:
        session = await ExecSession.open(steps.session.client, ref.namespace, ref.name,
                                         container, attach=True, tty=tty and stdin,
                                         stdin=stdin)
    except ClusterError as e:
        steps.error(explain(e, ref), "Attach")
        return
    keys = "ctrl-p ctrl-q" if stdin else "ctrl-c"
    await hand_over(steps, session, f"{ref.name}/{container}", "Attach",
                    detach=DETACH_STDIN if stdin else DETACH_OUTPUT,
                    banner=f"kubetui: attached to {ref.name}/{container}; {keys} detaches. "
                           f"If you see no prompt, press enter.")


@flow("debug")
async def debug(steps: ActionSteps, refs: Sequence[Ref], namespace: str) -> None:
    """An ephemeral container (image asked, busybox by default) sharing the chosen
    container's processes, then a shell in it."""
    ref = refs[0]
    pod = await _get(steps, ref, "Debug")
    container = await _container(steps, pod, "Debug", running=False)
    if pod is None or container is None:
        return
    image = await steps.app.push_screen(PromptDialog(
        f"Debug container in {ref.name}, targeting {container.name}: image",
        "busybox", DEFAULT_IMAGE, check=_image_problem), wait_for_dismiss=True)
    if image is not None:
        await debug_into(steps, ref, container.name, image)


async def debug_into(steps: ActionSteps, ref: Ref, target: str, image: str) -> None:
    client = steps.session.client
    added = await add_debug_container(client, ref, target, image)
    steps.report(added.result, "Debug")
    if not added.name:
        return
    problem = await wait_running(client, ref, added.name)
    if problem:
        steps.error(problem, "Debug")
        return
    await attach_to(steps, ref, added.name, stdin=True, tty=True)


@flow("port_forward")
async def port_forward(steps: ActionSteps, refs: Sequence[Ref], namespace: str) -> None:
    """Ports asked in a dialog; each becomes a forward listed by `:pf`."""
    ref = refs[0]
    target = Target(ref.kind, ref.namespace, ref.name)
    obj = await _get(steps, ref, "Port-forward")
    if obj is None:
        return
    answer = await steps.app.push_screen(PortForwardDialog(str(ref), port_choices(target, obj)),
                                         wait_for_dismiss=True)
    if answer is None:
        return
    address, pairs = answer
    for local, remote in pairs:
        forward = await steps.session.forwards.start(target, remote, local, address)
        if forward.state == "failed":
            steps.error(f"{forward.describe()}: {forward.reason}", "Port-forward")
        else:
            text = f"{forward.describe()} ({forward.state}" + (
                f": {forward.reason})" if forward.reason else ")")
            steps.app.notify(text, title="Port-forward", markup=False)


def _image_problem(value: str) -> str:
    if not value:
        return "type an image"
    return "an image name has no spaces" if any(c.isspace() for c in value) else ""
