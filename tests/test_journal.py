"""The journal is a side duty: whatever stops it from writing, it says so once and never raises."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from phonetui.history import Journal


def test_a_directory_in_its_place(tmp_path: Path) -> None:
    journal = Journal(tmp_path)
    assert journal.append({"event": "start"}) is False
    assert journal.problem == f"history not written: {tmp_path}: Is a directory"
    assert journal.append({"event": "end"}, sync=True) is False and journal.sync() is False
    journal.close()


def test_a_file_where_its_folder_should_be(tmp_path: Path) -> None:
    (tmp_path / "state").write_text("")
    journal = Journal(tmp_path / "state" / "history.jsonl")
    assert journal.append({"event": "start"}) is False
    assert journal.problem is not None and journal.problem.startswith("history not written: ")
    assert "Not a directory" in journal.problem or "File exists" in journal.problem


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full here")
def test_a_full_disk() -> None:
    journal = Journal("/dev/full")
    assert journal.append({"event": "start"}) is False
    assert journal.problem == "history not written: /dev/full: No space left on device"


def test_a_record_that_is_not_json_stops_it_without_raising(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "h.jsonl")
    assert journal.append({"event": "start", "what": object()}) is False
    assert journal.problem is not None and "TypeError" in journal.problem


def test_it_stops_trying_after_the_first_failure(tmp_path: Path) -> None:
    path = tmp_path / "h.jsonl"
    path.mkdir()
    journal = Journal(path)
    journal.append({"n": 1})
    first = journal.problem
    path.rmdir()
    assert journal.append({"n": 2}) is False and journal.problem == first
    assert not path.exists(), "it did not try again"


def test_reading_an_unreadable_journal_gives_nothing(tmp_path: Path) -> None:
    assert Journal(tmp_path).pushes() == []
    assert Journal(tmp_path / "none.jsonl").pushes() == []


def test_a_good_journal_syncs(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "deep" / "h.jsonl")
    assert journal.append({"event": "start", "push": "a"}) and journal.sync()
    assert journal.problem is None and [p.push_id for p in journal.pushes()] == ["a"]
