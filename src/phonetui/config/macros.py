"""Key macros kept beside the templates: ``[[macros]]`` tables (``name``, ``steps``) in the app's templates file.

Saved like a template (atomically, never into the config itself, replacing one of the same
name); read back tolerantly: a macro whose name or steps are not right is reported by name,
the others are kept. ``check_macros`` reports the same, located, when the config is loaded.

A name is 1 to ``NAME_MAX`` characters, no control characters and no ``:`` (``save NAME: steps``
ends the name at the first colon, and a text with a colon is read as steps); commas are
allowed, so lists of names quote each one (``'a,b'``).
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import TYPE_CHECKING, Any

import tomli_w

from ..cisco.macro import MacroError, parse_macro
from ..printable import printable
from .errors import ConfigError
from .model import Config

if TYPE_CHECKING:
    from .reader import _Reader

#: The longest name a macro may have.
NAME_MAX = 40
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def name_problem(name: object) -> str | None:
    """Why ``name`` cannot name a macro, or None."""
    if not isinstance(name, str) or not name.strip():
        return "a macro needs a name"
    if _CONTROL.search(name):
        return "a macro's name holds no control characters"
    if ":" in name:
        return "a macro's name holds no ':' (a text with a colon is read as steps)"
    if len(name) > NAME_MAX:
        return f"a macro's name is at most {NAME_MAX} characters (this one has {len(name)})"
    if name != name.strip():
        return "a macro's name does not start or end with a space"
    return None


def quoted_names(names: list[str]) -> str:
    """``'a', 'b,c'``: each name quoted (names may hold commas), drawn as it is."""
    return ", ".join(repr(printable(name, NAME_MAX + 1)) for name in names)


def _read(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(path, "", f"cannot read the templates file, so it is left as it is: {exc}") from None


def load_macros(config: Config) -> tuple[dict[str, str], list[str]]:
    """The saved macros by name (their text), and one line for each that is not a macro."""
    raw = _read(config.templates_file).get("macros", [])
    macros: dict[str, str] = {}
    problems: list[str] = []
    for index, entry in enumerate(raw if isinstance(raw, list) else []):
        name, steps = (entry.get("name"), entry.get("steps")) if isinstance(entry, dict) else (None, None)
        if not isinstance(name, str) or not name.strip() or not isinstance(steps, str):
            problems.append(f"macros[{index}]: needs a name and steps, both strings")
            continue
        problem = name_problem(name)
        if problem:
            problems.append(f"macros[{index}] {printable(name, NAME_MAX + 1)!r}: {problem}")
            continue
        try:
            parse_macro(steps)
        except MacroError as exc:
            problems.append(f"macros[{index}] {name!r}: {exc}")
            continue
        macros[name] = steps
    return macros, problems


def unknown_macro(config: Config, name: str, macros: dict[str, str], problems: list[str]) -> str:
    """What to say when no saved macro is called ``name``: why it was not read, or the names there are."""
    mine = [problem for problem in problems if f"{name!r}:" in problem]
    if mine:
        return f"the saved macro {printable(name, 60)!r} in {config.templates_file} was not read: {mine[0]}"
    known = quoted_names(sorted(macros)) or "none saved yet"
    broken = f"; not read: {'; '.join(problems)}" if problems else ""
    return f"no macro named {printable(name, 60)!r} in {config.templates_file} ({known}){broken}"


def check_macros(top: _Reader) -> None:
    """Each ``[[macros]]`` table of the templates file: a bad name or steps, a name used twice (warnings, located)."""
    seen: dict[str, int | None] = {}
    for _, macro in top.tables("macros", "[[macros]] with name and steps"):
        name, steps = macro.table.get("name"), macro.table.get("steps")
        for key in sorted(set(macro.table) - {"name", "steps"}):
            macro.warn(key, "unknown key (a macro has name and steps)")
        problem = name_problem(name)
        if problem:
            macro.warn("name", problem)
        elif isinstance(name, str) and name in seen:
            first = seen[name]
            where = f" (line {first})" if first else ""
            macro.warn("name", f"a second macro named {name!r}{where}: the last one is used")
        if isinstance(name, str) and name not in seen:
            seen[name] = macro.line("name")
        if not isinstance(steps, str):
            macro.warn("steps" if "steps" in macro.table else None, "a macro needs its steps, as a string")
            continue
        try:
            parse_macro(steps)
        except MacroError as exc:
            macro.warn("steps", f"not a macro: {exc}")


def _dumps(data: dict[str, Any]) -> str:
    """``data`` as TOML, its macros as ``[[macros]]`` tables (tomli_w writes short ones inline)."""
    macros = data.get("macros")
    rest = {key: value for key, value in data.items() if key != "macros"}
    if not isinstance(macros, list) or not all(isinstance(m, dict) for m in macros):
        return tomli_w.dumps(data)
    text = tomli_w.dumps(rest) + "".join(f"\n[[macros]]\n{tomli_w.dumps(m)}" for m in macros)
    try:
        if tomllib.loads(text) == data:
            return text
    except tomllib.TOMLDecodeError:
        pass
    return tomli_w.dumps(data)  # an entry tomli_w cannot write as a table of its own


def macro_exists(config: Config, name: str) -> bool:
    """A macro called ``name`` is saved already (whether its steps still parse or not)."""
    raw = _read(config.templates_file).get("macros", [])
    return any(isinstance(m, dict) and m.get("name") == name for m in (raw if isinstance(raw, list) else []))


def save_macro(config: Config, name: str, steps: str) -> Path:
    """Save the macro ``steps`` as ``name`` (replacing one of that name); return the file written.

    ValueError for a bad name; MacroError if ``steps`` is no macro; ConfigError if the file
    cannot be read or is the config; OSError if it cannot be written.
    """
    from .load import _same_file
    from .write import _TEMPLATES_HEADER, _write_atomic

    problem = name_problem(name)
    if problem:
        raise ValueError(problem)
    parse_macro(steps)
    path = config.templates_file
    if _same_file(path, config.path):
        raise ConfigError(path, "", "the templates file is the config itself; phonetui never rewrites it")
    existing = _read(path)
    raw = existing.get("macros", [])
    kept = [m for m in (raw if isinstance(raw, list) else []) if not (isinstance(m, dict) and m.get("name") == name)]
    text = _TEMPLATES_HEADER + _dumps({**existing, "macros": [*kept, {"name": name, "steps": steps}]})
    tomllib.loads(text)  # never write what we could not read back
    _write_atomic(path, text, backup=False)
    return path
