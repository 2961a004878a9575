"""The clear key on the phone table: take the last alert off the phones that got it, after asking."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..alert_journal import last_alert_in
from ..clearing import plan_clear
from ..printable import printable
from ..wording import names_phrase, plural
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
        alert = last_alert_in(app.journal)
    except Exception as exc:  # the journal is outside data: whatever it holds, a toast and no crash
        app.notify(f"The history cannot be read: {exc}", severity="error")
        return
    if alert is None:
        app.notify("No alert in the history: nothing to clear.", severity="warning")
        return
    known = {phone.name: phone for phone in app.config.phones}
    phones = [known[name] for name in alert.phones if name in known]
    what = printable(alert.describe(), 120)
    if not phones:
        why = "no phone took it" if not alert.phones else "none of its phones is in the config now"
        app.notify(f"Nothing to clear: {what}, but {why}.", severity="warning")
        return
    plan = plan_clear(phones, alert.alert_id)
    question = f"Clear {what}?"
    detail = f"{names_phrase([p.name for p in phones], CONFIRM_NAMES)}\nsending {plan.methods_text()}"
    gone = len(alert.phones) - len(phones)
    if gone:
        detail += f"\n{plural(gone, 'phone')} of that alert no longer in the config: skipped"

    async def answered(yes: bool | None) -> None:
        if not yes:
            return
        while not isinstance(app.screen, MainScreen):
            await app.pop_screen()
        if not app.pump.start(plan.obj, phones, app.config.defaults.mode, plan.tailor, label=plan.label):
            app.main.say_busy()

    app.push_screen(ConfirmModal(question, detail, yes="Clear"), answered)
