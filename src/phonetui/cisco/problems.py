"""A problem found in an object: which field, what is wrong, how bad."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one field; errors stop a push, warnings do not."""

    field: str
    message: str
    severity: Severity = "error"

    def __str__(self) -> str:
        prefix = "warning: " if self.severity == "warning" else ""
        return f"{prefix}{self.field}: {self.message}"


def errors(problems: list[Problem]) -> list[Problem]:
    """Only the problems that stop a push."""
    return [p for p in problems if p.severity == "error"]


class ObjectError(ValueError):
    """An object cannot be encoded or parsed; carries every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems))
