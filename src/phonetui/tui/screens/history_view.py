"""What the History screen shows, as data and Rich text: no widget here, so it is tested without a screen.

Everything read back from the journal is data that others wrote: a phone's reply, names from a
config, a file torn by a crash or edited by hand. It becomes Rich ``Text`` (never parsed as
markup), control characters are made visible, long values are cut, and a record of the wrong
shape shows as ``?`` instead of ending the app.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from rich.cells import cell_len, get_character_cell_size
from rich.text import Text

from ...alert_journal import AlertStory, round_number
from ...cisco import CiscoIPPhoneExecute, CiscoIPPhoneText, CiscoObject, ObjectError, parse_object
from ...cisco.limits import PRIORITIES
from ...history import PushRecord
from ...wording import names_phrase

#: The most characters of one value the detail windows show (the journal keeps 2 KB of a body).
MAX_VALUE = 4096

# -- text from the journal --------------------------------------------------------------------


def _visible_map() -> dict[int, str]:
    """Characters a terminal would act on (or that break lines and bidi order), as visible stand-ins."""
    table = {code: chr(0x2400 + code) for code in range(0x20)}  # C0 controls: ␀ … ␟ (ESC is ␛)
    table[0x7F] = "␡"
    table.update({code: f"\\x{code:02x}" for code in range(0x80, 0xA0)})  # C1 controls, CSI among them
    for code in (0x2028, 0x2029, *range(0x202A, 0x202F), *range(0x2066, 0x206A)):
        table[code] = f"<U+{code:04X}>"  # line separators and bidi overrides (Trojan Source)
    table.update(dict.fromkeys(range(0xD800, 0xE000), "\ufffd"))  # lone surrogates cannot be encoded
    return table


_VISIBLE = _visible_map()
_VISIBLE_ONE_LINE = {**_VISIBLE, 0x0A: "⏎", 0x09: " "}
_VISIBLE_LINES = {**_VISIBLE, 0x0A: "\n", 0x09: "    "}
_DECLARATION = re.compile(r"^\ufeff?\s*<\?xml\b[^>]*\?>")


def visible(value: object, multiline: bool = False) -> str:
    """``value`` as text that is safe to draw: no control character reaches the terminal."""
    text = "" if value is None else value if isinstance(value, str) else str(value)
    if multiline:
        return text.replace("\r\n", "\n").translate(_VISIBLE_LINES)
    return text.translate(_VISIBLE_ONE_LINE)


def cut(text: str, width: int) -> str:
    """``text`` in at most ``width`` cells, ending in "…" when something was left out."""
    if width <= 0:
        return ""
    if len(text) <= width and cell_len(text) <= width:
        return text
    kept: list[str] = []
    used = 0
    for char in text:
        size = get_character_cell_size(char)
        if used + size > width - 1 or len(kept) >= 4 * width:  # zero-width characters count too
            return "".join(kept) + "…"
        kept.append(char)
        used += size
    return "".join(kept)


def cell(value: object, width: int = 1_000, style: str = "") -> Text:
    """A table cell: one line, cut to ``width``; a Text, because DataTable parses a str as markup."""
    return Text(cut(visible(value), width), style=style, no_wrap=True, overflow="ellipsis")


def capped(value: object) -> str:
    """A value for a detail window: lines kept, at most MAX_VALUE characters."""
    text = visible(value, multiline=True)
    if len(text) > MAX_VALUE:
        return f"{text[:MAX_VALUE]}… ({len(text) - MAX_VALUE} more characters)"
    return text


# -- a push record, read without trusting it ---------------------------------------------------


def _number(value: object) -> float | None:
    """A finite number, or None (a bool or a string in a number's place is not one)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def when(start: dict[str, Any], wide: bool = True) -> str:
    """The push's local time, or "?" when the record's time is missing or absurd."""
    stamp = _number(start.get("time"))
    if stamp is None:
        return "?"
    try:
        return time.strftime("%Y-%m-%d %H:%M:%S" if wide else "%m-%d %H:%M", time.localtime(stamp))
    except (OverflowError, OSError, ValueError):
        return "?"


def push_state(record: PushRecord, running: bool = False) -> str:
    """done, cancelled or interrupted (no end record: the process died); running while it runs.

    Read here from ``record.end`` rather than from the journal module, which may grow the same
    answer as a property.
    """
    end = record.end
    if not isinstance(end, dict):
        return "running" if running else "interrupted"
    if end.get("interrupted") is True:
        return "interrupted"
    return "cancelled" if end.get("cancelled") is True else "done"


STATE_STYLES = {"done": "", "cancelled": "yellow", "interrupted": "red", "running": "cyan"}


def decode_object(xml: object) -> tuple[CiscoObject | None, str]:
    """The pushed object from the journal's ``xml``; else None and why it could not be read."""
    if not isinstance(xml, str):
        return None, "the journal holds no XML text for this push"
    if not xml.strip():
        return None, "no XML was recorded (every phone was refused)"
    body = _DECLARATION.sub("", xml, count=1)  # the string is decoded already: its charset no longer applies
    try:
        return parse_object(body.encode("utf-8", "replace")), ""
    except (ObjectError, ValueError, RecursionError) as exc:
        return None, str(exc) or type(exc).__name__


def kind(obj: CiscoObject | None, start: dict[str, Any]) -> str:
    """Text, Execute, or what the record says it was (``CiscoIPPhone`` left out)."""
    root = obj.root if obj is not None else visible(start.get("object", "?"))
    return root.removeprefix("CiscoIPPhone") or "?"


def clear_words(start: dict[str, Any]) -> str:
    """``clears alert a1b2`` (``clear`` when it named its phones), '' else: what an Init:Services was for."""
    if "clear" not in start:
        return ""
    alert = start.get("clear")
    return f"clears alert {visible(alert)}" if isinstance(alert, str) and alert else "clear"


def summary(obj: CiscoObject | None, problem: str, xml: object) -> str:
    """One line: "title — text" of a Text, the URIs of an Execute, or why there is none."""
    if isinstance(obj, CiscoIPPhoneText):
        return " — ".join(part for part in (obj.title, obj.text) if part) or "(empty Text)"
    if isinstance(obj, CiscoIPPhoneExecute):
        return "  ".join(item.url for item in obj.items) or "(no ExecuteItem)"
    if isinstance(xml, str) and xml.strip():
        return f"unreadable XML: {_DECLARATION.sub('', xml, count=1).strip()}"
    return f"({problem})"


@dataclass
class PhoneLine:
    """One target of a push, with the result the journal holds for it (None: it never answered)."""

    name: object
    host: object = ""
    route: object = ""
    result: dict[str, Any] | None = None

    @property
    def outcome(self) -> str:
        if self.result is None:
            return "no result"
        outcome = self.result.get("outcome")
        return outcome if isinstance(outcome, str) else "?"

    @property
    def failed(self) -> bool:
        return self.outcome != "ok"


def phone_lines(record: PushRecord) -> list[PhoneLine]:
    """Each target with its result, then any result for a phone that was not a target."""
    results: dict[object, dict[str, Any]] = {}
    strays: list[dict[str, Any]] = []
    for result in record.results:
        name = result.get("phone")
        if isinstance(name, str) and name not in results:
            results[name] = result
        else:
            strays.append(result)
    targets = record.start.get("targets")
    lines = []
    for target in targets if isinstance(targets, list) else []:
        if isinstance(target, dict):
            name = target.get("phone")
            line = PhoneLine(name, target.get("host", ""), target.get("mode", ""))
        else:
            line = PhoneLine(target)
        if isinstance(line.name, str):
            line.result = results.pop(line.name, None)
        lines.append(line)
    for result in [*results.values(), *strays]:
        lines.append(PhoneLine(result.get("phone"), result.get("host", ""), result.get("mode", ""), result))
    return lines


class PushView:
    """One push as the screen shows it: decoded once per visit, its phones only when shown."""

    def __init__(self, record: PushRecord, running: bool = False, story: AlertStory | None = None) -> None:
        self.record = record
        #: The alert this push was a round of, all its rounds together (their acks above all), or None.
        self.story = story
        self.obj, self.problem = decode_object(record.start.get("template", record.start.get("xml")))
        given = record.start.get("vars")
        #: The push's own variables (a template's, ``--var``), so pushing it again fills them alike.
        self.variables: dict[str, str] = (
            {k: v for k, v in given.items() if isinstance(k, str) and isinstance(v, str)}
            if isinstance(given, dict)
            else {}
        )
        self.state = push_state(record, running)
        targets = record.start.get("targets")
        # Counted straight from the records: a push to thousands of phones, in a journal of
        # hundreds of pushes, must not be matched phone by phone before the table shows.
        self.ok = sum(1 for result in record.results if result.get("outcome") == "ok")
        self.failed = len(record.results) - self.ok
        self.phones = len(targets) if isinstance(targets, list) else len(record.results)

    @cached_property
    def lines(self) -> list[PhoneLine]:
        return phone_lines(self.record)

    def acked(self, line: PhoneLine) -> str:
        """``acked 10:31:02`` when the phone acknowledged this push's alert (in any round), else ''."""
        stamp = self.story.acks.get(line.name) if self.story and isinstance(line.name, str) else None
        return f"acked {clock(stamp)}" if stamp is not None else ""

    def alert_words(self, whole_id: bool = False, short: int = 6) -> str:
        """``alert a1b2c3 round 2 · acked 3 of 10`` (the round counted from 1; the acks the alert's)."""
        return " · ".join(self.alert_parts(whole_id, short))

    def alert_parts(self, whole_id: bool = False, short: int = 6) -> tuple[str, str]:
        """``alert a1b2c3 round 2`` and ``acked 3 of 10``; two empty strings for a push that was no round."""
        story = self.story
        if story is None:
            return "", ""
        number = round_number(self.record)
        which = f" round {number}" if number is not None else ""
        name = visible(story.alert_id if whole_id else story.short(short))
        return f"alert {name}{which}", f"acked {story.acked} of {len(story.phones)}"


def clock(stamp: float) -> str:
    """``10:31:02``, local time; ``?`` when the journal's number is no time."""
    try:
        return time.strftime("%H:%M:%S", time.localtime(stamp))
    except (OverflowError, OSError, ValueError):
        return "?"


def latency(result: dict[str, Any] | None, text: Callable[[int | None], str]) -> str:
    """The latency with the app's formatting, or "-" when it is missing or not a number."""
    value = _number(result.get("latency_ms")) if result else None
    return "-" if value is None or value < 0 else text(int(value))


Column = tuple[str, int, Callable[[PhoneLine], object]]


def result_columns(width: int, latency_text: Callable[[int | None], str], view: PushView | None = None) -> list[Column]:
    """The per-phone columns that fit ``width``: host and route only where Detail keeps 40 cells;
    a round of an alert has each phone's acknowledgement beside its outcome."""
    columns: list[Column] = [
        ("Phone", 18, lambda line: line.name),
        ("Outcome", 11, lambda line: line.outcome),
        ("Latency", 8, lambda line: latency(line.result, latency_text)),
    ]
    if view is not None and view.story is not None:
        columns.insert(2, ("Acknowledged", 14, view.acked))
    optional: list[tuple[int, Column]] = [
        (1, ("Host", 21, lambda line: line.host or (line.result or {}).get("host", ""))),
        (4, ("Route", 7, lambda line: line.route or (line.result or {}).get("mode", ""))),
    ]

    def room(chosen: list[Column]) -> int:
        return width - sum(w + 2 for _, w, _ in chosen) - 2 - 2  # Detail's padding, the scrollbar

    for index, column in optional:
        wider = [*columns[:index], column, *columns[index:]]
        if room(wider) >= 40:
            columns = wider
    detail: Column = ("Detail", max(10, room(columns)), lambda line: (line.result or {}).get("detail", ""))
    return [*columns, detail]


# -- drawing the detail -------------------------------------------------------------------------


def object_text(view: PushView, width: int) -> Text:
    """The push decoded: what it was, when, how it ended, and every field of its object."""
    start = view.record.start
    out = Text(no_wrap=False)
    phones = len(view.lines)
    missing = sum(line.result is None for line in view.lines)
    counts = f"{phones} phone{'' if phones == 1 else 's'}: {view.ok} ok, {view.failed} failed"
    counts += f", {missing} no result" if missing else ""
    out.append(cut(kind(view.obj, start), 12), style="bold")
    out.append(f" · {when(start)} · {view.state} · {counts}\n")
    if clear_words(start):
        out.append(f"{clear_words(start)}\n", style="bold")
    story = view.story
    if story is not None:  # every round tells the whole alert: its rounds, and who has not acknowledged
        rounds = f"its {story.rounds} rounds" if story.rounds != 1 else "its one round"
        out.append(f"{view.alert_words(whole_id=True)} ({rounds})", style="bold")
        acked = set(story.acks)
        groups = [("took it, not acknowledged", story.took - acked), ("no answer, may have it", story.maybe - acked)]
        groups.append(("never took it", story.phones - story.took - story.maybe - acked))
        out.append("".join(f"; {label}: {names_phrase(sorted(names), 5)}" for label, names in groups if names))
        out.append("\n" if any(names for _, names in groups) else "; every phone acknowledged\n")
    label_width = 9
    room = max(10, width - label_width)

    def row(label: str, value: object, multiline: bool = False) -> None:
        out.append(f"{label:<{label_width}}", style="bold")
        if value == "":
            out.append("(none)", style="dim")
        elif multiline:
            lines = capped(value).split("\n")
            out.append(lines[0] + "".join(f"\n{'':<{label_width}}{line}" for line in lines[1:]))
        else:
            out.append(cut(visible(value), room))
        out.append("\n")

    obj = view.obj
    if isinstance(obj, CiscoIPPhoneText):
        row("Title", obj.title)
        row("Prompt", obj.prompt)
        row("Text", obj.text, multiline=True)
        for key in obj.softkeys:
            target = " / ".join(part for part in (key.url, key.url_down and f"down: {key.url_down}") if part)
            row(f"Key {key.position}", f"{key.name} → {target or '(no URL)'}")
    elif isinstance(obj, CiscoIPPhoneExecute):
        for i, item in enumerate(obj.items, 1):
            meaning = PRIORITIES.get(item.priority, "not a priority a phone knows")
            row(f"URI {i}", f"{item.url}  (priority {item.priority}: {meaning})")
    else:
        row("Object", f"cannot be decoded: {view.problem}")
        xml = start.get("xml")
        if isinstance(xml, str) and xml:
            row("XML", xml, multiline=True)
    out.rstrip()
    return out


def result_text(line: PhoneLine, text: Callable[[int | None], str], view: PushView | None = None) -> Text:
    """Everything the journal holds of one phone's answer, each value drawn as text."""
    result = line.result or {}
    rows: list[tuple[str, object]] = [
        ("Phone", line.name),
        ("Host", line.host or result.get("host", "")),
        ("Route", line.route or result.get("mode", "")),
        ("Outcome", line.outcome),
        *(
            [("Alert", view.alert_words(whole_id=True)), ("Ack", view.acked(line) or "not acknowledged")]
            if view is not None and view.story is not None
            else []
        ),
        ("HTTP", result.get("status", "-")),
        ("Latency", latency(line.result, text)),
        ("Detail", result.get("detail", "")),
    ]
    if result.get("hint"):
        rows.append(("Hint", result["hint"]))
    if "error_number" in result:
        rows.append(("Error", f"CiscoIPPhoneError {visible(result['error_number'])}"))
    out = Text()
    for label, value in rows:
        out.append(f"{label:<9}", style="bold")
        out.append((capped(value) if label == "Detail" else cut(visible(value), 120)) + "\n")
    items = result.get("items")
    if isinstance(items, list) and items:
        out.append("Items\n", style="bold")
        for item in items:
            item = item if isinstance(item, dict) else {"url": item}
            out.append(f"  {capped(item.get('url', ''))}  Status {capped(item.get('status', '-'))}")
            out.append(f"  Data {capped(item.get('data', ''))}\n")
    if line.result is None:
        out.append("\nThe journal has no result for this phone: the push was cancelled or cut short first.\n")
    body = result.get("body")
    if isinstance(body, str):
        out.append(f"\nRaw body ({len(body)} characters, as the journal kept it)\n", style="bold")
        out.append(capped(body) or "(empty)")
    out.rstrip()
    return out
