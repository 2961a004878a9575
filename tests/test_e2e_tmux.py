"""End to end in a real terminal: the installed `phonetui demo` inside tmux at 80x24, driven by keys."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from .hostile_strings import HOSTILE
from .terminal import PHONETUI, TMUX, Terminal

pytestmark = [
    pytest.mark.skipif(TMUX is None, reason="tmux is not installed"),
    pytest.mark.skipif(not PHONETUI.exists(), reason=f"phonetui is not installed beside {sys.executable}"),
]


def port_is_free(port: int) -> bool:
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def test_demo_select_compose_preview_send(terminal: Callable[[str], Terminal]) -> None:
    term = terminal(f"{PHONETUI} demo")
    term.wait_for("12 phones · 0 selected")
    term.keys("a")
    term.wait_for("12 selected")
    term.keys("c")
    term.wait_for("Title")
    term.keys("Lunch is served", literal=True)
    term.keys("Tab", "Tab")
    term.keys("Soup & <bread> today", literal=True)
    term.keys("F2")
    preview = term.wait_for("XML, UTF-8")
    assert "&amp;" in preview and "&lt;bread&gt;" in preview and "direct: 12" in preview
    term.keys("F5")
    term.wait_for("Push CiscoIPPhoneText to 12 phones?")
    term.keys("y")
    done = term.wait_for(lambda text: "10 ok, 2 failed" in text and "pushing" not in text)
    # name, address, model, the probe's state and its age (the demo probes as it starts), result
    row = r"\[x\]\s+(sim-\d{4})\s+\S+\s+\S+\s+([a-z-]+) \d+[smhd]\s+[✓✗○]\s([a-z-]+)"
    rows = {m.group(1): (m.group(2), m.group(3)) for m in re.finditer(row, done)}
    assert rows["sim-0004"] == ("online", "auth-failed") and rows["sim-0008"] == ("refused", "unreachable")
    assert [result for _, result in rows.values()].count("ok") == 10 and len(rows) == 12, done
    assert "Success" in done  # the reply log
    term.keys("q")
    term.wait_exit()


def test_hangup_ends_the_app_and_frees_the_responder_port(terminal: Callable[[str], Terminal]) -> None:
    term = terminal(f"{PHONETUI} demo")
    term.wait_for("12 phones")
    term.keys("r")
    state = term.wait_for("listening on")
    port = int(re.search(r"listening on 127\.0\.0\.1:(\d+)", state).group(1))
    assert not port_is_free(port)
    os.kill(term.app_pid(), signal.SIGHUP)  # what a dropped SSH session sends
    term.wait_exit(status=None)
    assert "Traceback" not in term.screen()
    assert port_is_free(port)


def test_ctrl_c_quits_cleanly(terminal: Callable[[str], Terminal]) -> None:
    term = terminal(f"{PHONETUI} demo")
    term.wait_for("12 phones")
    term.keys("c")
    term.wait_for("Title")
    term.keys("C-c")
    term.wait_exit()


def test_readable_without_colour(terminal: Callable[[str], Terminal]) -> None:
    """Under NO_COLOR in a 256-colour terminal every state is still written out in words."""
    term = terminal(f"env NO_COLOR=1 TERM=screen-256color {PHONETUI} demo")
    term.wait_for("12 phones")
    term.keys("space")
    screen = term.wait_for("1 selected")
    assert "[x]  sim-0001" in screen and "[ ]  sim-0002" in screen
    term.keys("q")
    term.wait_exit()


def hostile_journal(path: Path) -> None:
    """A history holding what a phone or a broken journal can hold: markup, escapes, wrong types."""

    with path.open("w", encoding="utf-8") as handle:
        for key, value in HOSTILE.items():
            records = [
                {"event": "start", "push": key, "time": 1.0, "object": value, "xml": value,
                 "targets": [{"phone": value, "host": value, "mode": "direct"}]},
                {"event": "result", "push": key, "phone": value, "host": value, "outcome": value, "detail": value},
            ]  # fmt: skip
            for record in records:
                handle.write(json.dumps(record) + "\n")
        handle.write("not json [/]\n")


def test_hangup_after_a_hostile_history_still_ends_the_app(terminal: Callable[[str], Terminal], tmp_path: Path) -> None:
    """History shows a journal of hostile strings; then a hang-up still ends the app and frees its port."""
    hostile_journal(tmp_path / "history.jsonl")  # the Terminal points PHONETUI_HISTORY there
    term = terminal(f"{PHONETUI} demo")
    term.wait_for("12 phones")
    term.keys("r")
    port = int(re.search(r"listening on 127\.0\.0\.1:(\d+)", term.wait_for("listening on")).group(1))
    term.keys("Escape")
    term.wait_for("0 selected")  # back on the table (an Esc and a letter at once would read as Alt)
    term.keys("h")
    term.wait_for("␛[31mr")  # an escape sequence drawn, not sent to the terminal
    for _ in range(10):
        term.keys("Down")
    term.wait_for("[/] oops")  # the markup is drawn, not parsed
    assert term.exit_status() == ""  # still running
    os.kill(term.app_pid(), signal.SIGHUP)
    term.wait_exit(status=None)
    assert "Traceback" not in term.screen()
    assert port_is_free(port)


def test_quit_during_a_push_asks_and_closes_the_journal_record(
    terminal: Callable[[str], Terminal], tmp_path: Path
) -> None:
    term = terminal(f"{PHONETUI} demo")
    term.wait_for("12 phones")
    term.keys("a", "c")
    term.wait_for("Title")
    term.keys("Quit test", literal=True)
    term.keys("F5")
    term.wait_for("Push CiscoIPPhoneText")
    term.keys("y")
    term.wait_for("pushing")  # the slow phone takes 1.5 s
    term.keys("q")
    term.wait_for("A push to 12 phones is running: cancel it and quit?")
    term.keys("y")
    term.wait_exit()
    records = [json.loads(line) for line in (tmp_path / "history.jsonl").read_text().splitlines()]
    ends = [r for r in records if r["event"] == "end"]
    assert len(ends) == 1 and ends[0]["cancelled"] is True
