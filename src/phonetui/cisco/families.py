"""Phone families: what a model implies for charset, push size and failed auth."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

AuthFailure = Literal["http-401", "error-4"]


@dataclass(frozen=True)
class Family:
    """Defaults shared by a family of phone models; config may override each."""

    name: str
    size_limit: int
    charset: str
    auth_failure: AuthFailure
    examples: str


LEGACY = Family("legacy", 512, "iso-8859-1", "http-401", "7940, 7960, 7905, 7912")
CLASSIC = Family("classic", 512, "utf-8", "error-4", "7941, 7961, 7970, 7975, 69xx, 89xx, 99xx")
MODERN = Family("modern", 40 * 1024, "utf-8", "error-4", "78xx, 88xx, 98xx")

FAMILIES: dict[str, Family] = {f.name: f for f in (LEGACY, CLASSIC, MODERN)}

_LEGACY_MODELS = {"7902", "7905", "7910", "7912", "7920", "7935", "7940", "7960"}


def model_number(model: str) -> str:
    """The four digits of a model name such as ``CP-7940G`` or ``8845``; '' if none."""
    match = re.search(r"(\d{4})", model)
    return match.group(1) if match else ""


def family_for_model(model: str) -> Family:
    """The family a model belongs to; unknown models get the cautious classic defaults."""
    number = model_number(model)
    if number in _LEGACY_MODELS:
        return LEGACY
    if number[:2] in {"78", "88", "98"}:
        return MODERN
    return CLASSIC
