"""Portable: a loopback of one address (as on macOS), and a fleet larger than the descriptor limit.

Linux binds all of 127.0.0.0/8, so the fallback is forced: the commands run with the
simulator's bind seam pointed at TEST-NET-1 (192.0.2.1), which no interface has. The OS
refuses that bind exactly as macOS refuses 127.0.0.2 (EADDRNOTAVAIL); nothing is ever
sent there.
"""

from __future__ import annotations

import errno
import json
import os
import resource
import shlex
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from phonetui.config import load_config
from phonetui.simfleet import phones_per_process

from .terminal import TMUX, Terminal
from .test_simulator import UNBINDABLE, bind_refused

ONE_ADDRESS_LOOPBACK = (
    "import sys\n"
    "from phonetui.simulator import Simulator\n"
    f"Simulator.bind_host = lambda self, phone: phone.host if phone.host == '127.0.0.1' else {UNBINDABLE!r}\n"
    "from phonetui.cli import main\n"
    "sys.exit(main(sys.argv[1:]))\n"
)

NOT_AVAILABLE = os.strerror(errno.EADDRNOTAVAIL)
forced = pytest.mark.skipif(not bind_refused(UNBINDABLE), reason=f"this machine binds {UNBINDABLE}")


def started(command: list[str], preexec_fn: Callable[[], None] | None = None) -> subprocess.Popen[str]:
    """A background ``simulate``, once it has said it is ready."""
    pipe = subprocess.PIPE
    proc = subprocess.Popen(command, stdout=pipe, stderr=pipe, text=True, preexec_fn=preexec_fn)
    assert proc.stdout is not None
    deadline = time.monotonic() + 60
    for line in proc.stdout:
        if "Ctrl-C" in line:
            return proc
        assert time.monotonic() < deadline, "not ready in time"
    raise AssertionError(f"exited early: {proc.stderr.read() if proc.stderr else ''}")


def interrupted(proc: subprocess.Popen[str]) -> str:
    """Ctrl-C as a user sends it; the command's stderr."""
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    return err


def push_all(config: Path) -> list[dict[str, object]]:
    command = [sys.executable, "-m", "phonetui", "push", "--config", str(config), "--all", "--text", "hi", "--json"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


@pytest.fixture
def processes() -> Iterator[list[subprocess.Popen[str]]]:
    running: list[subprocess.Popen[str]] = []
    yield running
    for proc in running:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()


@forced
def test_simulate_falls_back_and_says_so(tmp_path: Path, processes: list[subprocess.Popen[str]]) -> None:
    config = tmp_path / "sim.toml"
    command = [sys.executable, "-c", ONE_ADDRESS_LOOPBACK, "simulate", "--count", "3", "--base", "127.77.11.0"]
    processes.append(started([*command, "--write-config", str(config)]))
    phones = load_config(config).phones
    assert {p.host for p in phones} == {"127.0.0.1"} and len({p.port for p in phones}) == 3
    assert [r["outcome"] for r in push_all(config)] == ["ok"] * 3
    err = interrupted(processes[0])
    assert err == (
        f"phonetui: 127.77.11.1 cannot be bound here ({NOT_AVAILABLE}): the phones listen on ports of 127.0.0.1\n"
    )


@forced
@pytest.mark.skipif(TMUX is None, reason="tmux is not installed")
def test_demo_falls_back_and_shows_it(terminal: Callable[[str], Terminal]) -> None:
    term = terminal(f"{sys.executable} -c {shlex.quote(ONE_ADDRESS_LOOPBACK)} demo")
    screen = term.wait_for(lambda text: "Demo: 127.76.0.1" in text and "12 phones · 0 selected" in text)
    toast = " ".join(row.split("▌")[1].strip(" │─╮") for row in screen.splitlines() if "▌" in row)  # over the border
    assert toast == (
        f"Demo: 127.76.0.1 cannot be bound here ({NOT_AVAILABLE}): the phones listen on ports of 127.0.0.1."
    )
    assert "192.0.2.1" not in screen
    done = term.push_text_to_all(12, "Moved")
    assert "10 ok, 2 failed" in done and "127.0.0.1:" in done
    term.keys("q")
    term.wait_exit()


def test_phones_per_process_follow_the_descriptor_limit() -> None:
    assert [phones_per_process(n) for n in (256, 1024, 20_000, 1 << 20)] == [128, 768, 10_000, 10_000]


def low_descriptor_limit() -> None:
    resource.setrlimit(resource.RLIMIT_NOFILE, (256, 256))


def test_a_fleet_over_the_descriptor_limit_runs_in_several_processes(
    tmp_path: Path, processes: list[subprocess.Popen[str]]
) -> None:
    """With 256 descriptors a process serves 128 phones: 400 phones take four children."""
    config = tmp_path / "sim.toml"
    command = [sys.executable, "-m", "phonetui", "simulate", "--count", "400", "--base", "127.77.12.0"]
    log = tmp_path / "sim.log"
    processes.append(
        started([*command, "--write-config", str(config), "--log-file", str(log)], preexec_fn=low_descriptor_limit)
    )
    children = subprocess.run(["pgrep", "-P", str(processes[0].pid)], capture_output=True, text=True, check=False)
    assert len(children.stdout.split()) == 4
    phones = load_config(config).phones
    assert len({p.host for p in phones}) == 400 and len({p.port for p in phones}) == 1  # one shared port
    results = push_all(config)
    assert len(results) == 400 and {r["outcome"] for r in results} == {"ok"}
    interrupted(processes[0])
    for pid in children.stdout.split():
        with pytest.raises(ProcessLookupError):  # each child stopped with its parent, and was reaped
            os.kill(int(pid), 0)
    started_lines = [line for line in log.read_text().splitlines() if "phones started" in line]
    assert len(started_lines) == 4 and all("100 phones started" in line for line in started_lines)  # each child logs
