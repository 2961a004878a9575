"""Probing 20,000 simulated phones against a bare GET loop with the same client, side by side.

Both ask every phone for ``/DeviceInformationX`` through one ``make_client()`` client with
the same number in flight; the bare loop only reads the body, phonetui's probe also parses
each page and classifies each phone. Rounds alternate; the verdict is the ratio of medians.

Target: probe <= 1.3 x the bare loop, and every phone online.
Run: ``.venv/bin/python benchmarks/probe_20000.py`` (about 5 minutes; ``--count``, ``--rounds``).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
import tomllib
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import simulator

from phonetui.config import load_config
from phonetui.probe import DEFAULT_CONCURRENCY, DEFAULT_DEADLINE, probe
from phonetui.push import make_client


async def bare(urls: list[str], concurrency: int) -> int:
    """GET each page with the same client and concurrency; count the 200s."""
    ok = 0
    queue = iter(urls)
    async with make_client() as client:

        async def worker() -> None:
            nonlocal ok
            for url in queue:
                try:
                    async with asyncio.timeout(DEFAULT_DEADLINE):
                        response = await client.get(url, headers={"Connection": "close"})
                    ok += response.status_code == 200
                except Exception:
                    pass

        await asyncio.gather(*(worker() for _ in range(concurrency)))
    return ok


async def probed(config: Path, concurrency: int) -> int:
    phones = load_config(config).phones
    async with make_client() as client:
        return sum([result.online async for result in probe(phones, concurrency, client=client)])


def timed(coroutine: object) -> tuple[float, int]:
    started = time.perf_counter()
    count = asyncio.run(coroutine)  # type: ignore[arg-type]  # a coroutine returning int
    return time.perf_counter() - started, count


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=DEFAULT_CONCURRENCY)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="phonetui-bench-"))
    config = folder / "sim.toml"
    with simulator(config, "--count", str(args.count)):
        raw = tomllib.loads(config.read_text())
        urls = [f"http://{p['host']}:{p['port']}/DeviceInformationX" for p in raw["phones"]]
        ours: list[float] = []
        theirs: list[float] = []
        for round_ in range(args.rounds):
            t_bare, n_bare = timed(bare(urls, args.concurrency))
            t_probe, n_probe = timed(probed(config, args.concurrency))
            theirs.append(t_bare)
            ours.append(t_probe)
            print(f"round {round_ + 1}: bare {t_bare:.2f} s ({n_bare} ok), probe {t_probe:.2f} s ({n_probe} online)")
            if n_probe != args.count:
                print("MISSES: not every phone was online")
                return 1
    ratio = statistics.median(ours) / statistics.median(theirs)
    print(f"{args.count} phones, {args.concurrency} at once: probe {statistics.median(ours):.2f} s / bare loop "
          f"{statistics.median(theirs):.2f} s = {ratio:.2f} (target <= 1.3)")  # fmt: skip
    print("MEETS" if ratio <= 1.3 else "MISSES")
    return 0 if ratio <= 1.3 else 1


if __name__ == "__main__":
    sys.exit(main())
