"""The app after a clear: the status line is about the clear, History says what it cleared."""

from __future__ import annotations

from pathlib import Path

from rich.cells import cell_len
from textual.widgets import Static

from phonetui.demo import Demo
from phonetui.tui.screens.history import HistoryScreen
from phonetui.tui.screens.pickers import ConfirmModal
from phonetui.tui.widgets.status_bar import StatusBar

from .conftest import push_and_wait, wait_until
from .test_alert_ui import compose_alert, make_app, status, ten  # noqa: F401  (ten: the fixture)
from .test_history import screen_text


async def test_after_a_clear_the_status_line_counts_the_clear_not_the_alerts_failures(
    ten: Demo,  # noqa: F811
    tmp_path: Path,
) -> None:
    app = make_app(ten, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await compose_alert(pilot)
        await push_and_wait(pilot)
        assert "failed" in status(app)  # sim-0004 and sim-0008 never took the alert
        before = app.main.pushes_finished
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("C")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmModal))
        asked = str(app.screen.query_one("#question").render())
        assert "(8 took it)" in asked, asked
        assert "it)?" in screen_text(app), "the question's end is cut at the dialog's edge"
        await pilot.press("y")
        await wait_until(pilot, lambda: app.main.pushes_finished > before, seconds=30)
        await pilot.pause()
        line = status(app)
        assert "8 ok, 0 failed" in line and "2 failed" not in line, line
        assert "clear of alert " in line and ": 8 of 8 ok in " in line, line  # whole, the counts give way
        assert cell_len(line) <= app.main.query_one(StatusBar).content_size.width, line
        alert_id = app.journal.pushes()[0].start["alert"]  # type: ignore[union-attr]
        await pilot.press("h")
        await wait_until(pilot, lambda: isinstance(app.screen, HistoryScreen))
        await pilot.pause()
        detail = str(app.screen.query_one("#push-object", Static).render())  # the newest: the clear
        assert f"clears alert {alert_id}" in detail, detail
        await pilot.press("down")  # the alert's one round
        await pilot.pause()
        detail = str(app.screen.query_one("#push-object", Static).render())
        assert "(its one round)" in detail and "1 rounds" not in detail, detail
