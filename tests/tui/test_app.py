"""Every flow of the TUI, driven by keys through Pilot, against the simulator on loopback."""

from __future__ import annotations

import os
import signal
import socket
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Label, Static

from phonetui.config import ServiceConfig, Template, load_config
from phonetui.demo import Demo
from phonetui.history import Journal
from phonetui.tui.app import PhoneTUI
from phonetui.tui.screens.compose import ComposeScreen
from phonetui.tui.screens.help import HelpScreen
from phonetui.tui.screens.history import HistoryScreen
from phonetui.tui.screens.main import MainScreen
from phonetui.tui.screens.pickers import ConfirmModal, NameModal, PickerModal, QuitModal
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


async def push_to_all_while_the_slow_one_waits(pilot: Pilot[int]) -> None:
    """Push to every phone; return once the fast ones answered (the slow one takes 1.5 s)."""
    app = pilot.app
    assert isinstance(app, PhoneTUI)
    await pilot.press("a")
    await compose_text(pilot, "", "x")
    await pilot.press("f5", "y")
    await wait_until(pilot, lambda: cell(app, "sim-0001", "result") == "✓ ok")


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
        assert isinstance(app.screen, NameModal)
        await pilot.press(*"group-1", "enter")  # a tag by its name
        await pilot.pause()
        assert selected(app) == ["sim-0001", "sim-0005", "sim-0009"]


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
        assert (
            "smallest limit 512" in plan
            and "direct: 12 phones: sim-0001, sim-0002, sim-0003, sim-0004 and 8 more" in plan
        )
        drawing = str(preview.query_one("#drawing", Static).render())
        assert "Café & co" in drawing and "Line <one>" in drawing
        notes = [str(w.render()) for w in preview.query("#xml-pane Static")]
        assert any("phones (ISO-8859-1) get the same object declared ISO-8859-1" in n for n in notes)
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
        await wait_until(pilot, lambda: cell(app, "sim-0001", "result") == "✓ ok")
        await wait_until(pilot, lambda: cell(app, WRONG_PASSWORD, "result") == "✗ auth-failed")
        assert cell(app, SLOW, "result") == "… sending"
        await wait_until(pilot, lambda: app.main.pushes_finished == 1)
        assert cell(app, SLOW, "result") == "✓ ok"
        assert cell(app, OFFLINE, "result") == "✗ unreachable"
        assert {cell(app, n, "result") for n in NAMES} == {"✓ ok", "✗ auth-failed", "✗ unreachable"}
        assert cell(app, "sim-0001", "latency").endswith("ms")
        log = app.main.query_one("#replies", LineLog)
        assert len(log.lines) == 12
        assert "10 ok, 2 failed" in status(app)
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
        assert "Hint:     the push user may not be associated" in text
        # the built-in responder is the demo's auth URL: what it answered this phone is beside the reply
        assert "Built-in responder, for this phone's address:" in text
        assert "✗ UN-AUTHORIZED" in text and f"({WRONG_PASSWORD})" in text and "wrong password" in text
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)


async def test_escape_cancels_what_is_outstanding(app: PhoneTUI) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await push_to_all_while_the_slow_one_waits(pilot)
        assert cell(app, SLOW, "result") == "… sending"
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.main.pushes_finished == 1)
        assert cell(app, SLOW, "result") == "○ cancelled"
        assert cell(app, "sim-0001", "result") == "✓ ok"


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
        assert cell(app, WRONG_PASSWORD, "result") == "✓ ok"
        assert cell(app, OFFLINE, "result") == "✗ unreachable"
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
        assert lines[-1].startswith(("✓ AUTHORIZED", "✗ UN-AUTHORIZED"))  # the verdict first
        assert any(f"({WRONG_PASSWORD})" in line for line in lines)  # the phone named by its address
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
        assert demo.service.bound == (host, port)  # the same port: phones were told that address


async def test_responder_port_taken_is_explained_and_pushes_work(demo: Demo, tmp_path: Path) -> None:
    """Another program holds the service's address: the panel says so, and pushes still go."""
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        taken = holder.getsockname()[1]
        config = demo.config
        assert config.service is not None
        config.service.listen_port = taken
        app = PhoneTUI(config, journal=Journal(tmp_path / "h.jsonl"))  # its own responder, on the taken port
        async with app.run_test(size=(100, 30)) as pilot:
            assert app.service is not None and not app.service.running
            toast = next(n.message for n in app._notifications if n.message.startswith("Responder:"))
            # whole in a toast at 80x24 (about 5 lines of 50 cells); the responder screen has the rest
            assert f"127.0.0.1:{taken} is taken by another program" in toast and len(toast) <= 200, toast
            await pilot.press("r")
            await pilot.pause()
            state = str(app.screen.query_one("#responder-state", Static).render())
            said = f"Cannot listen on 127.0.0.1:{taken}: Address already in use (another program holds it)."
            assert said in state and "If it is phonetui serve" in state
            assert "error while attempting" not in state  # asyncio's own wording stays out
            await pilot.press("escape")
            app.fleet.toggle("sim-0001")
            await compose_text(pilot, "t", "x")
            await push_and_wait(pilot)
            assert cell(app, "sim-0001", "result") == "✓ ok"  # the demo's own responder answers the phone


async def test_template_saved_then_loaded(app: PhoneTUI, demo: Demo) -> None:
    written_by_hand = demo.config.path.read_bytes()
    async with app.run_test(size=(120, 40)) as pilot:
        await compose_text(pilot, "Lunch", "Canteen open")
        await pilot.press("f4")
        assert isinstance(app.screen, NameModal)
        await pilot.press(*"lunch", "enter")
        await pilot.pause()
        saved = load_config(demo.config.path)
        assert Template("lunch", "text", "Lunch", "", "Canteen open") in saved.templates
        lunch = saved.template("lunch")
        assert lunch is not None and lunch.source == demo.folder / "templates.toml"
        assert demo.config.path.read_bytes() == written_by_hand  # the config is never rewritten
        assert not Path(str(demo.config.path) + ".bak").exists()
        toast = list(app._notifications)[-1].message
        assert toast == f"Template 'lunch' saved to {demo.folder / 'templates.toml'}"
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
        rows = [list(row) for row in app.screen.rows()]
        does = {row[1] for row in rows}
        assert {
            "Compose",
            "Send",
            "Preview",
            "Select",
            "Select by",
            "Probe",
            "Filter",
            "Retry failed",
            "Cancel push",
        } <= does
        assert ["Space", "Select", "toggle", "Phones"] in rows
        assert ["f", "Retry failed", "retry", "Phones"] in rows  # a letter, not Shift+F
        assert ["x", "Cancel push", "cancel-push", "Phones"] in rows  # cancel without an escape sequence
        assert ["F6", "Text/Execute", "switch-kind", "Compose"] in rows
        forbidden = {"ctrl+s", "ctrl+b", "ctrl+a", "ctrl+h", "ctrl+enter"}
        assert not forbidden & {row[0].lower() for row in rows}
        assert len([row for row in rows if row[2] == "help"]) == 1  # listed once, not per screen
        assert ["End", "Replies: follow the newest again", "", "Phones"] in rows


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
        assert "direct: the phone sim-0001" in plan and "via-url: 2 phones: sim-0002, sim-0003" in plan
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


async def test_no_color_failures_read_without_colour(
    demo: Demo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Under NO_COLOR a failed row is reversed and marked ✗, an ok row bold and marked ✓."""
    monkeypatch.setenv("NO_COLOR", "1")
    app = PhoneTUI(demo.config, service=demo.service, journal=Journal(tmp_path / "h.jsonl"))
    async with app.run_test(size=(100, 30)) as pilot:
        assert app.no_color
        for name in ("sim-0001", WRONG_PASSWORD):
            app.fleet.toggle(name)
        await compose_text(pilot, "Notice", "Hello")
        await push_and_wait(pilot)
        await pilot.pause()
        table = app.main.query_one(PhoneTable)
        table.move_cursor(row=table.get_row_index("sim-0002"))  # the cursor off both rows

        def result_segment(name: str) -> tuple[str, bool, bool]:
            strip = table.render_line(table.get_row_index(name) + 1)
            segment = next(s for s in strip if "ok" in s.text or "auth-failed" in s.text)
            style = segment.style
            assert style is not None
            return segment.text.strip(), bool(style.reverse), bool(style.bold)

        assert result_segment(WRONG_PASSWORD) == ("✗ auth-failed", True, True)
        assert result_segment("sim-0001") == ("✓ ok", False, True)


async def test_click_header_sorts_and_click_mark_selects(app: PhoneTUI) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        table = app.main.query_one(PhoneTable)
        model_x = next(x for x in range(120) if table.column_at(x) == "model")
        await pilot.click(PhoneTable, offset=(model_x, 0))
        assert "sort: model" in status(app) and app.fleet.states[table.name_at(0)].phone.model == "CP-6945"
        await pilot.click(PhoneTable, offset=(model_x, 0))
        assert "sort: model ↓" in status(app)
        await pilot.click(PhoneTable, offset=(2, 1))  # the [ ] of the first row
        assert selected(app) == [table.name_at(0)]
        assert cell(app, table.name_at(0), "sel") == "[x]"


async def test_mixed_charsets_warn_naming_the_phones_and_push_the_others(app: PhoneTUI) -> None:
    """A 7960 (ISO-8859-1) among UTF-8 phones: '你' is a warning naming it, not a block."""
    async with app.run_test(size=(80, 24)) as pilot:
        for name in ("sim-0001", "sim-0003"):  # 8845 (UTF-8) and 7960 (ISO-8859-1)
            app.fleet.toggle(name)
        await compose_text(pilot, "你好 title", "Hello 😀")
        warning = str(app.screen.query_one("#title-error", Label).render())
        assert "'你', '好' cannot be sent in ISO-8859-1: the phone sim-0003 will be refused" in warning
        summary = str(app.screen.query_one("#object-error", Label).render())
        assert summary.startswith("✓ CiscoIPPhoneText") and "ISO-8859-1 phones refused" in summary
        await pilot.press("f2")
        await pilot.pause()
        assert isinstance(app.screen, PreviewScreen)
        notes = " ".join(str(w.render()) for w in app.screen.query("#xml-pane Static"))
        assert "1 phone (ISO-8859-1) cannot get it and will be refused" in notes
        await pilot.press("escape", "f5")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmModal)
        assert "refused: the phone sim-0003" in str(app.screen.query_one("#detail", Static).render())
        await pilot.press("y")
        await wait_until(pilot, lambda: app.main.pushes_finished == 1)
        assert cell(app, "sim-0001", "result") == "✓ ok"
        assert cell(app, "sim-0003", "result") == "✗ refused"


async def test_unwritable_journal_warns_once_and_pushes(demo: Demo, tmp_path: Path) -> None:
    """The history is a side duty: a journal that is a directory gives a warning, not a failed push."""
    app = PhoneTUI(demo.config, service=demo.service, journal=Journal(tmp_path))  # a directory
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        for name in ("sim-0001", "sim-0002"):
            app.fleet.toggle(name)
        await compose_text(pilot, "t", "x")
        await push_and_wait(pilot)
        assert cell(app, "sim-0001", "result") == "✓ ok" and cell(app, "sim-0002", "result") == "✓ ok"
        messages = [n.message for n in app._notifications]
        warnings = [m for m in messages if m.startswith("history not written")]
        assert len(warnings) == 1 and "The push goes on." in warnings[0]
        assert not any("failed" in m for m in messages)


async def test_via_url_hands_long_objects_to_a_service_already_listening(demo: Demo, tmp_path: Path) -> None:
    """'phonetui serve' holds [service] listen: the app hands long objects to it, as 'push' does."""
    from phonetui.service import Service

    assert demo.config.service is not None
    running = Service(ServiceConfig("127.0.0.1", 0, username="serve-user", password="serve-pass"))
    await running.start()
    try:
        host, port = running.bound or ("", 0)
        demo.config.service = ServiceConfig(host, port, username="serve-user", password="serve-pass")
        app = PhoneTUI(demo.config, journal=Journal(tmp_path / "h.jsonl"))
        async with app.run_test(size=(100, 30)) as pilot:
            assert app.service is not None and not app.service.running and app.service_taken
            app.fleet.toggle("sim-0002")  # a classic phone: 512 bytes
            await compose_text(pilot, "Long", "A long announcement. " * 30)
            await pilot.press("f5")
            await pilot.pause()
            assert isinstance(app.screen, ConfirmModal)
            detail = str(app.screen.query_one("#detail", Static).render())
            assert "1 via-url" in detail and f"already listening at http://{host}:{port}" in detail
            await pilot.press("y")
            await wait_until(pilot, lambda: app.main.pushes_finished == 1)
            assert cell(app, "sim-0002", "result") == "✓ ok"
            result = app.fleet.states["sim-0002"].result
            assert result is not None and result.route == "via-url"
            assert demo.simulator.phone("sim-0002").screen.text.startswith("A long announcement.")
    finally:
        await running.stop()


async def test_palette_loads_a_template_by_name(app: PhoneTUI) -> None:
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"fire-drill")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ComposeScreen))
        await pilot.pause()
        assert app.screen.query_one("#title", Input).value == "Fire drill"


async def test_saving_over_a_template_asks_first(app: PhoneTUI) -> None:
    async with app.run_test(size=(100, 30)) as pilot:
        await compose_text(pilot, "New drill", "Stairs")
        await pilot.press("f4")
        await pilot.press(*"fire-drill", "enter")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmModal)
        assert "Replace the template 'fire-drill'?" in str(app.screen.query_one("#question", Label).render())
        await pilot.press("n")
        await pilot.pause()
        template = app.config.template("fire-drill")
        assert template is not None and template.title == "Fire drill"  # kept


async def test_long_names_get_the_room_at_wide_sizes(demo: Demo, tmp_path: Path) -> None:
    demo.config.phones[0].name = "bldgA-floor3-reception-desk"
    app = PhoneTUI(demo.config, service=demo.service, journal=Journal(tmp_path / "h.jsonl"))
    async with app.run_test(size=(120, 40)):
        assert cell(app, "bldgA-floor3-reception-desk", "name") == "bldgA-floor3-reception-desk"
        table = app.main.query_one(PhoneTable)
        assert "bldgA-floor3-reception-desk " in table.render_line(1).text


def test_sort_by_address_sorts_addresses_as_addresses() -> None:
    from phonetui.config import Phone
    from phonetui.tui.state import Fleet

    hosts = ["127.0.0.10", "phone.example", "127.0.1.1", "::1", "127.0.0.2"]
    fleet = Fleet([Phone(f"p{i}", host) for i, host in enumerate(hosts)])
    fleet.sort_by("address")
    assert [s.phone.host for s in fleet.visible()] == ["127.0.0.2", "127.0.0.10", "127.0.1.1", "::1", "phone.example"]


def test_the_key_clash_check_knows_every_screen_s_bindings() -> None:
    """keymap.SCREENS must list what each screen binds, or `check` would miss clashes there."""
    from textual.binding import Binding

    from phonetui.keymap import EVERYWHERE, SCREENS
    from phonetui.tui.screens.history import HistoryScreen
    from phonetui.tui.screens.responder import ResponderScreen

    def ids(bindings: list[object]) -> set[str]:
        return {b.id for b in bindings if isinstance(b, Binding) and b.id} - set(EVERYWHERE)

    from phonetui.tui.screens.shot_grid import ShotGridScreen, ShotScreen

    screens = {"phones": MainScreen, "compose": ComposeScreen, "preview": PreviewScreen,
               "responder": ResponderScreen, "history": HistoryScreen,
               "screen": ShotScreen, "screens": ShotGridScreen}  # fmt: skip
    for name, screen in screens.items():
        assert ids(list(screen.BINDINGS)) == set(SCREENS[name]), name
    assert {b.id for b in PhoneTUI.BINDINGS if isinstance(b, Binding) and b.id} == set(EVERYWHERE)


def gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


async def test_one_push_process_serves_every_push_and_ends_with_the_app(app: PhoneTUI) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: app.push_process.pid is not None)  # started once the first frame is out
        pid = app.push_process.pid
        app.fleet.toggle("sim-0001")
        await compose_text(pilot, "", "first")
        await push_and_wait(pilot)
        await pilot.press("escape")
        app.fleet.toggle("sim-0002")
        await compose_text(pilot, "", "second")
        await push_and_wait(pilot)
        assert cell(app, "sim-0001", "result") == "✓ ok" and cell(app, "sim-0002", "result") == "✓ ok"
        assert app.push_process.pid == pid and app.push_process.starts == 1
        assert [len(p.results) for p in app.journal.pushes()] == [1, 2]
    assert pid is not None and gone(pid)  # quitting stopped it: no orphan


async def test_a_push_process_killed_mid_push_is_replaced(app: PhoneTUI) -> None:
    """The outstanding phone says the push was interrupted and why; the next push gets a new process."""
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await push_to_all_while_the_slow_one_waits(pilot)
        assert cell(app, SLOW, "result") == "… sending"
        old = app.push_process.pid
        assert old is not None
        os.kill(old, signal.SIGKILL)
        await wait_until(pilot, lambda: app.main.pushes_finished == 1)
        assert cell(app, SLOW, "result") == "○ cancelled" and cell(app, "sim-0001", "result") == "✓ ok"
        result = app.fleet.states[SLOW].result
        assert result is not None and "interrupted: the push process was stopped by SIGKILL" in result.detail
        assert "last push interrupted: " in status(app)
        assert any("The push was interrupted" in n.message for n in app._notifications)
        await pilot.press("escape")
        app.fleet.select_none()
        app.fleet.toggle("sim-0001")
        await compose_text(pilot, "", "again")
        await push_and_wait(pilot)
        assert cell(app, "sim-0001", "result") == "✓ ok"
        assert app.push_process.pid not in (None, old) and app.push_process.starts == 2
    assert gone(old)


async def test_the_push_process_logs_where_the_app_does(demo: Demo, tmp_path: Path) -> None:
    log = tmp_path / "phonetui.log"
    app = PhoneTUI(demo.config, service=demo.service, log_file=str(log), log_level="DEBUG")
    async with app.run_test(size=(120, 40)) as pilot:
        app.fleet.toggle("sim-0001")
        await compose_text(pilot, "", "x")
        await push_and_wait(pilot)
    text = log.read_text()
    assert "INFO phonetui.pushproc: job 1: CiscoIPPhoneText to 1 phones, mode auto" in text
    assert "DEBUG phonetui.pushproc: warm-up took" in text
    assert demo.service.config.password not in text


async def test_quitting_during_a_push_asks_then_closes_its_record(app: PhoneTUI) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await push_to_all_while_the_slow_one_waits(pilot)
        pid = app.push_process.pid
        await pilot.press("q")
        await wait_until(pilot, lambda: isinstance(app.screen, QuitModal))  # a loaded machine mounts it late
        assert "A push to 12 phones is running: cancel it and quit?" in str(
            app.screen.query_one("#question", Label).render()
        )
        await pilot.press("y")
        await pilot.pause()
    assert app.return_code == 0
    [record] = app.journal.pushes()
    assert record.status == "cancelled" and len(record.results) == 12
    assert pid is not None and gone(pid)
