"""``R`` twice in quick succession: the first reads as accepted before the second is refused."""

from __future__ import annotations

from pathlib import Path

from phonetui.demo import Demo

from .conftest import push_and_wait, wait_until
from .test_alert_ui import compose_alert, make_app, ten, toasts  # noqa: F401  (ten: the fixture)


async def test_r_r_quickly_says_the_repeat_before_the_busy_push(ten: Demo, tmp_path: Path) -> None:  # noqa: F811
    app = make_app(ten, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await compose_alert(pilot, repeat="30")
        await push_and_wait(pilot)
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("R", "R")
        await wait_until(pilot, lambda: len([m for m in toasts(app) if m.startswith("Repeat 1")]) == 2)
        said = [m for m in toasts(app) if m.startswith("Repeat ") or "already running" in m]
        assert said == ["Repeat 1: 8 phones.", "Repeat 1 is still going out; x cancels it."], said
        await wait_until(pilot, lambda: not app.pump.running, seconds=30)
