"""``phonetui push --ack`` as a user runs it: beside ``simulate``, real processes, real loopback."""

from __future__ import annotations

import json
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import datetime
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from phonetui.cli import main
from phonetui.config import load_config

from .test_cli import Running, json_lines, phonetui

SERVICE = '[service]\nlisten = "127.0.0.1:8081"\n'
PHONE = '[[phones]]\nname = "lobby"\nhost = "127.0.0.9"\nmodel = "CP-8845"\n'


@pytest.fixture
def sim_ack(tmp_path: Path) -> Iterator[Path]:
    """Ten simulated phones whose people press Ack a second after an alert shows."""
    config = tmp_path / "sim.toml"
    running = Running("simulate", "--count", "10", "--ack-after", "1", "--write-config", str(config), ready="Ctrl-C")
    yield config
    assert running.stop() == 0


@pytest.fixture
def sim_quiet(tmp_path: Path) -> Iterator[Path]:
    """Five simulated phones nobody answers at, the last of them offline."""
    config = tmp_path / "quiet.toml"
    running = Running("simulate", "--count", "5", "--offline", "1", "--write-config", str(config), ready="Ctrl-C")
    yield config
    assert running.stop() == 0


def test_drill_from_the_readme_gives_ten_acked_lines(sim_ack: Path, tmp_path: Path) -> None:
    history = tmp_path / "h.jsonl"
    args = ("--all", "--text", "Drill", "--ack", "--ack-wait", "10", "--json", "--history", str(history))
    done = phonetui("push", "--config", str(sim_ack), *args)
    assert done.returncode == 0, done.stderr
    lines = json_lines(done.stdout)
    assert sorted(line["phone"] for line in lines) == [f"sim-{i:04d}" for i in range(1, 11)]
    assert all(line["outcome"] == "ok" and line["acked_at"] for line in lines)
    assert datetime.fromisoformat(lines[0]["acked_at"]).utcoffset() is not None
    assert done.stderr.strip().endswith("10 of 10 acknowledged, 0 delivered, 0 failed")
    records = [json.loads(line) for line in history.read_text().splitlines()]
    alert = next(r["alert"] for r in records if r["event"] == "start")
    acks = [r for r in records if r["event"] == "ack"]
    assert len(acks) == 10 and all(set(r) == {"event", "alert", "phone", "time"} for r in acks)
    assert {r["alert"] for r in acks} == {alert}


def test_text_mode_prints_rows_then_acknowledgements(sim_ack: Path) -> None:
    done = phonetui("push", "--config", str(sim_ack), "--tag", "group-1", "--text", "Drill", "--ack", "--no-history")
    assert done.returncode == 0, done.stderr
    rows = done.stdout.splitlines()
    assert rows[0].startswith("PHONE") and len(rows) == 1 + 3 + 3
    assert all(" ok " in row for row in rows[1:4]) and all("acknowledged" in row for row in rows[4:])
    assert "3 of 3 acknowledged" in done.stderr


def test_repeats_go_to_who_has_not_acknowledged_with_a_beep(sim_quiet: Path, tmp_path: Path) -> None:
    history = tmp_path / "h.jsonl"
    # a wait with room for three rounds 0.6 s apart on a loaded machine (a round cut by the wait's end
    # would read "cancelled"); rounds now count from the end of the one before
    args = ("--all", "--text", "Drill", "--ack", "--ack-wait", "4", "--repeat", "0.6", "--max", "2", "--beep", "Chime")
    started = time.monotonic()
    done = phonetui("push", "--config", str(sim_quiet), *args, "--json", "--history", str(history))
    assert done.returncode == 1, "nobody acknowledged"
    assert 3.9 < time.monotonic() - started < 20
    lines = json_lines(done.stdout)
    assert len(lines) == 5 and all(line["acked_at"] is None for line in lines)
    starts = [json.loads(line) for line in history.read_text().splitlines() if '"event":"start"' in line]
    assert [(s["round"], s.get("beep"), len(s["targets"])) for s in starts] == [
        (0, None, 5), (1, "Play:Chime", 4), (2, "Play:Chime", 4),
    ]  # fmt: skip
    assert len({s["alert"] for s in starts}) == 1
    assert "0 of 5 acknowledged, 4 delivered, 1 failed" in done.stderr
    rounds = [line for line in done.stderr.splitlines() if line.startswith(("alert: ", "repeat "))]
    assert rounds == ["alert: 5 phones: 4 ok, 1 failed (1 unreachable)", "repeat 1: 4 phones: 4 ok",
                      "repeat 2: 4 phones: 4 ok"], "--json still says each round on stderr"  # fmt: skip
    again = phonetui("push", "--config", str(sim_quiet), *args, "--repeat-failed", "--history", str(history))
    assert again.returncode == 1 and "repeat 2: 5 phones: 4 ok, 1 failed" in again.stderr


def test_when_no_phone_took_the_alert_and_no_repeat_can_the_wait_ends_at_once(sim_quiet: Path, tmp_path: Path) -> None:
    """Every push refused (a wrong password here, one phone offline): nobody can press Ack, so no waiting."""
    wrong = tmp_path / "wrong.toml"
    wrong.write_text(sim_quiet.read_text().replace("[[phones]]\n", '[[phones]]\npassword = "wrong"\n'))
    wrong.chmod(0o600)
    args = ("--all", "--text", "Drill", "--ack", "--ack-wait", "60", "--no-history")
    for more in ((), ("--repeat", "20")):  # repeats go to who got it: nobody
        started = time.monotonic()
        done = phonetui("push", "--config", str(wrong), *args, *more)
        assert done.returncode == 1 and "Traceback" not in done.stderr
        assert time.monotonic() - started < 30, "the whole wait was waited out"
        assert "no phone took the alert and no repeat can reach one: the wait ends" in done.stderr
        assert "0 of 5 acknowledged, 0 delivered, 5 failed" in done.stderr


def test_acks_reach_the_push_processes_own_service(sim_ack: Path, tmp_path: Path) -> None:
    """With nothing listening at [service], the push starts its own and hears the phones there."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    text = re.sub(r"(?m)^(listen|url) = .*$", "", sim_ack.read_text())
    own = tmp_path / "own.toml"
    own.write_text(text.replace("[service]", f'[service]\nlisten = "127.0.0.1:{port}"'))
    done = phonetui("push", "--config", str(own), "--phone", "sim-0002", "--text", "Drill", "--ack", "--json")
    assert done.returncode == 0, done.stderr
    assert json_lines(done.stdout)[0]["acked_at"]


def test_ctrl_c_ends_the_wait_and_reports_the_rest(sim_quiet: Path) -> None:
    args = ["--config", str(sim_quiet), "--all", "--text", "Drill", "--ack", "--ack-wait", "60", "--json"]
    proc = subprocess.Popen(
        [sys.executable, "-m", "phonetui", "push", *args, "--no-history"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    time.sleep(3)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=20)
    assert proc.returncode == 1 and "Traceback" not in err
    assert len(json_lines(out)) == 5 and "not acknowledged: sim-0001, sim-0002" in err


@pytest.mark.parametrize(
    ("config", "args", "message"),
    [
        (PHONE, ["--text", "x", "--ack"], "--ack needs a [service] table"),
        (SERVICE + PHONE, ["--execute", "Key:Services", "--ack"], "--ack needs a Text"),
        (SERVICE + PHONE, ["--text", "x", "--ack-wait", "5"], "--ack-wait needs --ack"),
        (SERVICE + PHONE, ["--text", "x", "--repeat", "5"], "--repeat needs --ack"),
        (SERVICE + PHONE, ["--text", "x", "--ack", "--max", "2"], "--max needs --repeat"),
        (SERVICE + PHONE, ["--text", "x", "--ack", "--beep", "Chime"], "--beep needs --repeat"),
        (SERVICE + PHONE, ["--text", "x", "--ack", "--ack-wait", "5", "--repeat", "5"], "leaves no time"),
        (SERVICE + PHONE, ["--text", "x", "--ack", "--ack-wait", "9", "--repeat", "3", "--max", "3"], "do not fit"),
        (SERVICE + PHONE, ["--text", "x", "--ack", "--ack-name", " "], "--ack-name must not be empty"),
        (SERVICE + PHONE, ["--text", "x", "--ack", "--ack-name", "A" * 40], "--ack-name is 40 characters; the limit"),
    ],
)
def test_ack_usage_errors_are_one_line_exit_2(
    tmp_path: Path, config: str, args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "c.toml"
    path.write_text(config)
    code = main(["--config", str(path), "push", "--all", *args])
    err = capsys.readouterr().err
    assert code == 2, err
    assert message in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


class QuietHandler(SimpleHTTPRequestHandler):
    """A plain web server's handler that keeps its log to itself (the test reads phonetui's stderr)."""

    def log_message(self, format: str, *args: object) -> None:
        return


def test_another_program_at_the_service_address_is_one_line_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A plain web server holds [service] listen: not phonetui, so the alert cannot be registered there."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), QuietHandler)  # answers POST with 501
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        port = server.server_address[1]
        path = tmp_path / "c.toml"
        path.write_text(f'[defaults]\nusername = "u"\npassword = "p"\n[service]\nlisten = "127.0.0.1:{port}"\n{PHONE}')
        path.chmod(0o600)
        code = main(["--config", str(path), "push", "--all", "--text", "x", "--ack", "--no-history"])
    finally:
        server.shutdown()
        server.server_close()
    err = capsys.readouterr().err
    assert code == 2, err
    assert err.strip() == (
        f"phonetui: another program (not phonetui) answers at http://127.0.0.1:{port}: it cannot take the alert;"
        " stop it or change [service] listen"
    )


def test_dry_run_plans_each_copy_with_its_ack_key(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "c.toml"
    legacy = '[[phones]]\nname = "old"\nhost = "127.0.0.8"\nmodel = "CP-7960G"\n'
    path.write_text(SERVICE + PHONE + legacy)
    text = ["--config", str(path), "push", "--all", "--text", "y" * 350, "--dry-run", "--json"]
    assert main(text) == 0
    plain = json.loads(capsys.readouterr().out)
    assert {p["route"] for p in plain["phones"]} == {"direct"}, "without its key the alert fits a 7960"
    code = main([*text, "--ack"])
    plan = json.loads(capsys.readouterr().out)
    assert code == 0
    routes = {p["phone"]: p["route"] for p in plan["phones"]}
    assert routes == {"lobby": "direct", "old": "via-url"}, "with its Ack key it does not: it goes by URL"


def test_the_reply_comes_from_the_config_or_the_option(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "c.toml"
    path.write_text(SERVICE + 'ack_reply = "Merci \\u0007"\n' + PHONE)
    assert main(["--config", str(path), "check"]) == 2
    assert "ack_reply" in capsys.readouterr().err
    path.write_text(SERVICE + 'ack_reply = "Vu, merci"\n' + PHONE)
    assert load_config(path).service is not None and load_config(path).service.ack_reply == "Vu, merci"
    code = main(["--config", str(path), "push", "--all", "--text", "x", "--ack", "--ack-reply", "a\x07", "--dry-run"])
    assert code == 2 and "--ack-reply" in capsys.readouterr().err


def test_a_reply_a_phones_charset_cannot_carry_is_refused_before_anything_is_sent(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The service would answer those phones "Thank you" instead: the sender hears of it first."""
    path = tmp_path / "c.toml"
    latin = '[[phones]]\nname = "old"\nhost = "127.0.0.8"\nmodel = "CP-7960G"\ncharset = "iso-8859-1"\n'
    path.write_text(SERVICE + PHONE + latin)
    push = ["--config", str(path), "push", "--all", "--text", "x", "--ack", "--dry-run"]
    assert main([*push, "--ack-reply", "Reçu, merci"]) == 0, "Latin-1 carries it"
    capsys.readouterr()
    assert main([*push, "--ack-reply", "收到 ✓"]) == 2
    err = capsys.readouterr().err
    assert "--ack-reply: character '收' (U+6536" in err and "ISO-8859-1, the charset of the phone old" in err
    assert len(err.strip().splitlines()) == 1 and "lobby" not in err
    path.write_text(SERVICE + 'ack_reply = "Merci ✓"\n' + PHONE + latin)
    assert main(push) == 2
    assert "[service] ack_reply: character '✓'" in capsys.readouterr().err
    assert main([*push[:3], "--phone", "lobby", *push[4:]]) == 0, "a UTF-8 phone alone takes it"
    capsys.readouterr()
    assert main(["--config", str(path), "check"]) == 0  # the app's alerts use it too: check warns
    warning = "warning: [service] ack_reply: character '✓' (U+2713 CHECK MARK) cannot be sent in ISO-8859-1"
    assert warning in capsys.readouterr().out


def test_simulate_ack_probability_needs_ack_after(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["simulate", "--count", "2", "--ack-probability", "0.5"]) == 2
    assert "--ack-probability needs --ack-after" in capsys.readouterr().err


def test_an_alert_fills_each_phones_variables_beside_its_ack_key(sim_quiet: Path, tmp_path: Path) -> None:
    """Variables and the Ack key make one copy per phone: its own name, its own token."""
    import httpx

    history = tmp_path / "h.jsonl"
    args = ("--tag", "group-2", "--text", "For {phone} at {site}", "--var", "site=HQ", "--ack", "--ack-wait", "1")
    done = phonetui("push", "--config", str(sim_quiet), *args, "--history", str(history))
    assert done.returncode == 1 and "0 of 1 acknowledged" in done.stderr, done.stderr
    phone = next(p for p in load_config(sim_quiet).phones if "group-2" in p.tags)
    shown = httpx.get(f"http://{phone.address}/sim/screen", trust_env=False).json()
    assert shown["text"] == f"For {phone.name} at HQ" and shown["softkeys"] == ["Ack", "Exit"]
    assert "/ack/" in shown["softkey_urls"][0]
    start = next(json.loads(line) for line in history.read_text().splitlines() if '"event":"start"' in line)
    assert start["vars"] == {"site": "HQ"} and start["round"] == 0
    assert "{phone}" in start["template"] and "/ack/" not in start["xml"], "no phone's token in the journal"


def test_a_slow_round_does_not_bunch_the_repeats_behind_it(tmp_path: Path) -> None:
    """A black-hole phone makes the first round last its timeout; the next round still comes a whole
    ``--repeat`` after that round ended, never two rounds closer than ``--repeat`` (the app's rule)."""
    config = tmp_path / "slow.toml"
    running = Running(
        "simulate", "--count", "3", "--black-hole", "1", "--write-config", str(config), ready="Ctrl-C"
    )  # fmt: skip
    try:
        history = tmp_path / "h.jsonl"
        args = ("--all", "--text", "Drill", "--ack", "--ack-wait", "6", "--repeat", "0.8", "--max", "2")
        done = phonetui("push", "--config", str(config), *args, "--timeout", "1.5", "--history", str(history))
    finally:
        assert running.stop() == 0
    assert done.returncode == 1 and "Traceback" not in done.stderr
    records = [json.loads(line) for line in history.read_text().splitlines()]
    starts = [r["time"] for r in records if r["event"] == "start"]
    ends = [r["time"] for r in records if r["event"] == "end"]
    assert len(starts) == 3, done.stderr
    for ended, following in zip(ends, starts[1:], strict=False):
        assert following - ended >= 0.8 - 0.05, "a repeat came sooner than --repeat after the round before"
    assert starts[1] - starts[0] >= 1.5 + 0.8 - 0.1


def test_repeats_a_slow_round_left_no_time_for_are_said_not_dropped(tmp_path: Path) -> None:
    """The first round lasts a black hole's timeout (2.5 s) of a 3 s wait: the repeats cannot come, and
    stderr says so, with what to do."""
    config = tmp_path / "slow.toml"
    running = Running(
        "simulate", "--count", "3", "--black-hole", "1", "--write-config", str(config), ready="Ctrl-C"
    )  # fmt: skip
    try:
        args = ("--all", "--text", "Drill", "--ack", "--ack-wait", "3", "--repeat", "0.8", "--max", "2")
        done = phonetui("push", "--config", str(config), *args, "--timeout", "2.5", "--no-history")
    finally:
        assert running.stop() == 0
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "phonetui: the wait (3 s) ended before repeats 1-2" in done.stderr, done.stderr
    assert "give a longer --ack-wait" in done.stderr
