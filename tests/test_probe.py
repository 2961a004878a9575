"""Probing phones over real HTTP on loopback: the simulator and phones that misbehave."""

from __future__ import annotations

import socket
from dataclasses import replace

from phonetui.cisco.devinfo import DeviceInfo
from phonetui.cisco.families import family_for_model
from phonetui.config import Phone
from phonetui.probe import ProbeResult, probe
from phonetui.simulator import Simulator

from . import hostile
from .hostile import HostilePhone


def phones_of(sim: Simulator) -> list[Phone]:
    return [Phone(p.name, p.host, p.port, model=p.model, family=p.family, charset=p.family.charset) for p in sim.phones]


async def probe_all(phones: list[Phone], concurrency: int = 64, deadline: float = 3.0) -> dict[str, ProbeResult]:
    return {result.phone.name: result async for result in probe(phones, concurrency, deadline)}


async def test_every_simulated_phone_is_online_and_says_who_it_is(fleet: Simulator) -> None:
    results = await probe_all(phones_of(fleet), concurrency=3)
    assert len(results) == len(fleet.phones)
    for index, sim_phone in enumerate(fleet.phones):
        result = results[sim_phone.name]
        assert result.state == "online", result.detail
        assert result.info is not None and result.rtt_ms is not None and result.at > 0
        assert (result.info.device, result.info.mac, result.info.model) == (
            sim_phone.devicename,
            sim_phone.mac,
            sim_phone.model,
        )
        assert result.info.dn == str(1000 + index)
        assert not result.model_disagrees and result.model_note == ""
        assert result.as_json()["state"] == "online"


async def test_a_model_that_disagrees_is_flagged_with_the_rules_pushes_use(fleet: Simulator) -> None:
    sim_phone = next(p for p in fleet.phones if p.model == "CP-8845")
    legacy = family_for_model("7940")
    phone = Phone("desk", sim_phone.host, sim_phone.port, model="7940", family=legacy, charset=legacy.charset)
    (result,) = (await probe_all([phone])).values()
    assert result.model_disagrees
    assert result.detected_family is not None and result.detected_family.name == "modern"
    assert "config says 7940 (legacy)" in result.model_note
    assert "phone says CP-8845 (modern)" in result.model_note
    assert "iso-8859-1, 512 bytes" in result.model_note


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_each_failure_gets_its_own_state_and_the_healthy_phone_is_online(fleet: Simulator) -> None:
    login, silent, missing = (
        HostilePhone(hostile._fixed(hostile.LOGIN_PAGE)),
        HostilePhone(hostile.never_starts),
        HostilePhone(hostile._fixed(b"no", b"HTTP/1.1 404 Not Found\r\n")),
    )
    ports = [await phone.start() for phone in (login, silent, missing)]
    healthy = phones_of(fleet)[0]
    phones = [
        healthy,
        Phone("login", "127.0.0.1", ports[0]),
        Phone("silent", "127.0.0.1", ports[1]),
        Phone("missing", "127.0.0.1", ports[2]),
        Phone("closed", "127.0.0.1", _closed_port()),
        Phone("no-such-name", "nonexistent.invalid"),
        Phone("bad-address", "127.0.0.300"),
    ]
    try:
        results = await probe_all(phones, deadline=1.0)
    finally:
        for phone in (login, silent, missing):
            await phone.stop()
    states = {name: (result.state, result.detail) for name, result in results.items()}
    assert states[healthy.name][0] == "online"
    assert states["login"] == ("not-a-phone", "an HTML page, not the phone's XML information page")
    assert states["silent"] == ("offline", "no answer within 1 s")
    assert states["missing"][0] == "refused" and "HTTP 404" in states["missing"][1]
    assert states["closed"][0] == "refused" and "Web Access may be disabled" in states["closed"][1]
    unresolved, reason = states["no-such-name"]
    assert unresolved == "unresolved" and "cannot resolve 'nonexistent.invalid'" in reason
    assert states["bad-address"][0] == "unresolved" and "invalid address" in states["bad-address"][1]
    answered = (healthy.name, "login", "missing")
    assert all(result.rtt_ms is None for name, result in results.items() if name not in answered)


async def test_stopping_early_leaves_nothing_running(fleet: Simulator) -> None:
    phones = phones_of(fleet)
    seen = []
    async for result in probe(phones, concurrency=2):
        seen.append(result)
        break
    assert len(seen) == 1


def test_a_model_that_came_from_discovery_is_not_blamed_on_the_config() -> None:
    family = family_for_model("8845")
    found = Phone("lobby", "10.0.0.6", model="8845", family=family, charset=family.charset, discovered="x.csv:2")
    said = ProbeResult(found, "online", info=DeviceInfo(model="CP-7975G")).model_note
    assert said.startswith("discovery says 8845 (modern); the phone says CP-7975G") and "until discover runs" in said
    written = ProbeResult(replace(found, discovered=""), "online", info=DeviceInfo(model="CP-7975G")).model_note
    assert written.startswith("the config says 8845") and written.endswith("until it is corrected")
