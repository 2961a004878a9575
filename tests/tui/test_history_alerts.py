"""History tells an alert as one story: each round's row names the alert, its round and the acks."""

from __future__ import annotations

import time
from typing import Any

from textual.widgets import DataTable, Input, Static

from phonetui.cisco import CiscoIPPhoneText
from phonetui.tui.app import PhoneTUI
from phonetui.tui.screens.history import HistoryScreen
from phonetui.tui.widgets.alert_fields import TickBox

from .conftest import wait_until
from .test_history import cells, screen_text, text_xml

T0 = 1.7e9
ALERT = "AbCdEf123456xyzQ"
UGLY = "[/] 🔥 [bold]x"


def hms(stamp: float) -> str:
    return time.strftime("%H:%M:%S", time.localtime(stamp))


def alert_journal() -> list[dict[str, Any]]:
    """An alert in two rounds (the second to the phone that failed), two acks, and an ugly second alert."""
    xml = text_xml(CiscoIPPhoneText(title="Fire drill", text="Leave by the east stairs"))

    def start(push: str, when: float, names: list[str], alert: str, number: int) -> dict[str, Any]:
        targets = [{"phone": n, "host": "127.0.0.1:5060", "mode": "direct"} for n in names]
        return {"event": "start", "push": push, "time": when, "object": "CiscoIPPhoneText", "xml": xml,
                "targets": targets, "alert": alert, "round": number}  # fmt: skip

    def result(push: str, name: str, outcome: str = "ok") -> dict[str, Any]:
        return {"event": "result", "push": push, "phone": name, "outcome": outcome, "latency_ms": 3}

    def ack(name: str, when: float, alert: str = ALERT) -> dict[str, Any]:
        return {"event": "ack", "alert": alert, "phone": name, "time": when}

    return [
        start("r0", T0, ["sim-0001", "sim-0002", "sim-0003"], ALERT, 0),
        result("r0", "sim-0001"), result("r0", "sim-0002"), result("r0", "sim-0003", "timeout"),
        {"event": "end", "push": "r0", "cancelled": False},
        ack("sim-0001", T0 + 5), ack("sim-0001", T0 + 50),  # a second press counts once, at the first
        ack(UGLY, T0 + 6),  # a phone the alert never went to is not counted
        start("r1", T0 + 60, ["sim-0003"], ALERT, 1),
        result("r1", "sim-0003"),
        {"event": "end", "push": "r1", "cancelled": False},
        ack("sim-0003", T0 + 70),
        start("u0", T0 + 120, [UGLY], UGLY, 0), result("u0", UGLY),
        {"event": "end", "push": "u0", "cancelled": False},
        ack(UGLY, T0 + 125, UGLY),
    ]  # fmt: skip


async def test_rounds_of_an_alert_show_the_alert_the_round_and_the_acks(app: PhoneTUI) -> None:
    assert app.journal is not None
    for record in alert_journal():
        app.journal.append(record)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("h")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, HistoryScreen)
        pushes = screen.query_one("#pushes", DataTable)
        results = screen.query_one("#push-results", DataTable)
        rows = cells(pushes)  # newest first: the ugly alert, then round 2, then round 1
        assert rows[0][2].startswith("alert [/]  round 1\nacked 1 of 1")  # the id cut to 4 characters
        assert rows[1][2].startswith("alert AbCd round 2\nacked 2 of 3 · Fir")
        assert rows[2][2].startswith("alert AbCd round 1\nacked 2 of 3 · Fir")
        drawn = screen_text(app)
        assert "alert AbCd round 2" in drawn and "acked 2 of 3" in drawn and "alert [/]  round 1" in drawn

        await pilot.press("down")  # round 2: its one phone, acked after it; the story of the whole alert
        await pilot.pause()
        detail = str(screen.query_one("#push-object", Static).render())
        assert f"alert {ALERT} round 2 · acked 2 of 3 (its 2 rounds)" in detail
        assert "took it, not acknowledged: the phone sim-0002" in detail and "never took it" not in detail
        assert [row[:3] for row in cells(results)] == [["sim-0003", "ok", f"acked {hms(T0 + 70)}"]]

        await pilot.press("down")  # round 1: sim-0003's ack (in round 2) shows here too
        await pilot.pause()
        assert [row[:3] for row in cells(results)] == [
            ["sim-0001", "ok", f"acked {hms(T0 + 5)}"],
            ["sim-0002", "ok", ""],
            ["sim-0003", "timeout", f"acked {hms(T0 + 70)}"],
        ]
        assert f"acked {hms(T0 + 5)}" in screen_text(app)
        results.focus()
        await pilot.press("enter")  # the phone's result in full says it too
        await pilot.pause()
        full = str(app.screen.query_one("#result-text", Static).render())
        assert f"Ack      acked {hms(T0 + 5)}" in full and f"Alert    alert {ALERT} round 1" in full


async def test_a_wide_history_shows_a_round_on_one_line(app: PhoneTUI) -> None:
    assert app.journal is not None
    for record in alert_journal():
        app.journal.append(record)
    async with app.run_test(size=(160, 40)) as pilot:
        await pilot.press("h")
        await pilot.pause()
        rows = cells(app.screen.query_one("#pushes", DataTable))
        assert rows[1][2].startswith("alert AbCdEf round 2 · acked 2 of 3 · Fire drill — Leave")


async def test_an_alerts_round_goes_back_to_the_form_as_an_alert_and_is_not_pushed_without_its_key(
    app: PhoneTUI,
) -> None:
    """Pushed again as it was journalled, an alert's Text would have no Ack key: p and f say so, Enter loads it
    with "Ask for acknowledgement" ticked."""
    assert app.journal is not None
    for record in alert_journal():
        app.journal.append(record)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("h")
        await pilot.pause()
        await pilot.press("down")  # round 2 of the drill
        await pilot.pause()
        for key in ("p", "f"):
            await pilot.press(key)
            await pilot.pause()
            assert isinstance(app.screen, HistoryScreen), key
        said = [n.message for n in app._notifications]
        assert sum("round of alert AbCdEf round 2" in m and "Ack key" in m for m in said) == 2
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.screen is app.compose_screen)
        form = app.compose_screen
        assert form.query_one("#title", Input).value == "Fire drill"
        assert form.query_one("#ack-on", TickBox).value
    assert len(list(app.journal.records())) == len(alert_journal()), "nothing was pushed"
