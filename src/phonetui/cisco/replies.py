"""Decode what a phone answers to a push, however odd, into one plain value."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

from .limits import REPLY_MAX_BYTES, error_meaning, status_meaning
from .xmlsafe import XmlRefused, parse_xml


class Outcome(StrEnum):
    """How a push to one phone ended."""

    OK = "ok"
    PHONE_ERROR = "phone-error"
    ITEM_ERROR = "item-error"
    AUTH_FAILED = "auth-failed"
    HTTP_ERROR = "http-error"
    TIMEOUT = "timeout"
    UNREACHABLE = "unreachable"
    BAD_REPLY = "bad-reply"
    CANCELLED = "cancelled"
    REFUSED = "refused"
    #: An https phone's certificate is not the trusted one (or not valid): nothing was sent.
    TLS_ERROR = "tls-error"

    @property
    def succeeded(self) -> bool:
        return self is Outcome.OK


ReplyKind = Literal[
    "accepted",
    "response",
    "error",
    "unauthorized",
    "http-error",
    "redirect",
    "html",
    "empty",
    "not-xml",
    "unexpected",
    "too-large",
]


@dataclass(frozen=True)
class ResponseItem:
    """One ResponseItem: which URL it answers, its Status and Data."""

    url: str
    status: int | None
    data: str

    @property
    def meaning(self) -> str:
        return "unreadable status" if self.status is None else status_meaning(self.status)

    def describe(self) -> str:
        """``Key:Services: Success``, or ``Dial:x: Invalid URI (status 1)`` when it failed."""
        target = f"{self.url}: " if self.url else ""
        status = "" if self.status == 0 else f" (status {self.status}: {self.meaning})"
        return f"{target}{self.data or self.meaning}{status}"


@dataclass(frozen=True)
class Reply:
    """A phone's reply, decoded; ``summary`` is one line for a table."""

    kind: ReplyKind
    summary: str
    items: tuple[ResponseItem, ...] = ()
    error_number: int | None = None
    error_text: str = ""

    @property
    def outcome(self) -> Outcome:
        if self.kind == "accepted":
            return Outcome.OK
        if self.kind == "response":
            failed = any(item.status != 0 for item in self.items)
            return Outcome.ITEM_ERROR if failed else Outcome.OK
        if self.kind == "error":
            return Outcome.AUTH_FAILED if self.error_number == 4 else Outcome.PHONE_ERROR
        if self.kind == "unauthorized":
            return Outcome.AUTH_FAILED
        if self.kind == "http-error":
            return Outcome.HTTP_ERROR
        return Outcome.BAD_REPLY


def _item(node: ET.Element) -> ResponseItem:
    fields = {key: node.get(key) for key in ("URL", "Status", "Data")}
    for child in node:  # Cisco's own 3.3.4 schema wrongly shows these as elements
        if child.tag in fields and fields[child.tag] is None:
            fields[child.tag] = child.text or ""
    raw_status = (fields["Status"] or "").strip()
    status = int(raw_status) if re.fullmatch(r"-?\d+", raw_status) else None
    return ResponseItem(fields["URL"] or "", status, fields["Data"] or "")


def _from_xml(root: ET.Element) -> Reply:
    tag = root.tag
    if tag in ("CiscoIPPhoneResponse", "CiscoIPhoneResponse"):
        items = tuple(_item(node) for node in root.iter("ResponseItem"))
        if not items:
            return Reply("response", "empty CiscoIPPhoneResponse")
        return Reply("response", "; ".join(item.describe() for item in items), items)
    if tag == "CiscoIPPhoneError":
        raw = (root.get("Number") or "").strip()
        text = (root.text or "").strip()
        if not re.fullmatch(r"-?\d+", raw):
            return Reply("error", f"CiscoIPPhoneError with Number {raw!r}", error_text=text)
        number = int(raw)
        summary = f"CiscoIPPhoneError {number}: {error_meaning(number)}"
        return Reply("error", summary + (f" ({text})" if text else ""), (), number, text)
    return Reply("unexpected", f"unexpected XML <{tag[:40]}> in reply")


def _looks_like_html(body: bytes, content_type: str) -> bool:
    head = body[:256].lstrip().lower()
    return "html" in content_type.lower() or head.startswith((b"<!doctype html", b"<html"))


#: What a multiplatform phone's 2xx without a CiscoIPPhoneResponse means.
MPP_ACCEPTED = "accepted (no structured reply: MPP)"


def decode_reply(
    status: int, body: bytes, content_type: str = "", truncated: bool = False, multiplatform: bool = False
) -> Reply:
    """Decode an HTTP status and body from ``POST /CGI/Execute``.

    ``multiplatform``: an MPP phone, which answers no CiscoIPPhoneResponse: a 2xx with an empty
    or HTML body is its acceptance. Never raises for any input: every body, however hostile, becomes a Reply.
    """
    if status == 401:
        return Reply("unauthorized", "HTTP 401: the phone refused the credentials")
    if truncated or len(body) > REPLY_MAX_BYTES:
        return Reply("too-large", f"reply larger than {REPLY_MAX_BYTES} bytes")
    if 300 <= status < 400:  # a phone answers a push itself; a redirect means something else is there
        return Reply("redirect", f"HTTP {status} redirect: not a phone's answer to a push")
    if not 200 <= status < 300:
        return Reply("http-error", f"HTTP {status}")
    if multiplatform and (not body.strip() or _looks_like_html(body, content_type)):
        return Reply("accepted", MPP_ACCEPTED)
    if not body.strip():
        return Reply("empty", "empty reply body")
    if _looks_like_html(body, content_type):
        title = re.search(rb"<title>(.*?)</title>", body[:4096], re.I | re.S)
        name = title.group(1).decode("utf-8", "replace").strip()[:60] if title else ""
        return Reply("html", "HTML page instead of XML" + (f": {name!r}" if name else ""))
    try:
        root = parse_xml(body, lenient=True)
    except XmlRefused as exc:
        return Reply("not-xml", f"reply is not readable XML: {exc}")
    except (ValueError, RecursionError) as exc:  # defensive: any parser surprise is a bad reply
        return Reply("not-xml", f"reply is not readable XML: {exc}")
    return _from_xml(root)
