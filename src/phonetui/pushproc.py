"""Run one push in a process of its own, for the TUI.

Pushing to a thousand phones keeps a CPU busy with HTTP; in the TUI's process that
work would sit between every keypress and the frame that shows it. The TUI starts
``python -m phonetui.pushproc``, writes it one pickled ``PushJob`` on stdin, and reads
pickled ``PushResult`` frames from stdout as phones answer. A line ``cancel`` on
stdin, or stdin closing (the TUI is gone), cancels what is outstanding.

Only the TUI talks to this process, over pipes it created: the pickles are its own.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import pickle
import struct
import sys
from dataclasses import dataclass

from .cisco import CiscoObject
from .config import Defaults, Phone
from .history import Journal
from .push import Mode, Pusher, RemoteObjectHost

FRAME = struct.Struct(">I")


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


def frame(data: bytes) -> bytes:
    return FRAME.pack(len(data)) + data


async def _watch_stdin(cancel: asyncio.Event) -> None:
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    while True:
        line = await reader.readline()
        if not line or line.strip() == b"cancel":
            cancel.set()
            return


async def run(job: PushJob) -> None:
    host = None
    if job.service_url:
        host = RemoteObjectHost(job.service_url, *job.service_credentials)
    journal = Journal(job.journal) if job.journal else None
    out = sys.stdout.buffer
    cancel = asyncio.Event()
    watcher = asyncio.create_task(_watch_stdin(cancel))
    async with Pusher(job.defaults, host=host, journal=journal) as pusher:
        push = pusher.push(job.obj, job.phones, job.mode, job.credentials)
        stopper = asyncio.create_task(cancel.wait())
        stopper.add_done_callback(lambda _: push.cancel())
        try:
            async for result in push:
                out.write(frame(pickle.dumps(result)))
                out.flush()
        finally:
            stopper.cancel()
            watcher.cancel()
    if journal:
        journal.close()


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
    (size,) = FRAME.unpack(_read_exactly(0, FRAME.size))
    job = pickle.loads(_read_exactly(0, size))
    asyncio.run(run(job))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
