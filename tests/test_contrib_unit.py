"""``contrib/phonetui-serve.service``: systemd finds nothing wrong with it, and it asks for no more than it needs."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
UNIT = ROOT / "contrib" / "phonetui-serve.service"
INSTALLED = "/opt/phonetui/bin/phonetui"

needs_systemd = pytest.mark.skipif(
    shutil.which("systemd-analyze") is None,
    reason="systemd-analyze is not installed here: the unit is checked where systemd is",
)


def settings(text: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for line in text.splitlines():
        if "=" in line and not line.startswith(("#", "[")):
            key, value = line.split("=", 1)
            found.setdefault(key, []).append(value)
    return found


def test_the_unit_runs_it_as_a_service_with_one_capability() -> None:
    unit = settings(UNIT.read_text())
    assert unit["ExecStart"] == [f"{INSTALLED} serve --config /etc/phonetui/serve.toml"]
    assert unit["ExecReload"] == ["/bin/kill -HUP $MAINPID"]
    assert unit["DynamicUser"] == ["yes"] and unit["StateDirectory"] == ["phonetui"]
    assert unit["LoadCredential"] == ["service-password:/etc/phonetui/service-password"]
    assert unit["Restart"] == ["on-failure"] and unit["NoNewPrivileges"] == ["yes"]
    assert unit["AmbientCapabilities"] == unit["CapabilityBoundingSet"] == ["CAP_NET_BIND_SERVICE"]
    assert unit["ProtectSystem"] == ["strict"]
    # the path the config names for the password is the credential's, for this unit's name
    assert f"/run/credentials/{UNIT.name}/service-password" in UNIT.read_text()


@needs_systemd
def test_systemd_analyze_verify_passes(tmp_path: Path) -> None:
    """Verified as installed, but with this checkout's ``phonetui`` (verify wants ExecStart to exist)."""
    here = Path(sys.executable).parent / "phonetui"
    assert here.exists(), "the test runs in the venv phonetui is installed in"
    unit = tmp_path / UNIT.name
    unit.write_text(UNIT.read_text().replace(INSTALLED, str(here)))
    result = subprocess.run(["systemd-analyze", "verify", str(unit)], capture_output=True, text=True, check=False)
    assert result.returncode == 0 and not result.stderr.strip(), result.stderr  # warnings too: an unknown key
    exposure = subprocess.run(
        ["systemd-analyze", "security", "--offline=yes", "--threshold=20", "--no-pager", str(unit)],
        capture_output=True,
        text=True,
        check=False,
    )
    if "offline" in exposure.stderr and "unrecognized" in exposure.stderr:
        pytest.skip("this systemd-analyze has no security --offline (systemd before 250)")
    assert exposure.returncode == 0, exposure.stdout[-400:]  # exposure 2.0 or less ("OK")


def test_a_config_error_is_not_restarted_in_a_loop() -> None:
    """serve exits 2 for a config or usage error (restarting cannot mend it), 1 when it cannot listen (it may later)."""
    unit = settings(UNIT.read_text())
    # and systemd's own: no program (203), no credential file (243)
    assert unit["RestartPreventExitStatus"][0].split() == ["2", "203", "243"]
    assert unit["Restart"] == ["on-failure"]


def test_the_descriptor_limit_is_generous_and_nobody_needs_setrlimit() -> None:
    """The unit sets LimitNOFILE= and filters @resources (setrlimit); serve's code never calls setrlimit."""
    unit = settings(UNIT.read_text())
    assert int(unit["LimitNOFILE"][0]) >= 16384
    assert any("@resources" in value for value in unit["SystemCallFilter"])
    callers = sorted(
        path.name for path in (ROOT / "src" / "phonetui").rglob("*.py") if "setrlimit(" in path.read_text()
    )
    assert callers == ["simfleet.py"]  # the simulator's, which the service never imports
    modules = "phonetui.cli.serve, phonetui.service, phonetui.service_reload"
    code = f"import sys, {modules}; print('phonetui.simfleet' in sys.modules)"
    imported = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert imported.stdout.strip() == "False"


def test_logs_may_go_to_the_logs_directory() -> None:
    unit = settings(UNIT.read_text())
    assert unit["LogsDirectory"] == ["phonetui"]
