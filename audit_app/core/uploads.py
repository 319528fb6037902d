"""Safe reading of uploaded Excel workbooks: the checks every upload gets before openpyxl
opens it (an .xlsx file is a zip archive).

Refused: an older Excel file or a password-protected workbook (an OLE2 file), what is not a
zip archive or is damaged (including archive headers Python's zipfile cannot read), members
compressed other than the two ways Excel stores them, and a "zip bomb" (members that unpack
to far more than the limit, or squeezed far more than a real workbook is). Each area words
the refusal for its own page from the :class:`UnsafeWorkbook` reason.
"""

from __future__ import annotations

import enum
import io
import zipfile

XLSX_MAX_UNCOMPRESSED = 100 * 1024 * 1024
XLSX_MAX_RATIO = 100
XLSX_RATIO_FROM = 1024 * 1024
"""The compression ratio is checked for members bigger than this once uncompressed."""

_OLE2_SIGNATURE = b"\xd0\xcf\x11\xe0"


class Unsafe(enum.Enum):
    OLD_EXCEL = "an older Excel file (.xls) or a workbook with a password"
    DAMAGED = "not a zip archive, or damaged"
    TOO_LARGE = "too large once unpacked, or squeezed too far"


class UnsafeWorkbook(Exception):
    def __init__(self, reason: Unsafe) -> None:
        super().__init__(reason.value)
        self.reason = reason


def check_workbook_archive(raw: bytes) -> None:
    """Raise :class:`UnsafeWorkbook` unless ``raw`` is a zip archive openpyxl may open."""
    if raw.startswith(_OLE2_SIGNATURE):
        raise UnsafeWorkbook(Unsafe.OLD_EXCEL)
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            members = archive.infolist()
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        NotImplementedError,  # a header naming a zip version or feature zipfile lacks
        ValueError,
        OSError,
        EOFError,
    ) as error:
        raise UnsafeWorkbook(Unsafe.DAMAGED) from error
    total = 0
    for member in members:
        # Excel only stores or deflates; zipfile bounds deflated output as it unpacks, but
        # would unpack a whole bzip2 or lzma block at once, however large.
        if member.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise UnsafeWorkbook(Unsafe.DAMAGED)
        total += member.file_size
        if total > XLSX_MAX_UNCOMPRESSED:
            raise UnsafeWorkbook(Unsafe.TOO_LARGE)
        if member.file_size > XLSX_RATIO_FROM and (
            member.compress_size <= 0 or member.file_size > XLSX_MAX_RATIO * member.compress_size
        ):
            raise UnsafeWorkbook(Unsafe.TOO_LARGE)
