"""A real terminal for the end-to-end tests: a tmux session of its own at 80x24, driven by keys."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path

TMUX = shutil.which("tmux")
PHONETUI = Path(sys.executable).with_name("phonetui")


class Terminal:
    """A detached tmux session of its own server, 80x24, running one command."""

    def __init__(self, command: str, tmp: Path) -> None:
        assert TMUX is not None, "tmux is not installed"
        self.socket = f"phonetui-e2e-{uuid.uuid4().hex[:12]}"  # never a server that is still stopping
        self.status_file = tmp / f"{self.socket}.status"
        env = {**os.environ, "PHONETUI_HISTORY": str(tmp / "history.jsonl"), "TERM": "xterm-256color"}
        wrapped = f"sh -c {shlex.quote(f'{command}; echo $? > {shlex.quote(str(self.status_file))}')}"
        self.tmux("new-session", "-d", "-s", "e2e", "-x", "80", "-y", "24", wrapped, env=env)
        self.tmux("set-option", "-t", "e2e", "remain-on-exit", "on")

    def tmux(self, *args: str, env: dict[str, str] | None = None) -> str:
        assert TMUX is not None
        result = subprocess.run(
            [TMUX, "-L", self.socket, *args], capture_output=True, text=True, env=env, check=False, timeout=30
        )  # fmt: skip
        return result.stdout

    def screen(self) -> str:
        """The pane's text as a user reads it: no colour, no attributes (``capture-pane`` without ``-e``)."""
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

    def push_text_to_all(self, phones: int, text: str) -> str:
        """From the phone table: select all, compose a Text, send it, confirm; the screen once it is done."""
        self.keys("a")
        self.wait_for(f"{phones} selected")
        self.keys("c")
        self.wait_for("Title")
        self.keys(text, literal=True)
        self.keys("F5")
        self.wait_for(f"Push CiscoIPPhoneText to {phones} phones?")
        self.keys("y")
        return self.wait_for(lambda screen: " ok" in screen and "pushing" not in screen)

    def close(self) -> None:
        self.tmux("kill-server")


def boxed(screen: str, title: str) -> list[str]:
    """The rows inside the rounded box whose top border carries ``title``, without the side borders."""
    rows = screen.splitlines()
    top = next((i for i, row in enumerate(rows) if row.startswith("╭") and f" {title} " in row), None)
    if top is None:
        return []
    inside: list[str] = []
    for row in rows[top + 1 :]:
        if row.startswith("╰"):
            break
        inside.append(row[1:-1] if row.startswith("│") else row)
    return inside
