"""The command line as a user runs it: real processes, real loopback traffic."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from phonetui.cli import main

ROOT = Path(__file__).resolve().parents[1]


def phonetui(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "phonetui", *args], capture_output=True, text=True, timeout=timeout, check=False
    )


class Running:
    """A background ``phonetui`` process, read line by line until it says it is ready."""

    def __init__(self, *args: str, ready: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "phonetui", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        self.lines: list[str] = []
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            line = self.proc.stdout.readline()
            if not line:
                raise AssertionError(f"phonetui exited early: {self.proc.stderr.read()}")
            self.lines.append(line.rstrip("\n"))
            if ready in line:
                return
        raise AssertionError("phonetui did not get ready in time")

    def stop(self) -> int:
        self.proc.send_signal(signal.SIGTERM)
        code = self.proc.wait(timeout=15)
        self.proc.stdout.close()
        self.proc.stderr.close()
        return code


@pytest.fixture
def sim20(tmp_path: Path) -> Iterator[Path]:
    config = tmp_path / "sim.toml"
    running = Running("simulate", "--count", "20", "--write-config", str(config), ready="Ctrl-C")
    yield config
    assert running.stop() == 0


def json_lines(output: str) -> list[dict]:
    return [json.loads(line) for line in output.splitlines() if line.strip()]


def test_readme_flow_20_ok_then_20_auth_failed(sim20: Path, tmp_path: Path) -> None:
    history = tmp_path / "h.jsonl"
    ok = phonetui("push", "--config", str(sim20), "--all", "--text", "Hello", "--json", "--history", str(history))
    assert ok.returncode == 0, ok.stderr
    rows = json_lines(ok.stdout)
    assert len(rows) == 20 and {r["outcome"] for r in rows} == {"ok"}
    assert {"phone", "host", "outcome", "status", "detail", "latency_ms"} <= set(rows[0])
    bad = phonetui("push", "--config", str(sim20), "--all", "--text", "Hello", "--json", "--password", "wrong")
    assert bad.returncode == 1
    rows = json_lines(bad.stdout)
    assert len(rows) == 20 and {r["outcome"] for r in rows} == {"auth-failed"}
    assert "wrong" not in bad.stdout + bad.stderr
    assert "20 phones: 0 ok, 20 failed (20 auth-failed)" in bad.stderr
    password = next(line for line in sim20.read_text().splitlines() if line.startswith("password"))
    assert password.split('"')[1] not in history.read_text()
    assert oct(sim20.stat().st_mode & 0o777) == "0o600"


def test_table_output_and_selection(sim20: Path) -> None:
    result = phonetui("push", "--config", str(sim20), "--tag", "legacy", "--phone", "sim-0001", "--text", "Hi")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split()[:3] == ["PHONE", "ADDRESS", "OUTCOME"]
    names = sorted(line.split()[0] for line in lines[1:])
    assert names == ["sim-0001", "sim-0003", "sim-0006", "sim-0011", "sim-0014", "sim-0019"]


def test_dry_run_sends_nothing(sim20: Path) -> None:
    result = phonetui("push", "--config", str(sim20), "--phone", "sim-0003", "--text", "a&b", "--dry-run")
    assert result.returncode == 0, result.stderr
    assert '<?xml version="1.0" encoding="ISO-8859-1"?><CiscoIPPhoneText><Text>a&amp;b</Text>' in result.stdout
    assert "sim-0003" in result.stdout and "direct" in result.stdout
    host = next(line.split()[1] for line in result.stdout.splitlines() if line.startswith("sim-0003"))
    screen = httpx.get(f"http://{host}/sim/screen", trust_env=False).json()
    assert screen["pushes"] == 0


def test_execute_and_xml_file(sim20: Path, tmp_path: Path) -> None:
    result = phonetui(
        "push", "--config", str(sim20), "--phone", "sim-0001", "--execute", "Key:Services", "--execute",
        "Nope:x@1", "--json",
    )  # fmt: skip
    [row] = json_lines(result.stdout)
    assert row["outcome"] == "item-error" and result.returncode == 1
    assert {(i["url"], i["status"]) for i in row["items"]} == {("Key:Services", 0), ("Nope:x", 1)}
    assert "unknown URI scheme 'Nope'" in result.stderr
    xml = tmp_path / "o.xml"
    xml.write_text("<CiscoIPPhoneText><Title>From file</Title><Text>x</Text></CiscoIPPhoneText>")
    result = phonetui("push", "--config", str(sim20), "--phone", "sim-0002", "--xml", str(xml))
    assert result.returncode == 0, result.stderr


def test_via_url_through_the_running_service(sim20: Path) -> None:
    long_text = "A long announcement. " * 40
    result = phonetui("push", "--config", str(sim20), "--tag", "classic", "--text", long_text, "--json")
    assert result.returncode == 0, result.stderr
    rows = json_lines(result.stdout)
    assert rows and {(r["outcome"], r["mode"]) for r in rows} == {("ok", "via-url")}
    screen = httpx.get(f"http://{rows[0]['host']}/sim/screen", trust_env=False).json()
    assert screen["text"] == long_text


def test_faulty_fleet_rows_and_exit_status(tmp_path: Path) -> None:
    config = tmp_path / "f.toml"
    args = ["--count", "5", "--offline", "1", "--garbled", "1", "--wrong-password", "1"]
    running = Running("simulate", *args, "--write-config", str(config), ready="Ctrl-C")
    try:
        result = phonetui("push", "--config", str(config), "--all", "--text", "x", "--json")
    finally:
        assert running.stop() == 0
    outcomes = sorted(r["outcome"] for r in json_lines(result.stdout))
    assert outcomes == ["auth-failed", "bad-reply", "ok", "ok", "unreachable"]
    assert result.returncode == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["push", "--all", "--text", "x"], "file not found"),
        (["push", "--all", "--title", "t" * 40, "--text", "x"], "Title: is 40 characters; the limit is 32"),
        (["push", "--text", "x"], "choose phones"),
        (["push", "--phone", "lobbby", "--text", "x"], "did you mean 'lobby'"),
        (["push", "--all"], "give exactly one object"),
        (["push", "--all", "--execute", "Dial:12x"], "ExecuteItem[1].URL: malformed Dial: URI"),
    ],
)
def test_usage_errors_are_one_line_exit_2(
    tmp_path: Path, args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "c.toml"
    if message != "file not found":
        config.write_text('[[phones]]\nname = "lobby"\nhost = "127.0.0.9"\n')
    code = main(["--config", str(config), *args])
    err = capsys.readouterr().err
    assert code == 2
    assert message in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_bad_config_names_file_key_line(tmp_path: Path) -> None:
    config = tmp_path / "bad.toml"
    config.write_text('[defaults]\ntimeout = 5\n\n[[phones]]\nname = "a"\nhost = "h"\nport = "eighty"\n')
    result = phonetui("check", "--config", str(config))
    assert result.returncode == 2
    assert result.stderr.strip() == f"phonetui: {config}:7: phones[0].port: must be a whole number, not a string"


def test_check_sample_config() -> None:
    env = {**os.environ, "PUSH_PASSWORD": "x"}
    result = subprocess.run(
        [sys.executable, "-m", "phonetui", "check", "--config", str(ROOT / "sample-config.toml")],
        capture_output=True, text=True, env=env, timeout=30, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "OK" in result.stdout and "phones:" in result.stdout


def test_serve_logs_each_request_and_stops_cleanly(tmp_path: Path) -> None:
    config = tmp_path / "s.toml"
    config.write_text('[service]\nlisten = "127.0.0.1:0"\nusername = "u"\npassword = "topsecret"\n')
    running = Running("serve", "--config", str(config), ready="listening on")
    address = running.lines[-1].split()[2].rstrip(";")
    answer = httpx.get(
        f"http://{address}/authenticate",
        params={"UserID": "u", "Password": "topsecret", "devicename": "SEP001122334455"},
        trust_env=False,
    )
    assert answer.content == b"AUTHORIZED"
    line = running.proc.stdout.readline()
    assert "SEP001122334455" in line and "AUTHORIZED" in line and "topsecret" not in line
    assert running.stop() == 0


def test_simulate_with_another_responder(tmp_path: Path) -> None:
    """`simulate --auth-url` points the phones at a responder run by `serve`."""
    serve_config = tmp_path / "serve.toml"
    serve_config.write_text('[service]\nlisten = "127.0.0.1:0"\nusername = "ops"\npassword = "pw-123"\n')
    responder = Running("serve", "--config", str(serve_config), ready="listening on")
    auth_url = responder.lines[-1].rsplit(" ", 1)[1]
    sim_config = tmp_path / "sim.toml"
    sim = Running(
        "simulate", "--count", "3", "--auth-url", auth_url, "--username", "ops", "--password", "pw-123",
        "--base", "127.78.0.0", "--write-config", str(sim_config), ready="Ctrl-C",
    )  # fmt: skip
    try:
        result = phonetui("push", "--config", str(sim_config), "--all", "--text", "via serve", "--json")
    finally:
        assert sim.stop() == 0
        assert responder.stop() == 0
    assert result.returncode == 0, result.stderr
    assert len(json_lines(result.stdout)) == 3
    assert "[service]" not in sim_config.read_text()


def test_tui_without_config_says_so(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["--config", str(tmp_path / "none.toml")]) == 2
    err = capsys.readouterr().err
    assert "none.toml: file not found" in err and "Traceback" not in err


def test_push_a_saved_template(sim20: Path) -> None:
    text = sim20.read_text() + '\n[[templates]]\nname = "drill"\nkind = "text"\ntitle = "Fire drill"\ntext = "Now"\n'
    sim20.write_text(text)
    result = phonetui("push", "--config", str(sim20), "--phone", "sim-0001", "--template", "drill", "--json")
    assert result.returncode == 0, result.stderr
    host = json_lines(result.stdout)[0]["host"]
    assert httpx.get(f"http://{host}/sim/screen", trust_env=False).json()["title"] == "Fire drill"
    wrong = phonetui("push", "--config", str(sim20), "--all", "--template", "dril")
    assert wrong.returncode == 2 and "did you mean 'drill'" in wrong.stderr
