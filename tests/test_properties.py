"""Property-based tests: round trips in both charsets, and a reply parser that never raises."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from phonetui.cisco import CiscoIPPhoneExecute, CiscoIPPhoneText, ExecuteItem, decode_reply, encode, parse_object


def text_for(charset: str, max_size: int) -> st.SearchStrategy[str]:
    """Any text a phone may be sent in ``charset``: no control characters but CR, LF and TAB."""
    printable = st.characters(codec=charset, exclude_categories=("Cs", "Cc"), exclude_characters="\ufffe\uffff")
    return st.text(st.one_of(printable, st.sampled_from("\t\n\r")), max_size=max_size)


@settings(max_examples=300, deadline=None)
@given(st.data(), st.sampled_from(["utf-8", "iso-8859-1"]))
def test_text_round_trips_in_both_charsets(data: st.DataObject, charset: str) -> None:
    obj = CiscoIPPhoneText(
        title=data.draw(text_for(charset, 32)),
        prompt=data.draw(text_for(charset, 32)),
        text=data.draw(text_for(charset, 400)),
    )
    assert parse_object(encode(obj, charset)) == obj


@settings(max_examples=200, deadline=None)
@given(st.data(), st.sampled_from(["utf-8", "iso-8859-1"]))
def test_execute_urls_round_trip(data: st.DataObject, charset: str) -> None:
    urls = data.draw(st.lists(text_for(charset, 100), min_size=1, max_size=3))
    obj = CiscoIPPhoneExecute([ExecuteItem(url, i % 3) for i, url in enumerate(urls)])
    assert parse_object(encode(obj, charset)) == obj


@settings(max_examples=1000, deadline=None)
@given(
    st.binary(max_size=4096), st.integers(min_value=100, max_value=599), st.sampled_from(["", "text/xml", "text/html"])
)
def test_reply_parser_never_raises(body: bytes, status: int, content_type: str) -> None:
    reply = decode_reply(status, body, content_type)
    assert reply.summary and reply.outcome


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=2000))
def test_reply_parser_never_raises_on_near_xml(text: str) -> None:
    item = f'<ResponseItem URL="{text}" Data="{text[:40]}" Status="{text[:3]}"/>'
    body = f'<?xml version="1.0"?><CiscoIPPhoneResponse>{item}{text}'
    decode_reply(200, body.encode("utf-8", "surrogatepass"))
