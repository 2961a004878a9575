"""Transport manners phones need: Content-Length and never chunks or Expect, credentials on the first request,
and a POST that reached a phone never sent twice. The simulator enforces the first two as phones do."""

from __future__ import annotations

import asyncio

from phonetui.cisco import CiscoIPPhoneText, Outcome
from phonetui.config import Defaults, parse_config
from phonetui.push import Pusher
from phonetui.simulator import Simulator

from .conftest import PASSWORD, USER
from .https_phone import RecordingPhone
from .test_tls_pin import push


async def raw_post(host: str, port: int, head: str, body: bytes) -> bytes:
    """Send a request as written, read whatever comes back until the phone closes."""
    reader, writer = await asyncio.open_connection(host, port)
    writer.write(head.encode() + body)
    await writer.drain()
    try:
        return await asyncio.wait_for(reader.read(), 5)
    finally:
        writer.close()


async def test_the_simulator_answers_error_6_to_expect_and_404_to_chunks(fleet: Simulator) -> None:
    phone = fleet.phones[0]
    body = b"XML=%3CCiscoIPPhoneText%3E%3CText%3Ehi%3C%2FText%3E%3C%2FCiscoIPPhoneText%3E"
    common = f"POST /CGI/Execute HTTP/1.1\r\nHost: {phone.host}\r\nConnection: close\r\n"
    expect = common + f"Expect: 100-continue\r\nContent-Length: {len(body)}\r\n\r\n"
    answer = await raw_post(phone.host, phone.port, expect, body)
    assert b'Number="6"' in answer
    chunked_body = f"{len(body):x}\r\n".encode() + body + b"\r\n0\r\n\r\n"
    chunked = common + "Transfer-Encoding: chunked\r\n\r\n"
    answer = await raw_post(phone.host, phone.port, chunked, chunked_body)
    assert answer.startswith(b"HTTP/1.1 404")
    assert phone.screen.pushes == 0


async def test_a_push_carries_its_length_and_its_credentials_on_the_first_request(
    https_phone: RecordingPhone, defaults: Defaults
) -> None:
    result = await push(https_phone.phone(), defaults)
    assert result.outcome is Outcome.OK, result.detail
    [headers] = https_phone.requests  # one request: Basic is not waiting for a challenge
    assert headers["Authorization"].startswith("Basic ")
    assert int(headers["Content-Length"]) > 0
    assert "Transfer-Encoding" not in headers and "Expect" not in headers


async def test_a_post_without_an_answer_is_not_sent_again() -> None:
    """A read timeout means the phone may have shown the object: no retry, or it shows twice."""
    received = 0

    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal received
        await reader.readuntil(b"\r\n\r\n")
        received += 1
        await asyncio.sleep(5)
        writer.close()

    server = await asyncio.start_server(silent, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    phone = parse_config(f'[[phones]]\nname = "p"\nhost = "127.0.0.1"\nport = {port}\n').phones[0]
    defaults = Defaults(username=USER, password=PASSWORD, timeout=0.5, connect_timeout=1.0)
    try:
        async with Pusher(defaults) as pusher:
            [result] = [r async for r in pusher.push(CiscoIPPhoneText("T", "", "x"), [phone])]
    finally:
        server.close()
    assert result.outcome is Outcome.TIMEOUT
    assert received == 1
