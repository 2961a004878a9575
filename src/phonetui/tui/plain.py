"""Outside text for Textual: never parsed as markup, every character visible (see ``printable``).

Textual parses a ``str`` as content markup in titles, border titles, labels, cells,
options and notifications; a phone answering ``[/]`` would end the app. Build those
from these helpers instead: ``Text`` and ``Content`` are drawn as they are.
"""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.content import Content

from ..printable import printable


def plain_text(value: object, limit: int | None = None, style: str | Style = "", one_line: bool = True) -> Text:
    """A Rich ``Text`` of ``value``, drawn literally."""
    return Text(printable(value, limit, one_line), style=style)


def plain_content(value: object, limit: int | None = None) -> Content:
    """A Textual ``Content`` of ``value`` (for titles, border titles, options), drawn literally."""
    return Content(printable(value, limit))
