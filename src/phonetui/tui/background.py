"""A push in a process of its own (``phonetui.pushproc``), read as its results arrive.

Sending to a thousand phones keeps a CPU busy with HTTP; in the UI's process (on its
loop, or in a thread fighting it for the GIL) that work would sit between a keypress
and the frame that shows it. The results come back over a pipe and queue up; the UI
drains them on its timer.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import pickle
import sys
import time

from ..cisco import CiscoObject
from ..config import Defaults, Phone
from ..history import Journal
from ..push import Mode, PushResult
from ..pushproc import FRAME, PushJob, frame
from ..service import Service


def leave_a_cpu_to_the_ui(child: int) -> None:
    """Keep the push process off one CPU, so the UI always finds one free.

    Sharing CPUs (and their caches) with the push made the frame for a keypress come 1.6
    to 2 times later at p95 on a 2-CPU machine; with the push kept off one CPU, 1.0 to 1.3
    times (benchmarks/README.md, target 3). The UI itself is not pinned: it can still move
    away from some other busy program. Linux only, and only with two CPUs or more.
    """
    try:
        allowed = os.sched_getaffinity(child)
        if len(allowed) > 1:
            os.sched_setaffinity(child, allowed - {max(allowed)})
    except (AttributeError, OSError):
        pass


class BackgroundPush:
    """One push: ``await run(...)`` reads results into a queue; ``drain`` and ``cancel`` from the UI."""

    def __init__(self, defaults: Defaults, host: Service | None, journal: Journal | None) -> None:
        self.defaults = defaults
        self.host = host
        self.journal = journal
        self._results: list[PushResult] = []
        self._proc: asyncio.subprocess.Process | None = None
        self._cancel_asked = False
        self.error = ""
        self.last_arrival: float | None = None

    @property
    def cancelled(self) -> bool:
        return self._cancel_asked

    def job(self, obj: CiscoObject, phones: list[Phone], mode: Mode) -> PushJob:
        service_url, service_credentials = None, ("", "")
        if self.host is not None:
            service_url = self.host.url
            service_credentials = (self.host.config.username, self.host.config.password)
        return PushJob(
            obj,
            phones,
            mode,
            self.defaults,
            service_url=service_url,
            service_credentials=service_credentials,
            journal=str(self.journal.path) if self.journal else None,
        )

    async def run(self, obj: CiscoObject, phones: list[Phone], mode: Mode) -> None:
        """Start the push process and read its results until it ends."""
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "phonetui.pushproc",
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        self._proc = proc
        leave_a_cpu_to_the_ui(proc.pid)
        assert proc.stdin and proc.stdout and proc.stderr
        proc.stdin.write(frame(pickle.dumps(self.job(obj, phones, mode))))
        if self._cancel_asked:
            proc.stdin.write(b"cancel\n")
        await proc.stdin.drain()
        try:
            while True:
                try:
                    header = await proc.stdout.readexactly(FRAME.size)
                except asyncio.IncompleteReadError:
                    break
                (size,) = FRAME.unpack(header)
                self._results.append(pickle.loads(await proc.stdout.readexactly(size)))
                self.last_arrival = time.perf_counter()
        finally:
            with contextlib.suppress(ProcessLookupError):
                if proc.returncode is None and self._cancel_asked:
                    proc.stdin.close()
            code = await proc.wait()
            if code:
                self.error = (await proc.stderr.read()).decode("utf-8", "replace").strip().splitlines()[-1:][0:1]
                self.error = self.error[0] if self.error else f"push process exited with status {code}"

    def cancel(self) -> None:
        """Ask the push to stop; outstanding phones come out as ``cancelled``."""
        self._cancel_asked = True
        proc = self._proc
        if proc is not None and proc.stdin is not None and not proc.stdin.is_closing():
            proc.stdin.write(b"cancel\n")

    def kill(self) -> None:
        """The UI is going away: stop the push process now."""
        if self._proc is not None and self._proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                self._proc.kill()

    def drain(self) -> list[PushResult]:
        """Every result that arrived since the last drain."""
        results, self._results = self._results, []
        return results
