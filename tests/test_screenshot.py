"""Screenshots against the simulator: each model's path and format, the pushed screen in the image,
401, no screenshot path, the 2 s refusal, keys that change the screen. Real servers on loopback."""

from __future__ import annotations

import asyncio
import io
import time

import httpx
import pytest
from PIL import Image, ImageChops

from phonetui.cisco import CiscoIPPhoneExecute, CiscoIPPhoneText, ExecuteItem, Outcome, SoftKeyItem, encode
from phonetui.cisco.screens import (
    LCD_PATH,
    MPP_PATH,
    SCREENSHOT_PATH,
    UNKNOWN_PATHS,
    display_for,
    key_problem,
    shot_source,
)
from phonetui.config import Defaults, Phone
from phonetui.push import Pusher, make_client
from phonetui.screenshot import BUSY_HINT, Shot, ShotOutcome, ShotPacer, fetch_screenshot, fetch_screenshots
from phonetui.service import Service
from phonetui.simphone import SimPhone, fleet_phones
from phonetui.simscreen import press, render_screen
from phonetui.simulator import Simulator

from .conftest import PASSWORD, USER

CREDENTIALS = (USER, PASSWORD)


def as_phone(p: SimPhone, model: str | None = None) -> Phone:
    return Phone(p.name, p.host, p.port, model=p.model if model is None else model, username=USER, password=PASSWORD)


def same_pixels(shot: Shot, phone: SimPhone) -> bool:
    return ImageChops.difference(shot.image(), render_screen(phone).convert("RGB")).getbbox() is None


async def one(phone: Phone, credentials: tuple[str, str] | None = CREDENTIALS) -> Shot:
    async with make_client() as client:
        return await fetch_screenshot(client, phone, credentials, 3.0, ShotPacer(0.0))


async def test_every_fleet_model_on_its_path_in_its_format(fleet: Simulator) -> None:
    phones = [as_phone(p) for p in fleet.phones]
    shots = {s.phone: s async for s in fetch_screenshots(phones, CREDENTIALS, concurrency=8, timeout=3.0)}
    expected = {
        "CP-8845": (SCREENSHOT_PATH, "PNG"),
        "CP-7975G": (SCREENSHOT_PATH, "BMP"),
        "CP-7960G": (SCREENSHOT_PATH, "BMP"),
        "CP-7841": (SCREENSHOT_PATH, "PNG"),  # 78xx varies: the simulator sends PNG
        "CP-6945": (LCD_PATH, "BMP"),
        "CP-7940G": (SCREENSHOT_PATH, "BMP"),
        "CP-8865": (SCREENSHOT_PATH, "PNG"),
        "CP-8961": (UNKNOWN_PATHS[0], "PNG"),  # not in the table: the unknown list, first path
    }
    for sim_phone in fleet.phones:
        shot = shots[sim_phone.name]
        assert shot.outcome is ShotOutcome.OK, shot
        path, image_format = expected[sim_phone.model]
        assert shot.path == path
        assert shot.content_type == f"image/{image_format.lower()}"
        image = Image.open(io.BytesIO(shot.data))
        assert image.format == image_format
        display = display_for(sim_phone.model)
        assert image.size == (display.width, display.height)
        assert same_pixels(shot, sim_phone)
        assert shot.latency_ms is not None and shot.at > 0


async def test_a_pushed_title_is_in_the_image(fleet: Simulator, defaults: Defaults) -> None:
    sim_phone = fleet.phones[0]
    phone = as_phone(sim_phone)
    before = await one(phone)
    assert before.outcome is ShotOutcome.OK
    obj = CiscoIPPhoneText("Fire drill", "Leave now", "Use the stairs", [SoftKeyItem("Exit", "SoftKey:Exit", "", 1)])
    async with Pusher(defaults) as pusher:
        [result] = [r async for r in pusher.push(obj, [phone])]
    assert result.outcome is Outcome.OK
    after = await one(phone)
    assert after.outcome is ShotOutcome.OK
    assert same_pixels(after, sim_phone)  # the simulator's own rendering of what it shows
    assert ImageChops.difference(before.image(), after.image()).getbbox() is not None
    sim_phone.screen.title = "Something else"
    assert not same_pixels(after, sim_phone)  # the title is in the pixels


async def test_mpp_and_98xx_and_unknown(service: Service) -> None:
    phones = fleet_phones(3, service.auth_url)
    phones[0].model, phones[1].model, phones[2].model = "CP-8851-3PCC", "CP-9861", "CP-8845"
    async with Simulator(phones) as sim:
        mpp = await one(as_phone(sim.phones[0]))
        assert (mpp.outcome, mpp.path, mpp.content_type) == (ShotOutcome.OK, MPP_PATH, "image/bmp")
        # a 98xx is asked over HTTPS first: nothing listens on 443 here, so its own scheme next
        assert shot_source("CP-9861").https_first
        nine = await one(as_phone(sim.phones[1]))
        assert (nine.outcome, nine.path) == (ShotOutcome.OK, SCREENSHOT_PATH)
        # the config does not know the model: the unknown list finds /CGI/Screenshot
        unknown = await one(as_phone(sim.phones[2], model=""))
        assert (unknown.outcome, unknown.path, unknown.content_type) == (ShotOutcome.OK, SCREENSHOT_PATH, "image/png")


async def test_wrong_credentials_are_a_401_and_auth_failed(fleet: Simulator) -> None:
    for sim_phone in fleet.phones[:3]:  # modern, classic, legacy alike
        shot = await one(as_phone(sim_phone), (USER, "wrong"))
        assert shot.outcome is ShotOutcome.AUTH_FAILED, shot
        assert "401" in shot.detail
        assert "Web Access" in shot.hint and "associated" in shot.hint and "authentication URL" in shot.hint
    async with httpx.AsyncClient(trust_env=False) as client:
        answer = await client.get(f"http://{fleet.phones[0].address}{SCREENSHOT_PATH}")
    assert answer.status_code == 401 and "www-authenticate" in answer.headers


async def test_unknown_model_stops_at_a_401(fleet: Simulator) -> None:
    sim_phone = fleet.phones[4]  # a 6945: /CGI/lcd.bmp, not in the unknown list
    shot = await one(as_phone(sim_phone, model=""), (USER, "wrong"))
    assert shot.outcome is ShotOutcome.UNSUPPORTED  # 404 on every unknown path: never asked for credentials
    sim_phone = fleet.phones[0]
    shot = await one(as_phone(sim_phone, model=""), (USER, "wrong"))
    assert (shot.outcome, shot.path) == (ShotOutcome.AUTH_FAILED, UNKNOWN_PATHS[0])


async def test_a_phone_without_a_screenshot_path_is_unsupported(service: Service) -> None:
    phones = fleet_phones(1, service.auth_url)
    phones[0].screenshots = False
    async with Simulator(phones) as sim:
        shot = await one(as_phone(sim.phones[0]))
        assert shot.outcome is ShotOutcome.UNSUPPORTED
        assert SCREENSHOT_PATH in shot.detail
        unknown = await one(as_phone(sim.phones[0], model=""))
        assert unknown.outcome is ShotOutcome.UNSUPPORTED
        assert all(path in unknown.detail for path in UNKNOWN_PATHS)
        assert (
            shot.hint == "" and "give its model in the config (69xx and 39xx phones serve /CGI/lcd.bmp" in unknown.hint
        )


async def test_faster_than_2_s_is_refused_with_retry_after(fleet: Simulator) -> None:
    url = f"http://{fleet.phones[0].address}{SCREENSHOT_PATH}"
    async with httpx.AsyncClient(trust_env=False, auth=CREDENTIALS) as client:
        first = await client.get(url)
        second = await client.get(url)
    assert first.status_code == 200
    assert second.status_code == 503
    assert 1 <= int(second.headers["retry-after"]) <= 2


async def test_the_fetch_waits_for_the_phone_and_the_pacer(fleet: Simulator) -> None:
    phone = as_phone(fleet.phones[1])
    async with make_client() as client:
        first = await fetch_screenshot(client, phone, CREDENTIALS, 3.0, ShotPacer(0.0))
        # another process asked just before: the phone says 503 Retry-After, the fetch waits and asks again
        started = time.monotonic()
        second = await fetch_screenshot(client, phone, CREDENTIALS, 5.0, ShotPacer(0.0))
        assert (first.outcome, second.outcome) == (ShotOutcome.OK, ShotOutcome.OK)
        assert time.monotonic() - started >= 0.9
    pacer = ShotPacer(0.3)
    started = time.monotonic()
    await asyncio.gather(*(pacer.wait("a") for _ in range(3)))
    assert time.monotonic() - started >= 0.55


async def test_not_an_image_unreachable_and_refused(service: Service) -> None:
    phones = fleet_phones(3, service.auth_url)
    phones[0].garbled, phones[1].web_off, phones[2].black_hole = True, True, True
    async with Simulator(phones) as sim:
        garbled = await one(as_phone(sim.phones[0]))
        assert garbled.outcome is ShotOutcome.NOT_AN_IMAGE
        off = await one(as_phone(sim.phones[1]))
        assert off.outcome is ShotOutcome.UNREACHABLE and "Web Access" in off.hint
        async with make_client() as client:
            hole = await fetch_screenshot(client, as_phone(sim.phones[2]), CREDENTIALS, 0.5, ShotPacer(0.0))
        assert hole.outcome is ShotOutcome.TIMEOUT and "0.5 s" in hole.detail
    refused = await one(Phone("bad", "127.0.0.300", 80))
    assert refused.outcome is ShotOutcome.REFUSED


async def test_keys_change_the_screen(fleet: Simulator, defaults: Defaults, service: Service) -> None:
    sim_phone = fleet.phones[0]
    phone = as_phone(sim_phone)
    page = CiscoIPPhoneText("From a softkey", "", "Fetched and shown")
    url = await service.host(encode(page, "utf-8"), "utf-8")  # a softkey's URL: fetched and shown when pressed
    obj = CiscoIPPhoneText("Alert", "", "Press Ack", [SoftKeyItem("Ack", url, "", 1)])

    async def execute(*uris: str) -> list[tuple[str, int]]:
        async with Pusher(defaults) as pusher:
            [result] = [r async for r in pusher.push(CiscoIPPhoneExecute([ExecuteItem(u, 0) for u in uris]), [phone])]
        assert result.reply is not None
        return sorted((item.url, item.status) for item in result.reply.items)

    async with Pusher(defaults) as pusher:
        [result] = [r async for r in pusher.push(obj, [phone])]
    assert result.outcome is Outcome.OK
    assert await execute("Key:Services") == [("Key:Services", 0)]
    assert sim_phone.screen.title == "Services" and "Directory" in sim_phone.screen.text
    assert await execute("Init:Services") == [("Init:Services", 0)]
    assert (sim_phone.screen.title, sim_phone.screen.text) == ("", "")
    async with Pusher(defaults) as pusher:
        [result] = [r async for r in pusher.push(obj, [phone])]
    assert await execute("Key:Soft1") == [("Key:Soft1", 0)]
    assert (sim_phone.screen.title, sim_phone.screen.text) == ("From a softkey", "Fetched and shown")


async def test_unsupported_keys() -> None:
    assert key_problem("CP-8961", "Key:Services") == "not on the 8961: use Key:Applications"
    assert key_problem("CP-9971", "Key:Hold") is not None
    assert key_problem("CP-8845", "Key:Services") is None
    assert key_problem("CP-8961", "Key:Applications") is None
    assert key_problem("CP-8961", "Init:Services") is None


async def test_an_unsupported_key_is_status_6_on_the_simulator(fleet: Simulator, defaults: Defaults) -> None:
    sim_phone = next(p for p in fleet.phones if p.model == "CP-8961")
    async with Pusher(defaults) as pusher:
        [result] = [
            r async for r in pusher.push(CiscoIPPhoneExecute([ExecuteItem("Key:Services", 0)]), [as_phone(sim_phone)])
        ]
    assert result.reply is not None
    assert [(i.status, i.data) for i in result.reply.items] == [(6, "URI not found")]


@pytest.mark.parametrize("model", ["CP-7940G", "CP-6921", "CP-7970G", "CP-8845", "CP-8821", "CP-9971", "CP-7841"])
def test_render_at_each_display(model: str) -> None:
    phone = SimPhone("x", "001122334455", model, fleet_phones(1)[0].family, "127.0.0.1")
    phone.screen.title, phone.screen.text = "Hello", "A long line of text that has to wrap " * 5
    image = render_screen(phone)
    display = display_for(model)
    assert image.size == (display.width, display.height)
    assert image.mode == ("1" if display.depth == 1 else "L" if not display.colour else "RGB")


def test_softkeys_that_press_softkeys_do_not_loop() -> None:
    phone = SimPhone("x", "001122334455", "CP-8845", fleet_phones(1)[0].family, "127.0.0.1")
    phone.screen.softkeys, phone.screen.softkey_urls = ["A", "B", "C"], ["Key:Soft2", "Key:Soft1", "SoftKey:Exit"]
    phone.screen.title = "Shown"
    assert press(phone, "Key:Soft1") == (0, "Success") and phone.screen.title == "Shown"
    assert press(phone, "Key:Soft3") == (0, "Success") and phone.screen.title == ""


async def _busy_phone(answers: list[bytes]) -> asyncio.Server:
    """A loopback 'phone' that answers each request with the next of ``answers`` (the last one repeated)."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while (await reader.readline()) not in (b"\r\n", b""):
            pass
        writer.write(answers.pop(0) if len(answers) > 1 else answers[0])
        await writer.drain()
        writer.close()

    return await asyncio.start_server(handle, "127.0.0.1", 0)


def _response(status: str, headers: str = "", body: bytes = b"") -> bytes:
    head = f"HTTP/1.1 {status}\r\n{headers}Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    return head.encode() + body


async def test_a_busy_phone_says_so_and_the_latency_is_the_answering_request() -> None:
    png = io.BytesIO()
    Image.new("RGB", (4, 2)).save(png, format="PNG")
    busy = _response("503 Service Unavailable", "Retry-After: 1\r\n")
    image = _response("200 OK", "Content-Type: image/png\r\n", png.getvalue())
    server = await _busy_phone([busy, image])
    port = server.sockets[0].getsockname()[1]
    async with server:
        shot = await one(Phone("p", "127.0.0.1", port, model="CP-8845", username=USER, password=PASSWORD))
        assert shot.outcome is ShotOutcome.OK
        assert shot.latency_ms is not None and shot.latency_ms < 900  # not the 1 s the phone asked to wait
    server = await _busy_phone([busy])
    port = server.sockets[0].getsockname()[1]
    async with server:
        shot = await one(Phone("p", "127.0.0.1", port, model="CP-8845", username=USER, password=PASSWORD))
    assert shot.outcome is ShotOutcome.HTTP_ERROR and "HTTP 503" in shot.detail
    assert shot.hint == BUSY_HINT
    assert "the phone is busy: another program asked it for a screenshot less than 2 s ago" in BUSY_HINT
