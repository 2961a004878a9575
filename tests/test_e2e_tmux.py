"""End to end in a real terminal: the installed `phonetui demo` inside tmux at 80x24, driven by keys."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from .hostile_strings import HOSTILE

TMUX = shutil.which("tmux")
PHONETUI = Path(sys.executable).with_name("phonetui")
pytestmark = [
    pytest.mark.skipif(TMUX is None, reason="tmux is not installed"),
    pytest.mark.skipif(not PHONETUI.exists(), reason=f"phonetui is not installed beside {sys.executable}"),
]


class Terminal:
    """A detached tmux session of its own server, 80x24, running one command."""

    def __init__(self, command: str, tmp: Path) -> None:
        self.socket = f"phonetui-e2e-{uuid.uuid4().hex[:12]}"  # never a server that is still stopping
        self.status_file = tmp / f"{self.socket}.status"
        env = {**os.environ, "PHONETUI_HISTORY": str(tmp / "history.jsonl"), "TERM": "xterm-256color"}
        wrapped = f"sh -c '{command}; echo $? > {self.status_file}'"
        self.tmux("new-session", "-d", "-s", "e2e", "-x", "80", "-y", "24", wrapped, env=env)
        self.tmux("set-option", "-t", "e2e", "remain-on-exit", "on")

    def tmux(self, *args: str, env: dict[str, str] | None = None) -> str:
        result = subprocess.run(
            [TMUX, "-L", self.socket, *args], capture_output=True, text=True, env=env, check=False, timeout=30
        )  # fmt: skip
        return result.stdout

    def screen(self) -> str:
        return self.tmux("capture-pane", "-t", "e2e", "-p")

    def keys(self, *keys: str, literal: bool = False) -> None:
        self.tmux("send-keys", "-t", "e2e", *(["-l"] if literal else []), *keys)
        time.sleep(0.3)

    def wait_for(self, found: Callable[[str], bool] | str, seconds: float = 20) -> str:
        check = found if callable(found) else (lambda text: found in text)
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            text = self.screen()
            if check(text):
                return text
            time.sleep(0.2)
        raise AssertionError(f"not on screen in time (exit status {self.exit_status()!r}):\n{self.screen()}")

    def app_pid(self) -> int:
        """The phonetui process (the pane runs it under sh, to record its exit status)."""
        shell = self.tmux("list-panes", "-t", "e2e", "-F", "#{pane_pid}").split()[0]
        children = subprocess.run(["pgrep", "-P", shell], capture_output=True, text=True, check=False).stdout
        return int(children.split()[0])

    def exit_status(self) -> str:
        """'' while phonetui runs, then its exit status as the shell saw it."""
        return self.status_file.read_text().strip() if self.status_file.exists() else ""

    def wait_exit(self, status: str | None = "0") -> None:
        """Wait until phonetui has exited (with ``status``, unless None: any status)."""
        self.wait_for(lambda _: self.exit_status() != "" and status in (None, self.exit_status()), seconds=20)

    def close(self) -> None:
        self.tmux("kill-server")


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[Callable[[str], Terminal]]:
    opened: list[Terminal] = []

    def open_terminal(command: str) -> Terminal:
        opened.append(Terminal(command, tmp_path))
        return opened[-1]

    yield open_terminal
    for term in opened:
        term.close()


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
    rows = {m.group(1): m.group(2) for m in re.finditer(r"\[x\]\s+(sim-\d{4})\s+\S+\s+\S+\s+[✓✗○]\s([a-z-]+)", done)}
    assert rows["sim-0004"] == "auth-failed" and rows["sim-0008"] == "unreachable"
    assert list(rows.values()).count("ok") == len(rows) - 2 >= 9  # at 80x24 the log keeps 5 lines: 11 rows show
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
