"""Alerts from the app, driven by Pilot against the real service and the simulated fleet on loopback."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from textual.pilot import Pilot

from phonetui.cisco import CiscoIPPhoneText, Outcome
from phonetui.config import Phone
from phonetui.demo import Demo, start_demo
from phonetui.history import Journal
from phonetui.push import Pusher
from phonetui.simphone import Screen
from phonetui.tui.alerting import Alerting
from phonetui.tui.app import PhoneTUI
from phonetui.tui.screens.pickers import ConfirmModal
from phonetui.tui.screens.preview import PreviewScreen
from phonetui.tui.widgets.alert_fields import TickBox
from phonetui.tui.widgets.status_bar import StatusBar

from .conftest import cell, compose_text, push_and_wait, wait_until

#: The ten phones: sim-0004 has a wrong password and sim-0008 is switched off (the demo's faults).
FAILING = {"sim-0004", "sim-0008"}


@pytest.fixture
async def ten() -> AsyncIterator[Demo]:
    running = await start_demo(10)
    try:
        yield running
    finally:
        await running.stop()


def make_app(demo: Demo, tmp_path: Path) -> PhoneTUI:
    return PhoneTUI(demo.config, service=demo.service, journal=Journal(tmp_path / "history.jsonl"))


async def press_ack(phone: Phone) -> dict[str, Any]:
    """The phone's user presses Ack (the simulator's press endpoint, on the phone's own address)."""
    async with httpx.AsyncClient(trust_env=False, timeout=10) as client:
        response = await client.post(f"http://{phone.host}:{phone.port}/sim/press", params={"key": "Ack"})
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


def status(app: PhoneTUI) -> str:
    return str(app.main.query_one(StatusBar).render())


def toasts(app: PhoneTUI) -> list[str]:
    return [n.message for n in app._notifications]


def starts(app: PhoneTUI) -> list[dict[str, Any]]:
    assert app.journal is not None
    return [r for r in app.journal.records() if r.get("event") == "start"]


async def compose_alert(pilot: Pilot[int], **fields: str) -> None:
    """Select every phone, fill a Text, and switch "Ask for acknowledgement" on with the keyboard."""
    await pilot.press("a")
    await compose_text(pilot, "Fire drill", "Leave by the stairs")
    app = pilot.app
    switch = app.screen.query_one("#ack-on", TickBox)
    assert str(switch.render()).startswith("[ ]")  # reads without colour
    switch.focus()
    await pilot.press("space")
    await pilot.pause()
    assert switch.value and str(switch.render()).startswith("[x]")
    for field, value in fields.items():
        app.screen.query_one(f"#ack-{field}").value = value  # type: ignore[attr-defined]
    await pilot.pause()


async def test_the_tally_follows_each_ack_u_selects_the_rest_and_r_repeats_to_them(ten: Demo, tmp_path: Path) -> None:
    app = make_app(ten, tmp_path)
    phones = {p.name: p for p in ten.config.phones}
    async with app.run_test(size=(120, 40)) as pilot:
        await compose_alert(pilot)
        await push_and_wait(pilot)
        alert = app.alerting.current
        assert alert is not None
        assert status(app).endswith("0 of 10 acknowledged, 8 delivered, 2 failed")
        assert cell(app, "sim-0001", "result") == "◐ delivered"
        assert cell(app, "sim-0004", "result") == "✗ auth-failed"
        shown = ten.simulator.phone("sim-0001").screen
        assert (shown.title == "Fire drill" and shown.softkeys == ["Ack", "Exit"]) or shown.softkeys == ["Exit", "Ack"]

        for count, name in enumerate(("sim-0003", "sim-0001", "sim-0010"), 1):
            answer = await press_ack(phones[name])
            assert answer["screen"]["text"] == "Thank you"
            await wait_until(pilot, lambda name=name: cell(app, name, "result").startswith("● acknowledged "))
            assert len(cell(app, name, "result")) == len("● acknowledged 10:31:02")
            expected = f"{count} of 10 acknowledged, {8 - count} delivered, 2 failed"
            await wait_until(pilot, lambda expected=expected: status(app).endswith(expected))
            assert cell(app, "sim-0002", "result") == "◐ delivered"

        await pilot.press("u")
        await pilot.pause()
        rest = {f"sim-{n:04d}" for n in range(1, 11)} - {"sim-0001", "sim-0003", "sim-0010"}
        assert {p.name for p in app.fleet.selected()} == rest
        assert any("Selected the 7 phones that have not acknowledged" in m for m in toasts(app))

        pushes_before = {name: ten.simulator.phone(name).screen.pushes for name in phones}
        await pilot.press("R")
        await wait_until(pilot, lambda: app.main.pushes_finished == 2, seconds=30)
        repeated = rest - FAILING  # the failed phones only when the alert says so
        after = {name: ten.simulator.phone(name).screen.pushes for name in phones}
        assert {name for name in phones if after[name] > pushes_before[name]} == repeated
        assert ten.simulator.phone("sim-0001").screen.text == "Thank you"  # an acknowledged phone is left alone
        assert status(app).endswith("3 of 10 acknowledged, 5 delivered, 2 failed")

    records = starts(app)
    assert [(r["alert"], r["round"]) for r in records] == [(alert.id, 0), (alert.id, 1)]
    assert {t["phone"] for t in records[1]["targets"]} == repeated
    assert app.journal is not None
    acks = [r for r in app.journal.records() if r.get("event") == "ack"]
    assert [(r["alert"], r["phone"]) for r in acks] == [(alert.id, n) for n in ("sim-0003", "sim-0001", "sim-0010")]


async def test_u_and_r_without_an_alert_say_so(ten: Demo, tmp_path: Path) -> None:
    app = make_app(ten, tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("space", "u")
        await pilot.pause()
        assert any("No alert yet" in m for m in toasts(app))
        assert len(app.fleet.selected()) == 1  # the selection is left as it was
        await pilot.press("R")
        await pilot.pause()
        assert any("No alert to repeat" in m for m in toasts(app))
        assert app.main.pushes_finished == 0


@pytest.mark.parametrize("how", ["stopped", "no-service"])
async def test_an_alert_is_refused_when_phones_cannot_reach_the_service(ten: Demo, tmp_path: Path, how: str) -> None:
    if how == "stopped":
        await ten.service.stop()
    else:
        ten.config.service = None
    app = make_app(ten, tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await compose_alert(pilot)
        await pilot.press("f5")
        await pilot.pause(0.3)
        assert not isinstance(app.screen, ConfirmModal)
        said = " ".join(toasts(app))
        assert "Not sent:" in said
        assert ("r, then s, starts it" in said) if how == "stopped" else ("[service] table" in said)
        assert app.main.pushes_finished == 0 and app.alerting.current is None
    assert starts(app) == []
    assert ten.simulator.phone("sim-0001").screen.pushes == 0


async def test_automatic_repeats_count_down_and_stop_when_all_acknowledged(ten: Demo, tmp_path: Path) -> None:
    app = make_app(ten, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await compose_alert(pilot, repeat="2", max="3")
        await push_and_wait(pilot)
        await wait_until(pilot, lambda: "repeat 1 of 3 in " in status(app))
        assert status(app).startswith("0 of 10 acknowledged, 8 delivered, 2 failed · repeat 1 of 3 in ")
        await wait_until(pilot, lambda: app.main.pushes_finished == 2, seconds=20)
        for name in sorted({p.name for p in ten.config.phones} - FAILING):
            await press_ack(next(p for p in ten.config.phones if p.name == name))
        await wait_until(pilot, lambda: "8 of 10 acknowledged" in status(app))
        await wait_until(pilot, lambda: not app.pump.running)  # a round may have gone while they pressed
        finished = app.main.pushes_finished
        await pilot.pause(3)  # no more rounds: no phone that took the alert is left unacknowledged
        assert app.main.pushes_finished == finished < 5 and not app.alerting.repeating
        assert "repeat" not in status(app)


async def test_cancel_stops_the_repeats(ten: Demo, tmp_path: Path) -> None:
    app = make_app(ten, tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await compose_alert(pilot, repeat="30")
        await push_and_wait(pilot)
        await wait_until(pilot, lambda: "repeat 1 in " in status(app))
        await pilot.press("x")
        await pilot.pause()
        assert not app.alerting.repeating and "repeat 1" not in status(app)
        assert any("No more repeats of the alert" in m for m in toasts(app))


async def test_retry_of_an_alert_round_is_its_next_round_with_the_ack_key(ten: Demo, tmp_path: Path) -> None:
    """``f`` after an alert: the failed phone gets its own copy with its Ack key (it used to get the plain Text)."""
    flaky = ten.simulator.phone("sim-0002")
    flaky.garbled = True  # it runs the object but its reply cannot be read: failed
    app = make_app(ten, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await compose_alert(pilot)
        await push_and_wait(pilot)
        assert app.fleet.states["sim-0002"].result.outcome is not Outcome.OK  # type: ignore[union-attr]
        flaky.garbled = False
        flaky.screen = Screen()
        await pilot.press("f")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmModal))
        question = str(app.screen.query_one("#question").render())
        assert "Retry the alert (repeat 1) to 3 failed phones?" in question
        await pilot.press("y")
        await wait_until(pilot, lambda: app.main.pushes_finished == 2, seconds=30)
        assert "Ack" in flaky.screen.softkeys and any("/ack/" in url for url in flaky.screen.softkey_urls)
        assert cell(app, "sim-0002", "result") == "◐ delivered"
        phone = next(p for p in ten.config.phones if p.name == "sim-0002")
        await press_ack(phone)
        await wait_until(pilot, lambda: cell(app, "sim-0002", "result").startswith("● acknowledged "))
    records = starts(app)
    assert records[1]["round"] == 1 and records[1]["alert"] == records[0]["alert"]
    assert [t["phone"] for t in records[1]["targets"]] == ["sim-0002", "sim-0004", "sim-0008"]  # every failed one


async def test_retry_after_a_clear_sends_the_clear_again_labelled_as_it(ten: Demo, tmp_path: Path) -> None:
    """``f`` after a clear: the clear's copies and its journal label again (it used to push a plain object)."""
    app = make_app(ten, tmp_path)
    phones = [p for p in ten.config.phones if p.name in ("sim-0001", "sim-0002")]
    async with Pusher(ten.config.defaults, journal=app.journal) as pusher:
        drill = CiscoIPPhoneText("Fire drill", "", "Leave now")
        assert {r.outcome async for r in pusher.push(drill, phones, label={"alert": "a1b2", "round": 0})} == {
            Outcome.OK
        }
    flaky = ten.simulator.phone("sim-0002")
    flaky.garbled = True
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("C")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmModal))
        await pilot.press("y")
        await wait_until(pilot, lambda: app.main.pushes_finished == 1, seconds=30)
        assert app.fleet.states["sim-0002"].failed
        flaky.garbled = False
        await pilot.press("f")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmModal))
        await pilot.press("y")
        await wait_until(pilot, lambda: app.main.pushes_finished == 2, seconds=30)
        assert not app.fleet.states["sim-0002"].failed
    records = starts(app)
    assert [r.get("clear") for r in records] == [None, "a1b2", "a1b2"]
    assert [t["phone"] for t in records[-1]["targets"]] == ["sim-0002"]
    assert (flaky.screen.title, flaky.screen.text) == ("", "")


async def test_repeats_beep_after_the_text_and_the_round_says_so(ten: Demo, tmp_path: Path) -> None:
    app = make_app(ten, tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await compose_alert(pilot, repeat="1", max="1", beep="Chime.raw")
        await push_and_wait(pilot)
        await wait_until(pilot, lambda: app.main.pushes_finished == 2, seconds=20)
        await wait_until(pilot, lambda: "Play:Chime.raw" in ten.simulator.phone("sim-0001").screen.executed)
        assert not app.alerting.repeating  # at most 1
        assert ten.simulator.phone("sim-0001").screen.title == "Fire drill"  # the beep leaves the alert shown
    records = starts(app)
    assert "beep" not in records[0] and records[1]["beep"] == "Play:Chime.raw"
    assert len(records) == 2  # the beep is not a round of the alert in the history


@pytest.mark.parametrize(
    ("fields", "said"),
    [
        ({"max": "3"}, "give 'repeat every' seconds"),
        ({"repeat": "soon"}, "repeat every: seconds"),
        ({"repeat": "10", "max": "2.5"}, "at most: a whole number"),
        ({"repeat": "10", "beep": "x" * 300}, "beep:"),
        ({"name": "A" * 40}, "Ack key is 40 characters; the limit for a softkey's name is 32"),
    ],
)
async def test_alert_fields_that_cannot_work_stop_f5_and_say_why(
    ten: Demo, tmp_path: Path, fields: dict[str, str], said: str
) -> None:
    app = make_app(ten, tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await compose_alert(pilot, **fields)
        assert said in str(app.screen.query_one("#alert-error").render())
        await pilot.press("f5")
        await pilot.pause(0.3)
        assert not isinstance(app.screen, ConfirmModal)
        assert any("Fix the form first" in m for m in toasts(app))
    assert starts(app) == []


async def test_the_preview_shows_a_phones_copy_with_its_ack_key(ten: Demo, tmp_path: Path) -> None:
    app = make_app(ten, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await compose_alert(pilot, name="Got it")
        await pilot.press("f2")
        await wait_until(pilot, lambda: isinstance(app.screen, PreviewScreen))
        preview = app.screen
        assert isinstance(preview, PreviewScreen)
        assert "<Name>Got it</Name><URL>" + ten.service.url + "/ack/" in preview.xml
        assert "<Name>Exit</Name><URL>SoftKey:Exit</URL>" in preview.xml
        await pilot.press("escape", "f5")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmModal))
        asked = str(app.screen.query_one("#question").render())
        assert asked == "Send an alert (a Text with the key Got it) to 10 phones?"
        assert "no automatic repeats (R repeats by hand)" in str(app.screen.query_one("#detail").render())
    assert ten.simulator.phone("sim-0001").screen.pushes == 0  # only asked


async def test_many_acks_at_once_are_applied_in_batches(
    ten: Demo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    flushes: list[int] = []
    flush = Alerting.flush

    def counted(self: Alerting) -> None:
        flushes.append(len(self._heard))
        flush(self)

    monkeypatch.setattr(Alerting, "flush", counted)
    app = make_app(ten, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await compose_alert(pilot)
        await push_and_wait(pilot)
        took = [p for p in ten.config.phones if p.name not in FAILING]
        await asyncio.gather(*(press_ack(phone) for phone in took))
        await wait_until(pilot, lambda: status(app).endswith("8 of 10 acknowledged, 0 delivered, 2 failed"))
        assert all(cell(app, p.name, "result").startswith("● acknowledged ") for p in took)
    assert sum(flushes) == 8 and len(flushes) < 8  # some came together
    assert app.journal is not None
    assert len([r for r in app.journal.records() if r.get("event") == "ack"]) == 8


async def test_quitting_while_an_alert_repeats_asks_first(ten: Demo, tmp_path: Path) -> None:
    """Every phone answered, but rounds are still to come: q asks, n keeps repeating, y quits."""
    from phonetui.tui.screens.pickers import QuitModal

    app = make_app(ten, tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await compose_alert(pilot, repeat="30")
        await push_and_wait(pilot)
        await wait_until(pilot, lambda: "repeat 1 in " in status(app) and not app.pump.running)
        await pilot.press("q")
        await wait_until(pilot, lambda: isinstance(app.screen, QuitModal))
        asked = str(app.screen.query_one("#question").render()) + str(app.screen.query_one("#detail").render())
        assert "still repeating" in asked and "0 of 10 acknowledged" in asked
        await pilot.press("n")
        await pilot.pause()
        assert app.is_running and app.alerting.repeating
        await pilot.press("q")
        await wait_until(pilot, lambda: isinstance(app.screen, QuitModal))
        await pilot.press("y")
        await wait_until(pilot, lambda: not app.is_running)


async def test_an_ack_reply_some_phones_cannot_show_stops_f5_and_names_them(ten: Demo, tmp_path: Path) -> None:
    """As ``push --ack`` refuses it: else those phones would be thanked in the stock words, silently."""
    assert ten.config.service is not None
    ten.config.service.ack_reply = "Merci 🔥 [bold]x"
    latin = sorted(p.name for p in ten.config.phones if p.charset.lower() != "utf-8")
    assert latin  # the demo has phones whose charset cannot carry an emoji
    app = make_app(ten, tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await compose_alert(pilot)
        await pilot.press("f5")
        await wait_until(pilot, lambda: any("ack_reply" in m for m in toasts(app)))
        said = next(m for m in toasts(app) if "ack_reply" in m)
        assert said.startswith("Not sent:") and latin[0] in said
        assert not isinstance(app.screen, ConfirmModal) and app.alerting.current is None
    assert starts(app) == []
