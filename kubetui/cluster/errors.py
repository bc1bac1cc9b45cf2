"""The two errors the cluster layer raises; their str() is meant to be shown to a person."""

from __future__ import annotations


class ConfigError(Exception):
    """A kubeconfig or credentials problem, naming the file concerned."""


class ClusterError(Exception):
    """A request that failed: no answer (`status` None: unreachable, TLS, timeout) or an
    error status, with the server's `reason` (Expired, Forbidden, NotFound, ...)."""

    def __init__(self, message: str, status: int | None = None, reason: str = "",
                 retry_after: float | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.reason = reason
        self.retry_after = retry_after

    @property
    def expired(self) -> bool:
        """410 Gone: a resourceVersion or continue token older than the server keeps."""
        return self.status == 410
