"""Clearing an alert: which phones the journal says got it, and the clear on simulated phones."""

from __future__ import annotations

import asyncio
import json
import pickle
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest
import tomli_w

from phonetui.alert_journal import AlertFor, AlertSent, alert_for, last_alert_in
from phonetui.cisco import CiscoIPPhoneText, Outcome
from phonetui.cisco.clear import clear_object, clears_with_init
from phonetui.clearing import ClearTailor, plan_clear
from phonetui.cli import main
from phonetui.config import Defaults, Phone, load_config
from phonetui.history import Journal
from phonetui.push import Pusher
from phonetui.push_plan import plan
from phonetui.service import Service
from phonetui.simulator import Simulator

from .conftest import PASSWORD, USER

MPP = "CP-8851-3PCC"


def write_journal(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path


def alert_push(push: str, alert: str, round_: int, when: float, outcomes: dict[str, str]) -> list[dict[str, Any]]:
    """A round of an alert as the journal holds it: start, a result per phone, end."""
    targets = [{"phone": name, "host": f"10.0.0.{i}:80", "mode": "direct"} for i, name in enumerate(outcomes)]
    start = {"event": "start", "push": push, "time": when, "object": "CiscoIPPhoneText", "xml": "",
             "targets": targets, "alert": alert, "round": round_}  # fmt: skip
    results = [{"event": "result", "push": push, "phone": n, "outcome": o} for n, o in outcomes.items()]
    return [start, *results, {"event": "end", "push": push, "cancelled": False, "interrupted": False}]


def test_the_last_alert_is_the_newest_alert_push_and_its_phones_every_round_that_succeeded(tmp_path: Path) -> None:
    records = [
        *alert_push("p1", "older", 1, 1000.0, {"a": "ok", "b": "ok"}),
        *alert_push("p2", "newer", 1, 2000.0, {"c": "ok", "d": "timeout", "e": "auth-failed"}),
        *alert_push("p3", "newer", 2, 2060.0, {"d": "ok", "e": "unreachable"}),
        {"event": "ack", "alert": "newer", "phone": "c", "time": 2010.0},
        {"event": "start", "push": "p4", "time": 3000.0, "targets": [{"phone": "a"}]},  # a plain push, later
    ]
    alert = last_alert_in(Journal(write_journal(tmp_path / "h.jsonl", records)))
    assert alert is not None
    assert (alert.alert_id, alert.phones, alert.rounds, alert.sent) == ("newer", ["c", "d"], 2, 2000.0)
    assert alert.describe().startswith("alert newer sent ") and alert.describe().endswith(
        "to 3 phones in 2 rounds (2 took it)"
    )
    assert last_alert_in(Journal(write_journal(tmp_path / "none.jsonl", records[-1:]))) is None


def test_what_each_family_gets() -> None:
    assert [clears_with_init(m) for m in ("CP-7960G", "CP-7975G", "CP-8845", "CP-6841", MPP)] == [
        True, True, True, False, False,
    ]  # fmt: skip
    assert clear_object("CP-8845").root == "CiscoIPPhoneExecute"
    assert clear_object(MPP).root == "CiscoIPPhoneText"
    covered = clear_object("CP-8845", "Drill over")
    assert isinstance(covered, CiscoIPPhoneText) and covered.text == "Drill over"
    mixed = [Phone("x", "127.0.0.1", model="CP-8845"), Phone("y", "127.0.0.1", model=MPP)]
    chosen = plan_clear(mixed, "a1")
    assert isinstance(chosen.tailor, ClearTailor) and chosen.label == {"clear": "a1"}
    assert chosen.methods_text() == "1 Init:Services, 1 replacement Text (MPP)"
    deliveries = plan(chosen.obj, mixed, tailor=chosen.tailor)
    assert [b"Init:Services" in d.object_xml for d in deliveries] == [True, False]
    assert pickle.loads(pickle.dumps(chosen.tailor)) == chosen.tailor  # it travels to the app's push process
    assert plan_clear(mixed[:1], None).tailor is None  # one kind of phone: one object, no tailoring


def test_no_alert_in_the_history_exits_1_with_a_hint(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "c.toml"
    config.write_text('[defaults]\nusername = "u"\npassword = "p"\n[[phones]]\nname = "a"\nhost = "127.0.0.1"\n')
    history = write_journal(tmp_path / "h.jsonl", [{"event": "start", "push": "p1", "time": 1.0, "targets": []}])
    assert main(["clear", "--config", str(config), "--history", str(history)]) == 1
    err = capsys.readouterr().err
    assert "no alert in the history" in err and "--phone NAME, --tag TAG or --all" in err
    assert "Traceback" not in err
    assert main(["clear", "--config", str(config), "--history", str(tmp_path / "missing.jsonl")]) == 1


async def screen_of(phone: Phone) -> dict[str, Any]:
    async with httpx.AsyncClient(trust_env=False) as client:
        return (await client.get(f"http://{phone.address}/sim/screen")).json()  # type: ignore[no-any-return]


async def phonetui(*args: str) -> tuple[int, str, str]:
    """The real command in its own process (the simulated phones answer on this test's loop meanwhile)."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "phonetui", *args, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    out, err = await asyncio.wait_for(proc.communicate(), 60)
    return proc.returncode or 0, out.decode(), err.decode()


async def test_clear_takes_the_last_alert_off_the_simulated_screens(
    service: Service, defaults: Defaults, tmp_path: Path
) -> None:
    sim = Simulator.fleet(6, service.auth_url)
    sim.phones[5].model = MPP  # multiplatform firmware: Init:Services does nothing there
    async with sim:
        config = tmp_path / "sim.toml"
        config.write_text(tomli_w.dumps(sim.config(USER, PASSWORD)))
        config.chmod(0o600)
        phones = {p.name: p for p in load_config(config).phones}
        one, two, three, four, five, six = (phones[f"sim-000{i}"] for i in range(1, 7))
        journal = Journal(tmp_path / "h.jsonl")
        drill = CiscoIPPhoneText("Fire drill", "", "Leave by the stairs")
        async with Pusher(defaults, journal=journal) as pusher:

            async def push(obj: CiscoIPPhoneText, to: list[Phone], **kw: Any) -> set[Outcome]:
                return {r.outcome async for r in pusher.push(obj, to, **kw)}

            assert await push(CiscoIPPhoneText(text="Old drill"), [one], label={"alert": "old", "round": 1}) == {
                Outcome.OK
            }
            assert await push(drill, [two, three, six], label={"alert": "a1b2", "round": 1}) == {Outcome.OK}
            bad = await push(drill, [four], credentials=(USER, "wrong"), label={"alert": "a1b2", "round": 1})
            assert bad == {Outcome.AUTH_FAILED}
            assert await push(drill, [five], label={"alert": "a1b2", "round": 2}) == {Outcome.OK}
            assert await push(CiscoIPPhoneText(text="Unrelated"), [four]) == {Outcome.OK}  # not an alert
        journal.close()
        assert (await screen_of(six))["text"] == "Leave by the stairs"

        code, out, err = await phonetui("clear", "--config", str(config), "--history", str(journal.path), "--json")
        assert code == 0, err
        rows = [json.loads(line) for line in out.splitlines()]
        assert sorted(r["phone"] for r in rows) == ["sim-0002", "sim-0003", "sim-0005", "sim-0006"]
        assert {r["outcome"] for r in rows} == {"ok"}
        assert "clearing alert a1b2 sent " in err and "to 5 phones in 2 rounds (4 took it)" in err
        assert "3 Init:Services, 1 replacement Text (MPP)" in err
        for phone in (two, three, five):
            shown = await screen_of(phone)
            assert (shown["title"], shown["text"]) == ("", ""), phone.name
            assert "Init:Services" in shown["executed"]
        assert (await screen_of(six))["title"] == "Message cleared"
        assert (await screen_of(one))["text"] == "Old drill"  # an older alert's phone: untouched
        assert (await screen_of(four))["text"] == "Unrelated"  # its round failed: not in the clear
        start = [r for r in journal.records() if r.get("event") == "start"][-1]
        assert start["clear"] == "a1b2" and len(start["targets"]) == 4

        code, out, err = await phonetui(
            "clear", "--config", str(config), "--history", str(journal.path), "--phone", "sim-0001",
            "--with-text", "Drill over",
        )  # fmt: skip
        assert code == 0, err
        assert out.splitlines()[0].split()[:3] == ["PHONE", "ADDRESS", "OUTCOME"]  # push's own table
        assert "sim-0001" in out and "clearing alert" not in err
        shown = await screen_of(one)
        assert (shown["title"], shown["text"]) == ("Message cleared", "Drill over")
        assert [r for r in journal.records() if r.get("event") == "start"][-1]["clear"] is None


def test_the_clear_key_is_shift_c_and_clashes_with_nothing() -> None:
    from phonetui.keymap import DEFAULT_KEYS, clashes

    assert DEFAULT_KEYS["clear-alert"][0] == "C" and DEFAULT_KEYS["history-export"][0] == "e"
    assert clashes({}) == []  # C is not c (compose): Textual tells the two apart
    assert clashes({"clear-alert": "c"}) == [("clear-alert", "c", "compose", "phones")]
    assert clashes({"history-export": "p"}) == [("history-export", "p", "history-again", "history")]


def test_an_alert_to_phones_of_the_same_names_elsewhere_is_not_this_configs(tmp_path: Path) -> None:
    """The clear's alert is the newest sent to these phones at these addresses, not a namesake fleet's."""
    here = [Phone("a", "127.0.0.1", port=1001), Phone("b", "127.0.0.1", port=1002)]
    records = [
        *alert_push("p1", "ours", 1, 1000.0, {"a": "ok", "b": "ok"}),
        *alert_push("p2", "theirs", 1, 2000.0, {"a": "ok", "b": "ok"}),
    ]
    for record in records[:4]:
        if record["event"] == "start":
            record["targets"] = [{"phone": "a", "host": "127.0.0.1:1001"}, {"phone": "b", "host": "127.0.0.1:9999"}]
    found = alert_for(Journal(write_journal(tmp_path / "h.jsonl", records)).pushes(), here)
    assert isinstance(found, AlertFor) and found.alert.alert_id == "ours"
    assert [p.name for p in found.phones] == ["a"] and [p.name for p in found.moved] == ["b"]
    assert found.alert.hosts == {"a": "127.0.0.1:1001", "b": "127.0.0.1:9999"}
    newest = alert_for(Journal(write_journal(tmp_path / "t.jsonl", records[4:])).pushes(), here)
    assert isinstance(newest, AlertSent) and newest.alert_id == "theirs"
    assert newest.describe(other=True).endswith("to 2 other phones")
    nobody = alert_push("p3", "none", 1, 3000.0, {"a": "timeout", "b": "unreachable"})
    assert last_alert_in(Journal(write_journal(tmp_path / "n.jsonl", nobody))).describe().endswith("to 2 phones")  # type: ignore[union-attr]


async def test_clear_with_another_config_leaves_the_other_fleets_alert_alone(
    service: Service, defaults: Defaults, tmp_path: Path
) -> None:
    ours, theirs = (
        Simulator.fleet(3, service.auth_url, per_port=True),
        Simulator.fleet(3, service.auth_url, per_port=True),
    )
    async with ours, theirs:
        configs = {}
        for name, sim in (("sim.toml", ours), ("sim2.toml", theirs)):
            configs[name] = tmp_path / name
            configs[name].write_text(tomli_w.dumps(sim.config(USER, PASSWORD)))
            configs[name].chmod(0o600)
        mine = load_config(configs["sim.toml"]).phones
        other = load_config(configs["sim2.toml"]).phones
        journal = Journal(tmp_path / "h.jsonl")
        async with Pusher(defaults, journal=journal) as pusher:
            old = CiscoIPPhoneText(text="Their drill")
            assert {r.outcome async for r in pusher.push(old, other[:2], label={"alert": "old", "round": 1})} == {
                Outcome.OK
            }
            drill = CiscoIPPhoneText(text="Our drill")
            assert {r.outcome async for r in pusher.push(drill, mine, label={"alert": "new", "round": 1})} == {
                Outcome.OK
            }
        journal.close()

        code, _, err = await phonetui("clear", "--config", str(configs["sim2.toml"]), "--history", str(journal.path))
        assert code == 0, err
        assert "clearing alert old sent " in err and "to 2 phones" in err
        for phone in other[:2]:
            assert (await screen_of(phone))["text"] == "", phone.name
        for phone in mine:
            assert (await screen_of(phone))["text"] == "Our drill", phone.name  # the other fleet's alert: untouched

        # a config naming sim-0001 at the other fleet's address: the alert went elsewhere, said and skipped
        data = ours.config(USER, PASSWORD)
        data["phones"][0]["port"] = other[0].port
        configs["moved.toml"] = tmp_path / "moved.toml"
        configs["moved.toml"].write_text(tomli_w.dumps(data))
        configs["moved.toml"].chmod(0o600)
        code, _, err = await phonetui("clear", "--config", str(configs["moved.toml"]), "--history", str(journal.path))
        assert code == 0, err
        assert "warning: sim-0001 is at 127.0.0.1:" in err and f"the alert went to {mine[0].address}: skipped" in err
        assert "clearing alert new sent " in err and "to 3 phones" in err
        assert (await screen_of(mine[0]))["text"] == "Our drill"
        assert (await screen_of(mine[1]))["text"] == ""

        lone = Journal(tmp_path / "lone.jsonl")
        lone.append(next(r for r in journal.records() if r.get("alert") == "new"))
        lone.close()
        code, _, err = await phonetui("clear", "--config", str(configs["sim2.toml"]), "--history", str(lone.path))
        assert code == 1 and "Traceback" not in err
        assert "no alert was sent to the phones of " in err and "alert new sent " in err and "3 other phones" in err


def test_an_alert_no_phone_took_is_passed_over_for_the_newest_one_some_phone_took(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A newer alert every phone refused leaves the earlier drill on the screens: that one is cleared,
    and the clear says the newer one was taken by none."""
    here = [Phone(n, "127.0.0.1", port=9 + i) for i, n in enumerate("ab")]  # nothing listens: refused at once
    records = [
        *alert_push("p1", "drill", 0, 1000.0, {"a": "ok", "b": "ok"}),
        *alert_push("p2", "refused", 0, 2000.0, {"a": "auth-failed", "b": "unreachable"}),
    ]
    for record in records:
        if record["event"] == "start":
            record["targets"] = [{"phone": p.name, "host": p.address} for p in here]
    history = write_journal(tmp_path / "h.jsonl", records)
    found = alert_for(Journal(history).pushes(), here)
    assert isinstance(found, AlertFor) and found.alert.alert_id == "drill"
    assert [p.name for p in found.phones] == ["a", "b"]
    assert found.passed is not None and found.passed.alert_id == "refused"
    only = alert_for(Journal(write_journal(tmp_path / "o.jsonl", records[4:])).pushes(), here)
    assert isinstance(only, AlertFor) and not only.phones and only.passed is None  # nothing to clear: said
    config = tmp_path / "c.toml"
    config.write_text(
        '[defaults]\nusername = "u"\npassword = "p"\ntimeout = 0.5\n'
        + "".join(f'[[phones]]\nname = "{p.name}"\nhost = "{p.host}"\nport = {p.port}\n' for p in here)
    )
    config.chmod(0o600)
    main(["clear", "--config", str(config), "--history", str(history)])
    err = capsys.readouterr().err
    assert "Nothing to clear" not in err and "no phone took it" not in err
    assert "clearing alert drill sent" in err and "the newer alert refused sent" in err
    assert "was taken by no phone" in err


def test_a_phone_that_may_have_shown_the_alert_is_cleared_too(tmp_path: Path) -> None:
    """A timeout or a garbled reply may have put the alert on its screen: the clear goes to it as well, and
    says so; a phone refused outright never had it."""
    records = alert_push("p1", "drill", 0, 1000.0, {"a": "ok", "b": "timeout", "c": "bad-reply", "d": "auth-failed"})
    pushes = Journal(write_journal(tmp_path / "h.jsonl", records)).pushes()
    phones = [Phone(name=n, host=f"10.0.0.{i}", port=80) for i, n in enumerate("abcd")]
    found = alert_for(pushes, phones)
    assert isinstance(found, AlertFor)
    assert [p.name for p in found.phones] == ["a", "b", "c"]
    assert found.alert.describe().endswith("to 4 phones (1 took it, 2 may have)")


def test_history_tells_a_phone_that_may_have_the_alert_from_one_that_never_took_it(tmp_path: Path) -> None:
    from phonetui.alert_journal import alert_stories

    records = alert_push("p1", "drill", 0, 1000.0, {"a": "ok", "b": "timeout", "d": "auth-failed"})
    journal = Journal(write_journal(tmp_path / "h.jsonl", records))
    story = alert_stories(journal.pushes(), journal.records())["drill"]
    assert (story.took, story.maybe) == ({"a"}, {"b"})
