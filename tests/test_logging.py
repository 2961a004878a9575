"""--log-file and --log-level: real commands against real loopback servers, the log read back."""

from __future__ import annotations

import base64
import contextlib
import logging
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from phonetui.cli import build_parser, main

from .terminal import PHONETUI, TMUX, Terminal
from .test_cli import ROOT, Running

SECRET = "Xq7-log-test-Pa55word-31337"
USER = "pusher"
#: Everything that would betray the password: itself, and each base64 form a Basic header could carry.
BETRAYALS = [
    SECRET,
    base64.b64encode(f"{USER}:{SECRET}".encode()).decode(),
    base64.b64encode(SECRET.encode()).decode(),
    base64.b64encode(f"{USER}:{SECRET}-wrong".encode()).decode(),
]
SAMPLE = str(ROOT / "sample-config.toml")


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "phonetui", *args], capture_output=True, text=True, timeout=60, check=False, cwd=cwd
    )


def assert_no_secret(text: str) -> None:
    for betrayal in BETRAYALS:
        assert betrayal not in text


@pytest.fixture
def fleet(tmp_path: Path) -> Iterator[Path]:
    """Six simulated phones (one with a wrong password, one garbled, one offline) and their config."""
    config = tmp_path / "sim.toml"
    running = Running(
        "simulate", "--count", "6", "--username", USER, "--password", SECRET, "--wrong-password", "1",
        "--garbled", "1", "--offline", "1", "--write-config", str(config), ready="Ctrl-C",
    )  # fmt: skip
    yield config
    assert running.stop() == 0


def test_push_logs_every_outcome_and_never_the_password(fleet: Path, tmp_path: Path) -> None:
    log = tmp_path / "push.log"
    args = ("push", "--config", str(fleet), "--all", "--text", "Hello", "--no-history")
    plain = run(*args)
    logged = run(*args, "--log-file", str(log), "--log-level", "debug")
    assert logged.returncode == plain.returncode == 1
    for result in (plain, logged):  # the log adds nothing to the terminal: the summary alone, on stderr
        assert len(result.stderr.splitlines()) == 1 and result.stderr.startswith("6 phones: 3 ok, 3 failed")
    assert len(logged.stdout.splitlines()) == len(plain.stdout.splitlines()) == 7
    text = log.read_text(encoding="utf-8")
    lines = text.splitlines()
    assert "INFO phonetui.cli: phonetui " in lines[0] and lines[0].endswith(" push")
    assert any(
        "INFO phonetui.push: push " in line and "started: CiscoIPPhoneText to 6 phones" in line for line in lines
    )
    outcomes = {"sim-0001": "DEBUG", "sim-0002": "DEBUG", "sim-0003": "DEBUG"}
    outcomes |= {"sim-0004": "INFO", "sim-0005": "INFO", "sim-0006": "INFO"}  # the faulty phones, last in the fleet
    for name, level in outcomes.items():
        assert sum(f" {level} phonetui.push: " in line and f"'{name}'" in line for line in lines) == 1, name
    assert "auth-failed" in text and "bad-reply" in text and "unreachable" in text
    assert "ended: 6 phones, 3 ok" in lines[-1]
    assert_no_secret(text)


def test_default_level_is_info_and_appends(fleet: Path, tmp_path: Path) -> None:
    log = tmp_path / "push.log"
    log.write_text("a line someone wrote\n")
    result = run("push", "--config", str(fleet), "--all", "--text", "Hi", "--no-history", "--log-file", str(log))
    assert result.returncode == 1
    text = log.read_text(encoding="utf-8")
    assert text.startswith("a line someone wrote\n")  # a person's file is added to, never rewritten
    assert " DEBUG " not in text and "'sim-0001'" not in text  # ok phones are DEBUG
    assert "'sim-0004'" in text and "auth-failed" in text


@contextlib.contextmanager
def serving(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """``phonetui serve --log-file`` on a free loopback port: its authentication URL and its log."""
    config = tmp_path / "serve.toml"
    config.write_text(f'[service]\nlisten = "127.0.0.1:0"\nusername = "{USER}"\npassword = "{SECRET}"\n')
    config.chmod(0o600)
    log = tmp_path / "serve.log"
    server = Running("serve", "--config", str(config), "--log-file", str(log), ready="listening on")
    try:
        yield server.lines[-1].split("phones use ")[1], log
    finally:
        assert server.stop() == 0


def test_serve_logs_auth_decisions_without_the_password(tmp_path: Path) -> None:
    with serving(tmp_path) as (url, log):
        answers = [
            httpx.get(url, params={"UserID": USER, "Password": SECRET, "devicename": "SEP001122334455"}),
            httpx.post(url, data={"UserID": USER, "Password": SECRET + "-wrong", "devicename": "SEP001122334466"}),
            httpx.get(url.replace("/authenticate", "/objects/nothing.xml")),
            httpx.post(url.replace("/authenticate", "/objects"), content=b"<x/>", auth=(USER, SECRET + "-wrong")),
        ]
    assert [a.text.strip() for a in answers[:2]] == ["AUTHORIZED", "UN-AUTHORIZED"]
    text = log.read_text(encoding="utf-8")
    assert "phonetui.service: auth 127.0.0.1 GET device='SEP001122334455' user='pusher': AUTHORIZED" in text
    assert "phonetui.service: auth 127.0.0.1 POST device='SEP001122334466' user='pusher': UN-AUTHORIZED" in text
    assert "(wrong password)" in text
    assert "GET /objects/nothing.xml 404" in text and "POST /objects 401" in text
    assert_no_secret(text)


def test_throttling_is_a_warning(tmp_path: Path) -> None:
    with serving(tmp_path) as (url, log):
        for attempt in range(11):
            httpx.get(url, params={"UserID": USER, "Password": f"guess-{attempt}"})
    lines = log.read_text(encoding="utf-8").splitlines()
    assert sum(" WARNING phonetui.service: 127.0.0.1 throttled: 10 wrong credentials" in line for line in lines) == 1
    throttled = [line for line in lines if " WARNING phonetui.service: auth 127.0.0.1 GET" in line]
    assert len(throttled) == 1 and "(throttled:" in throttled[0]
    assert sum("127.0.0.1: 9 more wrong-password requests in the last" in line for line in lines) == 1  # at stop


def test_without_log_file_no_file_and_no_extra_output(fleet: Path, tmp_path: Path) -> None:
    """No option, no log: nothing written beside, nothing more said, even for a warning logged inside."""
    folder = tmp_path / "cwd"
    folder.mkdir()
    journal = tmp_path / "a-folder"
    journal.mkdir()  # the journal cannot be written: the core logs a warning, the CLI says it once
    result = run("push", "--config", str(fleet), "--all", "--text", "Hi", "--history", str(journal), cwd=folder)
    assert result.returncode == 1
    assert list(folder.iterdir()) == []
    assert result.stderr.count("history not written") == 1
    assert result.stderr.splitlines()[-1].startswith("6 phones: 3 ok, 3 failed")
    assert all(line.startswith(("phonetui: warning:", "6 phones:")) for line in result.stderr.splitlines())
    assert "phonetui.push" not in result.stdout + result.stderr


def test_the_library_prints_nothing_by_itself() -> None:
    """A warning from the core, with no handler configured, does not fall through to stderr."""
    code = (
        "import logging, phonetui.push\n"
        "logging.getLogger('phonetui.push').warning('must not be seen')\n"
        "logging.getLogger('phonetui').error('nor this')\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout == result.stderr == ""


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--log-level", "debug"], "phonetui: --log-level needs --log-file FILE: phonetui logs only to a file"),
        (["--log-file", "{tmp}/x.log", "--log-level", "LOUD"], "phonetui: --log-level 'LOUD': must be one of DEBUG"),
        (
            ["--log-file", "{tmp}/no/such/folder/x.log"],
            "phonetui: cannot write the log file {tmp}/no/such/folder/x.log",
        ),
        (["--log-file", "{tmp}"], "phonetui: cannot write the log file {tmp}: Is a directory"),
    ],
)
def test_log_option_mistakes_are_one_line_and_exit_2(args: list[str], message: str, tmp_path: Path) -> None:
    filled = [a.replace("{tmp}", str(tmp_path)) for a in args]
    result = run("check", "--config", SAMPLE, *filled)
    assert result.returncode == 2
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1
    assert result.stderr.startswith(message.replace("{tmp}", str(tmp_path)))
    assert not (tmp_path / "x.log").exists()


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes to a read-only file")
def test_unwritable_log_file_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    log = tmp_path / "ro.log"
    log.write_text("")
    log.chmod(0o400)
    assert main(["check", "--config", SAMPLE, "--log-file", str(log)]) == 2
    assert capsys.readouterr().err == f"phonetui: cannot write the log file {log}: Permission denied\n"


@pytest.mark.parametrize("command", [[], ["push"], ["simulate"], ["serve"], ["check"], ["demo"]])
def test_every_command_takes_the_log_options(command: list[str]) -> None:
    after = build_parser().parse_args([*command, "--log-file", "f.log", "--log-level", "debug"])
    before = build_parser().parse_args(["--log-file", "f.log", "--log-level", "debug", *command])
    for args in (after, before):
        assert (args.log_file, args.log_level) == ("f.log", "debug")
    assert (build_parser().parse_args(command).log_file, build_parser().parse_args(command).log_level) == (None, None)


def test_in_process_runs_leave_no_handler_behind(tmp_path: Path) -> None:
    before = list(logging.getLogger("phonetui").handlers)
    log = tmp_path / "check.log"
    assert main(["check", "--config", SAMPLE, "--log-file", str(log)]) == 0
    assert main(["check", "--config", SAMPLE, "--log-file", str(log), "--log-level", "error"]) == 0
    assert logging.getLogger("phonetui").handlers == before
    assert log.read_text(encoding="utf-8").count("phonetui.cli: phonetui ") == 1  # the second run logged at ERROR


@pytest.mark.skipif(TMUX is None or not PHONETUI.exists(), reason="needs tmux and the installed phonetui")
def test_the_app_logs_to_the_file_and_never_to_its_terminal(
    terminal: Callable[[str], Terminal], tmp_path: Path
) -> None:
    log = tmp_path / "app.log"
    term = terminal(f"{PHONETUI} demo --count 8 --log-file {log} --log-level debug")
    term.wait_for("8 phones · 0 selected")
    term.keys("a")
    term.wait_for("8 selected")
    term.keys("c")
    term.wait_for("Title")
    term.keys("Logged", literal=True)
    term.keys("F5")
    term.wait_for("Push CiscoIPPhoneText to 8 phones?")
    term.keys("y")
    screen = term.wait_for(lambda text: "6 ok, 2 failed" in text and "pushing" not in text)
    term.keys("q")
    term.wait_exit()
    text = log.read_text(encoding="utf-8")
    assert "phonetui.cli: phonetui " in text and " demo" in text
    assert "phonetui.service: listening on 127.0.0.1:" in text and "phonetui.simulator: 8 phones started" in text
    assert "phonetui.service: auth " in text  # the demo's responder runs in the app's own process
    for line in text.splitlines()[:3]:
        assert line.split(" ", 2)[2] not in screen
    assert "phonetui." not in screen and " INFO " not in screen
