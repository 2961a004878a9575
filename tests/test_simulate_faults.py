"""``simulate``'s faults: each has phones of its own, each faulty phone is named at start, too many is a usage error."""

from __future__ import annotations

import re
from pathlib import Path

import httpx

from phonetui.config import load_config

from .test_cli import Running, phonetui


def test_each_fault_gets_phones_of_its_own_and_is_named_at_start(tmp_path: Path) -> None:
    config = tmp_path / "sim.toml"
    faults = ("--no-screenshots", "2", "--offline", "1", "--black-hole", "1", "--garbled", "1")
    faults += ("--web-off", "1", "--wrong-password", "1")
    running = Running("simulate", "--count", "8", *faults, "--write-config", str(config), ready="Ctrl-C")
    try:
        said = [line for line in running.lines if re.match(r"sim-\d{4} ", line)]
        phones = {p.name: p for p in load_config(config).phones}
        by_fault = {line.split(" ", 1)[1].split(":")[0]: line.split(" ")[0] for line in said}
        hole = phones[by_fault["black hole"]]
        try:
            httpx.get(f"http://{hole.address}/CGI/Screenshot", timeout=1.5)
            answered = True
        except httpx.TimeoutException:
            answered = False
    finally:
        assert running.stop() == 0
    assert len(said) == 7, running.lines
    names = [line.split(" ")[0] for line in said]
    assert len(set(names)) == 7 and "sim-0001" not in names  # no phone has two faults; the first has none
    assert names == sorted(names)
    assert f"{by_fault['black hole']} black hole: accepts connections, never answers" in said
    assert sum(1 for line in said if "no screenshots: 404" in line) == 2
    assert set(by_fault) >= {"offline", "black hole", "garbled", "web off", "wrong password", "no screenshots"}
    assert not answered  # a black hole: never a quick 404


def test_more_faults_than_phones_is_a_usage_error_saying_how_many(tmp_path: Path) -> None:
    done = phonetui("simulate", "--count", "3", "--no-screenshots", "2", "--black-hole", "1", "--offline", "1")
    assert done.returncode == 2
    assert "need 4 phones, one fault each; --count is 3" in done.stderr
    assert "--offline 1, --black-hole 1, --no-screenshots 2" in done.stderr
