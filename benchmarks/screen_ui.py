"""Benchmark: keys stay quick while the screenshot view is open and refreshing.

Usage: python benchmarks/screen_ui.py [--rounds 5] [--keys 60]

The view of an 8845 (an 800x480 PNG, the largest screen the simulator draws) is open at
120x40. Measured side by side in one run, in rounds: p95 time from a keypress (``k``,
which the view answers on its own line, sending nothing) to the first frame that shows it,
with the view's refreshing stopped, against the same while it refreshes every 2 s (the
quickest a phone allows; the view's own pace is 6 s), each screenshot fetched in the push
process, decoded and drawn in half blocks on the UI's loop. Target <= 1.5 x (the push's
target; the verdict is the median of the rounds' ratios). The simulated phones run niced
in a process of their own, off the CPU the UI keeps (as in ui_1000.py).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from common import simulator, verdict
from ui_1000 import Frames, p95

from phonetui.config import load_config
from phonetui.history import Journal
from phonetui.tui.app import PhoneTUI
from phonetui.tui.screens import shot_view
from phonetui.tui.screens.shot_view import ShotScreen


@dataclass
class Round:
    idle: list[float]
    busy: list[float]
    fetches: int

    @property
    def ratio(self) -> float:
        return p95(self.busy) / p95(self.idle)


async def presses(screen: ShotScreen, pilot, frames: Frames, count: int) -> list[float]:  # type: ignore[no-untyped-def]
    """Press ``k`` ``count`` times; each: seconds from the press to the frame showing the switch."""
    pauses = random.Random(count)  # the same pauses in both phases
    samples = []
    for _ in range(count):
        expected = not screen.keypad
        started = time.perf_counter()
        shown = frames.when(lambda expected=expected: screen.keypad == expected)
        await pilot.press("k")
        samples.append(await asyncio.wait_for(shown, 30) - started)
        await asyncio.sleep(pauses.uniform(0.03, 0.09))  # no fixed rhythm (see ui_1000.py)
    return samples


async def rounds_of_refreshes(config_path: Path, keys: int, count: int, folder: Path) -> list[Round]:
    config = load_config(config_path)
    config.service = None
    app = PhoneTUI(config, journal=Journal(folder / "history.jsonl"))
    frames = Frames(app)
    phone = next(p for p in config.phones if p.model.endswith("8845"))
    arrived: list[float] = []
    done: list[Round] = []
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause(0.5)
        screen = ShotScreen(phone)
        await app.push_screen(screen)
        original = screen.arrived

        def counted(shots):  # type: ignore[no-untyped-def]
            arrived.append(time.perf_counter())
            original(shots)

        screen.arrived = counted  # type: ignore[method-assign]
        for _ in range(count):
            shot_view.REFRESH_SECONDS = 1e9  # idle: the view open, nothing fetched
            await asyncio.sleep(2.5)  # a fetch in flight lands first
            idle = await presses(screen, pilot, frames, keys)
            shot_view.REFRESH_SECONDS = 2.0
            before = len(arrived)
            screen.schedule(0.0)
            busy = await presses(screen, pilot, frames, keys)
            done.append(Round(idle, busy, len(arrived) - before))
        assert screen.shot is not None and screen.shot.outcome == "ok", screen.shot
    return done


async def main_async(args: argparse.Namespace) -> bool:
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        config = folder / "screens.toml"
        allowed = os.sched_getaffinity(0)
        cpus = allowed - {max(allowed)} if len(allowed) > 1 else None
        with simulator(config, "--count", "12", "--base", "127.84.0.0", nice=10, cpus=cpus):
            rounds = await rounds_of_refreshes(config, args.keys, args.rounds, folder)
    ratio = statistics.median(r.ratio for r in rounds)
    print("Screenshot view open (headless Pilot, 120x40; an 8845's 800x480 PNG in half blocks):")
    for number, r in enumerate(rounds, 1):
        print(f"   round {number}: keypress to frame p95 idle {p95(r.idle) * 1000:.1f} ms ({len(r.idle)} presses), "
              f"refreshing every 2 s {p95(r.busy) * 1000:.1f} ms ({len(r.busy)}, {r.fetches} screenshots drawn): "
              f"{r.ratio:.2f}")  # fmt: skip
    print(f"   keypress ratio (median of the rounds) = {ratio:.2f}  target <= 1.50  {verdict(ratio <= 1.5)}")
    return ratio <= 1.5


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keys", type=int, default=60, help="key presses per phase and round")
    parser.add_argument("--rounds", type=int, default=5, help="rounds of idle presses, then presses while refreshing")
    args = parser.parse_args()
    raise SystemExit(0 if asyncio.run(main_async(args)) else 1)


if __name__ == "__main__":
    main()
