"""Phones that misbehave on purpose: raw sockets on loopback, each with one bad habit."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import struct
from collections.abc import Awaitable, Callable

Behaviour = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]

HEAD = b"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\n"


async def read_request(reader: asyncio.StreamReader) -> None:
    """Read the request head and body, as a phone would, before misbehaving."""
    head = await reader.readuntil(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":")[1])
    await reader.readexactly(length)


async def huge_body(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """A 100 MB body (never held in memory here either: one chunk written again and again)."""
    await read_request(reader)
    size = 100 * 1024 * 1024
    writer.write(HEAD + f"Content-Length: {size}\r\n\r\n".encode())
    chunk = b"<" * 65536
    for _ in range(size // len(chunk)):
        writer.write(chunk)
        await writer.drain()


async def slow_drip(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Headers, then one byte every 0.2 s, forever."""
    await read_request(reader)
    writer.write(HEAD + b"Content-Length: 1000000\r\n\r\n")
    while True:
        writer.write(b"<")
        await writer.drain()
        await asyncio.sleep(0.2)


def _fixed(body: bytes, head: bytes = HEAD) -> Behaviour:
    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(head + f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode() + body)
        await writer.drain()

    return answer


_LAUGHS = "".join(
    f'<!ENTITY l{i} "{("&l" + str(i - 1) + ";") * 10}">' if i else '<!ENTITY l0 "lol">' for i in range(10)
)
ENTITY_BOMB = (
    f'<?xml version="1.0"?><!DOCTYPE r [{_LAUGHS}]><CiscoIPPhoneError Number="1">&l9;</CiscoIPPhoneError>'.encode()
)
DEEP = b"<CiscoIPPhoneResponse>" + b"<a>" * 5_000 + b"</a>" * 5_000 + b"</CiscoIPPhoneResponse>"  # under the size cap
BAD_UTF8 = b'<?xml version="1.0" encoding="utf-8"?>\xc3\x28\xa0\xa1\xff\xfe\x00garbage'
LOGIN_PAGE = b"<!DOCTYPE html><html><head><title>Login</title></head><body><form>user</form></body></html>"

entity_bomb = _fixed(ENTITY_BOMB)
deep_nesting = _fixed(DEEP)
invalid_utf8 = _fixed(BAD_UTF8)
html_login = _fixed(LOGIN_PAGE, b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n")


def redirect_loop(port_holder: list[int]) -> Behaviour:
    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        location = f"http://127.0.0.1:{port_holder[0]}/CGI/Execute".encode()
        writer.write(b"HTTP/1.1 302 Found\r\nLocation: " + location + b"\r\nContent-Length: 0\r\n\r\n")
        await writer.drain()

    return answer


async def reset_mid_body(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Promise 1000 bytes, send 100, then reset the connection."""
    await read_request(reader)
    writer.write(HEAD + b"Content-Length: 1000\r\n\r\n" + b"<CiscoIPPhoneResponse>" + b" " * 78)
    await writer.drain()
    sock = writer.get_extra_info("socket")
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()


async def tls_only(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """What a TLS-only server does with plain HTTP: a TLS alert record, then close."""
    with contextlib.suppress(Exception):
        await reader.read(1024)
    writer.write(b"\x15\x03\x01\x00\x02\x02\x46")
    await writer.drain()
    writer.close()


async def never_starts(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Read the request, then say nothing at all."""
    await read_request(reader)
    await asyncio.Event().wait()


class HostilePhone:
    """One misbehaving phone on its own loopback port."""

    def __init__(self, behaviour: Behaviour | Callable[[list[int]], Behaviour], needs_port: bool = False) -> None:
        self.port_holder: list[int] = [0]
        self.behaviour: Behaviour = behaviour(self.port_holder) if needs_port else behaviour  # type: ignore[call-arg,assignment]
        self.server: asyncio.Server | None = None
        self.tasks: set[asyncio.Task[None]] = set()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self.tasks.add(task)  # type: ignore[arg-type]
        try:
            await self.behaviour(reader, writer)
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.CancelledError):
            pass
        finally:
            writer.close()

    async def start(self) -> int:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port_holder[0] = self.server.sockets[0].getsockname()[1]
        return self.port_holder[0]

    async def stop(self) -> None:
        for task in self.tasks:
            task.cancel()
        if self.server:
            self.server.close()
