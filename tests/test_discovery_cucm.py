"""Discovery from the fake CUCM over HTTPS on loopback, on a clock of the test's own."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from typing import Any

import pytest

from phonetui.config import CucmConfig
from phonetui.discovery.cucm import CucmError, Pacer, client_for, select_devices
from phonetui.sim_cucm import SILENT_NODE, STALE_ADDRESS, CucmDevice, FakeCucm

USER, PASSWORD = "axl-user", "axl-secret"


class FakeClock:
    """Time that moves only when someone sleeps: rate limits without waiting for them."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def devices(count: int) -> list[CucmDevice]:
    return [
        CucmDevice(f"SEP0050560000{i:02X}", f"127.66.0.{i + 1}", "Cisco 8845", dn=str(4000 + i), registered=i != 3)
        for i in range(count)
    ]


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def cucm(clock: FakeClock) -> AsyncIterator[FakeCucm]:
    fake = FakeCucm(devices(30), USER, PASSWORD, page_size=7, rate_per_minute=4, clock=clock)
    async with fake:
        yield fake


def settings(cucm: FakeCucm, **changes: Any) -> CucmConfig:
    base = CucmConfig(cucm.url, USER, PASSWORD, ca_file=str(cucm.ca_file), rate_per_minute=15)
    return dataclasses.replace(base, **changes)


async def test_every_phone_found_across_pages_nodes_and_rate_faults(cucm: FakeCucm, clock: FakeClock) -> None:
    config = settings(cucm)
    async with client_for(config) as client:
        result = await select_devices(client, config, pacer=Pacer(15, clock, clock.sleep))
    assert len(result.devices) == 30
    first = result.devices["SEP005056000000"]
    assert first.ip == "127.66.0.1" and first.ip != STALE_ADDRESS  # the older record from the other node lost
    assert result.silent_nodes == {SILENT_NODE}
    assert result.devices["SEP005056000003"].status == "UnRegistered"
    # 30 devices at 7 a page is 5 pages; the server allows 4 a minute, so at least one fault, survived.
    assert result.rate_faults == cucm.rate_faults >= 1
    assert result.requests == 5 + result.rate_faults
    assert clock.slept and result.waited == pytest.approx(sum(clock.slept))
    assert result.waited >= 30.0  # one back-off at least


async def test_pacing_to_the_servers_rate_avoids_faults(cucm: FakeCucm, clock: FakeClock) -> None:
    config = settings(cucm, rate_per_minute=4)
    async with client_for(config) as client:
        result = await select_devices(client, config, pacer=Pacer(4, clock, clock.sleep))
    assert len(result.devices) == 30 and result.rate_faults == 0 and result.requests == 5
    assert 59.0 <= result.waited <= 61.0  # the fifth request waited for the first to age out


async def test_by_name_asks_only_for_those(cucm: FakeCucm, clock: FakeClock) -> None:
    config = settings(cucm)
    names = ["SEP005056000005", "sep005056000006", "SEPFFFFFFFFFFFF"]
    async with client_for(config) as client:
        result = await select_devices(client, config, names, pacer=Pacer(15, clock, clock.sleep))
    assert sorted(result.devices) == ["SEP005056000005", "SEP005056000006"]
    assert result.requests == 1


async def test_an_untrusted_certificate_or_wrong_password_is_a_clear_error(cucm: FakeCucm, clock: FakeClock) -> None:
    for config, message in (
        (settings(cucm, ca_file=""), "certificate .* is not trusted: give its CA as \\[cucm\\] ca_file"),
        (settings(cucm, password="wrong"), "refused the user 'axl-user' \\(HTTP 401\\)"),
    ):
        async with client_for(config) as client:
            with pytest.raises(CucmError, match=message):
                await select_devices(client, config, pacer=Pacer(15, clock, clock.sleep))
    insecure = settings(cucm, ca_file="", insecure=True)
    async with client_for(insecure) as client:
        assert len((await select_devices(client, insecure, pacer=Pacer(15, clock, clock.sleep))).devices) == 30
