"""Typed, located access to parsed TOML: every mistake is recorded with its line, and reading goes on.

``tomllib`` gives values without lines, so ``_Locator`` finds each key's line in the source
text; ``_Reader`` checks types and keys and records problems, so one run reports them all.
"""

from __future__ import annotations

import difflib
import math
import os
import re
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .errors import ConfigError, ConfigErrors


class _Locator:
    """Finds the line of a key in TOML source, by table path and array index."""

    _HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
    _KEY = re.compile(r"""^\s*("[^"]*"|'[^']*'|[A-Za-z0-9_-]+)\s*=""")

    def __init__(self, text: str) -> None:
        self.lines: dict[tuple[str, ...], int] = {}
        counts: dict[str, int] = {}
        table: tuple[str, ...] = ()
        for number, line in enumerate(text.splitlines(), 1):
            header = self._HEADER.match(line)
            if header:
                name = header.group(2).strip()
                if header.group(1) == "[[":
                    index = counts.get(name, -1) + 1
                    counts[name] = index
                    table = (*name.split("."), str(index))
                    self.lines.setdefault(table[:-1], number)  # the array itself: its first element's line
                else:
                    table = tuple(name.split("."))
                self.lines.setdefault(table, number)
                continue
            key = self._KEY.match(line)
            if key:
                self.lines.setdefault((*table, key.group(1).strip("\"'")), number)

    def line(self, *path: str | int) -> int | None:
        parts = tuple(str(p) for p in path)
        while parts:
            if parts in self.lines:
                return self.lines[parts]
            parts = parts[:-1]
        return None


class _Problems:
    """What checking one config (and its templates file) found: errors and warnings."""

    def __init__(self) -> None:
        self.errors: list[ConfigError] = []
        self.warnings: list[str] = []
        #: Wrong for one phone only (its address): ``check`` fails, a push refuses that phone alone.
        self.phone_errors: list[ConfigError] = []

    def raise_if_any(self) -> None:
        """ConfigErrors, each file's errors in the order of their lines, if anything was wrong."""
        if self.errors:
            every = self.errors + self.phone_errors  # all of them, one a line
            files = list(dict.fromkeys(error.path for error in every))
            raise ConfigErrors(sorted(every, key=lambda e: (files.index(e.path), e.line or 0)))


class _Reader:
    """Typed access to one TOML table; every problem is recorded, located, and reading goes on."""

    def __init__(
        self,
        path: Path,
        locator: _Locator,
        table: dict[str, Any],
        where: tuple[str | int, ...],
        problems: _Problems,
    ) -> None:
        self.path, self.locator, self.table, self.where, self.problems = path, locator, table, where, problems

    def child(self, table: dict[str, Any], *where: str | int) -> _Reader:
        return _Reader(self.path, self.locator, table, (*self.where, *where), self.problems)

    def name(self, key: str | int | None = None) -> str:
        out = ""
        for part in (*self.where, key) if key is not None else self.where:
            out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
        return out

    def line(self, key: str | int | None = None) -> int | None:
        return self.locator.line(*self.where, key) if key is not None else self.locator.line(*self.where)

    def error(self, key: str | int | None, message: str) -> ConfigError:
        return ConfigError(self.path, self.name(key), message, self.line(key))

    def fail(self, key: str | int | None, message: str) -> None:
        """Record an error at ``key`` (the table itself when None)."""
        self.problems.errors.append(self.error(key, message))

    def fail_phone(self, key: str | int | None, message: str) -> None:
        """Record an error that concerns this phone (or template) alone: it is kept, and refused when pushed."""
        self.problems.phone_errors.append(self.error(key, message))

    def warn(self, key: str | int | None, message: str) -> None:
        self.problems.warnings.append(self.error(key, message).located())

    def check_keys(self, allowed: set[str], elsewhere: dict[str, str] | None = None) -> None:
        """Unknown keys are errors, with a suggestion; ``elsewhere`` says where a misplaced key belongs."""
        for key in self.table:
            if key in allowed:
                continue
            if elsewhere and key in elsewhere:
                self.fail(key, elsewhere[key])
                continue
            close = difflib.get_close_matches(key, sorted(allowed), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            self.fail(key, f"unknown key{hint}")

    def get(self, key: str, kind: type | tuple[type, ...], default: Any = None, required: bool = False) -> Any:
        """The value at ``key`` if it has the right type; else the error is recorded and ``default`` returned."""
        if key not in self.table:
            if required:
                self.problems.errors.append(ConfigError(self.path, self.name(key), "is required", self.line()))
            return default
        value = self.table[key]
        kinds = kind if isinstance(kind, tuple) else (kind,)
        if float in kinds and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, kinds) or (isinstance(value, bool) and bool not in kinds):
            names = " or ".join(_TYPE_NAMES.get(k, k.__name__) for k in kinds)
            self.fail(key, f"must be {names}, not {_TYPE_NAMES.get(type(value), type(value).__name__)}")
            return default
        return value

    def string_list(self, key: str) -> tuple[str, ...]:
        values = self.get(key, list, [])
        if not all(isinstance(v, str) for v in values):
            self.fail(key, "must be a list of strings")
            return ()
        return tuple(values)

    def positive(self, key: str, kind: type, default: Any) -> Any:
        value = self.get(key, kind, default)
        if not math.isfinite(value) or value <= 0:
            self.fail(key, "must be a number greater than 0" if kind is float else "must be greater than 0")
            return default
        return value

    def tables(self, key: str, example: str = "") -> Iterator[tuple[int, _Reader]]:
        """Each table of the array at ``key``; anything else in it is an error."""
        message = f"must be a table, like {example}" if example else "must be a table"
        if isinstance(self.table.get(key), dict) and not self.where:
            self.fail(key, f"must be an array of tables: write [[{key}]], not [{key}]")
            return
        for index, item in enumerate(self.get(key, list, [])):
            if isinstance(item, dict):
                yield index, self.child(item, key, index)
            else:
                self.problems.errors.append(
                    ConfigError(self.path, f"{self.name(key)}[{index}]", message, self.line(key))
                )

    def password(self, default: str = "") -> str:
        sources = [k for k in ("password", "password_env", "password_file") if k in self.table]
        if len(sources) > 1:
            self.fail(sources[1], f"give only one of {', '.join(sources)}")
            return default
        if not sources:
            return default
        source = sources[0]
        value = self.get(source, str)
        if value is None:
            return default
        if source == "password":
            return str(value)
        if source == "password_env":
            if value not in os.environ:
                self.warn(source, f"environment variable {value!r} is not set: no password from it")
                return ""
            return os.environ[value]
        file = (self.path.parent / str(value)).expanduser()
        try:
            return file.read_text(encoding="utf-8").rstrip("\r\n")
        except (OSError, UnicodeDecodeError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
            self.fail(source, f"cannot read {file}: {reason}")
            return default


_TYPE_NAMES = {str: "a string", int: "a whole number", float: "a number", bool: "true or false", list: "a list"}
_TYPE_NAMES[dict] = "a table"


def _syntax_error(exc: tomllib.TOMLDecodeError, path: Path, text: str = "") -> ConfigError:
    """tomllib's complaint, located; a key given twice is named (tomllib says only "Cannot overwrite a value")."""
    match = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
    line = int(match.group(1)) if match else None
    message = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
    rows = text.splitlines()
    if message.endswith("(at end of document)"):  # an unclosed string or list: it began above, but this is where
        message = message.removesuffix("(at end of document)").rstrip() + " at the end of the file"
        line = len(rows) or None  # the last line, for whoever opens the file
    if message.startswith("Cannot overwrite a value") and line and line <= len(rows):
        key = _Locator._KEY.match(rows[line - 1])
        if key:
            return ConfigError(path, key.group(1).strip("\"'"), "is given twice in its table (TOML allows once)", line)
    return ConfigError(path, "", f"TOML syntax: {message}", line)


def read_app_file(path: Path, what: str, problems: _Problems) -> tuple[str, dict[str, Any]] | None:
    """The text and TOML of a file the app keeps beside the config; None (the problem recorded) if unreadable.

    A file that is not there is simply empty: the app has not written it yet.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        problems.errors.append(ConfigError(path, "", f"cannot read {what}: {exc}"))
        return None
    try:
        return text, tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        problems.errors.append(_syntax_error(exc, path, text))
        return None
