"""Phones from CUCM's RisPort70: names and addresses, paced to the server's rate limit.

CUCM allows 15 RisPort requests a minute by default and answers more with a
``Server.RateControl`` fault, so requests are paced to the configured rate and a
fault is met with a growing back-off and a retry, not a failure. The clock and the
sleep are parameters, so tests run the pacing on a clock of their own.
"""

from __future__ import annotations

import asyncio
import logging
import ssl
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit, urlunsplit

import httpx

from ..cisco.risport import (
    RESPONSE_MAX_BYTES,
    RISPORT_PATH,
    SOAP_ACTION,
    RisDevice,
    RisError,
    batches,
    newest,
    parse_select_response,
    select_request,
)
from ..config import CucmConfig
from ..wording import plural
from .records import Found

log = logging.getLogger(__name__)

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]

#: The first back-off after a rate fault; it doubles with each fault in a row, up to the cap.
BACKOFF_FIRST = 30.0
BACKOFF_CAP = 240.0
#: Rate faults in a row before discovery gives up.
MAX_RATE_FAULTS = 6
#: Pages of one query followed at most (a guard against a server that never ends a query).
MAX_PAGES = 1000


class CucmError(Exception):
    """CUCM could not be asked, or refused; the message says why and what to check."""


def risport_url(settings: CucmConfig) -> str:
    return settings.url.rstrip("/") + RISPORT_PATH


class Pacer:
    """At most ``per_minute`` starts in any 60 s window: the next start waits for the oldest to age."""

    def __init__(
        self,
        per_minute: int,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
        say: Callable[[str], None] | None = None,
    ) -> None:
        self.per_minute = max(1, per_minute)
        self.clock = clock
        self.sleep = sleep
        self.say = say
        self.starts: list[float] = []
        self.waited = 0.0

    async def wait(self) -> None:
        now = self.clock()
        self.starts = [start for start in self.starts if now - start < 60.0]
        if len(self.starts) >= self.per_minute:
            pause = 60.0 - (now - self.starts[0])
            log.info("pacing: waiting %.1f s for the rate limit (%d a minute)", pause, self.per_minute)
            if self.say and pause >= 1.0:
                self.say(f"waiting {pause:.0f} s: CUCM allows {self.per_minute} RisPort requests a minute")
            self.waited += pause
            await self.sleep(pause)
            now = self.clock()
            self.starts = [start for start in self.starts if now - start < 60.0]
        self.starts.append(now)

    async def back_off(self, seconds: float) -> None:
        log.warning("CUCM refused for its rate limit: backing off %.0f s", seconds)
        if self.say:
            self.say(f"CUCM refused for its rate limit: waiting {seconds:.0f} s, then asking again")
        self.waited += seconds
        await self.sleep(seconds)


@dataclass
class CucmResult:
    """Every device CUCM reported (the newest record of each), and how asking went."""

    devices: dict[str, RisDevice] = field(default_factory=dict)
    silent_nodes: set[str] = field(default_factory=set)
    requests: int = 0
    rate_faults: int = 0
    waited: float = 0.0

    def found(self) -> list[Found]:
        return [to_found(device) for device in self.devices.values()]


def to_found(device: RisDevice) -> Found:
    return Found(
        name=device.name,
        host=device.ip,
        dn=device.dn,
        description=device.description,
        source=f"cucm {device.node}".strip(),
        web_server_off=device.web_server_off,
    )


def client_for(settings: CucmConfig) -> httpx.AsyncClient:
    """A client that verifies CUCM's certificate against ``ca_file``, the system's CAs, or not at all."""
    verify: ssl.SSLContext | bool = True
    if settings.insecure:
        verify = False
    elif settings.ca_file:
        verify = ssl.create_default_context(cafile=settings.ca_file)
    return httpx.AsyncClient(
        auth=(settings.username, settings.password),
        verify=verify,
        trust_env=False,
        follow_redirects=False,
        timeout=settings.timeout,
    )


async def ask_soap(client: httpx.AsyncClient, settings: CucmConfig, url: str, action: str, body: bytes) -> bytes:
    """POST one SOAP request to CUCM; CucmError saying what to check when it cannot be done."""
    headers = {"Content-Type": "text/xml; charset=utf-8", "SOAPAction": action}
    try:
        response = await client.post(url, content=body, headers=headers)
    except httpx.ConnectError as exc:
        if _name_mismatch(exc):
            raise CucmError(await _mismatch_message(settings)) from None
        if "CERTIFICATE_VERIFY_FAILED" in str(exc):
            raise CucmError(
                f"CUCM's certificate at {settings.url} is not trusted: give its CA as [cucm] ca_file "
                "(or, on a lab system only, set insecure = true)"
            ) from None
        raise CucmError(f"cannot connect to CUCM at {settings.url}: {exc}") from None
    except httpx.HTTPError as exc:
        raise CucmError(f"CUCM at {settings.url} did not answer: {type(exc).__name__}: {exc}") from None
    if response.status_code == 401:
        raise CucmError(f"CUCM refused the user {settings.username!r} (HTTP 401): check [cucm] username and password")
    if len(response.content) > RESPONSE_MAX_BYTES:
        raise CucmError(f"CUCM's answer is larger than {RESPONSE_MAX_BYTES} bytes")
    if response.status_code not in (200, 500):  # SOAP faults come with 500
        raise CucmError(f"CUCM answered HTTP {response.status_code} at {url}")
    return response.content


#: OpenSSL's X509_V_ERR_HOSTNAME_MISMATCH (an IP address mismatch has it too).
_HOSTNAME_MISMATCH = 62


def _name_mismatch(exc: BaseException) -> bool:
    """Whether a connection failed because the certificate is made for another host name or address."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ssl.SSLCertVerificationError) and seen.verify_code == _HOSTNAME_MISMATCH:
            return True
        seen = seen.__cause__ or seen.__context__
    return "Hostname mismatch" in str(exc) or "IP address mismatch" in str(exc)


async def _mismatch_message(settings: CucmConfig) -> str:
    names = await certificate_names(settings)
    text = f"CUCM's certificate at {settings.url} is made for another name than {urlsplit(settings.url).hostname}"
    if not names:
        return text + ": use the name it is made for in [cucm] url"
    url = urlsplit(settings.url)
    host = f"[{names[0]}]" if ":" in names[0] else names[0]
    better = urlunsplit(url._replace(netloc=host + (f":{url.port}" if url.port else "")))
    return f'{text} (it is made for {", ".join(names)}): set [cucm] url = "{better}"'


async def certificate_names(settings: CucmConfig) -> list[str]:
    """The names and addresses CUCM's certificate is made for, read trusting ``ca_file``; [] if they cannot be known."""
    url = urlsplit(settings.url)
    if not url.hostname:
        return []
    context = ssl.create_default_context(cafile=settings.ca_file or None)
    context.check_hostname = False  # the certificate is still verified against the CA: only its name is not
    try:
        async with asyncio.timeout(settings.timeout):
            _, writer = await asyncio.open_connection(url.hostname, url.port or 443, ssl=context)
    except (OSError, TimeoutError):
        return []
    try:
        peer = writer.get_extra_info("peercert") or {}
    finally:
        writer.close()
    alternatives = peer.get("subjectAltName", ())
    return [str(value) for kind, value in alternatives if kind in ("DNS", "IP Address")]


async def select_devices(
    client: httpx.AsyncClient,
    settings: CucmConfig,
    names: Sequence[str] = (),
    pacer: Pacer | None = None,
) -> CucmResult:
    """Every device named (every phone when ``names`` is empty), following pages, paced."""
    pacer = pacer or Pacer(settings.rate_per_minute)
    result = CucmResult()
    reported: list[RisDevice] = []
    for batch in batches(list(names)) if names else [["*"]]:
        state, pages, faults = "", 0, 0
        this_query: list[RisDevice] = []
        while pages < MAX_PAGES:
            await pacer.wait()
            result.requests += 1
            try:
                answer = await ask_soap(
                    client, settings, risport_url(settings), f'"{SOAP_ACTION}"', select_request(batch, state)
                )
                page = parse_select_response(answer)
            except RisError as exc:
                if not exc.rate_limited:
                    raise CucmError(f"CUCM's RisPort answered a fault: {exc}") from None
                faults += 1
                result.rate_faults += 1
                if faults > MAX_RATE_FAULTS:
                    raise CucmError(f"CUCM kept refusing for its rate limit ({faults} times in a row)") from None
                await pacer.back_off(min(BACKOFF_CAP, BACKOFF_FIRST * 2 ** (faults - 1)))
                continue
            faults = 0
            pages += 1
            log.info(
                "RisPort page %d: %d records of %d, silent nodes %s", pages, len(page.devices), page.total,
                ", ".join(page.silent_nodes) or "none",
            )  # fmt: skip
            this_query.extend(page.devices)
            if pacer.say:
                records = plural(len(reported) + len(this_query), "record")
                pacer.say(f"CUCM: {plural(result.requests, 'request')}, {records} so far")
            result.silent_nodes.update(page.silent_nodes)
            if not page.state_info or page.state_info == state or not page.devices:
                break
            if len(newest(this_query)) >= page.total:
                break
            state = page.state_info
        reported.extend(this_query)
    result.devices = newest(reported)
    result.waited = pacer.waited
    return result
