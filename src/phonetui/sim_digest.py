"""HTTP Digest as a simulated multiplatform (MPP) phone checks it: RFC 7616, MD5, qop "auth".

MPP phones have no authentication URL; with "CISCO XML EXE Auth Mode" set to a credential
mode they challenge a push with Digest. The check is a real one: the nonce must be one this
simulator issued and not stale, the nonce count must grow, the URI must be the request's,
and the response must be the one the phone's own user and password give.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time
from collections import OrderedDict
from typing import TYPE_CHECKING, Literal

from aiohttp import web

if TYPE_CHECKING:
    from .simphone import SimPhone
    from .simulator import Simulator

REALM = "Cisco MPP phone"
#: Seconds a nonce is good for; after that the phone answers 401 with ``stale=true``.
NONCE_LIFE = 300.0
#: Nonces remembered at most (the oldest are forgotten first).
NONCES_KEPT = 50_000
_PARAM = re.compile(r'([A-Za-z][A-Za-z0-9_-]*)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,"]*))')

DigestVerdict = Literal["ok", "refused", "stale"]


def _md5(text: str) -> str:
    return hashlib.md5(text.encode("utf-8"), usedforsecurity=False).hexdigest()


def digest_params(header: str) -> dict[str, str] | None:
    """The parameters of an ``Authorization: Digest …`` header (names in lower case); None if it is not Digest."""
    scheme, _, rest = header.strip().partition(" ")
    if scheme.lower() != "digest":
        return None
    return {m.group(1).lower(): m.group(2) if m.group(2) is not None else m.group(3) for m in _PARAM.finditer(rest)}


def expected_response(params: dict[str, str], method: str, password: str) -> str:
    """RFC 7616's ``response`` for qop ``auth`` with MD5."""
    ha1 = _md5(f"{params.get('username', '')}:{REALM}:{password}")
    ha2 = _md5(f"{method}:{params.get('uri', '')}")
    return _md5(f"{ha1}:{params.get('nonce', '')}:{params.get('nc', '')}:{params.get('cnonce', '')}:auth:{ha2}")


class DigestGate:
    """Issues nonces and checks Digest answers; one for a whole simulated fleet."""

    def __init__(self) -> None:
        self._nonces: OrderedDict[str, tuple[float, int]] = OrderedDict()  # nonce -> (issued, last nc)

    def challenge(self, stale: bool = False) -> str:
        """A ``WWW-Authenticate`` value with a fresh nonce."""
        nonce = secrets.token_hex(16)
        self._nonces[nonce] = (time.monotonic(), 0)
        while len(self._nonces) > NONCES_KEPT:
            self._nonces.popitem(last=False)
        extra = ", stale=true" if stale else ""
        return f'Digest realm="{REALM}", qop="auth", algorithm=MD5, nonce="{nonce}"{extra}'

    def check(self, header: str, method: str, uri: str, username: str, password: str) -> DigestVerdict:
        """Whether ``header`` answers one of our challenges for this request with these credentials."""
        params = digest_params(header)
        if params is None or not username:
            return "refused"
        if params.get("algorithm", "MD5").upper() != "MD5" or params.get("qop") != "auth":
            return "refused"
        if params.get("realm") != REALM or params.get("uri") != uri or not params.get("cnonce"):
            return "refused"
        given = params.get("response", "")
        right = hmac.compare_digest(params.get("username", "").encode(), username.encode())
        right = hmac.compare_digest(given.encode(), expected_response(params, method, password).encode()) and right
        if not right:
            return "refused"
        issued = self._nonces.get(params.get("nonce", ""))
        if issued is None or time.monotonic() - issued[0] > NONCE_LIFE:
            return "stale"
        try:
            count = int(params.get("nc", ""), 16)
        except ValueError:
            return "refused"
        if count <= issued[1]:  # a replayed answer
            return "refused"
        self._nonces[params["nonce"]] = (issued[0], count)
        return "ok"


def digest_refusal(gate: DigestGate, phone: SimPhone, request: web.Request) -> web.Response | None:
    """A multiplatform phone's 401 with a Digest challenge, unless the request answers one rightly.

    A phone with no Digest user is in the "Trusted" mode (the firmware's default): no check.
    """
    if not phone.digest_user:
        return None
    header = request.headers.get("Authorization", "")
    verdict = gate.check(header, request.method, request.path_qs, phone.digest_user, phone.digest_password)
    if verdict == "ok":
        return None
    response = web.Response(status=401, headers={"WWW-Authenticate": gate.challenge(verdict == "stale")})
    response.force_close()
    return response


async def execute_mpp(sim: Simulator, phone: SimPhone, request: web.Request) -> web.StreamResponse:
    """An MPP phone's ``/CGI/Execute``: Digest first (the challenged POST does nothing), then 200 and no
    CiscoIPPhoneResponse (what MPP firmware sends instead is undocumented: an empty body here)."""
    from .simulator import form_field

    refusal = digest_refusal(sim.digest, phone, request)
    if refusal is not None:
        return refusal
    xml = form_field(await request.read(), b"XML")
    if xml is not None and len(xml) <= phone.family.size_limit:
        await sim._run(phone, xml)
    response = web.Response(status=200, body=b"", content_type="text/html")
    response.force_close()
    return response
