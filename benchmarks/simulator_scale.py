"""What limits the simulated fleet at 20,000 phones: descriptors, processes, bind time, CPU.

Usage: python benchmarks/simulator_scale.py [--phones 20000]   (about 3 minutes; Linux: reads /proc)

Starts ``phonetui simulate --count N --write-config`` as a user does and reports how long
it takes to be ready (binding every phone, writing the config), then each of its
processes: what it serves, the descriptors it holds and may hold, its memory. Then one
push to every phone by the bare httpx loop (bulk_push.py's baseline, a whole process),
with the CPU each side spent per phone: the responder (the parent process, which every
phone asks), the phones (the child processes) and the client.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import tempfile
import time
from pathlib import Path

from bulk_push import bare_command
from common import run_timed, simulator

TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime


def status(pid: int, key: str) -> str:
    line = next(line for line in Path(f"/proc/{pid}/status").read_text().splitlines() if line.startswith(key))
    return line.split(":", 1)[1].strip()


def descriptor_limit(pid: int) -> str:
    line = next(line for line in Path(f"/proc/{pid}/limits").read_text().splitlines() if "open files" in line)
    return line.split()[3]  # the soft limit


def children(pid: int) -> list[int]:
    found = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True, check=False).stdout
    return [int(p) for p in found.split()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--phones", type=int, default=20_000)
    args = parser.parse_args()
    print(f"The simulated fleet at {args.phones} phones; load {os.getloadavg()[0]:.2f}")
    with tempfile.TemporaryDirectory() as folder:
        config = Path(folder) / "fleet.toml"
        started = time.perf_counter()
        with simulator(config, "--count", str(args.phones), "--base", "127.87.0.0") as proc:
            ready = time.perf_counter() - started
            slices = children(proc.pid)
            print(f"   ready in {ready:.1f} s (every phone bound, the config written); "
                  f"{len(slices) or 'no'} child processes")  # fmt: skip
            share = f"~{args.phones // max(1, len(slices))} phones"
            roles = {proc.pid: "responder" if slices else "responder and phones"} | dict.fromkeys(slices, share)
            for pid, serves in roles.items():
                print(f"   pid {pid:>7} {serves:<22} descriptors {len(os.listdir(f'/proc/{pid}/fd')):>6} "
                      f"of {descriptor_limit(pid):>6}, RSS {status(pid, 'VmRSS')}")  # fmt: skip
            before = {pid: cpu_seconds(pid) for pid in [proc.pid, *slices]}
            client_before = resource.getrusage(resource.RUSAGE_CHILDREN)
            seconds, result = run_timed(bare_command(config, "--concurrency", "32"))
            client_after = resource.getrusage(resource.RUSAGE_CHILDREN)
            spent = {pid: cpu_seconds(pid) - cpu for pid, cpu in before.items()}
    answered = json.loads(result.stdout)
    client = client_after.ru_utime + client_after.ru_stime - client_before.ru_utime - client_before.ru_stime
    per_phone = 1000 / args.phones
    phones_cpu = sum(spent[pid] for pid in slices) if slices else spent[proc.pid]
    print(f"   bare loop, concurrency 32: {seconds:.1f} s for {answered['ok']} ok, {answered['failed']} failed "
          f"({args.phones / seconds:.0f} phones/s)")  # fmt: skip
    print(f"   CPU per phone pushed: phones {phones_cpu * per_phone:.2f} ms"
          + (f", responder {spent[proc.pid] * per_phone:.2f} ms" if slices else " (responder included)")
          + f", client {client * per_phone:.2f} ms; load {os.getloadavg()[0]:.2f}")  # fmt: skip


if __name__ == "__main__":
    main()
