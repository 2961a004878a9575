"""When frames are drawn: the frame adapter, input-first flushing, the CPU left to the UI.

``phonetui.tui.frame_timer`` works around a defect of Textual 8.2.8 with private names of
Textual's. The first two tests fail, saying what to check, when a Textual upgrade changes
what the adapter relies on, or fixes the defect (then the adapter may be removed).
"""

from __future__ import annotations

import asyncio
import inspect
import math
import os
import re
import subprocess
import sys
from collections.abc import Callable

import pytest
import textual._time
import textual.screen
import textual.timer
from textual.app import App
from textual.screen import Screen
from textual.timer import Timer

from phonetui.tui import pump
from phonetui.tui.app import PhoneTUI
from phonetui.tui.background import leave_a_cpu_to_the_ui
from phonetui.tui.frame_timer import FrameClock
from phonetui.tui.widgets.phone_table import PhoneTable

from .conftest import cell, compose_text, wait_until

ADAPTER = "phonetui/tui/frame_timer.py relies on it (its docstring lists what): adapt the adapter to this Textual"


def parameters(function: Callable[..., object]) -> list[str]:
    return list(inspect.signature(function).parameters)


def test_textual_still_has_what_the_frame_adapter_relies_on() -> None:
    update_timer = inspect.getattr_static(Screen, "_update_timer", None)
    assert isinstance(update_timer, property), f"Screen._update_timer is no longer a property. {ADAPTER}"
    on_update = getattr(Screen, "_on_timer_update", None)
    assert on_update is not None and parameters(on_update) == ["self"], (
        f"Screen._on_timer_update() is gone or takes arguments now. {ADAPTER}"
    )
    handle = getattr(App, "_handle_exception", None)
    assert handle is not None and parameters(handle) == ["self", "error"], (
        f"App._handle_exception(error) is gone or changed. {ADAPTER}"
    )
    called = set(re.findall(r"_update_timer\.(\w+)", inspect.getsource(textual.screen)))
    assert called == {"pause", "resume"}, (
        f"Screen now calls {sorted(called)} on its update timer; FrameClock has pause() and resume(). {ADAPTER}"
    )
    assert {"event_target", "interval", "name", "pause"} <= set(parameters(Timer.__init__)), (
        f"Timer's constructor changed. {ADAPTER}"
    )


async def test_textual_timer_still_lands_a_frame_late_after_a_pause(monkeypatch: pytest.MonkeyPatch) -> None:
    """The defect itself, on a fake clock: a timer paused across several intervals, then asked for
    a frame just after drawing one, draws it 1.5 intervals later, not at the next grid point (0.5)."""
    now = [0.0]

    async def sleep(seconds: float) -> None:
        now[0] += max(seconds, 0.0)
        await asyncio.sleep(0)

    monkeypatch.setattr(textual._time, "get_time", lambda: now[0])
    monkeypatch.setattr(textual.timer, "sleep", sleep)
    frames: list[float] = []

    class Screenlike(Timer):
        """Pauses when it draws, as a screen's update timer does."""

        async def _tick(self, *, next_timer: float, count: int) -> None:
            frames.append(now[0])
            self.pause()

    async def settle() -> None:
        for _ in range(20):
            await asyncio.sleep(0)

    class Target:
        """What the timer would tick for (it keeps only a weak reference)."""

    target = Target()
    timer = Screenlike(target, 1.0, pause=True)  # type: ignore[arg-type]  # a MessagePump is not needed: _tick is replaced
    changed = f"Textual's Timer (textual/timer.py, Timer._run) changed: check whether it still lands late. {ADAPTER}"
    try:
        timer._start()
        timer.resume()
        await settle()  # the first frame at 1.0; then it sits paused
        now[0] = 7.5
        timer.resume()  # the screen got dirty: drawn at once
        await settle()
        timer.resume()  # and again right away: the next grid point is 8.0
        await settle()
    except AttributeError as exc:
        raise AssertionError(f"{changed} ({exc})") from exc
    finally:
        timer.stop()
    assert frames[:2] == [1.0, 7.5], changed
    assert len(frames) == 3, changed
    assert frames[2] - frames[1] == 1.5, (
        "Textual's Timer no longer lands a frame late after a pause (it drew "
        f"{frames[2] - frames[1]} intervals after the last frame, not 1.5): the defect that "
        "phonetui/tui/frame_timer.py works around is fixed, and its pacing may be removed "
        "(keep FrameClock.hurry only if benchmarks/ui_1000.py still needs it)."
    )


async def test_screens_draw_through_the_frame_clock(app: PhoneTUI) -> None:
    """The frame that shows a key is drawn by the screen's FrameClock, at once, and nothing else draws."""
    async with app.run_test(size=(120, 40)) as pilot:
        app.main.query_one(PhoneTable).focus()
        await pilot.pause()
        clock = app.main._update_timer
        before, hurried = clock.last_frame, clock.input_until
        await pilot.press("down")
        await wait_until(pilot, lambda: clock.last_frame > before)
        assert clock.input_until > hurried  # the key asked for its frame at once
        assert app.main.query_one(PhoneTable).cursor_row == 1
        assert app.main._Screen__update_timer is None, f"Textual made its own update timer. {ADAPTER}"  # type: ignore[attr-defined]  # Screen's name-mangled private


async def test_a_frame_waits_out_the_interval_unless_the_user_acted() -> None:
    frames: list[int] = []
    after: list[int] = []

    class Screenlike:
        """What FrameClock uses of a screen: whether it runs, and how it draws."""

        is_running = True

        def call_next(self, callback: Callable[[], object]) -> None:
            callback()

        def _on_timer_update(self) -> None:  # as the screen's own does: pause until dirty again
            clock.pause()
            frames.append(len(frames))
            drawn.set()

    async def next_frame() -> None:
        async with asyncio.timeout(5):
            await drawn.wait()
        drawn.clear()

    drawn = asyncio.Event()
    clock = FrameClock(Screenlike(), 60.0)  # type: ignore[arg-type]  # duck-typed: see Screenlike
    try:
        clock.resume()  # nothing drawn yet: at once
        await next_frame()
        clock.resume()  # 60 s since the last frame have not passed: it waits
        await asyncio.sleep(0.3)
        assert len(frames) == 1
        clock.after_frame(lambda: after.append(len(frames)))
        clock.hurry()  # a key: the waiting frame goes out at once
        clock.resume()
        await next_frame()
        assert after == [2]  # run just after that frame, not before it
        clock.input_until = -math.inf  # the key's moment is over: frames wait again
        clock.resume()
        await asyncio.sleep(0.3)
        assert len(frames) == 2
    finally:
        clock.stop()


async def test_rows_keep_coming_while_keys_are_held_down(app: PhoneTUI, monkeypatch: pytest.MonkeyPatch) -> None:
    """While keys come, results are drawn after the keys' frames (the timer would hold them back)."""
    monkeypatch.setattr(pump, "FLUSH_MAX_WAIT", 3600.0)
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
                seen_while_typing = app.pump.running  # the slow phone takes 1.5 s more
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
