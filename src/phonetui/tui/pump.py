"""The result pump: the one place that decides when push results reach the screen.

The push process's reader queues each job's results as they arrive (``background.JobRun``).
Drawing every one at once would put table and log updates between the keys the user presses
and the frames that show them, so the pump applies them in batches (rows, reply log,
progress, status line):

- every ``FLUSH_SECONDS``, on a timer that runs while a push does;
- while keys are being pressed on the phone table (one in the last ``KEY_QUIET_SECONDS``),
  just after the frame that shows a key instead, so a key never waits behind a batch being
  drawn (a batch of 20-40 results took 2-7 ms); but never more than ``FLUSH_MAX_WAIT`` late;
- at once when the push is over.

The main screen draws what the pump hands it (``show_push_started``, ``show_results``,
``show_push_ended``); everyone else asks the pump whether a push runs and how the last went.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from textual.timer import Timer

from ..cisco import CiscoObject, Outcome
from ..config import Mode, Phone
from ..printable import printable
from ..tailor import Tailor
from .background import JobRun, PushProcess

if TYPE_CHECKING:
    from .app import PhoneTUI

FLUSH_SECONDS = 0.2
KEY_QUIET_SECONDS = 0.5
FLUSH_MAX_WAIT = 1.0


class ResultPump:
    """Runs the app's pushes through its push process and brings their results to the main screen."""

    def __init__(self, app: PhoneTUI, process: PushProcess) -> None:
        self.app = app
        self.process = process
        #: The push running now, if any: one at a time.
        self.run: JobRun | None = None
        self.last_object: CiscoObject | None = None
        self.last_mode: Mode = "auto"
        #: The last push's own variables (a template's), for a retry.
        self.last_variables: dict[str, str] = {}
        #: The last push's copies and journal label (a clear's, an alert round's): a retry makes the same.
        self.last_tailor: Tailor | None = None
        self.last_label: dict[str, Any] = {}
        #: The phones of the last push: after a clear, the status line counts those alone.
        self.last_phones: list[str] = []
        #: Phones reported and phones in the running (or last) push.
        self.progress = (0, 0)
        self.pushes_finished = 0
        #: How the last push went, for the status line ("last push: 10 of 12 ok in 1.6 s").
        self.last_push: str | None = None
        self._last_key = 0.0
        self._last_flush = 0.0
        self._timer: Timer | None = None
        self._over = asyncio.Event()
        self._over.set()

    @property
    def running(self) -> bool:
        return self.run is not None

    def start(
        self,
        obj: CiscoObject,
        phones: list[Phone],
        mode: Mode,
        tailor: Tailor | None = None,
        *,
        variables: Mapping[str, str] | None = None,
        label: dict[str, Any] | None = None,
    ) -> bool:
        """Start pushing ``obj`` to ``phones``; False (nothing started) while another push runs.

        ``tailor`` makes each phone's copy; ``variables`` (a template's own) go into the journal
        and into a retry, so the object pushed again is filled alike; ``label``: more for the
        journal's start record (a clear).
        """
        if self.run is not None:
            return False
        app, screen = self.app, self.app.main
        self.last_object, self.last_mode = obj, mode
        self.last_variables = dict(variables or {})
        self.last_tailor, self.last_label = tailor, dict(label or {})
        self.last_phones = [phone.name for phone in phones]
        fleet = app.fleet
        for phone in phones:
            fleet.set_result(fleet.states[phone.name], None, pending=True)
            fleet.states[phone.name].alert = ""  # an alert's word comes back with this push's result
        self.progress = (0, len(phones))
        if self.last_variables:
            label = {"vars": self.last_variables, **(label or {})}
        host, journal = app.object_host(), app.journal
        self.run = self.process.prepare(obj, phones, mode, app.config.defaults, host, journal, tailor, label)
        self._over.clear()
        screen.show_push_started(phones)
        self._timer = screen.set_interval(FLUSH_SECONDS, self._flush_when_quiet)
        screen.run_worker(self._push(self.run, phones), group="push", exclusive=True, exit_on_error=False)
        return True

    async def _push(self, run: JobRun, phones: list[Phone]) -> None:
        started = time.monotonic()
        try:
            await self.process.send(run)
            await run.wait()
        finally:
            self._finished(run, phones, started)

    def cancel(self) -> bool:
        """Cancel the running push (outstanding phones become ``cancelled``); False if none runs."""
        if self.run is None:
            return False
        self.run.cancel()
        return True

    async def cancel_and_wait(self, seconds: float) -> None:
        """Cancel the running push and give it ``seconds`` to report its phones and close its record."""
        if self.cancel():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._over.wait(), seconds)

    async def stop(self) -> None:
        """The app is ending: the push process interrupts what runs (its journal record is closed) and ends."""
        await self.process.stop()

    def key_pressed(self) -> None:
        """A key on the phone table: results wait for the frame that shows it (see the module's docstring)."""
        self._last_key = now = time.monotonic()
        if self.run is not None and now - self._last_flush >= FLUSH_SECONDS:
            self._last_flush = now
            self.app.main.after_frame(self.flush)

    def _flush_when_quiet(self) -> None:
        now = time.monotonic()
        if now - self._last_key < KEY_QUIET_SECONDS and now - self._last_flush < FLUSH_MAX_WAIT:
            return
        self.flush()

    def flush(self) -> None:
        """Apply every result that arrived since the last flush: rows, log, progress, status."""
        self._last_flush = time.monotonic()
        run = self.run
        if run is None:
            return
        for warning in run.drain_warnings():  # a side duty failed; the push goes on
            self.app.notify(f"{warning}. The push goes on.", severity="warning", timeout=10, markup=False)
        arrived = run.drain()
        if not arrived:
            return
        fleet = self.app.fleet
        for result in arrived:
            fleet.set_result(fleet.states[result.phone.name], result)
        self.app.alerting.pushed(run, [result.phone.name for result in arrived])
        done, total = self.progress
        self.progress = (done + len(arrived), total)
        self.app.main.show_results(arrived)

    def last_what(self) -> str:
        """``last push``, or ``clear of alert a1b2`` when the last push was a clear (the status line says it)."""
        if "clear" not in self.last_label:
            return "last push"
        cleared = self.last_label.get("clear")
        return f"clear of alert {printable(cleared, 6)}" if isinstance(cleared, str) else "clear"  # History has it all

    def _finished(self, run: JobRun, phones: list[Phone], started: float) -> None:
        self.flush()
        self.run = None
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        self._over.set()
        fleet = self.app.fleet
        stuck = [phone.name for phone in phones if fleet.states[phone.name].pending]
        for name in stuck:  # a failed worker leaves no row stuck in "sending"
            fleet.states[name].pending = False
        answered = [r for p in phones if (r := fleet.states[p.name].result) is not None]
        if not (run.error and not answered):
            ok = sum(1 for r in answered if r.outcome is Outcome.OK)
            how = " cancelled" if run.cancel_asked else " interrupted" if run.interrupted else ""
            # In the status line, not a toast: a toast would cover rows or the newest replies.
            took = self.app.latency_text(round((time.monotonic() - started) * 1000))
            self.last_push = f"{self.last_what()}{how}: {ok} of {len(phones)} ok in {took}"
        self.app.alerting.round_ended(run)
        self.app.main.show_push_ended(stuck)
        self.pushes_finished += 1
        if run.error and not answered:
            self.app.notify(f"The push did not start: {run.error}", severity="error", markup=False)
        elif run.error:
            message = f"The push was interrupted: {run.error}. Phones that had not answered show 'cancelled'."
            self.app.notify(message, severity="error", markup=False)
