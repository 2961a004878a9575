"""HTTP Basic credentials, both ways: the header phonetui sends, and reading one received."""

from __future__ import annotations

import base64
import binascii


def basic_auth(username: str, password: str) -> str:
    """The ``Authorization`` header value for ``username`` and ``password``."""
    token = base64.b64encode(f"{username}:{password}".encode()).decode("ascii")
    return f"Basic {token}"


def parse_basic(header: str) -> tuple[str, str] | None:
    """User and password from an ``Authorization: Basic`` header; None if there are none."""
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        raw = base64.b64decode(token, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    user, sep, password = raw.partition(":")
    return (user, password) if sep else None
