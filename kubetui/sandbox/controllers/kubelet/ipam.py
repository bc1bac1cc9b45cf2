"""Pod IP allocation on each node, as the bridge CNI plugin's host-local IPAM does it."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field

# containerd's bridge range, for nodes without a podCIDR.
FALLBACK_POD_CIDR = "10.88.0.0/16"


@dataclass
class Ipam:
    """Pod IPs of one node: hosts of its podCIDR from .2 on (.1 is the bridge)."""

    network: ipaddress.IPv4Network | ipaddress.IPv6Network
    next_index: int = 2
    free: list[str] = field(default_factory=list)

    def allocate(self) -> str | None:
        if self.free:
            return self.free.pop()
        if self.next_index >= self.network.num_addresses - 1:
            return None
        ip = str(self.network.network_address + self.next_index)
        self.next_index += 1
        return ip

    def reserve(self, ip: str) -> None:
        """Mark `ip` taken: a running pod's, kept across a restart of the kubelet."""
        address = ipaddress.ip_address(ip)
        if address not in self.network:
            return
        index = int(address) - int(self.network.network_address)
        if index >= self.next_index:
            self.free += [str(self.network.network_address + i)
                          for i in range(self.next_index, index)]
            self.next_index = index + 1
        elif ip in self.free:
            self.free.remove(ip)

    def release(self, ip: str) -> None:
        if ip and ipaddress.ip_address(ip) in self.network:
            self.free.append(ip)

    def range_text(self) -> str:
        return f"{self.network.network_address + 1}-{self.network.broadcast_address - 1}"
