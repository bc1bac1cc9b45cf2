"""k9s's `aliases.yaml`: a name for a resource, or for a whole command line.

```yaml
aliases:
  pp: v1/pods                                            # group/version/resource
  crb: rbac.authorization.k8s.io/v1/clusterrolebindings
  fred: pod fred app=blee                                # pods in namespace fred, app=blee
```

A command line is read as k9s's interpreter reads it: the first word is a resource (or
another alias), then a plain word is a namespace, a word with `=` a label selector, `@x` a
context and `/x` a filter. Words typed after an alias override the alias's own.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from kubetui.k9s.problems import Problem, read_mapping

#: How deep an alias may refer to other aliases before it is called a loop.
MAX_DEPTH = 10


@dataclass(frozen=True)
class CommandLine:
    """`:resource [namespace] [labels] [@context] [/filter]`, parsed."""

    resource: str
    namespace: str = ""
    labels: str = ""
    context: str = ""
    filter: str = ""

    @classmethod
    def parse(cls, text: str) -> CommandLine | None:
        words = text.strip().lstrip(":").split()
        if not words:
            return None
        line = cls(resource=words[0])
        for word in words[1:]:
            if word.startswith("@"):
                line = replace(line, context=word[1:])
            elif word.startswith("/"):
                line = replace(line, filter=word[1:])
            elif "=" in word:
                line = replace(line, labels=word)
            else:
                line = replace(line, namespace=word.lower())
        return line

    @property
    def text(self) -> str:
        """The line as it would be typed after `:`."""
        words = [self.resource, self.namespace, self.labels,
                 f"@{self.context}" if self.context else "",
                 f"/{self.filter}" if self.filter else ""]
        return " ".join(w for w in words if w)

    def over(self, base: CommandLine) -> CommandLine:
        """`base` with this line's resource and every argument this line gives."""
        return CommandLine(
            resource=self.resource, namespace=self.namespace or base.namespace,
            labels=self.labels or base.labels, context=self.context or base.context,
            filter=self.filter or base.filter)


def resource_name(target: str) -> str:
    """k9s writes resources as `group/version/resource` or `version/resource`; kubetui's
    command line takes `resource.group` (or the bare resource for the core group)."""
    parts = target.split("/")
    if len(parts) == 3:
        group, _version, resource = parts
        return f"{resource}.{group}" if group else resource
    if len(parts) == 2:
        return parts[1]
    return target


@dataclass(frozen=True)
class Aliases:
    """Alias name -> the command line it stands for (and the file that says so)."""

    lines: Mapping[str, CommandLine]
    sources: Mapping[str, Path] = field(default_factory=dict)

    def expand(self, text: str) -> tuple[CommandLine | None, str | None]:
        """The command line `text` means once aliases are followed, and an error message
        when they loop. A line whose first word is no alias comes back parsed as is."""
        line = CommandLine.parse(text)
        if line is None:
            return None, None
        seen: list[str] = []
        while line.resource.lower() in self.lines:
            name = line.resource.lower()
            if name in seen or len(seen) >= MAX_DEPTH:
                return None, f"alias {seen[0]!r} loops: {' -> '.join([*seen, name])}"
            seen.append(name)
            target = self.lines[name]
            line = replace(line, resource=target.resource).over(target)
        return line, None


def parse_aliases(path: Path, data: Mapping[str, object]) -> tuple[dict[str, CommandLine],
                                                                   list[Problem]]:
    problems = [Problem(path, str(key), "unknown setting (k9s knows 'aliases')")
                for key in data if key != "aliases"]
    entries = data.get("aliases") or {}
    if not isinstance(entries, Mapping):
        return {}, [*problems, Problem(path, "aliases", "must map alias names to commands")]
    lines: dict[str, CommandLine] = {}
    for name, target in entries.items():
        line = CommandLine.parse(target) if isinstance(target, str) else None
        if not isinstance(name, str) or not name.strip() or " " in name.strip():
            problems.append(Problem(path, str(name), "an alias is one word"))
        elif line is None:
            problems.append(Problem(path, name, "must name a resource or a command, e.g. "
                                                "'v1/pods' or 'pod fred app=blee'"))
        else:
            lines[name.strip().lower()] = replace(line, resource=resource_name(line.resource))
    return lines, problems


def load_aliases(path: Path) -> tuple[dict[str, CommandLine], list[Problem]]:
    data, problems = read_mapping(path)
    if data is None:
        return {}, problems
    return parse_aliases(path, data)
