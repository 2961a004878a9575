"""Alerts from the app: registered with the app's own service, pushed in rounds, acknowledged row by row.
(When ``phonetui serve`` or ``simulate`` holds the service's address, with that one: ``alert_remote.py``.)

The first round goes to the chosen phones; a repeat round (``R``, the form's "every S seconds",
or ``f`` on an alert's failures) goes to who has not acknowledged. Each round is one push through
the result pump, labelled ``{"alert": id, "round": n}`` in the journal like ``push --ack``'s.
Acknowledgements come from the service's listener on this loop and are applied in batches, at
most every ``FLUSH_SECONDS`` (as the pump applies push results), to the rows and the status line.
"""

from __future__ import annotations

import contextlib
import time
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from textual.css.query import NoMatches
from textual.timer import Timer

from ..alerts import Acknowledgement, Alert
from ..cisco import CiscoObject
from ..cli.ack_options import AckOptions, dry_run_tailor, reply_charset_problem
from ..config import Mode, Phone
from ..printable import printable
from ..service import Service
from ..tailor import Tailor
from ..wording import plural
from . import alert_keys
from .alert_remote import RemoteAcks, remote_phrase, remote_url
from .alert_settings import AlertSettings, reachable_problem, repeat_phrase
from .background import JobRun
from .current_alert import NOBODY_TOOK, CurrentAlert
from .messages import AcksArrived
from .pump import FLUSH_SECONDS

if TYPE_CHECKING:
    from .app import PhoneTUI

#: How often the countdown to the next repeat is redrawn (seconds).
TICK = 1.0


class Alerting:
    """The app's alerts: sending one, its rounds, the acknowledgements, the keys ``u`` and ``R``."""

    def __init__(self, app: PhoneTUI) -> None:
        self.app = app
        self.current: CurrentAlert | None = None
        #: When ``R`` last sent a round (``time.monotonic``): a second press right after is the same one.
        self.repeated_at = -1e9
        #: Every alert this app registered: their acknowledgements are journalled.
        self.own: set[str] = set()
        self._heard: list[Acknowledgement] = []
        self._flush_due = False
        self._last_flush = 0.0
        self._listening: Service | None = None
        self._ticker: Timer | None = None
        self.remote = RemoteAcks(self)
        #: Why there is no current alert though there was one (`` (the last one was cleared)``), or "".
        self.gone = ""

    # -- sending ------------------------------------------------------------------------------

    def refusal(self) -> str:
        """Why an alert cannot go now (nothing is sent), or "": phones must reach the app's own service."""
        app = self.app
        if app.config.service is None:
            return (
                f"an alert needs a [service] table in {app.config.path}: phones fetch the Ack key's URL"
                " from the service (listen, url, username, password; see the README's Configuration)"
            )
        service = app.service
        if remote_url(self):  # the other program is asked when the alert registers, and it says if it cannot
            return reachable_problem(service) if service is not None else ""
        if service is None or not service.running:
            return "the responder is stopped, and phones fetch the Ack key's URL from it: r, then s, starts it"
        return reachable_problem(service)

    def options(self, settings: AlertSettings, tailor: Tailor) -> AckOptions:
        config = self.app.config.service
        return settings.options(config.ack_reply if config else "Thank you", tailor)

    def preview_tailor(self, phones: list[Phone], settings: AlertSettings, tailor: Tailor) -> Tailor:
        """Each phone's copy as the preview shows it: an Ack key with stand-in tokens of the real length."""
        service = self.app.service
        url = service.url if service is not None else "http://service"
        return dry_run_tailor(phones, self.options(settings, tailor), url)

    def confirm(
        self, obj: CiscoObject, phones: list[Phone], settings: AlertSettings, tailor: Tailor, variables: dict[str, str]
    ) -> None:
        """Ask as for any push (naming the phones and routes, the copies with their Ack key); on yes, begin."""
        from .sending import confirm_push  # sending imports the screens, which import this

        problem = self.refusal()
        if problem:
            self.app.notify(f"Not sent: {problem}.", severity="error", timeout=10)
            return
        options = replace(self.options(settings, tailor), label=variables)
        unshowable = reply_charset_problem(options.reply, phones)
        if unshowable:  # else those phones would be thanked in the service's stock words
            self.app.notify(f"Not sent: [service] ack_reply: {unshowable}.", severity="error", timeout=10)
            return
        mode = self.app.config.defaults.mode
        key = printable(settings.name, 32)
        question = f"Send an alert (a Text with the key {key}) to {plural(len(phones), 'phone')}?"
        confirm_push(
            self.app,
            obj,
            phones,
            mode,
            tailor=self.preview_tailor(phones, settings, tailor),
            question=question,
            extra=repeat_phrase(options, self.app.key_for("repeat-alert")) + remote_phrase(self),
            start=lambda chosen: self.begin(obj, chosen, mode, options),
        )

    def begin(self, obj: CiscoObject, phones: list[Phone], mode: Mode, options: AckOptions) -> bool:
        """Register the alert with the app's service (or the other program's) and push its first round;
        False when another push runs."""
        service, remote = self.app.service, remote_url(self)
        problem = self.refusal()
        if problem or (service is None and not remote):
            self.app.notify(f"Not sent: {problem}.", severity="error", timeout=10)
            return True  # said here: not "busy"
        if self.app.pump.running:
            return False
        charsets = {p.name: p.charset for p in phones}
        alert = Alert.new([p.name for p in phones], options.lifetime, options.reply, charsets)

        def registered(url: str) -> bool:
            if self.app.pump.running:
                return False
            self.own.add(alert.id)
            self._forget_rows()
            self.current = CurrentAlert(alert, obj, mode, options, url, remote=url if remote else "")
            self.gone = ""
            self.app.fleet.alerting = True
            self.app.main.table.set_columns()
            return self.round(phones)

        if remote:
            return self.remote.begin(remote, alert, registered)
        assert service is not None
        service.alerts.register(alert)
        if self._listening is not service:
            service.ack_listeners.append(self.heard)
            self._listening = service
        return registered(service.url)

    def round(self, phones: list[Phone]) -> bool:
        """Push the current alert's next round to ``phones``; False while another push runs."""
        current = self.current
        if current is None or not phones:
            return False
        label: dict[str, Any] = {"alert": current.id, "round": current.rounds}
        beep = current.options.beep
        if current.rounds and beep is not None:
            label["beep"] = beep.items[0].url
        variables = dict(current.options.label or {})
        if not self.app.pump.start(current.obj, phones, current.mode, current.tailor, variables=variables, label=label):
            return False
        current.rounds += 1
        current.next_at, current.ended = None, ""  # a retry (f) of an alert that no phone took waits again
        self.remote.watch(current)
        self.refresh()
        return True

    def _forget_rows(self) -> None:
        """A new alert: the last one's words leave its rows."""
        if self.current is not None:
            fleet = self.app.fleet
            names = [name for name in self.current.tally.states if name in fleet.states]
            for name in names:
                fleet.states[name].alert = ""
            self.app.main.table.update_phones(names)

    # -- what the pump reports ----------------------------------------------------------------

    def round_of(self, run: JobRun) -> int | None:
        """The round of the current alert ``run`` pushes, or None when it is no round of it."""
        label = run.job.label or {}
        current = self.current
        if current is None or label.get("alert") != current.id:
            return None
        number = label.get("round")
        return number if isinstance(number, int) else None

    def pushed(self, run: JobRun, names: list[str]) -> None:
        """A batch of ``run``'s results is in the rows: an alert's round moves its tally on."""
        current = self.current
        if current is None or self.round_of(run) is None:
            return
        states = self.app.fleet.states
        for name in names:
            result = states[name].result if name in states else None
            if result is not None:
                current.took(result)
                states[name].alert = current.row_word(name)

    def round_ended(self, run: JobRun) -> None:
        """A round is over: the beep on a repeat, and the next automatic round's time."""
        current = self.current
        number = self.round_of(run)
        if current is None or number is None:
            return
        beep = current.options.beep
        if number and beep is not None and not run.cancelled:
            states = self.app.fleet.states
            heard = [p for p in run.job.phones if (r := states[p.name].result) is not None and r.outcome.succeeded]
            if heard:
                self.app.run_worker(self._beep(beep, heard), group="beep", exit_on_error=False)
        if not run.cancelled and current.nobody_can_acknowledge():
            self.end(NOBODY_TOOK)
            self.app.main.log_note(f"✗ {NOBODY_TOOK}, and no repeat can reach one: it no longer waits")
            return
        if run.cancelled or current.tally.complete or not current.automatic_left() or not current.targets():
            return
        assert current.options.repeat is not None
        current.next_at = time.monotonic() + current.options.repeat
        if self._ticker is None:
            self._ticker = self.app.set_interval(TICK, self._tick)
        self.refresh()

    async def _beep(self, beep: CiscoObject, phones: list[Phone]) -> None:
        """The beep is a courtesy, as ``push --ack``'s: not the alert's rows, nor the journal's."""
        process = self.app.push_process
        run = process.prepare(beep, phones, "direct", self.app.config.defaults)
        await process.send(run)
        await run.wait()

    def _tick(self) -> None:
        current = self.current
        if current is None or current.next_at is None:
            if self._ticker is not None:
                self._ticker.stop()
                self._ticker = None
            return
        if time.monotonic() >= current.next_at and not self.app.pump.running:
            targets = current.targets()
            phones = [p for p in self.app.config.phones if p.name in set(targets)]
            if not phones or current.tally.complete:
                current.next_at = None
            else:
                self.round(phones)
        self.refresh()

    def end(self, why: str) -> None:
        """The current alert no longer waits: no more automatic rounds, nor polls of another service."""
        if self.current is not None:
            self.current.next_at, self.current.ended = None, why
            self.refresh()

    def cleared(self, alert_id: str) -> None:
        """A clear of ``alert_id`` goes out: if it is the current alert, it ends here. Its rows leave the
        alert's words for the clear's results, and the status line leaves its tally."""
        if self.current is None or self.current.id != alert_id:
            return
        self.end("cleared")
        self._forget_rows()
        self.current, self.gone, self.app.fleet.alerting = None, " (the last one was cleared)", False
        self.app.main.table.set_columns()
        self.refresh()

    # -- acknowledgements ---------------------------------------------------------------------

    def heard(self, ack: Acknowledgement) -> None:
        """The service recorded a new acknowledgement (on this loop, but in the request's context, not the
        app's): the main screen is told once, and applies it with the next batch (``schedule``)."""
        self._heard.append(ack)
        if self._flush_due:
            return
        self._flush_due = True
        self.app.main.post_message(AcksArrived())

    def schedule(self) -> None:
        """Apply what was heard now, or, within ``FLUSH_SECONDS`` of the last batch, when they are up."""
        wait = FLUSH_SECONDS - (time.monotonic() - self._last_flush)
        if wait <= 0:
            self.app.call_later(self.flush)
        else:
            self.app.set_timer(wait, self.flush)

    def flush(self) -> None:
        """Journal the acknowledgements that came, and show them: rows, then the status line."""
        self._flush_due, self._last_flush = False, time.monotonic()
        heard, self._heard = self._heard, []
        current, journal, fleet = self.current, self.app.journal, self.app.fleet
        changed: list[str] = []
        for ack in heard:
            if ack.alert_id not in self.own:
                continue  # another program's alert (push --ack registered it here): it journals its own
            if journal is not None:
                journal.append(ack.record())
            if current is None or ack.alert_id != current.id or not current.tally.acknowledged(ack.phone, ack.time):
                continue
            if ack.phone in fleet.states:
                fleet.states[ack.phone].alert = current.row_word(ack.phone)
                changed.append(ack.phone)
        if not changed or current is None:
            return
        self.app.main.table.update_phones(changed)
        if current.tally.complete:
            current.next_at = None
            self.app.main.log_note(f"✓ every phone acknowledged the alert ({len(current.tally.states)})")
        self.refresh()

    # -- keys -----------------------------------------------------------------------------------

    def select_unacked(self) -> None:
        alert_keys.select_unacked(self)

    def repeat_now(self) -> None:
        alert_keys.repeat_now(self)

    def retry(self, failed: list[Phone]) -> bool:
        return alert_keys.retry(self, failed)

    @property
    def repeating(self) -> bool:
        return self.current is not None and self.current.next_at is not None

    def stop_repeating(self) -> bool:
        """The cancel key: no more automatic rounds of the current alert. False when none was coming."""
        if not self.repeating:
            return False
        assert self.current is not None
        self.current.next_at = None
        self.refresh()
        return True

    # -- the status line ----------------------------------------------------------------------

    def status(self) -> list[str] | None:
        """The tally (``31 of 40 acknowledged, 6 delivered, 3 failed``), then the countdown to the next repeat."""
        current = self.current
        if current is None:
            return None
        parts = [current.tally.summary()]
        if current.ended:
            parts.append(current.ended)
        if current.next_at is not None:
            seconds = max(0, round(current.next_at - time.monotonic()))
            most = current.options.max_repeats
            parts.append(f"repeat {current.rounds}{f' of {most}' if most else ''} in {seconds} s")
        if where := self.remote.status(current):
            parts.append(where)
        return parts

    def refresh(self) -> None:
        """The status line, and the footer (the cancel key is offered while repeats are to come)."""
        with contextlib.suppress(NoMatches):  # a tick as the app closes: its status line is gone already
            if self.app.main.is_mounted:
                self.app.main.refresh_status()
                self.app.main.refresh_bindings()
