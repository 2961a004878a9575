"""Which route each phone gets (direct, via-url, refused) and why, before anything is sent.

Pure: a plan reads the object, the phones and the mode, and sends nothing, so the
TUI's preview and ``push --dry-run`` show exactly what a push will do.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from .cisco import CiscoObject, encode, errors, validate
from .config import Mode, Phone, host_problem
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


def _encoded(obj: CiscoObject, charset: str) -> bytes | str:
    """The object's bytes in ``charset``, or why it cannot be sent in it."""
    try:
        problems = errors(validate(obj, charset))
        if problems:
            return "; ".join(str(p) for p in problems)
        return encode(obj, charset)
    except Exception as exc:  # an unknown charset from a config built in code, say
        return f"cannot encode in {charset!r}: {type(exc).__name__}: {exc}"


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
    encoded: dict[str, bytes | str] = {}
    shared = tailor is None or tailor.same_for_all(obj)
    common = tailor.common(obj) if tailor is not None and shared else obj
    deliveries = []
    for phone in phones:
        try:
            if shared:
                deliveries.append(_plan_one(common, phone, mode, can_host, encoded))
            else:
                assert tailor is not None
                own = tailor.object_for(obj, phone)
                deliveries.append(_plan_one(own, phone, mode, can_host, {}))
        except Exception as exc:  # a phone built in code with a wrong type, say: refuse it alone
            deliveries.append(Delivery(phone, "refused", b"", f"not sent: {type(exc).__name__}: {exc}"))
    return deliveries


def _plan_one(obj: CiscoObject, phone: Phone, mode: Mode, can_host: bool, encoded: dict[str, bytes | str]) -> Delivery:
    problem = address_problem(phone)
    if problem:
        return Delivery(phone, "refused", b"", problem)
    if phone.charset not in encoded:
        encoded[phone.charset] = _encoded(obj, phone.charset)
    data = encoded[phone.charset]
    if isinstance(data, str):
        return Delivery(phone, "refused", b"", data)
    fits = len(data) <= phone.size_limit
    size = f"{len(data)} bytes against the phone's limit of {phone.size_limit}"
    if mode == "direct" or (mode == "auto" and fits):
        if fits:
            return Delivery(phone, "direct", data, size)
        reason = f"object is {size}; use --mode via-url or auto, or raise size_limit for this phone"
        return Delivery(phone, "refused", data, reason)
    if can_host:
        return Delivery(phone, "via-url", data, f"hosted by the service ({size})")
    why = f"object is {size}" if not fits else "via-url needs the service"
    reason = f"{why}; configure [service] so phones can fetch it by URL, or shorten the object"
    return Delivery(phone, "refused", data, reason)
