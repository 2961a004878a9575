"""Validation reports every problem at once, naming field and limit."""

from phonetui.cisco import CiscoIPPhoneExecute, CiscoIPPhoneText, ExecuteItem, SoftKeyItem, errors, validate


def fields(problems) -> set[str]:
    return {p.field for p in errors(problems)}


def test_valid_text_has_no_problems() -> None:
    assert validate(CiscoIPPhoneText("T", "P", "Body", [SoftKeyItem("Exit", "SoftKey:Exit", "", 1)])) == []


def test_every_problem_at_once() -> None:
    obj = CiscoIPPhoneText(
        title="t" * 33,
        prompt="p" * 40,
        text="x" * 4001,
        softkeys=[SoftKeyItem("n" * 33, "u" * 300, "", 9)] + [SoftKeyItem(f"k{i}", "", "", i) for i in range(8)],
    )
    problems = validate(obj)
    assert {
        "Title",
        "Prompt",
        "Text",
        "SoftKeyItem",
        "SoftKeyItem[1].Name",
        "SoftKeyItem[1].URL",
        "SoftKeyItem[1].Position",
    } <= fields(problems)
    title = next(p for p in problems if p.field == "Title")
    assert "33" in title.message and "32" in title.message


def test_limits_are_inclusive() -> None:
    assert validate(CiscoIPPhoneText("t" * 32, "p" * 32, "x" * 4000)) == []


def test_execute_item_count_and_priority() -> None:
    assert "ExecuteItem" in fields(validate(CiscoIPPhoneExecute([])))
    four = CiscoIPPhoneExecute([ExecuteItem("Key:Services")] * 4)
    assert "ExecuteItem" in fields(validate(four))
    bad_priority = CiscoIPPhoneExecute([ExecuteItem("Key:Services", 3)])
    assert fields(validate(bad_priority)) == {"ExecuteItem[1].Priority"}


def test_execute_at_most_one_http_url() -> None:
    obj = CiscoIPPhoneExecute([ExecuteItem("http://a/x"), ExecuteItem("https://b/y")])
    problems = errors(validate(obj))
    assert any("HTTP URLs" in p.message for p in problems)


def test_execute_url_length() -> None:
    obj = CiscoIPPhoneExecute([ExecuteItem("http://a/" + "x" * 260)])
    [problem] = errors(validate(obj))
    assert problem.field == "ExecuteItem[1].URL" and "256" in problem.message


def test_size_checked_against_limit() -> None:
    obj = CiscoIPPhoneText(text="x" * 600)
    assert validate(obj, size_limit=40 * 1024) == []
    [problem] = validate(obj, size_limit=512)
    assert problem.field == "object" and "512" in problem.message


def test_charset_problems_included() -> None:
    problems = validate(CiscoIPPhoneText(title="€"), charset="iso-8859-1")
    assert fields(problems) == {"Title"}


def test_duplicate_softkey_position() -> None:
    obj = CiscoIPPhoneText(softkeys=[SoftKeyItem("A", "", "", 1), SoftKeyItem("B", "", "", 1)])
    assert fields(validate(obj)) == {"SoftKeyItem[2].Position"}


def test_a_text_of_blanks_is_empty() -> None:
    """Spaces and line breaks alone would show nothing on the phone: an error, not a ✓."""
    from phonetui.cisco import CiscoIPPhoneText, errors, validate

    assert [
        p.message for p in errors(validate(CiscoIPPhoneText(title="  ", text=" \n "))) if p.field == "CiscoIPPhoneText"
    ]
    assert not errors(validate(CiscoIPPhoneText(text=" x ")))
