"""Probing from the app: the push process asks the phones, the table shows each state as it comes.

A probe is a side duty: it runs in the push process beside any push (never on the UI's
loop, so keys stay quick at 20,000 phones), one at a time, and what it finds is drawn in
batches twice a second. With ``[probe] interval`` the app probes every phone by itself,
skipping a turn while a push or another probe runs.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from textual.timer import Timer

from ..config import Phone
from ..phone_tls import for_the_app
from ..printable import printable
from ..wording import names_phrase, plural
from .background import ProbeRun

if TYPE_CHECKING:
    from .app import PhoneTUI

FLUSH_SECONDS = 0.5
#: The ages in the state column are drawn again this often.
AGE_SECONDS = 10.0


class Prober:
    """Starts probes in the app's push process and brings their results to the fleet and its table."""

    def __init__(self, app: PhoneTUI) -> None:
        self.app = app
        self.run: ProbeRun | None = None
        self.counts: Counter[str] = Counter()
        self._timer: Timer | None = None
        self._asked = 0
        #: The phones this probe found with a certificate not trusted, and the last one's hint.
        self._untrusted: list[str] = []
        self._hint = ""

    @property
    def running(self) -> bool:
        return self.run is not None

    @property
    def progress(self) -> tuple[int, int] | None:
        """Phones answered and asked, while a probe runs (the status line shows it, the app's own too)."""
        if self.run is None:
            return None
        return sum(self.counts.values()), self._asked

    def start(self, phones: list[Phone], quiet: bool = False) -> bool:
        """Probe ``phones``; False (nothing started) while another probe runs."""
        if self.run is not None or not phones:
            return False
        settings = self.app.config.probe
        self.run = self.app.push_process.prepare_probe(phones, settings.concurrency, settings.timeout)
        self.counts.clear()
        self._untrusted.clear()
        self._asked = len(phones)
        screen = self.app.main
        screen.refresh_status()
        self._timer = screen.set_interval(FLUSH_SECONDS, self.flush)
        screen.run_worker(self._probe(self.run, quiet), group="probe", exclusive=True, exit_on_error=False)
        return True

    async def _probe(self, run: ProbeRun, quiet: bool) -> None:
        try:
            await self.app.push_process.send(run)
            await run.over.wait()
        finally:
            if self._timer is not None:
                self._timer.stop()
            self.flush()
            self.run = None
            self.app.main.table.refresh_ages()  # one instant for every age the probe set
            self.app.main.refresh_status()
        if run.error:
            self.app.notify(f"Probe stopped: {run.error}", severity="warning", markup=False)
        elif not quiet:  # the app's own probes (at start, on the interval) show in the State column only
            self.app.notify(self.summary(), markup=False)
        if self._untrusted:  # even a quiet probe: nothing reaches these phones until someone acts
            names = names_phrase(self._untrusted)
            text = f"Certificate not trusted (tls-error) for {names}: {for_the_app(self._hint)}."
            self.app.notify(printable(text, 300), severity="warning", timeout=10, markup=False)

    def summary(self) -> str:
        total = sum(self.counts.values())
        text = f"Probe: {self.counts['online']} of {plural(total, 'phone')} online"
        others = ", ".join(f"{n} {state}" for state, n in self.counts.most_common() if state != "online")
        return f"{text} ({others})" if others else text

    def flush(self) -> None:
        """Draw what the running probe found since the last flush."""
        run = self.run
        if run is None:
            return
        run.notify_warnings(self.app.notify)
        fleet, table = self.app.fleet, self.app.main.table
        results = run.drain()
        if not results:
            return
        first = not fleet.probed
        names = [result.phone.name for result in results if fleet.apply_probe(result)]
        self.counts.update(result.state for result in results)
        for result in results:
            if result.state == "tls-error":
                self._untrusted.append(result.phone.name)
                self._hint = result.hint
        if first:
            table.set_columns()
        table.update_phones(names)
        self.app.main.refresh_status()

    def cancel(self) -> None:
        if self.run is not None:
            self.run.cancel()

    def every_phone(self) -> None:
        """The interval's turn: probe every phone, unless a push or a probe runs."""
        if not self.app.pump.running and not self.running:
            self.start([state.phone for state in self.app.fleet.states.values()], quiet=True)
