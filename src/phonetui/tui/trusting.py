"""The trust key on the phone table: read the chosen phones' certificates, show each fingerprint, accept on yes.

Reading a certificate is a handshake and nothing else (no credential leaves); the app does it
on its own loop, a few phones at a time. The confirmation names every fingerprint to record, so
a person can compare it with the one the phone shows (Settings > Security) before saying yes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..config import Phone
from ..known_phones import KnownPhones, KnownPhonesError
from ..printable import printable
from ..trust import Seen, accept, look_all, octet_lines, unreachable_phrase
from ..wording import plural
from .screens.pickers import ConfirmModal

if TYPE_CHECKING:
    from .app import PhoneTUI

#: Phones the confirmation lists at most; more are counted.
SHOWN = 8
#: Rows a listed phone takes: its name and standing, then its fingerprint in two halves.
PHONE_ROWS = 3
#: Rows of the screen that are not the list: the footer, the dialog's border and padding, the question,
#: the buttons and their margin, and the two summary lines ("and 4 more phones", who gave none).
FRAME_ROWS = 1 + 2 + 2 + 1 + 4 + 2


def shown_for(height: int) -> int:
    """How many phones fit the confirmation on a screen ``height`` rows tall (it may take all of it)."""
    return max(1, min(SHOWN, (height - FRAME_ROWS) // PHONE_ROWS))


def _halves(fingerprint: str) -> str:
    """Two lines of 16 octets, as ``phonetui trust`` prints it: never a byte split by the dialog's edge."""
    return "\n".join(f"  {line}" for line in octet_lines(fingerprint))


def _listed(seen: Seen) -> str:
    standing = "changed: trusted was another" if seen.standing == "changed" else "new"
    name, address = printable(seen.phone.name, 30), printable(seen.phone.address, 30)
    return f"{name}  {address}  SHA-256 ({standing}):\n{_halves(seen.fingerprint)}"


def detail(todo: list[Seen], others: list[Seen], shown: int = SHOWN) -> str:
    """Each fingerprint to record, up to ``shown`` phones; then how many more, and who gave none."""
    lines = [_listed(s) for s in todo[:shown]]
    if len(todo) > shown:
        lines.append(f"and {plural(len(todo) - shown, 'more phone')}")
    gone = unreachable_phrase(others)
    if gone:
        lines.append(f"No certificate: {gone}")
    return "\n".join(lines)


def ask_and_trust(app: PhoneTUI, phones: list[Phone]) -> None:
    """Read the certificates in the background, then ask; a toast says what came of it."""
    known = KnownPhones()

    async def read() -> None:
        seen = [s async for s in look_all(phones, known)]
        for warning in known.warnings:
            app.notify(printable(warning, 300), severity="warning", markup=False)
        todo = [s for s in seen if s.to_record]
        others = [s for s in seen if not s.to_record]
        if not todo:
            unchanged = sum(1 for s in seen if s.standing == "unchanged")
            text = f"Nothing to trust: {plural(unchanged, 'phone')} trusted already"
            extra = "; ".join(dict.fromkeys(printable(s.describe(), 80) for s in others if s.standing != "unchanged"))
            app.notify(f"{text}{'; ' + extra if extra else ''}.", severity="information", markup=False)
            return

        def answered(yes: bool | None) -> None:
            if not yes:
                return
            try:
                moved = [warning for one in todo if (warning := accept(known, one))]
            except KnownPhonesError as exc:
                why = f"Cannot record the certificate in {known.path}: {exc}; nothing was recorded."
                app.notify(printable(why, 300), severity="error", markup=False)
                return
            for warning in moved:
                app.notify(printable(warning, 300), severity="warning", markup=False)
            gone = unreachable_phrase(others)
            app.notify(f"Trusted {plural(len(todo), 'certificate')}{'; ' + gone if gone else ''}.", markup=False)

        question = f"Trust {plural(len(todo), 'certificate')}? Compare each with the phone's own first."
        listing = detail(todo, others, shown_for(app.size.height))
        app.push_screen(ConfirmModal(question, listing, yes="Trust", tall=True), answered)

    app.run_worker(read(), group="trust", exclusive=True)
