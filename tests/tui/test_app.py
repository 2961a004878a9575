"""Every flow of the TUI, driven by keys through Pilot, against the simulator on loopback."""

from __future__ import annotations

import socket
from pathlib import Path

from textual.widgets import DataTable, Input, Label, Static

from phonetui.config import load_config
from phonetui.demo import Demo
from phonetui.tui.app import PhoneTUI
from phonetui.tui.screens.compose import ComposeScreen
from phonetui.tui.screens.help import HelpScreen
from phonetui.tui.screens.history import HistoryScreen
from phonetui.tui.screens.main import MainScreen
from phonetui.tui.screens.pickers import ConfirmModal, NameModal, PickerModal
from phonetui.tui.screens.preview import PreviewScreen
from phonetui.tui.screens.reply import ReplyScreen
from phonetui.tui.screens.responder import ResponderScreen
from phonetui.tui.widgets.line_log import LineLog
from phonetui.tui.widgets.phone_table import PhoneTable

from .conftest import cell, compose_text, push_and_wait, wait_until

NAMES = [f"sim-{i:04d}" for i in range(1, 13)]
WRONG_PASSWORD, OFFLINE, SLOW = "sim-0004", "sim-0008", "sim-0011"


def selected(app: PhoneTUI) -> list[str]:
    return [p.name for p in app.fleet.selected()]


def status(app: PhoneTUI) -> str:
    return str(app.main.query_one("#status", Static).render())


async def test_select_by_keyboard(app: PhoneTUI) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("space", "space")
        assert selected(app) == ["sim-0001", "sim-0002"]
        assert cell(app, "sim-0001", "sel") == "[x]" and cell(app, "sim-0003", "sel") == "[ ]"
        assert "2 selected" in status(app)
        await pilot.press("up", "space")
        assert selected(app) == ["sim-0001"]
        await pilot.press("n")
        assert selected(app) == []
        await pilot.press("a")
        assert selected(app) == NAMES
        await pilot.press("n", "t")
        assert isinstance(app.screen, PickerModal)
        await pilot.press("down", "enter")  # tags sorted: classic, group-1.., legacy, modern
        await pilot.pause()
        assert selected(app) == ["sim-0001", "sim-0005", "sim-0009"]  # group-1


async def test_filter_and_sort(app: PhoneTUI) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("slash")
        await pilot.press(*"7960")
        table = app.main.query_one(PhoneTable)
        assert table.row_count == 2 and "filter: 7960 (2 shown)" in status(app)
        await pilot.press("enter", "a")
        assert selected(app) == ["sim-0003", "sim-0011"]  # select-all respects the filter
        await pilot.press("slash", "escape")
        assert table.row_count == 12
        await pilot.press("s", "s")  # name -> address -> model
        assert "sort: model" in status(app)
        assert app.fleet.states[table.name_at(0)].phone.model == "CP-6945"


async def test_too_long_title_is_named_beside_the_field(app: PhoneTUI) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("c")
        assert isinstance(app.screen, ComposeScreen)
        await pilot.press(*("x" * 40))
        message = str(app.screen.query_one("#title-error", Label).render())
        assert "40 characters; the limit is 32" in message
        await pilot.press("f5")  # refuses to send
        assert isinstance(app.screen, ComposeScreen)
        await pilot.press(*["backspace"] * 8)
        assert str(app.screen.query_one("#title-error", Label).render()) == ""


async def test_execute_form_checks_uris_and_picks_common_ones(app: PhoneTUI) -> None:
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("c")
        compose = app.screen
        assert isinstance(compose, ComposeScreen)
        compose.query_one("#kind").active = "execute-tab"  # type: ignore[attr-defined]
        await pilot.pause()
        compose.query_one("#ex-url-1", Input).focus()
        await pilot.press(*"Dial:12x")
        assert "malformed Dial: URI" in str(compose.query_one("#ex-1-error", Label).render())
        await pilot.press("tab", "tab", "enter")  # past the priority, onto "URIs…"
        assert isinstance(app.screen, PickerModal)
        await pilot.press("enter")
        await pilot.pause()
        assert compose.query_one("#ex-url-1", Input).value == "Key:Services"
        assert str(compose.query_one("#ex-1-error", Label).render()) == ""


async def test_preview_shows_exact_xml_size_routes_and_drawing(app: PhoneTUI) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("a")
        await compose_text(pilot, "Café & co", "Line <one>")
        await pilot.press("f2")
        preview = app.screen
        assert isinstance(preview, PreviewScreen)
        assert preview.xml == (
            '<?xml version="1.0" encoding="UTF-8"?><CiscoIPPhoneText><Title>Café &amp; co</Title>'
            "<Text>Line &lt;one&gt;</Text></CiscoIPPhoneText>"
        )
        plan = str(preview.query_one("#plan", Static).render())
        assert "smallest limit 512" in plan and "direct: 12 (sim-0001, sim-0002, sim-0003, sim-0004 and 8 more)" in plan
        drawing = str(preview.query_one("#drawing", Static).render())
        assert "Café & co" in drawing and "Line <one>" in drawing
        notes = [str(w.render()) for w in preview.query("#xml-pane Static")]
        assert any("ISO-8859-1 phones get the same object declared ISO-8859-1" in n for n in notes)
        await pilot.press("y")
        assert app.clipboard == preview.xml


async def test_push_updates_rows_live_and_reports_each_phone(app: PhoneTUI, demo: Demo) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("a")
        await compose_text(pilot, "Notice", "Hello")
        await pilot.press("f5")
        assert isinstance(app.screen, ConfirmModal)
        assert "12 phones" in str(app.screen.query_one("#question", Label).render())
        await pilot.press("y")
        # the fast phones are done while the slow one is still outstanding: rows move on their own
        await wait_until(pilot, lambda: cell(app, "sim-0001", "result") == "ok")
        await wait_until(pilot, lambda: cell(app, WRONG_PASSWORD, "result") == "auth-failed")
        assert cell(app, SLOW, "result") == "sending…"
        await wait_until(pilot, lambda: app.main.pushes_finished == 1)
        assert cell(app, SLOW, "result") == "ok"
        assert cell(app, OFFLINE, "result") == "unreachable"
        assert {cell(app, n, "result") for n in NAMES} == {"ok", "auth-failed", "unreachable"}
        assert cell(app, "sim-0001", "latency").endswith("ms")
        log = app.main.query_one("#replies", LineLog)
        assert len(log.lines) == 12
        assert "results: 10 ok, 2 failed" in status(app)
        assert demo.simulator.phone("sim-0003").screen.text == "Hello"


async def test_reply_detail_shows_raw_body(app: PhoneTUI) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        app.fleet.toggle(WRONG_PASSWORD)
        await compose_text(pilot, "", "x")
        await push_and_wait(pilot)
        table = app.main.query_one(PhoneTable)
        table.move_cursor(row=table.get_row_index(WRONG_PASSWORD))
        table.focus()
        await pilot.press("enter")
        assert isinstance(app.screen, ReplyScreen)
        text = str(app.screen.query_one("#reply-text", Static).render())
        assert "CiscoIPPhoneError 4" in text and '<CiscoIPPhoneError Number="4"/>' in text
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)


async def test_escape_cancels_what_is_outstanding(app: PhoneTUI) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("a")
        await compose_text(pilot, "", "x")
        await pilot.press("f5", "y")
        await wait_until(pilot, lambda: cell(app, "sim-0001", "result") == "ok")
        assert cell(app, SLOW, "result") == "sending…"
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.main.pushes_finished == 1)
        assert cell(app, SLOW, "result") == "cancelled"
        assert cell(app, "sim-0001", "result") == "ok"


async def test_retry_pushes_only_the_failed_phones(app: PhoneTUI, demo: Demo) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("a")
        await compose_text(pilot, "", "first")
        await push_and_wait(pilot)
        assert {p.name for p in app.fleet.failed()} == {WRONG_PASSWORD, OFFLINE}
        app.fleet.states[WRONG_PASSWORD].phone.password = demo.service.config.password  # the operator fixed it
        await pilot.press("f")
        assert isinstance(app.screen, ConfirmModal)
        assert "Retry CiscoIPPhoneText to 2 phones" in str(app.screen.query_one("#question", Label).render())
        await pilot.press("y")
        await wait_until(pilot, lambda: app.main.pushes_finished == 2)
        assert cell(app, WRONG_PASSWORD, "result") == "ok"
        assert cell(app, OFFLINE, "result") == "unreachable"
    pushes = app.journal.pushes()
    assert [len(p.start["targets"]) for p in pushes] == [12, 2]


async def test_responder_logs_each_authentication_and_can_stop(app: PhoneTUI, demo: Demo) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        for name in ("sim-0001", "sim-0002", WRONG_PASSWORD):
            app.fleet.toggle(name)
        await compose_text(pilot, "", "x")
        await push_and_wait(pilot)
        await pilot.press("escape", "r")  # the form's Esc, then r on the table
        assert isinstance(app.screen, ResponderScreen)
        log = app.screen.query_one("#auth-log", LineLog)
        lines = [line.plain for line in log.lines]
        assert len(lines) == 3 == len(demo.service.events)
        assert sum("UN-AUTHORIZED" in line for line in lines) == 1
        assert all("SEP0050" in line and "user=demo" in line for line in lines)
        assert demo.service.config.password not in " ".join(lines)
        state = str(app.screen.query_one("#responder-state", Static).render())
        assert demo.service.auth_url in state and "AUTHORIZED 2" in state
        host, port = demo.service.bound
        await pilot.press("s")
        assert not demo.service.running
        with socket.socket() as sock:  # the port is free again
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((host, port))
        await pilot.press("s")
        assert demo.service.running


async def test_template_saved_then_loaded(app: PhoneTUI, demo: Demo) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await compose_text(pilot, "Lunch", "Canteen open")
        await pilot.press("f4")
        assert isinstance(app.screen, NameModal)
        await pilot.press(*"lunch", "enter")
        await pilot.pause()
        saved = load_config(demo.config.path)
        assert {"name": "lunch", "kind": "text", "title": "Lunch", "prompt": "", "text": "Canteen open"} in (
            saved.templates
        )
        assert Path(str(demo.config.path) + ".bak").exists()
        compose = app.screen
        assert isinstance(compose, ComposeScreen)
        compose.query_one("#title", Input).value = ""
        await pilot.press("f3")
        assert isinstance(app.screen, PickerModal)
        options = [str(o.prompt) for o in app.screen.query_one("OptionList").options]  # type: ignore[attr-defined]
        assert options == ["fire-drill  (text)", "open-services  (execute)", "lunch  (text)"]
        await pilot.press("down", "down", "enter")
        await pilot.pause()
        assert compose.query_one("#title", Input).value == "Lunch"
        await pilot.press("f3")
        await pilot.pause()
        await pilot.press("down", "enter")
        await pilot.pause()
        assert compose.kind == "execute" and compose.query_one("#ex-url-1", Input).value == "Key:Services"


async def test_history_lists_pushes_with_per_phone_results(app: PhoneTUI) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("a")
        await compose_text(pilot, "", "Remember me")
        await push_and_wait(pilot)
        await pilot.press("escape", "h")
        assert isinstance(app.screen, HistoryScreen)
        pushes = app.screen.query_one("#pushes", DataTable)
        results = app.screen.query_one("#push-results", DataTable)
        assert pushes.row_count == 1
        assert [str(c) for c in pushes.get_row_at(0)][1:] == ["Text", "Remember me", "12", "10", "2", "done"]
        assert results.row_count == 12
        assert {str(results.get_row_at(i)[2]) for i in range(12)} == {"ok", "auth-failed", "unreachable"}


async def test_help_lists_every_key(app: PhoneTUI) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f1")
        assert isinstance(app.screen, HelpScreen)
        table = app.screen.query_one(DataTable)
        rows = [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]
        does = {row[2] for row in rows}
        assert {"Compose", "Send", "Preview", "Select", "By tag", "Filter", "Retry failed", "Cancel push"} <= does
        assert ["Phones", "Space", "Select", "toggle"] in rows
        forbidden = {"ctrl+s", "ctrl+b", "ctrl+a", "ctrl+h", "ctrl+enter"}
        assert not forbidden & {row[1].lower() for row in rows}


async def test_palette_has_every_action(app: PhoneTUI) -> None:
    async with app.run_test(size=(120, 40)):
        titles = {c.title for c in app.get_system_commands(app.screen)}
    assert {"Compose a message", "Preview", "Send", "Select all phones", "Retry failed phones", "History"} <= titles
    assert {"Load a template", "Save the form as a template", "Copy the XML", "Start or stop the responder"} <= titles


async def test_palette_copies_the_composed_xml(app: PhoneTUI) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await compose_text(pilot, "T", "a & b")
        app.action_copy_xml()
        assert app.clipboard.endswith("<Title>T</Title><Text>a &amp; b</Text></CiscoIPPhoneText>")


async def test_keys_can_be_overridden_from_config(demo: Demo, tmp_path: Path) -> None:
    demo.config.keys = {"compose": "k"}
    app = PhoneTUI(demo.config, service=demo.service)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("c")
        assert isinstance(app.screen, MainScreen)
        await pilot.press("k")
        assert isinstance(app.screen, ComposeScreen)


async def test_preview_names_the_route_of_each_kind_of_phone(app: PhoneTUI) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        for name in ("sim-0001", "sim-0002", "sim-0003"):  # modern 40 KB, classic and legacy 512 bytes
            app.fleet.toggle(name)
        await compose_text(pilot, "Long", "A long announcement. " * 30)
        await pilot.press("f2")
        plan = str(app.screen.query_one("#plan", Static).render())
        assert "direct: 1 (sim-0001)" in plan and "via-url: 2 (sim-0002, sim-0003)" in plan
        assert "sim-0002: hosted by the service" in plan


async def test_ctrl_q_quits(app: PhoneTUI) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+q")
        await pilot.pause()
    assert app.return_code == 0


async def test_ctrl_c_quits(app: PhoneTUI) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("c")
        await pilot.press("ctrl+c")
        await pilot.pause()
    assert app.return_code == 0
