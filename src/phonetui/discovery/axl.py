"""CUCM's AXL ``listPhone``: each phone's model, description and device pool (RisPort has no names for models)."""

from __future__ import annotations

import httpx

from ..cisco.encode import escape
from ..cisco.xmlsafe import XmlRefused, parse_xml
from ..config import CucmConfig
from .cucm import CucmError, ask_soap

AXL_PATH = "/axl/"
AXL_MAX_BYTES = 64 * 1024 * 1024


def list_phone_request(version: str, pattern: str = "%") -> bytes:
    """``listPhone`` for device names matching ``pattern`` (``%`` is AXL's wildcard)."""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" '
        f'xmlns:ns="http://www.cisco.com/AXL/API/{escape(version)}"><soapenv:Header/><soapenv:Body>'
        f"<ns:listPhone><searchCriteria><name>{escape(pattern)}</name></searchCriteria>"
        "<returnedTags><name/><model/><description/><devicePoolName/></returnedTags>"
        "</ns:listPhone></soapenv:Body></soapenv:Envelope>"
    ).encode()


def parse_list_phone(body: bytes) -> dict[str, dict[str, str]]:
    """Device name (upper case) -> its model, description and device pool."""
    try:
        root = parse_xml(body, lenient=True, max_bytes=AXL_MAX_BYTES)
    except XmlRefused as exc:
        raise CucmError(f"not an AXL answer: {exc}") from None
    fault = next((node for node in root.iter() if node.tag.rsplit("}", 1)[-1] == "Fault"), None)
    if fault is not None:
        reason = next((n.text for n in fault.iter() if n.tag.rsplit("}", 1)[-1] == "faultstring"), None)
        raise CucmError(f"AXL answered a fault: {(reason or '').strip() or 'no reason given'}")
    phones: dict[str, dict[str, str]] = {}
    for node in root.iter():
        if node.tag.rsplit("}", 1)[-1] != "phone":
            continue
        values = {child.tag.rsplit("}", 1)[-1]: (child.text or "").strip() for child in node}
        if values.get("name"):
            phones[values["name"].upper()] = values
    return phones


async def list_phones(client: httpx.AsyncClient, settings: CucmConfig, pattern: str = "%") -> dict[str, dict[str, str]]:
    url = settings.url.rstrip("/") + AXL_PATH
    action = f'"CUCM:DB ver={settings.axl_version} listPhone"'
    return parse_list_phone(
        await ask_soap(client, settings, url, action, list_phone_request(settings.axl_version, pattern))
    )
