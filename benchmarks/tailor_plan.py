"""Benchmark: the plan of a push whose object names each phone, against the same plan untailored.

Usage: python benchmarks/tailor_plan.py [--rounds 5]

A tailored plan checks and encodes every phone's own copy; an untailored one encodes the
object once per charset. Both run side by side (alternating, several rounds, medians) at
1,000 and 20,000 phones, on a mixed fleet (UTF-8 and ISO-8859-1 models). Target: the
tailored plan for 20,000 phones in under about 1 s. Nothing is sent: a plan is pure.
"""

from __future__ import annotations

import argparse
import time

from common import median, verdict

from phonetui.cisco import CiscoIPPhoneText, SoftKeyItem
from phonetui.config import Phone
from phonetui.push_plan import plan
from phonetui.tailor import Tailor, push_values

TEXT = "Fire drill at {time} on {date}.\nPhone {phone} (line {dn}, {model}): leave by the east stairs.\n- {sender}"
MODELS = ("CP-8845", "CP-7965G", "CP-9971", "CP-7960G")


def fleet(count: int) -> list[Phone]:
    """``count`` phones on loopback, of four models (so three charsets and limits)."""
    return [
        Phone(f"sim-{i:05d}", f"127.77.{i // 250}.{i % 250 + 1}", model=MODELS[i % 4], dn=str(4000 + i))
        for i in range(count)
    ]


def timed(obj: CiscoIPPhoneText, phones: list[Phone], tailor: Tailor | None) -> float:
    """Seconds one plan takes."""
    started = time.perf_counter()
    plan(obj, phones, "auto", tailor=tailor)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    obj = CiscoIPPhoneText("From {sender}", "{date} {time}", TEXT, [SoftKeyItem("Exit", "SoftKey:Exit", "", 1)])
    plain = CiscoIPPhoneText("From ops", "2026-11-30 07:00", TEXT, [SoftKeyItem("Exit", "SoftKey:Exit", "", 1)])
    tailor = Tailor(push_values("ops"))
    slow = 0.0
    for count in (1000, 20000):
        phones = fleet(count)
        tailored, untailored = [], []
        for _ in range(args.rounds):
            untailored.append(timed(plain, phones, None))
            tailored.append(timed(obj, phones, tailor))
        t, u = median(tailored), median(untailored)
        slow = t if count == 20000 else slow
        print(f"{count:>6} phones: untailored {u * 1000:8.1f} ms, tailored {t * 1000:8.1f} ms, ratio {t / u:5.1f}x")
    print(f"tailored plan at 20,000 phones under ~1 s: {verdict(slow < 1.0)} ({slow:.2f} s)")


if __name__ == "__main__":
    main()
