"""The baselines: the same pushes without phonetui.

(a) ``--concurrency N``: one shared httpx.AsyncClient, a semaphore, 1000 POSTs.
(b) ``--sequential``: one phone at a time, a new connection each, as the classic PHP
    push scripts do.
Prints one JSON line: how many phones answered 200, how many failed, seconds taken.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
import tomllib
from urllib.parse import quote

import httpx

XML = '<?xml version="1.0" encoding="UTF-8"?><CiscoIPPhoneText><Text>Hello</Text></CiscoIPPhoneText>'


def targets(config_path: str, limit: int | None) -> tuple[list[str], tuple[str, str]]:
    with open(config_path, "rb") as handle:
        raw = tomllib.load(handle)
    defaults = raw["defaults"]
    urls = [f"http://{p['host']}:{p['port']}/CGI/Execute" for p in raw["phones"]]
    return urls[:limit], (defaults["username"], defaults["password"])


def body(charset: str = "utf-8") -> bytes:
    return ("XML=" + quote(XML, safe="")).encode()


HEADERS = {"Content-Type": "application/x-www-form-urlencoded", "Connection": "close"}


async def concurrent(urls: list[str], auth: tuple[str, str], concurrency: int, read_timeout: float) -> dict[str, int]:
    counts = {"ok": 0, "failed": 0}
    semaphore = asyncio.Semaphore(concurrency)
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=0)
    async with httpx.AsyncClient(limits=limits, trust_env=False, timeout=read_timeout, auth=auth) as client:

        async def one(url: str) -> None:
            async with semaphore:
                try:
                    response = await client.post(url, content=body(), headers=HEADERS)
                    counts["ok" if response.status_code == 200 else "failed"] += 1
                except httpx.HTTPError:
                    counts["failed"] += 1

        await asyncio.gather(*(one(url) for url in urls))
    return counts


def sequential(urls: list[str], auth: tuple[str, str], timeout: float) -> dict[str, int]:
    counts = {"ok": 0, "failed": 0}
    for url in urls:
        try:
            with httpx.Client(trust_env=False, timeout=timeout, auth=auth) as client:
                response = client.post(url, content=body(), headers=HEADERS)
            counts["ok" if response.status_code == 200 else "failed"] += 1
        except httpx.HTTPError:
            counts["failed"] += 1
    return counts


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("config")
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--sequential", action="store_true")
    parser.add_argument("--limit", type=int)
    parser.add_argument("--timeout", type=float, default=5.0)
    args = parser.parse_args()
    urls, auth = targets(args.config, args.limit)
    started = time.perf_counter()
    if args.sequential:
        counts = sequential(urls, auth, args.timeout)
    else:
        counts = asyncio.run(concurrent(urls, auth, args.concurrency, args.timeout))
    print(json.dumps({**counts, "phones": len(urls), "seconds": round(time.perf_counter() - started, 3)}))


if __name__ == "__main__":
    main()
