"""The WebSocket channel protocols of exec, attach and (for older clients) port-forward.

Every binary message starts with a channel byte: 0 stdin, 1 stdout, 2 stderr, 3 error,
4 resize. `v4.channel.k8s.io` puts a `Status` on the error channel when the command ends
(`Success`, or `Failure` with reason `NonZeroExitCode` and an `ExitCode` cause) and reads
terminal sizes as `{"Width": w, "Height": h}` on the resize channel. `v5.channel.k8s.io`
adds the close signal: `[255, channel]` half-closes a channel (the client's end of stdin).

Port-forward over this framing (what the official Python client speaks, with
`v4.channel.k8s.io` and `?ports=`): port i has data channel 2i and error channel 2i+1, and
the server's first message on each channel is the port number, two bytes little-endian.
"""

from __future__ import annotations

from typing import Any

import orjson

V5 = "v5.channel.k8s.io"
V4 = "v4.channel.k8s.io"
EXEC_PROTOCOLS = (V5, V4)
STDIN, STDOUT, STDERR, ERROR, RESIZE = 0, 1, 2, 3, 4
CLOSE = 255


def frame(channel: int, data: bytes = b"") -> bytes:
    return bytes([channel]) + data


def success() -> dict[str, Any]:
    return {"metadata": {}, "status": "Success"}


def exit_status(argv: list[str], code: int) -> dict[str, Any]:
    """The Status for a command that exited non-zero (kubectl exits with the same code)."""
    return {"metadata": {}, "status": "Failure",
            "message": f"command terminated with non-zero exit code: error executing "
                       f"command [{' '.join(argv)}], exit code {code}",
            "reason": "NonZeroExitCode",
            "details": {"causes": [{"reason": "ExitCode", "message": str(code)}]}}


def internal_error(message: str) -> dict[str, Any]:
    return {"metadata": {}, "status": "Failure",
            "message": f"Internal error occurred: {message}", "reason": "InternalError",
            "details": {"causes": [{"message": message}]}, "code": 500}


def status_bytes(status: dict[str, Any]) -> bytes:
    return orjson.dumps({"kind": "Status", "apiVersion": "v1", **status})


def parse_resize(data: bytes) -> tuple[int, int] | None:
    try:
        doc = orjson.loads(data)
        return int(doc.get("Width", 0)), int(doc.get("Height", 0))
    except (orjson.JSONDecodeError, AttributeError, TypeError, ValueError):
        return None
