"""One phone's reply in full: decoded items or error, and the raw body."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Static

from ...push import PushResult
from ..frame_timer import PromptFrames
from ..keys import binding


def reply_text(result: PushResult) -> Text:
    """Everything known of one phone's answer, as plain text (no markup is interpreted)."""
    p = result.phone
    lines = [
        f"Phone:    {p.name} ({p.address}, {p.model or 'model unknown'}, {p.family.name})",
        f"Outcome:  {result.outcome}",
        f"Route:    {result.route}",
        f"HTTP:     {result.status if result.status is not None else '-'}",
        f"Latency:  {result.latency_ms if result.latency_ms is not None else '-'} ms",
        f"Detail:   {result.detail}",
    ]
    reply = result.reply
    if reply and reply.items:
        lines.append("Items:")
        lines += [f"  {item.url or '(no URL)'}  Status {item.status} ({item.meaning})  Data {item.data!r}"
                  for item in reply.items]  # fmt: skip
    if reply and reply.error_number is not None:
        lines.append(
            f"Error:    CiscoIPPhoneError {reply.error_number}" + (f": {reply.error_text}" if reply.error_text else "")
        )
    lines.append("")
    lines.append(f"Raw body ({len(result.body)} bytes):")
    lines.append(result.body.decode("utf-8", "replace") if result.body else "(empty)")
    return Text("\n".join(lines))


class ReplyScreen(PromptFrames, ModalScreen[None]):
    """The decoded reply and its raw body, for one phone."""

    BINDINGS = [binding("back")]

    def __init__(self, result: PushResult) -> None:
        super().__init__()
        self.result = result

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="reply-box") as box:
            box.border_title = f"Reply from {self.result.phone.name}"
            yield Static(reply_text(self.result), id="reply-text")
        yield Footer()

    def action_back(self) -> None:
        self.dismiss()
