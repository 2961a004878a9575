"""Variables on the command line: each simulated phone shows its own copy; mistakes stop before sending."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from phonetui.config import load_config

from .test_cli import Running, phonetui

TEMPLATES = """
[[templates]]
name = "drill"
title = "Drill at {site}"
text = "{phone} ({model}) floor {floor}: {{ok}} - {sender}"
vars = { site = "HQ", floor = "3" }

[[templates]]
name = "typo"
text = "{phone} at {sitee}"
vars = { site = "HQ" }
"""


@pytest.fixture
def sim4(tmp_path: Path) -> Iterator[Path]:
    config = tmp_path / "sim.toml"
    running = Running("simulate", "--count", "4", "--write-config", str(config), ready="Ctrl-C")
    config.write_text(config.read_text() + TEMPLATES)
    yield config
    assert running.stop() == 0


def screens(config: Path) -> dict[str, dict[str, object]]:
    """What each simulated phone of the config shows now, by name."""
    with httpx.Client(trust_env=False) as client:
        return {p.name: client.get(f"http://{p.address}/sim/screen").json() for p in load_config(config).phones}


def test_each_phone_shows_its_own_name_and_the_template_values(sim4: Path, tmp_path: Path) -> None:
    result = phonetui(
        "push", "--config", str(sim4), "--all", "--template", "drill", "--var", "floor=9", "--sender", "ops desk",
        "--history", str(tmp_path / "h.jsonl"),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "templates[1].text: template 'typo'" in result.stderr and "pushing this template stops" in result.stderr
    for name, screen in screens(sim4).items():
        assert screen["title"] == "Drill at HQ"
        assert screen["text"] == f"{name} ({screen['model']}) floor 9: {{ok}} - ops desk"
    start = json.loads((tmp_path / "h.jsonl").read_text().splitlines()[0])
    assert start["vars"] == {"site": "HQ", "floor": "9"} and "{phone}" in start["template"]


def test_unknown_variables_and_bad_vars_stop_before_anything_is_sent(sim4: Path) -> None:
    typo = phonetui("push", "--config", str(sim4), "--all", "--template", "typo", "--no-history")
    assert typo.returncode == 2
    assert "template 'typo': Text: unknown variable {sitee}" in typo.stderr and "did you mean {site}?" in typo.stderr
    text = phonetui("push", "--config", str(sim4), "--all", "--text", "{flor}", "--var", "floor=1", "--no-history")
    assert text.returncode == 2 and "Text: unknown variable {flor}" in text.stderr and "{floor}?" in text.stderr
    bad = phonetui("push", "--config", str(sim4), "--all", "--text", "x", "--var", "floor", "--no-history")
    assert bad.returncode == 2 and "--var 'floor': write NAME=VALUE" in bad.stderr
    built_in = phonetui("push", "--config", str(sim4), "--all", "--text", "x", "--var", "phone=x", "--no-history")
    assert built_in.returncode == 2 and "built in" in built_in.stderr
    assert all(screen["pushes"] == 0 for screen in screens(sim4).values()), "nothing was sent"
    check = phonetui("check", "--config", str(sim4))
    assert check.returncode == 2
    assert "templates[1].text: template 'typo': unknown variable {sitee}" in check.stderr


def test_dry_run_shows_one_phones_copy_and_the_largest(sim4: Path) -> None:
    shown = phonetui("push", "--config", str(sim4), "--all", "--template", "drill", "--dry-run", "--show", "sim-0003")
    assert shown.returncode == 0, shown.stderr
    head = shown.stdout.splitlines()[0]
    assert head.startswith("# sim-0003's copy, ISO-8859-1, ") and head.endswith(" bytes, direct")
    assert "<Text>sim-0003 (CP-7960G) floor 3: {ok} - " in shown.stdout
    assert "largest: sim-0003, " in shown.stdout and "against its limit of 512" in shown.stdout
    missing = phonetui("push", "--config", str(sim4), "--all", "--text", "x", "--dry-run", "--show", "sim-0009")
    assert missing.returncode == 2 and "not among the phones chosen (4)" in missing.stderr
    plan = json.loads(
        phonetui("push", "--config", str(sim4), "--all", "--template", "drill", "--dry-run", "--json").stdout
    )
    assert plan["own_copies"] is True
    assert all(p["bytes"] and p["limit"] for p in plan["phones"])
    biggest = max(plan["phones"], key=lambda p: p["bytes"])
    assert plan["largest"] == {"phone": biggest["phone"], "bytes": biggest["bytes"], "limit": biggest["limit"]}
    assert {e["phone"] for e in plan["encodings"]} <= {p["phone"] for p in plan["phones"]}


def test_check_and_push_locate_a_template_typo_at_the_same_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The typo is on the ``text`` line: both name that line, not the table's."""
    from phonetui.cli import main

    config = tmp_path / "c.toml"
    config.write_text(
        '[[phones]]\nname = "a"\nhost = "127.0.0.1"\n\n'
        '[[templates]]\nname = "typo"\ntitle = "Drill"\n\ntext = "{phone} at {sitee}"\nvars = { site = "HQ" }\n'
    )
    text_line = config.read_text().splitlines().index('text = "{phone} at {sitee}"') + 1
    assert main(["check", "--config", str(config)]) == 2
    checked = capsys.readouterr().err
    assert f"{config}:{text_line}:" in checked, checked
    assert main(["push", "--config", str(config), "--all", "--template", "typo", "--dry-run"]) == 2
    pushed = capsys.readouterr().err
    said = [line for line in pushed.splitlines() if "unknown variable {sitee}" in line]
    assert said and all(f"{config}:{text_line}:" in line for line in said), pushed
