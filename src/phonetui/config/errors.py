"""Config errors, located: ``file:line: key: message``; one or all of a file's problems."""

from __future__ import annotations

from pathlib import Path

#: How many errors a ConfigErrors shows before "and N more".
ERRORS_SHOWN = 20


class ConfigError(Exception):
    """A config problem, located: ``file:line: key: message``."""

    def __init__(self, path: Path | str, key: str, message: str, line: int | None = None) -> None:
        self.path, self.key, self.message, self.line = Path(path), key, message, line
        super().__init__(self.located())

    def located(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else f"{self.path}"
        return f"{where}: {self.key}: {self.message}" if self.key else f"{where}: {self.message}"

    def lines(self) -> list[str]:
        """What to print, one problem a line."""
        return [self.located()]


class ConfigErrors(ConfigError):
    """Every problem found in a config. Its own fields are those of the first problem,
    so code that wants one error (``except ConfigError``) still reads one."""

    def __init__(self, errors: list[ConfigError]) -> None:
        if not errors:
            raise ValueError("ConfigErrors needs at least one error")
        self.errors = list(errors)
        first = errors[0]
        super().__init__(first.path, first.key, first.message, first.line)

    def lines(self) -> list[str]:
        shown = [error.located() for error in self.errors[:ERRORS_SHOWN]]
        hidden = len(self.errors) - ERRORS_SHOWN
        if hidden > 0:
            shown.append(f"and {hidden} more error{'s' * (hidden != 1)}")
        return shown

    def __str__(self) -> str:
        return "\n".join(self.lines())
