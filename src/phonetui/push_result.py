"""How the push to one phone ended: the result, and how a failure is told apart and explained.

A failed connection is classified by the errno behind it (refused, no route, reset,
TLS, a name that does not resolve), so each phone's row says what to check.
"""

from __future__ import annotations

import errno
import socket
import ssl
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx

from .cisco import Outcome, Reply
from .cisco.limits import REPLY_MAX_BYTES
from .config import Phone
from .phone_tls import TlsRefused
from .push_plan import Delivery, Route

#: What ``cancelled`` means: the phone may well have got the object; its answer was not awaited.
CANCELLED_DETAIL = "no answer was awaited (the object may still have reached the phone)"


@dataclass(frozen=True)
class PushResult:
    """How the push to one phone ended, with everything needed to show why."""

    phone: Phone
    outcome: Outcome
    route: Route
    detail: str
    reply: Reply | None = None
    body: bytes = b""
    status: int | None = None
    latency: float | None = None
    hint: str = ""

    @property
    def latency_ms(self) -> int | None:
        return None if self.latency is None else round(self.latency * 1000)

    def as_json(self) -> dict[str, Any]:
        """The result as a JSON-ready dict; never holds credentials."""
        data: dict[str, Any] = {
            "phone": self.phone.name,
            "host": self.phone.address,
            "outcome": str(self.outcome),
            "status": self.status,
            "detail": self.detail,
            "latency_ms": self.latency_ms,
            "mode": self.route,
            "hint": self.hint,
        }
        if self.reply and self.reply.items:
            data["items"] = [{"url": i.url, "status": i.status, "data": i.data} for i in self.reply.items]
        if self.reply and self.reply.error_number is not None:
            data["error_number"] = self.reply.error_number
        return data


def _refused(delivery: Delivery) -> PushResult:
    return PushResult(delivery.phone, Outcome.REFUSED, "refused", delivery.reason)


AUTH_HINT = (
    "the push user may not be associated with this phone in CUCM, "
    "or the phone's authentication URL is wrong or unreachable"
)
CONNECT_TIMEOUT_HINT = (
    "no answer at all: the address may be wrong, a firewall or the wrong VLAN may drop the packets, or the phone is off"
)
READ_TIMEOUT_HINT = (
    "the phone took the request but did not answer in time: it may be busy, or waiting for a slow authentication URL"
)
_NO_ROUTE = {errno.EHOSTUNREACH, errno.ENETUNREACH, errno.EHOSTDOWN, errno.ENETDOWN}


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """``exc`` and every exception behind it (causes, contexts, groups), each once."""
    seen: set[int] = set()
    stack = [exc]
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        if isinstance(current, BaseExceptionGroup):
            stack.extend(current.exceptions)
        if current.__cause__ is not None:
            stack.append(current.__cause__)
        if current.__context__ is not None:
            stack.append(current.__context__)


def untrusted_hint(reason: str, phone: Phone) -> str:
    """What to do about a certificate ``verify = true`` refused: the address it names, or the CA that signed it."""
    if "mismatch" in reason.lower():
        return (
            f"the certificate does not name the address {phone.host}: give the address it was made for,"
            ' or a certificate that names this one (or verify = "pin")'
        )
    return 'verify = true checks it by the system CAs or ca_file: give the CA that signed it, or verify = "pin"'


def _connect_failure(exc: BaseException, phone: Phone) -> tuple[Outcome, str, str]:
    """Outcome, detail and hint for a connection that failed, told apart by the errno behind it."""
    for cause in _chain(exc):
        if isinstance(cause, socket.gaierror):
            reason = cause.strerror or str(cause)
            hint = f"cannot resolve {phone.host!r}: check the name and the DNS server, or give the IP address"
            return Outcome.UNREACHABLE, f"cannot resolve {phone.host!r}: {reason}", hint
        if isinstance(cause, TlsRefused):
            return Outcome.TLS_ERROR, cause.detail, cause.hint
        if isinstance(cause, ssl.SSLCertVerificationError):
            reason = (cause.verify_message or str(cause)).rstrip(". ")
            hint = untrusted_hint(reason, phone)
            return Outcome.TLS_ERROR, f"certificate not trusted: {reason}; nothing was sent", hint
        if isinstance(cause, ssl.SSLError):
            reason = getattr(cause, "reason", None) or str(cause)
            hint = f"no TLS on port {phone.port}: check the phone's scheme (http or https) and port"
            return Outcome.BAD_REPLY, f"TLS handshake failed: {reason}", hint
        if isinstance(cause, OSError) and cause.errno == errno.ECONNREFUSED:
            hint = f"connection refused on port {phone.port}: the phone's Web Access may be disabled"
            return Outcome.UNREACHABLE, "cannot connect: connection refused", hint
        if isinstance(cause, OSError) and cause.errno in _NO_ROUTE:
            hint = f"no route to {phone.host}: check the address, the phone's VLAN and the routing to it"
            return Outcome.UNREACHABLE, f"cannot connect: {cause.strerror}", hint
        if isinstance(cause, OSError) and cause.errno == errno.ECONNRESET:
            return Outcome.BAD_REPLY, "connection reset by the phone", ""
    return Outcome.UNREACHABLE, _reason(exc, "cannot connect"), ""


def _reason(exc: BaseException, fallback: str) -> str:
    text = str(exc).strip()
    while not text and exc.__cause__ is not None:
        exc = exc.__cause__
        text = str(exc).strip()
    return f"{fallback}: {text}" if text else fallback


async def _read_capped(response: httpx.Response) -> tuple[bytes, bool]:
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.aiter_bytes():
        chunks.append(chunk)
        size += len(chunk)
        if size > REPLY_MAX_BYTES:
            return b"".join(chunks)[:REPLY_MAX_BYTES], True
    return b"".join(chunks), False
