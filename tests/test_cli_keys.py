"""``phonetui keys`` as a user runs it: a macro reaches simulated phones and changes their screens."""

from __future__ import annotations

import re
from pathlib import Path

import httpx

from phonetui.config import load_config
from phonetui.config.macros import save_macro

from .test_cli import Running, json_lines, phonetui


def screen_title(config: Path, name: str) -> str:
    phone = next(p for p in load_config(config).phones if p.name == name)
    reply = httpx.get(f"http://{phone.address}/sim/screen", timeout=10)
    return str(reply.json()["title"])


def test_a_macro_changes_the_screens_and_a_saved_one_runs_by_name(tmp_path: Path) -> None:
    config = tmp_path / "sim.toml"
    running = Running("simulate", "--count", "3", "--write-config", str(config), ready="Ctrl-C")
    try:
        done = phonetui("keys", "--config", str(config), "--all", "--macro", "Key:Services, pause 100ms", "--json")
        titles = [screen_title(config, f"sim-000{n}") for n in (1, 2, 3)]
        save_macro(load_config(config), "leave", "Init:Services")
        named = phonetui("keys", "--config", str(config), "--phone", "sim-0001", "--name", "leave")
        typo = phonetui("keys", "--config", str(config), "--all", "--macro", "Key:Setings")
        after = screen_title(config, "sim-0001")
        bad = phonetui("keys", "--config", str(config), "--all", "--macro", "Key:Services,, Key:Soft1")
        unknown = phonetui("keys", "--config", str(config), "--all", "--name", "nope")
        templates = load_config(config).templates_file
        templates.write_text(templates.read_text() + '\n[[macros]]\nname = "broken"\nsteps = "Key:Nope"\n')
        broken = phonetui("keys", "--config", str(config), "--all", "--name", "broken")
        wrong = tmp_path / "wrong.toml"
        wrong.write_text(re.sub(r'(?m)^password = ".*"$', 'password = "not-it"', config.read_text(), count=1))
        refused = phonetui("keys", "--config", str(wrong), "--phone", "sim-0001", "--macro", "Key:Services")
    finally:
        assert running.stop() == 0
    assert done.returncode == 0, done.stderr
    rows = json_lines(done.stdout)
    assert sorted(r["phone"] for r in rows) == ["sim-0001", "sim-0002", "sim-0003"]
    assert all(r["outcome"] == "ok" and r["pressed"] == r["of"] == 1 for r in rows)
    assert titles == ["Services"] * 3
    assert named.returncode == 0 and "sim-0001" in named.stdout and after == ""
    assert named.stdout.splitlines()[0].split() == ["PHONE", "OUTCOME", "PRESSED", "DETAIL"]
    assert named.stderr.strip().splitlines()[-1] == "1 phone: 1 ok"  # as push ends
    assert typo.returncode == 2 and "did you mean Key:Settings?" in typo.stderr
    assert bad.returncode == 2 and "step 2" in bad.stderr and "empty step" in bad.stderr
    assert unknown.returncode == 2 and "no macro named 'nope'" in unknown.stderr and "('leave')" in unknown.stderr
    assert broken.returncode == 2 and "the saved macro 'broken'" in broken.stderr and "was not read" in broken.stderr
    assert refused.returncode == 1 and "auth-failed" in refused.stdout and "(hint: " in refused.stdout


def test_keys_take_the_push_user_as_push_does_and_end_with_its_summary(tmp_path: Path) -> None:
    config, wrong = tmp_path / "sim.toml", tmp_path / "wrong.toml"
    running = Running("simulate", "--count", "2", "--password", "s3cret", "--write-config", str(config), ready="Ctrl-C")
    try:
        wrong.write_text(re.sub(r'(?m)^password = ".*"$', 'password = "not-it"', config.read_text(), count=1))
        keys = ("keys", "--all", "--macro", "Key:Services")
        right = phonetui(*keys, "--config", str(wrong), "--username", "phonetui", "--password", "s3cret")
        refused = phonetui(*keys, "--config", str(config), "--password", "not-it", "--json")
        failed = phonetui(*keys, "--config", str(wrong))
    finally:
        assert running.stop() == 0
    assert right.returncode == 0, right.stdout + right.stderr
    assert [line.split()[1] for line in right.stdout.splitlines()[1:]] == ["ok", "ok"]
    assert right.stderr.strip().splitlines()[-1] == "2 phones: 2 ok"
    assert refused.returncode == 1
    assert {r["outcome"] for r in json_lines(refused.stdout)} == {"auth-failed"}
    assert failed.returncode == 1
    assert failed.stderr.strip().splitlines()[-1] == "2 phones: 0 ok, 2 failed (2 auth-failed)"


def test_keys_prints_every_wrong_step_a_line_each(tmp_path: Path) -> None:
    config = tmp_path / "one.toml"
    config.write_text('[defaults]\nusername = "u"\npassword = "p"\n\n[[phones]]\nname = "a"\nhost = "127.0.0.1"\n')
    done = phonetui("keys", "--config", str(config), "--all", "--macro", "Key:Setings, pause 90s, Key:Soft1")
    assert done.returncode == 2
    lines = [line for line in done.stderr.splitlines() if line.startswith("phonetui: macro: ")]
    assert len(lines) == 2, done.stderr
    assert "step 1 ('Key:Setings'" in lines[0] and "did you mean Key:Settings?" in lines[0]
    assert "step 2 ('pause 90s'" in lines[1] and "at most 60 s" in lines[1]
