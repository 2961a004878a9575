"""``R`` after an alert's last automatic round: allowed, and counted as one more round (the README says so)."""

from __future__ import annotations

from pathlib import Path

from phonetui.demo import Demo

from .conftest import push_and_wait, wait_until
from .test_alert_ui import FAILING, compose_alert, make_app, starts, status, ten, toasts

__all__ = ["ten"]  # the fixture, imported for pytest


async def test_r_after_the_last_round_sends_an_extra_round_counted_as_the_next(ten: Demo, tmp_path: Path) -> None:
    app = make_app(ten, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await compose_alert(pilot, repeat="1", max="1")
        await push_and_wait(pilot)
        await wait_until(pilot, lambda: app.main.pushes_finished == 2, seconds=20)  # round 0, then repeat 1
        await wait_until(pilot, lambda: not app.pump.running and not app.alerting.repeating)
        assert "repeat" not in status(app), "no automatic round is left"
        await pilot.press("R")
        await wait_until(pilot, lambda: app.main.pushes_finished == 3, seconds=20)
        assert any("Repeat 2: 8 phones." in m for m in toasts(app))
        await pilot.pause(1.5)
        assert app.main.pushes_finished == 3 and not app.alerting.repeating, "no automatic round follows it"
    records = starts(app)
    assert [r["round"] for r in records] == [0, 1, 2]
    assert {t["phone"] for t in records[2]["targets"]} == {p.name for p in ten.config.phones} - FAILING
