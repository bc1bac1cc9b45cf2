"""What could not be used in a k9s file, and reading a YAML file into a mapping."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from kubetui.cluster.errors import yaml_problem


@dataclass(frozen=True)
class Problem:
    """One entry (or a whole file) that was skipped, and why."""

    path: Path
    entry: str  # "" when the whole file is at fault
    message: str

    def __str__(self) -> str:
        where = f"{self.path}: {self.entry!r}" if self.entry else str(self.path)
        return f"{where}: {self.message}"


def read_mapping(path: Path) -> tuple[dict[str, Any] | None, list[Problem]]:
    """The file's top-level mapping; None (and no problem) when the file does not exist."""
    if not path.is_file():
        return None, []
    try:
        data = yaml.safe_load(path.read_text())
    except OSError as e:
        return None, [Problem(path, "", f"cannot read: {e.strerror}")]
    except (yaml.YAMLError, UnicodeDecodeError) as e:
        detail = yaml_problem(e) if isinstance(e, yaml.YAMLError) else ": not UTF-8 text"
        return None, [Problem(path, "", f"not valid YAML{detail}")]
    if data is None:
        return {}, []
    if not isinstance(data, dict):
        return None, [Problem(path, "", "expected a mapping at the top")]
    return data, []
