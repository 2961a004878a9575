"""Key macros kept beside the templates: ``[[macros]]`` (``name``, ``steps``) in the app's templates file.

Saved like a template (atomically, never into the config itself, replacing one of the same
name); read back tolerantly: a macro whose steps no longer parse is reported by name, the
others are kept.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import tomli_w

from ..cisco.macro import MacroError, parse_macro
from .errors import ConfigError
from .load import _same_file
from .model import Config
from .write import _TEMPLATES_HEADER, _write_atomic


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
        try:
            parse_macro(steps)
        except MacroError as exc:
            problems.append(f"macros[{index}] {name!r}: {exc}")
            continue
        macros[name] = steps
    return macros, problems


def save_macro(config: Config, name: str, steps: str) -> Path:
    """Save the macro ``steps`` as ``name`` (replacing one of that name); return the file written.

    MacroError if ``steps`` is no macro; ConfigError if the file cannot be read or is the config;
    OSError if it cannot be written.
    """
    parse_macro(steps)
    path = config.templates_file
    if _same_file(path, config.path):
        raise ConfigError(path, "", "the templates file is the config itself; phonetui never rewrites it")
    existing = _read(path)
    raw = existing.get("macros", [])
    kept = [m for m in (raw if isinstance(raw, list) else []) if not (isinstance(m, dict) and m.get("name") == name)]
    text = _TEMPLATES_HEADER + tomli_w.dumps({**existing, "macros": [*kept, {"name": name, "steps": steps}]})
    tomllib.loads(text)  # never write what we could not read back
    _write_atomic(path, text, backup=False)
    return path
