"""Reading, checking and writing the TOML config."""

import os
from pathlib import Path

import pytest

from phonetui.config import ConfigError, load_config, parse_config, save_templates, write_config
from phonetui.paths import find_config_path

GOOD = """
[defaults]
username = "push"
password = "secret"
timeout = 5

[service]
listen = "127.0.0.1:9000"
url = "http://127.0.0.1:9000"
allowed_devices = ["SEP001122334455"]

[[phones]]
name = "lobby"
host = "127.0.0.2"
model = "CP-7940G"
tags = ["lobby"]

[[phones]]
name = "desk"
host = "127.0.0.3"
port = 8080
model = "8845"
password = "other"
size_limit = 1024
"""


def test_reads_phones_with_defaults_applied() -> None:
    config = parse_config(GOOD, "c.toml")
    lobby, desk = config.phones
    assert (lobby.family.name, lobby.charset, lobby.size_limit, lobby.port) == ("legacy", "iso-8859-1", 512, 80)
    assert (lobby.username, lobby.password) == ("push", "secret")
    assert (desk.family.name, desk.size_limit, desk.password) == ("modern", 1024, "other")
    assert desk.execute_url == "http://127.0.0.3:8080/CGI/Execute"
    assert config.defaults.timeout == 5.0
    assert config.service is not None and config.service.listen_port == 9000
    assert config.service.password == "secret"
    assert config.tags() == ["lobby"]


def located(text: str) -> ConfigError:
    with pytest.raises(ConfigError) as caught:
        parse_config(text, "/etc/p.toml")
    return caught.value


def test_syntax_error_names_file_and_line() -> None:
    error = located('[defaults]\nusername = "a"\ntimeout = = 3\n')
    assert error.line == 3 and str(error).startswith("/etc/p.toml:3:")


def test_wrong_type_names_key_and_line() -> None:
    error = located(GOOD.replace("port = 8080", 'port = "8080"'))
    assert error.key == "phones[1].port"
    assert error.line == GOOD.splitlines().index("port = 8080") + 1
    assert "whole number" in error.message


def test_unknown_key_suggests_close_match() -> None:
    error = located(GOOD.replace('model = "8845"', 'modle = "8845"'))
    assert error.key == "phones[1].modle" and "'model'" in error.message
    assert error.line == GOOD.splitlines().index('model = "8845"') + 1


def test_missing_required_key() -> None:
    error = located('[[phones]]\nname = "x"\n')
    assert error.key == "phones[0].host" and error.line == 1


def test_duplicate_names_and_hosts() -> None:
    twice = GOOD + '\n[[phones]]\nname = "lobby"\nhost = "127.0.0.9"\n'
    assert "already used" in located(twice).message
    same_host = GOOD + '\n[[phones]]\nname = "x"\nhost = "127.0.0.2"\n'
    assert located(same_host).key == "phones[2].host"


def test_bad_values() -> None:
    assert located(GOOD.replace("timeout = 5", "timeout = 0")).key == "defaults.timeout"
    assert located(GOOD.replace('"SEP001122334455"', '"phone1"')).key == "service.allowed_devices"
    assert located(GOOD.replace("size_limit = 1024", 'charset = "koi8-r"')).key == "phones[1].charset"


def test_password_from_env_and_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PT_SECRET", "from-env")
    (tmp_path / "pw").write_text("from-file\n")
    text = '[defaults]\npassword_env = "PT_SECRET"\n[[phones]]\nname = "a"\nhost = "h"\npassword_file = "pw"\n'
    path = tmp_path / "c.toml"
    path.write_text(text)
    config = load_config(path)
    assert config.defaults.password == "from-env" and config.phones[0].password == "from-file"
    monkeypatch.delenv("PT_SECRET")
    with pytest.raises(ConfigError, match="PT_SECRET"):
        load_config(path)


def test_missing_file() -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_config("/nonexistent/x.toml")


def test_world_readable_config_with_password_warns(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text(GOOD)
    os.chmod(path, 0o644)
    assert any("chmod 600" in w for w in load_config(path).warnings)
    os.chmod(path, 0o600)
    assert load_config(path).warnings == []


def test_write_is_atomic_with_backup(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text(GOOD)
    config = load_config(path)
    save_templates(config, [{"name": "drill", "kind": "text", "title": "Fire drill", "text": "Now"}])
    assert (tmp_path / "c.toml.bak").read_text() == GOOD
    again = load_config(path)
    assert again.templates[0]["title"] == "Fire drill"
    assert [p.name for p in again.phones] == ["lobby", "desk"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.toml", "c.toml.bak"]


def test_write_refuses_what_it_could_not_read(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    with pytest.raises(ConfigError):
        write_config(path, {"phones": [{"name": "x"}]})
    assert not path.exists()


def test_discovery_order(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PHONETUI_CONFIG", str(tmp_path / "env.toml"))
    assert find_config_path("cli.toml") == Path("cli.toml")
    assert find_config_path(None) == tmp_path / "env.toml"
    monkeypatch.delenv("PHONETUI_CONFIG")
    assert find_config_path(None).name == "config.toml"


@pytest.mark.parametrize(
    "text",
    [
        '[defaults]\npassword = "hunter2-secret"\ntimeout = "x"\n',
        '[defaults]\npassword = "hunter2-secret"\npasword = "hunter2-secret"\n',
        '[defaults]\npassword = "hunter2-secret"\n[[phones]]\nname = "a"\nhost = "h"\nport = 99999\n',
        '[defaults]\npassword = "hunter2-secret"\n[[phones]]\nname = "a"\nhost = "h"\npassword = 7\n',
        '[defaults]\npassword = "hunter2-secret"\npassword_env = "X"\n',
    ],
)
def test_errors_never_show_a_password(text: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config(text, "p.toml")
    assert "hunter2" not in str(caught.value) and str(caught.value).startswith("p.toml:")


def test_reprs_never_show_a_password() -> None:
    config = parse_config(GOOD, "c.toml")
    text = repr(config.phones) + repr(config.defaults) + repr(config.service)
    assert "secret" not in text and "other" not in text
