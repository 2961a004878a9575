"""The macro language: steps, pauses, names as phones spell them, and errors that say where."""

from __future__ import annotations

from pathlib import Path

import pytest

from phonetui.cisco.macro import MacroError, Pause, Press, macro_text, parse_macro
from phonetui.config import load_config
from phonetui.config.macros import load_macros, macro_exists, quoted_names, save_macro

from .test_cli import phonetui


def test_keys_and_pauses() -> None:
    steps = parse_macro("Key:Settings, pause 500ms, key:keypad5,pause, pause 2s, Init:Services\nKey:Soft2")
    assert steps == [
        Press("Key:Settings"),
        Pause(500),
        Press("Key:KeyPad5"),
        Pause(500),
        Pause(2000),
        Press("Init:Services"),
        Press("Key:Soft2"),
    ]
    assert macro_text(steps[:3]) == "Key:Settings, pause 500ms, Key:KeyPad5"
    assert parse_macro("Key:NavDwn, pause 1.5 s") == [Press("Key:NavDwn"), Pause(1500)]


@pytest.mark.parametrize(
    ("text", "step", "column", "words"),
    [
        ("Key:Settings,,Key:Soft1", 2, 13, "empty step"),
        ("Key:Settings, Key:Nope", 2, 14, "no key 'Nope'"),
        ("Key:Soft1, pause 5 minutes", 2, 11, "a pause is"),
        ("Settings", 1, 0, "did you mean Key:Settings?"),
        ("Key:Soft1, Key:Setings", 2, 11, "no key 'Setings': did you mean Key:Settings?"),
        ("Setings", 1, 0, "did you mean Key:Settings?"),
        ("Key:Soft1, pause 61s", 2, 11, "at most 60 s"),
        ("Foo:bar", 1, 0, "unknown URI scheme 'Foo'"),
        ("pause 500ms", 1, 0, "at least one Key:"),
        ("", 1, 0, "the macro is empty"),
        ("Key:Soft1,", 2, 10, "empty step"),
    ],
)
def test_errors_say_which_step_and_where(text: str, step: int, column: int, words: str) -> None:
    with pytest.raises(MacroError) as caught:
        parse_macro(text)
    assert (caught.value.step, caught.value.column) == (step, column)
    assert words in str(caught.value)


def test_macros_are_saved_beside_templates_and_the_config_still_loads(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[[phones]]\nname = "a"\nhost = "127.0.0.1"\n')
    config = load_config(path)
    save_macro(config, "itl", "Key:Applications, Key:KeyPad5, Key:KeyPad4, Key:KeyPad4, Key:Soft2")
    save_macro(config, "menu", "Key:Settings")
    save_macro(config, "menu", "Key:Services, pause")
    macros, problems = load_macros(load_config(path))
    assert macros == {"itl": "Key:Applications, Key:KeyPad5, Key:KeyPad4, Key:KeyPad4, Key:Soft2",
                      "menu": "Key:Services, pause"}  # fmt: skip
    assert problems == []
    with pytest.raises(MacroError):
        save_macro(config, "bad", "Key:Nope")
    assert "config.toml" not in {p.name for p in tmp_path.iterdir() if p.name.endswith(".bak")}


def test_macro_names_are_checked_when_saved(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[[phones]]\nname = "a"\nhost = "127.0.0.1"\n')
    config = load_config(path)
    for bad in ("", "  ", "a\x1bb", "x" * 41, "menu: two", " lead"):
        with pytest.raises(ValueError, match="name"):
            save_macro(config, bad, "Key:Settings")
    save_macro(config, "a,b", "Key:Settings")
    save_macro(config, "x" * 40, "Key:Services")
    assert macro_exists(config, "a,b") and not macro_exists(config, "a")
    text = config.templates_file.read_text()
    assert text.count("[[macros]]") == 2 and "macros = [" not in text  # tables, as the README says
    macros, _ = load_macros(load_config(path))
    assert set(macros) == {"a,b", "x" * 40}
    assert quoted_names(sorted(macros)) == "'a,b', '" + "x" * 40 + "'"


def test_check_reports_bad_and_duplicate_macros_located(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[[phones]]\nname = "a"\nhost = "127.0.0.1"\n')
    (tmp_path / "templates.toml").write_text(
        '[[macros]]\nname = "menu"\nsteps = "Key:Settings"\n\n'
        '[[macros]]\nname = "menu"\nsteps = "Key:Services"\n\n'
        '[[macros]]\nname = "typo"\nsteps = "Key:Setings"\n\n'
        '[[macros]]\nname = "bad\\u0007name"\nsteps = "Key:Soft1"\n'
    )
    warnings = load_config(path).warnings
    templates = tmp_path / "templates.toml"
    assert f"{templates}:6: macros[1].name: a second macro named 'menu' (line 2): the last one is used" in warnings
    assert any(
        w.startswith(f"{templates}:11: macros[2].steps: not a macro:") and "Key:Settings?" in w for w in warnings
    )
    assert f"{templates}:14: macros[3].name: a macro's name holds no control characters" in warnings
    done = phonetui("check", "--config", str(path))
    assert done.returncode == 0
    assert "macros[2].steps" in done.stderr and "a second macro named 'menu'" in done.stderr
    assert f"  macros: 1 saved in {templates}, 2 not read" in done.stdout  # menu (twice: the last), typo, bad


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("Key:Settings, pause 3, Key:KeyPad5", "give the pause a unit: 'pause 3s' or 'pause 3ms'"),
        ("Key:Line0", "Line keys are Line1-Line36"),
        ("Key:Soft9", "Soft keys are Soft1-Soft5"),
        ("key:settings; key:keypad5", "separate steps with commas"),
        ("Key:Settings pause 500ms", "separate steps with commas"),
    ],
)
def test_the_usual_slips_are_said_plainly(text: str, said: str) -> None:
    with pytest.raises(MacroError) as caught:
        parse_macro(text)
    assert said in caught.value.message


def test_every_wrong_step_is_reported_not_only_the_first() -> None:
    with pytest.raises(MacroError) as caught:
        parse_macro("Key:Setings, pause 90s, Key:Soft1,, Foo:bar")
    lines = caught.value.lines()
    assert [problem.step for problem in caught.value.problems] == [1, 2, 4, 5]
    assert "did you mean Key:Settings?" in lines[0] and "at most 60 s" in lines[1]
    assert "empty step" in lines[2] and "unknown URI scheme 'Foo'" in lines[3]
    assert str(caught.value) == "; ".join(lines)
