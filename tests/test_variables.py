"""Variables: names, values and their checks; each phone's copy made the cheap way equals the plain one."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from phonetui.cisco import (
    CiscoIPPhoneExecute,
    CiscoIPPhoneText,
    ExecuteItem,
    Outcome,
    SoftKeyItem,
    encode,
    family_for_model,
)
from phonetui.config import ConfigErrors, Defaults, Phone, load_config
from phonetui.copies import Copies
from phonetui.push import Pusher
from phonetui.push_plan import largest, plan
from phonetui.service import Service
from phonetui.simulator import Simulator
from phonetui.tailor import Tailor, fill, fill_some, push_values
from phonetui.variables import (
    default_sender,
    empty_dn_warning,
    known_names,
    name_problem,
    parse_assignment,
    unknown_problems,
)

from .test_push_loopback import phones_of


def phone(name: str, model: str = "CP-7965G", dn: str = "") -> Phone:
    family = family_for_model(model)
    return Phone(
        name, "127.0.0.1", model=model, dn=dn, family=family, charset=family.charset, size_limit=family.size_limit
    )


def test_own_names_are_identifiers_and_not_built_in() -> None:
    assert name_problem("site") is None and name_problem("floor_2") is None
    assert "not a variable name" in (name_problem("Site") or "")
    assert "not a variable name" in (name_problem("2nd") or "")
    assert "built in" in (name_problem("phone") or "") and "each phone" in (name_problem("dn") or "")
    assert "--sender" in (name_problem("sender") or "")


def test_var_assignments() -> None:
    assert parse_assignment("site=HQ") == ("site", "HQ")
    assert parse_assignment("note=a=b") == ("note", "a=b"), "the first = splits"
    assert parse_assignment("empty=") == ("empty", "")
    with pytest.raises(ValueError, match="write NAME=VALUE"):
        parse_assignment("site")
    with pytest.raises(ValueError, match="built in"):
        parse_assignment("phone=x")


def test_unknown_variables_name_the_field_the_known_names_and_the_closest() -> None:
    obj = CiscoIPPhoneText("At {sitee}", "", "{phone} {zzz} {{sitee}}", [SoftKeyItem("Go", "http://x/{flor}")])
    problems = unknown_problems(obj, known_names(["site", "floor"]))
    assert [p.field for p in problems] == ["Title", "Text", "SoftKeyItem[1].URL"]
    assert "unknown variable {sitee}" in problems[0].message and "did you mean {site}?" in problems[0].message
    assert "{phone}, {dn}, {model}, {date}, {time}, {sender}, {site}, {floor}" in problems[0].message
    assert "write {{ for a brace" in problems[1].message, "no close name: say how to write a brace"
    assert "did you mean {floor}?" in problems[2].message
    assert unknown_problems(CiscoIPPhoneText(text="{phone} on {dn}"), known_names([])) == []


def test_sender_comes_from_the_config_else_the_login_name(monkeypatch: pytest.MonkeyPatch) -> None:
    assert default_sender("ops desk") == "ops desk"
    monkeypatch.setattr("getpass.getuser", lambda: "alice")
    assert default_sender("") == "alice"

    def no_user() -> str:
        raise OSError("no user")

    monkeypatch.setattr("getpass.getuser", no_user)
    assert default_sender("") == "phonetui", "no login name: a fixed name, never a traceback"


def test_empty_dn_is_a_warning_naming_the_phones() -> None:
    phones = [phone("a", dn="2001"), phone("b"), phone("c"), phone("d"), phone("e")]
    text = CiscoIPPhoneText(text="Call {dn}")
    assert empty_dn_warning(text, phones) == "dn is empty for 4 phones: b, c, d and 1 more: {dn} fills in nothing there"
    assert empty_dn_warning(CiscoIPPhoneText(text="{phone}"), phones) is None
    assert empty_dn_warning(text, phones[:1]) is None


def test_fill_some_leaves_the_rest_for_a_second_fill() -> None:
    first = fill_some("{sender} {phone} {{phone}} {x}", {"sender": "{dn} {{"})
    assert fill(first, {"phone": "p1", "dn": "9"}) == "{dn} {{ p1 {phone} {x}"
    assert fill("{sender} {phone} {{phone}} {x}", {"sender": "{dn} {{", "phone": "p1", "dn": "9"}) == (
        "{dn} {{ p1 {phone} {x}"
    ), "one fill gives the same"


UGLY = ["sim-1", "a&b<c>\"'", "{{x}}", "{phone}", " ", "", "x" * 40, "Zürich", "lobby-€", "tab\there", "[/]"]


@pytest.mark.parametrize("value", UGLY)
@pytest.mark.parametrize("model", ["CP-8845", "CP-7960G"])
def test_cheap_copies_are_the_plain_copies_byte_for_byte(value: str, model: str) -> None:
    """The XML filled once per charset gives each phone exactly what its own object encodes to."""
    tailor = Tailor({**push_values("ops {{"), "site": "[HQ] & {co}"})
    objects = [
        CiscoIPPhoneText("{site}: {phone}", "{date}", "{{to}} {phone} ({dn}) {model}\n- {sender}"),
        CiscoIPPhoneText("x", "", "{dn}", [SoftKeyItem("{phone}", "http://h/{phone}?a=1&b={dn}", "", 1)]),
        CiscoIPPhoneExecute([ExecuteItem("Dial:{dn}"), ExecuteItem("http://h/x?n={phone}", 1)]),
    ]
    for obj in objects:
        p = phone(value, model, dn=value)
        copies = Copies(obj, tailor)
        own = tailor.object_for(obj, p)
        try:
            expected: bytes | None = encode(own, p.charset)
        except ValueError:
            expected = None
        got = copies.bytes_for(p)
        if isinstance(got, bytes):
            assert got == expected
        else:  # refused: the plain path refuses it too (a limit, a URI, a character)
            assert plan(own, [p], "direct")[0].route == "refused"


def test_a_long_name_refuses_only_its_phone_in_auto_without_a_service_and_goes_via_url_with_one() -> None:
    phones = [phone("a"), phone("lobby-" + "x" * 20), phone("b" * 30, "CP-8845")]
    obj = CiscoIPPhoneText("Notice", "", "For {phone}: " + "." * 380)
    alone = plan(obj, phones, "auto", can_host=False, tailor=Tailor())
    assert [d.route for d in alone] == ["direct", "refused", "direct"]
    assert alone[1].reason.startswith(f"its copy is {alone[1].size} bytes against its limit of 512")
    assert f"the name 'lobby-{'x' * 20}' makes it longer" in alone[1].reason
    hosted = plan(obj, phones, "auto", can_host=True, tailor=Tailor())
    assert [d.route for d in hosted] == ["direct", "via-url", "direct"]
    assert largest(alone) is alone[2], "the most bytes, whatever its limit"


def test_a_name_the_charset_lacks_refuses_only_its_phone() -> None:
    phones = [phone("lobby-€", "CP-7960G"), phone("lobby", "CP-7960G"), phone("hall-€", "CP-8845")]
    deliveries = plan(CiscoIPPhoneText("Hello {phone}"), phones, tailor=Tailor())
    assert [d.route for d in deliveries] == ["refused", "direct", "direct"]
    assert "its copy cannot be sent" in deliveries[0].reason and "cannot be sent in ISO-8859-1" in deliveries[0].reason
    assert "€" in deliveries[2].object_xml.decode("utf-8")


async def test_a_long_name_goes_via_url_through_the_service(
    fleet: Simulator, defaults: Defaults, service: Service
) -> None:
    phones = phones_of(fleet)[:3]
    legacy = next(p for p in phones if p.size_limit == 512)
    legacy.name = "lobby-" + "x" * 20
    obj = CiscoIPPhoneText("N", "", "For {phone}: " + "." * 380)
    async with Pusher(defaults, host=service) as pusher:
        run = pusher.push(obj, phones, "auto", tailor=Tailor())
        results = {r.phone.name: r async for r in run}
    assert {r.outcome for r in results.values()} == {Outcome.OK}
    assert results[legacy.name].route == "via-url"
    async with httpx.AsyncClient(trust_env=False) as client:
        shown = (await client.get(f"http://{legacy.address}/sim/screen")).json()
    assert shown["text"].startswith(f"For {legacy.name}: ")


def test_template_vars_are_read_and_checked(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    head = '[defaults]\nsender = "ops"\n\n[[phones]]\nname = "a"\nhost = "127.0.0.1"\n\n'
    config.write_text(head + '[[templates]]\nname = "t"\ntext = "{site} {phone}"\nvars = { site = "HQ" }\n')
    loaded = load_config(config)
    assert loaded.defaults.sender == "ops" and loaded.templates[0].variables == {"site": "HQ"}
    assert loaded.templates[0].to_toml()["vars"] == {"site": "HQ"}
    config.write_text(head + '[[templates]]\nname = "t"\ntext = "x"\nvars = { Site = "HQ", dn = "1", n = 3 }\n')
    with pytest.raises(ConfigErrors) as caught:
        load_config(config)
    lines = [e.located() for e in caught.value.errors]
    assert any("c.toml:11: templates[0].vars.Site: 'Site' is not a variable name" in line for line in lines)
    assert any("templates[0].vars.dn: {dn} is built in" in line for line in lines)
    assert any("templates[0].vars.n: must be a string" in line for line in lines)


def test_an_unknown_variable_in_a_template_is_its_own_error(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text(
        '[[phones]]\nname = "a"\nhost = "127.0.0.1"\n\n'
        '[[templates]]\nname = "t"\ntitle = "x"\ntext = "{sitee}"\nvars = { site = "HQ" }\n'
    )
    loaded = load_config(config)  # the other templates and phones stay usable
    assert [t.name for t in loaded.templates] == ["t"]
    (error,) = loaded.phone_errors
    assert error.line == 8 and error.key == "templates[0].text"
    assert "template 't': unknown variable {sitee}" in error.message and "did you mean {site}?" in error.message


def test_push_checks_limits_with_the_values_filled_in(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from phonetui.cli import main

    config = tmp_path / "c.toml"
    config.write_text('[[phones]]\nname = "a"\nhost = "127.0.0.1"\n')
    base = ["--config", str(config), "push", "--all", "--text", "x", "--dry-run"]
    assert main([*base, "--title", "{site}" * 6, "--var", "site=A"]) == 0, "36 characters as written, 6 filled"
    capsys.readouterr()
    assert main([*base, "--title", "At {site}", "--var", "site=" + "A" * 30]) == 2
    assert "Title: is 33 characters; the limit is 32" in capsys.readouterr().err


def test_a_copy_too_long_without_the_name_does_not_blame_the_name() -> None:
    """600 x's are too long for 512 bytes whatever the name: the name is blamed only when the copy
    without its value would fit."""
    obj = CiscoIPPhoneText("Notice", "", "{phone}: " + "x" * 600)
    refused = plan(obj, [phone("sim-0002")], "direct", can_host=False, tailor=Tailor())[0]
    assert refused.route == "refused" and "against its limit of 512" in refused.reason
    assert "makes it longer" not in refused.reason and "sim-0002" not in refused.reason
    close = CiscoIPPhoneText("Notice", "", "{phone}: " + "x" * 400)  # fits without the name alone
    blamed = plan(close, [phone("lobby-" + "x" * 20)], "direct", can_host=False, tailor=Tailor())[0]
    assert blamed.route == "refused" and "makes it longer" in blamed.reason
