"""The command line as a user runs it: real processes, real loopback traffic."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from phonetui.cli import build_parser, main, push_config
from phonetui.config import load_config

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
    bad = phonetui("push", "--config", str(sim20), "--all", "--text", "Hello", "--json", "--password", "wr0ng-pw-8472")
    assert bad.returncode == 1
    rows = json_lines(bad.stdout)
    assert len(rows) == 20 and {r["outcome"] for r in rows} == {"auth-failed"}
    assert "wr0ng-pw-8472" not in bad.stdout + bad.stderr
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


def test_sample_config_checks_out_of_the_box(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """No PUSH_PASSWORD yet: check says so as a warning and exits 0; push refuses, located."""
    monkeypatch.delenv("PUSH_PASSWORD", raising=False)
    sample = str(ROOT / "sample-config.toml")
    assert main(["check", "--config", sample]) == 0
    out, err = capsys.readouterr()
    assert f"{sample}: OK" in out
    assert "defaults.password_env: environment variable 'PUSH_PASSWORD' is not set" in err
    assert main(["push", "--config", sample, "--phone", "lobby", "--text", "x"]) == 2
    err = capsys.readouterr().err
    assert f"{sample}:" in err and "phones[0]: phone 'lobby' has no push password" in err


def test_check_names_an_invalid_address(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "c.toml"
    phones = "".join(f'[[phones]]\nname = "p{i}"\nhost = "127.0.0.{i + 1}"\n\n' for i in range(3))
    config.write_text(phones + '[[phones]]\nname = "p3"\nhost = "127.0.0.300"\n')
    assert main(["check", "--config", str(config)]) == 2
    err = capsys.readouterr().err
    assert err == f"phonetui: {config}:15: phones[3].host: '127.0.0.300' is not an IPv4 address: 300 is over 255\n"


def test_check_lists_every_error_one_a_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "c.toml"
    config.write_text(
        '[defaults]\ntimeout = -1\n\n[[phones]]\nname = "a"\nhost = "a..b"\n\n'
        '[[templates]]\nname = "t"\nitems = ["Key:Services"]\n\n[keys]\nsned = "f6"\n'
    )
    assert main(["check", "--config", str(config)]) == 2
    assert capsys.readouterr().err.splitlines() == [
        f"phonetui: {config}:2: defaults.timeout: must be a number greater than 0",
        f"phonetui: {config}:6: phones[0].host: 'a..b' has an empty label (a leading dot, or two dots in a row)",
        f'phonetui: {config}:10: templates[0].items: belongs to kind = "execute" templates; this one is kind = "text"',
        f"phonetui: {config}:13: keys.sned: no action has this id; did you mean 'send'?",
    ]


def test_push_to_an_invalid_address_refuses_that_phone_only(sim20: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The config file holds 127.0.0.300: check fails on it, push warns, refuses that phone and pushes the rest."""
    text = sim20.read_text()
    third = [m.start(1) for m in re.finditer(r'host = "([^"]+)"', text)][2]
    sim20.write_text(text[:third] + "127.0.0.300" + text[text.index('"', third) :])
    assert main(["check", "--config", str(sim20)]) == 2
    assert "phones[2].host: '127.0.0.300' is not an IPv4 address" in capsys.readouterr().err
    argv = ["push", "--config", str(sim20), "--tag", "group-3", "--text", "Hi", "--json", "--no-history"]
    assert main(argv) == 1
    out, err = capsys.readouterr()
    assert "phones[2].host: '127.0.0.300' is not an IPv4 address: 300 is over 255; this phone will be refused" in err
    rows = {row["phone"]: row for row in json_lines(out)}
    assert rows["sim-0003"]["outcome"] == "refused" and "invalid address" in rows.pop("sim-0003")["detail"]
    assert len(rows) == 4 and {row["outcome"] for row in rows.values()} == {"ok"}


def test_push_config_built_in_code_refuses_an_invalid_address(sim20: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A config built in code is not checked at load: the push still runs, that phone is refused."""
    config = load_config(sim20)
    config.phones[2].host = "127.0.0.300"
    args = build_parser().parse_args(["push", "--tag", "group-3", "--text", "Hi", "--json", "--no-history"])
    assert push_config(config, args) == 1
    rows = {row["phone"]: row for row in json_lines(capsys.readouterr().out)}
    assert rows.pop("sim-0003")["outcome"] == "refused"
    assert len(rows) == 4 and {row["outcome"] for row in rows.values()} == {"ok"}


def test_first_run_without_a_config(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    err = capsys.readouterr().err
    assert "phonetui demo" in err and "config.toml" in err
    assert str(ROOT / "sample-config.toml") in err  # the checkout's sample, found from the cli package
    assert "Traceback" not in err and "file not found" not in err
    assert main(["push", "--all", "--text", "x"]) == 2
    assert "phonetui demo" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--timeout", "-1"], "must be more than 0 seconds"),
        (["--timeout", "0"], "must be more than 0 seconds"),
        (["--timeout", "nan"], "must be more than 0 seconds"),
        (["--concurrency", "0"], "at least 1"),
    ],
)
def test_bad_numbers_are_usage_errors(
    tmp_path: Path, args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["push", "--config", str(tmp_path / "c.toml"), "--all", "--text", "x", *args])
    assert caught.value.code == 2 and message in capsys.readouterr().err


def test_empty_text_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "c.toml"
    config.write_text('[[phones]]\nname = "lobby"\nhost = "127.0.0.9"\n')
    assert main(["--config", str(config), "push", "--all", "--text", ""]) == 2
    assert "the Text is empty: nothing would show" in capsys.readouterr().err


def test_dry_run_json(sim20: Path) -> None:
    result = phonetui(
        "push", "--config", str(sim20), "--phone", "sim-0001", "--phone", "sim-0003", "--text", "a&b", "--dry-run",
        "--json",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    plan = json.loads(result.stdout)
    assert plan["object"] == "CiscoIPPhoneText"
    by_charset = {e["charset"]: e for e in plan["encodings"]}
    assert set(by_charset) == {"utf-8", "iso-8859-1"}
    latin = by_charset["iso-8859-1"]
    assert latin["xml"].startswith('<?xml version="1.0" encoding="ISO-8859-1"?>') and "a&amp;b" in latin["xml"]
    assert latin["bytes"] == len(latin["xml"].encode("iso-8859-1"))
    assert [(p["phone"], p["route"]) for p in plan["phones"]] == [("sim-0001", "direct"), ("sim-0003", "direct")]
    assert all(p["host"] and "bytes against" in p["reason"] for p in plan["phones"])


def test_unwritable_history_warns_once_and_still_pushes(sim20: Path) -> None:
    result = phonetui("push", "--config", str(sim20), "--tag", "group-1", "--text", "Hi", "--history", "/")
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.splitlines()) == 6  # the header and five phones
    warnings = [line for line in result.stderr.splitlines() if "warning" in line]
    assert warnings == ["phonetui: warning: history not written: /: Is a directory"]
    assert "Traceback" not in result.stderr


def test_one_phone_is_one_phone_and_hints_follow_the_detail(tmp_path: Path) -> None:
    config = tmp_path / "f.toml"
    running = Running("simulate", "--count", "2", "--offline", "1", "--write-config", str(config), ready="Ctrl-C")
    try:
        one = phonetui("push", "--config", str(config), "--phone", "sim-0001", "--text", "x")
        offline = phonetui("push", "--config", str(config), "--phone", "sim-0002", "--text", "x", "--json")
        table = phonetui("push", "--config", str(config), "--phone", "sim-0002", "--text", "x")
    finally:
        assert running.stop() == 0
    assert one.returncode == 0 and one.stderr.strip() == "1 phone: 1 ok"
    [row] = json_lines(offline.stdout)
    assert row["outcome"] == "unreachable" and "the phone's Web Access may be disabled" in row["hint"]
    line = table.stdout.splitlines()[1]
    assert line.startswith("sim-0002") and "(hint: connection refused on port" in line


def test_template_problems_are_located(sim20: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base = sim20.read_text()
    sim20.write_text(base + '\n[[templates]]\nname = "t"\nkind = "text"\ntitle = 5\n')
    assert main(["push", "--config", str(sim20), "--all", "--template", "t"]) == 2
    err = capsys.readouterr().err
    assert f"phonetui: {sim20}:" in err and "templates[0].title: must be a string, not a whole number" in err
    assert "Traceback" not in err
    sim20.write_text(base + '\n[[templates]]\nname = "t"\ntitle = "' + "x" * 40 + '"\n')
    assert main(["push", "--config", str(sim20), "--all", "--template", "t"]) == 2
    err = capsys.readouterr().err
    assert "template 't': Title: is 40 characters; the limit is 32" in err and f"{sim20}:" in err


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


def test_table_rows_cut_with_an_ellipsis_and_keep_columns_in_cells() -> None:
    from rich.cells import cell_len

    from phonetui.cisco import Outcome
    from phonetui.config import Phone
    from phonetui.output import table_header, table_row
    from phonetui.push import PushResult

    phone = Phone("[/] Lobby 🔥 [bold]x\x1b[2J", "127.0.0.1", 80)
    row = table_row(PushResult(phone, Outcome.OK, "direct", "Success \x1b[31m"))
    assert row.startswith("[/] Lobby 🔥 [b… ")  # 16 cells, the emoji counted as two, cut with an ellipsis
    assert cell_len(row[: row.index("127.0.0.1")]) == table_header().index("ADDRESS")  # columns stay in line
    assert "\x1b" not in row and row.endswith("Success ␛[31m")


def test_dry_run_cuts_long_names_to_the_terminal_width(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A long name is cut with "…" (down to 16 cells) and a long reason wraps under itself, so the plan fits 80
    columns; a wide terminal shows the name whole."""
    long_name = "reception-building-7-floor-3-east-wing\x1b[2J"
    path = tmp_path / "c.toml"
    phones = [(long_name.replace("\x1b", "\\u001b"), "127.0.0.9", "CP-8845"), ("old", "127.0.0.8", "CP-7975G")]
    path.write_text("".join(f'[[phones]]\nname = "{n}"\nhost = "{h}"\nmodel = "{m}"\n' for n, h, m in phones))
    monkeypatch.setenv("COLUMNS", "80")
    push = ["--config", str(path), "push", "--all", "--text", "y" * 600, "--mode", "direct", "--dry-run"]
    assert main(push) == 1, "refused: too large for a direct push"
    plan = capsys.readouterr().out.split("\n\n")[-1].splitlines()
    assert plan[0].startswith("PHONE             ADDRESS       ROUTE    REASON")
    assert plan[1].startswith("reception-build…  127.0.0.9:80  direct ")
    assert plan[2].startswith(" " * 41 + "40960")
    assert plan[3].startswith("old               127.0.0.8:80  refused  object is")
    assert all(len(line) <= 80 for line in plan) and "\x1b" not in "".join(plan)
    assert "raise size_limit for this phone" in " ".join(line.strip() for line in plan), "a reason is never cut"
    monkeypatch.setenv("COLUMNS", "200")
    assert main(push) == 1
    plan = capsys.readouterr().out.split("\n\n")[-1].splitlines()
    assert plan[1].startswith("reception-building-7-floor-3-east-wing␛[2J  127.0.0.9:80") and len(plan) == 3
