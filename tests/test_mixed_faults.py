"""One phone's fault stays in its row: a fleet where every phone but one is broken in its own way.

Real servers on loopback only: the simulator, a hostile phone, a closed port, a name that
cannot resolve (``.invalid`` is reserved and never resolves).
"""

from __future__ import annotations

import socket

from phonetui.cisco import CiscoIPPhoneText, Outcome
from phonetui.config import Defaults, Phone
from phonetui.push import AUTH_HINT, Delivery, Pusher, PushResult
from phonetui.service import Service
from phonetui.simulator import Simulator

from . import hostile
from .conftest import PASSWORD, USER


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then let go)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def sim_phone(sim: Simulator, index: int, name: str, **overrides: object) -> Phone:
    phone = sim.phones[index]
    fields: dict[str, object] = {"port": phone.port, "username": USER, "password": PASSWORD, "model": phone.model}
    fields.update(overrides)
    return Phone(name, phone.host, **fields)  # type: ignore[arg-type]


async def test_every_phone_broken_its_own_way_and_the_healthy_one_is_ok(service: Service, defaults: Defaults) -> None:
    defaults.timeout, defaults.connect_timeout = 1.0, 1.0
    sim = Simulator.fleet(6, service.auth_url)
    sim.phones[5].black_hole = True
    html = hostile.HostilePhone(hostile.html_login)
    refused_port = closed_port()
    obj = CiscoIPPhoneText("Notice", "", "Coffee ☕ at ten")
    async with sim:
        html_port = await html.start()
        try:
            phones = [
                sim_phone(sim, 0, "healthy"),
                Phone("bad-address", "127.0.0.300", username=USER, password=PASSWORD),
                Phone("no-such-name", "nonexistent.invalid", username=USER, password=PASSWORD),
                Phone("closed-port", "127.0.0.1", refused_port, username=USER, password=PASSWORD),
                sim_phone(sim, 1, "latin-1", charset="iso-8859-1"),
                sim_phone(sim, 2, "too-small", size_limit=60),
                sim_phone(sim, 3, "tls-to-plain", scheme="https"),
                Phone("html-page", "127.0.0.1", html_port, username=USER, password=PASSWORD),
                sim_phone(sim, 4, "wrong-password", password="not-the-password"),
                sim_phone(sim, 5, "black-hole"),
                sim_phone(sim, 0, "string-port", port="80"),  # a config built in code, with a wrong type
                sim_phone(sim, 0, "unknown-charset", charset="x-klingon"),
            ]
            async with Pusher(defaults) as pusher:
                results = {r.phone.name: r async for r in pusher.push(obj, phones)}
        finally:
            await html.stop()

    def check(name: str, outcome: Outcome, detail: str, hint: str = "") -> PushResult:
        result = results[name]
        assert result.outcome is outcome, (name, result.outcome, result.detail)
        assert detail in result.detail, (name, result.detail)
        assert hint in result.hint, (name, result.hint)
        assert "\n" not in result.detail and "Traceback" not in result.detail
        return result

    assert set(results) == {p.name for p in phones}, "every phone has its row"
    check("healthy", Outcome.OK, "Success")
    check("bad-address", Outcome.REFUSED, "invalid address: '127.0.0.300' is not an IPv4 address: 300 is over 255")
    check("no-such-name", Outcome.UNREACHABLE, "cannot resolve 'nonexistent.invalid'", "cannot resolve")
    check(
        "closed-port",
        Outcome.UNREACHABLE,
        "connection refused",
        f"connection refused on port {refused_port}: the phone's Web Access may be disabled",
    )
    check("latin-1", Outcome.REFUSED, "'☕'")
    check("too-small", Outcome.REFUSED, "limit of 60")
    check("tls-to-plain", Outcome.BAD_REPLY, "TLS handshake failed", "check the phone's scheme")
    check("html-page", Outcome.BAD_REPLY, "HTML")
    check("wrong-password", Outcome.AUTH_FAILED, "", AUTH_HINT)
    check("black-hole", Outcome.TIMEOUT, "no reply within 1 s", "did not answer in time")
    check("string-port", Outcome.REFUSED, "not sent: TypeError")
    check("unknown-charset", Outcome.REFUSED, "x-klingon")
    assert len({r.detail for r in results.values()}) == len(results), "each broken phone says its own reason"


async def test_an_invalid_address_at_send_time_is_refused_not_raised(defaults: Defaults) -> None:
    """Past the plan (whoever calls post directly), httpx's InvalidURL is still this phone's row."""
    phone = Phone("bad", "127.0.0.300", username=USER, password=PASSWORD)
    async with Pusher(defaults) as pusher:
        result = await pusher.post(Delivery(phone, "direct", b"<CiscoIPPhoneText/>", ""), b"x", None)
    assert result.outcome is Outcome.REFUSED and result.route == "refused"
    assert "invalid address" in result.detail and "127.0.0.300" in result.detail


async def test_a_failing_object_host_refuses_only_via_url_phones(fleet: Simulator, defaults: Defaults) -> None:
    class BrokenHost:
        async def host(self, data: bytes, charset: str) -> str:
            raise RuntimeError("the service is down")

    roomy, small = fleet.phones[0], fleet.phones[1]  # a modern phone (40 KB) and a classic one (512 bytes)
    big = Phone("modern", roomy.host, roomy.port, size_limit=40960, username=USER, password=PASSWORD)
    tight = Phone("classic", small.host, small.port, size_limit=512, username=USER, password=PASSWORD)
    async with Pusher(defaults, host=BrokenHost()) as pusher:
        results = {r.phone.name: r async for r in pusher.push(CiscoIPPhoneText(text="x" * 700), [big, tight])}
    assert results["modern"].outcome is Outcome.OK
    assert results["classic"].outcome is Outcome.REFUSED
    assert results["classic"].detail == "cannot host object: the service is down"
