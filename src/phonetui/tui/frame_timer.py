"""The frame adapter: a screen draws at most 60 frames a second, but never later than it must.

Textual draws a screen from a 60 Hz ``Timer`` that is paused whenever nothing is dirty and
resumed when something is, and that keeps the grid it started on. After sitting paused, its
catch-up step lands one grid step too far. Textual 8.2.8, ``textual/timer.py``, line 163, in
``Timer._run``::

    count = int((now - start) / _interval + 1)

after which ``next_timer = start + (count + 1) * _interval`` is one to two intervals away
instead of at the next grid point. The one-line fix is ``count = int((now - start) / _interval)``.
So a frame asked for soon after another waited 17 to 33 ms instead of at most 17; during a
push, with rows redrawn a few times a second, that is what a keypress waited for
(benchmarks/README.md, target 3: busy p95 36.8 ms before this adapter, 8.7 ms with it).

``FrameClock`` stands in for that timer: it waits only what is left of the interval since the
last frame and, for a moment after a key or a click (``hurry``), not at all, so the frame that
shows the user's input goes out as soon as it is ready. Input arrives at human speed, so this
never floods the terminal. ``after_frame`` runs work just after the next frame, so that it does
not delay it: the result pump's batches while keys come. (With Textual's ``call_after_refresh``
instead, the keypress ratio of benchmarks/ui_1000.py went from 1.2 to 1.9: its callbacks run at
the screen's next idle moment, which need not wait for the key's frame.) The clock runs on the
event loop's own (``call_at``), so none of ``Timer``'s private machinery is used. What it still
relies on, all private to Textual and each checked by ``tests/tui/test_frames.py``:

- ``Screen._update_timer``, the property replaced here; the screen calls only its ``pause()``
  and ``resume()``;
- ``Screen._on_timer_update()``, which draws a frame;
- ``App._handle_exception(error)``, where an error while drawing goes, as from Textual's timer.

That test also fails, saying so, once Textual's timer no longer lands late: then the pacing
here may be removed (``hurry`` alone still earns its keep if the keypress benchmark says so).
"""

from __future__ import annotations

import asyncio
import contextvars
import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from textual import events
from textual.screen import UPDATE_PERIOD, Screen
from textual.timer import Timer

if TYPE_CHECKING:
    from textual.app import App

#: After a key or click, frames go out without waiting this long.
INPUT_SECONDS = 0.05
#: Input whose effect on screen should not wait for the interval.
INPUT_EVENTS = (events.Key, events.MouseDown, events.MouseScrollDown, events.MouseScrollUp)


class FrameClock(Timer):
    """A screen's frame timer (see the module's docstring).

    A ``Timer`` by type, for the screen that holds it; it is never started as one.
    """

    def __init__(self, screen: Screen[object], interval: float = UPDATE_PERIOD) -> None:
        super().__init__(screen, interval, name="screen_update", pause=True)
        self.screen = screen
        self.interval = interval
        #: When the last frame was drawn, and until when input makes frames go out at once (loop time).
        self.last_frame = -math.inf
        self.input_until = -math.inf
        self._due = math.inf
        self._handle: asyncio.Handle | None = None
        self._after_frame: list[Callable[[], object]] = []
        self._context = contextvars.copy_context()  # the screen's, as a Textual timer's task would have

    def hurry(self, seconds: float = INPUT_SECONDS) -> None:
        """The user acted: the next frames should not wait for the interval."""
        self.input_until = asyncio.get_running_loop().time() + seconds

    def after_frame(self, callback: Callable[[], object]) -> None:
        """Call back (on the screen) once the next frame is out: work that should not delay it."""
        self._after_frame.append(callback)

    def resume(self) -> None:
        """Something is dirty: draw when the interval since the last frame is over (at once after input)."""
        loop = asyncio.get_running_loop()
        now = loop.time()
        due = now if now < self.input_until else max(now, self.last_frame + self.interval)
        if self._handle is not None:
            if due >= self._due:
                return
            self._handle.cancel()
        self._due = due
        self._handle = loop.call_at(due, self._frame, context=self._context)

    def pause(self) -> None:
        """Nothing to draw (or just drawn): no frame until resumed."""
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None
        self._due = math.inf

    def stop(self) -> None:
        self.pause()

    def _frame(self) -> None:
        self._handle, self._due = None, math.inf
        screen = self.screen
        if not screen.is_running:
            return
        self.last_frame = asyncio.get_running_loop().time()
        try:
            screen._on_timer_update()
        except Exception as error:  # as Textual's timer does: the app shows it and ends
            screen.app._handle_exception(error)
        if self._after_frame:
            callbacks, self._after_frame = self._after_frame, []
            for callback in callbacks:
                screen.call_next(callback)


class PromptFrames:
    """Mixed into a Screen: its frames come from a `FrameClock`, in place of Textual's ``_update_timer``."""

    _frame_clock: FrameClock | None = None

    @property
    def _update_timer(self) -> FrameClock:
        if self._frame_clock is None:
            assert isinstance(self, Screen), "PromptFrames is mixed into a Screen"
            self._frame_clock = FrameClock(self)
        return self._frame_clock

    def hurry_frames(self) -> None:
        """The user acted on this screen: show the result without waiting."""
        self._update_timer.hurry()

    def after_frame(self, callback: Callable[[], object]) -> None:
        """Run ``callback`` once the next frame is out (see the module's docstring)."""
        self._update_timer.after_frame(callback)


def hurry_for_input(app: App[Any], event: events.Event) -> None:
    """Called by the app for every event: input on its way to the top screen gets its frame at once."""
    if isinstance(event, INPUT_EVENTS) and not event.is_forwarded and app.screen_stack:
        screen = app.screen_stack[-1]
        if isinstance(screen, PromptFrames):
            screen.hurry_frames()
