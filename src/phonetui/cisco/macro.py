"""Key macros: ``Key:Settings, pause 500ms, Key:KeyPad5`` parsed into steps, with located errors.

A macro is steps separated by commas (or new lines). A step is an internal URI a phone runs
from a ``CiscoIPPhoneExecute`` (``Key:Soft2``, ``Init:Services``, ``Display:Default``, ...;
checked as the form checks them) or a pause: ``pause`` alone is 500 ms (the field's habit),
``pause 750ms``, ``pause 2s``, ``pause 1.5 s``. Names are matched without regard to case
(``key:keypad5`` is ``Key:KeyPad5``). An error says which step (1-based), where it starts in
the text, and what is wrong; every wrong step is reported at once (``problems``), so a person
fixes them all in one go rather than one per try. Pure: no I/O.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from .objects import CiscoIPPhoneExecute, ExecuteItem
from .uris import KEY_NAMES, check_uri

#: ``pause`` alone.
DEFAULT_PAUSE_MS = 500
#: The longest pause a step may ask for.
PAUSE_MAX_MS = 60_000
#: The most steps a macro may hold.
STEPS_MAX = 100

_KEYS_BY_LOWER = {name.lower(): name for name in KEY_NAMES}
_SCHEMES = ("Key", "Init", "Display", "Dial", "SendDigits", "Vibrate", "Play", "App", "Device")
_SCHEMES_BY_LOWER = {name.lower(): name for name in _SCHEMES}
_PAUSE = re.compile(r"(?i)pause(?:\s+(\d+(?:\.\d+)?)\s*(ms|s)?)?")


@dataclass(frozen=True)
class Press:
    """Run one internal URI (``Key:Settings``)."""

    uri: str


@dataclass(frozen=True)
class Pause:
    """Wait ``ms`` milliseconds before the next step."""

    ms: int


Step = Press | Pause


@dataclass(frozen=True)
class MacroError(Exception):
    """What is wrong, at which step (1-based) and where it starts in the text (0-based column).

    ``others``: the further wrong steps, in order; ``str()`` says them all on one line, ``lines()`` one each.
    """

    step: int
    column: int
    text: str
    message: str
    others: tuple[MacroError, ...] = ()

    @property
    def problems(self) -> tuple[MacroError, ...]:
        """This problem and the others."""
        return (self, *self.others)

    def line(self) -> str:
        """This one problem (not the others)."""
        return f"step {self.step} ({self.text!r}, at character {self.column + 1}): {self.message}"

    def lines(self) -> list[str]:
        return [problem.line() for problem in self.problems]

    def __str__(self) -> str:
        return "; ".join(self.lines())


def _closest_key(text: str, cutoff: float) -> str | None:
    """The key name ``text`` is (case aside) or is closest to (a typo: ``Setings``), or None."""
    lower = text.strip().lower()
    close = [lower] if lower in _KEYS_BY_LOWER else difflib.get_close_matches(lower, _KEYS_BY_LOWER, 1, cutoff)
    return _KEYS_BY_LOWER[close[0]] if close else None


def _press(text: str) -> str:
    """The URI of a step that is not a pause, spelled as phones spell it; raises ValueError."""
    scheme, sep, rest = text.partition(":")
    if not sep:
        close = _closest_key(text, 0.8)
        hint = f" (did you mean Key:{close}?)" if close else ""
        raise ValueError(f"expected Key:NAME, Init:..., or pause; got {text!r}{hint}")
    proper = _SCHEMES_BY_LOWER.get(scheme.strip().lower())
    if proper is None:
        raise ValueError(f"unknown URI scheme {scheme!r}: a macro runs {', '.join(_SCHEMES)} URIs")
    rest = rest.strip()
    if proper == "Key":
        name = _KEYS_BY_LOWER.get(rest.lower())
        if name is None and re.search(r"[;\s]", rest):
            raise ValueError(f"no key {rest!r}: separate steps with commas (Key:Settings, pause 500ms, Key:KeyPad5)")
        numbered = re.fullmatch(r"([A-Za-z]+?)(\d+)", rest)
        if name is None and numbered and (first := _KEYS_BY_LOWER.get(f"{numbered.group(1).lower()}1")):
            same = [key for key in KEY_NAMES if re.fullmatch(rf"{first[:-1]}\d+", key)]
            raise ValueError(f"no key {rest!r}: {first[:-1]} keys are {same[0]}-{same[-1]}")
        if name is None:
            close = _closest_key(rest, 0.6)
            guess = f"did you mean Key:{close}?" if close else ""
            examples = "e.g. Soft1-Soft5, KeyPad0-9, KeyPadStar, NavUp, Services, Line1"
            raise ValueError(f"no key {rest!r}: {guess or examples}")
        return f"Key:{name}"
    uri = f"{proper}:{rest}"
    problems = check_uri(uri, "step")
    if problems.problems and problems.problems[0].severity != "warning":
        raise ValueError(problems.problems[0].message)
    return uri


def _pause(match: re.Match[str]) -> int:
    amount, unit = match.group(1), (match.group(2) or "").lower()
    if amount is None:
        return DEFAULT_PAUSE_MS
    if not unit:  # "pause 3": seconds or milliseconds? Say, rather than guess.
        raise ValueError(f"give the pause a unit: 'pause {amount}s' or 'pause {amount}ms'")
    ms = float(amount) * (1000 if unit == "s" else 1)
    if ms > PAUSE_MAX_MS:
        raise ValueError(f"a pause is at most {PAUSE_MAX_MS // 1000} s")
    return round(ms)


def parse_macro(text: str) -> list[Step]:
    """The steps of ``text``; raises MacroError naming every wrong step (the first, then ``others``)."""
    steps: list[Step] = []
    found: list[MacroError] = []
    position = 0
    body = text.rstrip()
    if not body.strip():
        raise MacroError(1, 0, "", "the macro is empty: e.g. Key:Settings, pause 500ms, Key:KeyPad5")
    for number, raw in enumerate(re.split(r"[,\n]", body), 1):
        column = position + len(raw) - len(raw.lstrip())
        position += len(raw) + 1
        part = raw.strip()
        if number > STEPS_MAX:
            found.append(MacroError(number, column, part, f"a macro holds at most {STEPS_MAX} steps"))
            break
        if not part:
            found.append(MacroError(number, column, part, "empty step (two commas in a row, or a comma at the end)"))
            continue
        try:
            match = _PAUSE.fullmatch(part)
            if match is not None:
                steps.append(Pause(_pause(match)))
            elif part.lower().startswith("pause"):
                raise ValueError("a pause is 'pause', 'pause 500ms' or 'pause 2s'")
            else:
                steps.append(Press(_press(part)))
        except ValueError as exc:
            found.append(MacroError(number, column, part, str(exc)))
    if not found and not any(isinstance(step, Press) for step in steps):
        found.append(MacroError(1, 0, text.strip()[:40], "a macro needs at least one Key: (or other URI) step"))
    if found:
        raise MacroError(found[0].step, found[0].column, found[0].text, found[0].message, tuple(found[1:]))
    return steps


def macro_text(steps: list[Step]) -> str:
    """The steps written back, as a macro (``Key:Settings, pause 500ms``)."""
    return ", ".join(step.uri if isinstance(step, Press) else f"pause {step.ms}ms" for step in steps)


def key_object(uri: str) -> CiscoIPPhoneExecute:
    """The object that makes a phone run one step."""
    return CiscoIPPhoneExecute([ExecuteItem(uri)])
