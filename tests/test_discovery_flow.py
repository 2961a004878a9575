"""The fleet flow from a fresh clone: simulate with a fake CUCM, discover, probe, push."""

from __future__ import annotations

import tomllib
from pathlib import Path

from .test_cli import Running, json_lines, phonetui


def test_simulate_discover_probe_push(tmp_path: Path) -> None:
    config = tmp_path / "sim.toml"
    running = Running(
        "simulate", "--count", "30", "--offline", "3", "--cucm", "--write-config", str(config), ready="Ctrl-C"
    )
    try:
        written = tomllib.loads(config.read_text())
        before = phonetui("push", "--config", str(config), "--all", "--text", "Hi", "--json")
        dry = phonetui("discover", "--config", str(config), "--cucm", "--dry-run")
        dry_left_no_file = not (tmp_path / "discovered-phones.toml").exists()
        found = phonetui("discover", "--config", str(config), "--cucm", "--json")
        probed = phonetui("probe", "--config", str(config), "--all", "--json")
        pushed = phonetui("push", "--config", str(config), "--all", "--text", "Hi", "--json")
        again = phonetui("discover", "--config", str(config))
        bogus = phonetui("discover", "--config", str(config), "--device", "SEPZZZ")
    finally:
        assert running.stop() == 0
    # The written config stays valid once the simulator (and its temporary folder) is gone.
    checked = phonetui("check", "--config", str(config))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert bogus.returncode == 2 and "--device: 'SEPZZZ' is not a phone's device name" in bogus.stderr
    assert all("host" not in phone and phone["device"].startswith("SEP") for phone in written["phones"])
    assert written["cucm"]["ca_file"] == "sim-cucm-ca.pem" and written["cucm"]["url"].startswith("https://127.0.0.1:")
    assert f"CUCM's CA (the config's [cucm] ca_file): {tmp_path / 'sim-cucm-ca.pem'}" in running.lines, running.lines
    # Before discovery no phone has an address: each is refused, saying what to run.
    assert before.returncode == 1
    assert {row["outcome"] for row in json_lines(before.stdout)} == {"refused"}
    assert "run 'phonetui discover --cucm'" in json_lines(before.stdout)[0]["detail"]
    assert f"30 phones named by device have no address yet: run 'phonetui discover --config {config} --cucm'" in (
        before.stderr
    )
    # The fake CUCM has a node that does not answer: said, and the exit status is 1 (a source fell short).
    assert dry.returncode == 1 and dry_left_no_file and "would be added 30 phones" in dry.stderr
    assert found.returncode == 1, found.stderr
    assert "CUCM node cm-sub2 did not answer" in found.stderr
    actions = json_lines(found.stdout)
    assert len(actions) == 30 and {a["action"] for a in actions} == {"added"}
    assert {a["model"] for a in actions} >= {"8845", "7975", "7960"}  # from AXL listPhone
    rows = json_lines(probed.stdout)
    assert probed.returncode == 1 and len(rows) == 30
    online = [row for row in rows if row["state"] == "online"]
    assert len(online) == 27 and {row["model"] for row in online} >= {"CP-8845", "CP-7975G", "CP-7960G"}
    assert "27 online, 3 refused" in probed.stderr
    outcomes = [row["outcome"] for row in json_lines(pushed.stdout)]
    assert outcomes.count("ok") == 27 and len(outcomes) == 30
    assert again.returncode == 1 and "0 added, 0 changed, 0 gone, 30 unchanged" in again.stderr
