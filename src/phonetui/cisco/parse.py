"""Read a CiscoIPPhone object from XML with a phone's strictness.

The simulator parses pushes with this, and the CLI reads ``--xml`` files with it,
so both refuse exactly what a phone would: bad XML, unknown tags, wrong case.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from .limits import REPLY_MAX_BYTES
from .objects import CiscoIPPhoneExecute, CiscoIPPhoneText, CiscoObject, ExecuteItem, SoftKeyItem
from .problems import ObjectError, Problem
from .xmlsafe import XmlRefused, parse_xml

APP_ATTRIBUTES = frozenset(
    {"appId", "onAppFocusLost", "onAppFocusGained", "onAppMinimized", "onAppClosed", "keypadTarget"}
)
_TEXT_CHILDREN = {"Title", "Prompt", "Text"}
_SOFTKEY_CHILDREN = {"Name", "URL", "URLDown", "Position"}


def _integer(value: str | None, field_name: str, problems: list[Problem], default: int) -> int:
    if value is None:
        return default
    try:
        return int(value.strip())
    except ValueError:
        problems.append(Problem(field_name, f"{value!r} is not a whole number"))
        return default


def _unknown_attributes(node: ET.Element, allowed: frozenset[str], where: str) -> list[Problem]:
    return [Problem(where, f"unknown attribute {name!r}") for name in node.attrib if name not in allowed]


def _softkey(node: ET.Element, index: int, problems: list[Problem]) -> SoftKeyItem:
    where = f"SoftKeyItem[{index}]"
    values: dict[str, str] = {}
    for child in node:
        if child.tag not in _SOFTKEY_CHILDREN:
            problems.append(Problem(where, f"unknown element <{child.tag}>"))
        elif child.tag in values:
            problems.append(Problem(where, f"<{child.tag}> appears twice"))
        else:
            values[child.tag] = child.text or ""
    if "Name" not in values:
        problems.append(Problem(f"{where}.Name", "is missing"))
    if "Position" not in values:
        problems.append(Problem(f"{where}.Position", "is missing"))
    position = _integer(values.get("Position"), f"{where}.Position", problems, 1)
    return SoftKeyItem(values.get("Name", ""), values.get("URL", ""), values.get("URLDown", ""), position)


def _text(root: ET.Element, problems: list[Problem]) -> CiscoIPPhoneText:
    obj = CiscoIPPhoneText()
    seen: set[str] = set()
    for child in root:
        if child.tag == "SoftKeyItem":
            obj.softkeys.append(_softkey(child, len(obj.softkeys) + 1, problems))
        elif child.tag in _TEXT_CHILDREN:
            if child.tag in seen:
                problems.append(Problem(child.tag, "appears twice"))
            seen.add(child.tag)
            if len(child):
                problems.append(Problem(child.tag, "must hold text, not elements"))
            setattr(obj, child.tag.lower(), child.text or "")
        else:
            problems.append(Problem("CiscoIPPhoneText", f"unknown element <{child.tag}>"))
    return obj


def _execute(root: ET.Element, problems: list[Problem]) -> CiscoIPPhoneExecute:
    obj = CiscoIPPhoneExecute()
    for child in root:
        index = len(obj.items) + 1
        where = f"ExecuteItem[{index}]"
        if child.tag != "ExecuteItem":
            problems.append(Problem("CiscoIPPhoneExecute", f"unknown element <{child.tag}>"))
            continue
        problems += _unknown_attributes(child, frozenset({"URL", "Priority"}), where)
        if "URL" not in child.attrib:
            problems.append(Problem(f"{where}.URL", "is missing"))
        priority = _integer(child.get("Priority"), f"{where}.Priority", problems, 0)
        obj.items.append(ExecuteItem(child.get("URL", ""), priority))
    return obj


def parse_object(data: bytes, default_charset: str = "utf-8", max_bytes: int = REPLY_MAX_BYTES) -> CiscoObject:
    """The object in ``data``; ObjectError listing what a phone would refuse."""
    try:
        root = parse_xml(data, lenient=False, default_charset=default_charset, max_bytes=max_bytes)
    except XmlRefused as exc:
        raise ObjectError([Problem("XML", str(exc))]) from None
    problems: list[Problem] = []
    obj: CiscoObject
    if root.tag == CiscoIPPhoneText.root:
        problems += _unknown_attributes(root, APP_ATTRIBUTES, root.tag)
        obj = _text(root, problems)
    elif root.tag == CiscoIPPhoneExecute.root:
        problems += _unknown_attributes(root, frozenset(), root.tag)
        obj = _execute(root, problems)
    else:
        supported = f"{CiscoIPPhoneText.root} or {CiscoIPPhoneExecute.root}"
        raise ObjectError([Problem("XML", f"root <{root.tag}> is not {supported}")])
    if problems:
        raise ObjectError(problems)
    return obj
