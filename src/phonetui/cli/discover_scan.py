"""``phonetui discover --scan``: a range's phones, one per device name, with progress on long scans."""

from __future__ import annotations

import ipaddress
import time
from collections.abc import Callable
from typing import Any

from ..discovery.records import Found
from ..discovery.scan import scan, scan_addresses
from ..wording import plural

#: Seconds between progress lines; the first comes once a scan has run this long, so short scans
#: say nothing but their result, and a long one shows it is alive, in a terminal or a log alike.
PROGRESS_EVERY = 3.0


class ScanProgress:
    """Counts a scan's answers and says how far it is, at most every ``every`` seconds."""

    def __init__(
        self,
        cidr: str,
        total: int,
        say: Callable[[str], None],
        clock: Callable[[], float] = time.monotonic,
        every: float = PROGRESS_EVERY,
    ) -> None:
        self.cidr, self.total, self.say, self.clock, self.every = cidr, total, say, clock, every
        self.done = self.phones = 0
        self.last = clock()

    def answered(self, phone: bool) -> None:
        self.done += 1
        self.phones += phone
        now = self.clock()
        if now - self.last >= self.every:
            self.last = now
            self.say(f"scan {self.cidr}: {self.done:,} of {self.total:,} addresses, {plural(self.phones, 'phone')}")


def one_per_name(found: list[Found], known: dict[str, str]) -> tuple[list[Found], list[str]]:
    """One record per device name, and what to say of each name that answered at several addresses.

    The address already known for the name (``known``: name -> host) is kept, else the lowest
    (the first a scan reaches): two phones with one name is a copied MAC or a phone left behind.
    """
    by_name: dict[str, list[Found]] = {}
    for item in found:
        by_name.setdefault(item.name, []).append(item)
    kept: list[Found] = []
    said: list[str] = []
    for name, items in by_name.items():
        if len(items) > 1:
            items.sort(key=lambda item: _address_key(item.host))
            choice = next((item for item in items if item.host == known.get(name)), items[0])
            hosts = [item.host for item in items]
            where = ", ".join(hosts[:-1]) + f" and {hosts[-1]}"
            said.append(f"{name} answered at {where}: kept {choice.host}; check for a copied MAC or a stale phone")
            items = [choice]
        kept.append(items[0])
    return kept, said


def _address_key(host: str) -> tuple[int, Any]:
    try:
        return 0, ipaddress.ip_address(host)
    except ValueError:
        return 1, host


def nothing_found_hint(port: int) -> str:
    where = f"port {port} (--scan-port)" if port != 80 else "port 80 (give --scan-port if yours use another)"
    return (
        f"no phone answered: phones' web servers answer on {where}, and a phone whose Web Access is "
        "disabled (in its CUCM phone configuration) does not answer at all"
    )


async def scan_phones(cidr: str, port: int, say: Callable[[str], None]) -> list[Found]:
    """Every phone of ``cidr``, progress said on long scans."""
    progress = ScanProgress(cidr, len(scan_addresses(cidr)), say)
    return [item async for item in scan(cidr, port=port, progress=progress.answered)]
