"""Benchmark 5 (issue: hardening): legitimate authentications while the responder is abused.

Usage: python benchmarks/responder_abuse.py [--seconds 10]

`phonetui serve` runs in its own process. For the duration, this script keeps up at once:
300 slowloris connections (a request head that never ends, a byte every few seconds),
700 connections that say nothing, loops sending 1 MB bodies and malformed requests, and a
flood of wrong passwords from one address (which the responder throttles). Meanwhile a
probe from another address asks with the right credentials every 50 ms. The probe is also
run with no abuse, side by side. Target: every probe answered exactly, each within 100 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from common import PHONETUI, verdict

USER, PASSWORD = "bench", "bench-pw"
PARAMS = {"UserID": USER, "Password": PASSWORD, "devicename": "SEP005056000001"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def probe(url: str, seconds: float) -> tuple[list[float], int]:
    """Right credentials every 50 ms from 127.0.0.2: latencies, and how many answers were wrong."""
    transport = httpx.AsyncHTTPTransport(local_address="127.0.0.2")
    latencies, wrong = [], 0
    async with httpx.AsyncClient(transport=transport, trust_env=False, timeout=5) as client:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            started = time.perf_counter()
            answer = await client.get(url, params=PARAMS, headers={"Connection": "close"})
            latencies.append(time.perf_counter() - started)
            wrong += answer.status_code != 200 or answer.content != b"AUTHORIZED"
            await asyncio.sleep(0.05)
    return latencies, wrong


async def abuse(port: int, stop: asyncio.Event) -> dict[str, int]:
    counts = {"slowloris": 0, "silent": 0, "oversized": 0, "malformed": 0, "wrong-password": 0}
    writers: list[asyncio.StreamWriter] = []

    async def connect() -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        return await asyncio.open_connection("127.0.0.1", port)

    for _ in range(300):
        _, writer = await connect()
        writer.write(b"GET /authenticate?UserID=x HTTP/1.1\r\nHost: x\r\n")
        writers.append(writer)
        counts["slowloris"] += 1
    for _ in range(700):
        writers.append((await connect())[1])
        counts["silent"] += 1

    async def drip() -> None:
        while not stop.is_set():
            for writer in writers[:300]:
                with contextlib.suppress(ConnectionError):
                    writer.write(b"X")
            await asyncio.sleep(3)

    async def oversized() -> None:
        while not stop.is_set():
            with contextlib.suppress(ConnectionError, OSError):
                reader, writer = await connect()
                writer.write(
                    b"POST /authenticate HTTP/1.1\r\nHost: x\r\nContent-Length: 1048576\r\n\r\n" + b"A" * 1048576
                )
                await writer.drain()
                await reader.read(4096)
                writer.close()
                counts["oversized"] += 1

    async def malformed() -> None:
        while not stop.is_set():
            with contextlib.suppress(ConnectionError, OSError):
                reader, writer = await connect()
                writer.write(b"\x16\x03\x01 garbage \x00\r\n\r\n")
                await reader.read(4096)
                writer.close()
                counts["malformed"] += 1

    async def guesses() -> None:
        transport = httpx.AsyncHTTPTransport(local_address="127.0.0.3")
        async with httpx.AsyncClient(transport=transport, trust_env=False, timeout=5) as client:
            while not stop.is_set():
                with contextlib.suppress(httpx.HTTPError):
                    await client.get(f"http://127.0.0.1:{port}/authenticate", params={**PARAMS, "Password": "guess"})
                    counts["wrong-password"] += 1

    tasks = [asyncio.create_task(f()) for f in (drip, oversized, oversized, malformed, malformed, guesses, guesses)]
    await stop.wait()
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    for writer in writers:
        writer.close()
    return counts


async def main_async(seconds: float) -> bool:
    port = free_port()
    url = f"http://127.0.0.1:{port}/authenticate"
    with tempfile.TemporaryDirectory() as folder:
        config = Path(folder) / "serve.toml"
        config.write_text(f'[service]\nlisten = "127.0.0.1:{port}"\nusername = "{USER}"\npassword = "{PASSWORD}"\n')
        config.chmod(0o600)
        server = subprocess.Popen([*PHONETUI, "serve", "--config", str(config)], stdout=subprocess.DEVNULL)  # noqa: ASYNC220
        try:
            await asyncio.sleep(1.5)
            quiet, quiet_wrong = await probe(url, seconds)
            stop = asyncio.Event()
            abuser = asyncio.create_task(abuse(port, stop))
            await asyncio.sleep(1.0)
            busy, busy_wrong = await probe(url, seconds)
            stop.set()
            counts = await abuser
        finally:
            server.terminate()
            server.wait(timeout=20)
    worst = max(busy)
    print(f"5. Responder under abuse, {seconds:g} s each, probe every 50 ms from another address:")
    print(f"   abuse kept up: {counts}")
    for name, values, wrong in (("quiet", quiet, quiet_wrong), ("abused", busy, busy_wrong)):
        print(f"   {name:7} {len(values)} probes  p50 {statistics.median(values) * 1000:5.1f} ms  "
              f"max {max(values) * 1000:5.1f} ms  wrong answers {wrong}")  # fmt: skip
    ok = worst <= 0.1 and busy_wrong == 0 and quiet_wrong == 0
    print(f"   slowest legitimate answer under abuse {worst * 1000:.1f} ms  target <= 100 ms  {verdict(worst <= 0.1)}")
    print(f"   wrong answers {busy_wrong + quiet_wrong}  target 0  {verdict(busy_wrong + quiet_wrong == 0)}")
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10)
    args = parser.parse_args()
    sys.exit(0 if asyncio.run(main_async(args.seconds)) else 1)


if __name__ == "__main__":
    main()
