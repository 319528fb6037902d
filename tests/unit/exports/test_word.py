"""The Word machinery: user text comes back exactly, charts carry their text alternative, and
a partnership's own template is checked before it is used (with no database)."""

from __future__ import annotations

import io
import zipfile
from dataclasses import replace
from typing import Any

import pytest
from docx import Document
from docx.oxml.ns import qn
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from matplotlib.figure import Figure

from audit_app.charts import Chart, ChartTable, bar_chart
from audit_app.exports import word

FRAGMENTS = [
    "&",
    "&amp;",
    "<",
    ">",
    '"',
    "'",
    "{{ title }}",
    "{{",
    "}}",
    "{%",
    "%}",
    "{% if x %}",
    "{%p endif %}",
    "{%tr for a in b %}",
    "{#",
    "{_{",
    "}_}",
    "{_%",
    "%_}",
    "</w:t><w:p>",
    '</w:t></w:r><w:r><w:t xml:space="preserve">',
    "<w:br/>",
    "]]>",
    "&#8216;",
    "😀",
    "👩🏽‍⚕️",
    "Ωμέγα",
    " ",
    "  ",
    "\n",
    "\r\n",
    "\r",
    "\t",
    "\x00",
    "\x07",
    "\x0c",
    "\ufffe",
]
ARBITRARY = st.lists(st.one_of(st.text(), st.sampled_from(FRAGMENTS)), max_size=12).map("".join)


def _template(*paragraphs: str, cell: str | None = None) -> bytes:
    document = Document()
    for text in paragraphs:
        document.add_paragraph(text)
    if cell is not None:
        table = document.add_table(rows=1, cols=1)
        table.rows[0].cells[0].paragraphs[0].add_run(cell)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


MINIMAL = _template("[{{ text }}]", "{{ text|lines }}", cell="{{ text }}")


def _read(docx: bytes) -> Any:
    return Document(io.BytesIO(docx))


def _tiny_chart(title: str = "Grades", alt: str = "Grades. A bar chart: Good 3.") -> Chart:
    def build() -> Figure:
        figure = Figure(figsize=(1, 1))
        figure.add_subplot().barh([0], [3])
        return figure

    return Chart(title, alt, ChartTable(title, ["Answer", "Number"], [["Good", 3]]), build)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ARBITRARY)
def test_any_text_comes_back_exactly(text: str) -> None:
    document = _read(word.render_docx(MINIMAL, {"text": text}))
    expected = word.xml_safe(text)
    assert document.paragraphs[0].text == f"[{expected}]"
    assert document.paragraphs[1].text == expected
    assert document.tables[0].rows[0].cells[0].text == expected


def test_line_breaks_tabs_and_spaces_are_word_ones() -> None:
    text = "  two spaces first\nsecond line\tafter a tab  "
    docx = word.render_docx(MINIMAL, {"text": text})
    paragraph = _read(docx).paragraphs[1]
    assert paragraph.text == text
    xml = paragraph._p.xml
    assert xml.count("<w:br/>") == 1 and xml.count("<w:tab/>") == 1
    for text_element in paragraph._p.iter(qn("w:t")):
        if text_element.text and text_element.text != text_element.text.strip():
            assert text_element.get("{http://www.w3.org/XML/1998/namespace}space") == "preserve"


def test_what_xml_cannot_hold_is_dropped_and_a_carriage_return_is_a_line_break() -> None:
    assert word.xml_safe("a\x00b\x07c\x0cd\ufffee") == "abcde"
    assert word.xml_safe("one\r\ntwo\rthree\nfour") == "one\ntwo\nthree\nfour"
    assert word.xml_safe("tab\tstays") == "tab\tstays"


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ARBITRARY, ARBITRARY)
def test_user_text_in_the_shipped_findings_report_comes_back_exactly(
    finding: str, recommendation: str
) -> None:
    context = dict(word.SAMPLE_CONTEXTS["findings_report"])
    context["working_well"] = [{"label": "What's working well 1", "text": finding, "support": ""}]
    context["recommendations"] = [{"number": 1, "text": recommendation, "details": ""}]
    docx = word.render_docx(
        word.shipped_template("findings_report"), context, {"question_1": _tiny_chart()}
    )
    texts = [paragraph.text for paragraph in _read(docx).paragraphs]
    assert word.xml_safe(finding) in texts
    assert f"Recommendation 1. {word.xml_safe(recommendation)}" in texts


def test_a_chart_is_a_picture_with_its_text_alternative() -> None:
    chart = bar_chart("Grades", ["Good", "Requires improvement"], {"Answers": [3, 1]})
    docx = word.render_docx(_template("{{ charts.grades }}"), {}, {"grades": chart})
    pictures = _read(docx).element.body.findall(".//" + qn("wp:docPr"))
    assert len(pictures) == 1
    assert pictures[0].get("descr") == chart.alt
    assert pictures[0].get("title") == "Grades"
    assert chart.alt.startswith("Grades. A bar chart")


def test_a_chart_s_text_alternative_keeps_odd_characters() -> None:
    chart = _tiny_chart(alt='Grades & "marks" <b>\x01</b>\nsecond')
    docx = word.render_docx(_template("{{ charts.c }}"), {}, {"c": chart})
    picture = _read(docx).element.body.find(".//" + qn("wp:docPr"))
    assert picture is not None
    assert picture.get("descr") == 'Grades & "marks" <b></b>\nsecond'


# --- Checking a partnership's template ----------------------------------------------------------


@pytest.mark.parametrize("kind", word.KINDS)
def test_the_shipped_templates_pass_their_own_check(kind: str) -> None:
    template = word.shipped_template(kind)
    assert word.check_report_template(kind, template) == []
    assert word.template_fields(template) <= word.KNOWN_FIELDS[kind]


def test_an_unknown_field_is_named_with_the_fields_one_can_use() -> None:
    template = _template("{{ title }} for {{ child_name }} born {{ dob }}")
    problems = word.check_report_template("findings_report", template)
    assert problems[0].startswith(
        "The template uses a field the service does not fill: {{ child_name }}."
    )
    assert "{{ dob }}" in problems[1]
    assert "Fields you can use:" in problems[0] and "recommendations" in problems[0]
    assert word.template_fields(template) == {"title", "child_name", "dob"}
    # A field of the other kind is unknown here.
    assert word.check_report_template("meeting_pack", _template("{{ recommendations }}"))


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"Just some words",
        b"%PDF-1.7 not a Word file",
        b"PK\x03\x04 broken zip",
    ],
)
def test_what_is_not_a_word_file_is_refused(content: bytes) -> None:
    assert word.check_report_template("findings_report", content) == [
        "The file is not a Word document (.docx). Save the template in Word as a .docx."
    ]


def _zip(parts: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return out.getvalue()


def test_a_zip_that_is_not_a_word_document_is_refused() -> None:
    workbook_like = _zip({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<w/>"})
    assert "not a Word document" in word.check_report_template("meeting_pack", workbook_like)[0]


def test_a_template_with_an_entity_bomb_or_macros_is_refused() -> None:
    real = zipfile.ZipFile(io.BytesIO(MINIMAL))
    parts = {name: real.read(name) for name in real.namelist()}
    bomb = parts | {
        "word/document.xml": b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">'
        b'<!ENTITY b "&a;&a;&a;">]><x>&b;</x>'
    }
    assert "not a Word document" in word.check_report_template("findings_report", _zip(bomb))[0]
    macros = parts | {"word/vbaProject.bin": b"\x00"}
    assert "macros" in word.check_report_template("findings_report", _zip(macros))[0]


def test_a_template_too_large_is_refused() -> None:
    big = MINIMAL + b"\x00" * (word.MAX_TEMPLATE_BYTES + 1 - len(MINIMAL))
    assert "larger than 5 MB" in word.check_report_template("findings_report", big)[0]


def test_a_tag_that_cannot_be_read_is_refused_saying_where() -> None:
    template = _template("Fine {{ title }}", "Broken here {{ title ", "{%p if title %}", "x")
    problems = word.check_report_template("findings_report", template)
    assert len(problems) == 1
    assert problems[0].startswith("A tag in the template cannot be read in the paragraph")
    unclosed = _template("{%p if title %}", "Never closed")
    assert "cannot be read" in word.check_report_template("findings_report", unclosed)[0]


def test_a_template_that_does_not_fill_with_sample_data_is_refused() -> None:
    template = _template("{{ cohort.size + 'children' }}")
    problems = word.check_report_template("findings_report", template)
    assert problems and problems[0].startswith("The template could not be filled")


def test_a_template_may_not_reach_beyond_the_report_data() -> None:
    template = _template("{{ title.__class__.__mro__[1].__subclasses__() }}")
    problems = word.check_report_template("findings_report", template)
    assert problems and "does something a report may not" in problems[0]
    huge = _template("{{ title * 100000000 }}")
    assert "may not repeat text" in word.check_report_template("findings_report", huge)[0]


def test_a_misspelt_field_is_named() -> None:
    template = _template("{{ cohort.names }} and {{ title|upper }}")
    problems = word.check_report_template("findings_report", template)
    assert problems and "\u201cnames\u201d" in problems[0]


def test_a_chart_title_change_keeps_the_alt() -> None:
    chart = _tiny_chart()
    renamed = replace(chart, title="Other")
    docx = word.render_docx(_template("{{ charts.c }}"), {}, {"c": renamed})
    picture = _read(docx).element.body.find(".//" + qn("wp:docPr"))
    assert picture is not None and picture.get("title") == "Other"


def test_the_documents_title_is_filled_as_plain_text() -> None:
    document = Document()
    document.core_properties.title = "{{ title }}: findings report"
    document.add_paragraph("{{ title }}")
    out = io.BytesIO()
    document.save(out)
    title = "Schools & <homes>\tfirst"
    docx = word.render_docx(out.getvalue(), {"title": title})
    assert _read(docx).core_properties.title == f"{title}: findings report"


@pytest.mark.parametrize(
    "tag", ["{{ text|safe }}", "{{ text|e }}", "{{ text|lines|safe }}", "{{ text|forceescape }}"]
)
def test_no_filter_lets_user_text_write_raw_xml(tag: str) -> None:
    text = '</w:t></w:r></w:p><w:p><w:r><w:t>injected & "quoted"'
    docx = word.render_docx(_template(f"[{tag}]"), {"text": text})
    paragraphs = _read(docx).paragraphs
    assert len(paragraphs) == 1
    assert paragraphs[0].text == f"[{text}]"
