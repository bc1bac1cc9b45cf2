"""Everything kubetui takes from k9s's files, merged with kubetui's own config file, which
may add or replace aliases, hotkeys and plugins under the same keys k9s uses (`aliases:`,
`hotKeys:`, `plugins:`): an entry of the same name in kubetui's file wins."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from kubetui.k9s.aliases import Aliases, load_aliases, parse_aliases
from kubetui.k9s.hotkeys import HotKey, load_hotkeys, parse_hotkeys
from kubetui.k9s.locations import K9sLocations, locate
from kubetui.k9s.plugins import Plugin, load_plugins, parse_plugins
from kubetui.k9s.problems import Problem

@dataclass(frozen=True)
class K9sSetup:
    aliases: Aliases = field(default_factory=lambda: Aliases({}))
    hotkeys: tuple[HotKey, ...] = ()
    plugins: tuple[Plugin, ...] = ()
    problems: tuple[Problem, ...] = ()
    locations: K9sLocations | None = None

    def unread_context_files(self, cluster: str, context: str) -> list[Problem]:
        """k9s's per-context files of `context`, which kubetui does not read, as
        problems to report."""
        found = self.locations.context_files(cluster, context) if self.locations else []
        return [Problem(path, "", f"k9s's file for context {context!r} is not read by "
                                  "kubetui; put its entries in "
                                  f"{self.locations.config_dir / path.name} "  # type: ignore[union-attr]
                                  "or kubetui's config file")
                for path in found]


def load_k9s_setup(locations: K9sLocations | None = None,
                   own: Mapping[str, object] | None = None,
                   own_path: Path | None = None) -> K9sSetup:
    """Read k9s's files from `locations` (default: where k9s looks), then the k9s-shaped
    sections of kubetui's own config (`own`, read from `own_path`)."""
    where = locations or locate()
    own, own_path = own or {}, own_path or Path("config.yaml")
    aliases, problems = load_aliases(where.aliases_file)
    sources = dict.fromkeys(aliases, where.aliases_file)
    hotkeys_list, bad = load_hotkeys(where.hotkeys_file)
    problems += bad
    plugins, bad = load_plugins([where.plugins_file], where.plugin_dirs)
    problems += bad
    hotkeys = {h.name: h for h in hotkeys_list}
    if "aliases" in own:
        found, bad = parse_aliases(own_path, {"aliases": own["aliases"]})
        aliases.update(found)
        sources.update(dict.fromkeys(found, own_path))
        problems += bad
    if "hotKeys" in own:
        keys, bad = parse_hotkeys(own_path, {"hotKeys": own["hotKeys"]})
        hotkeys.update((h.name, h) for h in keys)
        problems += bad
    if "plugins" in own:
        more, bad = parse_plugins(own_path, {"plugins": own["plugins"]})
        plugins.update((p.name, p) for p in more)
        problems += bad
    return K9sSetup(aliases=Aliases(aliases, sources), hotkeys=tuple(hotkeys.values()),
                    plugins=tuple(plugins.values()), problems=tuple(problems), locations=where)
