"""One screenshot job as the UI sees it (``PushProcess.prepare_shots``): shots queue up until ``drain``.

Kept beside ``background.py`` (which re-exports it) so that each stays small. The shots
are fetched in the push process, never on the UI's loop.
"""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING

from ..jobs import JobDone, ShotJob
from ..screenshot import Shot

if TYPE_CHECKING:
    from .background import PushProcess


class ShotRun:
    """Screenshots of ``job.phones``: each ``Shot`` as it arrives; ``over`` when every phone was asked.

    ``error`` is one line when the job could not run to its end (the process died); phones
    it never reported then have no shot.
    """

    def __init__(self, job: ShotJob, process: PushProcess) -> None:
        self.job = job
        self._process = process
        self._shots: list[Shot] = []
        self.warnings: list[str] = []
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

    def arrived(self, shot: Shot) -> None:
        self._shots.append(shot)
        self.last_arrival = time.perf_counter()

    def ended(self, done: JobDone) -> None:
        self.error = done.error
        self.over.set()

    def drain(self) -> list[Shot]:
        """Every shot that arrived since the last drain."""
        shots, self._shots = self._shots, []
        return shots
