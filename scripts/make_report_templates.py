"""Make the shipped Word report templates (audit_templates/reports/*.docx) with python-docx.

    .venv/bin/python scripts/make_report_templates.py

The .docx files are committed, so that a partnership can open one in Word, change the words,
the look and the order, and upload it as its own template. The tags are docxtpl's:

* ``{{ title }}`` writes a value (user text comes out exactly as written);
* ``{%p if ... %}``, ``{%p else %}``, ``{%p endif %}`` and ``{%p for x in xs %}``,
  ``{%p endfor %}``, each alone in its own paragraph, keep or repeat the paragraphs (and
  tables) between them;
* ``{%tr for x in xs %}`` and ``{%tr endfor %}``, each alone in a table row, repeat the row
  between them, once for each item.

Headings use Word's Heading styles, tables a bordered style with a header row that repeats
on each page and no merged cells, so that the report is accessible once published.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from docx.table import Table

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "audit_templates" / "reports"
FONT = "Arial"
TABLE_STYLE = "Table Grid"


# --- Building blocks -----------------------------------------------------------------------------


def new_document(*, landscape: bool = False) -> DocumentObject:
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = section.page_height, section.page_width
    for side in ("left_margin", "right_margin"):
        setattr(section, side, Cm(2.5) if not landscape else Cm(2.0))
    section.top_margin = section.bottom_margin = Cm(2.0)
    styles = document.styles
    normal = styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(11)
    normal.paragraph_format.space_after = Pt(6)
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), FONT)
    for name, size in (("Title", 26), ("Heading 1", 18), ("Heading 2", 14), ("Heading 3", 12)):
        style = styles[name]
        style.font.name = FONT
        style.font.size = Pt(size)
        style.font.color.rgb = RGBColor(0x0B, 0x0C, 0x0C)
        fonts = style.element.rPr.rFonts
        for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
            fonts.attrib.pop(qn(theme), None)  # a theme font would win over the one named
        for script in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
            fonts.set(qn(script), FONT)
    for name in ("Quote", "List Bullet", "Caption"):
        styles[name].font.name = FONT
    styles["Caption"].font.color.rgb = RGBColor(0x0B, 0x0C, 0x0C)
    styles["Caption"].font.size = Pt(10)
    return document


def para(document: DocumentObject, *parts: str | tuple[str, str], style: str | None = None) -> None:
    """A paragraph of runs; a part ``("b", text)`` is bold, ``("i", text)`` italic."""
    paragraph = document.add_paragraph(style=style)
    for part in parts:
        how, text = part if isinstance(part, tuple) else ("", part)
        run = paragraph.add_run(text)
        run.bold = "b" in how or None
        run.italic = "i" in how or None


def tag(document: DocumentObject, text: str) -> None:
    """A paragraph holding one docxtpl paragraph tag (``{%p ... %}``): it goes when filled."""
    document.add_paragraph(text)


def heading(document: DocumentObject, text: str, level: int) -> None:
    document.add_heading(text, level)


def page_break(document: DocumentObject) -> None:
    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def _repeat_header(table: Table) -> None:
    properties = table.rows[0]._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    properties.append(header)
    for row in table.rows[1:]:
        cant_split = OxmlElement("w:cantSplit")
        row._tr.get_or_add_trPr().append(cant_split)


def table(
    document: DocumentObject,
    headers: Sequence[str],
    cells: Sequence[str | Sequence[str]],
    loop: str,
    widths: Sequence[float],
) -> None:
    """A table with one header row (repeated on every page) and one row per item of
    ``loop`` ("x in xs"); a cell given as several strings has a paragraph for each."""
    grid = document.add_table(rows=4, cols=len(headers))
    grid.style = TABLE_STYLE
    grid.autofit = False
    for index, text in enumerate(headers):
        cell = grid.rows[0].cells[index]
        cell.paragraphs[0].add_run(text).bold = True
        shading = OxmlElement("w:shd")
        shading.set(qn("w:val"), "clear")
        shading.set(qn("w:color"), "auto")
        shading.set(qn("w:fill"), "F3F2F1")
        cell._tc.get_or_add_tcPr().append(shading)
    grid.rows[1].cells[0].paragraphs[0].add_run(f"{{%tr for {loop} %}}")
    for index, content in enumerate(cells):
        cell = grid.rows[2].cells[index]
        pieces = [content] if isinstance(content, str) else list(content)
        cell.paragraphs[0].add_run(pieces[0])
        for piece in pieces[1:]:
            cell.add_paragraph(piece)
    grid.rows[3].cells[0].paragraphs[0].add_run("{%tr endfor %}")
    for row in grid.rows:
        for index, width in enumerate(widths):
            row.cells[index].width = Cm(width)
            for paragraph in row.cells[index].paragraphs:
                paragraph.paragraph_format.space_after = Pt(2)
                for run in paragraph.runs:
                    run.font.size = Pt(10)
    for index, width in enumerate(widths):
        grid.columns[index].width = Cm(width)
    _repeat_header(grid)
    # A table's description, for screen readers (Word: Table Properties > Alt Text).
    properties = grid._tbl.tblPr
    caption = OxmlElement("w:tblCaption")
    caption.set(qn("w:val"), headers[0])
    properties.append(caption)
    document.add_paragraph()


def footer(document: DocumentObject, text: str) -> None:
    paragraph = document.sections[0].footer.paragraphs[0]
    paragraph.add_run(f"{text} | Page ")
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    number = OxmlElement("w:t")
    number.text = "1"
    run.append(number)
    field.append(run)
    paragraph._p.append(field)
    for run in paragraph.runs:
        run.font.size = Pt(9)


def findings_list(document: DocumentObject, name: str, nothing: str) -> None:
    tag(document, f"{{%p if {name} %}}")
    tag(document, f"{{%p for f in {name} %}}")
    para(document, "{{ f.text }}", style="List Bullet")
    tag(document, "{%p if f.support %}")
    para(document, ("i", "{{ f.support }}"))
    tag(document, "{%p endif %}")
    tag(document, "{%p endfor %}")
    tag(document, "{%p else %}")
    para(document, nothing)
    tag(document, "{%p endif %}")


# --- The findings report -------------------------------------------------------------------------


def findings_report() -> DocumentObject:
    d = new_document()
    d.core_properties.title = "{{ title }}: findings report"
    d.core_properties.author = "{{ partnership }}"
    footer(d, "Multi-agency case file audit: findings report")

    # Cover
    d.add_paragraph("{{ title }}", style="Title")
    para(d, ("b", "Multi-agency case file audit: findings and recommendations"))
    para(d, "{{ partnership }}")
    para(d, "Audit period: {{ period }}")
    para(d, "Report made on {{ generated_on }} by {{ generated_by }}.")
    para(
        d,
        ("i", "This report was made by the audit service from the panel's records. Read it "
         "through and edit it before it is published. Children are known by codes only."),
    )  # fmt: skip
    tag(d, "{%p if provisional %}")
    para(d, ("b", "Provisional: "), "{{ provisional }}")
    tag(d, "{%p endif %}")
    page_break(d)

    heading(d, "Purpose and statutory context", 1)
    para(
        d,
        "Working Together to Safeguard Children (2023) asks the local safeguarding partners "
        "to assure themselves of the quality of multi-agency practice, including through joint "
        "audits of case records. This multi-agency case file audit looked at the records that "
        "each agency holds for a sample of children, side by side, to learn what is working "
        "well, what we are worried about and what needs to happen.",
    )
    heading(d, "Terms of reference", 2)
    para(d, "{{ terms_of_reference }}")
    heading(d, "The question the audit answers", 2)
    para(d, "{{ audit_question }}")
    heading(d, "Which children were in scope", 2)
    para(d, "{{ scope_criteria }}")

    heading(d, "How the audit was carried out", 1)
    para(d, "The audit's theme: {{ theme }}.")
    heading(d, "The children in the audit", 2)
    tag(d, "{%p if cohort.drawn %}")
    para(
        d,
        "{{ cohort.size }} children were chosen at random ({{ cohort.method }}) from a list of "
        "{{ cohort.population_size }} children who met the criteria, on {{ cohort.drawn_on }}. "
        "Anyone can repeat the draw and get the same children: it used the seed "
        "{{ cohort.seed }}, and the list's fingerprint (SHA-256) was {{ cohort.fingerprint }}.",
    )
    tag(d, "{%p else %}")
    para(d, "{{ cohort.size }} children were in the audit. No random draw is recorded.")
    tag(d, "{%p endif %}")
    tag(d, "{%p if cohort.added_by_hand or cohort.removed %}")
    para(
        d,
        "After the draw, {{ cohort.added_by_hand }} were added by hand and {{ cohort.removed }} "
        "taken out, each with a recorded reason.",
    )
    tag(d, "{%p endif %}")
    para(d, "In this report children are known only by a code (Child A, Child B and so on).")
    heading(d, "Agencies taking part and their returns", 2)
    para(
        d,
        "Each agency reviewed its own records for each child and completed the agreed audit "
        "template, or recorded that it had no involvement with the child. "
        "{{ returns.sent }} returns were sent to the panel, {{ returns.no_involvement }} "
        "recorded no involvement and {{ returns.outstanding }} were not sent. "
        "{{ returns.summaries_sent }} agencies sent the panel a summary of their findings in "
        "the Signs of Safety columns.",
    )
    tag(d, "{%p if agencies %}")
    table(
        d,
        ["Agency", "Returns sent", "No involvement", "Not sent", "Summary sent"],
        ["{{ a.name }}", "{{ a.sent }}", "{{ a.no_involvement }}", "{{ a.outstanding }}",
         "{{ a.summary_sent }}"],
        "a in agencies",
        [5.4, 2.4, 2.9, 2.4, 2.9],
    )  # fmt: skip
    tag(d, "{%p endif %}")
    heading(d, "Professional interviews", 2)
    tag(d, "{%p if interview_count %}")
    para(
        d,
        "The panel held {{ interview_count }} targeted interviews with professionals, asking "
        "what is working well, what is not working and what we need more of (see What "
        "professionals told us).",
    )
    tag(d, "{%p else %}")
    para(d, "The panel has not recorded any professional interviews.")
    tag(d, "{%p endif %}")
    heading(d, "Children's voice", 2)
    tag(d, "{%p if voice_count %}")
    para(
        d,
        "The panel heard from children and young people through {{ voice_count }} events or "
        "surveys; the largest had {{ voice_participants }} taking part (see The voice of "
        "children and young people).",
    )
    tag(d, "{%p else %}")
    para(d, "The panel has not recorded the views of children and young people for this audit.")
    tag(d, "{%p endif %}")
    heading(d, "The audit panel", 2)
    tag(d, "{%p if meetings %}")
    para(
        d,
        "The multi-agency audit panel read the returns, the agencies' summaries and the other "
        "evidence side by side, named the themes, and agreed the findings and recommendations.",
    )
    table(
        d,
        ["Meeting", "Attended", "Agencies represented"],
        ["{{ m.held_on }}", "{{ m.attended }}", "{{ m.agencies }}"],
        "m in meetings",
        [3.5, 8.0, 4.5],
    )
    tag(d, "{%p else %}")
    para(d, "The panel has not recorded a meeting yet.")
    tag(d, "{%p endif %}")

    heading(d, "Summary grading", 1)
    tag(d, "{%p if grading %}")
    para(
        d,
        "For each graded question, the share of the agencies' answers that were good or "
        "better, out of the answers that gave a grade: the grades in the \u201cWhat's "
        "working well\u201d column of the question's scale (such as Outstanding or Good, "
        "or 7 to 10 on a 0 to 10 scale).",
    )
    tag(d, "{%p if earlier_audit %}")
    para(d, "The last audit on the same template, for comparison: {{ earlier_audit }}.")
    tag(d, "{%p else %}")
    para(d, "There is no earlier audit on the same template to compare with.")
    tag(d, "{%p endif %}")
    table(
        d,
        ["No.", "Question", "Good or better", "Last audit", "Change"],
        ["{{ g.number }}", "{{ g.question }}", "{{ g.now }}", "{{ g.then }}", "{{ g.change }}"],
        "g in grading",
        [1.2, 6.8, 2.8, 2.8, 2.4],
    )
    tag(d, "{%p else %}")
    para(d, "The audit template has no graded questions, or no return has been sent yet.")
    tag(d, "{%p endif %}")

    heading(d, "The panel's agreed grades", 2)
    tag(d, "{%p if agreed_grades.question %}")
    para(
        d,
        "The panel agreed a grade for {{ agreed_grades.agreed }} of the "
        "{{ agreed_grades.children }} children, on the question “{{ agreed_grades.question }}”",
    )
    table(
        d,
        ["Grade", "Children"],
        ["{{ c.name }}", "{{ c.children }}"],
        "c in agreed_grades.counts",
        [8.0, 8.0],
    )
    tag(d, "{%p else %}")
    para(d, "The audit template has no question for the panel to agree a grade on.")
    tag(d, "{%p endif %}")

    heading(d, "What's working well", 1)
    findings_list(d, "working_well", "The panel has not recorded what is working well.")

    heading(d, "What we are worried about", 1)
    findings_list(d, "worried_about", "The panel has not recorded what it is worried about.")
    heading(d, "What needs to happen", 1)
    findings_list(d, "needs_to_happen", "The panel has not recorded what needs to happen.")

    heading(d, "The voice of children and young people", 1)
    tag(d, "{%p if voice %}")
    tag(d, "{%p for s in voice %}")
    heading(d, "{{ s.title }}", 2)
    para(d, ("i", "{{ s.about }}"))
    tag(d, "{%p if s.notes %}")
    para(d, "{{ s.notes }}")
    tag(d, "{%p endif %}")
    tag(d, "{%p if s.quotes %}")
    para(d, ("b", "In their own words"))
    tag(d, "{%p for q in s.quotes %}")
    para(d, "“{{ q }}”", style="Quote")
    tag(d, "{%p endfor %}")
    tag(d, "{%p endif %}")
    tag(d, "{%p if s.points %}")
    para(d, ("b", "What we heard"))
    tag(d, "{%p for p in s.points %}")
    para(d, "{{ p.text }}", style="List Bullet")
    tag(d, "{%p endfor %}")
    tag(d, "{%p endif %}")
    tag(d, "{%p for q in s.survey %}")
    heading(d, "{{ q.question }}", 3)
    para(d, "{{ q.answered }} answered.")
    table(
        d,
        ["Answer", "Number"],
        ["{{ r.answer }}", "{{ r.count }}"],
        "r in q.answers",
        [12.0, 4.0],
    )
    tag(d, "{%p endfor %}")
    tag(d, "{%p endfor %}")
    tag(d, "{%p else %}")
    para(d, "The panel has not recorded the voice of children and young people for this audit.")
    tag(d, "{%p endif %}")

    heading(d, "What professionals told us", 1)
    tag(d, "{%p if interviews %}")
    tag(d, "{%p for s in interviews %}")
    heading(d, "{{ s.title }}", 2)
    para(d, ("i", "{{ s.about }}"))
    tag(d, "{%p for p in s.points %}")
    para(d, ("b", "{{ p.prompt }}: "), "{{ p.text }}")
    tag(d, "{%p endfor %}")
    tag(d, "{%p endfor %}")
    tag(d, "{%p else %}")
    para(d, "The panel has not recorded any professional interviews.")
    tag(d, "{%p endif %}")

    heading(d, "Immediate concerns referred back", 1)
    para(d, "{{ concerns.summary }}")
    para(
        d,
        "An auditor who finds that a child may be at risk now does not wait for the panel: "
        "the concern is referred back at once to the agencies responsible. This report gives "
        "the numbers only.",
    )

    heading(d, "Key findings", 1)
    heading(d, "Themes across children and agencies", 2)
    tag(d, "{%p if themes %}")
    para(
        d,
        "The panel tagged answers, chronologies, summaries and evidence with themes. A theme's "
        "reach is how many children and agencies it touches; the widest reach comes first.",
    )
    table(
        d,
        ["Theme", "What it is", "Children", "Agencies", "Items tagged"],
        ["{{ t.name }}", ["{{ t.description }}", "{{ t.recurring }}"], "{{ t.children }}",
         "{{ t.agencies }}", "{{ t.tagged }}"],
        "t in themes",
        [3.4, 6.2, 2.1, 2.1, 2.2],
    )  # fmt: skip
    tag(d, "{%p else %}")
    para(d, "The panel has not named any themes.")
    tag(d, "{%p endif %}")
    heading(d, "From findings to recommendations", 2)
    tag(d, "{%p if findings %}")
    para(
        d,
        "Each of the panel's findings (set out above under what's working well, what we are "
        "worried about and what needs to happen), the themes behind it and the "
        "recommendations that answer it.",
    )
    table(
        d,
        ["Finding", "Themes", "Answered by recommendation"],
        ["{{ f.label }}", "{{ f.themes }}", "{{ f.recommendations }}"],
        "f in findings",
        [5.0, 6.0, 5.0],
    )
    tag(d, "{%p else %}")
    para(d, "The panel has not recorded its findings yet.")
    tag(d, "{%p endif %}")

    heading(d, "Recommendations", 1)
    tag(d, "{%p if recommendations %}")
    tag(d, "{%p for r in recommendations %}")
    para(d, ("b", "Recommendation {{ r.number }}. "), "{{ r.text }}")
    tag(d, "{%p if r.details %}")
    para(d, ("i", "{{ r.details }}"))
    tag(d, "{%p endif %}")
    tag(d, "{%p endfor %}")
    tag(d, "{%p else %}")
    para(d, "The panel has not made any recommendations yet.")
    tag(d, "{%p endif %}")

    heading(d, "Action plan", 1)
    tag(d, "{%p if actions %}")
    para(
        d,
        "Each recommendation has SMART actions: specific, with a measure of success, a lead "
        "agency and owner, and a target date. The partnership's audit and performance subgroup "
        "follows each one until it signs it off.",
    )
    table(
        d,
        ["Rec.", "Action and how we will know it worked", "Lead agency and owner",
         "Target date", "Status and RAG"],
        ["{{ a.recommendation }}", ["{{ a.description }}", "Measure: {{ a.success_measure }}"],
         ["{{ a.lead_agency }}", "{{ a.owner }}"], "{{ a.target_date }}",
         ["{{ a.state }}", "RAG: {{ a.rag }}"]],
        "a in actions",
        [1.2, 6.4, 3.4, 2.2, 2.8],
    )  # fmt: skip
    tag(d, "{%p else %}")
    para(d, "No actions have been agreed for the recommendations yet.")
    tag(d, "{%p endif %}")
    tag(d, "{%p if draft_actions %}")
    para(d, "Actions still being drafted, not shown here: {{ draft_actions }}.")
    tag(d, "{%p endif %}")

    page_break(d)
    heading(d, "Appendix: how the agencies graded each question", 1)
    tag(d, "{%p if distributions %}")
    para(
        d,
        "For each graded question, how many of the agencies' answers gave each grade. Each "
        "chart is followed by its figures.",
    )
    tag(d, "{%p for q in distributions %}")
    heading(d, "Question {{ q.number }}: {{ q.question }}", 2)
    para(d, "{{ charts[q.chart] }}")
    para(d, "The figures in the chart ({{ q.total }} answers):", style="Caption")
    table(
        d,
        ["Answer", "Number of answers"],
        ["{{ r.answer }}", "{{ r.count }}"],
        "r in q.answers",
        [12.0, 4.0],
    )
    tag(d, "{%p endfor %}")
    tag(d, "{%p else %}")
    para(d, "No graded answers have been sent yet.")
    tag(d, "{%p endif %}")
    return d


# --- The meeting pack ----------------------------------------------------------------------------


def meeting_pack() -> DocumentObject:
    d = new_document(landscape=True)
    d.core_properties.title = "{{ title }}"
    d.core_properties.author = "Safeguarding children partnership"
    footer(d, "Audit and performance subgroup: action plans")

    d.add_paragraph("{{ title }}", style="Title")
    para(d, "{{ partnership }}")
    para(d, "Made on {{ generated_on }} by {{ generated_by }}, for the audit and performance "
            "subgroup.")  # fmt: skip
    tag(d, "{%p if first_pack %}")
    para(d, "This is the first meeting pack: there is no earlier pack to compare with.")
    tag(d, "{%p else %}")
    para(d, "Changes are those since the last pack, made on {{ since }}.")
    tag(d, "{%p endif %}")

    heading(d, "The action plans", 1)
    tag(d, "{%p if plans %}")
    para(
        d,
        "{{ totals.actions }} actions in all: {{ totals.open }} open, "
        "{{ totals.awaiting_sign_off }} awaiting sign-off, {{ totals.closed }} closed and "
        "{{ totals.cancelled }} cancelled; {{ totals.overdue }} overdue.",
    )
    heading(d, "Actions by state", 2)
    table(
        d,
        ["Audit", "Audit stage", "Actions", "Open", "Awaiting sign-off", "Closed", "Cancelled",
         "Overdue"],
        ["{{ p.audit }}", "{{ p.status }}", "{{ p.actions }}", "{{ p.open }}",
         "{{ p.awaiting_sign_off }}", "{{ p.closed }}", "{{ p.cancelled }}", "{{ p.overdue }}"],
        "p in plans",
        [7.7, 3.2, 2.0, 2.0, 3.0, 2.0, 2.2, 2.0],
    )  # fmt: skip
    heading(d, "Actions by RAG", 2)
    table(
        d,
        ["Audit", "Red", "Amber", "Green", "No update yet", "Complete"],
        ["{{ p.audit }}", "{{ p.red }}", "{{ p.amber }}", "{{ p.green }}", "{{ p.no_update }}",
         "{{ p.complete }}"],
        "p in plans",
        [9.7, 2.8, 2.8, 2.8, 3.0, 3.0],
    )  # fmt: skip
    tag(d, "{%p else %}")
    para(d, "There are no open action plans.")
    tag(d, "{%p endif %}")

    heading(d, "Overdue actions", 1)
    tag(d, "{%p if overdue %}")
    table(
        d,
        ["Action", "Audit", "Rec.", "Lead agency", "Owner", "Target date", "Days overdue",
         "Latest update"],
        ["{{ a.description }}", "{{ a.audit }}", "{{ a.recommendation }}", "{{ a.lead_agency }}",
         "{{ a.owner }}", "{{ a.target_date }}", "{{ a.days_overdue }}",
         ["{{ a.latest_update }}", "{{ a.latest_update_on }}"]],
        "a in overdue",
        [6.0, 3.6, 1.2, 2.6, 2.6, 2.2, 1.9, 5.6],
    )  # fmt: skip
    tag(d, "{%p else %}")
    para(d, "No action is overdue.")
    tag(d, "{%p endif %}")

    heading(d, "RAG over time", 1)
    para(d, "{{ charts.rag_over_time }}")
    para(d, "The figures in the chart:", style="Caption")
    table(
        d,
        ["Month", "Red", "Amber", "Green", "No update yet", "Complete", "Total"],
        ["{{ m.month }}", "{{ m.red }}", "{{ m.amber }}", "{{ m.green }}", "{{ m.no_update }}",
         "{{ m.complete }}", "{{ m.total }}"],
        "m in rag_table",
        [5.1, 3.0, 3.0, 3.0, 3.3, 3.3, 3.0],
    )  # fmt: skip

    heading(d, "What has changed since the last pack", 1)
    tag(d, "{%p if first_pack %}")
    para(d, "This is the first pack, so everything above is new.")
    tag(d, "{%p else %}")
    heading(d, "New actions", 2)
    tag(d, "{%p if new_actions %}")
    table(
        d,
        ["Added", "Action", "Audit", "Rec.", "Lead agency", "Owner", "Target date", "Status"],
        ["{{ a.added_on }}", "{{ a.description }}", "{{ a.audit }}", "{{ a.recommendation }}",
         "{{ a.lead_agency }}", "{{ a.owner }}", "{{ a.target_date }}", "{{ a.state }}"],
        "a in new_actions",
        [2.2, 6.6, 3.6, 1.2, 2.8, 2.8, 2.2, 2.3],
    )  # fmt: skip
    tag(d, "{%p else %}")
    para(d, "No actions were added.")
    tag(d, "{%p endif %}")
    heading(d, "Actions that moved", 2)
    tag(d, "{%p if moves %}")
    table(
        d,
        ["Date", "Action", "Audit", "Rec.", "From", "To", "By", "Reason"],
        ["{{ m.on }}", "{{ m.action }}", "{{ m.audit }}", "{{ m.recommendation }}",
         "{{ m.from_state }}", "{{ m.to_state }}", "{{ m.by }}", "{{ m.reason }}"],
        "m in moves",
        [2.2, 5.6, 3.4, 1.2, 2.4, 2.6, 2.6, 3.7],
    )  # fmt: skip
    tag(d, "{%p else %}")
    para(d, "No action moved from one state to another.")
    tag(d, "{%p endif %}")
    heading(d, "Progress updates", 2)
    tag(d, "{%p if updates %}")
    table(
        d,
        ["Date", "Action", "Audit", "Rec.", "Status", "Progress", "By"],
        ["{{ u.on }}", "{{ u.action }}", "{{ u.audit }}", "{{ u.recommendation }}",
         "{{ u.status }}", "{{ u.progress }}", "{{ u.by }}"],
        "u in updates",
        [2.2, 5.6, 3.4, 1.2, 2.0, 6.7, 2.6],
    )  # fmt: skip
    tag(d, "{%p else %}")
    para(d, "No progress updates were written.")
    tag(d, "{%p endif %}")
    tag(d, "{%p endif %}")
    return d


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    for name, build in (("findings_report", findings_report), ("meeting_pack", meeting_pack)):
        path = OUT / f"{name}.docx"
        build().save(str(path))
        print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
