"""End to end as an operator runs it: `ssh -t` into the box, inside tmux at 80x24, `phonetui demo`.

A throwaway sshd on 127.0.0.1 (a free port, a temporary host key and authorized key, as the
current user) serves the session. Three pushes in a row: after each, the reply log must
show that push's last reply (the slow phone, sim-0011), which the log used to miss from
the second push on, because it stayed on its first lines. Under NO_COLOR a failed row is
told from an ok one by its words alone, and the responder opens on its newest event.
"""

from __future__ import annotations

import getpass
import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from .conftest import needs_loopback_aliases
from .terminal import PHONETUI, TMUX, Terminal, boxed

REPO = Path(__file__).resolve().parents[1]
# sshd lives in an sbin that an unprivileged PATH may leave out
SSHD = shutil.which("sshd", path=f"{os.environ.get('PATH', '')}:/usr/sbin:/usr/local/sbin")
SSH, SSH_KEYGEN = shutil.which("ssh"), shutil.which("ssh-keygen")
PRIVSEP = Path("/run/sshd")  # sshd running as root refuses to start without it

pytestmark = [
    pytest.mark.skipif(TMUX is None, reason="tmux is not installed"),
    pytest.mark.skipif(not PHONETUI.exists(), reason=f"phonetui is not installed beside {sys.executable}"),
    pytest.mark.skipif(None in (SSHD, SSH, SSH_KEYGEN), reason="openssh-server and openssh-client are not installed"),
]

SLOW, WRONG_PASSWORD, OFFLINE = "sim-0011", "sim-0004", "sim-0008"
SLOW_ADDRESS = "127.76.0.11"  # the demo's phones sit on 127.76.0.x; the slow one authenticates last


@dataclass
class Sshd:
    """A running throwaway sshd and what a client needs to log in to it."""

    port: int
    key: Path

    def command(self, remote: str) -> str:
        """``ssh -t`` to it, running ``remote`` (a shell command line) with a terminal."""
        options = [
            "-F", "/dev/null", "-t", "-p", str(self.port), "-i", str(self.key),
            "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes", "-o", "LogLevel=ERROR",
            "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
        ]  # fmt: skip
        return shlex.join([str(SSH), *options, "127.0.0.1", remote])


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def keygen(path: Path) -> None:
    subprocess.run([str(SSH_KEYGEN), "-q", "-t", "ed25519", "-N", "", "-f", str(path)], check=True, timeout=30)


@pytest.fixture
def sshd(tmp_path: Path) -> Iterator[Sshd]:
    folder = tmp_path / "sshd"
    folder.mkdir()
    keygen(folder / "host")
    keygen(folder / "client")
    authorized = folder / "authorized_keys"
    authorized.write_text((folder / "client.pub").read_text())
    authorized.chmod(0o600)
    if os.geteuid() == 0 and not PRIVSEP.is_dir():
        try:
            PRIVSEP.mkdir(mode=0o755, parents=True)
        except OSError as exc:
            pytest.skip(f"sshd needs {PRIVSEP}, which cannot be made: {exc}")
    port = free_port()
    config = folder / "sshd_config"
    config.write_text(
        f"ListenAddress 127.0.0.1\nPort {port}\nHostKey {folder / 'host'}\n"
        f"AuthorizedKeysFile {authorized}\nAllowUsers {getpass.getuser()}\n"
        "PermitRootLogin prohibit-password\nPubkeyAuthentication yes\nPasswordAuthentication no\n"
        "KbdInteractiveAuthentication no\nUsePAM no\nStrictModes no\nPidFile none\n"
    )
    log = (folder / "sshd.log").open("w")
    process = subprocess.Popen([str(SSHD), "-D", "-e", "-f", str(config)], stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 10
        while not (folder / "sshd.log").read_text().count("Server listening"):
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.skip(f"the throwaway sshd did not start: {(folder / 'sshd.log').read_text().strip()}")
            time.sleep(0.05)
        yield Sshd(port, folder / "client")
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


def replies(screen: str) -> list[str]:
    """The reply log's rows as drawn (a notification may cover the right of the last rows)."""
    return [row.rstrip() for row in boxed(screen, "Replies")]


def slow_stamp(screen: str) -> str | None:
    """The time on the slow phone's reply, when it is the newest line the log shows."""
    rows = [row for row in replies(screen) if row.strip()]
    found = re.match(rf"(\d\d:\d\d:\d\d) {SLOW} ✓ ok ", rows[-1]) if rows else None
    return found.group(1) if found else None


def word(text: str, outcome: str) -> bool:
    """``outcome`` as a word of its own: a mark beside it (✓ ok, auth-failed ✗) is fine."""
    return re.search(rf"(?<![\w-]){re.escape(outcome)}(?![\w-])", text) is not None


@needs_loopback_aliases
def test_three_pushes_over_ssh_each_shows_its_last_reply(
    terminal: Callable[[str], Terminal], sshd: Sshd, tmp_path: Path
) -> None:
    env = {
        "NO_COLOR": "1",
        "PHONETUI_HISTORY": str(tmp_path / "history.jsonl"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_STATE_HOME": str(tmp_path / "state"),
    }
    settings = shlex.join(f"{name}={value}" for name, value in env.items())
    remote = f"cd {shlex.quote(str(REPO))} && exec env {settings} {shlex.quote(str(PHONETUI))} demo"
    term = terminal(sshd.command(remote))
    term.wait_for("12 phones · 0 selected", seconds=30)
    term.keys("a")
    term.wait_for("12 selected")
    stamps: list[str] = []
    for push in range(1, 4):
        term.keys("c")
        term.wait_for("Title")
        if push == 1:  # the form keeps its contents for the next pushes
            term.keys("Over SSH", literal=True)
            term.keys("Tab", "Tab")
            term.keys("Three pushes in a row", literal=True)
        term.keys("F5")
        term.wait_for("Push CiscoIPPhoneText to 12 phones?")
        term.keys("y")
        screen = term.wait_for(lambda text: (stamp := slow_stamp(text)) is not None and stamp not in stamps)
        stamps.append(slow_stamp(screen) or "")
        screen = term.wait_for(lambda text: "pushing" not in text and "10 ok, 2 failed" in text)
        term.keys("Escape")
    assert len(set(stamps)) == 3, f"each push's last reply was shown: {stamps}\n{screen}"

    table = {m.group(1): row for row in screen.splitlines() if (m := re.search(r"\b(sim-\d{4}) +127\.76\.0\.", row))}
    assert len(table) == 12, screen
    assert word(table[WRONG_PASSWORD], "auth-failed") and not word(table[WRONG_PASSWORD], "ok")
    assert word(table[OFFLINE], "unreachable") and not word(table[OFFLINE], "ok")
    ok_rows = [row for name, row in table.items() if name not in (WRONG_PASSWORD, OFFLINE)]
    assert all(word(row, "ok") and not word(row, "auth-failed") for row in ok_rows), screen

    term.keys("r")
    responder = term.wait_for("listening on")
    events = [row for row in responder.splitlines() if re.match(r"│[✓✗] [A-Z-]+ +\d\d:\d\d:\d\d ", row)]
    assert events and f" {SLOW_ADDRESS} " in events[-1], f"the responder opens on its newest event:\n{responder}"
    term.keys("Escape")
    term.wait_for("12 phones")
    term.keys("q")
    term.wait_exit()
