"""Check an object against the protocol's limits, reporting every problem at once."""

from __future__ import annotations

from . import limits
from .encode import character_problems, encode
from .objects import CiscoIPPhoneExecute, CiscoIPPhoneText, CiscoObject
from .problems import Problem
from .uris import check_uri


def length_problem(field_name: str, value: str, maximum: int) -> Problem | None:
    """A problem naming the field and the limit if ``value`` is longer than ``maximum``."""
    if len(value) <= maximum:
        return None
    return Problem(field_name, f"is {len(value)} characters; the limit is {maximum}")


def _text_problems(obj: CiscoIPPhoneText) -> list[Problem]:
    found = [
        length_problem("Title", obj.title, limits.TITLE_MAX),
        length_problem("Prompt", obj.prompt, limits.PROMPT_MAX),
        length_problem("Text", obj.text, limits.TEXT_MAX),
    ]
    problems = [p for p in found if p]
    if not (obj.title.strip() or obj.prompt.strip() or obj.text.strip() or obj.softkeys):
        problems.append(Problem("CiscoIPPhoneText", "the Text is empty: nothing would show"))
    if len(obj.softkeys) > limits.SOFTKEY_MAX_COUNT:
        message = f"{len(obj.softkeys)} softkeys; the limit is {limits.SOFTKEY_MAX_COUNT}"
        problems.append(Problem("SoftKeyItem", message))
    positions: dict[int, int] = {}
    for i, key in enumerate(obj.softkeys, 1):
        prefix = f"SoftKeyItem[{i}]"
        for problem in (
            length_problem(f"{prefix}.Name", key.name, limits.SOFTKEY_NAME_MAX),
            length_problem(f"{prefix}.URL", key.url, limits.URL_MAX),
            length_problem(f"{prefix}.URLDown", key.url_down, limits.URL_MAX),
        ):
            if problem:
                problems.append(problem)
        if not key.name:
            problems.append(Problem(f"{prefix}.Name", "is empty; a softkey needs a label"))
        low, high = limits.SOFTKEY_POSITION_MIN, limits.SOFTKEY_POSITION_MAX
        if not low <= key.position <= high:
            problems.append(Problem(f"{prefix}.Position", f"is {key.position}; must be {low}-{high}"))
        elif key.position in positions:
            message = f"position {key.position} is also used by SoftKeyItem[{positions[key.position]}]"
            problems.append(Problem(f"{prefix}.Position", message))
        positions.setdefault(key.position, i)
        if key.url:
            problems += check_uri(key.url, f"{prefix}.URL", "softkey").problems
        if key.url_down:
            problems += check_uri(key.url_down, f"{prefix}.URLDown", "softkey-down").problems
    return problems


def _execute_problems(obj: CiscoIPPhoneExecute) -> list[Problem]:
    problems = []
    count = len(obj.items)
    if not limits.EXECUTE_ITEMS_MIN <= count <= limits.EXECUTE_ITEMS_MAX:
        bounds = f"{limits.EXECUTE_ITEMS_MIN}-{limits.EXECUTE_ITEMS_MAX}"
        problems.append(Problem("ExecuteItem", f"{count} items; an Execute takes {bounds}"))
    http_items = 0
    for i, item in enumerate(obj.items, 1):
        name = f"ExecuteItem[{i}]"
        if not item.url:
            problems.append(Problem(f"{name}.URL", "is empty"))
            continue
        too_long = length_problem(f"{name}.URL", item.url, limits.URL_MAX)
        if too_long:
            problems.append(too_long)
        check = check_uri(item.url, f"{name}.URL", "execute")
        problems += check.problems
        http_items += check.is_http
        if item.priority not in limits.PRIORITIES:
            allowed = ", ".join(map(str, limits.PRIORITIES))
            problems.append(Problem(f"{name}.Priority", f"is {item.priority}; must be {allowed}"))
    if http_items > limits.EXECUTE_HTTP_URLS_MAX:
        message = f"{http_items} HTTP URLs; an Execute takes at most {limits.EXECUTE_HTTP_URLS_MAX}"
        problems.append(Problem("ExecuteItem", message))
    return problems


def structure_problems(obj: CiscoObject) -> list[Problem]:
    """Limits and URIs alone, whatever the charset: a tailored plan checks characters apart."""
    return _text_problems(obj) if isinstance(obj, CiscoIPPhoneText) else _execute_problems(obj)


def validate(obj: CiscoObject, charset: str = "utf-8", size_limit: int | None = None) -> list[Problem]:
    """Every problem with ``obj``: limits, URIs, characters, and size against ``size_limit``."""
    problems = structure_problems(obj)
    chars = character_problems(obj, charset)
    problems += chars
    if size_limit is not None and not chars:
        size = len(encode(obj, charset))
        if size > size_limit:
            message = f"encoded object is {size} bytes; the phone's push limit is {size_limit}"
            problems.append(Problem("object", message))
    return problems
