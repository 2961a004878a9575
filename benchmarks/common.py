"""Helpers shared by the benchmarks: a simulator in its own process, timing of commands."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

PYTHON = sys.executable
PHONETUI = [PYTHON, "-m", "phonetui"]
PIN: list[str] = []


@contextmanager
def simulator(config: Path, *args: str, nice: int = 0, cpus: set[int] | None = None) -> Iterator[subprocess.Popen[str]]:
    """Run ``phonetui simulate`` in its own process until the block ends.

    ``nice`` lowers its CPU priority and ``cpus`` confines it: real phones do not share
    the operator's CPUs.
    """
    proc = subprocess.Popen(
        [*PIN, *PHONETUI, "simulate", "--write-config", str(config), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    if nice:
        os.setpriority(os.PRIO_PROCESS, proc.pid, nice)
    if cpus:
        os.sched_setaffinity(proc.pid, cpus)
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            if "Ctrl-C" in line:
                break
        else:
            raise RuntimeError(f"simulator did not start: {proc.stderr.read() if proc.stderr else ''}")
        yield proc
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def run_timed(command: list[str], timeout: float = 900) -> tuple[float, subprocess.CompletedProcess[str]]:
    """Wall-clock seconds of one whole command, with its output."""
    started = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
    return time.perf_counter() - started, result


def median(values: list[float]) -> float:
    return statistics.median(values)


def verdict(ok: bool) -> str:
    return "MEETS" if ok else "MISSES"
