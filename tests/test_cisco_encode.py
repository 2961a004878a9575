"""Encoding objects to exact bytes."""

import pytest

from phonetui.cisco import (
    CiscoIPPhoneExecute,
    CiscoIPPhoneText,
    ExecuteItem,
    ObjectError,
    SoftKeyItem,
    encode,
    parse_object,
)


def test_text_bytes_are_exact() -> None:
    obj = CiscoIPPhoneText(title="Hi", text="Body")
    assert encode(obj) == (
        b'<?xml version="1.0" encoding="UTF-8"?><CiscoIPPhoneText><Title>Hi</Title><Text>Body</Text></CiscoIPPhoneText>'
    )


def test_execute_bytes_are_exact() -> None:
    obj = CiscoIPPhoneExecute([ExecuteItem("Key:Services"), ExecuteItem("http://a/?x=1&y=2", 1)])
    assert encode(obj, "iso-8859-1") == (
        b'<?xml version="1.0" encoding="ISO-8859-1"?><CiscoIPPhoneExecute>'
        b'<ExecuteItem Priority="0" URL="Key:Services"/>'
        b'<ExecuteItem Priority="1" URL="http://a/?x=1&amp;y=2"/></CiscoIPPhoneExecute>'
    )


def test_every_special_character_is_escaped() -> None:
    obj = CiscoIPPhoneText(text="""a&b<c>d"e'f""")
    assert b"a&amp;b&lt;c&gt;d&quot;e&apos;f" in encode(obj)


@pytest.mark.parametrize("charset", ["utf-8", "iso-8859-1", "UTF8", "latin-1"])
def test_non_ascii_round_trips(charset: str) -> None:
    obj = CiscoIPPhoneText(title="Café", text="é & ü")
    data = encode(obj, charset)
    assert parse_object(data) == obj


def test_latin1_bytes_are_latin1() -> None:
    assert "é".encode("latin-1") in encode(CiscoIPPhoneText(text="é"), "iso-8859-1")


def test_unencodable_character_names_field_and_character() -> None:
    with pytest.raises(ObjectError) as caught:
        encode(CiscoIPPhoneText(title="ok", text="price €5"), "iso-8859-1")
    [problem] = caught.value.problems
    assert problem.field == "Text"
    assert "U+20AC" in problem.message and "ISO-8859-1" in problem.message


def test_control_characters_are_refused_but_cr_lf_tab_pass() -> None:
    encode(CiscoIPPhoneText(text="a\r\nb\tc"))
    with pytest.raises(ObjectError) as caught:
        encode(CiscoIPPhoneText(prompt="bell\x07"))
    assert caught.value.problems[0].field == "Prompt"
    assert "U+0007" in caught.value.problems[0].message


def test_softkeys_emit_in_schema_order() -> None:
    obj = CiscoIPPhoneText(text="x", softkeys=[SoftKeyItem("Exit", "SoftKey:Exit", "", 3)])
    assert b"<SoftKeyItem><Name>Exit</Name><URL>SoftKey:Exit</URL><Position>3</Position></SoftKeyItem>" in (encode(obj))


def test_unsupported_charset_is_refused() -> None:
    with pytest.raises(ValueError, match="not supported"):
        encode(CiscoIPPhoneText(text="x"), "shift_jis")
