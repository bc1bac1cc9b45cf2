"""What a simulated image holds, read from its name as the kubelet reads behaviours:

- ``distroless`` in the name: no shell and no utilities at all (exec of `sh` fails as it
  does on a real cluster; a debug container is the way in);
- ``busybox``, ``alpine`` or ``minimal``: `sh` and the utilities, no `bash`;
- anything else: `sh`, `bash` and the utilities.
"""

from __future__ import annotations

from dataclasses import dataclass

from kubetui.sandbox.container.commands import COMMANDS


@dataclass(frozen=True)
class Image:
    name: str
    distroless: bool
    minimal: bool

    @property
    def shells(self) -> tuple[str, ...]:
        if self.distroless:
            return ()
        return ("sh",) if self.minimal else ("sh", "bash")

    def has(self, command: str) -> bool:
        if self.distroless:
            return False
        return command in self.shells or command in COMMANDS

    def default_command(self) -> list[str]:
        """The image's entrypoint when the pod spec names none."""
        base = self.name.rsplit("/", 1)[-1].split(":", 1)[0].split("@", 1)[0]
        if "nginx" in base:
            return ["nginx", "-g", "daemon off;"]
        if self.shells and (self.minimal or base in ("ubuntu", "debian")):
            return [self.shells[0]]
        return [f"/{base}"]

    def os_release(self) -> bytes:
        if "alpine" in self.name:
            return b'NAME="Alpine Linux"\nID=alpine\nVERSION_ID=3.20.3\n' \
                   b'PRETTY_NAME="Alpine Linux v3.20"\n'
        if self.distroless:
            return b'PRETTY_NAME="Distroless"\nNAME="Debian GNU/Linux"\nID="debian"\n'
        return b'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\n' \
               b'VERSION_ID="12"\nID=debian\n'


def image_of(name: str) -> Image:
    low = (name or "").lower()
    return Image(name, "distroless" in low,
                 any(m in low for m in ("busybox", "alpine", "minimal")))
