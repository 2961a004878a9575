"""App alerts beside ``phonetui simulate``/``serve`` (acks polled from that service), after a clear, and
when no phone took them; Pilot against the real service and the simulated fleet on loopback."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web
from textual.pilot import Pilot

from phonetui.demo import Demo
from phonetui.history import Journal
from phonetui.tui.app import PhoneTUI
from phonetui.tui.screens.pickers import ConfirmModal
from phonetui.tui.widgets.alert_fields import TickBox

from .conftest import cell, compose_text, push_and_wait, wait_until
from .test_alert_ui import FAILING, press_ack, starts, status, ten, toasts

__all__ = ["ten"]  # the fixture, shared with the alert tests


async def alert_to(pilot: Pilot[int], names: list[str], **fields: str) -> None:
    """Select exactly ``names``, fill a Text, and switch "Ask for acknowledgement" on (and any ticks)."""
    app = pilot.app
    assert isinstance(app, PhoneTUI)
    app.main.redraw(app.fleet.select_only(names))
    await compose_text(pilot, "Fire drill", "Leave by the stairs")
    for tick in ("ack-on", *(f"ack-{name}" for name, value in fields.items() if value == "tick")):
        box = app.screen.query_one(f"#{tick}", TickBox)
        box.focus()
        await pilot.press("space")
        await pilot.pause()
        assert box.value
    for field, value in fields.items():
        if value != "tick":
            app.screen.query_one(f"#ack-{field}").value = value  # type: ignore[attr-defined]
    await pilot.pause()


def beside(demo: Demo, tmp_path: Path) -> PhoneTUI:
    """The app with no service of its own: the demo's service holds the configured address, as
    ``phonetui simulate`` does, so the app's own cannot start."""
    return PhoneTUI(demo.config, journal=Journal(tmp_path / "history.jsonl"))


async def test_an_alert_beside_simulate_registers_there_and_its_acks_reach_the_tally(ten: Demo, tmp_path: Path) -> None:
    app = beside(ten, tmp_path)
    phones = {p.name: p for p in ten.config.phones if p.name not in FAILING}
    url = ten.service.url
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_until(pilot, lambda: app.service_taken)
        assert app.service is not None and not app.service.running
        await alert_to(pilot, sorted(phones))
        await push_and_wait(pilot)
        alert = app.alerting.current
        assert alert is not None and ten.service.alerts.get(alert.id) is not None  # registered over there
        assert status(app).endswith(f"0 of 8 acknowledged, 8 delivered, 0 failed · acks via {url}")
        assert "/ack/" in " ".join(ten.simulator.phone("sim-0001").screen.softkey_urls)

        for count, name in enumerate(("sim-0003", "sim-0001", "sim-0010"), 1):
            assert (await press_ack(phones[name]))["screen"]["text"] == "Thank you"
            await wait_until(pilot, lambda name=name: cell(app, name, "result").startswith("acknowledged "))
            expected = f"{count} of 8 acknowledged, {8 - count} delivered, 0 failed · acks via {url}"
            await wait_until(pilot, lambda expected=expected: status(app).endswith(expected))

        await pilot.press("u")
        await pilot.pause()
        rest = set(phones) - {"sim-0001", "sim-0003", "sim-0010"}
        assert {p.name for p in app.fleet.selected()} == rest
        await pilot.press("R")
        await wait_until(pilot, lambda: app.main.pushes_finished == 2, seconds=30)
        for name in sorted(rest):
            await press_ack(phones[name])
        await wait_until(pilot, lambda: "8 of 8 acknowledged" in status(app))
        assert all(cell(app, name, "result").startswith("acknowledged ") for name in phones)

    records = starts(app)
    assert [(r["alert"], r["round"]) for r in records] == [(alert.id, 0), (alert.id, 1)]
    assert {t["phone"] for t in records[1]["targets"]} == rest
    assert app.journal is not None
    acks = [r for r in app.journal.records() if r.get("event") == "ack"]
    assert len(acks) == 8 and {r["alert"] for r in acks} == {alert.id}  # each once, though polled many times


async def test_a_service_that_goes_away_is_said_on_the_status_line_and_the_app_goes_on(
    ten: Demo, tmp_path: Path
) -> None:
    app, url = beside(ten, tmp_path), ten.service.url
    async with app.run_test(size=(160, 40)) as pilot:
        await wait_until(pilot, lambda: app.service_taken)
        await alert_to(pilot, ["sim-0001", "sim-0002"])
        await push_and_wait(pilot)
        await wait_until(pilot, lambda: status(app).endswith(f"0 failed · acks via {url}"))
        await ten.service.stop()  # simulate ended
        await wait_until(pilot, lambda: status(app).endswith(f"acks via {url}: nothing answers"))
        assert app.is_running and app.alerting.current is not None


@pytest.fixture
async def stranger() -> AsyncIterator[str]:
    """Another program (not phonetui) on loopback: it answers 404 to everything."""
    runner = web.AppRunner(web.Application())
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    yield f"127.0.0.1:{port}"
    await runner.cleanup()


async def test_another_program_at_the_address_is_named_in_one_line_and_nothing_is_sent(
    ten: Demo, tmp_path: Path, stranger: str
) -> None:
    host, port = stranger.split(":")
    assert ten.config.service is not None
    service = dataclasses.replace(ten.config.service, listen_host=host, listen_port=int(port), url=f"http://{stranger}")
    app = PhoneTUI(dataclasses.replace(ten.config, service=service), journal=Journal(tmp_path / "history.jsonl"))
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: app.service_taken)
        await alert_to(pilot, ["sim-0001", "sim-0002"])
        await pilot.press("f5")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmModal))
        detail = str(app.screen.query_one("#detail").render())
        assert f"acknowledgements are heard by the service already listening at http://{stranger}" in detail
        await pilot.press("y")
        await wait_until(pilot, lambda: any("Not sent:" in m for m in toasts(app)))
        said = next(m for m in toasts(app) if "Not sent:" in m)
        assert f"another program (not phonetui) answers at http://{stranger}" in said and "\n" not in said
        assert app.alerting.current is None and app.main.pushes_finished == 0
    assert starts(app) == []
    assert ten.simulator.phone("sim-0001").screen.pushes == 0


async def test_a_clear_ends_the_alert_its_tally_and_its_repeats(ten: Demo, tmp_path: Path) -> None:
    app = PhoneTUI(ten.config, service=ten.service, journal=Journal(tmp_path / "history.jsonl"))
    phone = next(p for p in ten.config.phones if p.name == "sim-0001")
    async with app.run_test(size=(120, 40)) as pilot:
        await alert_to(pilot, ["sim-0001", "sim-0002", "sim-0003"], repeat="30")
        await push_and_wait(pilot)
        await press_ack(phone)
        await wait_until(pilot, lambda: "1 of 3 acknowledged, 2 delivered, 0 failed · repeat 1 in " in status(app))
        await pilot.press("C")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmModal))
        await pilot.press("y")
        await wait_until(pilot, lambda: app.main.pushes_finished == 2, seconds=30)
        assert "acknowledged" not in status(app) and "repeat" not in status(app)
        assert not app.alerting.repeating
        assert "3 ok" in status(app)  # the clear's own counts
        for name in ("sim-0001", "sim-0002", "sim-0003"):
            assert not cell(app, name, "result").startswith(("acknowledged", "delivered")), name
        await pilot.press("R")
        await pilot.pause()
        assert any("No alert to repeat (the last one was cleared)" in m for m in toasts(app))
        assert app.main.pushes_finished == 2
    assert [r.get("clear") for r in starts(app)][-1] is not None


@pytest.mark.parametrize("failed_too", [False, True])
async def test_an_alert_no_phone_took_ends_at_once_unless_repeats_go_to_failed_phones(
    ten: Demo, tmp_path: Path, failed_too: bool
) -> None:
    app = PhoneTUI(ten.config, service=ten.service, journal=Journal(tmp_path / "history.jsonl"))
    fields = {"repeat": "30", "failed": "tick"} if failed_too else {"repeat": "30"}
    async with app.run_test(size=(120, 40)) as pilot:
        await alert_to(pilot, sorted(FAILING), **fields)
        await push_and_wait(pilot)
        await pilot.pause(0.3)
        if failed_too:
            assert app.alerting.repeating and "repeat 1 in " in status(app)
            assert "no phone took" not in status(app)
        else:
            said = "10 phones · 2 selected · 0 of 2 acknowledged, 0 delivered, 2 failed · no phone took the alert"
            assert status(app) == said
            assert not app.alerting.repeating


@pytest.mark.parametrize("how", ["gone", "wrong-password"])
async def test_a_registration_the_service_refuses_or_cannot_take_is_said_and_nothing_is_sent(
    ten: Demo, tmp_path: Path, how: str
) -> None:
    assert ten.config.service is not None
    config = ten.config
    if how == "wrong-password":
        config = dataclasses.replace(config, service=dataclasses.replace(config.service, password="not-it"))
    app = PhoneTUI(config, journal=Journal(tmp_path / "history.jsonl"))
    url = ten.service.url
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: app.service_taken)
        if how == "gone":
            await ten.service.stop()  # simulate ended after the app started
        await alert_to(pilot, ["sim-0001"])
        await pilot.press("f5")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmModal))
        await pilot.press("y")
        await wait_until(pilot, lambda: any("Not sent:" in m for m in toasts(app)))
        said = next(m for m in toasts(app) if "Not sent:" in m)
        if how == "gone":
            assert f"nothing answers at {url} any more: r, then s, starts the app's own responder" in said
        else:
            assert f"{url} refused the [service] credentials" in said
        assert app.alerting.current is None and app.main.pushes_finished == 0
    assert starts(app) == []
