"""Small modal dialogs for actions: confirm, scale, set image, a text prompt, a choice
(which container), the ports of a port-forward, a plugin's inputs.

Safe by default: a confirmation's focused button is Cancel, so Enter pressed by reflex does
nothing harmful; esc always cancels. Invalid input is refused inside the dialog, with the
reason shown, and nothing is returned until it is valid.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import ClassVar, TypeVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, OptionList, Select, Static

from kubetui.cluster.actions import Container
from kubetui.cluster.portforward import PortChoice
from kubetui.config import DEFAULT_SCALE_CEILING
from kubetui.k9s.plugins import PluginInput
from kubetui.model.portforwards import parse_address, parse_ports, suggested_ports
from kubetui.render.sanitize import visible
from kubetui.ui.ordered_input import OrderedInput
from kubetui.ui.path_completion import complete_path
from kubetui.ui.widgets.safe import SafeLabel, SafeStatic, safe

R = TypeVar("R")
MAX_CHOICES = 12  # names listed under a path that tab could not complete alone


_CSS = """
{name} {{ align: center middle; }}
{name} > Vertical {{ width: 80%; max-width: 100; height: auto; max-height: 90%;
    border: round $accent; background: $surface; padding: 0 1; }}
{name} .title {{ text-style: bold; margin-bottom: 1; }}
{name} .error {{ color: $text-error; height: auto; }}
{name} .body {{ height: auto; max-height: 20; }}
{name} Horizontal {{ height: auto; align: right middle; margin-top: 1; }}
{name} Button {{ margin-left: 2; }}
"""


class ConfirmDialog(ModalScreen[bool]):
    """"Delete these?" with the objects named. Cancel has the focus; esc cancels."""

    DEFAULT_CSS = _CSS.format(name="ConfirmDialog")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="dialog.cancel"),
        Binding("left", "app.focus_previous", show=False),
        Binding("right", "app.focus_next", show=False),
    ]

    def __init__(self, title: str, body: str, confirm: str, danger: bool = True) -> None:
        super().__init__()
        self.title_text = title
        self.body = body
        self.confirm = confirm
        self.danger = danger

    def compose(self) -> ComposeResult:
        with Vertical():
            yield SafeLabel(self.title_text, classes="title")
            with VerticalScroll(classes="body"):
                yield SafeStatic(self.body, id="body")
            with Horizontal():
                yield Button("Cancel", id="cancel")
                yield Button(self.confirm, id="confirm",
                             variant="error" if self.danger else "primary")

    def on_mount(self) -> None:
        self.query_one("#cancel", Button).focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "confirm")

    def action_cancel(self) -> None:
        self.dismiss(False)


def parse_replicas(text: str, ceiling: int = DEFAULT_SCALE_CEILING) -> int | str:
    """The count typed, or why it is refused."""
    text = text.strip()
    if not text:
        return "type a number of replicas"
    if text.lstrip("-").isdigit() and text.startswith("-"):
        return "the number of replicas cannot be negative"
    if not text.isdigit():
        return f"{text!r} is not a whole number"
    value = int(text)
    if value > ceiling:
        return f"{value} is above the ceiling of {ceiling} replicas"
    return value


class _FieldDialog(ModalScreen[R]):
    """A dialog around one text field (an `OrderedInput`, focused as soon as it is
    mounted)."""

    FIELD = ""  # the field's id

    @property
    def field(self) -> OrderedInput:
        return self.query_one(f"#{self.FIELD}", OrderedInput)

    def on_mount(self) -> None:
        self.set_focus(self.field)  # at once; `focus()` would wait


class ScaleDialog(_FieldDialog[int | None]):
    """The current count, up/down to change it, digits to type it; Enter to scale."""

    DEFAULT_CSS = _CSS.format(name="ScaleDialog")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="dialog.cancel"),
        Binding("up", "step(1)", "More", id="dialog.scale_up"),
        Binding("down", "step(-1)", "Fewer", id="dialog.scale_down"),
    ]

    def __init__(self, what: str, current: int, ceiling: int = DEFAULT_SCALE_CEILING) -> None:
        super().__init__()
        self.what = what
        self.current = current
        self.ceiling = ceiling

    def compose(self) -> ComposeResult:
        with Vertical():
            yield SafeLabel(f"Scale {self.what}: now {self.current} replicas", classes="title")
            yield OrderedInput(str(self.current), id="count")
            yield SafeStatic("", classes="error", id="error")
            yield Static("up/down change the count · enter scales · esc cancels",
                         classes="hint")

    FIELD = "count"

    @property
    def input(self) -> Input:
        return self.field

    def on_mount(self) -> None:
        super().on_mount()
        self.field.select_all()

    def action_step(self, delta: int) -> None:
        value = parse_replicas(self.input.value, self.ceiling)
        base = value if isinstance(value, int) else self.current
        self.input.value = str(min(max(base + delta, 0), self.ceiling))
        self.query_one("#error", Static).update("")

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        value = parse_replicas(event.value, self.ceiling)
        if isinstance(value, str):
            self.query_one("#error", Static).update(value)
            return
        self.dismiss(value)

    def action_cancel(self) -> None:
        self.dismiss(None)


class SetImageDialog(_FieldDialog[tuple[Container, str] | None]):
    """Pick a container (when there are several) and type its new image."""

    DEFAULT_CSS = _CSS.format(name="SetImageDialog")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="dialog.cancel"),
    ]

    def __init__(self, what: str, containers: Sequence[Container]) -> None:
        super().__init__()
        self.what = what
        self.containers = list(containers)

    def compose(self) -> ComposeResult:
        first = next((c for c in self.containers if not c.init), self.containers[0])
        with Vertical():
            yield SafeLabel(f"Set image of {self.what}", classes="title")
            yield Select([(safe(f"{'init: ' if c.init else ''}{c.name} ({c.image})"), i)
                          for i, c in enumerate(self.containers)],
                         value=self.containers.index(first), allow_blank=False,
                         id="container")
            yield SafeStatic(_editing(first), id="editing")
            yield OrderedInput(visible(first.image), id="image",
                               placeholder="registry/image:tag")
            yield SafeStatic("", classes="error", id="error")
            yield Static(("tab: to the container list · " if len(self.containers) > 1
                          else "") + "enter sets the image · esc cancels", classes="hint")

    FIELD = "image"

    @property
    def container(self) -> Container:
        return self.containers[int(self.query_one("#container", Select).value)]  # type: ignore[arg-type]

    @on(Select.Changed)
    def _chosen(self, event: Select.Changed) -> None:
        self.field.value = visible(self.container.image)
        self.query_one("#editing", SafeStatic).update(_editing(self.container))

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        image = event.value.strip()
        problem = ("type an image" if not image else
                   "an image name has no spaces" if any(c.isspace() for c in image) else
                   f"{self.container.name} already runs {image}"
                   if image == self.container.image else "")
        if problem:
            self.query_one("#error", Static).update(problem)
            return
        self.dismiss((self.container, image))

    def action_cancel(self) -> None:
        self.dismiss(None)


def _editing(container: Container) -> str:
    kind = "init container" if container.init else "container"
    return f"Editing the image of {kind} {container.name} (now {container.image})"


class PromptDialog(_FieldDialog[str | None]):
    """One line of text (a file path, a revision); `check` returns why it is refused.
    With `paths`, tab completes the text as a file path."""

    DEFAULT_CSS = _CSS.format(name="PromptDialog")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="dialog.cancel"),
        Binding("tab", "complete", "Complete", id="dialog.complete"),
    ]

    def __init__(self, title: str, placeholder: str = "", value: str = "",
                 check: Callable[[str], str] | None = None, paths: bool = False) -> None:
        super().__init__()
        self.title_text = title
        self.placeholder = placeholder
        self.value = value
        self.check = check
        self.paths = paths

    def compose(self) -> ComposeResult:
        with Vertical():
            yield SafeLabel(self.title_text, classes="title")
            yield OrderedInput(self.value, placeholder=self.placeholder, id="answer")
            yield SafeStatic("", classes="error", id="error")
            if self.paths:
                yield Static("tab completes · enter applies · esc cancels", classes="hint")

    FIELD = "answer"

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return self.paths if action == "complete" else True

    def action_complete(self) -> None:
        completion = complete_path(self.field.value)
        self.field.value = completion.text
        self.field.cursor_position = len(completion.text)
        self.query_one("#error", Static).update(
            "  ".join(completion.choices[:MAX_CHOICES])
            + (" …" if len(completion.choices) > MAX_CHOICES else ""))

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        value = event.value.strip()
        problem = self.check(value) if self.check else ("" if value else "type something")
        if problem:
            self.query_one("#error", Static).update(problem)
            return
        self.dismiss(value)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ChoiceDialog(ModalScreen[int | None]):
    """One of several lines (a container of a pod); Enter picks the highlighted one."""

    DEFAULT_CSS = _CSS.format(name="ChoiceDialog") + \
        "ChoiceDialog OptionList { height: auto; max-height: 15; }"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="dialog.cancel"),
    ]

    def __init__(self, title: str, choices: Sequence[str], default: int = 0) -> None:
        super().__init__()
        self.title_text = title
        self.choices = list(choices)
        self.default = default

    def compose(self) -> ComposeResult:
        with Vertical():
            yield SafeLabel(self.title_text, classes="title")
            yield OptionList(*(safe(c, lines=False) for c in self.choices), id="choices")

    def on_mount(self) -> None:
        options = self.query_one("#choices", OptionList)
        options.highlighted = self.default
        options.focus()

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option_index)

    def action_cancel(self) -> None:
        self.dismiss(None)


class PortForwardDialog(ModalScreen[tuple[str, list[tuple[int, int]]] | None]):
    """The ports to forward (`LOCAL:REMOTE`, several at once) and the bind address,
    prefilled with every port the target offers on free local ports and 127.0.0.1."""

    DEFAULT_CSS = _CSS.format(name="PortForwardDialog")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="dialog.cancel"),
    ]

    def __init__(self, what: str, choices: Sequence[PortChoice],
                 address: str = "127.0.0.1") -> None:
        super().__init__()
        self.what = what
        self.choices = list(choices)
        self.address = address

    def compose(self) -> ComposeResult:
        offered = ", ".join(c.describe() for c in self.choices) or \
            "none declared: type the port"
        with Vertical():
            yield SafeLabel(f"Port-forward {self.what}", classes="title")
            yield SafeStatic(f"ports: {offered}", classes="hint")
            yield SafeLabel("LOCAL:REMOTE, several separated by commas")
            yield Input(suggested_ports(self.choices, self.address), id="ports")
            yield SafeLabel("bind address")
            yield Input(self.address, id="address")
            yield SafeStatic("", classes="error", id="error")

    def on_mount(self) -> None:
        self.query_one("#ports", Input).focus()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        pairs = parse_ports(self.query_one("#ports", Input).value, self.choices)
        address = parse_address(self.query_one("#address", Input).value)
        problem = pairs if isinstance(pairs, str) else (
            "" if address else "the bind address is not an IP address")
        if problem or address is None or isinstance(pairs, str):
            self.query_one("#error", SafeStatic).update(problem)
            return
        self.dismiss((address, pairs))

    def action_cancel(self) -> None:
        self.dismiss(None)


class PluginInputsDialog(ModalScreen[dict[str, str] | None]):
    """k9s's plugin inputs: a text field (string, number), a checkbox (bool) or a list
    (dropdown) each, prefilled with its default; Enter in a field or Run gives the values
    by input name (a checkbox as `true`/`false`), once every one is valid."""

    DEFAULT_CSS = _CSS.format(name="PluginInputsDialog") + \
        "PluginInputsDialog Checkbox { margin: 0; }"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="dialog.cancel"),
    ]

    def __init__(self, title: str, inputs: Sequence[PluginInput]) -> None:
        super().__init__()
        self.title_text = title
        self.inputs = list(inputs)

    def compose(self) -> ComposeResult:
        with Vertical():
            yield SafeLabel(self.title_text, classes="title")
            for i, field in enumerate(self.inputs):
                label = (field.label or field.name) + (" *" if field.required else "")
                if field.type == "bool":
                    yield Checkbox(safe(label), field.default == "true", id=f"input-{i}")
                    continue
                yield SafeLabel(label)
                if field.type == "dropdown":
                    yield Select([(safe(o), o) for o in field.options], id=f"input-{i}",
                                 value=field.default if field.default in field.options
                                 else Select.BLANK)
                else:
                    yield Input(visible(field.default), id=f"input-{i}",
                                type="number" if field.type == "number" else "text")
            yield SafeStatic("", classes="error", id="error")
            with Horizontal():
                yield Button("Cancel", id="cancel")
                yield Button("Run", id="run", variant="primary")

    def on_mount(self) -> None:
        if self.inputs:
            self.query_one("#input-0").focus()

    def values(self) -> dict[str, str]:
        found: dict[str, str] = {}
        for i, field in enumerate(self.inputs):
            widget = self.query_one(f"#input-{i}")
            if isinstance(widget, Checkbox):
                found[field.name] = "true" if widget.value else "false"
            elif isinstance(widget, Select):
                found[field.name] = "" if widget.value is Select.BLANK else str(widget.value)
            else:
                found[field.name] = widget.value.strip()  # type: ignore[attr-defined]
        return found

    def _submit(self) -> None:
        values = self.values()
        problem = next((p for f in self.inputs if (p := f.problem(values[f.name]))), None)
        if problem:
            self.query_one("#error", SafeStatic).update(problem)
            return
        self.dismiss(values)

    @on(Input.Submitted)
    def _entered(self, event: Input.Submitted) -> None:
        event.stop()
        self._submit()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "run":
            self._submit()
        else:
            self.dismiss(None)

    def action_cancel(self) -> None:
        self.dismiss(None)
