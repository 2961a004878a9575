"""The reply log follows its newest line unless the user scrolled up, and draws what it holds.

What is checked is what the widget draws (``render_line``), not its scroll offset: the bug
these tests were written for left the offset looking plausible while the screen showed the
first five replies for good.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.text import Text
from textual import events
from textual.app import App, ComposeResult
from textual.pilot import Pilot

from phonetui.demo import Demo
from phonetui.history import Journal
from phonetui.tui.app import PhoneTUI
from phonetui.tui.screens.responder import ResponderScreen
from phonetui.tui.widgets.line_log import LineLog

from .conftest import compose_text, push_and_wait

VIEW = 5  # lines inside a 7-row log with a border, as the main screen's reply log


class LogApp(App[None]):
    """One log the size of the main screen's, nothing else."""

    CSS = "LineLog { height: 7; border: round $secondary; }"

    def __init__(self, max_lines: int = 2000, early: int = 0) -> None:
        super().__init__()
        self.max_lines = max_lines
        self.early = early
        self.written = 0

    def compose(self) -> ComposeResult:
        yield LineLog(max_lines=self.max_lines, id="log")

    def on_mount(self) -> None:
        if self.early:  # before the log has been laid out: its size is not known yet
            self.write(self.early)

    @property
    def log_widget(self) -> LineLog:
        return self.query_one(LineLog)

    def write(self, count: int) -> None:
        """Append ``count`` lines numbered on from the last: "line 0", "line 1", ..."""
        first = self.written
        self.written += count
        self.log_widget.write_lines(Text(f"line {n}") for n in range(first, self.written))


def shown(log: LineLog) -> list[str]:
    """The text of every line the log draws inside its border, as drawn."""
    return [log.render_line(y).text.rstrip() for y in range(log.scrollable_content_region.height)]


def tail(log: LineLog) -> list[str]:
    """The newest lines the log holds, as many as fit, cut to the width it draws them in (with "…")."""
    region = log.scrollable_content_region
    width = region.width
    cut = [p if len(p) <= width else p[: width - 1] + "…" for p in (line.plain for line in log.lines)]
    return [line.rstrip() for line in cut[-region.height :]]


def newest(app: LogApp, count: int = VIEW) -> list[str]:
    """The last ``count`` lines written, then blank rows if fewer were."""
    lines = [f"line {n}" for n in range(max(0, app.written - count), app.written)]
    return lines + [""] * (count - len(lines))


async def settle(pilot: Pilot[Any]) -> None:
    await pilot.pause()
    await pilot.wait_for_scheduled_animations()
    await pilot.pause()


async def test_first_batch_bigger_than_the_view_then_more_batches() -> None:
    """The order of events of a first push: an empty log gets 11 replies, then 1, then a second push's 12."""
    app = LogApp()
    async with app.run_test(size=(60, 12)) as pilot:
        await settle(pilot)
        for batch in (11, 1, 11, 1):
            app.write(batch)
            await settle(pilot)
            assert shown(app.log_widget) == newest(app)
        assert app.log_widget.border_subtitle in ("", None)


async def test_lines_written_before_the_log_has_a_size() -> None:
    """The responder writes its whole history into a log that has not been laid out yet."""
    app = LogApp(early=40)
    async with app.run_test(size=(60, 12)) as pilot:
        await settle(pilot)
        assert shown(app.log_widget) == newest(app)
        app.write(3)
        await settle(pilot)
        assert shown(app.log_widget) == newest(app)


async def test_scrolled_up_stays_put_and_counts_new_lines_until_end() -> None:
    app = LogApp()
    async with app.run_test(size=(60, 12)) as pilot:
        await settle(pilot)
        app.write(30)
        await settle(pilot)
        log = app.log_widget
        log.focus()
        await pilot.press("pageup", "up")
        await settle(pilot)
        before = shown(log)
        assert before != newest(app) and before[0] == "line 19"
        app.write(12)
        await settle(pilot)
        assert shown(log) == before  # new lines do not move the view
        assert log.border_subtitle == "↓ 12 new lines (End)"
        app.write(1)
        await settle(pilot)
        assert shown(log) == before and log.border_subtitle == "↓ 13 new lines (End)"
        await pilot.press("end")
        await settle(pilot)
        assert shown(log) == newest(app) and log.border_subtitle in ("", None)
        app.write(4)  # following again
        await settle(pilot)
        assert shown(log) == newest(app)


async def test_a_scroll_up_is_not_undone_by_lines_that_arrive_before_it_moves() -> None:
    """The main screen writes a batch just after the frame that shows a key: the key's scroll has not moved yet."""
    app = LogApp()
    async with app.run_test(size=(60, 12)) as pilot:
        await settle(pilot)
        app.write(30)
        await settle(pilot)
        log = app.log_widget
        log.focus()
        log.action_page_up()  # the key, handled; its animation has not made a step yet
        app.write(3)
        await settle(pilot)
        assert not log.following
        assert shown(log) == [f"line {n}" for n in range(20, 25)]
        assert log.border_subtitle == "↓ 3 new lines (End)"


async def test_scrolling_down_to_the_end_follows_again() -> None:
    app = LogApp()
    async with app.run_test(size=(60, 12)) as pilot:
        await settle(pilot)
        app.write(20)
        await settle(pilot)
        log = app.log_widget
        log.focus()
        await pilot.press("up", "up")
        await settle(pilot)
        app.write(2)
        await settle(pilot)
        assert log.border_subtitle == "↓ 2 new lines (End)"
        await pilot.press("down", "down", "down", "down")
        await settle(pilot)
        assert shown(log) == newest(app) and log.border_subtitle in ("", None)
        app.write(3)
        await settle(pilot)
        assert shown(log) == newest(app)


async def test_the_mouse_wheel_leaves_the_end_and_comes_back() -> None:
    app = LogApp()
    async with app.run_test(size=(60, 12)) as pilot:
        await settle(pilot)
        app.write(20)
        await settle(pilot)
        log = app.log_widget

        def wheel(event: type[events.MouseScrollUp | events.MouseScrollDown]) -> None:
            log.post_message(event(log, 5, 2, 0, 0, 0, False, False, False))

        wheel(events.MouseScrollUp)
        await settle(pilot)
        app.write(2)
        await settle(pilot)
        assert not log.following and log.border_subtitle == "↓ 2 new lines (End)"
        for _ in range(10):
            wheel(events.MouseScrollDown)
        await settle(pilot)
        assert log.following and shown(log) == newest(app) and log.border_subtitle in ("", None)


async def test_a_click_on_the_count_follows_again() -> None:
    app = LogApp()
    async with app.run_test(size=(60, 12)) as pilot:
        await settle(pilot)
        app.write(20)
        await settle(pilot)
        log = app.log_widget
        log.focus()
        await pilot.press("home")
        await settle(pilot)
        app.write(6)
        await settle(pilot)
        assert shown(log)[0] == "line 0" and log.border_subtitle == "↓ 6 new lines (End)"
        await pilot.click(LineLog, offset=(log.outer_size.width - 10, log.outer_size.height - 1))
        await settle(pilot)
        assert shown(log) == newest(app) and log.border_subtitle in ("", None)


async def test_no_stale_line_after_5000_lines_through_a_2000_line_log() -> None:
    """Lines are dropped from the front; what is drawn is still the text of the line at that place."""
    app = LogApp(max_lines=2000)
    async with app.run_test(size=(60, 12)) as pilot:
        await settle(pilot)
        log = app.log_widget
        for batch in (1, 6, *[500] * 9, 37, 456):  # big batches, as from a push to a thousand phones
            app.write(batch)
            await settle(pilot)
            assert shown(log) == newest(app)
        assert app.written == 5000 and len(log.lines) == 2000
        log.focus()
        for key in ("pageup", "home", "pagedown", "pagedown", "down"):
            await pilot.press(key)
            await settle(pilot)
            top = round(log.scroll_y)
            assert shown(log) == [f"line {3000 + top + y}" for y in range(VIEW)]


async def test_scrolled_up_view_keeps_its_lines_while_old_ones_are_dropped() -> None:
    app = LogApp(max_lines=100)
    async with app.run_test(size=(60, 12)) as pilot:
        await settle(pilot)
        app.write(100)
        await settle(pilot)
        log = app.log_widget
        log.focus()
        await pilot.press("pageup", "pageup")
        await settle(pilot)
        before = shown(log)
        app.write(30)  # the 30 oldest lines go; the ones in view stay in view
        await settle(pilot)
        assert shown(log) == before and log.border_subtitle == "↓ 30 new lines (End)"


async def test_virtual_height_is_the_number_of_lines() -> None:
    """The scrollbar is drawn for the lines there are, not for a rounded-up height."""
    app = LogApp(max_lines=2000)
    async with app.run_test(size=(60, 12)) as pilot:
        await settle(pilot)
        log = app.log_widget
        app.write(3)
        await settle(pilot)
        assert log.virtual_size.height == 3 and not log.show_vertical_scrollbar
        app.write(9)
        await settle(pilot)
        assert log.virtual_size.height == 12 and log.show_vertical_scrollbar
        assert log.vertical_scrollbar.window_virtual_size == 12
        assert log.vertical_scrollbar.window_size == VIEW
        assert log.vertical_scrollbar.position == 12 - VIEW
        app.write(3000)
        await settle(pilot)
        assert log.virtual_size.height == 2000 == log.vertical_scrollbar.window_virtual_size
        assert log.vertical_scrollbar.position == 2000 - VIEW
        log.clear()
        await settle(pilot)
        assert log.virtual_size.height == 0 and not log.show_vertical_scrollbar and shown(log) == [""] * VIEW
        app.write(8)
        await settle(pilot)
        assert shown(log) == newest(app)


# -- the app's own logs -----------------------------------------------------------------------


async def test_second_push_replies_are_shown_at_80x24(demo: Demo, tmp_path: Path) -> None:
    pushes = iter(range(1, 100))
    stamp = {"now": "push-0"}
    app = PhoneTUI(demo.config, service=demo.service, journal=Journal(tmp_path / "h.jsonl"), clock=lambda: stamp["now"])
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("a")
        for _ in range(2):
            stamp["now"] = f"push-{next(pushes)}"
            await compose_text(pilot, "Notice", stamp["now"])
            await push_and_wait(pilot)
            await pilot.press("escape")
            await settle(pilot)
        log = app.main.query_one("#replies", LineLog)
        assert len(log.lines) == 24
        assert shown(log) == tail(log)
        assert all(line.startswith("push-2 ") for line in shown(log))


async def test_responder_log_opens_on_its_newest_events(app: PhoneTUI, demo: Demo) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("a")
        for text in ("first", "second"):  # 22 authentications: more than the log shows at once
            await compose_text(pilot, "", text)
            await push_and_wait(pilot)
            await pilot.press("escape")
        await pilot.press("r")
        await settle(pilot)
        assert isinstance(app.screen, ResponderScreen)
        log = app.screen.query_one("#auth-log", LineLog)
        assert len(log.lines) == len(demo.service.events) > log.scrollable_content_region.height
        assert shown(log) == tail(log)
