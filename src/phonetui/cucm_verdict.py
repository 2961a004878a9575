"""The responder's verdict asked of CUCM: AXL ``doAuthenticateUser`` instead of a password in the config.

Phones ask the responder for every push and screenshot, so verdicts are kept a short while
(``VERDICT_TTL``): a burst of pushes with one user costs CUCM one question. Only CUCM's
yes and no are kept, never "could not ask" (that answers ``ERROR`` and is asked again next
time), and a password is kept only as a keyed hash that lives as long as the process.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import secrets
import time
from collections.abc import Callable

import httpx

from .cisco.encode import escape
from .cisco.limits import AUTH_AUTHORIZED, AUTH_ERROR, AUTH_UNAUTHORIZED
from .cisco.xmlsafe import XmlRefused, parse_xml
from .config import CucmConfig
from .discovery.axl import AXL_PATH
from .discovery.cucm import CucmError, ask_soap, client_for

#: Seconds a verdict from CUCM is kept.
VERDICT_TTL = 60.0
#: Seconds CUCM has to answer before the phone is told ERROR (a phone waits only so long itself).
ASK_TIMEOUT = 5.0
#: Verdicts kept at most; the oldest go first.
KEPT_MAX = 10_000
log = logging.getLogger(__name__)


def authenticate_request(version: str, userid: str, password: str) -> bytes:
    """AXL ``doAuthenticateUser`` for ``userid`` and ``password``."""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" '
        f'xmlns:ns="http://www.cisco.com/AXL/API/{escape(version)}"><soapenv:Header/><soapenv:Body>'
        f"<ns:doAuthenticateUser><userid>{escape(userid)}</userid><password>{escape(password)}</password>"
        "</ns:doAuthenticateUser></soapenv:Body></soapenv:Envelope>"
    ).encode()


def parse_authenticate(body: bytes) -> bool:
    """CUCM's ``userAuthenticated``; CucmError for a fault or an answer that does not say."""
    try:
        root = parse_xml(body, lenient=True)
    except XmlRefused as exc:
        raise CucmError(f"not an AXL answer: {exc}") from None
    values = {node.tag.rsplit("}", 1)[-1]: (node.text or "").strip() for node in root.iter()}
    if "Fault" in values:
        raise CucmError(f"AXL answered a fault: {values.get('faultstring') or 'no reason given'}")
    answer = values.get("userAuthenticated", "").lower()
    if answer not in ("true", "false"):
        raise CucmError("AXL's answer has no userAuthenticated")
    return answer == "true"


class CucmVerdicts:
    """Asks CUCM whether a user's password is right; keeps yes and no for ``ttl`` seconds."""

    def __init__(
        self, settings: CucmConfig, ttl: float = VERDICT_TTL, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.settings = settings
        self.ttl = ttl
        self.clock = clock
        #: Questions CUCM was actually asked (the tests count them).
        self.asked = 0
        self._key = secrets.token_bytes(32)
        self._kept: dict[bytes, tuple[str, str, float]] = {}  # verdict, reason, until
        self._asking: dict[bytes, asyncio.Future[tuple[str, str]]] = {}
        self._client: httpx.AsyncClient | None = None

    def _hash(self, userid: str, password: str) -> bytes:
        return hmac.new(self._key, f"{userid}\0{password}".encode(), hashlib.sha256).digest()

    async def verdict(self, userid: str, password: str) -> tuple[str, str]:
        """``AUTHORIZED`` / ``UN-AUTHORIZED`` as CUCM says (kept), or ``ERROR`` when it cannot be asked (not kept)."""
        key = self._hash(userid, password)
        kept = self._kept.get(key)
        if kept is not None and kept[2] > self.clock():
            return kept[0], f"{kept[1]}, kept"
        if key in self._asking:  # the same question is on its way: wait for its answer
            return await asyncio.shield(self._asking[key])
        future: asyncio.Future[tuple[str, str]] = asyncio.get_running_loop().create_future()
        self._asking[key] = future
        try:
            answer = await self._ask(userid, password)
            if answer[0] != AUTH_ERROR:
                if len(self._kept) >= KEPT_MAX:
                    self._kept.pop(next(iter(self._kept)))
                self._kept[key] = (*answer, self.clock() + self.ttl)
            future.set_result(answer)
            return answer
        except BaseException:
            future.set_result((AUTH_ERROR, "CUCM could not be asked"))
            raise
        finally:
            del self._asking[key]

    async def _ask(self, userid: str, password: str) -> tuple[str, str]:
        settings = self.settings
        if self._client is None:
            self._client = client_for(settings)
        url = settings.url.rstrip("/") + AXL_PATH
        action = f'"CUCM:DB ver={settings.axl_version} doAuthenticateUser"'
        self.asked += 1
        try:
            async with asyncio.timeout(min(ASK_TIMEOUT, settings.timeout)):
                body = await ask_soap(
                    self._client, settings, url, action, authenticate_request(settings.axl_version, userid, password)
                )
            right = parse_authenticate(body)
        except TimeoutError:
            log.warning("CUCM did not answer doAuthenticateUser within %g s: ERROR", min(ASK_TIMEOUT, settings.timeout))
            return AUTH_ERROR, "CUCM did not answer in time"
        except CucmError as exc:  # the message names CUCM and what to check, never the phone user's password
            log.warning("cannot ask CUCM: %s", exc)
            return AUTH_ERROR, f"CUCM could not be asked: {exc}"
        except Exception as exc:  # whatever else goes wrong, the phone is told ERROR
            log.warning("cannot ask CUCM: %s", type(exc).__name__, exc_info=True)
            return AUTH_ERROR, f"CUCM could not be asked: {type(exc).__name__}"
        return (AUTH_AUTHORIZED, "credentials match (CUCM)") if right else (AUTH_UNAUTHORIZED, "wrong password (CUCM)")

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None
