"""NO_COLOR: an alert's rows read without colour, each state with its own mark, as the README lists them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from phonetui.demo import Demo
from phonetui.tui import outcomes
from phonetui.tui.widgets.phone_table import PhoneTable

from .conftest import cell, push_and_wait, wait_until
from .test_alert_ui import compose_alert, make_app, press_ack, ten  # noqa: F401 (ten is a fixture)

README = Path(__file__).resolve().parents[2] / "README.md"


async def test_delivered_and_acknowledged_rows_carry_marks_under_no_color(
    ten: Demo,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app(ten, tmp_path)
    phones = {p.name: p for p in ten.config.phones}
    async with app.run_test(size=(80, 24)) as pilot:
        assert app.no_color
        await compose_alert(pilot)
        await push_and_wait(pilot)
        await press_ack(phones["sim-0003"])
        await wait_until(pilot, lambda: "acknowledged" in cell(app, "sim-0003", "result"))
        await pilot.pause()
        table = app.main.query_one(PhoneTable)
        table.move_cursor(row=table.get_row_index("sim-0005"))  # the cursor off both rows

        def drawn(name: str) -> tuple[str, bool]:
            strip = table.render_line(table.get_row_index(name) + 1)
            segment = next(s for s in strip if "delivered" in s.text or "acknowledged" in s.text)
            assert segment.style is not None
            return segment.text.strip(), bool(segment.style.bold)

        text, bold = drawn("sim-0003")
        assert re.fullmatch(r"● acknowledged \d\d:\d\d:\d\d", text) and bold  # whole at 80 columns
        assert drawn("sim-0001") == ("◐ delivered", False)
        assert cell(app, "sim-0004", "result") == "✗ auth-failed"


def test_the_readme_lists_every_mark_the_code_draws() -> None:
    """The NO_COLOR paragraph names each mark with its word; no mark of the code is left out of it."""
    readme = " ".join(README.read_text(encoding="utf-8").split())
    said = readme[readme.index("Set `NO_COLOR=1`") :][:700]
    marks = {
        outcomes.OK_MARK: "ok",
        outcomes.FAILED_MARK: "auth-failed",
        outcomes.CANCELLED_MARK: "cancelled",
        outcomes.PENDING_MARK: "sending",
        outcomes.DELIVERED_MARK: "delivered",
        outcomes.ACKED_MARK: "acknowledged",
    }
    assert len(set(marks)) == len(marks)  # every state its own mark
    for mark, word in marks.items():
        assert f"`{mark} {word}" in said, (mark, word)
