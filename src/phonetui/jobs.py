"""The messages between the app and its push process, and how they travel: one pickle per frame.

To the process: ``PushJob``, ``ProbeJob`` and ``ShotJob`` (each with an id), ``CancelJob``
(that id), ``Shutdown``. From it: ``JobResult`` as each phone answers a push, ``JobProbed`` as
each answers a probe, ``JobShot`` as each phone's screenshot comes, ``JobWarning`` when a side
duty fails while the job goes on, and ``JobDone`` when a job is over. Only the app and its own child read these pipes.
"""

from __future__ import annotations

import asyncio
import pickle
import struct
from dataclasses import dataclass, field
from typing import Any

from .cisco import CiscoObject
from .config import Defaults, Mode, Phone
from .probe import ProbeResult
from .push import PushResult
from .screenshot import DEFAULT_CONCURRENCY as SHOT_CONCURRENCY
from .screenshot import Shot
from .tailor import Tailor

FRAME = struct.Struct(">I")
#: No message comes near this (a job for 20,000 phones pickles to a few MB): a longer one is garbage.
FRAME_MAX = 256 * 1024 * 1024


@dataclass
class PushJob:
    """One push: everything it needs; the service is reached over HTTP for via-url objects."""

    id: int
    obj: CiscoObject
    phones: list[Phone]
    mode: Mode
    defaults: Defaults
    credentials: tuple[str, str] | None = field(default=None, repr=False)
    service_url: str | None = None
    service_credentials: tuple[str, str] = field(default=("", ""), repr=False)
    #: The service's certificate when it serves https (``[service] tls_cert``).
    service_ca: str = ""
    journal: str | None = None
    #: Each phone's own copy (variables, an alert's Ack key); None: the same object for all.
    tailor: Tailor | None = None
    #: Fields for the journal's start record (an alert's id and round).
    label: dict[str, Any] | None = None


@dataclass
class ProbeJob:
    """Ask ``phones`` for their information pages (``probe.probe``); results come as ``JobProbed``."""

    id: int
    phones: list[Phone]
    concurrency: int
    deadline: float


@dataclass
class ShotJob:
    """Fetch ``phones``' screenshots (``screenshot.fetch_screenshots``); each comes as ``JobShot``.

    ``credentials`` None: each phone's own from the config. ``deadline``: seconds each phone has.
    """

    id: int
    phones: list[Phone]
    credentials: tuple[str, str] | None = field(default=None, repr=False)
    deadline: float = 10.0
    concurrency: int = SHOT_CONCURRENCY


@dataclass(frozen=True)
class CancelJob:
    """Cancel what job ``job`` still has outstanding; those phones come out ``cancelled``."""

    job: int


@dataclass(frozen=True)
class Shutdown:
    """The app is quitting: interrupt every job, then end."""


@dataclass(frozen=True)
class JobResult:
    """How the push to one phone of job ``job`` ended."""

    job: int
    result: PushResult


@dataclass(frozen=True)
class JobProbed:
    """What probing one phone of job ``job`` found."""

    job: int
    result: ProbeResult


@dataclass(frozen=True)
class JobShot:
    """One phone's screenshot (or why there is none) for job ``job``."""

    job: int
    shot: Shot


@dataclass(frozen=True)
class JobWarning:
    """Something beside job ``job`` went wrong (the journal could not be written); the push went on."""

    job: int
    message: str


@dataclass(frozen=True)
class JobDone:
    """Job ``job`` is over: every phone it had was reported, unless ``error`` says why not."""

    job: int
    cancelled: bool
    interrupted: bool
    error: str = ""


ToProcess = PushJob | ProbeJob | ShotJob | CancelJob | Shutdown
FromProcess = JobResult | JobProbed | JobShot | JobWarning | JobDone


class BrokenStream(Exception):
    """A frame on the pipe could not be read back: the other side broke off or wrote something else."""


def frame(message: ToProcess | FromProcess) -> bytes:
    data = pickle.dumps(message)
    return FRAME.pack(len(data)) + data


async def read_frame(stream: asyncio.StreamReader) -> object | None:
    """The next message on ``stream``; None when it ended between frames."""
    try:
        header = await stream.readexactly(FRAME.size)
    except asyncio.IncompleteReadError as exc:
        if not exc.partial:
            return None
        raise BrokenStream("the stream ended inside a frame") from None
    (size,) = FRAME.unpack(header)
    if size > FRAME_MAX:
        raise BrokenStream(f"a frame of {size} bytes")
    try:
        message: object = pickle.loads(await stream.readexactly(size))
    except (asyncio.IncompleteReadError, pickle.UnpicklingError, EOFError, AttributeError, ImportError) as exc:
        raise BrokenStream(type(exc).__name__) from None
    return message
