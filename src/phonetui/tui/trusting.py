"""The trust key on the phone table: read the chosen phones' certificates, show each fingerprint, accept on yes.

Reading a certificate is a handshake and nothing else (no credential leaves); the app does it
on its own loop, a few phones at a time. The confirmation names every fingerprint to record, so
a person can compare it with the one the phone shows (Settings > Security) before saying yes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..config import Phone
from ..known_phones import KnownPhones
from ..printable import printable
from ..trust import Seen, accept, look_all
from ..wording import plural
from .screens.pickers import ConfirmModal

if TYPE_CHECKING:
    from .app import PhoneTUI

#: Phones the confirmation lists one a line; more are counted.
SHOWN = 8


def detail(todo: list[Seen], others: list[Seen]) -> str:
    """Each fingerprint to record, a line a phone; then how many need nothing, and why not."""
    lines = [f"{printable(s.phone.name, 40)}  {printable(s.phone.address, 40)}\n  {s.describe()}" for s in todo[:SHOWN]]
    if len(todo) > SHOWN:
        lines.append(f"and {plural(len(todo) - SHOWN, 'more phone')}")
    unreachable = [s for s in others if s.standing == "unreachable"]
    if unreachable:
        lines.append(f"{plural(len(unreachable), 'phone')} gave no certificate: {printable(unreachable[0].detail, 80)}")
    return "\n".join(lines)


def ask_and_trust(app: PhoneTUI, phones: list[Phone]) -> None:
    """Read the certificates in the background, then ask; a toast says what came of it."""
    known = KnownPhones()

    async def read() -> None:
        seen = [s async for s in look_all(phones, known)]
        todo = [s for s in seen if s.to_record]
        others = [s for s in seen if not s.to_record]
        if not todo:
            unchanged = sum(1 for s in seen if s.standing == "unchanged")
            text = f"Nothing to trust: {plural(unchanged, 'phone')} trusted already"
            extra = "; ".join(dict.fromkeys(printable(s.describe(), 80) for s in others if s.standing != "unchanged"))
            app.notify(f"{text}{'; ' + extra if extra else ''}.", severity="information")
            return

        def answered(yes: bool | None) -> None:
            if not yes:
                return
            for one in todo:
                accept(known, one)
            app.notify(f"Trusted {plural(len(todo), 'certificate')} from now on.")

        question = f"Trust {plural(len(todo), 'certificate')}? Compare each with the phone's own first."
        app.push_screen(ConfirmModal(question, detail(todo, others), yes="Trust"), answered)

    app.run_worker(read(), group="trust", exclusive=True)
