"""The clear key on the phone table and the export key on the History screen, driven by Pilot."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from textual.widgets import Input

from phonetui.cisco import CiscoIPPhoneText, Outcome
from phonetui.demo import Demo
from phonetui.export import COLUMNS
from phonetui.push import Pusher
from phonetui.tui.app import PhoneTUI
from phonetui.tui.screens.history import HistoryScreen
from phonetui.tui.screens.pickers import ConfirmModal, NameModal

from .conftest import wait_until

FORMULA = "=HYPERLINK(1)"
MARKUP = "[/] oops [red]x"
ANSI = "\x1b[31mred"


def toasts(app: PhoneTUI) -> list[str]:
    return [n.message for n in app._notifications]


async def test_the_clear_key_asks_then_takes_the_alert_off_the_phones_that_got_it(app: PhoneTUI, demo: Demo) -> None:
    phones = {p.name: p for p in demo.config.phones}
    got = [phones["sim-0001"], phones["sim-0002"], phones["sim-0003"]]
    async with Pusher(demo.config.defaults, journal=app.journal) as pusher:
        drill = CiscoIPPhoneText("Fire drill", "", "Leave now")
        assert {r.outcome async for r in pusher.push(drill, got, label={"alert": "a1b2", "round": 1})} == {Outcome.OK}
        failed = [r async for r in pusher.push(drill, [phones["sim-0004"]], label={"alert": "a1b2", "round": 1})]
        assert failed[0].outcome is Outcome.AUTH_FAILED  # the demo's wrong password: it never got the alert
        other = CiscoIPPhoneText(text="Unrelated")
        assert [r.outcome async for r in pusher.push(other, [phones["sim-0005"]])] == [Outcome.OK]
    assert app.journal is not None
    app.journal.close()
    assert demo.simulator.phone("sim-0001").screen.text == "Leave now"
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("C")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmModal))
        asked = str(app.screen.query_one("#question").render()) + str(app.screen.query_one("#detail").render())
        assert "Clear alert a1b2 sent " in asked and "to 4 phones (3 took it)?" in asked
        assert "sim-0001" in asked and "sim-0004" not in asked and "3 Init:Services" in asked
        await pilot.press("y")
        await wait_until(pilot, lambda: app.main.pushes_finished == 1, seconds=30)
        assert {app.fleet.states[p.name].result.outcome for p in got} == {Outcome.OK}  # type: ignore[union-attr]
        assert app.fleet.states["sim-0004"].result is None  # no row of the clear
    for name in ("sim-0001", "sim-0002", "sim-0003"):
        screen = demo.simulator.phone(name).screen
        assert (screen.title, screen.text) == ("", ""), name
    assert demo.simulator.phone("sim-0005").screen.text == "Unrelated"
    starts = [r for r in app.journal.records() if r.get("event") == "start"]
    assert starts[-1]["clear"] == "a1b2" and len(starts[-1]["targets"]) == 3


async def test_the_clear_key_without_an_alert_says_so(app: PhoneTUI) -> None:
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("C")
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmModal)
        assert any("No alert in the history" in message for message in toasts(app))
        assert app.main.pushes_finished == 0


async def test_the_clear_key_takes_the_alert_of_these_phones_at_these_addresses(app: PhoneTUI, demo: Demo) -> None:
    """Another fleet's newer alert to the same names is passed over; a phone now elsewhere is a toast."""
    phones = {p.name: p for p in demo.config.phones}

    def start(push: str, when: float, alert: str, hosts: dict[str, str]) -> list[dict[str, Any]]:
        targets = [{"phone": name, "host": host, "mode": "direct"} for name, host in hosts.items()]
        rows = [{"event": "result", "push": push, "phone": name, "outcome": "ok"} for name in hosts]
        head = {"event": "start", "push": push, "time": when, "targets": targets, "alert": alert, "round": 1}
        return [head, *rows, {"event": "end", "push": push, "cancelled": False, "interrupted": False}]

    ours = {"sim-0001": "127.0.0.1:9", "sim-0002": phones["sim-0002"].address}
    theirs = {name: f"127.0.0.2:{9000 + i}" for i, name in enumerate(phones)}
    assert app.journal is not None
    for record in [*start("p1", 1.7e9, "ours", ours), *start("p2", 1.7e9 + 60, "theirs", theirs)]:
        app.journal.append(record)
    app.journal.close()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("C")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmModal))
        asked = str(app.screen.query_one("#question").render()) + str(app.screen.query_one("#detail").render())
        assert "Clear alert ours sent " in asked and "to 2 phones?" in asked
        assert "the phone sim-0002" in asked and "sim-0001" not in asked
        assert any("sim-0001" in m and "another address than the alert went to" in m for m in toasts(app))
        await pilot.press("n")


def alert_journal(path: Path) -> None:
    """An alert in two rounds with acknowledgements, phones' details hostile, as the alert helper writes it."""

    def round_(push: str, when: float, n: int, results: dict[str, tuple[str, str]]) -> list[dict[str, Any]]:
        targets = [{"phone": name, "host": "127.0.0.1:80", "mode": "direct"} for name in results]
        start = {"event": "start", "push": push, "time": when, "object": "CiscoIPPhoneText", "xml": "",
                 "targets": targets, "alert": "a1", "round": n}  # fmt: skip
        rows = [{"event": "result", "push": push, "phone": name, "host": "127.0.0.1:80", "outcome": outcome,
                 "detail": detail, "latency_ms": 9} for name, (outcome, detail) in results.items()]  # fmt: skip
        return [start, *rows, {"event": "end", "push": push, "cancelled": False, "interrupted": False}]

    records = [
        *round_("aaaa00000001", 1.7e9, 0, {"sim-0001": ("ok", MARKUP), FORMULA: ("timeout", ANSI)}),
        {"event": "ack", "alert": "a1", "phone": "sim-0001", "time": 1.7e9 + 20},
        *round_("aaaa00000002", 1.7e9 + 60, 1, {FORMULA: ("ok", "-1")}),
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in records))


async def test_the_export_key_writes_the_whole_alert_as_csv_and_says_where(app: PhoneTUI, tmp_path: Path) -> None:
    assert app.journal is not None
    alert_journal(app.journal.path)
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("h")
        await wait_until(pilot, lambda: isinstance(app.screen, HistoryScreen))
        await pilot.press("e")
        await wait_until(pilot, lambda: isinstance(app.screen, NameModal))
        field = app.screen.query_one(Input)
        suggested = Path(field.value)
        assert suggested.parent == tmp_path / "exports" and suggested.name.startswith("alert-a1-")
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, HistoryScreen))
        await wait_until(pilot, lambda: any("Exported alert a1" in m for m in toasts(app)))
        assert any(str(suggested) in m for m in toasts(app))
        # a path that cannot be written: a clear message, the app goes on, nothing half-written
        await pilot.press("e")
        await wait_until(pilot, lambda: isinstance(app.screen, NameModal))
        app.screen.query_one(Input).value = str(blocker / "x.csv")
        await pilot.press("enter")
        await wait_until(pilot, lambda: any("Export failed" in m for m in toasts(app)))
        failure = next(m for m in toasts(app) if "Export failed" in m)
        assert "no such folder" in failure and "Nothing was written" in failure
        assert app.is_running and isinstance(app.screen, HistoryScreen)
    assert blocker.read_text() == "not a folder"
    table = list(csv.reader(io.StringIO(suggested.read_text(encoding="utf-8"))))
    assert tuple(table[0]) == COLUMNS
    rows = {row[0]: dict(zip(COLUMNS, row, strict=True)) for row in table[1:]}
    assert set(rows) == {"sim-0001", "'" + FORMULA}  # each phone once; the formula guarded
    assert rows["sim-0001"]["detail"] == MARKUP and rows["sim-0001"]["acked_at"].startswith("2023-11-14T")
    assert rows["'" + FORMULA]["outcome"] == "ok" and rows["'" + FORMULA]["detail"] == "'-1"
    # the journal counts rounds from 0; an export, like History, from 1: the second round is 2
    assert rows["'" + FORMULA]["round"] == "2" and rows["'" + FORMULA]["acked_at"] == ""


async def test_the_clear_key_passes_over_a_newer_alert_no_phone_took(app: PhoneTUI, demo: Demo) -> None:
    """C clears the earlier drill still on the screens, and says the newer alert was taken by none."""
    phones = {p.name: p for p in demo.config.phones}
    hosts = {name: phones[name].address for name in ("sim-0001", "sim-0002")}

    def round_(push: str, when: float, alert: str, outcome: str) -> list[dict[str, Any]]:
        targets = [{"phone": name, "host": host, "mode": "direct"} for name, host in hosts.items()]
        rows = [{"event": "result", "push": push, "phone": name, "outcome": outcome} for name in hosts]
        head = {"event": "start", "push": push, "time": when, "targets": targets, "alert": alert, "round": 0}
        return [head, *rows, {"event": "end", "push": push, "cancelled": False, "interrupted": False}]

    assert app.journal is not None
    for record in [*round_("p1", 1.7e9, "drill", "ok"), *round_("p2", 1.7e9 + 60, "nobody", "auth-failed")]:
        app.journal.append(record)
    app.journal.close()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("C")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmModal))
        asked = str(app.screen.query_one("#question").render()) + str(app.screen.query_one("#detail").render())
        assert "Clear alert drill sent " in asked
        assert "The newer alert nobody sent " in asked and "was taken by no phone" in asked
        assert not any("Nothing to clear" in m for m in toasts(app))
        await pilot.press("n")
