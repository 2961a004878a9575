"""One push's POST to one phone, and whatever happens to it classified as that phone's result.

Kept apart from the run (``push.py``), which decides who is pushed when: this module holds what a
single request can end in (the reply's outcome, a TLS refusal, a timeout, a refused connection,
anything else) and never raises but ``CancelledError``.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx

from .cisco import Outcome, decode_reply
from .config import Defaults
from .phone_auth import PhoneAuth, auth_hint, multiplatform, send
from .phone_tls import TlsRefused, tls_extensions
from .push_plan import Delivery
from .push_result import (
    CONNECT_TIMEOUT_HINT,
    READ_TIMEOUT_HINT,
    PushResult,
    _connect_failure,
    _read_capped,
    _reason,
)
from .wire import form_body


def timeouts(defaults: Defaults, plays: bool) -> tuple[httpx.Timeout, float, float]:
    """httpx's timeouts, the whole deadline (connect + read), and the read timeout to name."""
    read = defaults.timeout
    if plays:  # Play: is synchronous: the phone answers when the sound ends
        read = max(read, defaults.play_timeout)
    connect = defaults.connect_timeout
    return httpx.Timeout(read, connect=connect, pool=None), connect + read, read


async def post_to_phone(
    client: httpx.AsyncClient,
    auth: PhoneAuth,
    defaults: Defaults,
    delivery: Delivery,
    xml: bytes,
    credentials: tuple[str, str] | None,
    plays: bool = False,
) -> PushResult:
    """POST ``xml`` to ``delivery``'s phone and classify whatever happens; never raises (but CancelledError)."""
    phone = delivery.phone
    started = time.perf_counter()

    def result(outcome: Outcome, detail: str, hint: str = "", **extra: Any) -> PushResult:
        latency = time.perf_counter() - started
        return PushResult(phone, outcome, delivery.route, detail, latency=latency, hint=hint, **extra)

    timeout, deadline, read = timeouts(defaults, plays)
    connect = defaults.connect_timeout
    response: httpx.Response | None = None
    try:
        headers, digest = auth.request(phone, credentials)
        tls = tls_extensions(phone.verify, phone.ca_file, phone.name)
        async with asyncio.timeout(deadline):
            request = client.build_request(
                "POST", phone.execute_url, content=form_body(xml), headers=headers, timeout=timeout, extensions=tls
            )
            response = await send(client, request, digest)
            try:
                body, truncated = await _read_capped(response)
            finally:
                await response.aclose()
        content_type = response.headers.get("content-type", "")
        reply = decode_reply(response.status_code, body, content_type, truncated, multiplatform(phone))
        detail = reply.summary
        if 300 <= response.status_code < 400 and "location" in response.headers:
            detail += f" (redirect to {response.headers['location'][:100]})"
        hint = auth_hint(phone, response) if reply.outcome is Outcome.AUTH_FAILED else ""
        return result(reply.outcome, detail, hint, reply=reply, body=body, status=response.status_code)
    except httpx.InvalidURL as exc:
        return PushResult(phone, Outcome.REFUSED, "refused", f"invalid address: {exc}")
    except TlsRefused as exc:
        return result(Outcome.TLS_ERROR, exc.detail, exc.hint)
    except httpx.ConnectTimeout:
        return result(Outcome.TIMEOUT, f"could not connect within {connect:g} s", CONNECT_TIMEOUT_HINT)
    except (TimeoutError, httpx.TimeoutException) as exc:
        whole = isinstance(exc, TimeoutError) and response is not None
        what = "no complete reply" if whole else "no reply"
        return result(Outcome.TIMEOUT, f"{what} within {read:g} s", READ_TIMEOUT_HINT)
    except httpx.ConnectError as exc:
        outcome, detail, hint = _connect_failure(exc, phone)
        return result(outcome, detail, hint)
    except (httpx.RemoteProtocolError, httpx.ReadError, httpx.DecodingError) as exc:
        return result(Outcome.BAD_REPLY, _reason(exc, "connection broke during the reply"))
    except (httpx.HTTPError, OSError) as exc:
        outcome, detail, hint = _connect_failure(exc, phone)
        return result(outcome, detail, hint)
    except Exception as exc:  # anything else stays in this phone's row
        outcome = Outcome.UNREACHABLE if response is None else Outcome.BAD_REPLY
        return result(outcome, f"{type(exc).__name__}: {exc}")
