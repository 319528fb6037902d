"""Where everything is in the offline workbook, and the signed details it was made from.

The sheet names, the rows and columns of a child's sheet and of the hidden "About this
workbook" sheet, the limits, and the packing and HMAC-SHA256 signature of the details the
workbook was made from (written by :mod:`.writing`, checked by :mod:`.reading`).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import zlib
from typing import Any

FORMAT = "audit-app workbook 1"
MAX_BYTES = 10 * 1024 * 1024
MAX_PROBLEMS = 100
MAX_CELL_TEXT = 32_000
"""Excel keeps at most 32,767 characters in a cell (openpyxl reads no more): a longer
answer is left out of the workbook and can only be changed online."""
PART_SIZE = 30_000
"""The signed details are split over cells of at most this many characters."""
MAX_PARTS = 2_000
EXTRA_ROWS = 500
"""Rows read beyond the template's questions, to find answers written in added rows."""

INSTRUCTIONS_SHEET = "Instructions"
LISTS_SHEET = "Lists"
ABOUT_SHEET = "About this workbook"
RESERVED_SHEETS = frozenset(
    name.casefold() for name in (INSTRUCTIONS_SHEET, LISTS_SHEET, ABOUT_SHEET, "History")
)

# The child sheets: a heading, then a header row, then a row per question.
HEADER_ROW = 4
FIRST_ROW = HEADER_ROW + 1
COLUMNS = ("Section", "Question", "Answer", "Why this grade?", "Hint", "Question id")
SECTION_COL, QUESTION_COL, ANSWER_COL, WHY_COL, HINT_COL, ID_COL = "ABCDEF"
COLUMN_WIDTHS = {"A": 22, "B": 48, "C": 45, "D": 40, "E": 45, "F": 22}

# The "About this workbook" sheet: labels in column A, values in column B.
ABOUT_ROWS = {
    "audit_title": 4,
    "audit": 5,
    "agency_name": 6,
    "agency": 7,
    "template_title": 8,
    "template": 9,
    "downloaded": 10,
    "format": 11,
    "signature": 12,
    "parts": 13,
}
FIRST_PART_ROW = 14
CHECKED_FACTS = ("audit", "agency", "template")
"""About-sheet cells a person can read that must match the signed details."""


Pair = tuple[Any, str | None]
"""An answer: its stored value and the written reason for a grade."""


def _sign(key: str | bytes, payload: str) -> str:
    secret = key.encode() if isinstance(key, str) else key
    return hmac.new(
        secret, b"audit-app offline workbook\x00" + payload.encode(), hashlib.sha256
    ).hexdigest()


def _pack(details: dict[str, Any]) -> str:
    """The details as compressed ASCII: compact, and nothing a spreadsheet would change."""
    text = json.dumps(details, sort_keys=True, separators=(",", ":"))
    return base64.b64encode(zlib.compress(text.encode(), 9)).decode()


def _unpack(payload: str) -> Any:
    return json.loads(zlib.decompress(base64.b64decode(payload.encode())))
