"""A phone's screen drawn in half blocks (``halfblock.py``): a Line-API widget that renders once per size.

The strips are made when the image, the widget's size or the colour mode changes, and
kept; a frame then only hands out lines. Without an image it draws ``placeholder`` (plain
text: it may carry a phone's words).
"""

from __future__ import annotations

from PIL import Image
from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip
from textual.widget import Widget

from ...printable import printable, wrapped
from ..halfblock import Mode, mode_for, render


def terminal_mode(widget: Widget) -> Mode:
    """The colour mode the app's terminal can show (tests replace this to pin it)."""
    app = widget.app
    return mode_for(app.no_color, app.console.color_system)


class Picture(Widget):
    """An image, fitted to the widget and centred; or a line of text when there is none."""

    DEFAULT_CSS = """
    Picture { height: 1fr; width: 1fr; }
    """

    def __init__(self, image: Image.Image | None = None, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._image = image
        self._placeholder = ""
        self._strips: list[Strip] = []
        self._made_for: tuple[int, int, int, Mode] | None = None
        self._version = 0

    @property
    def image(self) -> Image.Image | None:
        return self._image

    def show(self, image: Image.Image | None, placeholder: str = "") -> None:
        """Draw ``image`` (or, with None, the text ``placeholder``)."""
        self._image = image
        self._placeholder = printable(placeholder, 400)
        self._version += 1
        self.refresh()

    def _lines(self, width: int, height: int) -> list[Strip]:
        key = (self._version, width, height, terminal_mode(self))
        if key != self._made_for:
            self._made_for = key
            image = self._image
            strips = render(image, width, height, key[3]) if image is not None else []
            top = max(0, (height - len(strips)) // 2)
            base = self.rich_style
            lines = [self._centre(strip, width, base) for strip in strips]
            self._strips = [Strip.blank(width, base)] * top + lines
        return self._strips

    @staticmethod
    def _centre(strip: Strip, width: int, base: Style) -> Strip:
        """``strip`` in the middle of ``width`` cells, over the widget's own style (every segment styled)."""
        left = max(0, (width - strip.cell_length) // 2)
        if left:
            strip = Strip([Segment(" " * left), *strip], left + strip.cell_length)
        return strip.crop(0, width).extend_cell_length(width).apply_style(base)

    def render_line(self, y: int) -> Strip:
        width, height = self.size
        base = self.rich_style
        if self._image is None:
            words = wrapped(self._placeholder, width, max(1, height)) if self._placeholder else []
            index = y - max(0, (height - len(words)) // 2)
            if 0 <= index < len(words):
                text = words[index]
                left = max(0, (width - cell_len(text)) // 2)
                strip = Strip([Segment(" " * left + text, base + Style(dim=True))])
                return strip.extend_cell_length(width, base)
            return Strip.blank(width, base)
        lines = self._lines(width, height)
        return lines[y] if y < len(lines) else Strip.blank(width, base)
