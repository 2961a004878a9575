"""When frames are drawn: the frame timer, input-first flushing, the CPU left to the UI."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from phonetui.tui.app import PhoneTUI
from phonetui.tui.background import leave_a_cpu_to_the_ui
from phonetui.tui.frame_timer import FrameTimer
from phonetui.tui.screens import main as main_screen
from phonetui.tui.widgets.phone_table import PhoneTable

from .conftest import cell, compose_text, wait_until


async def test_screens_draw_through_the_frame_timer(app: PhoneTUI) -> None:
    """Fails if a Textual upgrade stops drawing through ``Screen._update_timer``."""
    async with app.run_test(size=(120, 40)) as pilot:
        timer = app.main._update_timer
        assert isinstance(timer, FrameTimer)
        app.main.query_one(PhoneTable).focus()
        await pilot.pause()
        before, hurried = timer._last_tick, timer._input_until
        await pilot.press("down")
        await wait_until(pilot, lambda: timer._last_tick > before)
        assert timer._input_until > hurried  # the key asked for its frame at once
        assert app.main.query_one(PhoneTable).cursor_row == 1


async def test_a_frame_waits_out_the_interval_unless_the_user_acted(app: PhoneTUI) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        ticks: list[int] = []
        after: list[str] = []

        def tick() -> None:  # as the screen's own callback does: pause until dirty again
            timer.pause()
            ticks.append(len(ticks))

        timer = FrameTimer(app.main, 60.0, callback=tick, pause=True)
        timer._start()
        try:
            timer.resume()  # nothing drawn yet: at once
            await wait_until(pilot, lambda: len(ticks) == 1)
            timer.resume()  # 60 s since the last frame have not passed: it waits
            await pilot.pause(0.3)
            assert len(ticks) == 1
            timer.after_frame(lambda: after.append("flushed"))
            timer.hurry()  # a key: the waiting frame goes out when next asked for
            timer.resume()
            await wait_until(pilot, lambda: len(ticks) == 2 and after == ["flushed"])
        finally:
            timer.stop()


async def test_rows_keep_coming_while_keys_are_held_down(app: PhoneTUI, monkeypatch: pytest.MonkeyPatch) -> None:
    """While keys come, results are drawn after the keys' frames (the timer would hold them back)."""
    monkeypatch.setattr(main_screen, "FLUSH_MAX_WAIT", 3600.0)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("a")
        await compose_text(pilot, "", "x")
        await pilot.press("f5", "y")
        app.main.query_one(PhoneTable).focus()
        seen_while_typing = False
        for number in range(200):
            await pilot.press("down" if number % 2 else "up")
            await pilot.pause(0.05)
            if cell(app, "sim-0001", "result") == "✓ ok":
                seen_while_typing = app.main.push_run is not None  # the slow phone takes 1.5 s more
                break
        assert seen_while_typing
        await wait_until(pilot, lambda: app.main.pushes_finished == 1)


@pytest.mark.skipif(not hasattr(os, "sched_setaffinity"), reason="CPU affinity is Linux only")
def test_push_process_keeps_off_one_cpu() -> None:
    allowed = os.sched_getaffinity(0)
    if len(allowed) < 2:
        pytest.skip("one CPU: nothing to leave to the UI")
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        leave_a_cpu_to_the_ui(child.pid)
        assert os.sched_getaffinity(child.pid) == allowed - {max(allowed)}
        assert os.sched_getaffinity(0) == allowed  # the UI itself stays free to move
    finally:
        child.kill()
        child.wait()


def test_a_child_already_gone_is_no_error() -> None:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    leave_a_cpu_to_the_ui(child.pid)  # raises nothing
