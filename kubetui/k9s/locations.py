"""Where k9s keeps its configuration (k9s `internal/config/files.go` and the XDG library it
uses): `$K9S_CONFIG_DIR` when set, else the per-OS XDG config home + `k9s`:

- Unix: `$XDG_CONFIG_HOME/k9s` (`~/.config/k9s` without the variable)
- macOS: `~/Library/Application Support/k9s` (or `$XDG_CONFIG_HOME/k9s`)
- Windows: `%LOCALAPPDATA%\\k9s`

`aliases.yaml`, `hotkeys.yaml` and `plugins.yaml` sit in that folder. Plugins are also read
from every `k9s/plugins` folder under the XDG data dirs, the data home and the config home
(k9s's plugin loader), one file per plugin or several plugins per file.

k9s also keeps per-context copies of the three files, in
`clusters/<cluster>/<context>/` under `$K9S_CONFIG_DIR` (when set) or the XDG data home's
`k9s` (`:` and `/` in the names become `-`). kubetui does not read those: `context_files`
finds them so that the app can say so.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

APP = "k9s"
K9S_FILES = ("aliases.yaml", "hotkeys.yaml", "plugins.yaml")
_UNSAFE = re.compile(r"[:/]+")  # k9s's data.SanitizeFileName


@dataclass(frozen=True)
class K9sLocations:
    config_dir: Path
    plugin_dirs: tuple[Path, ...]  # searched in this order; later definitions win
    contexts_dir: Path | None = None  # k9s's per-context folders ("clusters")

    def context_files(self, cluster: str, context: str) -> list[Path]:
        """k9s's per-context aliases, hotkeys and plugins files of `context` that exist."""
        if self.contexts_dir is None:
            return []
        folder = self.contexts_dir / _UNSAFE.sub("-", cluster) / _UNSAFE.sub("-", context)
        return [folder / name for name in K9S_FILES if (folder / name).is_file()]

    @property
    def aliases_file(self) -> Path:
        return self.config_dir / "aliases.yaml"

    @property
    def hotkeys_file(self) -> Path:
        return self.config_dir / "hotkeys.yaml"

    @property
    def plugins_file(self) -> Path:
        return self.config_dir / "plugins.yaml"


def _xdg_homes(env: Mapping[str, str], platform: str, home: Path
               ) -> tuple[Path, Path, list[Path]]:
    """(config home, data home, data dirs) as the XDG library k9s uses picks them."""
    if platform == "darwin":
        support = home / "Library" / "Application Support"
        default_config, default_data = support, support
        default_dirs = [Path("/Library/Application Support")]
    elif platform.startswith("win"):
        local = Path(env.get("LOCALAPPDATA") or home / "AppData" / "Local")
        default_config, default_data = local, local
        default_dirs = [Path(p) for p in (env.get("APPDATA"), env.get("PROGRAMDATA")) if p]
    else:
        default_config, default_data = home / ".config", home / ".local" / "share"
        default_dirs = [Path("/usr/local/share"), Path("/usr/share")]
    config_home = Path(env["XDG_CONFIG_HOME"]) if env.get("XDG_CONFIG_HOME") \
        else default_config
    data_home = Path(env["XDG_DATA_HOME"]) if env.get("XDG_DATA_HOME") else default_data
    data_dirs = [Path(p) for p in env.get("XDG_DATA_DIRS", "").split(os.pathsep) if p] \
        or default_dirs
    return config_home, data_home, data_dirs


def locate(env: Mapping[str, str] | None = None, platform: str | None = None,
           home: Path | None = None) -> K9sLocations:
    env = os.environ if env is None else env
    platform = platform or sys.platform
    home = home or Path.home()
    config_home, data_home, data_dirs = _xdg_homes(env, platform, home)
    explicit = bool(env.get("K9S_CONFIG_DIR"))
    config_dir = Path(env["K9S_CONFIG_DIR"]) if explicit else config_home / APP
    plugin_dirs = tuple(dict.fromkeys(
        d / APP / "plugins" for d in (*data_dirs, data_home, config_home)))
    contexts_dir = config_dir / "clusters" if explicit else data_home / APP / "clusters"
    return K9sLocations(config_dir=config_dir, plugin_dirs=plugin_dirs,
                        contexts_dir=contexts_dir)
