"""Alerts people acknowledge: the alert and its tokens, the book the service keeps, and the tally.

An alert is one Text pushed to many phones, each copy with an Ack softkey whose URL carries
a token of its own (``<service>/ack/<alert id>/<token>``). The token, looked up only inside
its own alert, names the phone: an acknowledgement never trusts who the caller says it is.

No aiohttp and no Textual here: the service, the command line and the app share it.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

#: What a phone shows after its acknowledgement, unless the alert says otherwise.
DEFAULT_REPLY = "Thank you"
#: An expired alert is kept this long to say "expired" rather than "unknown"; then forgotten.
FORGET_AFTER = 3600.0
#: At most this many alerts in the book (the oldest expired go first).
MAX_ALERTS = 10_000


class Verdict(StrEnum):
    """What one fetch of an Ack URL came to."""

    NEW = "new"  # the phone's first acknowledgement: recorded
    AGAIN = "again"  # already acknowledged: counted once
    UNKNOWN = "unknown"  # no such alert, or no such token in it
    EXPIRED = "expired"  # the alert's time is over


@dataclass(frozen=True)
class Alert:
    """One alert: its unguessable id, a token per phone, and when it stops taking acknowledgements."""

    id: str
    tokens: Mapping[str, str] = field(repr=False)
    created: float
    expires: float
    #: What the phone shows once it has acknowledged.
    reply: str = DEFAULT_REPLY
    #: Each phone's charset (the reply is encoded as the phone reads it); utf-8 when not given.
    charsets: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def new(
        cls,
        phones: Iterable[str],
        lifetime: float,
        reply: str = DEFAULT_REPLY,
        charsets: Mapping[str, str] | None = None,
    ) -> Alert:
        """A fresh alert for ``phones`` (names) that takes acknowledgements for ``lifetime`` seconds."""
        now = time.time()
        tokens = {name: secrets.token_urlsafe(16) for name in phones}
        return cls(secrets.token_urlsafe(12), tokens, now, now + lifetime, reply, dict(charsets or {}))

    def expired(self, now: float | None = None) -> bool:
        return (time.time() if now is None else now) >= self.expires

    def to_json(self) -> dict[str, Any]:
        """How an alert travels to a service in another process (``POST /alerts``)."""
        return {
            "id": self.id,
            "tokens": dict(self.tokens),
            "expires_in": max(0.0, self.expires - time.time()),
            "reply": self.reply,
            "charsets": dict(self.charsets),
        }

    @classmethod
    def from_json(cls, data: Any) -> Alert:
        """The alert another process sent; ValueError when it is not one."""
        if not isinstance(data, dict):
            raise ValueError("an alert is a JSON object")
        alert_id, tokens, expires_in = data.get("id"), data.get("tokens"), data.get("expires_in")
        reply, charsets = data.get("reply", DEFAULT_REPLY), data.get("charsets", {})
        if not isinstance(alert_id, str) or not 8 <= len(alert_id) <= 64:
            raise ValueError("id: 8-64 characters")
        if not isinstance(tokens, dict) or not all(isinstance(v, str) and len(v) >= 16 for v in tokens.values()):
            raise ValueError("tokens: phone names to tokens of 16 characters or more")
        if isinstance(expires_in, bool) or not isinstance(expires_in, int | float) or not 0 < expires_in <= 86400:
            raise ValueError("expires_in: seconds, more than 0 and at most a day")
        if not isinstance(reply, str) or not isinstance(charsets, dict):
            raise ValueError("reply: a string; charsets: phone names to charsets")
        charsets = {str(k): v for k, v in charsets.items() if v in ("utf-8", "iso-8859-1")}
        now = time.time()
        return cls(alert_id, {str(k): v for k, v in tokens.items()}, now, now + expires_in, reply[:255], charsets)


@dataclass(frozen=True)
class Acknowledgement:
    """One phone's acknowledgement of one alert, as the service recorded it."""

    alert_id: str
    phone: str
    time: float
    peer: str

    def record(self) -> dict[str, Any]:
        """The journal's record of it (the export reads exactly these fields)."""
        return {"event": "ack", "alert": self.alert_id, "phone": self.phone, "time": self.time}


class AlertBook:
    """The alerts a service takes acknowledgements for, and who acknowledged each."""

    def __init__(self) -> None:
        self._alerts: dict[str, Alert] = {}
        #: Per alert: token to phone name (the lookup an acknowledgement makes).
        self._by_token: dict[str, dict[str, str]] = {}
        self._acks: dict[str, dict[str, Acknowledgement]] = {}
        #: Per alert: the acknowledgements in the order they came (read from an index on).
        self._order: dict[str, list[Acknowledgement]] = {}

    def register(self, alert: Alert) -> bool:
        """Start taking acknowledgements for ``alert``; False when its id is taken already."""
        self._forget_old()
        if alert.id in self._alerts:
            return False
        self._alerts[alert.id] = alert
        self._by_token[alert.id] = {token: name for name, token in alert.tokens.items()}
        self._acks[alert.id] = {}
        self._order[alert.id] = []
        return True

    def get(self, alert_id: str) -> Alert | None:
        return self._alerts.get(alert_id)

    def acknowledge(
        self, alert_id: str, token: str, peer: str, now: float | None = None
    ) -> tuple[Verdict, Acknowledgement | None]:
        """The verdict on one fetch of an Ack URL, and the phone's acknowledgement (new or earlier)."""
        now = time.time() if now is None else now
        alert = self._alerts.get(alert_id)
        name = self._by_token.get(alert_id, {}).get(token) if alert else None
        if alert is None or name is None:
            return Verdict.UNKNOWN, None
        if alert.expired(now):
            return Verdict.EXPIRED, None
        acks = self._acks[alert_id]
        if name in acks:
            return Verdict.AGAIN, acks[name]
        acks[name] = Acknowledgement(alert_id, name, now, peer)
        self._order[alert_id].append(acks[name])
        return Verdict.NEW, acks[name]

    def acknowledgements(self, alert_id: str, since: int = 0) -> list[Acknowledgement] | None:
        """Who acknowledged the alert so far, in order, from the ``since``-th on (a reader that has
        the first ``since`` asks for the rest only); None for an alert the book does not know."""
        acks = self._order.get(alert_id)
        return None if acks is None else acks[max(0, since) :]

    def _forget_old(self) -> None:
        now = time.time()
        old = [a.id for a in self._alerts.values() if now - a.expires > FORGET_AFTER]
        if len(self._alerts) - len(old) >= MAX_ALERTS:  # still full: the earliest to expire go
            ordered = sorted(self._alerts.values(), key=lambda a: a.expires)
            old += [a.id for a in ordered[: len(self._alerts) - MAX_ALERTS + 1]]
        for alert_id in old:
            self._alerts.pop(alert_id, None)
            self._by_token.pop(alert_id, None)
            self._acks.pop(alert_id, None)
            self._order.pop(alert_id, None)


class PhoneState(StrEnum):
    """Where one phone of an alert stands."""

    PENDING = "pending"  # not pushed yet, or its push has not answered
    DELIVERED = "delivered"  # the phone took the alert; no acknowledgement yet
    FAILED = "failed"  # no push reached it (yet)
    ACKNOWLEDGED = "acknowledged"


class AlertTally:
    """Per phone: pending, then delivered or failed, then acknowledged (with its time). Pure.

    A phone only moves forward: a repeat that fails does not undo an earlier delivery, and an
    acknowledgement counts whatever its push said (a push that timed out may still have shown).
    """

    def __init__(self, phones: Iterable[str]) -> None:
        self.states: dict[str, PhoneState] = dict.fromkeys(phones, PhoneState.PENDING)
        self.acked_at: dict[str, float] = {}

    def delivered(self, phone: str, succeeded: bool) -> None:
        """A push to ``phone`` answered: it succeeded or not."""
        state = self.states.get(phone)
        if state is None or state in (PhoneState.ACKNOWLEDGED, PhoneState.DELIVERED):
            return
        self.states[phone] = PhoneState.DELIVERED if succeeded else PhoneState.FAILED

    def acknowledged(self, phone: str, when: float) -> bool:
        """``phone`` acknowledged at ``when``; False when it had already (or is not in the alert)."""
        if self.states.get(phone) in (None, PhoneState.ACKNOWLEDGED):
            return False
        self.states[phone] = PhoneState.ACKNOWLEDGED
        self.acked_at[phone] = when
        return True

    def count(self, state: PhoneState) -> int:
        return sum(1 for s in self.states.values() if s is state)

    @property
    def complete(self) -> bool:
        """Every phone acknowledged."""
        return len(self.acked_at) == len(self.states)

    def summary(self) -> str:
        """``"31 of 40 acknowledged, 6 delivered, 3 failed"`` (pending only when some are)."""
        text = f"{len(self.acked_at)} of {len(self.states)} acknowledged"
        text += f", {self.count(PhoneState.DELIVERED)} delivered, {self.count(PhoneState.FAILED)} failed"
        pending = self.count(PhoneState.PENDING)
        return text + (f", {pending} pending" if pending else "")

    def unacknowledged(self) -> list[str]:
        """The phones that have not acknowledged, in the alert's order."""
        return [name for name, state in self.states.items() if state is not PhoneState.ACKNOWLEDGED]

    def repeat_targets(self, include_failed: bool = False) -> list[str]:
        """The phones a repeat round goes to: delivered but unacknowledged (and failed ones if asked)."""
        wanted = {PhoneState.DELIVERED, PhoneState.FAILED} if include_failed else {PhoneState.DELIVERED}
        return [name for name, state in self.states.items() if state in wanted]


def iso_time(epoch: float) -> str:
    """An acknowledgement's time as ISO 8601 with the local offset (``2026-11-30T07:12:03.120+01:00``)."""
    return datetime.fromtimestamp(epoch).astimezone().isoformat(timespec="milliseconds")
