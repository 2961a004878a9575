"""Which variables a push knows, and the words for a wrong one: all checked before anything is sent.

A misspelt ``{sitee}`` would otherwise reach every phone as written; it is an error that
names the field, the name, the names known and the closest of them.
"""

from __future__ import annotations

import difflib
import getpass
import re
from collections.abc import Iterable, Mapping

from .cisco import CiscoObject, Problem
from .config import Phone
from .tailor import BUILTIN_VARIABLES, PHONE_VARIABLES, object_variables, variables_in
from .wording import names_phrase

_NAME = re.compile(r"[a-z_][a-z0-9_]*")
#: A sender when none is given and the login name cannot be had (a container without a user).
FALLBACK_SENDER = "phonetui"


def name_problem(name: str) -> str | None:
    """Why ``name`` cannot be a variable of one's own (a template's ``vars``, ``--var``), or None."""
    if not _NAME.fullmatch(name):
        return f"{name!r} is not a variable name: lower-case letters, digits and _, not starting with a digit"
    if name in BUILTIN_VARIABLES:
        where = "each phone" if name in PHONE_VARIABLES else "the push (--sender, [defaults] sender)"
        return f"{{{name}}} is built in (it comes from {where}); choose another name"
    return None


def parse_assignment(text: str) -> tuple[str, str]:
    """``NAME=VALUE`` (``--var``) to its parts; ValueError saying what is wrong."""
    name, equals, value = text.partition("=")
    if not equals:
        raise ValueError(f"--var {text!r}: write NAME=VALUE, e.g. --var site=HQ")
    problem = name_problem(name.strip())
    if problem:
        raise ValueError(f"--var {text!r}: {problem}")
    return name.strip(), value


def known_names(own: Iterable[str]) -> list[str]:
    """Every name a push knows: the built-in ones, then the template's and ``--var`` ones."""
    return list(dict.fromkeys([*BUILTIN_VARIABLES, *own]))


def unknown_message(name: str, known: list[str]) -> str:
    """``unknown variable {sitee}; known: {phone}, …; did you mean {site}?``"""
    close = difflib.get_close_matches(name, known, n=1)
    hint = f"; did you mean {{{close[0]}}}?" if close else "; write {{ for a brace"
    return f"unknown variable {{{name}}}; known: {', '.join('{' + k + '}' for k in known)}{hint}"


def unknown_problems(obj: CiscoObject, known: list[str]) -> list[Problem]:
    """One error per field and unknown name, as the form and ``push`` show them."""
    problems = []
    for field, value in obj.text_fields():
        for name in variables_in(value):
            if name not in known:
                problems.append(Problem(field, unknown_message(name, known)))
    return problems


def default_sender(configured: str = "") -> str:
    """Who sends, when ``--sender`` is not given: ``[defaults] sender``, else the login name."""
    if configured:
        return configured
    try:
        return getpass.getuser() or FALLBACK_SENDER
    except Exception:  # no user name in the environment nor the password database
        return FALLBACK_SENDER


def empty_dn_warning(obj: CiscoObject, phones: list[Phone], shown: int = 3) -> str | None:
    """``dn is empty for 3 phones: sim-0001, …`` when the object uses ``{dn}`` and some phones have none."""
    if "dn" not in object_variables(obj):
        return None
    empty = [p.name for p in phones if not p.dn]
    if not empty:
        return None
    return f"dn is empty for {names_phrase(empty, shown)}: {{dn}} fills in nothing there"


def merged(*layers: Mapping[str, str]) -> dict[str, str]:
    """Values from several places, a later one winning: push values, a template's, ``--var``."""
    values: dict[str, str] = {}
    for layer in layers:
        values.update(layer)
    return values
