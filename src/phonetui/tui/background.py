"""The app's push process (``phonetui.pushproc``): started once, reused by every push, read as results arrive.

Sending to a thousand phones keeps a CPU busy with HTTP; in the UI's process (on its loop,
or in a thread fighting it for the GIL) that work would sit between a keypress and the
frame that shows it. ``PushProcess`` keeps one child for the app's life: each push is a
``PushJob`` written to its stdin, and a reader task hands what comes back on its stdout to
that job's ``JobRun``, where results queue up until the result pump (``pump.py``) takes
them. Another task reads the child's stderr all the time, so a chatty child never blocks on
a full pipe. A child that dies is started again at the next push; the jobs it was running
end with their outstanding phones ``cancelled`` ("interrupted") and the reason.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import signal
import sys
import time
from collections import deque
from collections.abc import Coroutine, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..cisco import CiscoObject, Outcome
from ..config import Defaults, Mode, Phone
from ..history import Journal
from ..jobs import (
    BrokenStream,
    CancelJob,
    JobDone,
    JobProbed,
    JobResult,
    JobShot,
    JobWarning,
    ProbeJob,
    PushJob,
    ShotJob,
    Shutdown,
    ToProcess,
    frame,
    read_frame,
)
from ..push import PushResult, plan
from ..tailor import Tailor
from .shotrun import ProbeRun as ProbeRun  # re-exported: runs of each kind are found here
from .shotrun import ShotRun as ShotRun

#: How the app starts its push process.
COMMAND = (sys.executable, "-m", "phonetui.pushproc")


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
    #: The service's certificate when it serves https.
    ca_file: str = ""


class JobRun:
    """One push as the UI sees it: results queue up as they arrive; ``drain`` hands them out.

    ``warnings`` collects what went wrong beside the push (the journal could not be written:
    ``"history not written: /path: Is a directory"``); ``drain_warnings`` hands out the new
    ones. ``error`` is one line when the push could not run to its end (the process died).
    """

    def __init__(self, job: PushJob, process: PushProcess) -> None:
        self.job = job
        self._process = process
        self._results: list[PushResult] = []
        self._answered: set[str] = set()
        self.warnings: list[str] = []
        self._warnings_drained = 0
        self.cancel_asked = False
        #: The child took the job (it may have reported some phones).
        self.sent = False
        self.interrupted = False
        self.error = ""
        self.over = asyncio.Event()
        #: When the first and the latest result came (``time.perf_counter``).
        self.first_arrival: float | None = None
        self.last_arrival: float | None = None

    @property
    def id(self) -> int:
        return self.job.id

    @property
    def cancelled(self) -> bool:
        return self.cancel_asked or self.interrupted

    def cancel(self) -> None:
        """Ask the push to stop; outstanding phones come out as ``cancelled``."""
        self.cancel_asked = True
        self._process.cancel(self.id)

    async def wait(self) -> None:
        await self.over.wait()

    def arrived(self, result: PushResult) -> None:
        self._results.append(result)
        self._answered.add(result.phone.name)
        self.last_arrival = time.perf_counter()
        if self.first_arrival is None:
            self.first_arrival = self.last_arrival

    def ended(self, done: JobDone) -> None:
        """The job is over; phones a job that started never reported (the process died) end ``cancelled``."""
        self.interrupted = self.interrupted or done.interrupted
        self.error = done.error
        missing = [phone for phone in self.job.phones if phone.name not in self._answered]
        if missing and self.sent:
            job = self.job
            detail = f"the push was interrupted: {done.error or 'no result came back'}; no answer was awaited"
            for delivery in plan(job.obj, missing, job.mode, job.service_url is not None, job.tailor):
                self.arrived(PushResult(delivery.phone, Outcome.CANCELLED, delivery.route, detail))
        self.over.set()

    def drain(self) -> list[PushResult]:
        """Every result that arrived since the last drain."""
        results, self._results = self._results, []
        return results

    def drain_warnings(self) -> list[str]:
        """Every warning that arrived since the last call (``warnings`` keeps them all)."""
        new = self.warnings[self._warnings_drained :]
        self._warnings_drained = len(self.warnings)
        return new


class _Child:
    """One running push process and the jobs sent to it."""

    def __init__(self, proc: asyncio.subprocess.Process) -> None:
        self.proc = proc
        self.jobs: dict[int, JobRun | ProbeRun | ShotRun] = {}
        self.stderr: deque[str] = deque(maxlen=PushProcess.STDERR_LINES)

    def write(self, message: ToProcess) -> bool:
        """Queue ``message`` on the child's stdin; False if that pipe is closed."""
        stdin = self.proc.stdin
        if stdin is None or stdin.is_closing():
            return False
        with contextlib.suppress(ConnectionError, RuntimeError):
            stdin.write(frame(message))
            return True
        return False


class PushProcess:
    """The app's one push process: started once (``start``), reused by every job, started again if it died.

    ``log_file`` and ``log_level``: when the app logs to a file, the child logs there too.
    ``command`` replaces how the child is started (tests wrap it).
    """

    #: Lines of the child's stderr kept to say why it failed.
    STDERR_LINES = 20
    #: A longer stderr line is kept cut to this many bytes.
    LINE_BYTES = 1200

    def __init__(self, log_file: str | None = None, log_level: str = "INFO", command: Sequence[str] = COMMAND) -> None:
        self.command = [*command, *(["--log-file", log_file, "--log-level", log_level] if log_file else [])]
        self._child: _Child | None = None
        self._ids = itertools.count(1)
        self._tasks: set[asyncio.Task[None]] = set()
        self._lock = asyncio.Lock()
        self._stopped = False
        #: How many children were started: one, unless one died.
        self.starts = 0

    @property
    def pid(self) -> int | None:
        """The running child's process id, if one runs."""
        child = self._child
        return child.proc.pid if child is not None and child.proc.returncode is None else None

    async def start(self) -> None:
        """Start the child unless it runs; raises OSError if it cannot be started."""
        await self._running()

    async def _running(self) -> _Child:
        async with self._lock:
            child = self._child
            if child is not None and child.proc.returncode is None:
                return child
            if self._stopped:
                raise OSError("the app is quitting")
            proc = await asyncio.create_subprocess_exec(
                *self.command,
                stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
            )  # fmt: skip
            leave_a_cpu_to_the_ui(proc.pid)
            self._child = child = _Child(proc)
            self.starts += 1
            stderr = self._spawn(self._read_stderr(child))
            self._spawn(self._read_messages(child, stderr))
            return child

    def _spawn(self, work: Coroutine[None, None, None]) -> asyncio.Task[None]:
        task = asyncio.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    def prepare(
        self,
        obj: CiscoObject,
        phones: list[Phone],
        mode: Mode,
        defaults: Defaults,
        host: ObjectHostAddress | None = None,
        journal: Journal | None = None,
        tailor: Tailor | None = None,
        label: dict[str, Any] | None = None,
    ) -> JobRun:
        """A job ready to ``send``: its ``JobRun`` exists at once, so it can be cancelled before it starts."""
        where = str(journal.path) if journal else None
        job = PushJob(next(self._ids), obj, phones, mode, defaults, journal=where, tailor=tailor, label=label)
        if host is not None:
            job.service_url, job.service_credentials = host.url, (host.username, host.password)
            job.service_ca = host.ca_file
        return JobRun(job, self)

    def prepare_probe(self, phones: list[Phone], concurrency: int, deadline: float) -> ProbeRun:
        return ProbeRun(ProbeJob(next(self._ids), phones, concurrency, deadline), self)

    def prepare_shots(
        self, phones: list[Phone], credentials: tuple[str, str] | None, deadline: float, concurrency: int = 16
    ) -> ShotRun:
        """Screenshots of ``phones`` (``credentials`` None: each phone's own), ready to ``send``."""
        return ShotRun(ShotJob(next(self._ids), phones, credentials, deadline, concurrency), self)

    async def send(self, run: JobRun | ProbeRun | ShotRun) -> None:
        """Hand the job to the child (started if need be); if that fails, the run ends saying why."""
        try:
            child = await self._running()
        except OSError as exc:
            run.ended(JobDone(run.id, False, False, f"the push process could not start: {exc}"))
            return
        child.jobs[run.id] = run
        run.sent = True
        if not child.write(run.job):
            return  # the child is gone: its reader ends this run with the reason
        if run.cancel_asked:
            child.write(CancelJob(run.id))
        stdin = child.proc.stdin
        assert stdin is not None
        with contextlib.suppress(ConnectionError, RuntimeError):
            await stdin.drain()

    def cancel(self, job: int) -> None:
        """Ask the child to cancel ``job`` (nothing happens for a job it has not been sent)."""
        child = self._child
        if child is not None and job in child.jobs:
            child.write(CancelJob(job))

    async def stop(self, grace: float = 1.0) -> None:
        """The app is going away: the child interrupts its jobs (each writes the journal's end record,
        ``interrupted``) and ends; if it has not ended within ``grace`` seconds it is killed."""
        async with self._lock:
            self._stopped = True
        child = self._child
        if child is None:
            return
        proc = child.proc
        if proc.returncode is None and child.write(Shutdown()):
            assert proc.stdin is not None
            proc.stdin.close()
        try:
            await asyncio.wait_for(proc.wait(), grace)
        except TimeoutError:
            self.kill()
            await proc.wait()
        if self._tasks:
            await asyncio.wait(self._tasks, timeout=grace)

    def kill(self) -> None:
        """The last resort: end the child now (its jobs' journals get no end record)."""
        child = self._child
        if child is not None and child.proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                child.proc.kill()

    async def _read_messages(self, child: _Child, stderr: asyncio.Task[None]) -> None:
        """Hand each message to its job until the child closes its stdout; then end what it left running."""
        proc, jobs = child.proc, child.jobs
        assert proc.stdout is not None
        error = ""
        try:
            while (message := await read_frame(proc.stdout)) is not None:
                if isinstance(message, JobResult):
                    push = jobs.get(message.job)
                    if isinstance(push, JobRun):
                        push.arrived(message.result)
                elif isinstance(message, JobProbed):
                    probe = jobs.get(message.job)
                    if isinstance(probe, ProbeRun):
                        probe.arrived(message.result)
                elif isinstance(message, JobShot):
                    shots = jobs.get(message.job)
                    if isinstance(shots, ShotRun):
                        shots.arrived(message.shot)
                elif isinstance(message, JobWarning) and message.job in jobs:
                    jobs[message.job].warnings.append(message.message)
                elif isinstance(message, JobDone) and message.job in jobs:
                    jobs.pop(message.job).ended(message)
        except BrokenStream as exc:
            error = f"unreadable message from the push process: {exc}"
            with contextlib.suppress(ProcessLookupError):
                proc.kill()
        code = await proc.wait()
        await asyncio.wait({stderr}, timeout=1.0)  # its last words say why it ended
        reason = error or self._failure(code, child.stderr)
        for job in list(jobs):
            jobs.pop(job).ended(JobDone(job, True, True, reason))

    async def _read_stderr(self, child: _Child) -> None:
        """Keep the last lines of the child's stderr; reading it all the time means it never blocks."""
        stream = child.proc.stderr
        assert stream is not None
        pending = b""
        while chunk := await stream.read(65536):
            *lines, pending = (pending + chunk).split(b"\n")
            pending = pending[: self.LINE_BYTES]
            for line in lines:
                text = line[: self.LINE_BYTES].decode("utf-8", "replace").strip()
                if text:
                    child.stderr.append(text[:300])
        if pending.strip():
            child.stderr.append(pending.decode("utf-8", "replace").strip()[:300])

    @staticmethod
    def _failure(code: int, stderr: deque[str]) -> str:
        if code < 0:
            name = signal.Signals(-code).name if -code in signal.valid_signals() else str(-code)
            return f"the push process was stopped by {name}"
        if code == 0:
            return "the push process ended"
        return stderr[-1] if stderr else f"the push process exited with status {code}"
