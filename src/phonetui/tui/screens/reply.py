"""One phone's reply in full: decoded items or error, and the raw body."""

from __future__ import annotations

import re

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Static

from ...phone_tls import for_the_app
from ...printable import printable
from ...push import PushResult
from ...trust import octet_lines
from .. import outcomes
from ..frame_timer import PromptFrames
from ..keys import binding
from ..plain import plain_content

TITLE_MAX = 60


#: A field from the phone is cut here: the raw body below has it whole.
FIELD_MAX = 500
#: A SHA-256 fingerprint as a ``tls-error`` detail names it.
_FINGERPRINT = re.compile(r"(?:[0-9A-F]{2}:){31}[0-9A-F]{2}")


def _detail_lines(detail: str) -> list[str]:
    """The detail, each fingerprint in it named there and shown below in lines of 16 octets: a fingerprint
    wrapped by the view's edge would split an octet and be hard to compare with the phone's own."""
    found: list[str] = []

    def named(match: re.Match[str]) -> str:
        found.append(match.group())
        return f"fingerprint {len(found)} (below)"

    lines = [f"Detail:   {printable(_FINGERPRINT.sub(named, detail), FIELD_MAX)}"]
    for number, fingerprint in enumerate(found, 1):
        label = f"  {number}:"
        lines += [f"{label if n == 0 else '':<10}{line}" for n, line in enumerate(octet_lines(fingerprint))]
    return lines


def reply_text(result: PushResult, responder: list[str] | None = None) -> Text:
    """Everything known of one phone's answer, as plain text: no markup, every control character visible."""
    p = result.phone
    model = printable(p.model, FIELD_MAX) if p.model else "model unknown"
    latency = f"{result.latency_ms} ms" if result.latency_ms is not None else "- (no answer)"
    lines = [
        f"Phone:    {printable(p.name, FIELD_MAX)} ({printable(p.address, FIELD_MAX)}, {model}, {p.family.name})",
        f"Outcome:  {outcomes.label(result.outcome)}",
        f"Route:    {result.route}",
        f"HTTP:     {result.status if result.status is not None else '-'}",
        f"Latency:  {latency}",
        *_detail_lines(result.detail),
    ]
    if result.hint:
        lines.append(f"Hint:     {printable(for_the_app(result.hint), FIELD_MAX)}")
    if responder is not None:
        lines.append("Built-in responder, for this phone's address:")
        if responder:
            lines += [f"  {line}" for line in responder]
        else:
            lines.append("  nothing heard: the phone's authentication URL points elsewhere, or cannot reach it")
    reply = result.reply
    if reply and reply.items:
        lines.append("Items:")
        for item in reply.items:
            url = printable(item.url, FIELD_MAX) if item.url else "(no URL)"
            data = printable(repr(item.data), FIELD_MAX)
            lines.append(f"  {url}  Status {item.status} ({item.meaning})  Data {data}")
    if reply and reply.error_number is not None:
        text = f": {printable(reply.error_text, FIELD_MAX)}" if reply.error_text else ""
        lines.append(f"Error:    CiscoIPPhoneError {reply.error_number}{text}")
    lines.append("")
    lines.append(f"Raw body ({len(result.body)} bytes):")
    lines.append(printable(result.body.decode("utf-8", "replace"), one_line=False) if result.body else "(empty)")
    return Text("\n".join(lines))


class ReplyScreen(PromptFrames, ModalScreen[None]):
    """The decoded reply and its raw body, for one phone."""

    BINDINGS = [binding("back")]

    def __init__(self, result: PushResult, responder: list[str] | None = None) -> None:
        """``responder``: what the built-in responder answered this phone's address, when it is the auth URL."""
        super().__init__()
        self.result = result
        self.responder = responder

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="reply-box") as box:
            box.border_title = plain_content(f"Reply from {self.result.phone.name}", TITLE_MAX)
            yield Static(reply_text(self.result, self.responder), id="reply-text")
        yield Footer()

    def action_back(self) -> None:
        self.dismiss()
