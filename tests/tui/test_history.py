"""The History screen: hostile journals are drawn as text, and a past push can be pushed again."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

from rich.console import Console
from textual.widgets import DataTable, Input, Label, Static

from phonetui.cisco import CiscoIPPhoneExecute, CiscoIPPhoneText, ExecuteItem, SoftKeyItem, encode
from phonetui.demo import Demo
from phonetui.history import PushRecord
from phonetui.tui.app import PhoneTUI
from phonetui.tui.screens.compose import ComposeScreen
from phonetui.tui.screens.history import HistoryScreen
from phonetui.tui.screens.history_view import cut, decode_object, push_state, visible
from phonetui.tui.screens.main import MainScreen
from phonetui.tui.screens.pickers import ConfirmModal

from .conftest import cell, compose_text, push_and_wait, wait_until

WRONG_PASSWORD, OFFLINE = "sim-0004", "sim-0008"

HOSTILE = "[/] oops [red]x"
EVIL_NAME = "evil[/]"
MARKUP = "[bold]bold?[/bold] [link=http://x]link[/link]"
ANSI = "\x1b[31mred\x1b[0m\x1b]0;title\x07"
CONTROL = "bell\x07nul\x00bs\x08del\x7fcsi\x9bcr\rend"
LONG = "L" * 10_000
UNICODE = "📞 e\u0301 שלום zero\u200bwidth \u202eevil\u202c \ud800"


def text_xml(obj: CiscoIPPhoneText | CiscoIPPhoneExecute) -> str:
    return encode(obj, "utf-8").decode("utf-8")


def hostile_lines() -> list[str]:
    """A journal as a broken disk, a buggy writer or a malicious phone could leave it."""
    text = CiscoIPPhoneText(
        title="Fire & drill [bold]",
        prompt=MARKUP,
        text=f"{HOSTILE}\nsecond line",
        softkeys=[SoftKeyItem("Exit[/]", "SoftKey:Exit", position=1)],
    )
    execute = CiscoIPPhoneExecute([ExecuteItem("Key:Services"), ExecuteItem("http://x/[/]?a=1&b=2", 1)])
    # fmt: off
    records: list[dict[str, Any] | str] = [
        # 1: a Text push whose phones answered with everything nasty
        {"event": "start", "push": "p1", "time": 1.7e9, "object": "CiscoIPPhoneText", "xml": text_xml(text),
         "targets": [{"phone": EVIL_NAME, "host": "[link=http://x]h[/link]", "mode": "direct"},
                     {"phone": UNICODE, "host": ANSI, "mode": MARKUP},
                     {"phone": "long", "host": "10.0.0.1", "mode": "direct"}]},
        {"event": "result", "push": "p1", "phone": EVIL_NAME, "host": "h", "outcome": "phone-error",
         "status": 200, "detail": HOSTILE, "latency_ms": 12, "mode": "direct", "body": MARKUP + CONTROL,
         "items": [{"url": HOSTILE, "status": 1, "data": ANSI}], "error_number": "[red]"},
        {"event": "result", "push": "p1", "phone": UNICODE, "host": ANSI, "outcome": ANSI, "status": "x",
         "detail": ANSI + CONTROL + UNICODE, "latency_ms": 1e308, "mode": MARKUP, "body": LONG},
        {"event": "result", "push": "p1", "phone": "long", "outcome": "ok", "detail": LONG, "latency_ms": -5,
         "body": LONG, "items": "not a list"},
        {"event": "end", "push": "p1", "cancelled": False},
        # 2: an Execute push, cancelled
        {"event": "start", "push": "p2", "time": 1.7e9 + 60, "object": "CiscoIPPhoneExecute",
         "xml": text_xml(execute), "targets": [{"phone": "sim-0001", "host": "127.0.0.1", "mode": "direct"}]},
        {"event": "result", "push": "p2", "phone": "sim-0001", "outcome": "cancelled", "latency_ms": None},
        {"event": "end", "push": "p2", "cancelled": True},
        # 3: XML that does not parse, and no end: interrupted
        {"event": "start", "push": "p3", "time": 1.7e9 + 120, "object": MARKUP,
         "xml": f"<CiscoIPPhoneText><Title>{HOSTILE}</Title>", "targets": [HOSTILE, 5, None, {"phone": 7}]},
        # 4: every field of the wrong type
        {"event": "start", "push": "p4", "time": "yesterday", "object": 5, "xml": ["x"], "targets": "x"},
        {"event": "result", "push": "p4", "phone": {"a": 1}, "outcome": None, "latency_ms": "fast", "detail": 12},
        {"event": "result", "push": "p4"},
        {"event": "end", "push": "p4", "cancelled": "[/]"},
        # 5: times that break strftime, no results, no targets
        {"event": "start", "push": "p5", "time": 1e300},
        {"event": "start", "push": "p6", "time": -1e20, "xml": "", "targets": None},
        {"event": "start", "push": "p7", "time": True, "xml": LONG, "object": LONG, "targets": [{"phone": LONG}]},
        {"event": "result", "push": "p7", "phone": LONG, "outcome": LONG, "detail": LONG, "latency_ms": True},
        # garbage
        '{"event": "start", "push": "torn',
        "[1, 2, 3]",
        "null",
        '"just a string"',
        '{"event": "result", "push": "nobody", "detail": "[/]"}',
        '{"event": "end"}',
        "\x1b[31m not json [/]",
    ]
    # fmt: on
    lines = []
    for record in records:
        lines.append(record if isinstance(record, str) else json.dumps(record))  # a lone surrogate stays one
    lines.append('{"event":"start","push":"p8","time":NaN,"targets":[],"xml":"<CiscoIPPhoneText/>"}')
    return lines


def screen_text(app: PhoneTUI) -> str:
    """What the terminal would show, as text (the way ``App.export_screenshot`` renders it)."""
    width, height = app.size
    console = Console(width=width, height=height, file=io.StringIO(), force_terminal=True, record=True)
    console.print(app.screen._compositor.render_update(full=True, screen_stack=app._background_screens))
    return console.export_text(styles=False)


def cells(table: DataTable[Any]) -> list[list[str]]:
    """Every row's cells as plain text; fails if a cell is a str (DataTable parses str as markup)."""
    rows = []
    for index in range(table.row_count):
        row = table.get_row_at(index)
        assert all(not isinstance(value, str) for value in row), row
        rows.append([getattr(value, "plain", str(value)) for value in row])
    return rows


def assert_drawn_safely(text: str) -> None:
    """No raw control character (ESC above all) reaches the terminal."""
    raw = {c for c in text if (ord(c) < 32 and c != "\n") or 0x7F <= ord(c) < 0xA0}
    assert not raw, sorted(map(hex, map(ord, raw)))


async def test_a_reply_holding_markup_does_not_end_the_app(app: PhoneTUI) -> None:
    """The bug as reported: one well-formed push whose phone replied ``[/] oops [red]x``."""
    assert app.journal is not None
    app.journal.append({"event": "start", "push": "a", "time": 1.7e9, "object": "CiscoIPPhoneText",
                        "xml": text_xml(CiscoIPPhoneText(text="hi")), "targets": [{"phone": "sim-0001"}]})  # fmt: skip
    app.journal.append({"event": "result", "push": "a", "phone": "sim-0001", "outcome": "bad-reply",
                        "detail": HOSTILE, "latency_ms": 3})  # fmt: skip
    app.journal.append({"event": "end", "push": "a", "cancelled": False})
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("h")
        await pilot.pause()
        assert app.is_running and isinstance(app.screen, HistoryScreen)
        assert HOSTILE in screen_text(app)


async def test_hostile_journal_is_shown_as_text(app: PhoneTUI) -> None:
    assert app.journal is not None
    path = app.journal.path
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        handle.write("\n".join(hostile_lines()).encode("utf-8") + b"\n\xff\xfe garbage\n")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("h")
        await pilot.pause()
        assert isinstance(app.screen, HistoryScreen)
        screen = app.screen
        pushes = screen.query_one("#pushes", DataTable)
        results = screen.query_one("#push-results", DataTable)
        assert pushes.row_count == 8
        seen: list[str] = []
        for index in range(pushes.row_count):
            if index:
                await pilot.press("down")
                await pilot.pause()
            assert app.is_running and app.screen is screen
            drawn = screen_text(app)
            assert_drawn_safely(drawn)
            seen.append(drawn)
            seen.append(str(screen.query_one("#push-object", Static).render()))
            seen += [" | ".join(row) for row in cells(results)]
            # every phone of the push, drawn in full in the detail window (Enter on its row)
            results.focus()
            await pilot.pause()
            for _ in range(results.row_count):
                await pilot.press("enter")
                await pilot.pause()
                assert app.is_running
                assert_drawn_safely(screen_text(app))
                seen.append(str(app.screen.query_one("#result-text", Static).render()))
                await pilot.press("escape", "down")
                await pilot.pause()
            pushes.focus()
            await pilot.pause()
        rows = cells(pushes)
        assert app.is_running and app.screen is screen
    everything = "\n".join(seen)
    states = ["interrupted"] * 4 + ["done", "interrupted", "cancelled", "done"]  # newest first: p8 ... p1
    assert [row[-1] for row in rows] == states
    # the Text push: decoded (no &amp;), its hostile strings shown literally
    text_row = rows[-1]
    assert text_row[1] == "Text"
    assert text_row[2].startswith("Fire & drill [bo") and text_row[2].endswith("…")  # cut to fit 80 columns
    assert "Fire & drill [bold]" in everything and "[/] oops [red]x\n" in everything  # decoded, in full below
    assert "&amp;" not in everything
    assert HOSTILE in everything and EVIL_NAME in everything and MARKUP in everything
    assert "Exit[/]" in everything and "SoftKey:Exit" in everything
    assert "http://x/[/]?a=1&b=2" in everything and "Key:Services" in everything
    assert "␛[31mred" in everything  # ESC made visible, never sent raw
    assert "📞" in everything and "שלום" in everything
    assert "L" * 10_000 not in everything and "LLL…" in everything
    assert f"<Title>{HOSTILE}</Title>" in everything  # unparseable XML shown raw, as text


async def test_push_again_to_the_failed_phones_and_to_the_same_phones(app: PhoneTUI, demo: Demo) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("a")
        await compose_text(pilot, "Fire & drill", "Leave by the stairs")
        await push_and_wait(pilot)
        assert {p.name for p in app.fleet.failed()} == {WRONG_PASSWORD, OFFLINE}
        app.fleet.states[WRONG_PASSWORD].phone.password = demo.service.config.password  # the operator fixed it
        await pilot.press("escape", "h")
        assert isinstance(app.screen, HistoryScreen)
        await pilot.press("f")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmModal)
        assert "Retry CiscoIPPhoneText to 2 phones" in str(app.screen.query_one("#question", Label).render())
        await pilot.press("y")
        await wait_until(pilot, lambda: app.main.pushes_finished == 2)
        assert isinstance(app.screen, MainScreen)
        assert cell(app, WRONG_PASSWORD, "result") == "✓ ok"
        assert cell(app, OFFLINE, "result") == "✗ unreachable"
        assert app.journal is not None
        targets = [{t["phone"] for t in p.start["targets"]} for p in app.journal.pushes()]
        assert targets[1] == {WRONG_PASSWORD, OFFLINE}

        # a phone that left the config is skipped, and the operator is told how many
        journal_phone_gone(app.journal.path)
        await pilot.press("h")
        await pilot.pause()
        history = app.screen
        assert isinstance(history, HistoryScreen)
        assert cells(history.query_one("#pushes", DataTable))[0][-1] == "done"
        await pilot.press("f")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmModal)
        assert "to 1 phone?" in str(app.screen.query_one("#question", Label).render())
        assert any("1 phone" in n.message and "no longer in the config" in n.message for n in app._notifications)
        await pilot.press("n")
        await pilot.pause()

        # the first push, again, to the same twelve phones
        await pilot.press("down", "down", "p")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmModal)
        assert "Push CiscoIPPhoneText to 12 phones" in str(app.screen.query_one("#question", Label).render())
        await pilot.press("n")
        await pilot.pause()

        # Enter loads it into the form, decoded
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ComposeScreen)
        assert app.screen.query_one("#title", Input).value == "Fire & drill"
        assert app.screen.query_one("#text").text == "Leave by the stairs"  # type: ignore[attr-defined]
        assert app.screen_stack[1:] == [app.main, app.compose_screen]  # the form opens over the table, as with c

        # History opened from the form (the palette), then Enter: back to that same form
        app.action_history()
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen_stack[1:] == [app.main, app.compose_screen]
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is app.main


def journal_phone_gone(path: Path) -> None:
    """A push to a phone since removed from the config, which failed there too."""
    with path.open("a", encoding="utf-8") as handle:
        for record in (
            {"event": "start", "push": "gone", "time": 1.8e9, "object": "CiscoIPPhoneText",
             "xml": text_xml(CiscoIPPhoneText(text="x")),
             "targets": [{"phone": "sim-0001"}, {"phone": "retired-phone"}, {"phone": "sim-0002"}]},
            {"event": "result", "push": "gone", "phone": "sim-0001", "outcome": "timeout"},
            {"event": "result", "push": "gone", "phone": "retired-phone", "outcome": "unreachable"},
            {"event": "result", "push": "gone", "phone": "sim-0002", "outcome": "ok"},
            {"event": "end", "push": "gone", "cancelled": False},
        ):  # fmt: skip
            handle.write(json.dumps(record) + "\n")


def test_journal_text_is_made_safe_to_draw() -> None:
    assert visible("a\x1b[31mb\x00\x9b\u202ec\ud800") == "a␛[31mb␀\\x9b<U+202E>c\ufffd"
    assert visible("one\ntwo\tthree") == "one⏎two three"
    assert visible("one\r\ntwo\rx", multiline=True) == "one\ntwo␍x"
    assert visible(None) == "" and visible(12) == "12"
    assert cut("abcdef", 4) == "abc…" and cut("abc", 4) == "abc"
    assert cut("📞📞📞", 4) == "📞…"  # cells, not characters
    assert cut("e" + "\u0301" * 10_000, 10).endswith("…")  # zero-width characters are counted too


def test_objects_are_decoded_from_the_journal_whatever_their_charset() -> None:
    latin = encode(CiscoIPPhoneText(title="Café", text="a & b"), "iso-8859-1").decode("iso-8859-1")
    obj, problem = decode_object(latin)
    assert obj == CiscoIPPhoneText(title="Café", text="a & b") and not problem
    broken, why = decode_object("<CiscoIPPhoneText><Title>x")
    assert broken is None and "not well-formed" in why
    assert decode_object(["x"])[0] is None and decode_object("")[0] is None


def test_a_push_without_an_end_record_was_interrupted() -> None:
    start: dict[str, Any] = {"event": "start", "push": "x"}
    assert push_state(PushRecord("x", start)) == "interrupted"
    assert push_state(PushRecord("x", start), running=True) == "running"
    assert push_state(PushRecord("x", start, end={"cancelled": True})) == "cancelled"
    assert push_state(PushRecord("x", start, end={"cancelled": "yes"})) == "done"  # only true is true
    assert push_state(PushRecord("x", start, end={"interrupted": True})) == "interrupted"
    assert push_state(PushRecord("x", start, end={"cancelled": False})) == "done"
