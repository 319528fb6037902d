"""Evidence files are checked by what is in them, never by their names."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from audit_app.actions import evidence_files
from audit_app.actions.evidence_files import EvidenceRefused, check_file, check_files


def office(parts: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", b"<Types/>")
        for name, data in parts.items():
            archive.writestr(name, data)
    return out.getvalue()


def workbook() -> bytes:
    out = io.BytesIO()
    openpyxl.Workbook().save(out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("name", "data", "kind"),
    [
        ("minutes.pdf", b"%PDF-1.7\n...", "pdf"),
        ("chart.png", b"\x89PNG\r\n\x1a\n....", "png"),
        ("photo.jpeg", b"\xff\xd8\xff\xe0....", "jpg"),
        ("report.docx", office({"word/document.xml": b"<w/>"}), "docx"),
        ("tracker.xlsx", workbook(), "xlsx"),
        ("named wrongly.txt", b"%PDF-1.4 a pdf all the same", "pdf"),
    ],
)
def test_accepted_files_are_known_by_their_content(name: str, data: bytes, kind: str) -> None:
    checked = check_file(name, data)
    assert checked.kind == kind and checked.size == len(data)
    assert checked.name.endswith(f".{kind}")  # the extension its content has
    assert len(checked.sha256) == 64


@pytest.mark.parametrize(
    ("name", "data", "said"),
    [
        ("empty.pdf", b"", "is empty"),
        ("big.pdf", b"%PDF-" + b"0" * evidence_files.MAX_FILE_BYTES, "5 MB or smaller"),
        ("setup.pdf", b"MZ\x90\x00 a renamed program", "is not a PDF, a Word document"),
        ("script.docx", b"#!/bin/sh\nrm -rf /", "checked by what is in them"),
        ("old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 an old Word file", "is not a PDF"),
        ("archive.zip", office({"other/thing.txt": b"x"}), "is not a PDF"),
        ("plain.zip", b"PK\x03\x04 not really a zip", "is not a PDF"),
        ("macros.docm", office({"word/document.xml": b"", "word/vbaProject.bin": b""}),
         "holds macros"),
    ],
)  # fmt: skip
def test_refused_files_are_named_with_the_reason(name: str, data: bytes, said: str) -> None:
    with pytest.raises(EvidenceRefused, match=said) as refused:
        check_file(name, data)
    assert name in refused.value.message


def test_at_most_five_files_go_with_an_update() -> None:
    with pytest.raises(EvidenceRefused, match="at most 5 files"):
        check_files([("a.pdf", b"%PDF-1")] * 6)


@pytest.mark.parametrize(
    ("given_name", "shown"),
    [("../../etc/passwd.pdf", "passwd.pdf"), ("C:\\Users\\me\\notes.pdf", "notes.pdf"),
     ("", "evidence.pdf"), ('a<script>"b.pdf', "a_script__b.pdf")],
)  # fmt: skip
def test_names_are_made_safe(given_name: str, shown: str) -> None:
    assert check_file(given_name, b"%PDF-1.4").name == shown


def test_files_are_kept_once_under_their_hash(tmp_path: Path) -> None:
    checked = check_file("a.pdf", b"%PDF-1.4 hello")
    evidence_files.store(tmp_path, checked)
    evidence_files.store(tmp_path, checked)
    assert evidence_files.read(tmp_path, checked.sha256) == b"%PDF-1.4 hello"
    assert len(list(tmp_path.rglob("*"))) == 2  # one folder, one file
    with pytest.raises(ValueError):
        evidence_files.stored_path(tmp_path, "../../secret")


@given(st.binary(max_size=2000), st.text(max_size=200))
def test_any_bytes_are_accepted_or_refused_never_a_crash(data: bytes, name: str) -> None:
    try:
        checked = check_file(name, data)
    except EvidenceRefused as refused:
        assert refused.message
    else:
        assert checked.kind in evidence_files.KINDS
        assert "/" not in checked.name and "\\" not in checked.name
