"""Every number and meaning the protocol fixes, in one place.

The object model, the validators, the simulator and the UI all read these, so a
limit changes here and nowhere else. Sources are in ``shared/docs/cisco-protocol.md``.
"""

from __future__ import annotations

TITLE_MAX = 32
PROMPT_MAX = 32
TEXT_MAX = 4000

SOFTKEY_MAX_COUNT = 8
SOFTKEY_NAME_MAX = 32
SOFTKEY_POSITION_MIN = 1
SOFTKEY_POSITION_MAX = 8

URL_MAX = 256

EXECUTE_ITEMS_MIN = 1
EXECUTE_ITEMS_MAX = 3
EXECUTE_HTTP_URLS_MAX = 1

PRIORITIES: dict[int, str] = {
    0: "run now, whatever the phone is doing",
    1: "run when the phone becomes idle",
    2: "run only if the phone is idle now, else drop",
}
#: The same, short enough for a one-line choice at 80 columns.
PRIORITY_NAMES: dict[int, str] = {0: "now", 1: "when idle", 2: "if idle, else drop"}

RESPONSE_DATA_MAX = 32

#: The charsets a phone declares in Accept-Charset; we emit only these.
CHARSETS: tuple[str, ...] = ("utf-8", "iso-8859-1")

#: Control characters a Text may carry; every other one is refused.
ALLOWED_CONTROL_CHARS = frozenset("\r\n\t")

#: CiscoIPPhoneError numbers. 6 is undocumented: seen with Expect: 100-continue.
ERROR_MEANINGS: dict[int, str] = {
    1: "error parsing the object",
    2: "error framing the CiscoIPPhoneResponse",
    3: "internal file error",
    4: "authentication error",
    6: "request refused (undocumented; seen with Expect: 100-continue)",
}

#: ResponseItem Status values.
STATUS_MEANINGS: dict[int, str] = {
    0: "success",
    1: "invalid URI",
    6: "internal error",
}

#: Bytes of a phone's reply we keep; anything longer is a bad reply.
REPLY_MAX_BYTES = 64 * 1024

#: Exact bodies of the authentication responder.
AUTH_AUTHORIZED = "AUTHORIZED"
AUTH_UNAUTHORIZED = "UN-AUTHORIZED"
AUTH_ERROR = "ERROR"


def error_meaning(number: int) -> str:
    """The meaning of a CiscoIPPhoneError number, or a plain note that it is unknown."""
    return ERROR_MEANINGS.get(number, f"unknown error number {number}")


def status_meaning(status: int) -> str:
    """The meaning of a ResponseItem Status."""
    return STATUS_MEANINGS.get(status, f"status {status}")
