"""Parse XML from phones and files without trusting it.

No DTD is ever read, so no entity can expand; input is size-capped before parsing.
In lenient mode the quirks real phones send are repaired first: doubled or
missing declarations, ISO-8859-1 bodies, stray ``&``.
"""

from __future__ import annotations

import codecs
import re
import xml.etree.ElementTree as ET

from .limits import REPLY_MAX_BYTES

_DECLARATION = re.compile(rb"<\?xml\b[^>]*\?>", re.IGNORECASE)
_DECLARATION_TEXT = re.compile(r"<\?xml\b[^>]*\?>", re.IGNORECASE)
_ENCODING = re.compile(rb"""encoding\s*=\s*["']([^"']*)["']""", re.IGNORECASE)
_DTD = re.compile(r"<!(DOCTYPE|ENTITY|ELEMENT|ATTLIST)", re.IGNORECASE)
_STRAY_AMP = re.compile(r"&(?!(?:[A-Za-z_][\w.-]*|#[0-9]+|#x[0-9A-Fa-f]+);)")
_MAX_DEPTH = 64


class XmlRefused(ValueError):
    """The bytes are not XML we will read; the message says why."""


def declared_encoding(data: bytes) -> str | None:
    """The encoding named by the first XML declaration, if any."""
    declaration = _DECLARATION.search(data[:512])
    if not declaration:
        return None
    found = _ENCODING.search(declaration.group(0))
    return found.group(1).decode("ascii", "replace") if found else None


def _known_codec(name: str | None) -> str | None:
    if not name:
        return None
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def _decode(data: bytes, lenient: bool, default_charset: str) -> str:
    declared = declared_encoding(data)
    codec = _known_codec(declared)
    if declared and not codec and not lenient:
        raise XmlRefused(f"unknown encoding {declared!r} in the XML declaration")
    codec = codec or default_charset
    try:
        return data.decode(codec)
    except UnicodeDecodeError as exc:
        if not lenient:
            raise XmlRefused(f"bytes are not valid {codec}: {exc.reason} at byte {exc.start}") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("iso-8859-1")


def _check_depth(root: ET.Element) -> None:
    stack = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > _MAX_DEPTH:
            raise XmlRefused(f"XML nested deeper than {_MAX_DEPTH} levels")
        stack.extend((child, depth + 1) for child in node)


def parse_xml(
    data: bytes,
    *,
    lenient: bool,
    default_charset: str = "utf-8",
    max_bytes: int = REPLY_MAX_BYTES,
) -> ET.Element:
    """The root element of ``data``; XmlRefused with a reason if it cannot be read safely."""
    if len(data) > max_bytes:
        raise XmlRefused(f"XML is {len(data)} bytes; at most {max_bytes} are read")
    data = data.removeprefix(codecs.BOM_UTF8)
    declarations = _DECLARATION.findall(data)
    if not lenient and (len(declarations) > 1 or (declarations and not data.startswith(b"<?xml"))):
        raise XmlRefused("the XML declaration must come once, at the very start")
    text = _decode(data, lenient, default_charset)
    if _DTD.search(text):
        raise XmlRefused("a DTD or entity declaration is not accepted")
    text = _DECLARATION_TEXT.sub("", text)
    if lenient:
        text = _STRAY_AMP.sub("&amp;", text)
    text = text.strip()
    if not text:
        raise XmlRefused("the body is empty")
    try:
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        raise XmlRefused(f"not well-formed XML ({exc})") from None
    _check_depth(root)
    return root
