"""The macro language: steps, pauses, names as phones spell them, and errors that say where."""

from __future__ import annotations

from pathlib import Path

import pytest

from phonetui.cisco.macro import MacroError, Pause, Press, macro_text, parse_macro
from phonetui.config import load_config
from phonetui.config.macros import load_macros, save_macro


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
