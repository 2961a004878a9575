"""Screenshots and key presses from the app, all through its push process (never on the UI's loop).

``Shots`` asks the push process for phones' screens (``prepare_shots``) and hands each batch
that arrives to its caller; it keeps the newest shot of every phone, so a view opened from
the grid starts from what is known. A key is a ``CiscoIPPhoneExecute`` holding one ``Key:``
URI, pushed direct to one phone as a job of its own (not a push of the table: no journal
record, no row changes). A macro is its steps in order, on many phones at once, each phone
waiting out the pauses on its own.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
from collections.abc import Callable
from typing import TYPE_CHECKING

from ..cisco import Outcome
from ..cisco.macro import Pause, Press, Step, key_object
from ..cisco.screens import key_problem
from ..config import Phone
from ..push import PushResult
from ..screenshot import Shot

if TYPE_CHECKING:
    from .app import PhoneTUI

#: How often what arrived is handed on while screenshots are fetched.
FLUSH_SECONDS = 0.25
#: Seconds a batch of screenshots may take, at most.
SHOT_DEADLINE = 20.0


class Shots:
    """The app's screenshots and key presses."""

    def __init__(self, app: PhoneTUI) -> None:
        self.app = app
        #: The newest shot of each phone, by name.
        self.latest: dict[str, Shot] = {}

    async def fetch(self, phones: list[Phone], arrived: Callable[[list[Shot]], None]) -> str:
        """Fetch ``phones``' screens; ``arrived`` gets each batch as it comes. Returns why it stopped early, or ""."""
        if not phones:
            return ""
        process = self.app.push_process
        run = process.prepare_shots(phones, None, SHOT_DEADLINE)
        await process.send(run)
        while True:
            over = run.over.is_set()
            if not over:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(run.over.wait(), FLUSH_SECONDS)
            run.notify_warnings(self.app.notify)
            shots = run.drain()
            if shots:
                for shot in shots:
                    self.latest[shot.phone] = shot
                arrived(shots)
            if over:
                return run.error

    async def press(self, phone: Phone, uri: str) -> PushResult:
        """Run one URI (``Key:Soft1``) on ``phone``; its result as a push's."""
        app = self.app
        run = app.push_process.prepare(key_object(uri), [phone], "direct", app.config.defaults)
        await app.push_process.send(run)
        await run.over.wait()
        results = run.drain()
        if results:
            return results[-1]
        return PushResult(phone, Outcome.CANCELLED, "direct", run.error or "no answer came back")

    async def run_macro(self, phone: Phone, steps: list[Step]) -> PushResult | None:
        """``steps`` on one phone, in order; the first failed press stops it (its result, the URI in its detail)."""
        for step in steps:
            if isinstance(step, Pause):
                await asyncio.sleep(step.ms / 1000)
            elif isinstance(step, Press):
                result = await self.press(phone, step.uri)
                if result.outcome is not Outcome.OK:
                    return dataclasses.replace(result, detail=f"macro stopped at {step.uri}: {result.detail}")
        return None


def unsupported(phone: Phone, steps: list[Step]) -> list[str]:
    """Why some steps will not work on ``phone``'s model (one line each), from what is known of models."""
    found = []
    for step in steps:
        if isinstance(step, Press):
            problem = key_problem(phone.model, step.uri)
            if problem:
                found.append(f"{step.uri}: {problem}")
    return found
