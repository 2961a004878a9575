"""A simulated fleet of any size: one Simulator, or slices of the fleet in child processes.

One process cannot hold tens of thousands of phones: each phone is a listening socket,
and a process may open only so many descriptors (``RLIMIT_NOFILE``: 20,000 on the
development machine, 1024 in CI, 256 by default on macOS); one event loop also uses
one CPU. ``simulated_fleet`` keeps a fleet that fits in this process, and otherwise
gives each child process (``python -m phonetui.simfleet``) a slice of the phones. A
child reads its phones as one JSON line on stdin, answers with one JSON line (where
each phone listens, or why it could not), and serves until its stdin closes, so a
parent that dies takes its children with it.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import signal
import sys
from typing import Any, Protocol

from .logfile import current_log_options, logging_to_file
from .simphone import LOCALHOST, SimPhone, fleet_config
from .simulator import Simulator

if sys.platform != "win32":  # Windows has no descriptor limit to read or raise
    import resource

#: At most this many phones per process, whatever the descriptors allow: binding is
#: ~0.45 ms a phone, and a slice per CPU keeps every CPU answering.
MAX_PER_PROCESS = 10_000
#: Without a limit to read (Windows), a process serves at most this many phones.
DEFAULT_DESCRIPTORS = 4096
#: Linux's default ceiling (``fs.nr_open``), and macOS's ``OPEN_MAX``.
MAX_DESCRIPTORS, MACOS_OPEN_MAX = 1 << 20, 10_240
#: Up to this many phones, the fleet stays in the calling process when its descriptors allow.
IN_PROCESS_MAX = 5000
#: A JSON line of ten thousand phones is ~3 MB; asyncio's default line limit is 64 KiB.
_LINE_LIMIT = 64 * 1024 * 1024


class Fleet(Protocol):
    """What the ``simulate`` command needs of a fleet, whether in this process or in several."""

    phones: list[SimPhone]
    fallback: str

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    def config(self, username: str, password: str, service: dict[str, Any] | None = None) -> dict[str, Any]: ...


def descriptor_limit() -> int:
    """How many descriptors this process may open, after raising its soft limit as far as allowed."""
    if sys.platform == "win32":
        return DEFAULT_DESCRIPTORS
    infinity = resource.RLIM_INFINITY
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    # Linux allows up to the hard limit; macOS, with an unlimited hard limit, up to OPEN_MAX (10240).
    for wanted in (MAX_DESCRIPTORS if hard == infinity else hard, MACOS_OPEN_MAX):
        if soft == infinity or soft >= wanted:
            break
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
            soft = wanted
    return MAX_DESCRIPTORS if soft == infinity else soft


def phones_per_process(limit: int) -> int:
    """Phones one process can serve with ``limit`` descriptors.

    Each phone holds its listening socket; each push in flight holds two more (the
    request, and the phone's question to the responder), and black holes keep theirs
    until the pusher gives up. A quarter of the limit (at least 128) is kept for those.
    """
    return max(1, min(MAX_PER_PROCESS, limit - max(128, limit // 4)))


def simulated_fleet(phones: list[SimPhone], processes: int = 0) -> Fleet:
    """A fleet serving ``phones``: in this process when it fits, else in ``processes`` children.

    With ``processes`` 0 the number of children follows from the descriptor limit.
    """
    per_process = phones_per_process(descriptor_limit())
    if processes == 0 and len(phones) <= min(per_process, IN_PROCESS_MAX):
        return Simulator(phones)
    return FleetProcesses(phones, processes or math.ceil(len(phones) / per_process))


class FleetProcesses:
    """``phones`` split over child processes; ``phones`` shows where each listens once started."""

    def __init__(self, phones: list[SimPhone], processes: int) -> None:
        self.phones = phones
        self.fallback = ""
        size = math.ceil(len(phones) / max(1, min(processes, len(phones))))
        self.slices = [phones[i : i + size] for i in range(0, len(phones), size)]
        self._children: list[asyncio.subprocess.Process] = []

    async def start(self) -> None:
        """Start the first slice, then the others on the port it found (the fleet shares one)."""
        try:
            await self._start_slice(self.slices[0])
            shared = next((p.port for p in self.slices[0] if p.host != LOCALHOST), 0)
            for phone in self.phones[len(self.slices[0]) :]:
                if phone.host != LOCALHOST and not phone.port:
                    phone.port = shared
            await asyncio.gather(*(self._start_slice(part) for part in self.slices[1:]))
        except BaseException:
            await self.stop()
            raise

    async def _start_slice(self, phones: list[SimPhone]) -> None:
        child = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "phonetui.simfleet", *current_log_options(),
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, limit=_LINE_LIMIT,
        )  # fmt: skip
        self._children.append(child)
        assert child.stdin is not None and child.stdout is not None
        child.stdin.write(json.dumps([p.spec() for p in phones]).encode() + b"\n")
        await child.stdin.drain()
        line = await child.stdout.readline()
        answer = json.loads(line) if line.strip() else {"error": f"exited with status {await child.wait()}"}
        if "error" in answer:
            raise OSError(f"a simulator process for {phones[0].name} .. {phones[-1].name}: {answer['error']}")
        for phone, (host, port) in zip(phones, answer["listening"], strict=True):
            phone.host, phone.port = host, port
        self.fallback = self.fallback or answer["fallback"]

    async def stop(self) -> None:
        """Close each child's stdin (its signal to stop) and wait for it; kill one that lingers."""
        for child in self._children:
            if child.stdin is not None and not child.stdin.is_closing():
                child.stdin.close()
        for child in self._children:
            try:
                await asyncio.wait_for(child.wait(), 30)
            except TimeoutError:
                child.kill()
                await child.wait()
        self._children.clear()

    def config(self, username: str, password: str, service: dict[str, Any] | None = None) -> dict[str, Any]:
        """A config (as TOML-ready data) listing every phone of every slice."""
        return fleet_config(self.phones, username, password, service)


async def _serve_slice() -> int:
    """The child: serve the phones read from stdin until stdin closes."""
    loop = asyncio.get_running_loop()
    line = await loop.run_in_executor(None, sys.stdin.buffer.readline)
    simulator = Simulator([SimPhone.from_spec(data) for data in json.loads(line)])
    descriptor_limit()
    try:
        await simulator.start()
    except OSError as exc:
        print(json.dumps({"error": str(exc)}), flush=True)
        await simulator.stop()
        return 1
    listening = [(phone.host, phone.port) for phone in simulator.phones]
    print(json.dumps({"listening": listening, "fallback": simulator.fallback}), flush=True)
    try:
        await loop.run_in_executor(None, sys.stdin.buffer.read)
    finally:
        await simulator.stop()
    return 0


def main() -> None:
    """Entry point of a child: Ctrl-C reaches the whole process group, but only the parent acts on it.
    It logs where its parent does (``--log-file``, ``--log-level``), and nowhere when it cannot."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    parser = argparse.ArgumentParser(prog="python -m phonetui.simfleet")
    parser.add_argument("--log-file")
    parser.add_argument("--log-level")
    args = parser.parse_args()
    with contextlib.ExitStack() as stack:
        if args.log_file:
            with contextlib.suppress(OSError, ValueError):
                stack.enter_context(logging_to_file(args.log_file, args.log_level))
        raise SystemExit(asyncio.run(_serve_slice()))


if __name__ == "__main__":
    main()
