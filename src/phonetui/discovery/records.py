"""What discovery finds about a phone, whichever source found it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Found:
    """One phone as a source reports it; '' where the source does not know.

    ``name`` is the key discovery merges by: the device name (``SEP…``) when the
    source has one, else the name the file gives.
    """

    name: str
    host: str = ""
    model: str = ""
    dn: str = ""
    description: str = ""
    device_pool: str = ""
    tags: tuple[str, ...] = ()
    source: str = ""  #: e.g. "cucm", "phones.csv:12", "scan 10.1.2.0/24"
    web_server_off: bool = False
    #: The web port when it is not a phone's 80 (a scan with --scan-port, a CSV's host:port).
    port: int = 0


@dataclass(frozen=True)
class SourceProblem:
    """A row or a node a source could not use, located."""

    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"
