"""The exact XML, wrapped to the pane with a ``↪`` gutter on each continuation.

Soft-wrapped XML read like line breaks: ``<Tit`` at the end of a row and ``le>`` on the next
looked like a title broken in two. Every row gets a two-cell gutter; a row that only continues
the line above starts ``↪``, so the line breaks shown are the XML's own.
"""

from __future__ import annotations

from rich.syntax import Syntax
from rich.text import Text
from textual.geometry import Size
from textual.widget import Widget

GUTTER = 2
CONTINUED = "↪ "


class XmlView(Widget):
    """XML highlighted as Syntax does it, wrapped here so the continuations can be marked."""

    DEFAULT_CSS = "XmlView { height: auto; }"

    def __init__(self, xml: str, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.xml = xml
        self._highlighted = Syntax(xml, "xml", theme="ansi_dark").highlight(xml)
        if self._highlighted.plain.endswith("\n"):  # highlight() ends the code with a line break of its own
            self._highlighted.right_crop(1)
        self._cache: tuple[int, Text] | None = None

    def rows(self, width: int) -> Text:
        """The XML in ``width`` cells: each line wrapped, its continuations marked in the gutter."""
        if self._cache is not None and self._cache[0] == width:
            return self._cache[1]
        room = max(4, width - GUTTER)
        out: list[Text] = []
        for line in self._highlighted.split("\n", allow_blank=True):
            parts = line.wrap(self.app.console, room, overflow="fold", no_wrap=False) if line.cell_len else [Text()]
            for i, part in enumerate(parts):
                gutter = Text(CONTINUED, style="dim") if i else Text(" " * GUTTER)
                out.append(gutter + part)
        text = Text("\n").join(out)
        text.no_wrap = True
        self._cache = (width, text)
        return text

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self.rows(width).split("\n", allow_blank=True))

    def render(self) -> Text:
        return self.rows(self.content_size.width or self.size.width)
