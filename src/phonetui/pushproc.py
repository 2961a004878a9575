"""Run one push in a process of its own, for the TUI.

Pushing to a thousand phones keeps a CPU busy with HTTP; in the TUI's process that
work would sit between every keypress and the frame that shows it. The TUI starts
``python -m phonetui.pushproc`` and writes it one pickled ``PushJob`` on stdin; the
process writes back one pickled message per frame on stdout: a ``PushResult`` as each
phone answers, or a ``PushWarning`` when a side duty fails (the journal cannot be
written) while the push goes on.

Stopping: a line ``cancel`` on stdin cancels what is outstanding. Stdin closing (the
UI is gone or quitting), stdout breaking, or SIGTERM, SIGHUP or SIGINT interrupt the
push: outstanding phones are cancelled and the journal's end record says
``"cancelled": true, "interrupted": true``. Only SIGKILL leaves a push without one.

Only the TUI talks to this process, over pipes it created: the pickles are its own.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import pickle
import signal
import struct
import sys
from dataclasses import dataclass
from typing import BinaryIO

from .cisco import CiscoObject
from .config import Defaults, Mode, Phone
from .history import Journal
from .push import Pusher, PushResult, PushRun, RemoteObjectHost

FRAME = struct.Struct(">I")
#: Signals that stop a push in good order (the end record is written).
STOP_SIGNALS = (signal.SIGTERM, signal.SIGHUP, signal.SIGINT)
#: How long the last frames may take to leave once the push is over.
FLUSH_SECONDS = 5.0


@dataclass
class PushJob:
    """Everything one push needs; the service is reached over HTTP for via-url objects."""

    obj: CiscoObject
    phones: list[Phone]
    mode: Mode
    defaults: Defaults
    credentials: tuple[str, str] | None = None
    service_url: str | None = None
    service_credentials: tuple[str, str] = ("", "")
    journal: str | None = None


@dataclass(frozen=True)
class PushWarning:
    """Something beside the push went wrong (the journal could not be written); the push went on."""

    message: str


#: What the push process writes: one of these, pickled, per frame.
Message = PushResult | PushWarning


def frame(data: bytes) -> bytes:
    return FRAME.pack(len(data)) + data


class _PipeProtocol(asyncio.BaseProtocol):
    """Tells when the reader of our stdout is gone."""

    def __init__(self, on_lost: asyncio.Event) -> None:
        self.lost = on_lost

    def connection_lost(self, exc: Exception | None) -> None:
        self.lost.set()


class Output:
    """Frames to stdout without ever blocking the push on a slow or vanished reader.

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

    def send(self, message: Message) -> None:
        data = frame(pickle.dumps(message))
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


async def _watch_stdin(push: PushRun) -> None:
    """``cancel`` cancels; the end of stdin (the UI gone or quitting) interrupts."""
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    try:
        await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    except (ValueError, OSError):  # not a pipe (a file, say): nobody can cancel; signals still stop it
        return
    while True:
        line = await reader.readline()
        if not line:
            push.cancel(interrupted=True)
            return
        if line.strip() == b"cancel":
            push.cancel()


async def _watch_output(output: Output, push: PushRun) -> None:
    await output.lost.wait()
    push.cancel(interrupted=True)


async def run(job: PushJob, stream: BinaryIO | None = None) -> None:
    """Push, sending each result as a frame on ``stream`` (stdout), until done, cancelled or interrupted."""
    host = None
    if job.service_url:
        host = RemoteObjectHost(job.service_url, *job.service_credentials)
    journal = Journal(job.journal) if job.journal else None
    output = Output(stream or sys.stdout.buffer)
    await output.open()
    loop = asyncio.get_running_loop()
    warned = False

    def warn_once() -> None:
        nonlocal warned
        if journal is not None and journal.problem and not warned:
            warned = True
            output.send(PushWarning(journal.problem))

    async with Pusher(job.defaults, host=host, journal=journal) as pusher:
        push = pusher.push(job.obj, job.phones, job.mode, job.credentials)
        watchers = [asyncio.create_task(_watch_stdin(push)), asyncio.create_task(_watch_output(output, push))]
        for sig in STOP_SIGNALS:
            loop.add_signal_handler(sig, push.cancel, True)
        try:
            async with contextlib.aclosing(aiter(push)) as results:
                async for result in results:
                    output.send(result)
                    warn_once()
        finally:
            for sig in STOP_SIGNALS:
                loop.remove_signal_handler(sig)
            for watcher in watchers:
                watcher.cancel()
    warn_once()  # the end record is the last write: it may be the one that failed
    if journal:
        journal.close()
    await output.close()


def _read_exactly(fd: int, size: int) -> bytes:
    """Unbuffered, so nothing after the job is taken from the pipe the watcher reads."""
    data = b""
    while len(data) < size:
        chunk = os.read(fd, size - len(data))
        if not chunk:
            raise EOFError("stdin closed before the whole job arrived")
        data += chunk
    return data


#: The push yields the CPU to the screen the user is typing into.
NICENESS = 10


def main() -> int:
    with contextlib.suppress(OSError):
        os.nice(NICENESS)
    try:
        (size,) = FRAME.unpack(_read_exactly(0, FRAME.size))
        job = pickle.loads(_read_exactly(0, size))
    except EOFError:
        return 0  # the UI went away before it sent the job: there is nothing to push
    asyncio.run(run(job))
    return 0


if __name__ == "__main__":
    # Run as the module phonetui.pushproc, not as __main__: a PushWarning pickled here
    # must name a class the UI can find.
    from phonetui import pushproc

    raise SystemExit(pushproc.main())
