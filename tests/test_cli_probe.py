"""``phonetui probe`` as a user runs it, against a simulated fleet in its own process."""

from __future__ import annotations

from pathlib import Path

from .test_cli import Running, json_lines, phonetui


def test_probe_json_every_phone_then_three_offline(tmp_path: Path) -> None:
    config = tmp_path / "sim.toml"
    running = Running("simulate", "--count", "12", "--offline", "3", "--write-config", str(config), ready="Ctrl-C")
    try:
        done = phonetui("probe", "--config", str(config), "--all", "--json")
        table = phonetui("probe", "--config", str(config), "--tag", "modern")
        one = phonetui("probe", "--config", str(config), "--phone", "sim-0001")
    finally:
        assert running.stop() == 0
    assert done.returncode == 1, done.stderr
    rows = json_lines(done.stdout)
    assert len(rows) == 12
    assert {"phone", "host", "state", "model", "device", "dn", "firmware", "rtt_ms"} <= set(rows[0])
    online = [r for r in rows if r["state"] == "online"]
    assert len(online) == 9 and all(r["model"] == r["configured_model"] and r["rtt_ms"] >= 0 for r in online)
    assert "12 phones: 9 online, 3 refused" in done.stderr
    assert table.stdout.splitlines()[0].split()[:3] == ["PHONE", "ADDRESS", "STATE"]
    assert one.returncode == 0 and "sim-0001" in one.stdout and "1 phone: 1 online" in one.stderr


def test_a_model_unlike_the_config_is_flagged(tmp_path: Path) -> None:
    config = tmp_path / "sim.toml"
    running = Running("simulate", "--count", "2", "--write-config", str(config), ready="Ctrl-C")
    try:
        text = config.read_text()
        config.write_text(text.replace('model = "CP-8845"', 'model = "CP-7940G"', 1))
        done = phonetui("probe", "--config", str(config), "--phone", "sim-0001")
    finally:
        assert running.stop() == 0
    assert done.returncode == 0
    assert "the config says CP-7940G (legacy); the phone says CP-8845 (modern)" in done.stdout
    assert "1 model not as configured" in done.stderr


def test_probe_usage_errors(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text('[[phones]]\nname = "a"\nhost = "127.0.0.1"\n')
    for args, message in (
        ((), "choose phones with --phone NAME, --tag TAG or --all"),
        (("--phone", "b"), "no phone named 'b'"),
        (("--all", "--timeout", "0"), "must be more than 0 seconds"),
    ):
        done = phonetui("probe", "--config", str(config), *args)
        assert done.returncode == 2 and message in done.stderr, done.stderr
