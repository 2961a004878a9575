"""Objects to the exact bytes a phone receives, and the checks that guard them."""

from __future__ import annotations

import codecs
import unicodedata

from .limits import ALLOWED_CONTROL_CHARS, CHARSETS
from .objects import CiscoIPPhoneExecute, CiscoIPPhoneText, CiscoObject
from .problems import ObjectError, Problem

# CR as a character reference: a parser turns a literal CR into LF; TAB and LF the same
# in attributes, where a parser turns them into spaces.
_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;", "\r": "&#13;"}
_ATTRIBUTE_ESCAPES = {**_ESCAPES, "\t": "&#9;", "\n": "&#10;"}
_DECLARED = {"utf-8": "UTF-8", "iso-8859-1": "ISO-8859-1"}


def normalise_charset(charset: str) -> str:
    """The canonical name of a supported charset; ValueError for any other."""
    try:
        name = codecs.lookup(charset).name
    except LookupError:
        name = ""
    aliases = {"latin-1": "iso-8859-1", "iso8859-1": "iso-8859-1", "utf-8": "utf-8"}
    canonical = aliases.get(name, name)
    if canonical not in CHARSETS:
        raise ValueError(f"charset {charset!r} is not supported (use UTF-8 or ISO-8859-1)")
    return canonical


def escape(value: str, attribute: bool = False) -> str:
    """Escape every XML-special character; in an attribute, white space that would be folded too."""
    table = _ATTRIBUTE_ESCAPES if attribute else _ESCAPES
    return "".join(table.get(ch, ch) for ch in value)


def _describe(ch: str) -> str:
    name = unicodedata.name(ch, "")
    return f"{ch!r} (U+{ord(ch):04X}{' ' + name if name else ''})"


def character_problems(obj: CiscoObject, charset: str = "utf-8") -> list[Problem]:
    """Control characters, and characters ``charset`` cannot carry, field by field."""
    charset = normalise_charset(charset)
    problems = []
    for name, value in obj.text_fields():
        for ch in dict.fromkeys(value):
            if (ord(ch) < 32 or 0x7F <= ord(ch) < 0xA0) and ch not in ALLOWED_CONTROL_CHARS:
                problems.append(Problem(name, f"control character {_describe(ch)} is not allowed"))
            elif 0xD800 <= ord(ch) <= 0xDFFF or ord(ch) in (0xFFFE, 0xFFFF):
                problems.append(Problem(name, f"character {_describe(ch)} is not valid in XML"))
            else:
                try:
                    ch.encode(charset)
                except UnicodeEncodeError:
                    message = f"character {_describe(ch)} cannot be sent in {_DECLARED[charset]}"
                    problems.append(Problem(name, message))
    return problems


def declaration(charset: str) -> str:
    """The XML declaration for ``charset``, as phones expect it (``UTF-8``, ``ISO-8859-1``)."""
    return f'<?xml version="1.0" encoding="{_DECLARED[normalise_charset(charset)]}"?>'


def _element(tag: str, value: str) -> str:
    return f"<{tag}>{escape(value)}</{tag}>"


def _text_xml(obj: CiscoIPPhoneText) -> str:
    parts = ["<CiscoIPPhoneText>"]
    if obj.title:
        parts.append(_element("Title", obj.title))
    if obj.prompt:
        parts.append(_element("Prompt", obj.prompt))
    if obj.text:
        parts.append(_element("Text", obj.text))
    for key in obj.softkeys:
        parts.append("<SoftKeyItem>")
        parts.append(_element("Name", key.name))
        parts.append(_element("URL", key.url))
        if key.url_down:
            parts.append(_element("URLDown", key.url_down))
        parts.append(f"<Position>{key.position}</Position>")
        parts.append("</SoftKeyItem>")
    parts.append("</CiscoIPPhoneText>")
    return "".join(parts)


def _execute_xml(obj: CiscoIPPhoneExecute) -> str:
    items = "".join(
        f'<ExecuteItem Priority="{item.priority}" URL="{escape(item.url, attribute=True)}"/>' for item in obj.items
    )
    return f"<CiscoIPPhoneExecute>{items}</CiscoIPPhoneExecute>"


def encode(obj: CiscoObject, charset: str = "utf-8") -> bytes:
    """The exact bytes of ``obj`` with an XML declaration naming ``charset``.

    Raises ObjectError if a character is a control character or cannot be carried
    by the charset; limits are not checked here (see ``validate``).
    """
    charset = normalise_charset(charset)
    problems = character_problems(obj, charset)
    if problems:
        raise ObjectError(problems)
    body = _text_xml(obj) if isinstance(obj, CiscoIPPhoneText) else _execute_xml(obj)
    return (declaration(charset) + body).encode(charset)
