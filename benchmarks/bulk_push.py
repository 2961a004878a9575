"""Benchmarks 1 and 2: bulk push to 1000 simulated phones, CPU-bound then latency-bound.

Usage: python benchmarks/bulk_push.py [--phones 1000] [--rounds 3] [--concurrency 32]
At 20,000 phones: python benchmarks/bulk_push.py --phones 20000 --only cpu --rounds 3
(the simulator then runs in several processes: see simulator_scale.py)

1. CPU-bound: every phone answers at once. `phonetui push` against (a) a bare loop over
   one shared httpx.AsyncClient at the same concurrency, and (b) one phone at a time
   (measured on 100 phones, scaled). Target: phonetui <= 1.3 x (a).
2. Latency-bound: every phone answers after 300 ms, 5% are black holes. Target: total
   <= 1.25 x ideal (ceil(phones / concurrency) x 300 ms + one timeout), every phone
   accounted for, and >= 30 x faster than (b).

Each command runs as a whole process (start-up included), alternating, several rounds;
medians are compared. The simulator runs in a process of its own; all on loopback.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import tempfile
from collections import Counter
from pathlib import Path

from common import PHONETUI, PYTHON, median, run_timed, simulator, verdict

HERE = Path(__file__).resolve().parent


def push_command(config: Path, concurrency: int, timeout: float) -> list[str]:
    """The command as a user runs it, journal included (written beside the config)."""
    history = config.with_suffix(".jsonl")
    return [*PHONETUI, "push", "--config", str(config), "--all", "--text", "Hello", "--json",
            "--history", str(history), "--concurrency", str(concurrency), "--timeout", str(timeout)]  # fmt: skip


def bare_command(config: Path, *args: str) -> list[str]:
    return [PYTHON, str(HERE / "bare_loop.py"), str(config), *args]


def outcomes(stdout: str) -> Counter[str]:
    return Counter(json.loads(line)["outcome"] for line in stdout.splitlines() if line.strip())


def cpu_bound(args: argparse.Namespace, folder: Path) -> bool:
    config = folder / "cpu.toml"
    timeout = 10.0
    load_before = os.getloadavg()[0]
    with simulator(config, "--count", str(args.phones), "--base", "127.80.0.0"):
        push_times, bare_times = [], []
        for _ in range(args.rounds):
            seconds, result = run_timed(push_command(config, args.concurrency, timeout))
            counted = outcomes(result.stdout)
            assert counted == {"ok": args.phones}, counted
            push_times.append(seconds)
            seconds, result = run_timed(bare_command(config, "--concurrency", str(args.concurrency)))
            assert json.loads(result.stdout)["ok"] == args.phones, result.stdout
            bare_times.append(seconds)
        sample = min(100, args.phones)
        seq_seconds, result = run_timed(bare_command(config, "--sequential", "--limit", str(sample)))
        assert json.loads(result.stdout)["ok"] == sample, result.stdout
    push, bare = median(push_times), median(bare_times)
    sequential = seq_seconds * args.phones / sample
    ratio = push / bare
    print(f"1. CPU-bound, {args.phones} phones, concurrency {args.concurrency}, {args.rounds} rounds (medians); "
          f"load {load_before:.2f} before, {os.getloadavg()[0]:.2f} after:")  # fmt: skip
    print(f"   phonetui push  {push:7.2f} s   (rounds: {', '.join(f'{t:.2f}' for t in push_times)})")
    print(f"   (a) bare loop  {bare:7.2f} s   (rounds: {', '.join(f'{t:.2f}' for t in bare_times)})")
    print(f"   (b) one by one {sequential:7.2f} s   (measured on {sample} phones: {seq_seconds:.2f} s, scaled)")
    print(f"   phonetui / (a) = {ratio:.2f}  target <= 1.30  {verdict(ratio <= 1.3)}")
    print(f"   (b) / phonetui = {sequential / push:.1f}x")
    return ratio <= 1.3


def latency_bound(args: argparse.Namespace, folder: Path) -> bool:
    config = folder / "latency.toml"
    latency, timeout = 0.3, 3.0
    black_holes = args.phones * 5 // 100
    sim_args = ["--count", str(args.phones), "--latency", str(latency), "--black-hole", str(black_holes),
                "--base", "127.81.0.0"]  # fmt: skip
    with simulator(config, *sim_args):
        times = []
        for _ in range(args.rounds):
            seconds, result = run_timed(push_command(config, args.concurrency, timeout))
            counted = outcomes(result.stdout)
            assert counted == {"ok": args.phones - black_holes, "timeout": black_holes}, counted
            assert sum(counted.values()) == args.phones
            times.append(seconds)
        sample = min(100, args.phones)
        seq_seconds, result = run_timed(
            bare_command(config, "--sequential", "--limit", str(sample), "--timeout", str(timeout)), timeout=1800
        )
    # the sample is the first phones; the black holes are the last ones, so scale each part on its own
    seq_per_phone = seq_seconds / sample
    sequential = seq_per_phone * (args.phones - black_holes) + black_holes * timeout
    push = median(times)
    ideal = math.ceil(args.phones / args.concurrency) * latency + timeout
    ratio, speedup = push / ideal, sequential / push
    print(f"2. Latency-bound, {args.phones} phones answering after {latency * 1000:.0f} ms, {black_holes} black holes,")
    print(f"   concurrency {args.concurrency}, timeout {timeout:g} s, {args.rounds} rounds (medians):")
    print(
        f"   phonetui push  {push:7.2f} s   (rounds: {', '.join(f'{t:.2f}' for t in times)}); every phone accounted for"
    )
    print(
        f"   ideal          {ideal:7.2f} s   (ceil({args.phones}/{args.concurrency}) x {latency:g} s + {timeout:g} s)"
    )
    print(f"   (b) one by one {sequential:7.2f} s   ({sample} healthy phones took {seq_seconds:.2f} s; "
          f"+ {black_holes} x {timeout:g} s)")  # fmt: skip
    print(f"   phonetui / ideal = {ratio:.2f}  target <= 1.25  {verdict(ratio <= 1.25)}")
    print(f"   (b) / phonetui   = {speedup:.1f}x  target >= 30  {verdict(speedup >= 30)}")
    return ratio <= 1.25 and speedup >= 30


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--phones", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--only", choices=("cpu", "latency"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        results = []
        if args.only in (None, "cpu"):
            results.append(cpu_bound(args, Path(folder)))
        if args.only in (None, "latency"):
            results.append(latency_bound(args, Path(folder)))
    raise SystemExit(0 if all(results) else 1)


if __name__ == "__main__":
    main()
