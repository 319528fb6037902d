"""Evidence files sent with a progress update: checked by what is in them, not by their
names, and kept in one folder under their SHA-256 (no Flask).

Accepted: PDF, Word (.docx) and Excel (.xlsx) documents without macros, PNG and JPEG images,
each at most :data:`MAX_FILE_BYTES` and not empty. Anything else, a renamed program
included, is refused with a message naming the file. Files are never opened by the service
beyond reading their first bytes and, for Word and Excel, the list of parts in the zip (no
part is decompressed); they are always downloaded as attachments.

The folder sits beside the database: a backup of the database and that one folder holds
everything.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_FILES = 5
MAX_ZIP_PARTS = 2000

KINDS: dict[str, tuple[str, str]] = {
    "pdf": ("application/pdf", "PDF"),
    "docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "Word document",
    ),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "Excel workbook"),
    "png": ("image/png", "PNG image"),
    "jpg": ("image/jpeg", "JPEG image"),
}
ACCEPTED_WORDS = "a PDF, a Word document (.docx), an Excel workbook (.xlsx), or a PNG or JPEG image"


class EvidenceRefused(ValueError):
    """A file that is not kept, saying why (naming the file)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class CheckedFile:
    name: str
    kind: str
    content_type: str
    size: int
    sha256: str
    data: bytes


def _office_kind(data: bytes, shown: str) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, ValueError, OSError):
        return None
    if len(names) > MAX_ZIP_PARTS or "[Content_Types].xml" not in names:
        return None
    if any(name.lower().endswith("vbaproject.bin") for name in names):
        raise EvidenceRefused(
            f"'{shown}' holds macros, which are never accepted. Save it without macros "
            "(as .docx or .xlsx) and send it again."
        )
    if any(name.startswith("word/") for name in names):
        return "docx"
    if any(name.startswith("xl/") for name in names):
        return "xlsx"
    return None


def kind_of(data: bytes, shown: str = "The file") -> str | None:
    """What the file is, by its first bytes (and, for a zip, the parts it lists)."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if data.startswith(b"PK\x03\x04"):
        return _office_kind(data, shown)
    return None


def safe_name(filename: str, kind: str) -> str:
    """The name to show and to download as: no folders or odd characters, at most 120
    characters, ending in the extension its content has."""
    base = re.sub(r"[\x00-\x1f/\\]", "", (filename or "").rsplit("/", 1)[-1].rsplit("\\", 1)[-1])
    stem = re.sub(r"[^\w .()-]", "_", base.rsplit(".", 1)[0] if "." in base else base).strip()
    stem = (stem or "evidence")[:110]
    return f"{stem}.{kind}"


def check_file(filename: str, data: bytes) -> CheckedFile:
    shown = (filename or "The file").rsplit("/", 1)[-1][:120]
    if not data:
        raise EvidenceRefused(f"'{shown}' is empty. Choose the file again.")
    if len(data) > MAX_FILE_BYTES:
        raise EvidenceRefused(
            f"'{shown}' is {len(data) / 1048576:.1f} MB: each file must be "
            f"{MAX_FILE_BYTES // 1048576} MB or smaller."
        )
    kind = kind_of(data, shown)
    if kind is None:
        raise EvidenceRefused(
            f"'{shown}' is not {ACCEPTED_WORDS}. Files are checked by what is in them, "
            "not by their names."
        )
    content_type, _words = KINDS[kind]
    return CheckedFile(
        safe_name(filename, kind),
        kind,
        content_type,
        len(data),
        hashlib.sha256(data).hexdigest(),
        data,
    )


def check_files(files: list[tuple[str, bytes]]) -> list[CheckedFile]:
    """Every file checked (all or nothing: the first refusal is raised)."""
    if len(files) > MAX_FILES:
        raise EvidenceRefused(f"Send at most {MAX_FILES} files with one update.")
    return [check_file(name, data) for name, data in files]


# --- The folder -------------------------------------------------------------------------------


def stored_path(folder: Path, sha256: str) -> Path:
    if not re.fullmatch(r"[0-9a-f]{64}", sha256):
        raise ValueError("not a SHA-256")
    return folder / sha256[:2] / sha256


def store(folder: Path, checked: CheckedFile) -> None:
    """Keep the file's bytes under its SHA-256 (written whole, then moved into place; a file
    already kept is not written again)."""
    path = stored_path(folder, checked.sha256)
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    partial.write_bytes(checked.data)
    os.replace(partial, path)


def read(folder: Path, sha256: str) -> bytes | None:
    path = stored_path(folder, sha256)
    return path.read_bytes() if path.is_file() else None
