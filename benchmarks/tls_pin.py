"""What pinning costs: a push to 1000 https phones, pinned, against the same push unchecked and over plain http.

Usage: python benchmarks/tls_pin.py [--phones 1000] [--rounds 3] [--concurrency 32]

Four pushes, each a whole ``phonetui push`` process (start-up included), alternating over
several rounds; medians side by side, as ratios to the unchecked https push, of the wall time
and of the push process's own CPU time (steadier on a shared machine, and without the
simulated phones' share):

- plain http (another simulated fleet, same size);
- https, ``verify = false``: one handshake a phone, nothing checked;
- https, pinned, first contact: a handshake to read the certificate, a record appended to the
  known-phones file, then the request's own handshake (the file is emptied before each round);
- https, pinned: every fingerprint already known, so no handshake but the request's own
  (whose context compares the certificate with the pin).

Nothing is asserted: the numbers are recorded in benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import tempfile
from collections import Counter
from pathlib import Path

from common import PHONETUI, median, run_timed, simulator


def push(config: Path, concurrency: int) -> list[str]:
    return [*PHONETUI, "push", "--config", str(config), "--all", "--text", "Hello", "--json", "--no-history",
            "--concurrency", str(concurrency), "--timeout", "10"]  # fmt: skip


def outcomes(stdout: str) -> Counter[str]:
    return Counter(json.loads(line)["outcome"] for line in stdout.splitlines() if line.strip())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--phones", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=32)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        known = folder / "known-phones"
        os.environ["PHONETUI_KNOWN_PHONES"] = str(known)
        plain, https = folder / "plain.toml", folder / "https.toml"
        unchecked = folder / "unchecked.toml"
        count = str(args.phones)
        with (
            simulator(plain, "--count", count, "--base", "127.81.0.0"),
            simulator(https, "--count", count, "--base", "127.82.0.0", "--https", "--port", "18443"),
        ):
            text = https.read_text()
            unchecked.write_text(text.replace("[defaults]\n", "[defaults]\nverify = false\n", 1))
            unchecked.chmod(0o600)
            names = ("http", "https unchecked", "https pin, first", "https pinned")
            times: dict[str, list[float]] = {name: [] for name in names}
            cpu: dict[str, list[float]] = {name: [] for name in names}
            for _ in range(args.rounds):
                known.unlink(missing_ok=True)
                for name, config in (("http", plain), ("https unchecked", unchecked),
                                     ("https pin, first", https), ("https pinned", https)):  # fmt: skip
                    before = resource.getrusage(resource.RUSAGE_CHILDREN)
                    seconds, result = run_timed(push(config, args.concurrency))
                    after = resource.getrusage(resource.RUSAGE_CHILDREN)  # the push alone: the fleets still run
                    cpu[name].append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
                    counted = outcomes(result.stdout)
                    assert counted == {"ok": args.phones}, (name, counted, result.stderr[-500:])
                    times[name].append(seconds)
    base, base_cpu = median(times["https unchecked"]), median(cpu["https unchecked"])
    print(f"{args.phones} phones, concurrency {args.concurrency}, {args.rounds} rounds (medians, whole processes):")
    for name, values in times.items():
        rounds = ", ".join(f"{t:.2f}" for t in values)
        used = median(cpu[name])
        print(f"   {name:18} {median(values):6.2f} s  x{median(values) / base:.2f}"
              f"   CPU of the push {used:5.2f} s  x{used / base_cpu:.2f}   (rounds: {rounds})")  # fmt: skip


if __name__ == "__main__":
    main()
