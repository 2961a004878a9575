"""A push in a process of its own (``phonetui.pushproc``), read as its results arrive.

Sending to a thousand phones keeps a CPU busy with HTTP; in the UI's process (on its
loop, or in a thread fighting it for the GIL) that work would sit between a keypress
and the frame that shows it. The results come back over a pipe and queue up; the UI
drains them on its timer. On quit the UI awaits ``stop()``, so the push process
writes the journal's end record before it goes.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import pickle
import signal
import sys
import time
from collections import deque
from dataclasses import dataclass, field

from ..cisco import CiscoObject
from ..config import Defaults, Mode, Phone
from ..history import Journal
from ..push import PushResult
from ..pushproc import FRAME, PushJob, PushWarning, frame


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


@dataclass(frozen=True)
class ObjectHostAddress:
    """Where the push process hands via-url objects: the app's own service, or one already listening.

    ``remote`` is true for a service of another process (``phonetui serve`` holds the
    configured address), reached over HTTP like the app's own.
    """

    url: str
    username: str
    password: str = field(repr=False)
    remote: bool = False


class BackgroundPush:
    """One push: ``await run(...)`` reads results into a queue; ``drain``, ``cancel`` and ``stop`` from the UI.

    ``warnings`` collects what went wrong beside the push (the journal could not be
    written: ``"history not written: /path: Is a directory"``); ``drain_warnings`` hands
    out the new ones. ``error`` is one line when the push process itself failed.
    """

    #: Lines of the push process's stderr kept for ``error``.
    STDERR_LINES = 20

    def __init__(self, defaults: Defaults, host: ObjectHostAddress | None, journal: Journal | None) -> None:
        self.defaults = defaults
        self.host = host
        self.journal = journal
        self._results: list[PushResult] = []
        self.warnings: list[str] = []
        self._warnings_drained = 0
        self._proc: asyncio.subprocess.Process | None = None
        self._cancel_asked = False
        self._stop_asked = False
        self._stderr: deque[str] = deque(maxlen=self.STDERR_LINES)
        self.error: str = ""
        self.last_arrival: float | None = None

    @property
    def cancelled(self) -> bool:
        return self._cancel_asked or self._stop_asked

    def job(self, obj: CiscoObject, phones: list[Phone], mode: Mode) -> PushJob:
        service_url, service_credentials = None, ("", "")
        if self.host is not None:
            service_url = self.host.url
            service_credentials = (self.host.username, self.host.password)
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
        """Start the push process and read its messages until it ends."""
        if self._stop_asked:
            return
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "phonetui.pushproc",
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        self._proc = proc
        leave_a_cpu_to_the_ui(proc.pid)
        assert proc.stdin and proc.stdout and proc.stderr
        stderr = asyncio.create_task(self._read_stderr(proc.stderr))
        finished = False
        try:
            with contextlib.suppress(ConnectionError):  # it died at once: its exit status tells why
                proc.stdin.write(frame(pickle.dumps(self.job(obj, phones, mode))))
                if self._cancel_asked:
                    proc.stdin.write(b"cancel\n")
                if self._stop_asked:
                    proc.stdin.close()
                await proc.stdin.drain()
            finished = await self._read_messages(proc.stdout)
        finally:
            if not finished and proc.returncode is None:  # leaving early: the child must not outlive us
                await self.stop()
            code = await proc.wait()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stderr, 1.0)
            stderr.cancel()
            if code and not self.error:
                self.error = self._failure(code)

    async def _read_messages(self, stdout: asyncio.StreamReader) -> bool:
        """Results and warnings until the push process closes its stdout; False if a frame was unreadable."""
        while True:
            try:
                header = await stdout.readexactly(FRAME.size)
            except asyncio.IncompleteReadError:
                return True
            (size,) = FRAME.unpack(header)
            try:
                message = pickle.loads(await stdout.readexactly(size))
            except (asyncio.IncompleteReadError, pickle.UnpicklingError, EOFError, AttributeError, ImportError) as exc:
                self.error = f"unreadable message from the push process: {type(exc).__name__}"
                return False
            if isinstance(message, PushResult):
                self._results.append(message)
                self.last_arrival = time.perf_counter()
            elif isinstance(message, PushWarning):
                self.warnings.append(message.message)

    async def _read_stderr(self, stream: asyncio.StreamReader) -> None:
        """Keep the last lines of the push process's stderr; reading it all the time means it never blocks."""
        while line := await stream.readline():
            text = line.decode("utf-8", "replace").strip()
            if text:
                self._stderr.append(text[:300])

    def _failure(self, code: int) -> str:
        if code < 0:
            name = signal.Signals(-code).name if -code in signal.valid_signals() else str(-code)
            return f"the push process was stopped by {name}"
        return self._stderr[-1] if self._stderr else f"the push process exited with status {code}"

    def cancel(self) -> None:
        """Ask the push to stop; outstanding phones come out as ``cancelled``."""
        self._cancel_asked = True
        proc = self._proc
        if proc is not None and proc.stdin is not None and not proc.stdin.is_closing():
            with contextlib.suppress(ConnectionError, RuntimeError):
                proc.stdin.write(b"cancel\n")

    async def stop(self, grace: float = 1.0) -> None:
        """The UI is going away: the push process cancels what is outstanding and writes the journal's
        end record (``interrupted``); if it has not ended within ``grace`` seconds it is killed."""
        self._stop_asked = True
        proc = self._proc
        if proc is None or proc.returncode is not None:
            return
        if proc.stdin is not None and not proc.stdin.is_closing():
            with contextlib.suppress(ConnectionError, RuntimeError):
                proc.stdin.close()
        try:
            await asyncio.wait_for(proc.wait(), grace)
        except TimeoutError:
            self.kill()
            await proc.wait()

    def kill(self) -> None:
        """The last resort: end the push process now (its journal gets no end record)."""
        if self._proc is not None and self._proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                self._proc.kill()

    def drain(self) -> list[PushResult]:
        """Every result that arrived since the last drain."""
        results, self._results = self._results, []
        return results

    def drain_warnings(self) -> list[str]:
        """Every warning that arrived since the last call (``warnings`` keeps them all)."""
        new = self.warnings[self._warnings_drained :]
        self._warnings_drained = len(self.warnings)
        return new
