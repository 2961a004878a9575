"""Phones on an address range: probe every address for an information page, keep what is a phone."""

from __future__ import annotations

import ipaddress
from collections.abc import AsyncIterator, Callable

from ..config import Phone
from ..probe import DEFAULT_DEADLINE, probe
from .records import Found

#: The largest range one ``--scan`` takes (a /16); larger ones are refused with this in the message.
MAX_ADDRESSES = 65_536
DEFAULT_SCAN_CONCURRENCY = 128
DEFAULT_SCAN_RATE = 200.0  # new connections a second


def scan_addresses(cidr: str) -> list[str]:
    """Every host address of ``cidr`` (a bare address counts as one); ValueError saying why not."""
    try:
        network = ipaddress.ip_network(cidr.strip(), strict=False)
    except ValueError as exc:
        raise ValueError(f"{cidr!r} is not an address range such as 10.1.2.0/24: {exc}") from None
    if network.num_addresses > MAX_ADDRESSES:
        raise ValueError(f"{cidr} holds {network.num_addresses} addresses; at most {MAX_ADDRESSES} per range")
    hosts = list(network.hosts()) or [network.network_address]
    return [str(address) for address in hosts]


async def scan(
    cidr: str,
    port: int = 80,
    concurrency: int = DEFAULT_SCAN_CONCURRENCY,
    per_second: float = DEFAULT_SCAN_RATE,
    deadline: float = DEFAULT_DEADLINE,
    progress: Callable[[bool], None] | None = None,
) -> AsyncIterator[Found]:
    """Each address of ``cidr`` that answers like a phone, as it answers; ``progress(is_phone)`` after each."""
    phones = [Phone(address, address, port) for address in scan_addresses(cidr)]
    async for result in probe(phones, concurrency, deadline, per_second=per_second):
        is_phone = result.state == "online" and result.info is not None
        if progress:
            progress(is_phone)
        if is_phone and result.info is not None:
            info = result.info
            yield Found(
                name=info.device or result.phone.host,
                host=result.phone.host,
                port=port if port != 80 else 0,
                model=info.model,
                dn=info.dn,
                source=f"scan {cidr}",
            )
