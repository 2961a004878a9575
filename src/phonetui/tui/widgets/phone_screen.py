"""A drawing of how an object will look on a phone's screen."""

from __future__ import annotations

import textwrap

from rich.cells import set_cell_size
from textual.widgets import Static

from ...cisco import CiscoIPPhoneExecute, CiscoIPPhoneText, CiscoObject
from ...cisco.limits import PRIORITIES
from ...printable import printable

WIDTH = 32
BODY_LINES = 8


def _row(text: str) -> str:
    """One line of the drawing, cut and padded in terminal cells (CJK and emoji take two)."""
    return f"│{set_cell_size(printable(text), WIDTH)}│"


def draw(obj: CiscoObject) -> str:
    """The screen as box-drawing text: title bar, wrapped body, prompt, softkeys."""
    top, rule, bottom = "┌" + "─" * WIDTH + "┐", "├" + "─" * WIDTH + "┤", "└" + "─" * WIDTH + "┘"
    if isinstance(obj, CiscoIPPhoneExecute):
        lines = [top, _row(" Execute (nothing is drawn)"), rule]
        for i, item in enumerate(obj.items, 1):
            lines += [_row(f" {i}. {item.url}"), _row(f"    {PRIORITIES.get(item.priority, '?')}")]
        return "\n".join([*lines, bottom])
    assert isinstance(obj, CiscoIPPhoneText)
    body: list[str] = []
    for paragraph in obj.text.replace("\r\n", "\n").split("\n"):
        body += textwrap.wrap(paragraph.replace("\t", "    "), WIDTH - 2) or [""]
    shown = body[:BODY_LINES]
    if len(body) > BODY_LINES:
        shown[-1] = f"… {len(body) - BODY_LINES + 1} more lines (phone scrolls)"
    shown += [""] * (BODY_LINES - len(shown))
    keys = sorted(obj.softkeys, key=lambda k: k.position)
    softkeys = " ".join(f"[{k.name[:7]}]" for k in keys[:4]) if keys else "[Exit] (phone's default)"
    lines = [top, _row(f" {obj.title}"), rule, *(_row(f" {line}") for line in shown), rule]
    lines += [_row(f" {obj.prompt}"), _row(f" {softkeys}"), bottom]
    return "\n".join(lines)


class PhoneScreenView(Static):
    """Shows ``draw(obj)``; plain text, so no markup in the message is interpreted."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(markup=False, id=id)

    def show(self, obj: CiscoObject) -> None:
        self.update(draw(obj))
