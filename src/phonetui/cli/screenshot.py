"""``phonetui screenshot``: fetch each chosen phone's screen and write it to a file, a line per phone."""

from __future__ import annotations

import argparse
import dataclasses
import json
import re
import sys
from pathlib import Path

from ..output import outcome_summary
from ..printable import fit, printable
from ..screenshot import DEFAULT_CONCURRENCY, Shot, decode_image, fetch_screenshots
from .common import EXIT_FAILED, EXIT_OK, UsageError, read_config, run_to_exit
from .first_contacts import FirstContacts
from .push import chosen_credentials, select_phones

COLUMNS = (("PHONE", 16), ("ADDRESS", 21), ("OUTCOME", 13), ("LATENCY", 8))
#: The files ``--out`` may name, by suffix: the format each is written in.
FILE_FORMATS = {".png": "PNG", ".bmp": "BMP"}
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def file_stem(name: str) -> str:
    """A file name made from a phone's name: letters, digits, ``.``, ``_`` and ``-`` only, never hidden."""
    stem = _UNSAFE.sub("_", name).strip("._")[:100]
    return stem or "phone"


def out_file(out: str, png: bool) -> Path | None:
    """The one file ``--out`` names (its format follows its suffix), or None for a folder; UsageError if neither.

    A name with another suffix (``shot.jpg``) is an error, unless it is a folder already or ends
    with ``/`` (a new folder with a dot in its name).
    """
    path = Path(out)
    suffix = path.suffix.lower()
    if path.is_dir() or out.endswith(("/", "\\")) or not suffix:
        return None
    if suffix not in FILE_FORMATS:
        raise UsageError(
            f"--out {out}: --out is a folder or a .png/.bmp file (end a new folder's name with / if it has a dot)"
        )
    if png and suffix != ".png":
        raise UsageError(f"--png writes PNG, but --out {out} names a {suffix} file: drop --png or name a .png file")
    return path


class Writer:
    """Where each phone's image goes: a file of its own in a folder, or the one file given."""

    def __init__(self, out: str, png: bool, phones: int) -> None:
        path = Path(out)
        self.file = out_file(out, png)
        if self.file is not None and phones != 1:
            raise UsageError(f"--out {out} is a file: it takes one phone's image (give a folder for {phones} phones)")
        self.folder = path.parent if self.file is not None else path
        #: The format every image is converted to ("" keeps each as the phone sent it).
        self.format = FILE_FORMATS[self.file.suffix.lower()] if self.file is not None else "PNG" if png else ""
        self._taken: set[str] = set()
        if self.file is None and path.exists() and not path.is_dir():
            several = (
                "with several phones --out is a folder (or give one phone)" if phones != 1 else "--out is a folder"
            )
            raise UsageError(f"{out} is a file; {several}" + ("" if phones != 1 else " or a .png/.bmp file"))
        #: The folder is made when the first image is written: a run that writes none leaves none behind.
        self._made = self.folder.is_dir()

    def _make_folder(self) -> str:
        """Make the folder (and its parents) once; why not, or ''."""
        if not self._made:
            try:
                self.folder.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                return f"cannot make the folder {self.folder}: {exc.strerror or exc}"
            self._made = True
        return ""

    def target(self, shot: Shot) -> Path:
        if self.file is not None:
            return self.file
        stem = file_stem(shot.phone)
        name, n = stem, 1
        while name in self._taken:  # two names that differ only in unsafe characters
            n += 1
            name = f"{stem}-{n}"
        self._taken.add(name)
        return self.folder / f"{name}.{self.format.lower() or shot.extension or 'img'}"

    def write(self, shot: Shot) -> tuple[str, str]:
        """The file written ('' if none) and why not ('' when written). An existing file is replaced, as
        ``curl -o`` does: screenshots are taken again and again."""
        problem = self._make_folder()
        if problem:
            return "", problem
        path = self.target(shot)
        try:
            if self.format and shot.extension != self.format.lower():
                decode_image(shot.data).save(path, format=self.format)
            else:
                path.write_bytes(shot.data)
        except (OSError, ValueError) as exc:
            return "", f"not written to {path}: {exc}"
        return str(path), ""


def header() -> str:
    return "  ".join([*(fit(name, width) for name, width in COLUMNS), "FILE / DETAIL"]).rstrip()


def row(shot: Shot, file: str) -> str:
    latency = "-" if shot.latency_ms is None else f"{shot.latency_ms} ms"
    values = (shot.phone, shot.host, str(shot.outcome), latency)
    last = file or shot.detail
    if shot.hint:
        last += f" (hint: {shot.hint})"
    cells = [fit(value, width) for value, (_, width) in zip(values, COLUMNS, strict=True)]
    return "  ".join([*cells, printable(last, 400)]).rstrip()


def summary(shots: list[Shot]) -> str:
    """The line ``push`` ends with: ``6 phones: 5 ok, 1 failed (1 unsupported)``."""
    return outcome_summary([str(shot.outcome) for shot in shots])


def screenshot_command(args: argparse.Namespace) -> int:
    """``phonetui screenshot``: exit 0 when every phone's image was written, 1 otherwise."""
    config = read_config(args)
    phones = select_phones(config, args.phone, args.tag, args.all)
    credentials = chosen_credentials(config, phones, args)
    writer = Writer(args.out, args.png, len(phones))
    concurrency = args.concurrency or DEFAULT_CONCURRENCY
    timeout = args.timeout or config.defaults.timeout

    async def run() -> int:
        shots: list[Shot] = []
        failed = 0
        if not args.json:
            print(header(), flush=True)
        pinned = FirstContacts()
        try:
            async for shot in fetch_screenshots(phones, credentials, concurrency=concurrency, timeout=timeout):
                shots.append(shot)
                file, problem = writer.write(shot) if shot.outcome.succeeded else ("", "")
                failed += not file
                shown = dataclasses.replace(shot, detail=problem) if problem else shot
                if args.json:
                    data = shown.as_json() | {"file": file or None}
                    print(json.dumps(data, ensure_ascii=False), flush=True)
                else:
                    print(row(shown, file), flush=True)
        finally:
            pinned.close()
        print(summary(shots), file=sys.stderr)
        return EXIT_OK if not failed else EXIT_FAILED

    return run_to_exit(run())
