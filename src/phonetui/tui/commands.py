"""Palette commands that carry outside text: one "Load template: NAME" per template.

Textual's matcher and the palette's help line parse strings as markup, so a template
named ``[/] x`` would end the app; here names are shown as ``Content`` and help is escaped.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from functools import partial
from typing import TYPE_CHECKING, cast

from textual.command import DiscoveryHit, Hit, Provider
from textual.content import Content
from textual.markup import escape

from ..printable import printable

if TYPE_CHECKING:
    from ..config import Template
    from .app import PhoneTUI

NAME_MAX = 60


class TemplateCommands(Provider):
    """Load any template into the form from the palette."""

    def _entries(self) -> list[tuple[str, str, Template]]:
        tui = cast("PhoneTUI", self.app)
        help_text = escape(f"into the form · {tui.key_for('load-template')} lists them too")
        return [(f"Load template: {printable(t.name, NAME_MAX)}", help_text, t) for t in tui.config.templates]

    def _load(self, template: Template) -> Callable[[], Awaitable[None]]:
        return partial(cast("PhoneTUI", self.app).load_template, template)

    async def discover(self) -> AsyncIterator[DiscoveryHit]:
        for title, help_text, template in self._entries():
            yield DiscoveryHit(Content(title), self._load(template), text=title, help=help_text)

    async def search(self, query: str) -> AsyncIterator[Hit]:
        matcher = self.matcher(query)
        for title, help_text, template in self._entries():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, Content(title), self._load(template), text=title, help=help_text)
