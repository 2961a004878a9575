"""Objects phonetui emits validate against Cisco's CUAE schema."""

from pathlib import Path

import pytest

from phonetui.cisco import CiscoIPPhoneExecute, CiscoIPPhoneText, ExecuteItem, SoftKeyItem, encode

XSD = Path(__file__).resolve().parents[1].parent / "shared" / "cisco-xsd" / "CiscoIpPhoneServices.xsd"

OBJECTS = [
    CiscoIPPhoneText(text="Hello"),
    CiscoIPPhoneText(
        "Title & co", "Prompt <x>", "Body \"quoted\" 'single' é", [SoftKeyItem("Exit", "SoftKey:Exit", "", 1)]
    ),
    CiscoIPPhoneText(softkeys=[SoftKeyItem(f"K{i}", "Key:Services", "", i) for i in range(1, 9)]),
    CiscoIPPhoneExecute([ExecuteItem("Key:Services")]),
    CiscoIPPhoneExecute(
        [ExecuteItem("http://a/b?x=1&y=2", 1), ExecuteItem("Init:Services", 2), ExecuteItem("Play:a.raw")]
    ),
]


@pytest.fixture(scope="module")
def schema():
    if not XSD.exists():
        pytest.skip(f"Cisco XSD not found at {XSD} (../shared is absent)")
    xmlschema = pytest.importorskip("xmlschema")
    return xmlschema.XMLSchema(str(XSD))


@pytest.mark.parametrize("charset", ["utf-8", "iso-8859-1"])
@pytest.mark.parametrize("obj", OBJECTS, ids=lambda o: type(o).__name__)
def test_emitted_objects_validate(schema, obj, charset: str) -> None:
    text = encode(obj, charset).decode(charset)
    schema.validate(text.split("?>", 1)[1])
