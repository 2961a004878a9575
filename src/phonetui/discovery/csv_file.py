"""Phones from a CSV file: CUCM's Bulk Administration export, or a plain ``name,host[:port][,model][,tags]``.

A BAT export carries device names but no addresses (CUCM or a probe supplies those); its
header spelling varies between versions, so columns are matched without regard to case
or spacing, and the columns phonetui does not use are ignored.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import TYPE_CHECKING

from ..config import host_problem, split_host_port
from .records import Found, SourceProblem

if TYPE_CHECKING:
    from _csv import Reader

_BAT_COLUMNS = {
    "devicename": "name",
    "description": "description",
    "devicetype": "model",
    "devicepool": "device_pool",
    "directorynumber1": "dn",
}
_PLAIN_COLUMNS = ("name", "host", "model", "tags")
_TAG_SPLIT = re.compile(r"[;\s|]+")


def _key(header: str) -> str:
    return re.sub(r"[\s_]+", "", header).lower()


def _text(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", "replace")  # Excel's habit on Windows


def read_phones_csv(path: Path | str) -> tuple[list[Found], list[SourceProblem]]:
    """The phones a CSV file lists, and each row it could not use (with its line)."""
    path = Path(path)
    return parse_phones_csv(_text(path.read_bytes()), path.name)


def parse_phones_csv(text: str, where: str = "<csv>") -> tuple[list[Found], list[SourceProblem]]:
    rows = csv.reader(io.StringIO(text))
    header = next(rows, None)
    if header is None:
        return [], [SourceProblem(where, "the file is empty")]
    keys = [_key(cell) for cell in header]
    if "devicename" in keys:
        return _bat(rows, keys, where)
    if keys[:2] == ["name", "host"]:
        return _plain(rows, where)
    return _plain(csv.reader(io.StringIO(text)), where)


def _bat(rows: Reader, keys: list[str], where: str) -> tuple[list[Found], list[SourceProblem]]:
    found: list[Found] = []
    problems: list[SourceProblem] = []
    for row in rows:
        if not any(cell.strip() for cell in row):
            continue
        values = {_BAT_COLUMNS[key]: cell.strip() for key, cell in zip(keys, row, strict=False) if key in _BAT_COLUMNS}
        line = f"{where}:{rows.line_num}"
        if not values.get("name"):
            problems.append(SourceProblem(line, "no Device Name"))
            continue
        model = re.sub(r"^cisco\s+", "", values.get("model", ""), flags=re.IGNORECASE)
        found.append(
            Found(
                name=values["name"],
                model=model,
                dn=values.get("dn", ""),
                description=values.get("description", ""),
                device_pool=values.get("device_pool", ""),
                source=line,
            )
        )
    return found, problems


def _plain(rows: Reader, where: str) -> tuple[list[Found], list[SourceProblem]]:
    found: list[Found] = []
    problems: list[SourceProblem] = []
    for row in rows:
        cells = [cell.strip() for cell in row]
        if not any(cells) or cells[0].startswith("#"):
            continue
        line = f"{where}:{rows.line_num}"
        values = dict(zip(_PLAIN_COLUMNS, cells, strict=False))
        name, host = values.get("name", ""), values.get("host", "")
        if not name or not host:
            problems.append(SourceProblem(line, "expected name,host[:port][,model][,tags]"))
            continue
        try:
            host, port = split_host_port(host, 0)
        except ValueError as exc:
            problems.append(SourceProblem(line, f"host: {exc}"))
            continue
        problem = host_problem(host)
        if problem:
            problems.append(SourceProblem(line, f"host: {problem}"))
            continue
        # Tags may be one cell ("a;b") or, unquoted, the cells after the model ("a,b,c"): all are tags.
        tags = tuple(tag for cell in cells[3:] for tag in _TAG_SPLIT.split(cell) if tag)
        model = values.get("model", "")
        found.append(Found(name=name, host=host, port=port, model=model, tags=tags, source=line))
    return found, problems
