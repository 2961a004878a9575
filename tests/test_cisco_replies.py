"""Decoding phone replies: real quirks, failures and hostile bodies."""

import pytest

from phonetui.cisco import Outcome, decode_reply
from phonetui.cisco.limits import REPLY_MAX_BYTES


def test_response_items_with_meaning() -> None:
    body = (
        b'<?xml version="1.0" encoding="utf-8"?><CiscoIPPhoneResponse>'
        b'<ResponseItem URL="Key:Services" Data="Success" Status="0"/>'
        b'<ResponseItem URL="Dial:x" Data="Invalid URI" Status="1"/></CiscoIPPhoneResponse>'
    )
    reply = decode_reply(200, body)
    assert reply.kind == "response"
    assert [(i.url, i.status, i.data) for i in reply.items] == [
        ("Key:Services", 0, "Success"),
        ("Dial:x", 1, "Invalid URI"),
    ]
    assert reply.items[1].meaning == "invalid URI"
    assert reply.outcome is Outcome.ITEM_ERROR


def test_all_zero_is_ok() -> None:
    body = b"<CiscoIPPhoneResponse><ResponseItem URL='Key:Services' Data='Success' Status='0' /></CiscoIPPhoneResponse>"
    assert decode_reply(200, body).outcome is Outcome.OK


@pytest.mark.parametrize(
    ("number", "meaning", "outcome"),
    [
        (1, "parsing", Outcome.PHONE_ERROR),
        (2, "framing", Outcome.PHONE_ERROR),
        (3, "internal file", Outcome.PHONE_ERROR),
        (4, "authentication", Outcome.AUTH_FAILED),
        (42, "unknown error number 42", Outcome.PHONE_ERROR),
    ],
)
def test_error_numbers(number: int, meaning: str, outcome: Outcome) -> None:
    reply = decode_reply(200, f'<CiscoIPPhoneError Number="{number}"/>'.encode())
    assert reply.error_number == number
    assert meaning in reply.summary
    assert reply.outcome is outcome


def test_http_401_is_auth_failed() -> None:
    reply = decode_reply(401, b"<html>Unauthorized</html>")
    assert reply.kind == "unauthorized" and reply.outcome is Outcome.AUTH_FAILED


def test_other_http_status() -> None:
    reply = decode_reply(500, b"oops")
    assert reply.outcome is Outcome.HTTP_ERROR and "500" in reply.summary


@pytest.mark.parametrize(
    ("body", "content_type", "kind"),
    [
        (b"", "", "empty"),
        (b"  \r\n", "text/xml", "empty"),
        (b"<html><title>Login</title></html>", "text/html", "html"),
        (b"<!DOCTYPE html><html></html>", "", "html"),
        (b"\x00\xff garbage \x13", "", "not-xml"),
        (b"<Foo/>", "text/xml", "unexpected"),
    ],
)
def test_bad_bodies(body: bytes, content_type: str, kind: str) -> None:
    reply = decode_reply(200, body, content_type)
    assert reply.kind == kind
    assert reply.outcome is Outcome.BAD_REPLY


def test_doubled_declaration_latin1_and_stray_ampersand() -> None:
    body = (
        b'<?xml version="1.0" encoding="iso-8859-1"?>\n<?xml version="1.0"?>'
        b'<CiscoIPPhoneResponse><ResponseItem URL="http://a/?x=1&y=2" Data="Caf\xe9" Status="0"/>'
        b"</CiscoIPPhoneResponse>"
    )
    [item] = decode_reply(200, body).items
    assert item.url == "http://a/?x=1&y=2" and item.data == "Café"


def test_missing_declaration() -> None:
    assert decode_reply(200, b'<CiscoIPPhoneError Number="1"/>').error_number == 1


def test_items_as_child_elements() -> None:
    body = (
        b"<CiscoIPhoneResponse><ResponseItem><Status>0</Status><Data>ok</Data>"
        b"<URL>Key:Services</URL></ResponseItem></CiscoIPhoneResponse>"
    )
    [item] = decode_reply(200, body).items
    assert (item.url, item.status, item.data) == ("Key:Services", 0, "ok")


def test_entity_expansion_is_refused() -> None:
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
        b"<CiscoIPPhoneError Number='1'>&lol2;</CiscoIPPhoneError>"
    )
    reply = decode_reply(200, bomb)
    assert reply.kind == "not-xml" and "DTD" in reply.summary


def test_external_entity_is_refused() -> None:
    body = (
        b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><CiscoIPPhoneError Number="1">&e;</CiscoIPPhoneError>'
    )
    assert decode_reply(200, body).kind == "not-xml"


def test_deep_nesting_is_refused() -> None:
    body = b"<a>" * 5000 + b"</a>" * 5000
    assert decode_reply(200, body).kind == "not-xml"


def test_size_cap() -> None:
    body = b"<CiscoIPPhoneResponse>" + b" " * REPLY_MAX_BYTES + b"</CiscoIPPhoneResponse>"
    assert decode_reply(200, body).kind == "too-large"
    assert decode_reply(200, b"<x/>", truncated=True).kind == "too-large"
