"""Strict parsing, as a phone does it."""

import pytest

from phonetui.cisco import CiscoIPPhoneExecute, CiscoIPPhoneText, ExecuteItem, ObjectError, parse_object


def test_parses_text_in_any_order() -> None:
    obj = parse_object(
        b"<CiscoIPPhoneText><SoftKeyItem><Name>Exit</Name><URL>SoftKey:Exit</URL><Position>1</Position>"
        b"</SoftKeyItem><Text>b</Text><Title>a</Title></CiscoIPPhoneText>"
    )
    assert isinstance(obj, CiscoIPPhoneText)
    assert (obj.title, obj.text, obj.softkeys[0].name) == ("a", "b", "Exit")


def test_parses_execute() -> None:
    obj = parse_object(b'<CiscoIPPhoneExecute><ExecuteItem URL="Key:Services" Priority="1"/></CiscoIPPhoneExecute>')
    assert obj == CiscoIPPhoneExecute([ExecuteItem("Key:Services", 1)])


@pytest.mark.parametrize(
    "body",
    [
        b"<CiscoIPPhoneText><Text>a & b</Text></CiscoIPPhoneText>",  # stray &
        b"<ciscoipphonetext><Text>x</Text></ciscoipphonetext>",  # case
        b"<CiscoIPPhoneText><Body>x</Body></CiscoIPPhoneText>",  # unknown tag
        b"<CiscoIPPhoneText><Text>x</Text>",  # not closed
        b'<CiscoIPPhoneExecute><ExecuteItem Priority="x" URL="Key:Services"/></CiscoIPPhoneExecute>',
        b'<?xml version="1.0"?><?xml version="1.0"?><CiscoIPPhoneText/>',
        b"<CiscoIPPhoneText><Text>caf\xe9</Text></CiscoIPPhoneText>",  # latin-1 bytes, no declaration
    ],
)
def test_refuses_what_a_phone_refuses(body: bytes) -> None:
    with pytest.raises(ObjectError):
        parse_object(body)


def test_default_charset_for_undeclared_bytes() -> None:
    obj = parse_object(b"<CiscoIPPhoneText><Text>caf\xe9</Text></CiscoIPPhoneText>", default_charset="iso-8859-1")
    assert isinstance(obj, CiscoIPPhoneText) and obj.text == "café"
