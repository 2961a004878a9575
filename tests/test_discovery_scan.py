"""Scanning an address range on loopback for phones."""

import pytest

from phonetui.discovery.scan import scan, scan_addresses
from phonetui.simulator import Simulator

from .conftest import needs_loopback_aliases


@needs_loopback_aliases
async def test_a_scan_finds_the_simulated_phones_and_nothing_else(fleet: Simulator) -> None:
    port = fleet.phones[0].port
    found = [f async for f in scan("127.77.0.0/28", port=port, per_second=500, deadline=1.0)]
    by_host = {f.host: f for f in found}
    assert sorted(by_host) == sorted(p.host for p in fleet.phones)  # 14 addresses probed, 8 phones
    for phone in fleet.phones:
        f = by_host[phone.host]
        assert (f.name, f.model, f.source) == (phone.devicename, phone.model, "scan 127.77.0.0/28")


def test_ranges_are_checked() -> None:
    assert scan_addresses("127.0.0.5") == ["127.0.0.5"]
    assert len(scan_addresses("10.1.2.0/24")) == 254
    with pytest.raises(ValueError, match=r"not an address range such as 10\.1\.2\.0/24"):
        scan_addresses("10.1.2.0/33")
    with pytest.raises(ValueError, match="at most 65536 per range"):
        scan_addresses("10.0.0.0/8")
