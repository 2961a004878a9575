"""What a new admin found in discovery: doubled names, unknown devices, the discovered file, scans, check."""

from __future__ import annotations

import asyncio
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import tomllib
from pathlib import Path

import pytest

from phonetui.cli.discover_scan import PROGRESS_EVERY, ScanProgress
from phonetui.config import ConfigError, load_config, write_config
from phonetui.discovery.merge import plan
from phonetui.discovery.records import Found
from phonetui.sim_cucm import FakeCucm, config_by_device, cucm_devices
from phonetui.simphone import fleet_config, fleet_phones
from phonetui.simulator import Simulator

from .conftest import needs_loopback_aliases
from .test_cli import phonetui

CONFIG = '[defaults]\nusername = "u"\npassword = "p"\n\n[[phones]]\nname = "lobby"\nhost = "10.0.0.5"\n'


async def test_the_simulators_config_paces_discovery_to_its_cucms_rate(tmp_path: Path) -> None:
    phones = fleet_phones(3, port=8080)
    async with FakeCucm(cucm_devices(phones), "axl", "secret", rate_per_minute=4) as cucm:
        path = tmp_path / "page.toml"
        write_config(path, config_by_device(fleet_config(phones, "u", "p"), phones, cucm, path))
        config = load_config(path)
    assert config.cucm is not None and config.cucm.rate_per_minute == 4


def test_a_discovered_file_in_a_missing_folder_is_a_located_error_and_no_folder_is_made(tmp_path: Path) -> None:
    path = tmp_path / "phones.toml"
    missing = tmp_path / "nonexistent" / "dir"
    path.write_text(CONFIG + f'\n[discovery]\nfile = "{missing}/x.toml"\n')
    with pytest.raises(ConfigError) as raised:
        load_config(path)
    assert raised.value.line == 10 and raised.value.key == "discovery.file"
    assert f"{missing} is not a folder" in str(raised.value)
    checked = phonetui("check", "--config", str(path))
    csv = tmp_path / "plain.csv"
    csv.write_text("name,host\nSEP000000000001,10.0.0.9\n")
    found = phonetui("discover", "--config", str(path), "--csv", str(csv))
    assert checked.returncode == found.returncode == 2 and f"{path}:10: discovery.file:" in checked.stderr
    assert "Traceback" not in checked.stderr + found.stderr and not (tmp_path / "nonexistent").exists()


async def run_phonetui(*args: str) -> tuple[int, str, str]:
    """``phonetui`` in a child process while this test's loop serves (the fake CUCM, a fleet)."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "phonetui", *args, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    out, err = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()


def cucm_config(tmp_path: Path, cucm: FakeCucm, url: str = "") -> Path:
    user, password = cucm.credentials
    path = tmp_path / "phones.toml"
    path.write_text(
        CONFIG + f'\n[cucm]\nurl = "{url or cucm.url}"\nusername = "{user}"\npassword = "{password}"\n'
        f'ca_file = "{cucm.ca_file}"\n'
    )
    return path


async def test_a_device_cucm_does_not_know_is_named_and_fails_the_run(tmp_path: Path) -> None:
    phones = fleet_phones(3)
    async with FakeCucm(cucm_devices(phones), "axl", "secret") as cucm:
        path = cucm_config(tmp_path, cucm)
        known = phones[0].devicename
        code, _, err = await run_phonetui(
            "discover", "--config", str(path), "--device", known, "--device", "SEPDEADBEEF0000"
        )
    assert code == 1 and "CUCM does not know SEPDEADBEEF0000" in err, err
    # (exit 1 also for the fake CUCM's silent node; the line names the unknown device alone)
    assert [line for line in err.splitlines() if "does not know" in line] == [
        "phonetui: CUCM does not know SEPDEADBEEF0000"
    ]


async def test_a_certificate_for_another_name_says_so_and_which_url_to_use(tmp_path: Path) -> None:
    async with FakeCucm(cucm_devices(fleet_phones(2)), "axl", "secret") as cucm:
        other = cucm.url.replace("127.0.0.1", "localhost")
        path = cucm_config(tmp_path, cucm, other)
        code, _, err = await run_phonetui("discover", "--config", str(path), "--cucm", "--dry-run")
    assert code == 1 and "not trusted" not in err, err
    assert f"certificate at {other} is made for another name than localhost (it is made for 127.0.0.1)" in err
    assert f'set [cucm] url = "{cucm.url}"' in err and "Traceback" not in err


def test_a_damaged_discovered_file_is_rebuilt_by_discover_and_explained_elsewhere(tmp_path: Path) -> None:
    path = tmp_path / "phones.toml"
    path.write_text(CONFIG)
    damaged = tmp_path / "discovered-phones.toml"
    damaged.write_text('[[phones]]\nname = "SEP000000000001"\nhost = \n')
    csv = tmp_path / "plain.csv"
    csv.write_text("name,host\nSEP000000000002,10.0.0.9\n")
    checked = phonetui("check", "--config", str(path))
    dry = phonetui("discover", "--config", str(path), "--csv", str(csv), "--dry-run")
    for run in (checked, dry):
        assert run.returncode == 2 and f"{damaged}:3: TOML syntax" in run.stderr, run.stderr
        assert "belongs to phonetui" in run.stderr and "run 'phonetui discover'" in run.stderr
        assert "or delete it" in run.stderr and "Traceback" not in run.stderr
    found = phonetui("discover", "--config", str(path), "--csv", str(csv))
    assert found.returncode == 0, found.stderr
    assert f"{damaged} is damaged (line 3: TOML syntax" in found.stderr
    assert "): rebuilt from what this run finds" in found.stderr
    assert [p["name"] for p in tomllib.loads(damaged.read_text())["phones"]] == ["SEP000000000002"]
    assert path.read_text() == CONFIG  # the person's file untouched
    assert phonetui("check", "--config", str(path)).returncode == 0


def test_scan_progress_is_said_every_few_seconds_only() -> None:
    said: list[str] = []
    now = [0.0]
    progress = ScanProgress("127.77.0.0/16", 65_534, said.append, clock=lambda: now[0], every=3.0)
    for index in range(4096):
        now[0] = index / 1000  # 4.096 s in all
        progress.answered(index % 400 == 0)
    assert said == ["scan 127.77.0.0/16: 3,001 of 65,534 addresses, 8 phones"]


def test_a_scan_that_finds_nothing_says_where_phones_answer(tmp_path: Path) -> None:
    path = tmp_path / "phones.toml"
    path.write_text(CONFIG)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed once the with ends: nothing answers on it
    found = phonetui("discover", "--config", str(path), "--scan", "127.0.0.1/32", "--scan-port", str(port))
    assert found.returncode == 0 and "scan 127.0.0.1/32: 0 phones" in found.stderr
    assert f"phones' web servers answer on port {port} (--scan-port)" in found.stderr
    assert "Web Access is disabled" in found.stderr


def test_ctrl_c_during_a_long_scan_writes_nothing_and_exits_130(tmp_path: Path) -> None:
    path = tmp_path / "phones.toml"
    path.write_text(CONFIG)
    proc = subprocess.Popen(
        [sys.executable, "-m", "phonetui", "discover", "--config", str(path), "--scan", "127.0.0.0/16", "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(proc.stderr or ()), daemon=True)
    reader.start()
    deadline = time.monotonic() + PROGRESS_EVERY + 60  # a loaded machine starts the scan late: wait for it
    while not any("of 65,534 addresses" in line for line in lines) and time.monotonic() < deadline:
        time.sleep(0.1)
    proc.send_signal(signal.SIGINT)
    assert proc.stdout is not None
    out = proc.stdout.read()
    proc.wait(timeout=30)
    reader.join(10)
    err = "".join(lines)
    assert proc.returncode == 130, err
    assert out == ""  # --json stdout stays clean
    assert re.search(r"scan 127\.0\.0\.0/16: [\d,]+ of 65,534 addresses, \d+ phones?", err), err
    assert err.strip().splitlines()[-1].startswith("phonetui: interrupted: nothing written;")
    assert "Traceback" not in err and not (tmp_path / "discovered-phones.toml").exists()


@needs_loopback_aliases
async def test_one_device_name_at_two_addresses_is_said_and_the_known_one_kept(
    fleet: Simulator, tmp_path: Path
) -> None:
    first, double = fleet.phones[0], fleet.phones[5]
    double.mac = first.mac  # a copied MAC
    name, cidr, port = first.devicename, "127.77.0.0/28", str(first.port)
    path = tmp_path / "phones.toml"
    path.write_text(CONFIG)
    code, _, err = await run_phonetui("discover", "--config", str(path), "--scan", cidr, "--scan-port", port)
    message = (
        f"{name} answered at {first.host} and {double.host}: kept {first.host}; check for a copied MAC or a stale phone"
    )
    assert code == 1 and message in err, err
    discovered = tmp_path / "discovered-phones.toml"
    assert [p["host"] for p in tomllib.loads(discovered.read_text())["phones"] if p["name"] == name] == [first.host]
    # The address already known for the name is the one kept.
    discovered.write_text(
        f'[[phones]]\nname = "{name}"\ndevice = "{name}"\nhost = "{double.host}"\nsource = "scan {cidr}"\n'
    )
    code, _, err = await run_phonetui("discover", "--config", str(path), "--scan", cidr, "--scan-port", port)
    assert code == 1 and f"kept {double.host};" in err and f"host {double.host} ->" not in err, err
    assert [p["host"] for p in tomllib.loads(discovered.read_text())["phones"] if p["name"] == name] == [double.host]


def test_the_samples_fleet_tables_check_once_uncommented(tmp_path: Path) -> None:
    sample = (Path(__file__).resolve().parents[1] / "sample-config.toml").read_text()
    start = sample.index('Remove the leading "# "')
    end = sample.index("[[phones]]", start)
    table_or_key = re.compile(r"^# (\[[a-z]+\]|[a-z_]+ = .*)$", re.MULTILINE)
    uncommented = sample[:start] + table_or_key.sub(r"\1", sample[start:end]) + sample[end:]
    assert uncommented.count("\n[cucm]\n") == uncommented.count("\n[discovery]\n") == 1
    assert "\n[probe]\n" in uncommented
    path = tmp_path / "config.toml"
    path.write_text(uncommented)
    checked = phonetui("check", "--config", str(path))
    assert checked.returncode == 0, checked.stderr
    assert "  cucm: https://cucm.example.com:8443 (rate 15/min, AXL on)" in checked.stdout
    assert "  discovered: none yet (discovered-phones.toml)" in checked.stdout


def test_check_says_what_discovery_has_found(tmp_path: Path) -> None:
    path = tmp_path / "phones.toml"
    path.write_text(CONFIG + '\n[[phones]]\ndevice = "SEP000000000001"\n')
    before = phonetui("check", "--config", str(path))
    assert before.returncode == 0, before.stderr
    expected = "  no discovered file yet: 1 phone named by device has no address until `phonetui discover`"
    assert expected in before.stdout
    csv = tmp_path / "plain.csv"
    csv.write_text("name,host\nSEP000000000001,10.0.0.9\nSEP000000000002,10.0.0.10\n")
    assert phonetui("discover", "--config", str(path), "--csv", str(csv)).returncode == 0
    after = phonetui("check", "--config", str(path))
    assert re.search(
        r"  discovered: discovered-phones\.toml, 2 phones \(last written \d{4}-\d\d-\d\d \d\d:\d\d UTC\)", after.stdout
    )


def test_a_new_device_pool_replaces_the_old_pools_tag_and_a_persons_tags_stay(tmp_path: Path) -> None:
    path = tmp_path / "phones.toml"
    path.write_text(CONFIG)
    config = load_config(path)
    from_plain = [Found("SEP000000000002", "10.0.0.12", tags=("lobby",), source="plain.csv:2")]
    first = plan(config, [], from_plain, {"plain.csv"}, set(), "t1")
    bat = [Found("SEP000000000002", model="7960", device_pool="DP HQ", description="Desk", source="bat.csv:2")]
    second = plan(config, first.entries, bat, {"bat.csv"}, set(), "t2")
    assert sorted(second.entries[0]["tags"]) == ["dp-hq", "legacy", "lobby"]
    moved = [Found("SEP000000000002", model="8845", device_pool="DP Branch", description="Desk", source="bat.csv:2")]
    third = plan(config, second.entries, moved, {"bat.csv"}, set(), "t3")
    (entry,) = third.entries
    assert sorted(entry["tags"]) == ["dp-branch", "lobby", "modern"]  # dp-hq and legacy replaced, lobby kept
    assert "tags" in " ".join(third.changed["SEP000000000002"])
    # A scan knows no device pool: the pool's tag stays.
    scanned = [Found("SEP000000000002", "10.0.0.12", model="CP-8845", source="scan 10.0.0.0/28")]
    fourth = plan(config, third.entries, scanned, {"scan 10.0.0.0/28"}, set(), "t4")
    assert sorted(fourth.entries[0]["tags"]) == ["dp-branch", "lobby", "modern"]
