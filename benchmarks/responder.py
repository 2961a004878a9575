"""Benchmark 4: the authentication responder under wrk, against a minimal aiohttp handler.

Usage: python benchmarks/responder.py [--seconds 10] [--connections 64] [--rounds 2]

Each server runs in a process of its own on loopback; wrk (Debian package `wrk`) sends
GET /authenticate with `Connection: close` from 64 connections for 10 s, once against
`phonetui serve` (logging a line per request, as it does) and once against the minimal
handler, alternating, in the same run. A Lua script checks every answer byte for byte.
Targets: >= 0.8 x the minimal handler's requests per second, p99 <= 2 x its p99, zero
errors, every answer exact.
"""

from __future__ import annotations

import argparse
import json
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import PHONETUI, PYTHON, verdict

HERE = Path(__file__).resolve().parent
USER, PASSWORD = "bench", "bench-pw"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_listening(port: int, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited: {proc.returncode}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"nothing listening on {port}")


def wrk(port: int, seconds: int, connections: int) -> dict[str, float]:
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "5s", "-s", str(HERE / "check.lua"),
               f"http://127.0.0.1:{port}", "--", USER, PASSWORD]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, check=True, timeout=seconds + 60)
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    summary["rps"] = summary["requests"] / summary["seconds"]
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: apt-get install wrk")
    with tempfile.TemporaryDirectory() as folder:
        ours_port, minimal_port = free_port(), free_port()
        config = Path(folder) / "serve.toml"
        config.write_text(
            f'[service]\nlisten = "127.0.0.1:{ours_port}"\nusername = "{USER}"\npassword = "{PASSWORD}"\n'
        )
        config.chmod(0o600)
        ours = subprocess.Popen([*PHONETUI, "serve", "--config", str(config)], stdout=subprocess.DEVNULL)
        minimal = subprocess.Popen([PYTHON, str(HERE / "minimal_responder.py"), str(minimal_port)],
                                   stdout=subprocess.DEVNULL)  # fmt: skip
        try:
            wait_listening(ours_port, ours)
            wait_listening(minimal_port, minimal)
            runs: dict[str, list[dict[str, float]]] = {"phonetui": [], "minimal": []}
            for _ in range(args.rounds):
                runs["phonetui"].append(wrk(ours_port, args.seconds, args.connections))
                runs["minimal"].append(wrk(minimal_port, args.seconds, args.connections))
        finally:
            for proc in (ours, minimal):
                proc.terminate()
                proc.wait(timeout=20)

    def med(name: str, key: str) -> float:
        return statistics.median(r[key] for r in runs[name])

    def errors(name: str) -> int:
        keys = ("connect", "read", "write", "status", "timeout", "wrong")
        return int(sum(r[k] for r in runs[name] for k in keys))

    rps_ratio = med("phonetui", "rps") / med("minimal", "rps")
    p99_ratio = med("phonetui", "p99_us") / med("minimal", "p99_us")
    print(f"4. Responder, wrk {args.connections} connections x {args.seconds} s, Connection: close, "
          f"{args.rounds} rounds each (medians):")  # fmt: skip
    for name in ("phonetui", "minimal"):
        print(f"   {name:9} {med(name, 'rps'):8.0f} req/s  p50 {med(name, 'p50_us') / 1000:6.1f} ms  "
              f"p99 {med(name, 'p99_us') / 1000:6.1f} ms  errors+wrong answers {errors(name)}")  # fmt: skip
    print(f"   req/s ratio = {rps_ratio:.2f}  target >= 0.80  {verdict(rps_ratio >= 0.8)}")
    print(f"   p99 ratio   = {p99_ratio:.2f}  target <= 2.00  {verdict(p99_ratio <= 2.0)}")
    clean = errors("phonetui") == 0
    print(f"   phonetui errors and inexact answers: {errors('phonetui')}  target 0  {verdict(clean)}")
    sys.exit(0 if rps_ratio >= 0.8 and p99_ratio <= 2.0 and clean else 1)


if __name__ == "__main__":
    main()
