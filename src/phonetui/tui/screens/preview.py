"""The exact bytes before sending: highlighted XML, size against limits, route per phone, a drawing."""

from __future__ import annotations

from collections import Counter

from rich.syntax import Syntax
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Footer, Static

from ...cisco import CiscoObject, encode
from ...config import Phone
from ...push import Delivery, plan
from ..keys import binding
from ..widgets.phone_screen import PhoneScreenView
from .base import PhoneScreen

NAMES_SHOWN = 4


def plan_summary(deliveries: list[Delivery], size: int) -> str:
    """How each selected phone will get the object, in a few lines."""
    if not deliveries:
        return f"{size} bytes.\nNo phone selected: Esc, then Space / a / t on the phone table."
    smallest = min(deliveries, key=lambda d: d.phone.size_limit)
    lines = [
        f"{size} bytes; smallest limit {smallest.phone.size_limit} ({smallest.phone.name})",
        f"{len(deliveries)} phone{'s' if len(deliveries) != 1 else ''}:",
    ]
    routes = Counter(d.route for d in deliveries)
    for route in ("direct", "via-url", "refused"):
        if routes[route]:
            names = [d.phone.name for d in deliveries if d.route == route]
            shown = ", ".join(names[:NAMES_SHOWN]) + (
                f" and {len(names) - NAMES_SHOWN} more" if len(names) > NAMES_SHOWN else ""
            )
            lines.append(f"  {route}: {routes[route]} ({shown})")
    for d in [d for d in deliveries if d.route != "direct"][:3]:
        lines.append(f"  {d.phone.name}: {d.reason}")
    return "\n".join(lines)


class PreviewScreen(PhoneScreen):
    """What will be sent, to whom and how; y copies the XML, F5 sends."""

    BINDINGS = [binding("back"), binding("copy-xml")]

    def __init__(self, obj: CiscoObject, phones: list[Phone]) -> None:
        super().__init__(id="preview")
        self.obj = obj
        self.phones = phones
        charsets = sorted({p.charset for p in phones}) or ["utf-8"]
        self.charset = "utf-8" if "utf-8" in charsets else charsets[0]
        self.xml = encode(obj, self.charset).decode(self.charset)
        self.other_charsets = [c for c in charsets if c != self.charset]

    def compose(self) -> ComposeResult:
        with Horizontal():
            with VerticalScroll(id="xml-pane") as pane:
                pane.border_title = f"XML, {self.charset.upper()}, {len(self.xml.encode(self.charset))} bytes"
                yield Static(Syntax(self.xml, "xml", theme="ansi_dark", word_wrap=True), id="xml")
                for charset in self.other_charsets:
                    size = len(encode(self.obj, charset))
                    yield Static(
                        f"{charset.upper()} phones get the same object declared {charset.upper()} ({size} bytes)."
                    )
            with Vertical(id="side"):
                yield PhoneScreenView(id="drawing")
                yield Static(id="plan", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(PhoneScreenView).show(self.obj)
        mode = self.tui.config.defaults.mode
        deliveries = plan(self.obj, self.phones, mode, can_host=self.tui.object_host() is not None)  # type: ignore[arg-type]
        size = len(self.xml.encode(self.charset))
        self.query_one("#plan", Static).update(plan_summary(deliveries, size) + f"\nmode: {mode}")

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_copy_xml(self) -> None:
        self.app.copy_to_clipboard(self.xml)
        self.notify("XML copied to the clipboard (OSC 52; in tmux: set -g set-clipboard on).")
