"""How phonetui proves itself to a phone: Basic for CUCM firmware, Digest for multiplatform (MPP) phones.

CUCM-firmware phones take Basic credentials up front and check them with their authentication
URL. MPP (3PCC) phones have no authentication URL: they challenge with HTTP Digest, so the first
request to one gets a 401 it did not act on, and the answer goes in a second request with the
same body. The challenge is kept per phone (and user) for the rest of the run: httpx's
``DigestAuth`` answers the next request to that phone at once, and asks anew only when the
phone's nonce has gone stale.
"""

from __future__ import annotations

import httpx

from .basic_auth import basic_auth
from .cisco.screens import is_mpp
from .config import Phone, PhoneAuthScheme
from .push_result import AUTH_HINT
from .wire import USER_AGENT

FORM_TYPE = "application/x-www-form-urlencoded"
DIGEST_HINT = (
    "a multiplatform phone checks Digest against its own user and password "
    "(its CISCO XML EXE Auth Mode: Local or Remote Credential); give those as the phone's username and password"
)


def auth_scheme(phone: Phone) -> PhoneAuthScheme:
    """The phone's ``auth``, else ``[defaults]``'s, else by model: digest for MPP, basic for the rest."""
    if phone.auth is not None:
        return phone.auth
    return "digest" if is_mpp(phone.model) else "basic"


def multiplatform(phone: Phone) -> bool:
    """A phone that answers as MPP phones do (no CiscoIPPhoneResponse): an MPP model, or one asked by Digest."""
    return is_mpp(phone.model) or auth_scheme(phone) == "digest"


ASKS_DIGEST_HINT = 'the phone asks for Digest: set auth = "digest" for it (multiplatform phones use Digest)'


def asks_digest(response: httpx.Response | None) -> bool:
    """The 401 challenges with Digest (``WWW-Authenticate: Digest realm=…``, maybe among other schemes)."""
    if response is None or response.status_code != 401:
        return False
    challenges = response.headers.get_list("www-authenticate", split_commas=True)
    return any(part.strip().lower().startswith("digest") for part in challenges)


def auth_hint(phone: Phone, response: httpx.Response | None = None) -> str:
    """What to check when ``phone`` refused the credentials: CUCM's association and auth URL, or its Digest user.

    Basic sent to a phone that asks for Digest is the wrong scheme, not a wrong password: say so.
    """
    if auth_scheme(phone) == "digest":
        return DIGEST_HINT
    return ASKS_DIGEST_HINT if asks_digest(response) else AUTH_HINT


async def send(client: httpx.AsyncClient, request: httpx.Request, digest: httpx.DigestAuth | None) -> httpx.Response:
    """Send ``request`` (the reply streamed, for the caller to read capped); with Digest, answer the challenge.

    httpx's own Digest handling reads the challenging 401 whole, however large a hostile phone
    makes it; here that reply is closed unread: only its headers carry the challenge.
    """
    if digest is None:
        return await client.send(request, stream=True)
    flow = digest.auth_flow(request)
    request = next(flow)
    while True:
        response = await client.send(request, stream=True)
        try:
            request = flow.send(response)
        except StopIteration:
            return response
        await response.aclose()


class PhoneAuth:
    """The Authorization of each request to a phone; one per run, so Digest challenges are kept for it."""

    def __init__(self) -> None:
        self._digests: dict[tuple[str, str, str], httpx.DigestAuth] = {}

    def request(
        self, phone: Phone, credentials: tuple[str, str] | None, form: bool = True
    ) -> tuple[dict[str, str], httpx.DigestAuth | None]:
        """The headers (Basic already in them) and the Digest flow to send with (None for Basic).

        The one place a phone's credentials are put on the wire: Basic on the first request (a
        phone sends no challenge worth waiting for); httpx gives a bytes body its Content-Length,
        never ``Expect`` or chunks, which phones refuse; one connection a request.

        ``credentials`` None: the phone's own; given (``--username``/``--password``), they stand in for the
        push user, not for a Digest phone's own (its table's). ``form``: the request carries a form body (a push).
        """
        digesting = auth_scheme(phone) == "digest"
        if credentials is None or (digesting and phone.own_credentials):
            credentials = (phone.username, phone.password)  # a Digest phone's own user is not the push user
        username, password = credentials
        headers: dict[str, str] = {}
        digest = None
        if not digesting:
            headers["Authorization"] = basic_auth(username, password)
        else:
            key = (phone.address, username, password)
            digest = self._digests.get(key)
            if digest is None:
                digest = self._digests[key] = httpx.DigestAuth(username, password)
        if form:
            headers["Content-Type"] = FORM_TYPE
        headers |= {"Connection": "close", "User-Agent": USER_AGENT}
        return headers, digest
