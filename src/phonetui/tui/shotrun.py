"""Probe and screenshot jobs as the UI sees them: what the push process finds queues up until ``drain``.

Kept beside ``background.py`` (which re-exports both kinds) so that each stays small. The
phones are asked in the push process, never on the UI's loop.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Generic, Protocol, TypeVar

from ..jobs import JobDone, ProbeJob, ShotJob
from ..probe import ProbeResult
from ..screenshot import Shot

if TYPE_CHECKING:
    from .background import PushProcess


class _Job(Protocol):
    @property
    def id(self) -> int: ...


JobT = TypeVar("JobT", bound=_Job)
ItemT = TypeVar("ItemT")


class QueuedRun(Generic[JobT, ItemT]):
    """One job whose answers queue up, one per phone, until ``drain``; ``over`` when every phone was asked.

    ``error`` is one line when the job could not run to its end (the process died); phones
    it never reported then have nothing.
    """

    def __init__(self, job: JobT, process: PushProcess) -> None:
        self.job = job
        self._process = process
        self._items: list[ItemT] = []
        self.warnings: list[str] = []
        self._warnings_drained = 0
        self.cancel_asked = False
        self.sent = False
        self.error = ""
        self.over = asyncio.Event()
        self.last_arrival: float | None = None  # perf_counter, as a push's

    @property
    def id(self) -> int:
        return self.job.id

    def cancel(self) -> None:
        self.cancel_asked = True
        self._process.cancel(self.id)

    async def wait(self) -> None:
        await self.over.wait()

    def arrived(self, item: ItemT) -> None:
        self._items.append(item)
        self.last_arrival = time.perf_counter()

    def ended(self, done: JobDone) -> None:
        self.error = done.error
        self.over.set()

    def notify_warnings(self, notify: Callable[..., object]) -> None:
        """Each warning that came since the last call as a notice (a phone pinned elsewhere with another
        certificate, a damaged known-phones line): the operator learns them here, as from a push."""
        new = self.warnings[self._warnings_drained :]
        self._warnings_drained = len(self.warnings)
        for warning in new:
            notify(warning, severity="warning", timeout=10, markup=False)

    def drain(self) -> list[ItemT]:
        """Everything that arrived since the last drain."""
        items, self._items = self._items, []
        return items


class ProbeRun(QueuedRun[ProbeJob, ProbeResult]):
    """One probe: each phone's ``ProbeResult`` as it arrives."""


class ShotRun(QueuedRun[ShotJob, Shot]):
    """Screenshots of ``job.phones``: each ``Shot`` as it arrives."""
