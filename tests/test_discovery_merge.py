"""The discovered phones file: planned changes, written by the app, read back under hand-written phones."""

from __future__ import annotations

from pathlib import Path

import pytest

from phonetui.config import ConfigError, load_config, write_discovered
from phonetui.discovery.merge import plan
from phonetui.discovery.records import Found

CONFIG = """
[defaults]
username = "u"
password = "p"

[[phones]]
name = "lobby"
host = "10.0.0.5"

[[phones]]
name = "desk"
device = "SEP00AA00AA00AA"

[[phones]]
device = "sep00bb00bb00bb"
model = "7940"
"""


def config_at(tmp_path: Path, extra: str = "") -> Path:
    path = tmp_path / "phones.toml"
    path.write_text(CONFIG + extra)
    return path


def test_device_only_phones_take_address_and_model_from_the_discovered_file(tmp_path: Path) -> None:
    config = load_config(config_at(tmp_path))
    desk, by_device = config.phones[1], config.phones[2]
    assert (desk.host, desk.address, by_device.name, by_device.device) == ("", "", "SEP00BB00BB00BB", "SEP00BB00BB00BB")
    found = [
        Found("SEP00AA00AA00AA", "10.0.0.7", "8845", "4001", "Desk", "DP-HQ", source="cucm cm-pub"),
        Found("SEP00BB00BB00BB", "10.0.0.8", "8845", source="cucm cm-pub"),
        Found("lobby", "10.0.0.99", source="extra.csv:2"),  # a hand-written name: left to the config
        Found("SEPCCCCCCCCCCCC", "10.0.0.9", "7841", device_pool="DP Branch 2", source="cucm cm-sub1"),
    ]
    result = plan(config, [], found, {"cucm", "extra.csv"}, set(), "2026-11-30T00:00:00Z")
    assert result.in_config == ["lobby"] and len(result.added) == 3
    write_discovered(config, result.entries)
    assert (tmp_path / "phones.toml").read_text() == CONFIG  # the person's file untouched
    again = load_config(tmp_path / "phones.toml")
    by_name = {p.name: p for p in again.phones}
    assert [p.name for p in again.phones] == ["lobby", "desk", "SEP00BB00BB00BB", "SEPCCCCCCCCCCCC"]
    assert (by_name["desk"].host, by_name["desk"].model, by_name["desk"].family.name) == ("10.0.0.7", "8845", "modern")
    assert by_name["desk"].dn == "4001" and by_name["desk"].description == "Desk"
    # The config named a model for this one: discovery gives it an address, not new rules.
    assert (by_name["SEP00BB00BB00BB"].host, by_name["SEP00BB00BB00BB"].model) == ("10.0.0.8", "7940")
    assert by_name["SEP00BB00BB00BB"].charset == "iso-8859-1"
    assert by_name["SEPCCCCCCCCCCCC"].tags == ("dp-branch-2", "modern")
    assert by_name["lobby"].host == "10.0.0.5"


def test_changed_gone_and_kept(tmp_path: Path) -> None:
    config = load_config(config_at(tmp_path))
    existing = [
        {"name": "SEP1", "device": "SEP1", "host": "10.0.0.1", "source": "cucm cm-pub"},
        {"name": "SEP2", "device": "SEP2", "host": "10.0.0.2", "source": "cucm cm-pub"},
        {"name": "csvphone", "host": "10.0.0.3", "source": "old.csv:2"},
    ]
    found = [Found("SEP1", "10.0.0.11", source="cucm cm-pub")]
    result = plan(config, existing, found, {"cucm"}, set(), "now")
    assert result.changed == {"SEP1": ["host 10.0.0.1 -> 10.0.0.11"]}
    assert result.gone == ["SEP2"]
    assert [e["name"] for e in result.entries] == ["SEP1", "csvphone"]  # old.csv was not asked: kept as it was
    shortfall = plan(config, existing, found, {"cucm"}, {"cucm"}, "now")
    assert shortfall.gone == [] and shortfall.kept == ["SEP2"]


def test_cucm_and_discovery_tables_are_checked(tmp_path: Path) -> None:
    bad = config_at(
        tmp_path,
        '\n[cucm]\nurl = "cucm.example.com"\nca_file = "missing.pem"\ninsecure = true\nrate = 3\n'
        '\n[discovery]\nfile = "phones.toml"\ntags_from = ["pool"]\n',
    )
    with pytest.raises(ConfigError) as caught:
        load_config(bad)
    text = "\n".join(caught.value.lines())
    for expected in (
        "cucm.url: must be CUCM's https:// address",
        "cucm.ca_file:",
        "is not a file",
        "cucm.insecure: give ca_file or insecure = true, not both",
        "cucm.rate: unknown key",
        "discovery.file: must not be the config itself",
        "discovery.tags_from: 'pool' is not one of device_pool, family, description",
    ):
        assert expected in text, text


@pytest.mark.parametrize(
    ("url", "said"), [("https://127.0.0.1:0", "port 0 is no port"), ("https://cucm:99999", "is not a URL")]
)
def test_a_cucm_url_needs_a_port_that_is_one(tmp_path: Path, url: str, said: str) -> None:
    path = config_at(tmp_path, f'\n[cucm]\nurl = "{url}"\ninsecure = true\n')
    with pytest.raises(ConfigError, match=f"cucm\\.url: {said}"):
        load_config(path)


def test_plain_http_to_cucm_is_refused(tmp_path: Path) -> None:
    """The password would cross the network in clear, and CUCM does not serve RisPort70 over HTTP."""
    path = config_at(tmp_path, '\n[cucm]\nurl = "http://cucm.example.com:8080"\ninsecure = true\n')
    with pytest.raises(ConfigError, match=r"cucm\.url: must be CUCM's https:// address") as caught:
        load_config(path)
    assert caught.value.lines()[0].startswith(f"{path}:")


@pytest.mark.parametrize(
    ("device", "says"),
    [
        ("SEPZZZ", "SEP and the 12 hex digits of its MAC"),
        ("SEP00AA00AA00A", "SEP and the 12 hex digits of its MAC"),
        ("CSF-JOHN DOE", "1-15 letters, digits"),
        ("BOTAVERYLONGNAME1", "1-15 letters, digits"),
        ("TCT:jdoe", "1-15 letters, digits"),
    ],
)
def test_device_names_that_cucm_cannot_have_are_errors(tmp_path: Path, device: str, says: str) -> None:
    path = config_at(tmp_path, f'\n[[phones]]\nname = "x"\ndevice = "{device}"\n')
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    text = "\n".join(caught.value.lines())
    assert "phones[3].device:" in text and says in text, text


def test_soft_client_device_names_are_accepted(tmp_path: Path) -> None:
    extra = '\n[[phones]]\ndevice = "CSFJDOE"\n\n[[phones]]\ndevice = "BOT_J.DOE-2"\n'
    config = load_config(config_at(tmp_path, extra))
    assert [p.device for p in config.phones][-2:] == ["CSFJDOE", "BOT_J.DOE-2"]


def test_two_phones_with_one_device_is_an_error(tmp_path: Path) -> None:
    path = config_at(tmp_path, '\n[[phones]]\nname = "again"\ndevice = "SEP00AA00AA00AA"\n')
    with pytest.raises(ConfigError, match=r"phones\[3\]\.device: SEP00AA00AA00AA is already used by phones\[1\]"):
        load_config(path)


def test_a_scan_keeps_its_port_the_csv_tags_and_the_model_as_written(tmp_path: Path) -> None:
    config = load_config(config_at(tmp_path))
    from_csv = [Found("SEP000000000001", model="8845", device_pool="DP-Lobby", source="bat.csv:2")]
    first = plan(config, [], from_csv, {"bat.csv"}, set(), "t1")
    scanned = [Found("SEP000000000001", "127.77.0.1", port=40305, model="CP-8845", source="scan 127.77.0.0/28")]
    second = plan(config, first.entries, scanned, {"scan 127.77.0.0/28"}, set(), "t2")
    (entry,) = second.entries
    assert (entry["host"], entry["port"], entry["model"]) == ("127.77.0.1", 40305, "8845")
    assert sorted(entry["tags"]) == ["dp-lobby", "modern"]
    assert second.changed == {"SEP000000000001": ["host - -> 127.77.0.1", "port - -> 40305"]}
    write_discovered(config, second.entries)
    phone = next(p for p in load_config(tmp_path / "phones.toml").phones if p.name == "SEP000000000001")
    assert phone.address == "127.77.0.1:40305"


def test_asking_cucm_for_one_device_leaves_the_others(tmp_path: Path) -> None:
    config = load_config(config_at(tmp_path))
    existing = [
        {"name": "SEP1", "device": "SEP1", "host": "10.0.0.1", "source": "cucm cm-pub"},
        {"name": "SEP2", "device": "SEP2", "host": "10.0.0.2", "source": "cucm cm-pub"},
    ]
    result = plan(config, existing, [Found("SEP1", "10.0.0.9", source="cucm cm-pub")], {"cucm"}, set(), "t", {"SEP1"})
    assert result.gone == [] and [e["name"] for e in result.entries] == ["SEP1", "SEP2"]


def test_a_found_phone_at_the_address_of_a_phone_named_by_device_is_left_out(tmp_path: Path) -> None:
    """A CSV row for an address CUCM gave to a config phone: one phone, pushed once, and said."""
    config = load_config(config_at(tmp_path))
    found = [
        Found("lobby-1", "10.0.0.7", source="plain.csv:2"),  # listed before the CUCM record
        Found("SEP00AA00AA00AA", "10.0.0.7", "8845", source="cucm cm-pub"),
    ]
    write_discovered(config, plan(config, [], found, {"cucm", "plain.csv"}, set(), "t").entries)
    again = load_config(tmp_path / "phones.toml")
    assert [p.name for p in again.phones if p.host == "10.0.0.7"] == ["desk"]
    assert any("lobby-1 was found at 10.0.0.7:80, which another phone already has" in w for w in again.warnings)
