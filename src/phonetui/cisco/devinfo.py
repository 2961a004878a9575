"""Read a phone's information page (``/DeviceInformationX``) the way real phones write it.

Firmware generations name the same fact differently (``modelNumber``, ``ModelNumber``,
``productID``), pad values with blanks or NULs and localise some of them; 79xx phones
declare ISO-8859-1 in the body while their header says UTF-8. So the body is decoded by
its XML declaration, tags are matched by lowercased local name against a list of
candidates, and an answer counts as a phone's only if it names the phone somehow.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass

from .xmlsafe import XmlRefused, parse_xml

#: The path of the information page, relative to the phone's web server.
DEVICE_INFORMATION_PATH = "/DeviceInformationX"

#: For each fact, the tags firmware has used for it, most usual first (lowercased).
CANDIDATES: dict[str, tuple[str, ...]] = {
    "device": ("hostname", "devicename", "name"),
    "mac": ("macaddress", "macaddr", "mac"),
    "model": ("modelnumber", "model", "productid", "productname"),
    "dn": ("phonedn", "phonedirectorynumber", "directorynumber", "dn", "linenumber"),
    "firmware": ("versionid", "apploadid", "activeloadid", "softwareversion", "loadid"),
    "serial": ("serialnumber", "serial", "udi"),
}
_PADDING = re.compile(r"[\s\x00]+")
_MAC_SEPARATORS = re.compile(r"[:.\-\s]")
_HEX12 = re.compile(r"[0-9A-F]{12}")
#: Control bytes XML forbids; some firmware pads fixed-width fields with NULs. In UTF-8 and
#: ISO-8859-1 these bytes never occur inside another character, so they can go before decoding.
_FORBIDDEN_CONTROLS = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_DEVICE_MAC = re.compile(r"^SEP([0-9A-F]{12})$", re.IGNORECASE)
#: CUCM's device names: up to 15 letters, digits, dots, underscores and dashes; a hardware
#: phone's is SEP and its MAC address (soft clients have others: CSFJDOE, BOTJDOE, TCTJDOE).
DEVICE_NAME_MAX = 15
_DEVICE_NAME = re.compile(r"[A-Za-z0-9._-]{1,15}")


def device_name_problem(name: str) -> str | None:
    """Why ``name`` cannot be a CUCM device name, or None when it can; said before CUCM is asked."""
    if name[:3].upper() == "SEP" and not _DEVICE_MAC.match(name):
        return f"{name!r} is not a phone's device name: SEP and the 12 hex digits of its MAC, like SEP001122334455"
    if not _DEVICE_NAME.fullmatch(name):
        return (
            f"{name!r} is not a device name: 1-{DEVICE_NAME_MAX} letters, digits, '.', '_' or '-'"
            " (a phone's is SEP and its MAC, like SEP001122334455)"
        )
    return None


class NotAPhone(ValueError):
    """The page answered, but not like a phone's information page; the message says why."""


@dataclass(frozen=True)
class DeviceInfo:
    """What a phone says about itself; '' where it said nothing."""

    device: str = ""
    mac: str = ""
    model: str = ""
    dn: str = ""
    firmware: str = ""
    serial: str = ""
    #: Every leaf the page held, trimmed, in page order (for the raw view and for guesses).
    fields: tuple[tuple[str, str], ...] = ()


def tidy(value: str | None) -> str:
    """A value with its padding (blanks, NULs, line breaks) trimmed and runs of it made one blank."""
    return _PADDING.sub(" ", value or "").strip()


def normalise_mac(value: str) -> str:
    """``00:11:22:aa:bb:cc``, ``0011.22AA.BBCC`` and ``001122aabbcc`` all become ``001122AABBCC``."""
    bare = _MAC_SEPARATORS.sub("", value).upper()
    return bare if _HEX12.fullmatch(bare) else value


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _leaves(root: ET.Element) -> list[tuple[str, str]]:
    return [(_local(node.tag), tidy(node.text)) for node in root.iter() if len(node) == 0 and node is not root]


def _pick(found: dict[str, str], fact: str) -> str:
    for name in CANDIDATES[fact]:
        if found.get(name):
            return found[name]
    return ""


def parse_device_information(body: bytes) -> DeviceInfo:
    """The facts of an information page; NotAPhone when the body is not one."""
    head = body[:512].lstrip().lower()
    if head.startswith((b"<!doctype html", b"<html")):
        raise NotAPhone("an HTML page, not the phone's XML information page")
    try:
        root = parse_xml(_FORBIDDEN_CONTROLS.sub(b"", body), lenient=True)
    except XmlRefused as exc:
        raise NotAPhone(f"not a phone's information page: {exc}") from None
    leaves = _leaves(root)
    found: dict[str, str] = {}
    for name, value in leaves:
        found.setdefault(name.lower(), value)
    facts = {fact: _pick(found, fact) for fact in CANDIDATES}
    facts["mac"] = normalise_mac(facts["mac"])
    device_mac = _DEVICE_MAC.match(facts["device"])
    if not facts["mac"] and device_mac:
        facts["mac"] = device_mac.group(1).upper()
    if not (facts["device"] or facts["mac"] or facts["model"]):
        raise NotAPhone(f"<{root.tag}> names no device, MAC address or model")
    return DeviceInfo(**facts, fields=tuple((name, value) for name, value in leaves if value))
