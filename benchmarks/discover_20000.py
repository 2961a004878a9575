"""Discovery of 20,000 phones from the fake CUCM at its default rate limit, against the floor the limit allows.

CUCM answers at most 1,000 devices a request and 15 RisPort requests a minute: 20,000
phones need 20 requests, and the last 5 must wait for the first minute to pass, so no
client can do it in less than 60 s. The fake CUCM enforces the same limit (a fault
past it), so a client that asks too fast is slowed by back-offs and misses the floor.

Target: time <= 1.1 x the floor, every phone found once, no rate fault.
Run: ``.venv/bin/python benchmarks/discover_20000.py`` (about 70 s; ``--count`` to change).
"""

from __future__ import annotations

import argparse
import asyncio
import math
import sys
import time

from phonetui.cisco.risport import DEFAULT_RATE_PER_MINUTE, MAX_DEVICES
from phonetui.config import CucmConfig
from phonetui.discovery.cucm import Pacer, client_for, select_devices
from phonetui.sim_cucm import CucmDevice, FakeCucm


def fleet(count: int) -> list[CucmDevice]:
    return [
        CucmDevice(
            f"SEP{0x005056000000 + i:012X}", f"127.{80 + i // 65025}.{i // 255 % 255}.{i % 255 + 1}", "Cisco 8845"
        )
        for i in range(count)
    ]


async def main(count: int) -> int:
    rate = DEFAULT_RATE_PER_MINUTE
    async with FakeCucm(fleet(count), "axl", "secret", rate_per_minute=rate) as cucm:
        settings = CucmConfig(cucm.url, "axl", "secret", ca_file=str(cucm.ca_file), rate_per_minute=rate)
        started = time.perf_counter()
        async with client_for(settings) as client:
            result = await select_devices(client, settings, pacer=Pacer(rate))
        took = time.perf_counter() - started
    requests = math.ceil(count / MAX_DEVICES)
    floor = (math.ceil(requests / rate) - 1) * 60.0
    ratio = took / floor if floor else float("nan")
    print(f"phones: {count}; found: {len(result.devices)}; requests: {result.requests} (fewest possible {requests})")
    print(f"rate faults: {result.rate_faults}; paced waits: {result.waited:.1f} s")
    print(f"time: {took:.1f} s; floor at {rate} requests a minute: {floor:.0f} s; ratio {ratio:.3f} (target <= 1.1)")
    ok = len(result.devices) == count and result.rate_faults == 0 and (not floor or ratio <= 1.1)
    print("MEETS" if ok else "MISSES")
    return 0 if ok else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=20_000)
    sys.exit(asyncio.run(main(parser.parse_args().count)))
