"""The keys about the current alert: ``u`` selects who has not acknowledged, ``R`` repeats to them,
``f`` retries an alert round's failed phones (as the alert's next round, with the Ack key)."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from ..alerts import PhoneState
from ..config import Phone
from ..wording import plural

#: A second ``R`` this soon after one that sent a round is taken as the same press (seconds).
REPEAT_AGAIN_AFTER = 2.0

if TYPE_CHECKING:
    from .alerting import Alerting

SEND_ONE = "send one from the form (Ask for acknowledgement, then F5)"


def select_unacked(alerting: Alerting) -> None:
    """Select exactly the current alert's phones that have not acknowledged; deselect the others."""
    current = alerting.current
    if current is None:
        alerting.app.notify(f"No alert{alerting.gone or ' yet'}: {SEND_ONE}.")
        return
    wanted = [name for name in current.tally.unacknowledged() if name in alerting.app.fleet.states]
    alerting.app.main.redraw(alerting.app.fleet.select_only(wanted))
    if wanted:
        alerting.app.notify(f"Selected the {plural(len(wanted), 'phone')} that have not acknowledged.")
    else:
        alerting.app.notify("Every phone of the alert acknowledged: none selected.")


def repeat_now(alerting: Alerting) -> None:
    """Push the next round now to who has not acknowledged (and failed phones if the alert says so)."""
    current = alerting.current
    if current is None:
        alerting.app.notify(f"No alert to repeat{alerting.gone}: {SEND_ONE}.")
        return
    pump = alerting.app.pump
    just_sent = time.monotonic() - alerting.repeated_at < REPEAT_AGAIN_AFTER
    if just_sent or (pump.running and pump.last_label.get("alert") == current.id):
        # R R: the second says the first was taken (a bare "a push is running" read as a refusal of it);
        # within seconds of it, even before its round has started or after it ended: never two rounds
        going = pump.last_label.get("round") if pump.running else current.rounds - 1
        what = f"Repeat {going}" if isinstance(going, int) and going > 0 else "The alert"
        cancel = alerting.app.key_for("cancel-push")
        alerting.app.notify(f"{what} is still going out; {cancel} cancels it.", markup=False)
        return
    if pump.running:
        alerting.app.main.say_busy()
        return
    targets = set(current.targets())
    phones = [p for p in alerting.app.config.phones if p.name in targets]
    if not phones:
        failed = current.tally.count(PhoneState.FAILED)
        why = "every phone acknowledged" if current.tally.complete else "no phone took it and has not acknowledged"
        hint = f"; {plural(failed, 'phone')} failed: {alerting.app.key_for('retry')} retries them" if failed else ""
        alerting.app.notify(f"Nothing to repeat: {why}{hint}.", severity="warning")
        return
    number = current.rounds
    if alerting.round(phones):
        alerting.repeated_at = time.monotonic()
        alerting.app.notify(f"Repeat {number}: {plural(len(phones), 'phone')}.")


def retry(alerting: Alerting, failed: list[Phone]) -> bool:
    """``f`` after a round of the current alert: the next round, to its failed phones. False: not an alert's."""
    from .sending import confirm_push

    current, pump = alerting.current, alerting.app.pump
    if current is None or pump.last_label.get("alert") != current.id:
        return False
    phones = [p for p in failed if p.name in current.tally.states]
    if not phones:
        return False
    number = current.rounds
    confirm_push(
        alerting.app,
        current.obj,
        phones,
        current.mode,
        retry=True,
        tailor=current.tailor,
        question=f"Retry the alert (repeat {number}) to {plural(len(phones), 'failed phone')}?",
        start=alerting.round,
    )
    return True
