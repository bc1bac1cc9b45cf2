"""API errors as the real server reports them: a `Status` object with code and reason."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

_REASONS = {
    400: "BadRequest",
    401: "Unauthorized",
    403: "Forbidden",
    404: "NotFound",
    405: "MethodNotAllowed",
    406: "NotAcceptable",
    409: "Conflict",
    410: "Expired",
    415: "UnsupportedMediaType",
    422: "Invalid",
    429: "TooManyRequests",
    500: "InternalError",
    503: "ServiceUnavailable",
    504: "Timeout",
}


@dataclass
class ApiError(Exception):
    """Raised anywhere in the sandbox; the server turns it into a Status response."""

    code: int
    message: str
    reason: str = ""
    details: dict[str, Any] | None = None  # {} is sent as is: clients read its fields
    headers: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.reason:
            self.reason = _REASONS.get(self.code, "Unknown")
        super().__init__(self.message)

    def status(self) -> dict[str, Any]:
        """In metav1.Status's field order, as the real server writes it: details (when
        there are any) come before code."""
        out: dict[str, Any] = {
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": self.message,
            "reason": self.reason,
        }
        if self.details is not None:
            out["details"] = self.details
        out["code"] = self.code
        return out


def _details(kind_plural: str, name: str, group: str) -> dict[str, Any]:
    d: dict[str, Any] = {"name": name, "kind": kind_plural}
    if group:
        d["group"] = group
    return d


def _qualified(plural: str, group: str) -> str:
    return f"{plural}.{group}" if group else plural


def not_found(group: str, plural: str, name: str) -> ApiError:
    return ApiError(404, f'{_qualified(plural, group)} "{name}" not found',
                    details=_details(plural, name, group))


def already_exists(group: str, plural: str, name: str) -> ApiError:
    return ApiError(409, f'{_qualified(plural, group)} "{name}" already exists',
                    reason="AlreadyExists", details=_details(plural, name, group))


def conflict(group: str, plural: str, name: str) -> ApiError:
    return ApiError(
        409,
        f'Operation cannot be fulfilled on {_qualified(plural, group)} "{name}": the object '
        "has been modified; please apply your changes to the latest version and try again",
        reason="Conflict", details=_details(plural, name, group))


def invalid(kind: str, group: str, name: str, causes: list[tuple[str, str, str]]) -> ApiError:
    """422 with causes given as (field, reason type, message)."""
    parts = [f"{f}: {m}" for f, _, m in causes]
    text = parts[0] if len(parts) == 1 else "[" + ", ".join(parts) + "]"
    details = _details(kind, name, group)
    details["causes"] = [{"reason": t, "message": m, "field": f} for f, t, m in causes]
    qualified = f"{kind}.{group}" if group else kind
    return ApiError(422, f'{qualified} "{name}" is invalid: {text}', details=details)


def bad_request(message: str) -> ApiError:
    return ApiError(400, message)


def expired(message: str = "too old resource version") -> ApiError:
    return ApiError(410, message, reason="Expired")


def too_large_resource_version(requested: int, current: int, retry_seconds: int = 1
                               ) -> ApiError:
    """A resourceVersion the server has not reached, as the apiserver's storage reports it
    (storage.NewTooLargeResourceVersionError): 504 Timeout with a ResourceVersionTooLarge
    cause; client-go's reflector relists on it."""
    return ApiError(504, f"Timeout: Too large resource version: {requested}, current: "
                         f"{current}", reason="Timeout",
                    details={"causes": [{"reason": "ResourceVersionTooLarge",
                                         "message": "Too large resource version"}],
                             "retryAfterSeconds": retry_seconds})

