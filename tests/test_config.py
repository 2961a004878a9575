"""Reading, checking and writing the TOML config."""

import os
from pathlib import Path

import pytest

from phonetui.cisco import CiscoIPPhoneExecute, CiscoIPPhoneText, ExecuteItem, SoftKeyItem
from phonetui.config import (
    ConfigError,
    ConfigErrors,
    Template,
    host_problem,
    load_config,
    parse_config,
    save_template,
    write_config,
)
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
    config = load_config(path)  # an unset variable is a warning: `check` works before the secret is there
    assert config.defaults.password == "" and config.phones[0].password == "from-file"
    assert config.warnings == [
        f"{path}:2: defaults.password_env: environment variable 'PT_SECRET' is not set: no password from it"
    ]


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
    """write_config is for files phonetui makes itself (simulate --write-config, the demo)."""
    path = tmp_path / "c.toml"
    path.write_text(GOOD)
    write_config(path, {"phones": [{"name": "x", "host": "127.0.0.9"}]})
    assert (tmp_path / "c.toml.bak").read_text() == GOOD
    assert [p.name for p in load_config(path).phones] == ["x"]
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


def all_errors(text: str, path: str = "/etc/p.toml") -> list[str]:
    with pytest.raises(ConfigErrors) as caught:
        parse_config(text, path)
    return caught.value.lines()


def test_every_error_in_the_file_is_reported_at_once() -> None:
    text = """[defaults]
timeout = "slow"
mode = "fast"

[[phones]]
name = "a"
host = "127.0.0.300"

[[phones]]
name = "b"
host = "127.0.0.2"
port = 0
modle = "8845"

[keys]
compse = "k"
"""
    assert all_errors(text) == [
        "/etc/p.toml:2: defaults.timeout: must be a number, not a string",
        "/etc/p.toml:3: defaults.mode: must be one of auto, direct, via-url",
        "/etc/p.toml:7: phones[0].host: '127.0.0.300' is not an IPv4 address: 300 is over 255",
        "/etc/p.toml:12: phones[1].port: 0 is out of range 1-65535",
        "/etc/p.toml:13: phones[1].modle: unknown key; did you mean 'model'?",
        "/etc/p.toml:16: keys.compse: no action has this id; did you mean 'compose'?",
    ]


def test_first_error_is_still_a_config_error() -> None:
    error = located('[defaults]\ntimeout = "x"\nmode = "y"\n')
    assert isinstance(error, ConfigErrors) and len(error.errors) == 2
    assert (error.key, error.line) == ("defaults.timeout", 2)


def test_many_errors_are_cut_after_twenty() -> None:
    phones = "".join(f'[[phones]]\nname = "p{i}"\nhost = "10.0.0.{i}"\nport = {70000 + i}\n' for i in range(25))
    lines = all_errors(phones)
    assert len(lines) == 21 and lines[-1] == "and 5 more errors"


def test_an_invalid_address_is_that_phone_s_error_alone() -> None:
    """check fails on it; a push keeps the phone (to refuse it) and every other phone."""
    config = parse_config('[[phones]]\nname = "a"\nhost = "10.0.0.1"\n[[phones]]\nname = "b"\nhost = "10.0.0.300"\n')
    assert [p.name for p in config.phones] == ["a", "b"]
    assert [e.located() for e in config.phone_errors] == [
        "<config>:6: phones[1].host: '10.0.0.300' is not an IPv4 address: 300 is over 255"
    ]


@pytest.mark.parametrize(
    ("host", "message"),
    [
        ("127.0.0.300", "300 is over 255"),
        ("10.0.1", "needs four numbers"),
        ("10.0..1", "needs four numbers"),
        ("010.0.0.1", "leading zero"),
        ("a..example", "empty label"),
        (".example", "empty label"),
        ("phone one", "space"),
        ("http://10.0.0.1", "no scheme"),
        ("10.0.0.1:8080", "port = 8080"),
        ("[::1]", "without brackets"),
        ("fe80::1::2", "not an IPv6 address"),
        ("-phone.example", "hyphens"),
        ("x" * 64 + ".example", "63 characters"),
        ("", "is empty"),
    ],
)
def test_bad_hosts(host: str, message: str) -> None:
    problem = host_problem(host)
    assert problem is not None and message in problem


@pytest.mark.parametrize(
    "host", ["10.0.0.1", "0.0.0.0", "phone-12.voice.example", "sep001122334455", "::1", "2001:db8::5", "café.example"]
)
def test_good_hosts(host: str) -> None:
    assert host_problem(host) is None


def test_keys_must_be_known_ids_and_strings() -> None:
    assert all_errors('[keys]\ncompose = 3\nsend = ""\n') == [
        '/etc/p.toml:2: keys.compose: must be a key name in a string, e.g. "k" or "f6"',
        '/etc/p.toml:3: keys.send: must be a key name in a string, e.g. "k" or "f6"',
    ]
    assert parse_config('[keys]\ncompose = "k"\n').keys == {"compose": "k"}


def test_templates_are_typed() -> None:
    config = parse_config(
        GOOD
        + """
[[templates]]
name = "drill"
title = "Fire drill"
text = "Now"
softkeys = [{ name = "Exit", url = "SoftKey:Exit", position = 3 }]

[[templates]]
name = "services"
kind = "execute"
items = [{ url = "Key:Services" }, { url = "Key:Settings", priority = 1 }]
""",
        "c.toml",
    )
    drill, services = config.templates
    assert drill == Template("drill", "text", "Fire drill", "", "Now", [SoftKeyItem("Exit", "SoftKey:Exit", "", 3)])
    assert (drill.source, drill.line) == (Path("c.toml"), GOOD.count("\n") + 2)
    assert services.to_object() == CiscoIPPhoneExecute([ExecuteItem("Key:Services", 0), ExecuteItem("Key:Settings", 1)])
    assert config.template("drill") is drill and config.template("none") is None


def test_template_round_trips_through_an_object() -> None:
    obj = CiscoIPPhoneText("T", "P", "x", [SoftKeyItem("Go", "SoftKey:Exit", "SoftKey:Select", 2)])
    template = Template.from_object("t", obj)
    assert template.to_object() == obj
    assert parse_config("", "c.toml") is not None
    text = "".join(f"{k} = {v!r}\n" for k, v in template.to_toml().items() if isinstance(v, str))
    assert parse_config("[[templates]]\n" + text.replace("'", '"')).templates[0].title == "T"


@pytest.mark.parametrize(
    ("entry", "error"),
    [
        ('name = "t"\nitems = ["Key:Services"]', 'templates[0].items: belongs to kind = "execute" templates'),
        ('name = "t"\nkind = "execute"\nitems = ["Key:Services"]', "templates[0].items[0]: must be a table, like"),
        ('name = "t"\ntitle = 5', "templates[0].title: must be a string, not a whole number"),
        ('name = "t"\ntitel = "x"', "templates[0].titel: unknown key; did you mean 'title'?"),
        ('name = "t"\nkind = "menu"', "templates[0].kind: must be text or execute"),
        ('title = "x"', "templates[0].name: is required"),
        ('name = "t"\nsoftkeys = [{ name = "a", colour = "red" }]', "templates[0].softkeys[0].colour: unknown key"),
    ],
)
def test_bad_templates_are_located_errors(entry: str, error: str) -> None:
    [line] = all_errors(f"[[templates]]\n{entry}\n", "c.toml")
    assert line.startswith("c.toml:") and error in line, line


def test_template_protocol_problems_are_warnings() -> None:
    config = parse_config('[[templates]]\nname = "t"\ntitle = "' + "x" * 40 + '"\n', "c.toml")
    assert config.warnings == ["c.toml:1: templates[0]: Title: is 40 characters; the limit is 32"]
    assert len(config.templates) == 1


HAND_WRITTEN = """# My phones. Written by hand; phonetui must keep it byte for byte.
[defaults]
username = "push"   # the CUCM application user
password = "pw"

[[phones]]
name = "lobby"      # by the door
host = "10.1.2.3"

[[templates]]
name = "hello"
text = "Hello"      # kept here, by hand
"""


def test_saving_templates_never_rewrites_the_config(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(HAND_WRITTEN)
    config = load_config(path)
    saved_to = save_template(config, Template("drill", title="Fire drill", text="Now"))
    assert saved_to == tmp_path / "templates.toml"
    save_template(config, Template("open", "execute", items=[ExecuteItem("Key:Services")]))
    assert path.read_text() == HAND_WRITTEN
    assert sorted(p.name for p in tmp_path.iterdir()) == ["config.toml", "templates.toml"]
    assert [t.name for t in config.templates] == ["hello", "drill", "open"]
    again = load_config(path)
    assert [(t.name, t.source) for t in again.templates] == [
        ("hello", path),
        ("drill", tmp_path / "templates.toml"),
        ("open", tmp_path / "templates.toml"),
    ]
    assert again.template("drill") == Template("drill", title="Fire drill", text="Now")
    assert again.template("drill").line == config.template("drill").line


def test_the_apps_file_wins_on_equal_names_and_a_save_replaces(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(HAND_WRITTEN)
    config = load_config(path)
    save_template(config, Template("hello", text="Hello from the app"))
    save_template(config, Template("hello", text="Hello again"))
    again = load_config(path)
    [hello] = again.templates
    assert hello.text == "Hello again" and hello.source == tmp_path / "templates.toml"
    assert path.read_text() == HAND_WRITTEN


def test_templates_file_named_in_the_config(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[defaults]\ntemplates_file = "saved/messages.toml"\n')
    config = load_config(path)
    assert save_template(config, Template("x", text="x")) == tmp_path / "saved" / "messages.toml"
    assert load_config(path).template("x") is not None
    path.write_text('[defaults]\ntemplates_file = "config.toml"\n')
    with pytest.raises(ConfigError, match="must not be the config itself"):
        load_config(path)


def test_bad_entry_in_the_apps_file_is_located_there(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("")
    (tmp_path / "templates.toml").write_text('[[templates]]\nname = "x"\ntext = 3\n')
    with pytest.raises(ConfigErrors) as caught:
        load_config(path)
    assert caught.value.lines() == [
        f"{tmp_path / 'templates.toml'}:3: templates[0].text: must be a string, not a whole number"
    ]


def test_an_unreadable_templates_file_is_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("")
    config = load_config(path)
    (tmp_path / "templates.toml").write_text("not toml [")
    with pytest.raises(ConfigError, match="left as it is"):
        save_template(config, Template("x", text="x"))
    assert (tmp_path / "templates.toml").read_text() == "not toml ["


def test_a_single_bracket_array_of_tables_says_how_to_write_it() -> None:
    assert all_errors('[phones]\nname = "a"\nhost = "127.0.0.2"\n') == [
        "/etc/p.toml:1: phones: must be an array of tables: write [[phones]], not [phones]"
    ]


def test_keys_that_clash_or_name_no_key_are_located_errors() -> None:
    lines = all_errors('[keys]\nhistory = "q"\ncompose = "ctrl+shift+zz"\nsend = "f7"\n', "k.toml")
    assert lines == [
        "k.toml:2: keys.history: 'q' is already the key of 'quit' on the phones screen",
        'k.toml:3: keys.compose: \'ctrl+shift+zz\' is not a key name, e.g. "k", "f6", "ctrl+t", "question_mark"',
    ]


def test_a_config_that_is_not_utf8_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "latin.toml"
    path.write_bytes(b'[defaults]\nusername = "u"\n# caf\xe9\n')
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert caught.value.located() == f"{path}:3: not UTF-8 text (byte 0xe9): save the file as UTF-8"


def test_a_misspelt_array_of_tables_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "t.toml"
    path.write_text('[defaults]\nusername = "u"\n\n[[phone]]\nname = "a"\nhost = "10.0.0.1"\n')
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert f"{path}:4: phone: unknown key; did you mean 'phones'?" in caught.value.lines()


def test_a_key_given_twice_is_named(tmp_path: Path) -> None:
    path = tmp_path / "twice.toml"
    path.write_text('[defaults]\nusername = "u"\nusername = "v"\n')
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert caught.value.located() == f"{path}:3: username: is given twice in its table (TOML allows once)"


def test_cucm_given_as_a_string_is_said_once(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text('cucm = "https://cucm.example.com:8443"\n')
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    lines = caught.value.lines()
    assert len(lines) == 1 and "cucm: must be a table" in lines[0], lines
