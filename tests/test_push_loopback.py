"""The push path end to end: real HTTP on loopback, the simulator and the service."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest

from phonetui.cisco import CiscoIPPhoneExecute, CiscoIPPhoneText, ExecuteItem, Outcome
from phonetui.config import Defaults, Phone, parse_config
from phonetui.history import Journal
from phonetui.push import Pusher, PushResult
from phonetui.service import Service
from phonetui.simulator import Simulator

from .conftest import PASSWORD, USER


def phones_of(sim: Simulator) -> list[Phone]:
    config = parse_config_from(sim)
    return config.phones


def parse_config_from(sim: Simulator):
    import tomli_w

    return parse_config(tomli_w.dumps(sim.config(USER, PASSWORD)))


async def screen(phone: Phone) -> dict:
    async with httpx.AsyncClient(trust_env=False) as client:
        return (await client.get(f"http://{phone.address}/sim/screen")).json()


async def run(pusher: Pusher, obj, phones, **kwargs) -> dict[str, PushResult]:
    return {r.phone.name: r async for r in pusher.push(obj, phones, **kwargs)}


async def test_success_on_every_family(fleet: Simulator, defaults: Defaults) -> None:
    phones = phones_of(fleet)
    async with Pusher(defaults) as pusher:
        results = await run(pusher, CiscoIPPhoneText("Notice", "", "Hello"), phones)
    assert {r.outcome for r in results.values()} == {Outcome.OK}
    assert all(r.status == 200 and r.route == "direct" and r.latency_ms is not None for r in results.values())
    for phone in phones:
        assert (await screen(phone))["text"] == "Hello"
    assert {p.family.name for p in phones} == {"legacy", "classic", "modern"}


async def test_wrong_password_401_and_error_4(fleet: Simulator, defaults: Defaults, service: Service) -> None:
    phones = phones_of(fleet)
    async with Pusher(defaults) as pusher:
        results = await run(pusher, CiscoIPPhoneText(text="x"), phones, credentials=(USER, "wrong"))
    assert {r.outcome for r in results.values()} == {Outcome.AUTH_FAILED}
    for phone in phones:
        result = results[phone.name]
        if phone.family.name == "legacy":
            assert result.status == 401 and result.reply and result.reply.kind == "unauthorized"
        else:
            assert result.status == 200 and result.reply and result.reply.error_number == 4
    assert service.counters["UN-AUTHORIZED"] == len(phones)
    assert all(PASSWORD not in e.line() and "wrong" not in e.user for e in service.events)


async def test_faults_do_not_disturb_the_others(service: Service, defaults: Defaults) -> None:
    sim = Simulator.fleet(6, service.auth_url)
    sim.phones[0].offline = True
    sim.phones[1].black_hole = True
    sim.phones[2].garbled = True
    sim.phones[3].wrong_password = True
    async with sim:
        phones = phones_of(sim)
        async with Pusher(defaults) as pusher:
            results = await run(pusher, CiscoIPPhoneExecute([ExecuteItem("Key:Services")]), phones)
    outcomes = {name: r.outcome for name, r in results.items()}
    assert outcomes == {
        "sim-0001": Outcome.UNREACHABLE,
        "sim-0002": Outcome.TIMEOUT,
        "sim-0003": Outcome.BAD_REPLY,
        "sim-0004": Outcome.AUTH_FAILED,
        "sim-0005": Outcome.OK,
        "sim-0006": Outcome.OK,
    }
    black_hole = results["sim-0002"]
    assert black_hole.latency is not None and black_hole.latency >= defaults.timeout
    assert black_hole.detail == f"no reply within {defaults.timeout:g} s" and "busy" in black_hole.hint
    assert results["sim-0003"].body.startswith(b"\x00garbled")
    ok = results["sim-0005"]
    assert ok.reply is not None and [(i.url, i.status) for i in ok.reply.items] == [("Key:Services", 0)]


async def test_results_arrive_as_phones_finish(service: Service, defaults: Defaults) -> None:
    sim = Simulator.fleet(4, service.auth_url)
    sim.phones[0].latency = 0.6
    async with sim:
        phones = phones_of(sim)
        async with Pusher(defaults) as pusher:
            order = [r.phone.name async for r in pusher.push(CiscoIPPhoneText(text="x"), phones)]
    assert order[-1] == "sim-0001" and sorted(order) == [p.name for p in phones]


async def test_item_errors_are_decoded(fleet: Simulator, defaults: Defaults) -> None:
    phone = phones_of(fleet)[0]
    obj = CiscoIPPhoneExecute([ExecuteItem("Key:Services"), ExecuteItem("Bogus:thing")])
    async with Pusher(defaults) as pusher:
        [result] = [r async for r in pusher.push(obj, [phone])]
    assert result.outcome is Outcome.ITEM_ERROR
    statuses = {i.url: (i.status, i.data) for i in result.reply.items}
    assert statuses == {"Key:Services": (0, "Success"), "Bogus:thing": (1, "Invalid URI")}


SPECIAL = """Tom & Jerry <b> "double" 'single' café"""


async def test_special_characters_arrive_intact_in_both_charsets(fleet: Simulator, defaults: Defaults) -> None:
    phones = phones_of(fleet)
    charsets = {p.charset for p in phones}
    assert charsets == {"utf-8", "iso-8859-1"}
    obj = CiscoIPPhoneText(title="Café & co", prompt="<'\">", text=SPECIAL)
    async with Pusher(defaults) as pusher:
        results = await run(pusher, obj, phones)
    assert {r.outcome for r in results.values()} == {Outcome.OK}
    for phone in phones:
        shown = await screen(phone)
        assert (shown["title"], shown["prompt"], shown["text"]) == ("Café & co", "<'\">", SPECIAL), phone.charset


async def test_over_limit_goes_via_url(fleet: Simulator, defaults: Defaults, service: Service) -> None:
    classic = [p for p in phones_of(fleet) if p.family.name != "modern"]
    text = "Long notice. " * 50  # ~650 bytes: over 512, under 40 KB
    async with Pusher(defaults, host=service) as pusher:
        run_ = pusher.push(CiscoIPPhoneText("Big", "", text), classic)
        assert {d.route for d in run_.deliveries} == {"via-url"}
        results = {r.phone.name: r async for r in run_}
    assert {r.outcome for r in results.values()} == {Outcome.OK}
    for phone in classic:
        result = results[phone.name]
        assert result.route == "via-url"
        [item] = result.reply.items
        assert "/objects/" in item.url and item.status == 0
        assert (await screen(phone))["text"] == text


async def test_over_limit_without_service_is_refused(fleet: Simulator, defaults: Defaults) -> None:
    phones = phones_of(fleet)
    async with Pusher(defaults) as pusher:
        results = await run(pusher, CiscoIPPhoneText(text="x" * 700), phones)
    for phone in phones:
        result = results[phone.name]
        if phone.family.name == "modern":
            assert result.outcome is Outcome.OK
        else:
            assert result.outcome is Outcome.REFUSED
            assert "limit of 512" in result.detail and "[service]" in result.detail
            assert (await screen(phone))["pushes"] == 0


async def test_forced_direct_over_limit_is_refused_and_phone_limit_holds(fleet: Simulator, defaults: Defaults) -> None:
    phone = next(p for p in phones_of(fleet) if p.family.name == "classic")
    phone.size_limit = 40_000  # config claims more than the phone takes
    async with Pusher(defaults) as pusher:
        [result] = [r async for r in pusher.push(CiscoIPPhoneText(text="x" * 700), [phone], mode="direct")]
    assert result.outcome is Outcome.PHONE_ERROR and result.reply.error_number == 1


async def test_cancel_mid_run_accounts_for_every_phone(service: Service, defaults: Defaults) -> None:
    sim = Simulator.fleet(6, service.auth_url)
    for phone in sim.phones[2:]:
        phone.black_hole = True
    defaults.timeout = 30.0
    async with sim:
        phones = phones_of(sim)
        async with Pusher(defaults) as pusher:
            push = pusher.push(CiscoIPPhoneText(text="x"), phones)
            seen: list[PushResult] = []
            async with asyncio.timeout(10):
                async for result in push:
                    seen.append(result)
                    if len(seen) == 2:
                        push.cancel()
    assert sorted(r.phone.name for r in seen) == [p.name for p in phones]
    assert [r.outcome for r in seen[:2]] == [Outcome.OK, Outcome.OK]
    assert {r.outcome for r in seen[2:]} == {Outcome.CANCELLED}


async def test_journal_records_push_without_passwords(fleet: Simulator, defaults: Defaults, tmp_path: Path) -> None:
    journal = Journal(tmp_path / "history.jsonl")
    phones = phones_of(fleet)[:3]
    async with Pusher(defaults, journal=journal) as pusher:
        await run(pusher, CiscoIPPhoneText(text="Logged"), phones)
    [push] = journal.pushes()
    assert "Logged" in push.start["xml"] and len(push.start["targets"]) == 3
    assert {r["outcome"] for r in push.results} == {"ok"} and push.end is not None
    assert PASSWORD not in journal.path.read_text()


async def test_expect_header_gets_error_6(fleet: Simulator) -> None:
    phone = fleet.phones[0]
    async with httpx.AsyncClient(trust_env=False) as client:
        reply = await client.post(
            f"http://{phone.address}/CGI/Execute",
            content=b"XML=%3CCiscoIPPhoneText%2F%3E",
            headers={"Expect": "100-continue"},
            auth=(USER, PASSWORD),
        )
    assert b'Number="6"' in reply.content


async def test_pusher_sends_what_a_phone_expects(service: Service, defaults: Defaults) -> None:
    """Seen from a phone: form body with XML=, Basic up front, no Expect, Connection: close."""
    from aiohttp import web

    seen: list[web.Request] = []
    bodies: list[bytes] = []

    async def handler(request: web.Request) -> web.Response:
        seen.append(request)
        bodies.append(await request.read())
        return web.Response(
            text='<CiscoIPPhoneResponse><ResponseItem Status="0" Data="" URL=""/></CiscoIPPhoneResponse>'
        )

    app = web.Application()
    app.router.add_post("/CGI/Execute", handler)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    try:
        phone = Phone("probe", "127.0.0.1", port, username=USER, password=PASSWORD)
        async with Pusher(defaults) as pusher:
            [result] = [r async for r in pusher.push(CiscoIPPhoneText(text="a&b"), [phone])]
    finally:
        await runner.cleanup()
    assert result.outcome is Outcome.OK
    [request] = seen
    assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert request.headers["Authorization"].startswith("Basic ")
    assert "Expect" not in request.headers and request.headers["Connection"].lower() == "close"
    assert bodies[0].startswith(b"XML=%3C%3Fxml") and b"a%26amp%3Bb" in bodies[0]


@pytest.mark.parametrize("method", ["GET", "POST"])
async def test_simulator_asks_auth_url_with_either_method(service: Service, defaults: Defaults, method: str) -> None:
    sim = Simulator.fleet(2, service.auth_url, auth_method=method)
    async with sim, Pusher(defaults) as pusher:
        results = await run(pusher, CiscoIPPhoneText(text="x"), phones_of(sim))
    assert {r.outcome for r in results.values()} == {Outcome.OK}
    assert {e.method for e in service.events} == {method}
    assert {e.devicename for e in service.events} == {p.devicename for p in sim.phones}
