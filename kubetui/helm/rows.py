"""The Helm views' columns, as `helm list` and `helm history` print them (UPDATED shown as
an age, as kubetui shows times elsewhere)."""

from __future__ import annotations

from datetime import datetime

from kubetui.helm.releases import Revision
from kubetui.render.age import format_age

RELEASE_COLUMNS = ("NAME", "NAMESPACE", "REVISION", "STATUS", "CHART", "APP VERSION",
                   "UPDATED")
HISTORY_COLUMNS = ("REVISION", "UPDATED", "STATUS", "CHART", "APP VERSION", "DESCRIPTION")
#: Statuses drawn as trouble.
BAD_STATUSES = frozenset({"failed", "unknown"})
BUSY_STATUSES = frozenset({"pending-install", "pending-upgrade", "pending-rollback",
                           "uninstalling"})


def _age(rev: Revision, now: datetime) -> str:
    return format_age((now - rev.updated).total_seconds()) if rev.updated else "<unknown>"


def release_cells(rev: Revision, now: datetime) -> tuple[str, ...]:
    return (rev.name, rev.namespace, str(rev.revision), rev.status, rev.chart,
            rev.app_version, _age(rev, now))


def history_cells(rev: Revision, now: datetime) -> tuple[str, ...]:
    return (str(rev.revision), _age(rev, now), rev.status, rev.chart, rev.app_version,
            rev.description)
