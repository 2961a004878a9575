"""Strings that break consoles: one list the tests share, for names, replies, journals and templates.

Each is something a phone, a config, the journal or a user could hand the app. Drawn
anywhere, it must appear literally (control characters as visible symbols, see
``phonetui.printable``), never change the screen, and never end the app.
"""

from __future__ import annotations

import re

from phonetui.printable import printable

HOSTILE: dict[str, str] = {
    "markup-close": "[/] oops [red]x",
    "markup-bold": "[bold]bold?[/bold] [b]",
    "markup-link": "[link=http://evil.example]click[/link]",
    "markup-var": "$accent [@click=app.quit]quit[/]",
    "ansi": "\x1b[31mred\x1b[0m\x1b[2J\x1b]52;c;ZXZpbA==\x07",
    "control": "bell\x07 nul\x00 bs\x08 del\x7f c1\x9b end",
    "long": "L" * 10_000,
    "emoji": "😀🔥📞 ok",
    "combining": "e\u0301 n\u0303 a\u0308\u0308",
    "rtl": "שלום مرحبا",
    "zero-width": "a\u200bb\u200dc\ufeffd",
}

#: What must never reach the screen's text: C0 and C1 controls (an escape would act, not show).
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def shown(value: str, length: int) -> str:
    """The first ``length`` characters of ``value`` as the app draws it (controls made visible)."""
    return printable(value)[:length]


def xml_attribute(value: str) -> str:
    """``value`` escaped for an XML attribute (only for strings XML can carry)."""
    return value.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;").replace(">", "&gt;")


def xml_safe(value: str) -> bool:
    """Whether XML 1.0 can carry ``value`` at all (no C0 controls but TAB, LF, CR)."""
    return not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", value)
