"""A scrolling log of styled lines that appends in batches without a layout pass.

RichLog lays out the screen again for every line written; at a thousand replies in a
few seconds that is what makes keys feel slow. This log only changes its virtual
height and repaints itself.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable

from rich.text import Text
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

GROWTH = 1024


class LineLog(ScrollView, can_focus=True):
    """The newest ``max_lines`` lines; follows the end unless scrolled back."""

    DEFAULT_CSS = """
    LineLog { overflow-x: hidden; background: $surface; }
    """

    def __init__(self, max_lines: int = 2000, **kwargs: str) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.lines: deque[Text] = deque(maxlen=max_lines)
        self._strips: dict[int, Strip] = {}

    def write(self, line: Text) -> None:
        self.write_lines([line])

    @property
    def max_scroll_y(self) -> int:
        return max(0, len(self.lines) - self.scrollable_content_region.height)

    def write_lines(self, lines: Iterable[Text]) -> None:
        """Append lines; keep following the end if the view was there.

        The virtual height grows in steps of GROWTH lines: changing it lays out the whole
        screen again, which is too slow to do for every batch of replies.
        """
        following = self.scroll_offset.y >= self.max_scroll_y
        self.lines.extend(lines)
        height = -(-len(self.lines) // GROWTH) * GROWTH
        if height != self.virtual_size.height or self.virtual_size.width != self.size.width:
            self.virtual_size = Size(self.size.width, height)
        if following:
            self.scroll_to(y=self.max_scroll_y, animate=False, immediate=True)
        self.refresh()

    def clear(self) -> None:
        self.lines.clear()
        self._strips.clear()
        self.virtual_size = Size(self.size.width, 0)
        self.scroll_to(y=0, animate=False, immediate=True)
        self.refresh()

    def render_line(self, y: int) -> Strip:
        index = self.scroll_offset.y + y
        width = self.size.width
        if index >= len(self.lines):
            return Strip.blank(width, self.rich_style)
        line = self.lines[index]
        strip = self._strips.get(id(line))
        if strip is None:
            if len(self._strips) > 4 * max(self.size.height, 10):
                self._strips.clear()
            segments = line.render(self.app.console, end="")
            strip = Strip(segments).apply_style(self.rich_style).crop_extend(0, width, self.rich_style)
            self._strips[id(line)] = strip
        return strip

    def on_resize(self) -> None:
        self._strips.clear()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._strips.clear()
