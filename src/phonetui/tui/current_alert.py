"""The alert the app shows: its object and tokens, its tally, its rounds, and whether it still waits."""

from __future__ import annotations

import time
from dataclasses import replace

from ..alerts import Alert, AlertTally, PhoneState
from ..cisco import CiscoObject
from ..cli.ack import MAYBE_SHOWN
from ..cli.ack_options import AckOptions
from ..config import Mode
from ..push_result import PushResult
from ..tailor import AckKey

#: Why an alert that no phone took ended (the status line says it after the tally).
NOBODY_TOOK = "no phone took the alert"


class CurrentAlert:
    """One alert of the app, from its registration until a newer one or a clear replaces it."""

    def __init__(
        self, alert: Alert, obj: CiscoObject, mode: Mode, options: AckOptions, service_url: str, remote: str = ""
    ) -> None:
        self.alert = alert
        self.obj, self.mode, self.options = obj, mode, options
        key = AckKey(service_url, alert.id, alert.tokens, options.name, options.replace_exit)
        self.tailor = replace(options.base, ack=key)
        self.tally = AlertTally(alert.tokens)
        #: Rounds sent: the first is round 0, the repeats 1, 2, ...
        self.rounds = 0
        #: When the next automatic round goes (``time.monotonic``), or None.
        self.next_at: float | None = None
        #: The other service (``serve``, ``simulate``) the alert is registered with, or "" for the app's own.
        self.remote = remote
        #: Acknowledgements read from the remote service so far (the next poll asks from here on).
        self.seen = 0
        #: Why the alert no longer waits (``NOBODY_TOOK``), or "" while it does.
        self.ended = ""
        #: Phones whose push timed out or was garbled or cancelled: they may show the alert all the same.
        self.maybe_shown: set[str] = set()

    @property
    def id(self) -> str:
        return self.alert.id

    def automatic_left(self) -> bool:
        """Another automatic round may go: repeats are on and fewer have gone than allowed."""
        return self.options.repeat is not None and self.rounds - 1 < self.options.repeats()

    def targets(self) -> list[str]:
        return self.tally.repeat_targets(self.options.repeat_failed)

    def took(self, result: PushResult) -> None:
        """A phone's push of a round answered: the tally, and whether the phone may show the alert anyway."""
        name = result.phone.name
        self.tally.delivered(name, result.outcome.succeeded)
        if result.outcome in MAYBE_SHOWN:
            self.maybe_shown.add(name)

    def nobody_can_acknowledge(self) -> bool:
        """No phone holds the alert (each push answered, refused or failed outright) and no automatic repeat
        could reach one (they go to failed phones only with "failed phones too"): waiting is for nothing."""
        tally = self.tally
        if tally.acked_at or tally.count(PhoneState.DELIVERED) or tally.count(PhoneState.PENDING) or self.maybe_shown:
            return False
        return not (self.automatic_left() and self.options.repeat_failed)

    def row_word(self, name: str) -> str:
        """The row's word for where the phone stands: ``delivered``, ``acknowledged 10:31:02``, or ""."""
        state = self.tally.states.get(name)
        if state is PhoneState.ACKNOWLEDGED:
            return f"acknowledged {time.strftime('%H:%M:%S', time.localtime(self.tally.acked_at[name]))}"
        return "delivered" if state is PhoneState.DELIVERED else ""
