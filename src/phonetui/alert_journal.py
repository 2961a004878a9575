"""Alerts as the journal tells them: their rounds, who got them, who acknowledged, and when.

An alert's rounds are pushes whose ``start`` record carries ``"alert": <id>`` and
``"round": <n>``; each acknowledgement is its own record, ``{"event": "ack", "alert": <id>,
"phone": <name>, "time": <epoch>}``. A clear is a push whose start carries ``"clear"``.
The journal is outside data (a file torn by a crash, edited by hand): a field of the wrong
type counts as missing, never as an error.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .config import Phone
from .history import Journal, PushRecord
from .wording import plural


def number(value: object) -> float | None:
    """A finite number from the journal, or None (a bool or a string in its place is not one)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def alert_of(record: PushRecord) -> str | None:
    """The alert a push was a round of, or None."""
    alert = record.start.get("alert")
    return alert if isinstance(alert, str) and alert else None


def round_of(record: PushRecord) -> int | None:
    value = record.start.get("round")
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def round_number(record: PushRecord) -> int | None:
    """The round as people count it (the first send is round 1); the journal counts from 0."""
    found = round_of(record)
    return found + 1 if found is not None and found >= 0 else None


def kind_of(record: PushRecord) -> str:
    """``alert`` (a round of one), ``clear``, or ``push``."""
    if alert_of(record):
        return "alert"
    return "clear" if "clear" in record.start else "push"


def alert_pushes(pushes: Iterable[PushRecord], alert_id: str) -> list[PushRecord]:
    """The rounds of ``alert_id``, oldest first."""
    return [p for p in pushes if alert_of(p) == alert_id]


def acknowledgements(records: Iterable[dict[str, Any]], alert_id: str) -> dict[str, float]:
    """Each phone's first acknowledgement of ``alert_id`` (a phone that pressed twice counts once)."""
    acked: dict[str, float] = {}
    for record in records:
        if record.get("event") != "ack" or record.get("alert") != alert_id:
            continue
        phone, when = record.get("phone"), number(record.get("time"))
        if isinstance(phone, str) and when is not None and (phone not in acked or when < acked[phone]):
            acked[phone] = when
    return acked


def iso_time(stamp: float | None, timespec: str = "seconds") -> str:
    """ISO 8601 with the local offset (``2026-11-30T10:31:02+01:00``); '' when there is none.
    An acknowledgement's time takes ``milliseconds``, as ``push --ack --json`` writes it."""
    if stamp is None:
        return ""
    try:
        return datetime.fromtimestamp(stamp).astimezone().isoformat(timespec=timespec)
    except (OverflowError, OSError, ValueError):
        return ""


def clock_time(stamp: float | None, now: float | None = None) -> str:
    """``10:31`` today, ``2026-11-29 10:31`` another day, ``?`` when unknown."""
    if stamp is None:
        return "?"
    try:
        day = time.strftime("%Y-%m-%d", time.localtime(stamp))
        today = time.strftime("%Y-%m-%d", time.localtime(time.time() if now is None else now))
        return time.strftime("%H:%M" if day == today else "%Y-%m-%d %H:%M", time.localtime(stamp))
    except (OverflowError, OSError, ValueError):
        return "?"


#: Outcomes after which a phone may show the object though it said nothing of it (``cli/ack.py``'s
#: MAYBE_SHOWN, as the journal writes them).
MAY_HAVE_SHOWN = frozenset({"timeout", "bad-reply", "cancelled"})


@dataclass(frozen=True)
class AlertSent:
    """An alert as a clear needs it: its id, when its first round went, the phones that got it,
    and where each phone it was sent to was then (a clear must reach the same phone, not a namesake)."""

    alert_id: str
    sent: float | None
    rounds: int
    phones: list[str]
    hosts: dict[str, str] = field(default_factory=dict)
    #: Phones no round came back ok from, but whose push may have shown it all the same (a timeout,
    #: a garbled reply, cancelled in flight): a clear goes to them too.
    maybe: list[str] = field(default_factory=list)

    def describe(self, other: bool = False) -> str:
        """``alert a1b2 sent 10:31 to 40 phones in 2 rounds (38 took it, 1 may have)``: counted as sent."""
        rounds = f" in {self.rounds} rounds" if self.rounds > 1 else ""
        sent = max(len(self.hosts), len(self.phones))
        may = f", {len(self.maybe)} may have" if self.maybe else ""
        took = f" ({len(self.phones)} took it{may})" if 0 < len(self.phones) < sent else ""
        count = plural(sent, "other phone" if other else "phone")
        return f"alert {self.alert_id} sent {clock_time(self.sent)} to {count}{rounds}{took}"


def alert_sent(pushes: list[PushRecord], alert_id: str) -> AlertSent:
    """Every phone of every round of ``alert_id`` whose push succeeded, in the order they first did."""
    rounds = alert_pushes(pushes, alert_id)
    got: dict[str, None] = {}
    maybe: dict[str, None] = {}
    hosts: dict[str, str] = {}
    for record in rounds:
        targets = record.start.get("targets")
        for target in targets if isinstance(targets, list) else []:
            name = target.get("phone") if isinstance(target, dict) else None
            host = target.get("host") if isinstance(target, dict) else None
            if isinstance(name, str):
                hosts[name] = host if isinstance(host, str) else ""
        for result in record.results:
            name = result.get("phone")
            if isinstance(name, str) and result.get("outcome") == "ok":
                got.setdefault(name)
            elif isinstance(name, str) and result.get("outcome") in MAY_HAVE_SHOWN:
                maybe.setdefault(name)
    first = number(rounds[0].start.get("time")) if rounds else None
    numbered = {round_of(r) for r in rounds} - {None}
    count = len(numbered) + sum(1 for r in rounds if round_of(r) is None)  # a round pushed in parts counts once
    return AlertSent(alert_id, first, count, list(got), hosts, [n for n in maybe if n not in got])


def last_alert(pushes: list[PushRecord]) -> AlertSent | None:
    """The newest alert in the journal (the newest push with an alert label), or None."""
    for record in reversed(pushes):
        alert = alert_of(record)
        if alert:
            return alert_sent(pushes, alert)
    return None


def last_alert_in(journal: Journal | None) -> AlertSent | None:
    return last_alert(journal.pushes()) if journal is not None else None


@dataclass(frozen=True)
class AlertFor:
    """The newest alert sent to a config's phones that some phone took: those to clear, namesakes now
    elsewhere, and the newer alert no phone took, passed over (None when there was none)."""

    alert: AlertSent
    phones: list[Phone]
    moved: list[Phone]
    passed: AlertSent | None = None

    def passed_phrase(self) -> str:
        """``; the newer alert b2c3 sent 10:40 to 2 phones was taken by no phone``, or ''."""
        if self.passed is None:
            return ""
        return f"; the newer {self.passed.describe()} was taken by no phone"


def alert_for(pushes: list[PushRecord], phones: list[Phone]) -> AlertFor | AlertSent | None:
    """The newest alert sent to any of ``phones`` at the address it has now (name and host:port) that
    one of them took: an alert every push of which failed put nothing on a screen, and must not hide
    an earlier drill still shown (when none was taken, the newest comes back with no phones).

    Another fleet's alert (another config with the same names) is not this one's: when no alert
    was sent to these phones, the newest alert of all comes back alone, to say whose it was.
    """
    by_name = {phone.name: phone for phone in phones}
    newest: AlertSent | None = None
    untaken: AlertFor | None = None
    seen: set[str] = set()
    for record in reversed(pushes):
        alert_id = alert_of(record)
        if not alert_id or alert_id in seen:
            continue
        seen.add(alert_id)
        alert = alert_sent(pushes, alert_id)
        newest = newest or alert
        same = [by_name[n] for n, host in alert.hosts.items() if n in by_name and by_name[n].address == host]
        if same:
            got = set(alert.phones) | set(alert.maybe)
            moved = [by_name[n] for n in alert.hosts if n in by_name and by_name[n] not in same]
            found = AlertFor(alert, [p for p in same if p.name in got], moved)
            if found.phones:
                return AlertFor(alert, found.phones, moved, untaken.alert if untaken else None)
            untaken = untaken or found
    return untaken or newest


@dataclass(frozen=True)
class AlertStory:
    """One alert across its rounds, as History tells it: every round's row and detail read alike."""

    alert_id: str
    rounds: int
    phones: frozenset[str]
    acks: dict[str, float]
    #: Phones that took it (``ok`` in some round): the others never had the Ack key to press.
    took: frozenset[str] = frozenset()
    #: Phones that never answered ok but may show it (a timeout, a garbled reply, cancelled in flight).
    maybe: frozenset[str] = frozenset()

    @property
    def acked(self) -> int:
        """Phones of the alert that acknowledged (an ack from a phone it never went to is not counted)."""
        return sum(1 for name in self.acks if name in self.phones)

    def short(self, length: int = 6) -> str:
        return self.alert_id[:length]


def alert_stories(pushes: list[PushRecord], records: Iterable[dict[str, Any]]) -> dict[str, AlertStory]:
    """Each alert of ``pushes``: how many rounds, the phones any round went to, and who acknowledged when."""
    phones: dict[str, set[str]] = {}
    took: dict[str, set[str]] = {}
    maybe: dict[str, set[str]] = {}
    rounds: dict[str, set[object]] = {}
    for record in pushes:
        alert = alert_of(record)
        if alert is None:
            continue
        rounds.setdefault(alert, set()).add(round_of(record) if round_of(record) is not None else record.push_id)
        names = phones.setdefault(alert, set())
        targets = record.start.get("targets")
        for target in targets if isinstance(targets, list) else []:
            name = target.get("phone") if isinstance(target, dict) else target
            if isinstance(name, str):
                names.add(name)
        names.update(r["phone"] for r in record.results if isinstance(r.get("phone"), str))
        ok = (r["phone"] for r in record.results if isinstance(r.get("phone"), str) and r.get("outcome") == "ok")
        took.setdefault(alert, set()).update(ok)
        unsure = (r["phone"] for r in record.results if r.get("outcome") in MAY_HAVE_SHOWN)
        maybe.setdefault(alert, set()).update(name for name in unsure if isinstance(name, str))
    acks: dict[str, dict[str, float]] = {alert: {} for alert in phones}
    for entry in records:
        owner, phone, when = entry.get("alert"), entry.get("phone"), number(entry.get("time"))
        if entry.get("event") != "ack" or not isinstance(owner, str) or owner not in acks:
            continue
        if isinstance(phone, str) and when is not None and when < acks[owner].get(phone, math.inf):
            acks[owner][phone] = when
    return {
        alert: AlertStory(
            alert,
            len(rounds[alert]),
            frozenset(names),
            acks[alert],
            frozenset(took[alert]),
            frozenset(maybe[alert] - took[alert]),
        )
        for alert, names in phones.items()
    }
