"""The README's key-binding tables, generated from the BINDINGS of the app, its screens and
widgets, so that the documentation cannot drift from the code.

    python scripts/keys.py           # print the tables
    python scripts/keys.py --write   # replace them in README.md

`tests/test_readme.py` fails when README.md holds anything else between the markers.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # this checkout's kubetui

from textual.binding import Binding  # noqa: E402
from textual.dom import DOMNode  # noqa: E402
from textual.keys import format_key  # noqa: E402

from kubetui.model.rows import sort_letters  # noqa: E402
from kubetui.render import columns_for  # noqa: E402
from kubetui.ui.app import KubetuiApp  # noqa: E402
from kubetui.ui.screens.containers_screen import ContainersScreen  # noqa: E402
from kubetui.ui.screens.contexts import ContextPicker  # noqa: E402
from kubetui.ui.screens.dialogs import (  # noqa: E402
    ChoiceDialog, ConfirmDialog, PortForwardDialog, PromptDialog, ScaleDialog, SetImageDialog)
from kubetui.ui.screens.events_screen import EventsScreen  # noqa: E402
from kubetui.ui.screens.helm_screens import HelmScreen, HistoryScreen, ObjectsScreen  # noqa: E402
from kubetui.ui.screens.help import HelpScreen  # noqa: E402
from kubetui.ui.screens.log_screen import LogScreen  # noqa: E402
from kubetui.ui.screens.object_screens import DescribeScreen, YamlScreen  # noqa: E402
from kubetui.ui.screens.portforwards_screen import PortForwardsScreen  # noqa: E402
from kubetui.ui.screens.problems_screen import ProblemsScreen  # noqa: E402
from kubetui.ui.screens.pulses_screen import PulsesScreen  # noqa: E402
from kubetui.ui.screens.rollout_screen import RolloutScreen  # noqa: E402
from kubetui.ui.screens.xray_screen import XrayScreen  # noqa: E402
from kubetui.ui.widgets.log_view import LogView  # noqa: E402
from kubetui.ui.widgets.prompt_bar import PromptBar  # noqa: E402
from kubetui.ui.widgets.resource_table import ResourceTable  # noqa: E402
from kubetui.ui.widgets.text_view import TextView  # noqa: E402

README = Path(__file__).resolve().parent.parent / "README.md"
BEGIN, END = "<!-- keys:begin -->", "<!-- keys:end -->"
SECTION = re.compile(f"{re.escape(BEGIN)}\n?(.*?)\n?{re.escape(END)}", re.S)

#: (heading, the classes whose own BINDINGS apply there), as a person meets them.
VIEWS: list[tuple[str, list[type[DOMNode]]]] = [
    ("Everywhere on the main screen", [KubetuiApp]),
    ("Resource tables", [ResourceTable]),
    ("Command line (`:`) and filter (`/`)", [PromptBar]),
    ("Describe (`d`) and YAML (`y`)", [DescribeScreen, TextView, YamlScreen]),
    ("Events (`:ev`)", [EventsScreen]),
    ("Problems (`:problems`, `!`)", [ProblemsScreen]),
    ("Containers (Enter on a pod)", [ContainersScreen]),
    ("Pulses (`:pulses`)", [PulsesScreen]),
    ("Xray (`:xray KIND [NAME]`)", [XrayScreen]),
    ("Logs (`l`)", [LogScreen, LogView]),
    ("Rollout (`o` on a Deployment)", [RolloutScreen]),
    ("Port-forwards (`:pf`)", [PortForwardsScreen]),
    ("Helm releases (`:helm`)", [HelmScreen, HistoryScreen, ObjectsScreen]),
    ("Dialogs", [ConfirmDialog, ScaleDialog, SetImageDialog, PromptDialog, ChoiceDialog,
                 PortForwardDialog]),
    ("Contexts (`:ctx`)", [ContextPicker]),
    ("Help (`?`)", [HelpScreen]),
]


def key_display(binding: Binding) -> str:
    """`a, b` for a binding of several keys, each as Textual's footer names it."""
    if binding.key_display:
        return binding.key_display
    shown = []
    for key in binding.key.split(","):
        *modifiers, name = key.strip().split("+")
        shown.append("+".join([*modifiers, format_key(name)]))
    return ", ".join(shown)


def own_bindings(cls: type[DOMNode]) -> list[Binding]:
    """The bindings `cls` and its kubetui bases declare (not Textual's), those a person
    can use."""
    return [b for base in cls.__mro__ if base.__module__.startswith("kubetui.")
            for b in base.__dict__.get("BINDINGS", ())
            if isinstance(b, Binding) and b.description and not b.system]


def render() -> str:
    out: list[str] = []
    seen: set[tuple[str, str]] = set()
    for heading, classes in VIEWS:
        rows = []
        for cls in classes:
            for b in own_bindings(cls):
                if (heading, b.id or b.action) not in seen:
                    seen.add((heading, b.id or b.action))
                    rows.append(f"| `{key_display(b)}` | {b.description} | "
                                f"{f'`{b.id}`' if b.id else '-'} |")
        out += [f"**{heading}**", "", "| Keys | Action | Binding id |", "| --- | --- | --- |",
                *rows, ""]
    letters = sort_letters(c.name for c in columns_for("Pod"))
    out.append("Sorting: `shift+letter` sorts by a column and again reverses it; the letter "
               "is k9s's where k9s has one (binding id `table.sort.<column>`, lower case, "
               "spaces as `-`). For pods: " +
               ", ".join(f"`{letter}` {name}" for name, letter in letters.items()) + ".")
    return "\n".join(out)


def section(text: str) -> str:
    """What README text holds between the markers."""
    found = SECTION.search(text)
    if found is None:
        raise ValueError(f"README.md has no {BEGIN} ... {END} section")
    return found.group(1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="update README.md in place")
    args = parser.parse_args()
    tables = render()
    if not args.write:
        print(tables)
        return 0
    text = README.read_text()
    section(text)  # the markers must be there
    README.write_text(SECTION.sub(lambda _: f"{BEGIN}\n{tables}\n{END}", text, count=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
