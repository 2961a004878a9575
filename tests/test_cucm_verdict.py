"""The responder's verdict delegated to CUCM (``[service] verdict = "cucm"``): AXL doAuthenticateUser
against the fake CUCM over https on loopback; AUTHORIZED, UN-AUTHORIZED, ERROR, and verdicts kept briefly."""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from phonetui.config import CucmConfig, ServiceConfig, parse_config
from phonetui.cucm_verdict import authenticate_request, parse_authenticate
from phonetui.discovery.cucm import CucmError
from phonetui.service import THROTTLE_FAILURES, Service
from phonetui.sim_cucm import FakeCucm

DEVICE = "SEP001122334455"
PHONE_USER, PHONE_PASSWORD = "jdoe", "cucm-Pa55&<word>"


@pytest.fixture
async def cucm() -> AsyncIterator[FakeCucm]:
    async with FakeCucm([], "axl", "axl-pw", users={PHONE_USER: PHONE_PASSWORD}) as fake:
        yield fake


def settings(cucm: FakeCucm, **over: object) -> CucmConfig:
    return CucmConfig(cucm.url, "axl", "axl-pw", ca_file=str(cucm.ca_file), **over)  # type: ignore[arg-type]


@pytest.fixture
async def judged(cucm: FakeCucm) -> AsyncIterator[Service]:
    config = ServiceConfig("127.0.0.1", 0, verdict="cucm", cucm=settings(cucm))
    async with Service(config) as service:
        yield service


async def ask(service: Service, user: str, password: str) -> tuple[int, bytes]:
    async with httpx.AsyncClient(trust_env=False) as client:
        fields = {"UserID": user, "Password": password, "devicename": DEVICE}
        answer = await client.get(service.auth_url, params=fields)
    return answer.status_code, answer.content


async def test_cucm_says_yes_and_no(judged: Service, cucm: FakeCucm) -> None:
    assert await ask(judged, PHONE_USER, PHONE_PASSWORD) == (200, b"AUTHORIZED")
    assert await ask(judged, PHONE_USER, "wrong") == (200, b"UN-AUTHORIZED")
    assert await ask(judged, "nobody", PHONE_PASSWORD) == (200, b"UN-AUTHORIZED")
    assert [e.reason for e in judged.events] == ["credentials match (CUCM)", *["wrong password (CUCM)"] * 2]
    assert cucm.authentications == 3


async def test_two_quick_asks_ask_cucm_once(judged: Service, cucm: FakeCucm) -> None:
    first, second = await asyncio.gather(
        ask(judged, PHONE_USER, PHONE_PASSWORD), ask(judged, PHONE_USER, PHONE_PASSWORD)
    )
    third = await ask(judged, PHONE_USER, PHONE_PASSWORD)
    assert first == second == third == (200, b"AUTHORIZED")
    assert cucm.authentications == 1
    assert judged.events[-1].reason == "credentials match (CUCM), kept"
    assert await ask(judged, PHONE_USER, "other") == (200, b"UN-AUTHORIZED")  # another password is another question
    assert cucm.authentications == 2


async def test_a_kept_verdict_expires(cucm: FakeCucm) -> None:
    now = [1000.0]
    config = ServiceConfig("127.0.0.1", 0, verdict="cucm", cucm=settings(cucm))
    async with Service(config) as service:
        await ask(service, PHONE_USER, PHONE_PASSWORD)
        assert service._cucm is not None
        service._cucm.clock = lambda: now[0]
        service._cucm._kept.clear()
        await ask(service, PHONE_USER, PHONE_PASSWORD)
        now[0] += 59
        await ask(service, PHONE_USER, PHONE_PASSWORD)
        assert cucm.authentications == 2
        now[0] += 2  # past the 60 s
        await ask(service, PHONE_USER, PHONE_PASSWORD)
        assert cucm.authentications == 3


@pytest.mark.parametrize("fault", ["5xx", "timeout", "unreachable", "refused-axl-user"])
async def test_error_when_cucm_cannot_be_asked_and_never_kept(
    cucm: FakeCucm, fault: str, caplog: pytest.LogCaptureFixture
) -> None:
    cucm_settings = settings(cucm, timeout=1.0)
    if fault == "5xx":
        cucm.axl_status = 503
    elif fault == "timeout":
        cucm.axl_delay = 3.0
    elif fault == "refused-axl-user":
        cucm_settings = CucmConfig(cucm.url, "axl", "not-it", ca_file=str(cucm.ca_file))
    else:
        with socket.socket() as sock:  # a port nothing listens on
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        cucm_settings = CucmConfig(f"https://127.0.0.1:{port}", "axl", "axl-pw", ca_file=str(cucm.ca_file))
    caplog.set_level(logging.INFO)
    async with Service(ServiceConfig("127.0.0.1", 0, verdict="cucm", cucm=cucm_settings)) as service:
        assert await ask(service, PHONE_USER, PHONE_PASSWORD) == (200, b"ERROR")
        cucm.axl_status, cucm.axl_delay = 0, 0.0
        second = await ask(service, PHONE_USER, PHONE_PASSWORD)
    if fault in ("5xx", "timeout"):
        assert second == (200, b"AUTHORIZED")  # ERROR was not kept: CUCM was asked again
    assert service.events[0].reason.startswith(("CUCM could not be asked", "CUCM did not answer"))
    assert PHONE_PASSWORD not in caplog.text and "not-it" not in caplog.text


async def test_throttling_comes_before_cucm(judged: Service, cucm: FakeCucm) -> None:
    for i in range(THROTTLE_FAILURES):
        assert await ask(judged, PHONE_USER, f"guess-{i}") == (200, b"UN-AUTHORIZED")
    asked = cucm.authentications
    assert await ask(judged, PHONE_USER, PHONE_PASSWORD) == (200, b"UN-AUTHORIZED")
    assert cucm.authentications == asked and judged.events[-1].reason.startswith("throttled")


def test_the_config_takes_verdict_cucm_only_with_a_cucm_table(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    cucm = '[cucm]\nurl = "https://cucm.example.com:8443"\nusername = "axl"\npassword = "x"\n'
    config = parse_config(f'[service]\nverdict = "cucm"\n{cucm}', path)
    assert config.service and config.service.verdict == "cucm" and config.service.cucm == config.cucm
    for text, message in (
        ('[service]\nverdict = "cucm"\n', 'service.verdict: "cucm" needs a [cucm] table'),
        ('[service]\nverdict = "ldap"\n', "service.verdict: must be"),
    ):
        with pytest.raises(Exception) as caught:
            parse_config(text, path)
        assert message in str(caught.value), caught.value


def test_the_axl_request_escapes_and_the_answer_is_read_strictly() -> None:
    body = authenticate_request("15.0", "a&b", "<pw>")
    assert b"<userid>a&amp;b</userid><password>&lt;pw&gt;</password>" in body
    assert b'"http://www.cisco.com/AXL/API/15.0"' in body
    ok = b"<Envelope><Body><r><return><userAuthenticated>true</userAuthenticated></return></r></Body></Envelope>"
    assert parse_authenticate(ok) is True
    assert parse_authenticate(ok.replace(b"true", b"false")) is False
    for bad in (b"<Envelope/>", b"<Fault><faultstring>no</faultstring></Fault>", b"not xml"):
        with pytest.raises(CucmError):
            parse_authenticate(bad)


def test_serve_says_on_start_that_cucm_gives_the_verdict(tmp_path: Path) -> None:
    from .test_cli import Running

    config = tmp_path / "c.toml"
    cucm = '[cucm]\nurl = "https://127.0.0.1:9"\nusername = "axl"\npassword = "x"\n'
    config.write_text(f'[service]\nlisten = "127.0.0.1:0"\nverdict = "cucm"\n{cucm}')
    config.chmod(0o600)
    running = Running("serve", "--config", str(config), ready="listening on")
    try:
        assert "the verdict comes from CUCM at https://127.0.0.1:9 (AXL)" in running.lines[-1], running.lines
    finally:
        running.stop()
