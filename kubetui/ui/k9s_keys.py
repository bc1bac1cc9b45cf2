"""k9s's hotkeys and plugins as keys of the main view (`K9sKeys`, mixed into the app).

The keys are bound when the app starts, so they appear in `?` help and the command
palette like every other binding. A hotkey runs its `:` command. A plugin runs on the
selected row with k9s's variables substituted (its `inputs` asked first, in a dialog, as
`$INPUT_<NAME>`), through its `pipes`: in the foreground with kubetui suspended, or in the
background with its output shown in a view afterwards (in a notification with
`overwriteOutput: true`). `--readonly` refuses a
plugin marked `dangerous: true` (k9s's mark) and hides its key. A plugin key that another
binding already uses is skipped, and reported, unless the plugin says `override: true`
(k9s's rule)."""

from __future__ import annotations

import os
from pathlib import Path

from textual import work
from textual.keys import _character_to_key

from kubetui.k9s.plugins import Plugin
from kubetui.k9s.problems import Problem
from kubetui.k9s.run import plugin_variables, run_in_background, run_in_foreground
from kubetui.k9s.setup import K9sSetup, load_k9s_setup
from kubetui.k9s.variables import substitute


__all__ = ["K9sKeys", "textual_key"]

#: A background plugin is stopped after this long.
BACKGROUND_TIMEOUT = 300.0


def textual_key(key: str) -> str:
    """Textual's name for a k9s key (`)` -> `right_parenthesis`)."""
    return _character_to_key(key) if len(key) == 1 and not key.isalnum() else key


class K9sKeys:
    """Mixed into `KubetuiApp`."""

    k9s: K9sSetup
    _told_context_files: set[Path]

    def load_k9s(self) -> None:
        self.k9s = load_k9s_setup(own=self.user_config.k9s, own_path=self.user_config.path)
        self._told_context_files = set()

    def bind_k9s_keys(self, taken: set[str]) -> list[Problem]:
        """Bind hotkeys and plugins over the keys in `taken`; the entries left out."""
        problems: list[Problem] = []
        entries = [(h, f"k9s_hotkey({h.name!r})", h.description, "hotkeys.yaml")
                   for h in self.k9s.hotkeys]
        entries += [(p, f"k9s_plugin({p.name!r})", f"{p.description} (plugin)",
                     "plugins.yaml") for p in self.k9s.plugins]
        for entry, action, description, file in entries:
            key = textual_key(entry.key)
            if key in taken and not entry.override:
                problems.append(Problem(entry.source or Path(file), entry.name,
                                        f"key {entry.shortcut} is already used; set "
                                        "override: true to take it"))
                continue
            for node in (self, self.main_table):  # override: the key's other meanings go
                node._bindings.key_to_bindings.pop(key, None)
            taken.add(key)
            self.bind(key, action, description=description)
        return problems

    def report_context_files(self, contexts: list[tuple[str, str]]) -> None:
        """Say once which of k9s's per-context files of `contexts` ((cluster, context)
        pairs just connected) kubetui leaves unread."""
        problems = [p for cluster, context in contexts
                    for p in self.k9s.unread_context_files(cluster, context)
                    if p.path not in self._told_context_files]
        self._told_context_files |= {p.path for p in problems}
        self.report_k9s_problems(problems)

    def report_k9s_problems(self, problems: list[Problem]) -> None:
        for problem in problems:
            self.notify(str(problem), title="k9s configuration", severity="warning",
                        timeout=10)

    # -- hotkeys
    async def action_k9s_hotkey(self, name: str) -> None:
        hotkey = next((h for h in self.k9s.hotkeys if h.name == name), None)
        if hotkey is not None:
            await self._run_command(substitute(hotkey.command, self._k9s_variables()))

    # -- plugins
    def plugin_named(self, name: str) -> Plugin | None:
        return next((p for p in self.k9s.plugins if p.name == name), None)

    def plugin_refusal(self, plugin: Plugin) -> str | None:
        """Why the plugin cannot run here and now; None when it can."""
        if self.readonly and plugin.dangerous:
            return f"read-only: plugin {plugin.name} is marked dangerous"
        view = self.view
        if view is None or not plugin.applies_to(view.kind.aliases):
            return f"plugin {plugin.name} does not apply to this view"
        return None

    async def action_k9s_plugin(self, name: str) -> None:
        plugin = self.plugin_named(name)
        if plugin is None:
            return
        refusal = self.plugin_refusal(plugin)
        if refusal is not None:
            self.notify(refusal, severity="warning")
            return
        if self.main_table.selected_entry is None:
            self.notify("nothing selected", severity="warning")
            return
        self._run_plugin(plugin, self._k9s_variables())

    @work(group="plugins", exit_on_error=False)
    async def _run_plugin(self, plugin: Plugin, variables: dict[str, str]) -> None:
        from kubetui.ui.screens.dialogs import ConfirmDialog, PluginInputsDialog
        from kubetui.ui.screens.text_screen import TextScreen

        if plugin.inputs:  # asked first, then confirmed with the values in (k9s's order)
            values = await self.push_screen(PluginInputsDialog(
                f"Plugin {plugin.name}: {plugin.description}", plugin.inputs),
                wait_for_dismiss=True)
            if values is None:
                return
            variables |= {i.variable: values[i.name] for i in plugin.inputs}
        commands = plugin.commands(variables)
        line = " | ".join(" ".join(c) for c in commands)
        if plugin.confirm and not await self.push_screen(ConfirmDialog(
                f"Run plugin {plugin.name}?", line, "Run", danger=plugin.dangerous),
                wait_for_dismiss=True):
            return
        if plugin.background:
            self.notify(f"plugin {plugin.name} started: {line}")
            out = await run_in_background(commands[0], timeout=BACKGROUND_TIMEOUT,
                                          pipes=commands[1:])
            status = "finished" if out.ok else (
                "could not start" if out.returncode is None else f"exited {out.returncode}")
            if plugin.overwrite_output:  # k9s: the output is the message
                self.notify(out.output.strip() or f"(no output) {status}",
                            title=f"Plugin {plugin.name}",
                            severity="information" if out.ok else "error")
                return
            self.push_screen(TextScreen(f"Plugin {plugin.name} · {status} · {line}",
                                        out.output or "(no output)\n"))
            return
        try:
            with self.suspend():
                run_in_foreground(commands)
        except OSError as e:
            self.notify(f"cannot run {e.filename or commands[0][0]!r}: {e.strerror}",
                        severity="error")
        except Exception as e:  # SuspendNotSupported: no terminal to hand over
            self.notify(f"plugin {plugin.name} needs a terminal: {e}", severity="error")

    def _k9s_variables(self) -> dict[str, str]:
        """k9s's variables for the selected row of the main view."""
        session, view = self.session, self.view
        entry = self.main_table.selected_entry
        info = session.info if session is not None else self.kubeconfig.context(
            self.context_name)
        kubeconfig = self.settings.kubeconfig or os.environ.get("KUBECONFIG", "")
        cells = self.main_table.selected_cells or ()
        columns = {c.name: cell for c, cell in zip(self._columns, cells, strict=False)}
        return plugin_variables(
            context=info.name, cluster=info.cluster, user=info.user, kubeconfig=kubeconfig,
            namespace=entry.namespace if entry else (self.namespace or ""),
            name=entry.name if entry else "", filter=self.main_table.filter.text,
            group=view.kind.group if view else "", version=view.kind.version if view else "",
            resource=view.kind.plural if view else "", columns=columns)
