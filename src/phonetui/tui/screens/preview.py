"""The exact bytes before sending: highlighted XML, size against limits, route per phone, a drawing."""

from __future__ import annotations

from rich.syntax import Syntax
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Footer, Static

from ...cisco import CiscoObject, ObjectError, encode
from ...config import Phone
from ...printable import printable
from ...push import Delivery, plan
from ...wording import names_phrase, plural
from ..keys import binding
from ..plain import plain_content
from ..widgets.phone_screen import PhoneScreenView
from .base import PhoneScreen

NAMES_SHOWN = 4


def plan_summary(deliveries: list[Delivery], size: int, charset: str) -> str:
    """How each selected phone will get the object, in a few lines (names drawn as they are)."""
    if not deliveries:
        return f"{size} bytes {charset.upper()}.\nNo phone selected: Esc, then Space / a / t on the phone table."
    smallest = min(deliveries, key=lambda d: d.phone.size_limit)
    lines = [
        f"{size} bytes {charset.upper()}; smallest limit {smallest.phone.size_limit} "
        f"({printable(smallest.phone.name, 24)})",
        f"{plural(len(deliveries), 'phone')}:",
    ]
    for route in ("direct", "via-url", "refused"):
        names = [d.phone.name for d in deliveries if d.route == route]
        if names:
            lines.append(f"  {route}: {names_phrase(names, NAMES_SHOWN)}")
    for d in [d for d in deliveries if d.route != "direct"][:3]:
        lines.append(f"  {printable(d.phone.name, 24)}: {printable(d.reason, 200)}")
    return "\n".join(lines)


class PreviewScreen(PhoneScreen):
    """What will be sent, to whom and how; y copies the XML, F5 sends."""

    BINDINGS = [binding("back"), binding("send"), binding("copy-xml")]

    def __init__(self, obj: CiscoObject, phones: list[Phone]) -> None:
        super().__init__(id="preview")
        self.obj = obj
        self.phones = phones
        self.encodings: dict[str, bytes | ObjectError] = {}
        for charset in sorted({p.charset for p in phones} | {"utf-8"}):
            try:
                self.encodings[charset] = encode(obj, charset)
            except ObjectError as exc:
                self.encodings[charset] = exc
        shown = [c for c in ("utf-8", *self.encodings) if isinstance(self.encodings[c], bytes)]
        self.charset = shown[0] if shown else "utf-8"
        data = self.encodings[self.charset]
        self.xml = data.decode(self.charset) if isinstance(data, bytes) else ""

    def other_charsets(self) -> list[tuple[str, str]]:
        """What phones of another charset get (a line, and their exact XML), or why they cannot get it."""
        lines: list[tuple[str, str]] = []
        for charset, data in self.encodings.items():
            count = sum(p.charset == charset for p in self.phones)
            if charset == self.charset or not count:
                continue
            who = plural(count, "phone")
            if isinstance(data, bytes):
                declared = charset.upper()
                line = f"{who} ({declared}) get the same object declared {declared}, {len(data)} bytes:"
                lines.append((line, data.decode(charset)))
            else:
                lines.append((f"{who} ({charset.upper()}) cannot get it and will be refused: {data}", ""))
        return lines

    def compose(self) -> ComposeResult:
        with Horizontal():
            with VerticalScroll(id="xml-pane") as pane:
                size = len(self.xml.encode(self.charset))
                pane.border_title = plain_content(f"XML, {self.charset.upper()}, {size} bytes")
                yield Static(Syntax(self.xml, "xml", theme="ansi_dark", word_wrap=True), id="xml")
                for line, xml in self.other_charsets():
                    yield Static(line, markup=False, classes="other-charset")
                    if xml:
                        yield Static(Syntax(xml, "xml", theme="ansi_dark", word_wrap=True), classes="other-xml")
            with Vertical(id="side"):
                yield PhoneScreenView(id="drawing")
                yield Static(id="plan", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(PhoneScreenView).show(self.obj)
        mode = self.tui.config.defaults.mode
        deliveries = plan(self.obj, self.phones, mode, can_host=self.tui.object_host() is not None)
        size = len(self.xml.encode(self.charset))
        self.query_one("#plan", Static).update(plan_summary(deliveries, size, self.charset) + f"\nmode: {mode}")

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_copy_xml(self) -> None:
        self.app.copy_to_clipboard(self.xml)
        self.notify("XML copied to the clipboard (OSC 52; in tmux: set -g set-clipboard on).")
