"""The clear key on the phone table: take the last alert off the phones that got it, after asking."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..alert_journal import AlertSent, alert_for
from ..clearing import plan_clear
from ..printable import printable
from ..wording import names_phrase
from .screens.main import MainScreen
from .screens.pickers import ConfirmModal

if TYPE_CHECKING:
    from .app import PhoneTUI

CONFIRM_NAMES = 5


def ask_and_clear(app: PhoneTUI) -> None:
    """Name the alert and its phones in a confirmation; on yes, push the clear like any push."""
    if app.pump.running:
        app.main.say_busy()
        return
    try:
        found = alert_for(app.journal.pushes(), app.config.phones) if app.journal is not None else None
    except Exception as exc:  # the journal is outside data: whatever it holds, a toast and no crash
        app.notify(f"The history cannot be read: {exc}", severity="error", markup=False)
        return
    if found is None:
        app.notify("No alert in the history: nothing to clear.", severity="warning")
        return
    if isinstance(found, AlertSent):
        what = printable(found.describe(other=True), 120)
        app.notify(f"No alert was sent to these phones: the newest, {what}.", severity="warning", markup=False)
        return
    alert, phones = found.alert, found.phones
    if found.moved:
        moved = names_phrase([p.name for p in found.moved], CONFIRM_NAMES)
        app.notify(f"{moved}: at another address than the alert went to, skipped.", severity="warning", markup=False)
    what = printable(alert.describe(), 120)
    if not phones:
        app.notify(f"Nothing to clear: {what}, but no phone took it.", severity="warning", markup=False)
        return
    plan = plan_clear(phones, alert.alert_id)
    question = f"Clear {what}?"
    detail = f"{names_phrase([p.name for p in phones], CONFIRM_NAMES)}\nsending {plan.methods_text()}"
    if found.passed is not None:
        newer = printable(found.passed_phrase().removeprefix("; the newer "), 160)
        detail += f"\nThe newer {newer}."

    async def answered(yes: bool | None) -> None:
        if not yes:
            return
        while not isinstance(app.screen, MainScreen):
            await app.pop_screen()
        if not app.pump.start(plan.obj, phones, app.config.defaults.mode, plan.tailor, label=plan.label):
            app.main.say_busy()
            return
        app.alerting.cleared(alert.alert_id)  # the app's alert, if it is this one, ends: no repeats, no tally

    app.push_screen(ConfirmModal(question, detail, yes="Clear"), answered)
