"""Accepting phones' certificates: what each presents now against what is trusted (``phonetui trust``).

Reading a certificate sends nothing but a handshake; recording one replaces what was
trusted for that address. Only pinned https phones have anything to accept: a plain
http phone has no certificate, and ``verify = true`` or ``false`` phones pin nothing.
"""

from __future__ import annotations

import asyncio
import os
import ssl
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from typing import Literal

from .config import Phone
from .known_phones import KnownPhones
from .phone_tls import fingerprint, peer_certificate
from .printable import printable
from .push_result import _reason
from .wording import names_phrase

Standing = Literal["new", "unchanged", "changed", "not-pinned", "unreachable"]
#: Handshakes in flight at once, and how long each has.
CONCURRENCY, TIMEOUT = 32, 5.0


@dataclass(frozen=True)
class Seen:
    """One phone's certificate as presented now, and how it stands against the trusted one."""

    phone: Phone
    standing: Standing
    fingerprint: str = ""
    trusted: str = ""
    detail: str = ""

    @property
    def to_record(self) -> bool:
        """Accepting changes something: a new or changed certificate."""
        return self.standing in ("new", "changed")

    def standing_words(self) -> str:
        """How it stands, without the fingerprints (they go on lines of their own)."""
        if self.standing in ("not-pinned", "unreachable"):
            return self.describe()
        return {"new": "new", "unchanged": "trusted already", "changed": "changed"}[self.standing]

    def describe(self) -> str:
        """One line for people: the fingerprint and how it compares."""
        if self.standing == "not-pinned":
            return self.detail
        if self.standing == "unreachable":
            return f"no certificate: {self.detail}"
        if self.standing == "changed":
            return f"SHA-256 {self.fingerprint} (changed: trusted was {self.trusted})"
        return f"SHA-256 {self.fingerprint} ({'new' if self.standing == 'new' else 'trusted already'})"


#: Octets a fingerprint line holds: SHA-256 is two lines of 16, each 47 characters.
OCTETS_A_LINE = 16


def octet_lines(fingerprint: str, octets: int = OCTETS_A_LINE) -> list[str]:
    """A fingerprint in lines of ``octets`` octets: never an octet cut in two by a narrow terminal, and
    the same octets on the same line every time, so two fingerprints compare line by line."""
    parts = fingerprint.split(":")
    return [":".join(parts[i : i + octets]) for i in range(0, len(parts), octets)] or [fingerprint]


async def look(phone: Phone, known: KnownPhones, timeout: float = TIMEOUT) -> Seen:  # noqa: ASYNC109
    """The certificate ``phone`` presents now; never raises (but CancelledError)."""
    if phone.scheme != "https":
        return Seen(phone, "not-pinned", detail="plain http: no certificate to trust")
    if phone.verify != "pin":
        checked = "verified by CAs (verify = true)" if phone.verify == "ca" else "not checked (verify = false)"
        return Seen(phone, "not-pinned", detail=f"{checked}: nothing is pinned")
    if not phone.host:
        return Seen(phone, "unreachable", detail="no address yet")
    try:
        seen = fingerprint(await peer_certificate(phone.host, phone.port, timeout))
    except TimeoutError:
        return Seen(phone, "unreachable", detail=f"no TLS handshake within {timeout:g} s")
    except (OSError, ValueError) as exc:
        return Seen(phone, "unreachable", detail=_in_words(exc))
    trusted = known.fingerprint(phone.address) or ""
    standing: Standing = "new" if not trusted else "unchanged" if trusted == seen else "changed"
    return Seen(phone, standing, seen, trusted)


async def look_all(phones: Iterable[Phone], known: KnownPhones, timeout: float = TIMEOUT) -> AsyncIterator[Seen]:  # noqa: ASYNC109
    """Each phone's ``Seen`` in the order given, at most ``CONCURRENCY`` handshakes at once."""
    slots = asyncio.Semaphore(CONCURRENCY)

    async def one(phone: Phone) -> Seen:
        async with slots:
            return await look(phone, known, timeout)

    tasks = [asyncio.ensure_future(one(phone)) for phone in phones]
    try:
        for task in tasks:
            yield await task
    finally:
        for task in tasks:
            task.cancel()


def _in_words(exc: BaseException) -> str:
    """``connection refused`` rather than ``[Errno 111] Connect call failed ('127.0.0.1', 8443)``."""
    number = getattr(exc, "errno", None)
    if isinstance(exc, OSError) and number and not isinstance(exc, ssl.SSLError):
        reason = os.strerror(number)
        return reason[:1].lower() + reason[1:]
    return _reason(exc, "cannot connect")


def unreachable_phrase(seen: list[Seen]) -> str:
    """``sim-0006 gave none: connection refused`` (or ``2 phones gave none: …``), or "" when all gave one."""
    gone = [s for s in seen if s.standing == "unreachable"]
    if not gone:
        return ""
    who = printable(gone[0].phone.name, 40) if len(gone) == 1 else names_phrase([s.phone.name for s in gone])
    reasons = "; ".join(dict.fromkeys(printable(s.detail, 80) for s in gone))
    return f"{who} gave none: {reasons}"


def accept(known: KnownPhones, seen: Seen) -> str | None:
    """Trust the certificate ``seen`` shows from now on (in place of any earlier one).

    Returns a warning when the phone was pinned at another address with another certificate
    (it moved, or another device took its name). Raises ``KnownPhonesError`` when the file
    cannot be written.
    """
    moved = known.moved(seen.phone.address, seen.fingerprint, seen.phone.name, "as accepted now")
    known.replace(seen.phone.address, seen.fingerprint, seen.phone.name)
    return moved
