"""The exact bytes before sending: highlighted XML, size against limits, route per phone, a drawing.

With variables, the bytes are one phone's copy; the plan names the largest copy.
"""

from __future__ import annotations

from dataclasses import replace

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Footer, Static

from ...cisco import CiscoIPPhoneText, CiscoObject, ObjectError, Outcome, encode
from ...config import Phone
from ...phone_tls import insecure_warning
from ...printable import printable
from ...push import Delivery, plan
from ...push_plan import largest
from ...tailor import Tailor, with_ack
from ...variables import empty_dn_warning
from ...wording import names_phrase, plural
from .. import outcomes
from ..keys import binding
from ..plain import plain_content, plain_text
from ..widgets.phone_screen import PhoneScreenView
from ..widgets.xml_view import XmlView
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
    """What will be sent, to whom and how; y copies the XML, F5 sends.

    When each phone gets its own copy (``{phone}`` in the text), it shows the copy of one
    phone (``first``, else the first selected); n and p go to the next and previous one.
    """

    BINDINGS = [
        binding("back"),
        binding("send"),
        binding("copy-xml"),
        binding("preview-next"),
        binding("preview-previous"),
    ]

    def __init__(
        self, obj: CiscoObject, phones: list[Phone], tailor: Tailor | None = None, first: str | None = None
    ) -> None:
        super().__init__(id="preview")
        self.obj = obj
        self.phones = phones
        self.tailor = tailor or Tailor()
        #: Each phone gets its own copy: the panes show one phone's.
        self.own_copies = bool(phones) and not self.tailor.same_for_all(obj)
        names = [p.name for p in phones]
        self.index = names.index(first) if first in names else 0
        self.deliveries: list[Delivery] | None = None
        self._show()

    @property
    def phone(self) -> Phone | None:
        """The phone whose copy is shown (None: every phone gets the same object)."""
        return self.phones[self.index] if self.own_copies else None

    def _show(self) -> None:
        """What the panes show: the chosen phone's copy, or the object every phone gets."""
        phone = self.phone
        shown: CiscoObject = self.tailor.common(self.obj)
        if phone is not None:
            try:
                shown = self.tailor.object_for(self.obj, phone)
            except Exception:  # an alert without this phone's token: show the object as composed
                shown = self.obj
        elif not self.phones and self.tailor.ack is not None and isinstance(shown, CiscoIPPhoneText):
            # no phone selected: an alert still shows the Ack key every copy gets (a stand-in token)
            stand_in = Phone("any phone", "127.0.0.1")
            shown = with_ack(shown, replace(self.tailor.ack, tokens={stand_in.name: "x" * 22}), stand_in)
        self.shown = shown
        self.encodings: dict[str, bytes | ObjectError] = {}
        own_charset = [phone.charset] if phone is not None else []
        charsets = [*own_charset, *sorted({p.charset for p in self.phones} | {"utf-8"})]
        for charset in dict.fromkeys(charsets):
            try:
                self.encodings[charset] = encode(shown, charset)
            except ObjectError as exc:
                self.encodings[charset] = exc
        first = [*own_charset, "utf-8"]
        usable = [c for c in (*first, *self.encodings) if isinstance(self.encodings[c], bytes)]
        self.charset = usable[0] if usable else "utf-8"
        data = self.encodings[self.charset]
        self.xml = data.decode(self.charset) if isinstance(data, bytes) else ""

    def other_charsets(self) -> list[tuple[str, str]]:
        """What phones of another charset get (a line, and their exact XML), or why they cannot get it."""
        lines: list[tuple[str, str]] = []
        phone = self.phone
        if phone is not None:
            data = self.encodings.get(phone.charset)
            if not isinstance(data, bytes):
                lines.append((f"{phone.name} ({phone.charset.upper()}) cannot get its copy: {data}", ""))
            return lines
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

    def plan(self) -> list[Delivery]:
        """How each phone gets the object (computed once: a template with many phones takes a while)."""
        if self.deliveries is None:
            can_host = self.tui.object_host() is not None
            mode = self.tui.config.defaults.mode
            self.deliveries = plan(self.obj, self.phones, mode, can_host=can_host, tailor=self.tailor)
        return self.deliveries

    def refused(self) -> str:
        """What the pane says first when the copy shown will not be sent (or, one object for all, who
        will not get it): the route plan's own reason. '' when every phone shown gets it."""
        deliveries = self.plan()
        phone = self.phone
        if phone is not None:
            mine = next((d for d in deliveries if d.phone is phone), None)
            if mine is None or mine.route != "refused":
                return ""
            return f"✗ REFUSED: nothing is sent to {phone.name}. {mine.reason[:1].upper()}{mine.reason[1:]}"
        refused = [d for d in deliveries if d.route == "refused"]
        if not refused:
            return ""
        first = refused[0]
        who = names_phrase([d.phone.name for d in refused], NAMES_SHOWN)
        return f"✗ REFUSED, not sent to {who} ({printable(first.phone.name, 24)}: {first.reason})"

    def body(self) -> list[Static | XmlView]:
        """The pane's lines for the copy shown: refused or not, whose it is, its XML, other charsets."""
        widgets: list[Static | XmlView] = []
        refused = self.refused()
        if refused:
            style = outcomes.style(Outcome.REFUSED, self.tui.no_color)
            widgets.append(Static(plain_text(refused, 600, style), id="refused"))
        if self.phone is not None:
            where = f"{self.index + 1} of {len(self.phones)}"
            keys = f"{self.tui.key_for('preview-next')} next, {self.tui.key_for('preview-previous')} previous"
            line = f"Each phone gets its own copy: this is {self.phone.name}'s ({where}; {keys})."
            widgets.append(Static(line, markup=False, id="copy-of"))
        widgets.append(XmlView(self.xml, id="xml"))
        for line, xml in self.other_charsets() if not (refused and self.phone) else []:
            widgets.append(Static(line, markup=False, classes="other-charset"))
            if xml:
                widgets.append(XmlView(xml, classes="other-xml"))
        return widgets

    def compose(self) -> ComposeResult:
        with Horizontal():
            with VerticalScroll(id="xml-pane"):
                yield Vertical(*self.body(), id="xml-body")
            with Vertical(id="side"):
                yield PhoneScreenView(id="drawing")
                yield Static(id="plan", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.fill()

    def fill(self) -> None:
        """The pane's title, the drawing and the plan, for the copy shown."""
        size = len(self.xml.encode(self.charset))
        title = f"XML, {self.charset.upper()}, {size} bytes"
        if self.phone is not None:
            title = f"{self.phone.name}'s copy, {self.charset.upper()}, {size} bytes"
            title = f"✗ REFUSED {title}" if self.refused() else title
        self.query_one("#xml-pane").border_title = plain_content(title)
        self.query_one(PhoneScreenView).show(self.shown)
        mode = self.tui.config.defaults.mode
        deliveries = self.plan()
        lines = []  # what concerns copies first: at 80 columns the plan is cut at the bottom
        empty_dn = empty_dn_warning(self.obj, self.phones)
        if empty_dn:
            lines.append(f"⚠ {empty_dn}")
        insecure = insecure_warning(self.phones)
        if insecure:
            lines.append(f"⚠ {printable(insecure, 200)}")
        big = largest(deliveries) if self.own_copies else None
        if big is not None:
            limit = big.phone.size_limit
            lines.append(f"largest copy: {printable(big.phone.name, 24)}'s, {big.size} bytes of its {limit}")
        lines.append(plan_summary(deliveries, size, self.charset))
        self.query_one("#plan", Static).update("\n".join(lines) + f"\nmode: {mode}")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """n and p only when phones get copies of their own (else they are not in the footer)."""
        if action in ("next_phone", "previous_phone"):
            return self.own_copies
        return True

    async def _move(self, step: int) -> None:
        if not self.own_copies:
            self.notify("Every phone gets the same object: there is no other copy to show.")
            return
        self.index = (self.index + step) % len(self.phones)
        self._show()
        # The pane's contents alone: a recompose took the footer's keys with it.
        body = self.query_one("#xml-body", Vertical)
        await body.remove_children()
        await body.mount_all(self.body())
        self.query_one("#xml-pane", VerticalScroll).scroll_home(animate=False)
        self.fill()

    async def action_next_phone(self) -> None:
        await self._move(1)

    async def action_previous_phone(self) -> None:
        await self._move(-1)

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_copy_xml(self) -> None:
        self.app.copy_to_clipboard(self.xml)
        self.notify("XML copied to the clipboard (OSC 52; in tmux: set -g set-clipboard on).")
