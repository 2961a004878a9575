"""Benchmark 3: the live UI at 1000 phones, headless through Pilot.

Usage: python benchmarks/ui_1000.py [--phones 1000] [--keys 60]

Measures, side by side in one run:
- startup to first frame with 1000 phones, against startup with 10 (target <= 1.5 x);
- p95 time from a keypress to the first frame that shows it, while a push to every phone
  runs, against the same with no push (target <= 1.5 x);
- how long after the last reply every row shows its result (target <= 1 s);
- peak RSS of the process running the app (target <= 250 MB).
The simulated fleet runs in a process of its own, on loopback.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import resource
import statistics
import tempfile
import time
from pathlib import Path

from common import simulator, verdict

from phonetui.config import load_config
from phonetui.history import Journal
from phonetui.tui.app import PhoneTUI
from phonetui.tui.widgets.phone_table import PhoneTable


class Frames:
    """Wraps the app's compositor output: calls ``watch()`` on every frame drawn."""

    def __init__(self, app: PhoneTUI) -> None:
        self.app = app
        self.checks: list[tuple[object, asyncio.Future[float]]] = []
        original = app._display

        def display(screen, renderable):  # type: ignore[no-untyped-def]
            original(screen, renderable)
            now = time.perf_counter()
            for check, future in list(self.checks):
                if not future.done() and check():  # type: ignore[operator]
                    future.set_result(now)
                    self.checks.remove((check, future))

        app._display = display  # type: ignore[method-assign]

    def when(self, check: object) -> asyncio.Future[float]:
        future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self.checks.append((check, future))
        return future


async def startup(config_path: Path, limit: int | None) -> float:
    config = load_config(config_path)
    if limit is not None:
        config.phones = config.phones[:limit]
    config.service = None
    started = time.perf_counter()
    app = PhoneTUI(config)
    frames = Frames(app)
    first = frames.when(lambda: app.screen is app.main and app.main.query_one(PhoneTable).row_count > 0)
    async with app.run_test(size=(120, 40)):
        shown = await asyncio.wait_for(first, 60)
    return shown - started


async def key_latencies(app: PhoneTUI, pilot, frames: Frames, count: int, keep_going) -> list[float]:  # type: ignore[no-untyped-def]
    """Press up/down ``count`` times; each: seconds from the press to the frame showing the move."""
    table = app.main.query_one(PhoneTable)
    table.focus()
    pauses = random.Random(count)  # the same pauses in both phases
    samples = []
    for i in range(count):
        if not keep_going():
            break
        key = "down" if i % 2 == 0 else "up"
        expected = table.cursor_row + (1 if key == "down" else -1)
        started = time.perf_counter()
        shown = frames.when(lambda expected=expected: table.cursor_row == expected)
        await pilot.press(key)
        samples.append(await asyncio.wait_for(shown, 30) - started)
        # Pauses of random length: a fixed rhythm locks onto the 60 Hz frame timer and
        # measures the phase of that lock, not how long a keypress waits for its frame.
        await asyncio.sleep(pauses.uniform(0.03, 0.09))
    return samples


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]


async def live(config_path: Path, keys: int, folder: Path) -> dict[str, float]:
    config = load_config(config_path)
    config.service = None
    app = PhoneTUI(config, journal=Journal(folder / "history.jsonl"))
    frames = Frames(app)
    last_arrival = 0.0
    async with app.run_test(size=(120, 40)) as pilot:
        idle = await key_latencies(app, pilot, frames, keys, lambda: True)
        await pilot.press("a", "c")
        app.screen.query_one("#text").text = "Benchmark"  # type: ignore[attr-defined]
        await pilot.pause()
        all_shown = frames.when(lambda: all(s.result is not None and not s.pending for s in app.fleet.states.values()))
        await pilot.press("f5", "y")
        await pilot.pause(0.3)
        job = app.main.push_run
        busy = await key_latencies(app, pilot, frames, keys, lambda: app.main.push_run is not None)
        shown = await asyncio.wait_for(all_shown, 300)
        while app.main.pushes_finished < 1:
            await pilot.pause(0.05)
        last_arrival = job.last_arrival
    results = [s.result for s in app.fleet.states.values()]
    assert all(r is not None for r in results) and last_arrival, "every phone accounted for"
    failed = [r for r in results if r is not None and not r.outcome.succeeded]
    assert not failed, f"{len(failed)} phones failed, e.g. {failed[0].detail if failed else ''}"
    return {
        "idle_p95": p95(idle),
        "busy_p95": p95(busy),
        "busy_samples": len(busy),
        "rows_after_last_reply": shown - last_arrival,
    }


async def main_async(args: argparse.Namespace) -> bool:
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        config = folder / "ui.toml"
        sim_args = ["--count", str(args.phones), "--latency", str(args.latency), "--base", "127.82.0.0"]
        with simulator(config, *sim_args):
            small, large = [], []
            for _ in range(args.rounds):
                small.append(await startup(config, 10))
                large.append(await startup(config, None))
            measured = await live(config, args.keys, folder)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    start_ratio = statistics.median(large) / statistics.median(small)
    key_ratio = measured["busy_p95"] / measured["idle_p95"]
    late = measured["rows_after_last_reply"]
    print(f"3. The live UI, {args.phones} phones (headless Pilot, 120x40):")
    print(f"   startup to first frame: 10 phones {statistics.median(small) * 1000:.0f} ms, "
          f"{args.phones} phones {statistics.median(large) * 1000:.0f} ms (medians of {args.rounds})")  # fmt: skip
    print(f"   startup ratio = {start_ratio:.2f}  target <= 1.50  {verdict(start_ratio <= 1.5)}")
    print(f"   keypress to frame p95: idle {measured['idle_p95'] * 1000:.1f} ms, during the push "
          f"{measured['busy_p95'] * 1000:.1f} ms ({measured['busy_samples']:.0f} presses)")  # fmt: skip
    print(f"   keypress ratio = {key_ratio:.2f}  target <= 1.50  {verdict(key_ratio <= 1.5)}")
    print(f"   every row shown {late * 1000:.0f} ms after the last reply  target <= 1000 ms  {verdict(late <= 1.0)}")
    print(f"   peak RSS {peak_mb:.0f} MB  target <= 250 MB  {verdict(peak_mb <= 250)}")
    return start_ratio <= 1.5 and key_ratio <= 1.5 and late <= 1.0 and peak_mb <= 250


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--phones", type=int, default=1000)
    parser.add_argument("--keys", type=int, default=60, help="key presses measured, idle and busy")
    parser.add_argument("--rounds", type=int, default=5, help="startups of each size")
    parser.add_argument("--latency", type=float, default=0.3, help="seconds each simulated phone takes")
    args = parser.parse_args()
    raise SystemExit(0 if asyncio.run(main_async(args)) else 1)


if __name__ == "__main__":
    main()
