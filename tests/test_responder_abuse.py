"""The responder under abuse keeps giving legitimate requests exact answers.

(How fast it answers them meanwhile is a benchmark matter: benchmarks/responder.py measures
the responder against a minimal handler; wall-clock times are never asserted here.)
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import resource

import httpx
import pytest

from phonetui.service import Service

from .conftest import PASSWORD, USER

DEVICE = "SEP005056000001"


async def legitimate(service: Service, count: int) -> list[bytes]:
    params = {"UserID": USER, "Password": PASSWORD, "devicename": DEVICE}
    async with httpx.AsyncClient(trust_env=False, timeout=10) as client:
        answers = await asyncio.gather(*(client.get(service.auth_url, params=params) for _ in range(count)))
    return [a.content for a in answers]


async def open_connection(service: Service) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    host, port = service.bound
    return await asyncio.open_connection(host, port)


#: Connections the test opens besides the held ones (legitimate, oversized, malformed), with room to spare.
OTHER_CONNECTIONS = 75


def held_connections() -> int:
    """How many connections the abuse holds open: a thousand, or what the descriptor limit leaves.

    Both ends of each are in this process (the service runs here), so each costs two
    descriptors. Under ``ulimit -n 1024`` (as CI runs) this is about 400.
    """
    soft = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    if soft == resource.RLIM_INFINITY:
        return 1000
    return min(1000, (soft - len(os.listdir("/dev/fd")) - 2 * OTHER_CONNECTIONS) // 2)


async def test_slowloris_oversized_malformed_and_many_connections(
    service: Service, caplog: pytest.LogCaptureFixture
) -> None:
    held = held_connections()
    assert held >= 100, f"the descriptor limit leaves room for {held} connections: too few to be abuse"
    writers: list[asyncio.StreamWriter] = []
    try:
        for _ in range(held * 3 // 10):  # slowloris: a request head that never ends
            _, writer = await open_connection(service)
            writer.write(b"GET /authenticate?UserID=pushuser HTTP/1.1\r\nHost: x\r\nX-Slow: ")
            writers.append(writer)
        while len(writers) < held:  # connected and silent
            _, writer = await open_connection(service)
            writers.append(writer)
        await asyncio.sleep(0.2)
        assert await legitimate(service, 20) == [b"AUTHORIZED"] * 20

        oversized = []
        for _ in range(20):  # bodies far over the 64 KiB the service reads
            reader, writer = await open_connection(service)
            head = b"POST /authenticate HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
            writer.write(head + b"Content-Length: 1048576\r\n\r\nUserID=" + b"A" * 200_000)
            oversized.append((reader, writer))
        malformed = []
        for garbage in (
            b"\x00\x01\x02 garbage\r\n\r\n",
            b"GET / HTTP/9.9\r\n\r\n",
            b"GET /authenticate?%zz HTTP/1.1\r\n\r\n",
        ):
            reader, writer = await open_connection(service)
            writer.write(garbage)
            malformed.append((reader, writer))
        assert await legitimate(service, 20) == [b"AUTHORIZED"] * 20

        for reader, writer in oversized + malformed:
            with contextlib.suppress(ConnectionError):
                await writer.drain()
            answer = await asyncio.wait_for(reader.read(4096), 10)
            assert answer == b"" or not answer.endswith(b"\r\n\r\nAUTHORIZED")  # never admitted
            writers.append(writer)
    finally:
        for writer in writers:
            writer.close()
    assert await legitimate(service, 5) == [b"AUTHORIZED"] * 5
    assert service.counters["AUTHORIZED"] == 45
    out_of_descriptors = [r.getMessage() for r in caplog.records if "out of system resource" in r.getMessage()]
    assert not out_of_descriptors, "the service could not accept every connection: the abuse outgrew the limit"
