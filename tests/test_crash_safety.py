"""Killed in the middle of things: the journal and the config stay readable."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

from phonetui.config import load_config
from phonetui.history import Journal

from .test_cli import Running


def test_sigkill_mid_push_leaves_journal_and_config_readable(tmp_path: Path) -> None:
    config = tmp_path / "sim.toml"
    sim = Running("simulate", "--count", "12", "--latency", "2", "--write-config", str(config), ready="Ctrl-C")
    history = tmp_path / "history.jsonl"
    before = config.read_bytes()
    try:
        # the first push completes; the second is killed while the phones take their 2 s
        subprocess.run(
            [sys.executable, "-m", "phonetui", "push", "--config", str(config), "--all", "--text", "one",
             "--history", str(history)], capture_output=True, check=False, timeout=60,
        )  # fmt: skip
        push = subprocess.Popen(
            [sys.executable, "-m", "phonetui", "push", "--config", str(config), "--all", "--text", "two",
             "--history", str(history)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )  # fmt: skip
        deadline = time.monotonic() + 30
        while history.read_text().count('"event":"start"') < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.5)
        push.send_signal(signal.SIGKILL)
        push.wait(timeout=10)
        push.stdout.close()
        push.stderr.close()
    finally:
        sim.stop()
    lines = history.read_text(encoding="utf-8").splitlines()
    for line in lines[:-1]:
        json.loads(line)  # every record but the one in flight is whole
    first, second = Journal(history).pushes()
    assert len(first.results) == 12 and first.end is not None
    assert second.end is None and "two" in second.start["xml"]
    assert config.read_bytes() == before
    assert len(load_config(config).phones) == 12


def test_template_save_killed_between_write_and_rename_keeps_the_old_files(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text('# by hand\n[[phones]]\nname = "a"\nhost = "127.0.0.9"\n')
    templates = tmp_path / "templates.toml"
    templates.write_text('[[templates]]\nname = "old"\ntext = "x"\n')
    before = config.read_bytes(), templates.read_bytes()
    script = (
        "import os, signal, sys\n"
        "from phonetui import config as c\n"
        "real = os.replace\n"
        "def die(src, dst):\n"
        "    if str(dst).endswith('templates.toml'):\n"
        "        os.kill(os.getpid(), signal.SIGKILL)\n"
        "    return real(src, dst)\n"
        "os.replace = die\n"
        "cfg = c.load_config(sys.argv[1])\n"
        "c.save_template(cfg, c.Template('new', text='y'))\n"
    )
    result = subprocess.run([sys.executable, "-c", script, str(config)], capture_output=True, timeout=30, check=False)
    assert result.returncode == -signal.SIGKILL
    assert (config.read_bytes(), templates.read_bytes()) == before
    assert [t.name for t in load_config(config).templates] == ["old"]


def test_sigterm_to_a_cli_push_writes_an_interrupted_end(tmp_path: Path) -> None:
    config = tmp_path / "sim.toml"
    sim = Running("simulate", "--count", "4", "--latency", "5", "--write-config", str(config), ready="Ctrl-C")
    history = tmp_path / "history.jsonl"
    try:
        push = subprocess.Popen(
            [sys.executable, "-m", "phonetui", "push", "--config", str(config), "--all", "--text", "x",
             "--history", str(history), "--json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        wait_for_start(history)
        push.send_signal(signal.SIGTERM)
        out, _ = push.communicate(timeout=30)
    finally:
        sim.stop()
    assert push.returncode == 1
    assert {json.loads(line)["outcome"] for line in out.splitlines()} == {"cancelled"}
    [record] = Journal(history).pushes()
    assert record.end is not None and record.status == "interrupted"
    assert len(record.results) == 4


def wait_for_start(history: Path, count: int = 1) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if history.exists() and history.read_text().count('"event":"start"') >= count:
            return
        time.sleep(0.05)
    raise AssertionError("the push never started")
