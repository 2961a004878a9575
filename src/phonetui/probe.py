"""Ask many phones at once who they are: ``GET /DeviceInformationX``, no credentials.

A probe is a side duty: whatever one phone does, it becomes that phone's state with a
reason, and the others carry on. Bounded concurrency over one shared client, a
deadline per phone, results in the order phones answer.
"""

from __future__ import annotations

import asyncio
import errno
import logging
import socket
import ssl
import time
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from typing import Any, Literal, get_args

import httpx

from .cisco.devinfo import DEVICE_INFORMATION_PATH, DeviceInfo, NotAPhone, parse_device_information
from .cisco.families import Family, family_for_model, model_number
from .config import Phone
from .fanout import each_phone
from .phone_tls import TlsRefused, tls_extensions, trust_command
from .push import USER_AGENT, address_problem
from .push_result import _chain, _read_capped, untrusted_hint

log = logging.getLogger(__name__)

ProbeState = Literal["online", "offline", "refused", "not-a-phone", "unresolved", "tls-error"]
PROBE_STATES: tuple[ProbeState, ...] = get_args(ProbeState)

#: Probes in flight at once, and how long one phone has to answer in all.
DEFAULT_CONCURRENCY = 64
DEFAULT_DEADLINE = 3.0

WEB_ACCESS_HINT = (
    "nothing listens there: the phone's Web Access may be disabled (Phone Configuration > Web Access in CUCM), "
    "or the address is not this phone's any more"
)


@dataclass(frozen=True)
class ProbeResult:
    """One phone's state when probed, what it said about itself, and how quickly."""

    phone: Phone
    state: ProbeState
    detail: str = ""
    rtt_ms: int | None = None
    info: DeviceInfo | None = None
    at: float = 0.0  #: wall-clock time of the answer (for "how old is this")
    #: What to do about a failure, as a push's row says it (a tls-error: the ``phonetui trust`` command).
    hint: str = ""

    @property
    def online(self) -> bool:
        return self.state == "online"

    @property
    def model_disagrees(self) -> bool:
        """The phone reports another model number than the config gives it."""
        if self.info is None or not self.info.model or not self.phone.model:
            return False
        return model_number(self.info.model) != model_number(self.phone.model)

    @property
    def detected_family(self) -> Family | None:
        return family_for_model(self.info.model) if self.info and self.info.model else None

    @property
    def model_note(self) -> str:
        """Why the configured model matters when the phone disagrees, and what pushes will use."""
        detected = self.detected_family
        if not self.model_disagrees or detected is None or self.info is None:
            return ""
        used = self.phone.family
        # A discovered phone's model came from its source (CUCM, a CSV, a scan), not from the config.
        from_source = self.phone.discovered and not self.phone.rules_given
        where, fix = ("discovery", "discover runs again") if from_source else ("the config", "it is corrected")
        note = f"{where} says {self.phone.model} ({used.name}); the phone says {self.info.model} ({detected.name})"
        rules = f"{used.charset}, {used.size_limit} bytes"
        if detected.name == used.name:
            return f"{note}: same family, pushes are unaffected ({rules})"
        return f"{note}: pushes use the {used.name} rules ({rules}) until {fix}"

    def as_json(self) -> dict[str, Any]:
        """The result as a JSON-ready dict (never credentials)."""
        info = self.info or DeviceInfo()
        return {
            "phone": self.phone.name,
            "host": self.phone.address,
            "state": self.state,
            "detail": self.detail,
            "hint": self.hint,
            "rtt_ms": self.rtt_ms,
            "model": info.model,
            "configured_model": self.phone.model,
            "model_note": self.model_note,
            "device": info.device,
            "mac": info.mac,
            "dn": info.dn,
            "firmware": info.firmware,
            "serial": info.serial,
            "at": round(self.at, 3),
        }


def information_url(phone: Phone) -> str:
    return f"{phone.scheme}://{phone.address}{DEVICE_INFORMATION_PATH}"


def _tls_failure(exc: BaseException, phone: Phone) -> tuple[str, str] | None:
    """The detail and hint of a certificate refused, as a push gives them; None for another failure."""
    for cause in _chain(exc):
        if isinstance(cause, TlsRefused):
            return cause.detail, cause.hint or trust_command(phone.name)
        if isinstance(cause, ssl.SSLCertVerificationError):
            reason = str(cause.verify_message or cause)
            return f"certificate not trusted: {reason}", untrusted_hint(reason, phone)
    return None


def _failure(exc: BaseException, phone: Phone, deadline: float) -> tuple[ProbeState, str]:
    """The state and reason for a probe that got no page, told apart by the error behind it."""
    for cause in _chain(exc):
        if isinstance(cause, socket.gaierror):
            return "unresolved", f"cannot resolve {phone.host!r}: {cause.strerror or cause}"
        if isinstance(cause, OSError) and cause.errno == errno.ECONNREFUSED:
            return "refused", f"connection refused on port {phone.port}: {WEB_ACCESS_HINT}"
        if isinstance(cause, TimeoutError | httpx.TimeoutException):
            return "offline", f"no answer within {deadline:g} s"
    text = str(exc).strip() or type(exc).__name__
    return "offline", f"no answer: {text}"


async def probe_phone(client: httpx.AsyncClient, phone: Phone, deadline: float = DEFAULT_DEADLINE) -> ProbeResult:
    """One phone's state; never raises (but CancelledError)."""
    problem = address_problem(phone)
    if problem:
        return ProbeResult(phone, "unresolved", problem, at=time.time())
    started = time.perf_counter()
    try:
        async with asyncio.timeout(deadline):
            request = client.build_request(
                "GET",
                information_url(phone),
                headers={"User-Agent": USER_AGENT, "Connection": "close"},
                extensions=tls_extensions(phone.verify, phone.ca_file, phone.name),
            )
            response = await client.send(request, stream=True)
            try:
                body, truncated = await _read_capped(response)
            finally:
                await response.aclose()
    except Exception as exc:
        refused = _tls_failure(exc, phone)
        if refused is not None:
            return ProbeResult(phone, "tls-error", refused[0], at=time.time(), hint=refused[1])
        state, detail = _failure(exc, phone, deadline)
        return ProbeResult(phone, state, detail, at=time.time())
    rtt_ms = round((time.perf_counter() - started) * 1000)
    if response.status_code in (401, 403, 404):
        detail = f"HTTP {response.status_code} for {DEVICE_INFORMATION_PATH}: {WEB_ACCESS_HINT}, or this is not a phone"
        return ProbeResult(phone, "refused", detail, rtt_ms, at=time.time())
    if response.status_code != 200:
        return ProbeResult(phone, "not-a-phone", f"HTTP {response.status_code}", rtt_ms, at=time.time())
    if truncated:
        detail = "the information page is larger than a phone's"
        return ProbeResult(phone, "not-a-phone", detail, rtt_ms, at=time.time())
    try:
        info = parse_device_information(body)
    except NotAPhone as exc:
        return ProbeResult(phone, "not-a-phone", str(exc), rtt_ms, at=time.time())
    return ProbeResult(phone, "online", f"answered in {rtt_ms} ms", rtt_ms, info, at=time.time())


class StartRate:
    """At most ``per_second`` starts a second, spread evenly (a scan must not flood a network)."""

    def __init__(self, per_second: float) -> None:
        self.gap = 1.0 / per_second
        self.next = 0.0

    async def wait(self) -> None:
        now = time.monotonic()
        start = max(now, self.next)
        self.next = start + self.gap
        if start > now:
            await asyncio.sleep(start - now)


async def probe(
    phones: Iterable[Phone],
    concurrency: int = DEFAULT_CONCURRENCY,
    deadline: float = DEFAULT_DEADLINE,
    client: httpx.AsyncClient | None = None,
    per_second: float | None = None,
) -> AsyncIterator[ProbeResult]:
    """Each phone's result as it comes; at most ``concurrency`` in flight (and ``per_second`` started)."""
    todo = list(phones)
    rate = StartRate(per_second) if per_second else None

    async def ask(client: httpx.AsyncClient, phone: Phone) -> ProbeResult:
        if rate:
            await rate.wait()
        return await probe_phone(client, phone, deadline)

    log.info("probe of %d phones, %d at once, %g s each", len(todo), concurrency, deadline)
    async for result in each_phone(todo, ask, concurrency, client):
        if log.isEnabledFor(logging.DEBUG):
            log.debug("probe %r %s: %s %s", result.phone.name, result.phone.address, result.state, result.detail)
        yield result
