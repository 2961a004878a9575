"""Which route each phone gets (direct, via-url, refused) and why, before anything is sent.

Pure: a plan reads the object, the phones and the mode, and sends nothing, so the
TUI's preview and ``push --dry-run`` show exactly what a push will do.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from .cisco import CiscoObject
from .config import Mode, Phone, host_problem
from .copies import Copies, encoded, lengthened_by
from .tailor import Tailor

Route = Literal["direct", "via-url", "refused"]


@dataclass(frozen=True)
class Delivery:
    """How one phone will get the object: the route, the bytes, and why."""

    phone: Phone
    route: Route
    object_xml: bytes
    reason: str

    @property
    def size(self) -> int:
        return len(self.object_xml)


def address_problem(phone: Phone) -> str | None:
    """Why ``phone`` cannot be reached at all as configured (its address), or None."""
    if not phone.host and phone.device:
        return (
            f"no address yet: known by its device name {phone.device} only; "
            "run 'phonetui discover --cucm' (or give it a host)"
        )
    problem = host_problem(phone.host)
    if problem:
        return f"invalid address: {problem}"
    if phone.scheme not in ("http", "https"):
        return f"invalid address: scheme {phone.scheme!r} is not http or https"
    if not 1 <= phone.port <= 65535:
        return f"invalid address: port {phone.port} is out of range 1-65535"
    return None


def plan(
    obj: CiscoObject,
    phones: list[Phone],
    mode: Mode = "auto",
    can_host: bool = False,
    tailor: Tailor | None = None,
) -> list[Delivery]:
    """Decide per phone: direct, via-url, or refused with a reason that says what to do.

    With a ``tailor`` each phone's own copy is checked and sized (its variables, its Ack key);
    without one, or when every copy is the same, the object is encoded once per charset.
    """
    by_charset: dict[str, bytes | str] = {}
    shared = tailor is None or tailor.same_for_all(obj)
    common = tailor.common(obj) if tailor is not None and shared else obj
    copies = None if tailor is None or shared else Copies(obj, tailor)
    deliveries = []
    for phone in phones:
        try:
            if copies is None:
                deliveries.append(_plan_one(common, phone, mode, can_host, by_charset))
            else:
                deliveries.append(_plan_own(copies, phone, mode, can_host))
        except Exception as exc:  # a phone built in code with a wrong type, say: refuse it alone
            deliveries.append(Delivery(phone, "refused", b"", f"not sent: {type(exc).__name__}: {exc}"))
    return deliveries


def _plan_one(
    obj: CiscoObject, phone: Phone, mode: Mode, can_host: bool, by_charset: dict[str, bytes | str]
) -> Delivery:
    problem = address_problem(phone)
    if problem:
        return Delivery(phone, "refused", b"", problem)
    if phone.charset not in by_charset:
        by_charset[phone.charset] = encoded(obj, phone.charset)
    return _route(phone, by_charset[phone.charset], mode, can_host)


def _plan_own(copies: Copies, phone: Phone, mode: Mode, can_host: bool) -> Delivery:
    """A phone with a copy of its own: the messages say it is its copy, and what lengthened it."""
    problem = address_problem(phone)
    if problem:
        return Delivery(phone, "refused", b"", problem)
    data = copies.bytes_for(phone)
    if isinstance(data, str):
        return Delivery(phone, "refused", b"", f"its copy cannot be sent: {data}")
    longer = lengthened_by(copies, phone, len(data)) if len(data) > phone.size_limit else ""
    return _route(phone, data, mode, can_host, longer)


def _route(phone: Phone, data: bytes | str, mode: Mode, can_host: bool, longer: str | None = None) -> Delivery:
    """Direct, via-url or refused for bytes (or the reason they cannot be had); ``longer``: its own copy's."""
    if isinstance(data, str):
        return Delivery(phone, "refused", b"", data)
    fits = len(data) <= phone.size_limit
    if longer is None:
        size = f"{len(data)} bytes against the phone's limit of {phone.size_limit}"
        what = "object is "
    else:
        size = f"{len(data)} bytes against its limit of {phone.size_limit}"
        what = "its copy is "
        if not fits:
            size += longer
    if mode == "direct" or (mode == "auto" and fits):
        if fits:
            return Delivery(phone, "direct", data, size)
        reason = f"{what}{size}; use --mode via-url or auto, or raise size_limit for this phone"
        return Delivery(phone, "refused", data, reason)
    if can_host:
        return Delivery(phone, "via-url", data, f"hosted by the service ({size})")
    why = f"{what}{size}" if not fits else "via-url needs the service"
    reason = f"{why}; configure [service] so phones can fetch it by URL, or shorten the object"
    return Delivery(phone, "refused", data, reason)


def largest(deliveries: list[Delivery]) -> Delivery | None:
    """The delivery with the most bytes (the first of equals), or None when none has any."""
    sized = [d for d in deliveries if d.object_xml]
    return max(sized, key=lambda d: d.size) if sized else None
