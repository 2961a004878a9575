"""The simulator behaves like a phone: strict parsing, info pages, addressing, loopback only."""

from __future__ import annotations

import errno
import socket
import xml.etree.ElementTree as ET
from pathlib import Path

import httpx
import pytest

from phonetui.cisco import CiscoIPPhoneExecute, CiscoIPPhoneText, ExecuteItem, Outcome
from phonetui.config import Defaults, Phone, load_config, write_config
from phonetui.push import Pusher, form_body
from phonetui.service import Service
from phonetui.simphone import LOCALHOST, SimPhone, fleet_phones
from phonetui.simulator import Simulator

from .conftest import PASSWORD, USER


def as_phone(p) -> Phone:
    return Phone(p.name, p.host, p.port, model=p.model, username=USER, password=PASSWORD)


async def post(phone_address: str, body: bytes) -> httpx.Response:
    async with httpx.AsyncClient(trust_env=False) as client:
        return await client.post(
            f"http://{phone_address}/CGI/Execute",
            content=body,
            auth=(USER, PASSWORD),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )


@pytest.mark.parametrize(
    "xml",
    [
        b"<CiscoIPPhoneText><Text>a & b</Text></CiscoIPPhoneText>",
        b"<CiscoIPPhoneText><Title>" + b"t" * 40 + b"</Title></CiscoIPPhoneText>",
        b"<CiscoIPPhoneMenu><MenuItem/></CiscoIPPhoneMenu>",
        b"<CiscoIPPhoneText><text>lower-case tag</text></CiscoIPPhoneText>",
    ],
)
async def test_bad_objects_get_error_1(fleet: Simulator, xml: bytes) -> None:
    reply = await post(fleet.phones[0].address, form_body(xml))
    assert reply.status_code == 200
    root = ET.fromstring(reply.content)
    assert (root.tag, root.get("Number")) == ("CiscoIPPhoneError", "1")


async def test_missing_xml_field_is_error_1(fleet: Simulator) -> None:
    reply = await post(fleet.phones[1].address, b"NOTXML=1")
    assert b'Number="1"' in reply.content


async def test_device_information_shows_the_screen(fleet: Simulator, defaults: Defaults) -> None:
    sim_phone = fleet.phones[0]
    phone = as_phone(sim_phone)
    async with Pusher(defaults) as pusher:
        [result] = [r async for r in pusher.push(CiscoIPPhoneText("On screen", "", "Body"), [phone])]
    assert result.outcome is Outcome.OK
    async with httpx.AsyncClient(trust_env=False) as client:
        info = ET.fromstring((await client.get(f"http://{sim_phone.address}/DeviceInformationX")).content)
    assert info.tag == "DeviceInformation"
    assert info.findtext("HostName") == sim_phone.devicename
    assert info.findtext("modelNumber") == sim_phone.model
    assert (info.findtext("ScreenTitle"), info.findtext("ScreenText")) == ("On screen", "Body")


async def test_per_port_fleet(service: Service, defaults: Defaults) -> None:
    sim = Simulator.fleet(3, service.auth_url, per_port=True)
    async with sim:
        assert sim.fallback == ""
        assert {p.host for p in sim.phones} == {"127.0.0.1"}
        assert len({p.port for p in sim.phones}) == 3
        phones = [as_phone(p) for p in sim.phones]
        async with Pusher(defaults) as pusher:
            results = [r async for r in pusher.push(CiscoIPPhoneText(text="x"), phones)]
    assert {r.outcome for r in results} == {Outcome.OK}


async def test_play_gets_the_longer_timeout(service: Service, defaults: Defaults) -> None:
    sim = Simulator.fleet(1, service.auth_url)
    sim.phones[0].play_seconds = 1.5
    defaults.timeout, defaults.play_timeout = 0.5, 5.0
    async with sim:
        phone = as_phone(sim.phones[0])
        async with Pusher(defaults) as pusher:
            [played] = [r async for r in pusher.push(CiscoIPPhoneExecute([ExecuteItem("Play:chime.raw")]), [phone])]
            sim.phones[0].latency = 1.5
            [slow] = [r async for r in pusher.push(CiscoIPPhoneExecute([ExecuteItem("Key:Services")]), [phone])]
    assert played.outcome is Outcome.OK and played.latency > 1.4
    assert slow.outcome is Outcome.TIMEOUT


def test_fleet_stays_on_loopback() -> None:
    with pytest.raises(ValueError, match="loopback"):
        Simulator.fleet(3, base="10.0.0.0")
    with pytest.raises(ValueError, match="loopback"):
        Simulator.fleet(3, base="127.255.255.253")


#: TEST-NET-1: no interface has it, so binding it fails as binding 127.0.0.2 does on macOS.
#: Only ever given to bind(); nothing is sent there.
UNBINDABLE = "192.0.2.1"


class LoopbackOfOneAddress(Simulator):
    """A machine whose loopback has only 127.0.0.1: every other address refuses the bind."""

    def bind_host(self, phone: SimPhone) -> str:
        return phone.host if phone.host == LOCALHOST else UNBINDABLE


def bind_refused(address: str) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind((address, 0))
        except OSError as exc:
            return exc.errno == errno.EADDRNOTAVAIL
    return False


async def test_unbindable_addresses_fall_back_to_ports_of_localhost(
    service: Service, defaults: Defaults, tmp_path: Path
) -> None:
    if not bind_refused(UNBINDABLE):
        pytest.skip(f"this machine binds {UNBINDABLE} (ip_nonlocal_bind?): the fallback cannot be forced here")
    assert not bind_refused("127.77.9.1"), "this machine has all of 127.0.0.0/8, as Linux does"
    sim = LoopbackOfOneAddress(fleet_phones(5, service.auth_url, base="127.77.9.0", port=0))
    sim.phones[4].offline = True
    async with sim:
        assert "127.77.9.1 cannot be bound here" in sim.fallback
        assert {p.host for p in sim.phones} == {LOCALHOST}
        assert len({p.port for p in sim.phones}) == 5
        write_config(tmp_path / "fleet.toml", sim.config(USER, PASSWORD))
        config = load_config(tmp_path / "fleet.toml")
        assert [(p.host, p.port) for p in config.phones] == [(LOCALHOST, p.port) for p in sim.phones]
        async with Pusher(defaults) as pusher:
            results = {r.phone.name: r async for r in pusher.push(CiscoIPPhoneText(text="moved"), config.phones)}
        assert [sim.phone(f"sim-000{i}").screen.text for i in range(1, 5)] == ["moved"] * 4
    assert {results[f"sim-000{i}"].outcome for i in range(1, 5)} == {Outcome.OK}
    assert results["sim-0005"].outcome is Outcome.UNREACHABLE  # offline stays offline on its port


async def test_an_address_in_use_is_an_error_not_a_fallback(service: Service) -> None:
    with socket.socket() as taken:
        taken.bind(("127.77.10.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        sim = Simulator.fleet(2, service.auth_url, base="127.77.10.0", port=port)
        with pytest.raises(OSError) as raised:
            await sim.start()
        await sim.stop()
    assert raised.value.errno == errno.EADDRINUSE
    assert sim.fallback == ""


async def test_phones_ask_the_responder_from_their_own_addresses(
    fleet: Simulator, service: Service, defaults: Defaults
) -> None:
    """As real phones do: the responder's throttle and log see each phone, not one shared client."""
    phones = [as_phone(p) for p in fleet.phones[:3]]
    async with Pusher(defaults) as pusher:
        results = [r async for r in pusher.push(CiscoIPPhoneText(text="x"), phones)]
    assert {r.outcome for r in results} == {Outcome.OK}
    assert sorted((e.peer, e.devicename) for e in service.events) == sorted(
        (p.host, p.devicename) for p in fleet.phones[:3]
    )
