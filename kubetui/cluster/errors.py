"""The two errors the cluster layer raises; their str() is meant to be shown to a person,
and how a YAML file's syntax error is put to one."""

from __future__ import annotations


class ConfigError(Exception):
    """A kubeconfig or credentials problem, naming the file concerned."""


class ClusterError(Exception):
    """A request that failed: no answer (`status` None: unreachable, TLS, timeout) or an
    error status, with the server's `reason` (Expired, Forbidden, NotFound, ...)."""

    def __init__(self, message: str, status: int | None = None, reason: str = "",
                 retry_after: float | None = None, causes: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.status = status
        self.reason = reason
        self.retry_after = retry_after
        self.causes = causes  # the Status's details.causes[].reason

    @property
    def expired(self) -> bool:
        """410 Gone: a resourceVersion or continue token older than the server keeps."""
        return self.status == 410

    @property
    def too_large_rv(self) -> bool:
        """504 Timeout with cause ResourceVersionTooLarge: the server has not reached the
        resourceVersion asked for (restored from a backup, or another server)."""
        return self.status == 504 and "ResourceVersionTooLarge" in self.causes


def yaml_problem(error: Exception) -> str:
    """" (line 3): mapping values are not allowed here" from a yaml.YAMLError: where and
    what, without the library's multi-line context dump."""
    mark = getattr(error, "problem_mark", None)
    line = f" (line {mark.line + 1})" if mark is not None else ""
    return f"{line}: {getattr(error, 'problem', None) or error}"
