"""Text from outside (a phone, a config, the journal, a request) made safe to put on a terminal.

A phone's reply, a device name in an authentication request or a line of the journal
can hold anything: escape sequences that would move the cursor or clear the screen,
control characters, strings of any length. Markup is a separate matter (the TUI draws
such text as plain ``Text``/``Content``); this module makes every character visible
and bounded, for the TUI and the command line alike.
"""

from __future__ import annotations

import re
import textwrap

from rich.cells import cell_len, set_cell_size

#: C0 controls (but TAB and LF, handled by ``one_line``), DEL and the C1 controls.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_LINE_BREAK = re.compile(r"\r\n|[\n\r\t]")
ELLIPSIS = "…"


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x20:
        return chr(0x2400 + code)  # the Control Pictures block: ␀ ... ␟
    if code == 0x7F:
        return "␡"
    return f"\\x{code:02x}"  # C1: no picture exists


def printable(text: object, limit: int | None = None, one_line: bool = True) -> str:
    """``text`` with every control character shown as a visible symbol, cut to ``limit`` characters.

    With ``one_line``, line breaks and tabs become "⏎" and a space (a table cell, a log
    line); otherwise they are kept (a reply's raw body).
    """
    value = str(text)
    if one_line:
        value = _LINE_BREAK.sub(lambda m: " " if m.group() == "\t" else "⏎", value)
    else:
        value = value.replace("\r\n", "\n")
    value = _CONTROL.sub(_visible, value)
    if limit is not None and len(value) > limit:
        value = value[: max(limit - 1, 0)] + ELLIPSIS
    return value


def fit(text: object, width: int) -> str:
    """``text`` made printable and set to exactly ``width`` terminal cells: cut with "…", or padded.

    Measured in cells, not characters: a CJK character or an emoji takes two, a combining
    mark none, so the columns after it stay in line.
    """
    value = printable(text)
    if cell_len(value) > width:
        return set_cell_size(value, width - 1) + ELLIPSIS
    return set_cell_size(value, width)


def wrapped(text: object, width: int, rows: int) -> list[str]:
    """``text`` made printable and wrapped at spaces into at most ``rows`` lines of ``width`` cells.

    What does not fit ends the last line with " …" at a word's end (a word longer than a line
    is cut, with "…"), so a reader knows there is more and no word is cut short unseen.
    """
    if width <= 1 or rows <= 0:
        return []
    value = printable(text)
    lines = textwrap.wrap(value, width, break_on_hyphens=False) or [""]
    if len(lines) > rows:
        rest = " ".join(lines[rows - 1 :])
        last = textwrap.shorten(rest, width, placeholder=" " + ELLIPSIS)
        lines = [*lines[: rows - 1], last if last != ELLIPSIS.strip() else fit(rest, width)]
    return [fit(line, width).rstrip() if cell_len(line) > width else line for line in lines]
