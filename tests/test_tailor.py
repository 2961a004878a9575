"""Each phone's own copy of an object: variables, the Ack key, and the plan and push that use them."""

from __future__ import annotations

import httpx

from phonetui.cisco import CiscoIPPhoneExecute, CiscoIPPhoneText, ExecuteItem, Outcome, SoftKeyItem
from phonetui.config import Defaults, Phone
from phonetui.history import Journal
from phonetui.push import Pusher
from phonetui.push_plan import plan
from phonetui.service import Service
from phonetui.simulator import Simulator
from phonetui.tailor import AckKey, Tailor, fill, object_variables, variables_in, with_ack

from .test_push_loopback import phones_of


def phone(name: str, model: str = "CP-7965G", dn: str = "") -> Phone:
    return Phone(name, "127.0.0.1", model=model, dn=dn)


def test_fill_replaces_known_names_and_keeps_the_rest() -> None:
    values = {"phone": "lobby", "dn": "2001"}
    assert fill("Hi {phone} at {dn}", values) == "Hi lobby at 2001"
    assert fill("{{phone}} is {phone}", values) == "{phone} is lobby"
    assert fill("a { b } {Phone} {unknown} {1x}", values) == "a { b } {Phone} {unknown} {1x}"
    assert fill("no braces", values) == "no braces"
    assert variables_in("{a} {b} {a} {{c}}") == ["a", "b"]


def test_object_variables_span_every_text_field() -> None:
    obj = CiscoIPPhoneText("{sender}", "{date}", "{phone}", [SoftKeyItem("{dn}", "http://x/{model}")])
    assert object_variables(obj) == ["sender", "date", "phone", "dn", "model"]
    assert object_variables(CiscoIPPhoneExecute([ExecuteItem("Dial:{dn}")])) == ["dn"]


def test_object_for_fills_per_phone_and_push_values() -> None:
    tailor = Tailor({"sender": "ops", "time": "10:31"})
    obj = CiscoIPPhoneText("From {sender}", "", "{phone} ({model}, {dn}) at {time}")
    copy = tailor.object_for(obj, phone("lobby", "CP-8845", "2001"))
    assert isinstance(copy, CiscoIPPhoneText)
    assert copy.title == "From ops" and copy.text == "lobby (CP-8845, 2001) at 10:31"
    assert obj.text == "{phone} ({model}, {dn}) at {time}", "the original stays a template"
    assert not tailor.same_for_all(obj)
    assert tailor.same_for_all(CiscoIPPhoneText("From {sender}"))
    assert Tailor().same_for_all(CiscoIPPhoneText("x"))


def test_ack_key_keeps_an_exit_beside_it() -> None:
    key = AckKey("http://svc:8081/", "al1", {"a": "tok-a", "b": "tok-b"})
    plain = with_ack(CiscoIPPhoneText(text="x"), key, phone("a"))
    assert [(k.name, k.url, k.position) for k in plain.softkeys] == [
        ("Ack", "http://svc:8081/ack/al1/tok-a", 1),
        ("Exit", "SoftKey:Exit", 2),
    ]
    exit_first = with_ack(CiscoIPPhoneText(text="x"), key, phone("b", "CP-8961"))
    assert [(k.name, k.position) for k in exit_first.softkeys] == [("Exit", 1), ("Ack", 2)]
    own = CiscoIPPhoneText(text="x", softkeys=[SoftKeyItem("More", "http://x/", position=1)])
    keys = with_ack(own, AckKey("http://s", "al1", {"a": "t"}, name="Seen", replace_exit=True), phone("a")).softkeys
    assert [(k.name, k.position) for k in keys] == [("More", 1), ("Seen", 2)]
    assert own.softkeys == [SoftKeyItem("More", "http://x/", position=1)], "the original is not changed"


def test_plan_checks_each_phones_own_copy() -> None:
    """A name that makes one phone's copy too long refuses that phone alone, naming its size."""
    phones = [phone("a"), phone("b" * 15)]
    obj = CiscoIPPhoneText(title="x", text="Hello {phone}" + "." * 395)
    deliveries = plan(obj, phones, "direct", tailor=Tailor())
    assert b"Hello a." in deliveries[0].object_xml and deliveries[0].route == "direct"
    assert (
        deliveries[1].route == "refused"
        and "its copy is 520 bytes against its limit of 512 (the name 'bbbbbbbbbbbbbbb'" in deliveries[1].reason
    )
    shared = plan(CiscoIPPhoneText(text="{sender} says hi"), phones, tailor=Tailor({"sender": "ops"}))
    assert {d.object_xml for d in shared} == {shared[0].object_xml} and b"ops says hi" in shared[0].object_xml


def test_plan_refuses_a_phone_without_a_token_alone() -> None:
    key = AckKey("http://s", "al1", {"a": "t"})
    deliveries = plan(CiscoIPPhoneText(text="x"), [phone("a"), phone("b")], tailor=Tailor(ack=key))
    assert deliveries[0].route == "direct" and b"/ack/al1/t" in deliveries[0].object_xml
    assert deliveries[1].route == "refused" and "KeyError" in deliveries[1].reason


async def test_tailored_push_gives_each_phone_its_copy_and_labels_the_journal(
    fleet: Simulator, defaults: Defaults, tmp_path
) -> None:
    phones = phones_of(fleet)[:4]
    journal = Journal(tmp_path / "journal.jsonl")
    async with Pusher(defaults, journal=journal) as pusher:
        run = pusher.push(CiscoIPPhoneText("To {phone}", "", "x"), phones, tailor=Tailor(), label={"alert": "al1"})
        results = [r async for r in run]
    assert {r.outcome for r in results} == {Outcome.OK}
    async with httpx.AsyncClient(trust_env=False) as client:
        for p in phones:
            shown = (await client.get(f"http://{p.address}/sim/screen")).json()
            assert shown["title"] == f"To {p.name}"
    start = next(r for r in journal.records() if r.get("event") == "start")
    assert start["alert"] == "al1"
    assert "To {phone}" in start["template"], "a retry from the journal needs the template, not one phone's copy"
    assert start["xml"] == start["template"], "no phone's own copy (an Ack token) is journalled"


async def test_tailored_via_url_hosts_one_copy_per_phone(
    fleet: Simulator, defaults: Defaults, service: Service
) -> None:
    phones = phones_of(fleet)[:3]
    async with Pusher(defaults, host=service) as pusher:
        run = pusher.push(CiscoIPPhoneText("For {phone}", "", "y"), phones, mode="via-url", tailor=Tailor())
        results = [r async for r in run]
    assert {r.outcome for r in results} == {Outcome.OK} and {r.route for r in results} == {"via-url"}
    async with httpx.AsyncClient(trust_env=False) as client:
        for p in phones:
            assert (await client.get(f"http://{p.address}/sim/screen")).json()["title"] == f"For {p.name}"
