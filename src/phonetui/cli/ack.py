"""``phonetui push --ack``: push an alert, print acknowledgements as they come, repeat to who has not.

Text mode prints the push rows as they come (a repeat round's too), a row per acknowledgement
as it comes, and the tally on stderr. ``--json`` prints exactly one line per phone: when it
acknowledges (``acked_at``), or at the end of the wait (``acked_at: null``); stderr still says
each round, in both modes. Exit 0 only if every
phone acknowledged within the wait; Ctrl-C ends the wait early (exit 1, the rest unacknowledged).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import signal
import sys
import time
from dataclasses import replace
from typing import Any

from ..alert_desk import AlertDesk, NotPhonetui, close_desk, open_desk
from ..alerts import Alert, AlertTally, PhoneState, iso_time
from ..cisco import CiscoObject, Outcome
from ..config import Defaults, Mode, Phone
from ..history import Journal
from ..object_host import ServiceObjectHost
from ..output import ack_row, summary, table_header, table_row
from ..printable import printable
from ..push import Pusher, PushResult, PushRun
from ..tailor import AckKey
from .ack_options import AckOptions
from .common import EXIT_FAILED, EXIT_OK, EXIT_USAGE
from .first_contacts import FirstContacts

#: Phones named at most in the "not acknowledged" line.
NAMED_AT_MOST = 20
#: Outcomes after which the phone may show the alert all the same (its acknowledgement still counts).
MAYBE_SHOWN = frozenset({Outcome.TIMEOUT, Outcome.BAD_REPLY, Outcome.CANCELLED})


class AckPush:
    """One alert: its rounds, the acknowledgements as they come, and what is printed."""

    def __init__(self, phones: list[Phone], options: AckOptions, as_json: bool, journal: Journal | None) -> None:
        self.phones = phones
        self.options = options
        self.as_json = as_json
        self.journal = journal
        self.tally = AlertTally(p.name for p in phones)
        self.results: dict[str, PushResult] = {}
        self.printed: set[str] = set()  # --json: phones whose one line is out
        self.by_name = {p.name: p for p in phones}
        self.seen = 0  # acknowledgements read from the desk so far
        self.stop = asyncio.Event()
        self.run: PushRun | None = None
        self.begin()
        self._desk_problem = ""
        self.maybe_shown: set[str] = set()  # a push that timed out may still have shown the alert

    def begin(self) -> None:
        """The alert goes out now: the wait starts."""
        self.started = time.time()
        self.deadline = self.started + self.options.wait

    # -- printing -----------------------------------------------------------------------------

    def _json_line(self, name: str) -> None:
        if name in self.printed:
            return
        self.printed.add(name)
        result = self.results.get(name)
        data: dict[str, Any] = result.as_json() if result else {"phone": name}
        acked = self.tally.acked_at.get(name)
        data["acked_at"] = None if acked is None else iso_time(acked)
        print(json.dumps(data, ensure_ascii=False), flush=True)

    def pushed(self, result: PushResult) -> None:
        name = result.phone.name
        self.results[name] = result
        self.tally.delivered(name, result.outcome.succeeded)
        if not self.as_json:
            print(table_row(result), flush=True)
        elif name in self.tally.acked_at:  # it acknowledged before its push answered
            self._json_line(name)

    def acknowledged(self, name: str, when: float, alert_id: str) -> None:
        if when > self.deadline or not self.tally.acknowledged(name, when):
            return
        if self.journal is not None:
            self.journal.append({"event": "ack", "alert": alert_id, "phone": name, "time": when})
        phone = self.by_name[name]
        if not self.as_json:
            print(ack_row(phone, when, when - self.started), flush=True)
        elif name in self.results:
            self._json_line(name)
        if self.tally.complete:
            self.stop.set()

    def finish(self) -> int:
        if self.as_json:
            for phone in self.phones:
                self._json_line(phone.name)
        missing = self.tally.unacknowledged()
        if missing:
            named = ", ".join(printable(n, 40) for n in missing[:NAMED_AT_MOST])
            more = f" and {len(missing) - NAMED_AT_MOST} more" if len(missing) > NAMED_AT_MOST else ""
            print(f"phonetui: not acknowledged: {named}{more}", file=sys.stderr)
        print(self.tally.summary(), file=sys.stderr, flush=True)
        return EXIT_OK if self.tally.complete else EXIT_FAILED

    # -- the work -----------------------------------------------------------------------------

    async def rounds(
        self, pusher: Pusher, beeper: Pusher, obj: CiscoObject, mode: Mode, credentials: Any, alert: Alert, url: str
    ) -> None:
        """The first round to every phone, then repeats to who has not acknowledged: each ``repeat``
        seconds after the round before it ended (as the app's), so a round slowed by a phone that
        does not answer cannot bunch the next ones together (and their beeps) behind it."""
        options = self.options
        tailor = replace(options.base, ack=AckKey(url, alert.id, alert.tokens, options.name, options.replace_exit))
        ended = self.started
        for number in range(options.repeats() + 1):
            if number:
                assert options.repeat is not None
                with contextlib.suppress(TimeoutError):
                    wait = ended + options.repeat - time.time()
                    await asyncio.wait_for(self.stop.wait(), max(0.0, wait))
                if self.stop.is_set():
                    self.say_repeats_cut(number)
                    return
            names = set(self.tally.repeat_targets(options.repeat_failed)) if number else None
            targets = [p for p in self.phones if names is None or p.name in names]
            if not targets:
                continue
            label: dict[str, Any] = {**(options.label or {}), "alert": alert.id, "round": number}
            if number and options.beep is not None:
                label["beep"] = options.beep.items[0].url
            self.run = pusher.push(obj, targets, mode, credentials, tailor=tailor, label=label)
            round_results: list[PushResult] = []
            async with contextlib.aclosing(aiter(self.run)) as arriving:
                async for result in arriving:
                    round_results.append(result)
                    self.pushed(result)
            ended = time.time()
            # stderr in both modes: --json keeps stdout for the phones' lines, the admin still sees each round
            what = "alert" if not number else f"repeat {number}"
            print(f"{what}: {summary(round_results)}", file=sys.stderr, flush=True)
            if self.nobody_can_acknowledge(round_results, number):
                print("phonetui: no phone took the alert and no repeat can reach one: the wait ends", file=sys.stderr)
                self.stop.set()
                return
            if number and options.beep is not None and not self.stop.is_set():
                heard = [r.phone for r in round_results if r.outcome.succeeded]
                self.run = beeper.push(options.beep, heard, "direct", credentials)
                async for _ in self.run:
                    pass  # the beep is a courtesy: its results are not the alert's

    def say_repeats_cut(self, number: int) -> None:
        """The wait ended before repeat ``number`` and later ones (slow rounds took their time): said, not
        silently dropped, unless everyone acknowledged or the user stopped the push."""
        last = self.options.repeats()
        left = self.tally.repeat_targets(self.options.repeat_failed)
        if self.tally.complete or time.time() < self.deadline or not left:
            return
        which = f"repeat {number}" if number == last else f"repeats {number}-{last}"
        print(
            f"phonetui: the wait ({self.options.wait:g} s) ended before {which}: the rounds before took"
            " their time (a phone slow to answer); give a longer --ack-wait",
            file=sys.stderr,
        )

    def nobody_can_acknowledge(self, round_results: list[PushResult], number: int) -> bool:
        """No phone holds the alert (every push refused or failed outright) and no repeat is to come that
        could reach one: waiting out the wait would only keep the user waiting for nothing."""
        self.maybe_shown.update(r.phone.name for r in round_results if r.outcome in MAYBE_SHOWN)
        if self.tally.acked_at or self.tally.count(PhoneState.DELIVERED) or self.maybe_shown:
            return False
        return number >= self.options.repeats() or not self.options.repeat_failed

    async def watch(self, desk: AlertDesk, alert_id: str) -> None:
        """Hear acknowledgements until stopped; a desk that cannot be asked is said once."""
        while not self.stop.is_set():
            await desk.news(max(0.05, min(1.0, self.deadline - time.time())))
            await self.collect(desk, alert_id)
            if time.time() >= self.deadline:
                self.stop.set()

    async def collect(self, desk: AlertDesk, alert_id: str) -> None:
        try:
            acks = await desk.acknowledgements(alert_id, self.seen)
        except Exception as exc:  # the service went away, say: the wait goes on
            if not self._desk_problem:
                self._desk_problem = str(exc) or type(exc).__name__
                print(f"phonetui: warning: cannot read acknowledgements: {self._desk_problem}", file=sys.stderr)
            return
        self.seen += len(acks)
        for ack in acks:
            self.acknowledged(ack.phone, ack.time, alert_id)

    def interrupt(self, interrupted: bool = False) -> None:
        self.stop.set()
        if self.run is not None:
            self.run.cancel(interrupted)


async def push_with_acks(
    obj: CiscoObject,
    phones: list[Phone],
    mode: Mode,
    credentials: tuple[str, str] | None,
    host: ServiceObjectHost,
    journal: Journal | None,
    as_json: bool,
    defaults: Defaults,
    options: AckOptions,
) -> int:
    """The whole alert; see the module's notes."""
    session = AckPush(phones, options, as_json, journal)
    loop = asyncio.get_running_loop()
    pinned = FirstContacts()
    try:
        try:
            desk = await open_desk(host)
            alert = Alert.new(
                [p.name for p in phones], options.lifetime, options.reply, {p.name: p.charset for p in phones}
            )
            await desk.register(alert)
        except NotPhonetui as exc:  # the address is taken by another program: the config must change
            print(f"phonetui: {printable(str(exc), 300)}", file=sys.stderr)
            return EXIT_USAGE
        except Exception as exc:  # the service cannot be started or reached: no alert
            print(f"phonetui: cannot register the alert with the service: {exc}", file=sys.stderr)
            return EXIT_FAILED
        loop.add_signal_handler(signal.SIGINT, session.interrupt)
        for sig in (signal.SIGTERM, signal.SIGHUP):
            loop.add_signal_handler(sig, session.interrupt, True)
        if not as_json:
            print(table_header(), flush=True)
        session.begin()
        async with Pusher(defaults, host=host, journal=journal) as pusher, Pusher(defaults) as beeper:
            watcher = asyncio.create_task(session.watch(desk, alert.id))
            rounds = asyncio.create_task(session.rounds(pusher, beeper, obj, mode, credentials, alert, desk.base_url))
            await session.stop.wait()
            if session.run is not None:
                session.run.cancel()
            for failure in await asyncio.gather(rounds, watcher, return_exceptions=True):
                if isinstance(failure, Exception):  # a bug: said in one line, the tally still printed
                    print(f"phonetui: error: {type(failure).__name__}: {failure}", file=sys.stderr)
            await session.collect(desk, alert.id)  # what came in just before the end
        await close_desk(desk)
    finally:
        pinned.close()  # before the tally, as a plain push says it before its summary
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            loop.remove_signal_handler(sig)
        await host.aclose()
        if journal is not None:
            journal.close()
    if journal is not None and journal.problem:
        print(f"phonetui: warning: {journal.problem}", file=sys.stderr)
    return session.finish()
