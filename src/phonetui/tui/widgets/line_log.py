"""A scrolling log of styled lines that appends in batches without a layout pass.

RichLog lays out the screen again for every line written; at a thousand replies in a
few seconds that is what makes keys feel slow. This log changes only its own virtual
height and scrollbar and repaints itself; the screen is laid out again only when the
scrollbar appears or goes.

It follows its newest line unless the user scrolled up; then it stays where the user
put it and its border subtitle counts the lines that wait below, until the user is back
at the end (End, the wheel, the scrollbar, or a click on that count).

Why following is a flag and not "is the view at the end now": Textual ignores a
``scroll_to`` on a widget whose scrollbar is not shown yet (``allow_vertical_scroll``),
and the scrollbar is only shown at the next layout. The first batch written into an
empty log, if bigger than the view, was never scrolled to, so the view sat at line 0
and every later batch concluded that the user had scrolled away: the log stayed on its
first lines for good. Here following is turned off only by a scroll away from the end
(where it is headed, so a key's scroll counts before it has moved), and this widget's
own scrolls are forced.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable

from rich.segment import Segment
from rich.text import Text
from textual import events
from textual.cache import LRUCache
from textual.content import Content
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from ...printable import ELLIPSIS

#: Rendered lines kept, by line number: a few screens' worth, for scrolling back and forth.
CACHE_LINES = 512


class LineLog(ScrollView, can_focus=True):
    """The newest ``max_lines`` lines; follows the end unless scrolled back."""

    # The count of new lines sits on the left of the bottom border: notifications cover the right.
    DEFAULT_CSS = """
    LineLog { overflow-x: hidden; background: $surface; border-subtitle-align: left; }
    """

    def __init__(self, max_lines: int = 2000, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.lines: deque[Text] = deque(maxlen=max_lines)
        #: Lines dropped from the front so far: ``lines[i]`` is line number ``dropped + i``.
        #: Numbers are never reused, so a cached rendering can never belong to another line.
        self.dropped = 0
        self._strips: LRUCache[int, Strip] = LRUCache(CACHE_LINES)
        self._following = True
        self._unseen = 0  # lines written since the user scrolled away from the end
        self._shown_count = 0  # what the subtitle says, so it is only set when it changes

    @property
    def following(self) -> bool:
        """True unless the user has scrolled away from the newest line."""
        return self._following

    @property
    def new_below(self) -> int:
        """Lines written since the user scrolled away that are still below the view."""
        if self._following:
            return 0
        below = len(self.lines) - self.scroll_offset.y - self.scrollable_content_region.height
        return max(0, min(self._unseen, below))

    def write(self, line: Text) -> None:
        self.write_lines([line])

    def write_lines(self, lines: Iterable[Text]) -> None:
        """Append lines: follow them if following, else keep the lines in view where they are."""
        batch = lines if isinstance(lines, list) else list(lines)
        if not batch:
            return
        before = len(self.lines)
        self.lines.extend(batch)
        dropped = before + len(batch) - len(self.lines)
        self.dropped += dropped
        self._set_height()
        if self._following:
            self._scroll_y(self.max_scroll_y)
        else:
            self._unseen += len(batch)
            if dropped:  # the content moved up under the view: move the view with it
                self._scroll_y(max(0, self.scroll_y - dropped))
        self._show_count()
        self.refresh()

    def clear(self) -> None:
        self.dropped += len(self.lines)
        self.lines.clear()
        self._strips.clear()
        self._following, self._unseen = True, 0
        self._set_height()
        self._scroll_y(0)
        self._show_count()
        self.refresh()

    def follow(self) -> None:
        """Jump to the newest line and follow again."""
        self._following, self._unseen = True, 0
        self._scroll_y(self.max_scroll_y)
        self._show_count()

    def action_scroll_end(self) -> None:
        self.follow()

    def on_click(self, event: events.Click) -> None:
        """A click on the bottom border, where the count of new lines is, follows again."""
        bottom = self.styles.gutter.bottom
        if bottom and event.y >= self.outer_size.height - bottom:
            self.follow()
            event.stop()

    def _scroll_y(self, y: float) -> None:
        # Forced: Textual drops a scroll while the scrollbar is not shown yet (see the docstring).
        self.scroll_to(y=y, animate=False, force=True)

    def _set_height(self) -> None:
        """The virtual height is the number of lines, set without laying out the screen.

        A layout is only needed when the scrollbar appears or goes (the content gets
        narrower or wider); otherwise only this widget and its scrollbar change.
        """
        size = Size(self.size.width, len(self.lines))
        if size == self.virtual_size:
            return
        view = self.container_size.height
        if not view or (size.height > view) != (self.virtual_size.height > view):
            self.virtual_size = size  # a layout, which shows or hides the scrollbar
            return
        self.set_reactive(LineLog.virtual_size, size)
        self._sync_scrollbar()

    def watch_show_vertical_scrollbar(self, shown: bool) -> None:
        """A scrollbar shown by a layout starts at the top: put it where the view is."""
        if shown:
            self._sync_scrollbar()

    def _sync_scrollbar(self) -> None:
        """Give the scrollbar this log's height, view and position (Textual does it at layout only)."""
        if self.show_vertical_scrollbar:
            bar = self.vertical_scrollbar
            bar.window_virtual_size = self.virtual_size.height
            bar.window_size = self.container_size.height - self.scrollbar_size_horizontal
            bar.position = self.scroll_y

    def watch_scroll_target_y(self, old_value: float, new_value: float) -> None:
        """Where a scroll (a key, the wheel, the scrollbar) is headed decides at once, before it moves.

        Replies are written just after the frame that shows a key: a scroll up that has not
        made its first step yet must not be taken back to the end.
        """
        self._track(new_value)

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        if abs(new_value - self.scroll_target_y) < 0.5:  # arrived; steps of an animation do not count
            self._track(new_value)

    def _track(self, y: float) -> None:
        """The view is (or is headed) at ``y``: following if that is the end."""
        at_end = round(y) >= self.max_scroll_y
        if at_end and not self._following:
            self._unseen = 0
        self._following = at_end
        self._show_count()

    def _show_count(self) -> None:
        count = self.new_below
        if count != self._shown_count:
            self._shown_count = count
            plural = "" if count == 1 else "s"
            self.border_subtitle = Content(f"↓ {count} new line{plural} (End)") if count else None

    def render_line(self, y: int) -> Strip:
        index = self.scroll_offset.y + y
        width = self.scrollable_content_region.width
        if not 0 <= index < len(self.lines):
            return Strip.blank(width, self.rich_style)
        number = self.dropped + index
        strip = self._strips.get(number)
        if strip is None or strip.cell_length != width:
            strip = Strip(self.lines[index].render(self.app.console, end=""))
            if strip.cell_length > width > 1:  # a line longer than the log says so: it ends with "…"
                strip = Strip.join([strip.crop(0, width - 1), Strip([Segment(ELLIPSIS)], 1)])
            strip = strip.apply_style(self.rich_style).crop_extend(0, width, self.rich_style)
            self._strips[number] = strip
        return strip

    def on_resize(self) -> None:
        """A new size: the end may have moved (or come into view), and the virtual width with it."""
        self._set_height()
        if self._following or round(self.scroll_y) >= self.max_scroll_y:
            self.follow()
        else:
            self._show_count()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._strips.clear()
