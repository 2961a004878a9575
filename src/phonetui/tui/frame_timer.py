"""When a screen draws: at most 60 frames a second, but never later than it must.

Textual draws a screen from a timer that it resumes whenever something is dirty and that
keeps the 60 Hz grid it started on. After the timer has sat paused (a quiet screen), its
catch-up step lands one grid step too far (Textual 8.2.8, ``Timer._run``), so a frame
asked for shortly after another waits 17 to 33 ms. During a push, with rows redrawn a few
times a second, that is what a keypress waited for (benchmarks/README.md, target 3).

``FrameTimer`` waits only what is left of the interval since the last frame, and, for a
moment after a key or a click, not at all: the frame that shows the user's input goes out
as soon as it is ready. Input arrives at human speed, so this never floods the terminal.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Callable
from typing import cast

from textual import _time
from textual.message_pump import MessagePump
from textual.screen import UPDATE_PERIOD
from textual.timer import EventTargetGone, Timer

#: After a key or click, frames go out without waiting this long.
INPUT_SECONDS = 0.05


class FrameTimer(Timer):
    """A screen's update timer (see the module's docstring)."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]  # Timer's own arguments, passed through
        self._last_tick = -math.inf
        self._input_until = -math.inf
        self._wake = asyncio.Event()
        self._after_frame: list[Callable[[], object]] = []

    def hurry(self, seconds: float = INPUT_SECONDS) -> None:
        """The user acted: the next frames should not wait for the interval."""
        self._input_until = _time.get_time() + seconds

    def after_frame(self, callback: Callable[[], object]) -> None:
        """Call back (on the screen) once the next frame is out: work that should not delay it."""
        self._after_frame.append(callback)

    def resume(self) -> None:
        super().resume()
        if _time.get_time() < self._input_until:
            self._wake.set()

    async def _run(self) -> None:
        active: asyncio.Event = self._active
        count = 0
        loop = asyncio.get_running_loop()
        while True:
            await active.wait()
            now = _time.get_time()
            wait = self._last_tick + self._interval - now
            if wait > 0 and now >= self._input_until:
                self._wake.clear()
                alarm = loop.call_later(wait, self._wake.set)
                await self._wake.wait()
                alarm.cancel()
                if not active.is_set():
                    continue
            count += 1
            self._last_tick = _time.get_time()
            try:
                await self._tick(next_timer=self._last_tick, count=count)
            except EventTargetGone:
                break
            if self._after_frame:
                callbacks, self._after_frame = self._after_frame, []
                for callback in callbacks:
                    cast("MessagePump", self.target).call_next(callback)


class PromptFrames:
    """Mixed into a Screen: its frames come from a `FrameTimer`.

    Replaces Textual's private ``Screen._update_timer``; the tests in
    ``tests/tui/test_frames.py`` fail if a Textual upgrade stops using it.
    """

    _frame_timer: FrameTimer | None = None

    @property
    def _update_timer(self) -> FrameTimer:
        if self._frame_timer is None:
            timer = FrameTimer(self, UPDATE_PERIOD, name="screen_update", callback=self._on_timer_update, pause=True)  # type: ignore[attr-defined]  # a mixin: Screen supplies _on_timer_update
            timer._start()
            self._timers.add(timer)  # type: ignore[attr-defined]  # a mixin: the Screen has _timers
            self._frame_timer = timer
        return self._frame_timer

    def after_frame(self, callback: Callable[[], object]) -> None:
        """Run ``callback`` once the next frame is out."""
        self._update_timer.after_frame(callback)

    def hurry_frames(self) -> None:
        """The user acted on this screen: show the result without waiting."""
        self._update_timer.hurry()
