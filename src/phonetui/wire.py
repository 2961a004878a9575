"""What every request phonetui makes looks like on the wire: the client, the POST body, who it says it is."""

from __future__ import annotations

from urllib.parse import quote_from_bytes

import httpx

from .phone_tls import PhoneTransport

USER_AGENT = "phonetui"


def form_body(xml: bytes) -> bytes:
    """The POST body a phone expects: ``XML=`` and the percent-encoded object."""
    return b"XML=" + quote_from_bytes(xml, safe="").encode("ascii")


def make_client() -> httpx.AsyncClient:
    """The one client a whole run shares: no proxies from the environment, no redirects.

    Its pool is unbounded: the run's own slots bound the phones being pushed, and a
    stalled phone that gave its slot up must not block the pool either. Https phones are
    checked by their ``verify`` policy (``phone_tls.PhoneTransport``). Nothing is retried:
    a POST that reached a phone may have shown its object, and a phone that refused a
    connection is told apart better by its row than by a second try.
    """
    limits = httpx.Limits(max_connections=None, max_keepalive_connections=0)
    transport = PhoneTransport(limits=limits, retries=0)
    return httpx.AsyncClient(transport=transport, trust_env=False, follow_redirects=False)
