"""The TUI's push process: one per app, long-lived, running every push the app sends it.

Pushing to a thousand phones keeps a CPU busy with HTTP; in the TUI's process that work
would sit between every keypress and the frame that shows it. The app starts
``python -m phonetui.pushproc`` once and sends it each push (a new interpreter per push
cost 0.22-0.26 s of imports). Both ways go typed messages, one pickle per frame
(``jobs.py``): pushes and probes in, each phone's result out, ``JobDone`` when a job is over.
A probe is a side duty: it runs beside any push, and is cancelled alone.

Stopping: ``CancelJob`` cancels one job's outstanding phones (its journal end record says
cancelled) and the process stays. ``Shutdown``, stdin closing (the UI is gone or quitting),
stdout breaking, or SIGTERM, SIGHUP or SIGINT interrupt every running job (outstanding phones
cancelled, end records ``"cancelled": true, "interrupted": true``) and end the process. Only
SIGKILL leaves a push without an end record.

Only the TUI talks to this process, over pipes it created: the pickles are its own.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import contextvars
import logging
import os
import signal
import sys
import time
from collections.abc import AsyncIterator, Callable
from typing import BinaryIO, TypeVar

import httpx

from . import phone_tls
from .history import Journal
from .jobs import (
    BrokenStream,
    CancelJob,
    FromProcess,
    JobDone,
    JobProbed,
    JobResult,
    JobShot,
    JobWarning,
    ProbeJob,
    PushJob,
    ShotJob,
    Shutdown,
    frame,
    read_frame,
)
from .logfile import logging_to_file
from .probe import probe
from .push import Pusher, PushRun, RemoteObjectHost, make_client
from .screenshot import fetch_screenshots

T = TypeVar("T")

#: Signals that stop the process in good order (every running job writes its end record); Windows has no SIGHUP.
STOP_SIGNALS = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGHUP", "SIGINT") if hasattr(signal, name))
#: How long the last frames may take to leave once the process is stopping.
FLUSH_SECONDS = 5.0
#: The push yields the CPU to the screen the user is typing into.
NICENESS = 10

log = logging.getLogger(__name__)
#: The job whose task is asking phones now: a pin or a damaged known-phones line is told to the app as its warning.
_job_asking: contextvars.ContextVar[int | None] = contextvars.ContextVar("job_asking", default=None)


class _PipeProtocol(asyncio.BaseProtocol):
    """Tells when the reader of our stdout is gone."""

    def __init__(self, on_lost: asyncio.Event) -> None:
        self.lost = on_lost

    def connection_lost(self, exc: Exception | None) -> None:
        self.lost.set()


class Output:
    """Frames to stdout without ever blocking a push on a slow or vanished reader.

    Over a pipe, writes go through an asyncio transport: they queue in this process
    while the UI is busy, and a UI that is gone shows as the pipe closing. Anything
    else (a file) is written directly.
    """

    def __init__(self, stream: BinaryIO) -> None:
        self.stream = stream
        self.lost = asyncio.Event()
        self._transport: asyncio.WriteTransport | None = None

    async def open(self) -> None:
        loop = asyncio.get_running_loop()
        with contextlib.suppress(ValueError, OSError):  # not a pipe: write directly
            transport, _ = await loop.connect_write_pipe(lambda: _PipeProtocol(self.lost), self.stream)
            self._transport = transport

    def send(self, message: FromProcess) -> None:
        data = frame(message)
        if self._transport is not None:
            if not self._transport.is_closing():
                self._transport.write(data)
            return
        if self.lost.is_set():
            return
        try:
            self.stream.write(data)
            self.stream.flush()
        except OSError:
            self.lost.set()

    async def close(self) -> None:
        """Let the last frames leave (for a while at most), then close."""
        if self._transport is None:
            return
        self._transport.close()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.lost.wait(), FLUSH_SECONDS)
        if not self.lost.is_set():
            self._transport.abort()


class Server:
    """Runs each job it is sent, side by side, until it is told to stop."""

    def __init__(self, output: Output) -> None:
        self.output = output
        self.runs: dict[int, PushRun] = {}
        self.probes: dict[int, asyncio.Task[None]] = {}
        self.tasks: set[asyncio.Task[None]] = set()
        self.stopping = asyncio.Event()
        #: Damaged known-phones lines told to the app already: once a process, not once a job.
        self._damage_said: set[str] = set()

    async def listen(self, stream: asyncio.StreamReader) -> None:
        """Act on each message until ``Shutdown`` or the end of ``stream``."""
        while True:
            try:
                message = await read_frame(stream)
            except BrokenStream as exc:
                log.error("unreadable message from the app (%s): stopping", exc)
                return
            if message is None or isinstance(message, Shutdown):
                log.info("%s: stopping", "stdin closed" if message is None else "shutdown asked")
                return
            if isinstance(message, PushJob):
                self.start(message)
            elif isinstance(message, ProbeJob):
                self.start_probe(message)
            elif isinstance(message, ShotJob):
                self.start_shots(message)
            elif isinstance(message, CancelJob) and message.job in self.runs:
                log.info("job %d: cancel asked", message.job)
                self.runs[message.job].cancel()
            elif isinstance(message, CancelJob) and message.job in self.probes:
                self.probes[message.job].cancel()

    def pinned(self, address: str, moved: str | None) -> None:
        """A certificate pinned on first contact: a phone whose name was pinned elsewhere with another
        certificate is told to the app as a warning of the push that pinned it, as ``push`` says it."""
        if not moved:
            return
        address = address.lower()
        for job, run in self.runs.items():
            if any(d.phone.address.lower() == address for d in run.deliveries):
                self.output.send(JobWarning(job, moved))
                return
        side = _job_asking.get()
        if side is not None and side in self.probes:  # a probe's or a screenshot's: the app says it too
            self.output.send(JobWarning(side, moved))
        log.warning("%s", moved)

    def damaged(self, warning: str) -> None:
        """A damaged line of the known-phones file: told to the app once (with the job that read it), and logged."""
        log.warning("%s", warning)
        job = _job_asking.get()
        if warning in self._damage_said or job is None:
            return
        self._damage_said.add(warning)
        self.output.send(JobWarning(job, warning))

    def start_probe(self, job: ProbeJob) -> None:
        """Probe as a side duty: its own task, cancelled alone, never in a push's way."""
        answers = probe(job.phones, job.concurrency, job.deadline)
        self._side_duty(job.id, "probe", answers, lambda result: JobProbed(job.id, result))

    def start_shots(self, job: ShotJob) -> None:
        """Screenshots as a side duty, run like a probe (and cancelled the same way)."""
        shots = fetch_screenshots(job.phones, job.credentials, concurrency=job.concurrency, timeout=job.deadline)
        self._side_duty(job.id, "screenshots", shots, lambda shot: JobShot(job.id, shot))

    def _side_duty(
        self, job_id: int, what: str, answers: AsyncIterator[T], message: Callable[[T], FromProcess]
    ) -> None:
        """Send each answer as it comes, then ``JobDone``; that is sent when the task ends however it
        ends, even when it was cancelled before it began (then its body never runs)."""
        cancelled = False

        async def run() -> None:
            nonlocal cancelled
            _job_asking.set(job_id)  # this task's (and its children's) requests are this job's
            try:
                async for answer in answers:
                    self.output.send(message(answer))
            except asyncio.CancelledError:  # ends normally: finish() gathers the tasks
                cancelled = True

        def done(task: asyncio.Task[None]) -> None:
            self.probes.pop(job_id, None)
            error = ""
            if not task.cancelled() and (exc := task.exception()) is not None:
                error = f"the {what} failed: {type(exc).__name__}: {exc}"
            self.output.send(JobDone(job_id, cancelled or task.cancelled(), self.stopping.is_set(), error))

        if self.stopping.is_set():
            self.output.send(JobDone(job_id, True, True, "the push process is stopping"))
            return
        task = self.probes[job_id] = asyncio.create_task(run())
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)
        task.add_done_callback(done)

    def start(self, job: PushJob) -> None:
        if self.stopping.is_set():
            self.output.send(JobDone(job.id, True, True, "the push process is stopping"))
            return
        host = RemoteObjectHost(job.service_url, *job.service_credentials, job.service_ca) if job.service_url else None
        journal = Journal(job.journal) if job.journal else None
        pusher = Pusher(job.defaults, host=host, journal=journal)
        try:
            run = pusher.push(job.obj, job.phones, job.mode, job.credentials, job.tailor, job.label)
        except Exception as exc:  # a job that cannot even be planned fails alone
            log.exception("job %d could not start", job.id)
            self.output.send(JobDone(job.id, False, False, f"the push failed: {type(exc).__name__}: {exc}"))
            return
        self.runs[job.id] = run
        log.info("job %d: %s to %d phones, mode %s", job.id, job.obj.root, len(job.phones), job.mode)
        context = contextvars.copy_context()
        context.run(_job_asking.set, job.id)
        task = asyncio.create_task(self._run(job.id, pusher, run, journal), context=context)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _run(self, job: int, pusher: Pusher, run: PushRun, journal: Journal | None) -> None:
        warned = False

        def warn_once() -> None:
            nonlocal warned
            if journal is not None and journal.problem and not warned:
                warned = True
                self.output.send(JobWarning(job, journal.problem))

        error = ""
        try:
            async with pusher, contextlib.aclosing(aiter(run)) as results:
                async for result in results:
                    self.output.send(JobResult(job, result))
                    warn_once()
        except Exception as exc:  # one job's failure must not take the others, or the process, down
            log.exception("job %d failed", job)
            error = f"the push failed: {type(exc).__name__}: {exc}"
        finally:
            del self.runs[job]
        warn_once()  # the end record is the last write: it may be the one that failed
        if journal:
            journal.close()
        log.info("job %d: over (cancelled %s, interrupted %s)", job, run.cancelled, run.interrupted)
        self.output.send(JobDone(job, run.cancelled, run.interrupted, error))

    def interrupt(self) -> None:
        """Stop taking jobs and interrupt the running ones: each reports its phones and closes its record."""
        self.stopping.set()
        for run in self.runs.values():
            run.cancel(interrupted=True)
        for task in self.probes.values():
            task.cancel()

    async def finish(self) -> None:
        await asyncio.gather(*self.tasks, return_exceptions=True)  # a job cancelled before it began ends cancelled


async def warm_up() -> None:
    """One request to a listener of our own, so that the first push does not wait for the HTTP
    stack's lazy imports (httpcore, anyio, h11, certifi: 0.17 s on the development machine)."""

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            await reader.readuntil(b"\r\n\r\n")
            writer.write(b"HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n")
            await writer.drain()
        writer.close()

    started = time.perf_counter()
    server = await asyncio.start_server(answer, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        async with make_client() as client:
            await client.get(f"http://127.0.0.1:{port}/", timeout=5.0)
    except (httpx.HTTPError, OSError) as exc:  # only a head start is lost
        log.debug("warm-up failed: %s", exc)
    finally:
        server.close()
        await server.wait_closed()
    log.debug("warm-up took %.0f ms", (time.perf_counter() - started) * 1000)


async def serve(stdin: BinaryIO | None = None, stdout: BinaryIO | None = None) -> None:
    """Run jobs from ``stdin`` until told to stop, writing what happens as frames on ``stdout``."""
    loop = asyncio.get_running_loop()
    output = Output(stdout or sys.stdout.buffer)
    await output.open()
    server = Server(output)
    phone_tls.first_contact_listener = server.pinned
    phone_tls.damaged_listener = server.damaged
    stream = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(stream), stdin or sys.stdin)
    handled = []
    for sig in STOP_SIGNALS:
        with contextlib.suppress(NotImplementedError):  # no signal handlers on Windows' event loop
            loop.add_signal_handler(sig, server.interrupt)
            handled.append(sig)
    warming = asyncio.create_task(warm_up())
    ends = [asyncio.create_task(server.listen(stream)), asyncio.create_task(output.lost.wait())]
    ends.append(asyncio.create_task(server.stopping.wait()))
    try:
        await asyncio.wait(ends, return_when=asyncio.FIRST_COMPLETED)
        server.interrupt()
        await server.finish()
    finally:
        phone_tls.first_contact_listener = None
        phone_tls.damaged_listener = None
        for task in [warming, *ends]:
            task.cancel()
        for sig in handled:
            loop.remove_signal_handler(sig)
    await output.close()


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m phonetui.pushproc", description="The TUI's push process.")
    parser.add_argument("--log-file", help="append log records to this file (off by default)")
    parser.add_argument("--log-level", default="INFO", help="DEBUG, INFO, WARNING or ERROR")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = _arguments(argv)
    with contextlib.ExitStack() as stack:
        if args.log_file:
            try:
                stack.enter_context(logging_to_file(args.log_file, args.log_level))
            except (ValueError, OSError) as exc:  # the push matters more than its log
                print(f"phonetui push process: not logging to {args.log_file}: {exc}", file=sys.stderr)
        with contextlib.suppress(AttributeError, OSError):
            os.nice(NICENESS)
        frames = os.fdopen(os.dup(sys.stdout.fileno()), "wb", buffering=0)
        os.dup2(sys.stderr.fileno(), sys.stdout.fileno())  # a stray print() goes to stderr, not among the frames
        log.info("push process %d ready", os.getpid())
        asyncio.run(serve(stdout=frames))
        log.info("push process %d ended", os.getpid())
    return 0


if __name__ == "__main__":
    # Run as the module phonetui.pushproc, not as __main__: a JobResult pickled here
    # must name a class the UI can find.
    from phonetui import pushproc

    raise SystemExit(pushproc.main())
