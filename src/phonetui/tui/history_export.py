"""The History screen's export key: one push (a round: its whole alert) to a CSV file, its path in a toast.

The file goes to ``exports/`` beside the journal (the app's state folder) unless another path
is typed. It is written whole or not at all (``export.write_new``), never over a file that is
there already; a failure (a full disk, no permission) is a toast saying why, and the journal
is only read.
"""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import TYPE_CHECKING

from ..alert_journal import alert_of
from ..export import rows_for, to_csv, write_new
from ..history import PushRecord
from ..paths import DEMO_PREFIX
from ..printable import printable
from ..wording import plural
from .screens.pickers import NameModal

if TYPE_CHECKING:
    from .app import PhoneTUI

_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")


def default_path(folder: Path, record: PushRecord) -> Path:
    """``exports/alert-<id>-20261130-103102.csv`` (or ``push-<id>-…``): ids from the journal made file-safe."""
    alert = alert_of(record)
    kind, ident = ("alert", alert) if alert else ("push", record.push_id)
    safe = _UNSAFE.sub("_", ident)[:40] or "unnamed"
    return folder / "exports" / f"{kind}-{safe}-{time.strftime('%Y%m%d-%H%M%S')}.csv"


def export_now(app: PhoneTUI, record: PushRecord, path: Path) -> bool:
    """Write the CSV; a toast says where, or why not (and that nothing was written). True when written."""
    journal = app.journal
    if journal is None:
        return False
    try:
        alert = alert_of(record)
        pushes = journal.pushes()
        if alert:
            rows = rows_for(pushes, journal.records(), alert_id=alert)
        else:
            rows = rows_for(pushes, journal.records(), push_id=record.push_id)
        own = path.parent == journal.path.parent / "exports"  # the app's own folder is made; another is not
        write_new(path, to_csv(rows), make_folder=own)
    except FileExistsError:
        app.notify(f"{path} exists already: export again and give another name.", severity="warning", timeout=10)
        return False
    except OSError as exc:
        where = exc.filename if exc.filename else path
        reason = exc.strerror or str(exc)
        message = f"Export failed: cannot write {where}: {reason}. Nothing was written; the history is untouched."
        app.notify(message, severity="error", timeout=15)
        return False
    except KeyError as exc:
        app.notify(f"Export failed: {exc.args[0]}", severity="error", timeout=10)
        return False
    what = f"alert {printable(alert, 40)}" if alert else f"push {record.push_id}"
    app.notify(f"Exported {what} ({plural(len(rows), 'phone')}) to {path}", timeout=10)
    return True


def ask_and_export(app: PhoneTUI, record: PushRecord) -> None:
    """Ask for the file (the default path already typed); Enter writes it."""
    if app.journal is None:
        app.notify("No history is kept in this session: nothing to export.", severity="warning")
        return
    suggested = default_path(app.journal.path.parent, record)
    alert = alert_of(record)
    title = f"Export {'every round of alert ' + printable(alert, 40) if alert else 'this push'} as CSV to"
    if app.journal.path.parent.name.startswith(DEMO_PREFIX):
        title += " (the demo's folder is deleted when it quits: give another path to keep it)"

    def chosen(answer: str | None) -> None:
        if answer:
            export_now(app, record, Path(answer).expanduser())

    app.push_screen(NameModal(title, value=str(suggested), placeholder="file", empty="Give a file name."), chosen)
