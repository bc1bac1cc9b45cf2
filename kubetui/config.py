"""What kubetui is asked to do: the launch settings and the user's config file.

The config file lives at `$XDG_CONFIG_HOME/kubetui/config.yaml` (`~/.config/...` without
the variable). Every key is optional:

```yaml
theme: nord              # any Textual theme name
readonly: true           # hide and refuse every action that changes the cluster
log_buffer: 100000       # lines kept by a log view
scale_ceiling: 1000      # the scale dialog refuses replica counts above this
metrics_interval: 15     # seconds between metrics.k8s.io reads (never faster than the server's)
keymap:                  # binding id -> keys (comma separated); `?` lists the ids
  app.filter: ctrl+f
  app.back: escape,backspace
aliases: {}              # k9s-shaped aliases, hotKeys and plugins, added to those of
hotKeys: {}              # k9s's own files (kubetui.k9s); an entry of the same name here
plugins: {}              # wins
```
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from kubetui.cluster.errors import yaml_problem
from kubetui.cluster.reflector import StoreSettings

DEFAULT_LOG_BUFFER = 100_000
DEFAULT_SCALE_CEILING = 1000
DEFAULT_METRICS_INTERVAL = 15


class ConfigFileError(Exception):
    """The config file cannot be used; the message names the file and the problem."""


@dataclass(frozen=True)
class UserConfig:
    keymap: dict[str, str] = field(default_factory=dict)
    theme: str | None = None
    readonly: bool = False
    log_buffer: int = DEFAULT_LOG_BUFFER
    scale_ceiling: int = DEFAULT_SCALE_CEILING
    metrics_interval: int = DEFAULT_METRICS_INTERVAL
    path: Path | None = None  # where it was read from (None: defaults, no file)
    k9s: dict[str, Any] = field(default_factory=dict)  # aliases/hotKeys/plugins, unparsed


@dataclass
class Settings:
    """One launch of the UI, as the command line (or a test) asks for it."""

    kubeconfig: str | None = None  # None: $KUBECONFIG or ~/.kube/config
    context: str | None = None  # None: the kubeconfig's current-context
    namespace: str | None = None  # None: the context's namespace
    all_namespaces: bool = False
    readonly: bool = False  # or-ed with the config file's `readonly`
    view: str | None = None  # the resource to show first (k9s's -c), e.g. "deploy"; None: pods
    config_path: Path | None = None  # None: the XDG location
    store: StoreSettings = field(default_factory=StoreSettings)
    #: Open on the context's last view (kubetui.view_state); the CLI sets it unless
    #: --no-restore. -n / -A still choose the namespace.
    restore: bool = False


def default_config_path() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "kubetui" / "config.yaml"


def load_user_config(path: Path | None = None) -> UserConfig:
    """Read the config file; a missing file means the defaults."""
    path = path or default_config_path()
    if not path.is_file():
        return UserConfig()
    try:
        data = yaml.safe_load(path.read_text())
    except OSError as e:
        raise ConfigFileError(f"cannot read config file {path}: {e.strerror}") from None
    except yaml.YAMLError as e:
        raise ConfigFileError(f"config file {path} is not valid YAML{yaml_problem(e)}") \
            from None
    if data is None:
        return UserConfig(path=path)
    if not isinstance(data, dict):
        raise ConfigFileError(f"config file {path}: expected a mapping at the top")
    return _parse(path, data)


_KEYS = ("keymap", "theme", "readonly", "log_buffer", "scale_ceiling", "metrics_interval",
         "aliases", "hotKeys", "plugins")


def _parse(path: Path, data: dict[str, Any]) -> UserConfig:
    def bad(message: str) -> ConfigFileError:
        return ConfigFileError(f"config file {path}: {message}")

    unknown = sorted(str(k) for k in data if k not in _KEYS)
    if unknown:
        raise bad(f"unknown setting {unknown[0]!r} (known: {', '.join(_KEYS)})")
    keymap = data.get("keymap") or {}
    if not isinstance(keymap, dict) or not all(
            isinstance(k, str) and isinstance(v, str) and v.strip() for k, v in keymap.items()):
        raise bad("'keymap' must map binding ids to keys, e.g. `app.filter: ctrl+f`")
    theme = data.get("theme")
    if theme is not None and not isinstance(theme, str):
        raise bad("'theme' must be a theme name")
    readonly = data.get("readonly", False)
    if not isinstance(readonly, bool):
        raise bad("'readonly' must be true or false")
    counts = {}
    for key, default, what in (("log_buffer", DEFAULT_LOG_BUFFER, "lines"),
                               ("scale_ceiling", DEFAULT_SCALE_CEILING, "replicas"),
                               ("metrics_interval", DEFAULT_METRICS_INTERVAL, "seconds")):
        value = data.get(key, default)
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise bad(f"'{key}' must be a positive number of {what}")
        counts[key] = value
    k9s = {key: data[key] for key in ("aliases", "hotKeys", "plugins") if key in data}
    return UserConfig(keymap=dict(keymap), theme=theme, readonly=readonly, path=path,
                      k9s=k9s, **counts)
