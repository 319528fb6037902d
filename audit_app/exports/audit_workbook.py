"""The audit workbook: everything the audit found, as a spreadsheet of tables.

For the audit lead and the panel. Each sheet is one Excel table (``core/spreadsheets.py``):
About, Contents, Cohort, Returns (a row per answer), Chronology, Signs of Safety board,
Agency summaries, Themes, Findings, Recommendations and actions, Grades. Children appear by
their code only: nothing here reads a child's identity. It reads what the panel reads: the
sent returns of the children in the cohort now, without answers to follow-up questions no
longer asked.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Text, case, cast, select
from sqlalchemy.orm import Session, selectinload

from audit_app.accounts.models import User
from audit_app.actions.dashboard import row_of
from audit_app.actions.models import Action
from audit_app.agencies.models import Agency
from audit_app.audits.models import AUDIT_STATUS_LABELS, Audit
from audit_app.cohort.models import CohortDraw, CohortMember
from audit_app.core.spreadsheets import (
    DATE,
    NUMBER,
    WRAPPED,
    Column,
    TableWorkbook,
)
from audit_app.exports.common import ABOUT_COLUMNS, Made, date_words, time_words
from audit_app.panel.board import BoardFilters, read_board, themes_of
from audit_app.panel.children import grade_words, list_children, overall_question
from audit_app.panel.findings import findings_page
from audit_app.panel.models import AgreedGrade
from audit_app.panel.reading import PanelAudit, asked_answers, read_panel_audit
from audit_app.panel.themes import themes_page
from audit_app.questionnaires.answer_types import answer_type, blank
from audit_app.questionnaires.definitions import (
    COLUMN_LABELS,
    GAP_LABELS,
    SUB_HEADING_LABELS,
    AuditTemplateDefinition,
    Question,
    column_of,
)
from audit_app.returns.models import (
    AgencyReturn,
    AgencySummary,
    Answer,
    ChronologyEntry,
    ReturnStatus,
    SummaryItem,
)

SHEETS = {
    "About": "What the audit is, how its children were drawn, and when this file was made",
    "Contents": "The sheets of this workbook",
    "Cohort": "The children in the audit, by code, with their returns and agreed grade",
    "Returns": "Every answer of every sent return: a row per answer",
    "Chronology": "Each agency's dated involvement with each child",
    "Signs of Safety board": "How many items are in each Signs of Safety column",
    "Agency summaries": "What each agency said across the children, in the three columns",
    "Themes": "The themes the panel named, with how many children and agencies they reach",
    "Findings": "The panel's key findings, in the three columns",
    "Recommendations and actions": (
        "The numbered recommendations and their SMART actions (drafts too, in the State column)"
    ),
    "Grades": "Each agency's overall grade for each child, and the panel's agreed grade",
}


def build_audit_workbook(session: Session, audit: Audit, made: Made) -> bytes:
    """The audit's workbook, as the bytes of an .xlsx file."""
    panel = read_panel_audit(session, audit)
    book = TableWorkbook()
    book.add_table("About", ABOUT_COLUMNS, _about(session, panel, made))
    contents = book.reserve("Contents")
    book.add_table("Cohort", COHORT_COLUMNS, _cohort(session, panel))
    book.add_table("Returns", RETURNS_COLUMNS, returns_rows(session, panel))
    book.add_table("Chronology", CHRONOLOGY_COLUMNS, _chronology(session, panel))
    book.add_table(
        "Signs of Safety board", BOARD_COLUMNS, _board(session, panel), table_name="Board"
    )
    book.add_table("Agency summaries", SUMMARY_COLUMNS, _summaries(session, panel))
    book.add_table("Themes", THEME_COLUMNS, _themes(session, panel))
    book.add_table("Findings", FINDING_COLUMNS, _findings(session, audit))
    book.add_table(
        "Recommendations and actions",
        RECOMMENDATION_COLUMNS,
        _recommendations(session, audit, made.today),
        table_name="Recommendations",
    )
    book.add_table("Grades", GRADE_COLUMNS, _grades(session, panel))
    about, *others = book.written
    listed = [(about.sheet, about.rows), ("Contents", len(SHEETS))]
    listed += [(written.sheet, written.rows) for written in others]
    book.add_table(
        "Contents",
        [Column("Sheet", 30), Column("What it holds", 80, WRAPPED), Column("Rows", 10, NUMBER)],
        [(name, SHEETS[name], rows) for name, rows in listed],
        sheet=contents,
    )
    return book.save()


NOT_RECORDED = "Not recorded"

# --- About ---------------------------------------------------------------------------------


def _about(session: Session, panel: PanelAudit, made: Made) -> list[tuple[str, Any]]:
    audit = panel.audit
    definition = panel.definition
    draw = session.scalar(
        select(CohortDraw).where(CohortDraw.audit_id == audit.id, CohortDraw.is_current)
    )
    drawn_by = session.get(User, draw.drawn_by_id) if draw and draw.drawn_by_id else None
    period = " to ".join(date_words(day) for day in (audit.period_start, audit.period_end) if day)
    rows: list[tuple[str, Any]] = [
        ("Audit", audit.title),
        ("Theme", audit.theme or NOT_RECORDED),
        ("The question it answers", audit.question or NOT_RECORDED),
        ("Terms of reference", audit.terms_of_reference or NOT_RECORDED),
        ("Which children (scope)", audit.scope_criteria or NOT_RECORDED),
        ("Period", period or NOT_RECORDED),
        ("Status", AUDIT_STATUS_LABELS[audit.status]),
        (
            "Audit template",
            f"{definition.title}, version {definition.version}" if definition else "None",
        ),
        ("Agencies taking part", ", ".join(agency.name for agency in panel.agencies)),
        ("Children in the cohort now", len(panel.members)),
    ]
    if draw is not None:
        rows += [
            (
                "How the children were drawn",
                f"Stratified random draw by {draw.strata_column}"
                if draw.strata_column
                else "Simple random draw",
            ),
            ("Draw method (to re-run it)", draw.method),
            ("Children drawn", draw.sample_size),
            ("From a population of", draw.population_size),
            ("Seed", draw.seed),
            ("Fingerprint of the population list (SHA-256)", draw.population_fingerprint),
            ("Drawn", time_words(draw.drawn_at)),
            ("Drawn by", drawn_by.full_name if drawn_by else ""),
        ]
    elif panel.members:
        rows.append(("How the children were drawn", "Not drawn: the children were added by hand"))
    else:
        rows.append(("How the children were drawn", "No children are in the audit yet"))
    rows += [
        ("This file was made", made.when),
        ("Made by", made.by),
        (
            "Children's details",
            "Children appear by their code only. Their names, dates of birth and agency "
            "references are never exported.",
        ),
    ]
    return rows


# --- Cohort --------------------------------------------------------------------------------

COHORT_COLUMNS = [
    Column("Child", 12),
    Column("Order in the cohort", 12, NUMBER),
    Column("How they joined", 30, WRAPPED),
    Column("Returns sent", 12, NUMBER),
    Column("No involvement", 14, NUMBER),
    Column("Returns not sent", 14, NUMBER),
    Column("Agreed grade", 24),
]


def _cohort(session: Session, panel: PanelAudit) -> Iterator[tuple[Any, ...]]:
    children = list_children(session, panel)
    for row in children.rows:
        member = row.member
        joined = "Drawn at random" if member.draw_id else "Added by hand"
        yield (
            member.code,
            member.position + 1,
            joined,
            row.sent,
            row.no_involvement,
            row.outstanding,
            row.agreed or "",
        )


# --- Returns -------------------------------------------------------------------------------

RETURNS_COLUMNS = [
    Column("Child", 10),
    Column("Agency", 26),
    Column("Section", 26, WRAPPED),
    Column("Question number", 10, NUMBER),
    Column("Question", 50, WRAPPED),
    Column("Answer", 50, WRAPPED),
    Column("Value as a date or number", 14, NUMBER),
    Column("Signs of Safety column", 24),
    Column("Sub-heading", 20),
    Column("Why this grade", 50, WRAPPED),
]


@dataclass(frozen=True)
class _Asked:
    """What the rows of a question say whatever the answer (worked out once)."""

    question: Question
    number: int
    section: str


def _asked(definition: AuditTemplateDefinition) -> dict[str, _Asked]:
    asked: dict[str, _Asked] = {}
    number = 0
    for section in definition.sections:
        for question in section.questions:
            number += 1
            asked[question.id] = _Asked(question, number, section.title)
    return asked


def _placement_words(
    value: Any, question: Question, definition: AuditTemplateDefinition
) -> tuple[str, str]:
    kind = answer_type(question)
    gap = kind.gap(value, question)
    if gap is not None:
        return f"None: {GAP_LABELS[gap].lower()}", ""
    placements = kind.placements(value, question, definition.scales)
    columns = dict.fromkeys(COLUMN_LABELS[column_of(p)] for p in placements)
    sub_headings = [SUB_HEADING_LABELS[p] for p in placements if p in SUB_HEADING_LABELS]
    return "; ".join(columns), "; ".join(sub_headings)


def _typed(value: Any, question: Question, definition: AuditTemplateDefinition) -> Any:
    """The answer as a spreadsheet's date or number, where it is one (else None)."""
    cell = answer_type(question).to_cell(value, question, definition.scales)
    if isinstance(cell, bool) or not isinstance(cell, int | float | date):
        return None
    return cell


def returns_rows(session: Session, panel: PanelAudit) -> Iterator[tuple[Any, ...]]:
    """A row per answer of every sent return, by child, agency and question order.

    The database sorts the rows and hands each value over as its JSON text; the words of an
    answer are worked out once for each question and value (a cohort repeats them)."""
    definition = panel.definition
    if definition is None or not panel.members:
        return
    asked = _asked(definition)
    question_order = case(
        {question_id: item.number for question_id, item in asked.items()},
        value=Answer.question_id,
        else_=0,
    )
    # Read through the connection: rows as plain tuples, without the ORM's bookkeeping.
    found = session.connection().execute(
        select(
            CohortMember.code,
            Agency.name,
            Answer.question_id,
            cast(Answer.value, Text),
            Answer.rationale,
        )
        .join(AgencyReturn, AgencyReturn.id == Answer.return_id)
        .join(CohortMember, CohortMember.id == AgencyReturn.member_id)
        .join(Agency, Agency.id == AgencyReturn.agency_id)
        .where(
            AgencyReturn.audit_id == panel.audit.id,
            AgencyReturn.status == ReturnStatus.SUBMITTED,
            CohortMember.removed_at.is_(None),
            asked_answers(definition),
        )
        .order_by(CohortMember.position, Agency.name, question_order, Answer.id)
    )
    words: dict[tuple[str, str], tuple[Any, ...] | None] = {}
    for code, agency, question_id, stored, rationale in found:
        key = (question_id, stored)
        said = words.get(key, False)
        if said is False:
            said = words[key] = _answer_words(asked.get(question_id), stored, definition)
        if said is not None:
            yield (code, agency, *said, rationale or "")


def _answer_words(
    item: _Asked | None, stored: str | None, definition: AuditTemplateDefinition
) -> tuple[Any, ...] | None:
    """What a row says of a question and its stored value (None: no row, as for a question
    no longer in the template or an answer left blank)."""
    if item is None or stored is None:
        return None
    value = json.loads(stored)
    if blank(value):
        return None
    question = item.question
    column, sub_heading = _placement_words(value, question, definition)
    return (
        item.section,
        item.number,
        question.text,
        answer_type(question).summary(value, question, definition.scales),
        _typed(value, question, definition),
        column,
        sub_heading,
    )


# --- Chronology ----------------------------------------------------------------------------

CHRONOLOGY_COLUMNS = [
    Column("Child", 10),
    Column("Date", 12, DATE),
    Column("Agency", 26),
    Column("What happened", 60, WRAPPED),
    Column("What the agency did", 60, WRAPPED),
    Column("Missed opportunity", 12),
]


def _chronology(session: Session, panel: PanelAudit) -> Iterator[tuple[Any, ...]]:
    codes = {member.id: member.code for member in panel.members}
    position = {member.id: n for n, member in enumerate(panel.members)}
    rows = session.execute(
        select(
            AgencyReturn.member_id,
            ChronologyEntry.happened_on,
            Agency.name,
            ChronologyEntry.what_happened,
            ChronologyEntry.agency_response,
            ChronologyEntry.missed_opportunity,
            ChronologyEntry.id,
        )
        .join(AgencyReturn, AgencyReturn.id == ChronologyEntry.return_id)
        .join(Agency, Agency.id == AgencyReturn.agency_id)
        .where(
            AgencyReturn.audit_id == panel.audit.id,
            AgencyReturn.status == ReturnStatus.SUBMITTED,
            AgencyReturn.member_id.in_(codes),
        )
    ).all()
    rows.sort(key=lambda row: (position[row[0]], row[1], row[2], row[6]))
    for member_id, day, agency, what, response, missed, _id in rows:
        yield (codes[member_id], day, agency, what, response, "Yes" if missed else "No")


# --- The board, agency summaries -----------------------------------------------------------

BOARD_COLUMNS = [
    Column("Signs of Safety column", 28),
    Column("Sub-heading", 24),
    Column("Answers", 12, NUMBER),
    Column("Agency summary items", 14, NUMBER),
    Column("Evidence items", 12, NUMBER),
    Column("All items", 12, NUMBER),
]


def _board(session: Session, panel: PanelAudit) -> Iterator[tuple[Any, ...]]:
    """Each column's counts as the board shows them with no filter; then the answers under
    each sub-heading the template gives."""
    board = read_board(session, panel, BoardFilters(), themes_of(session, panel.audit.id))
    for column in board.columns:
        yield (column.label, "All", column.answers, column.summaries, column.evidence, column.total)
    for column in board.columns:
        for sub_heading, count in column.by_sub_heading.items():
            yield (column.label, SUB_HEADING_LABELS[sub_heading], count, None, None, count)
    for gap, count in board.gaps.items():
        yield (f"None: {GAP_LABELS[gap].lower()}", "All", count, None, None, count)


SUMMARY_COLUMNS = [
    Column("Agency", 26),
    Column("Signs of Safety column", 28),
    Column("What the agency said", 80, WRAPPED),
]


def _summaries(session: Session, panel: PanelAudit) -> Iterator[tuple[Any, ...]]:
    rows = session.execute(
        select(Agency.name, SummaryItem.column, SummaryItem.text)
        .select_from(SummaryItem)
        .join(AgencySummary, AgencySummary.id == SummaryItem.summary_id)
        .join(Agency, Agency.id == AgencySummary.agency_id)
        .where(
            AgencySummary.audit_id == panel.audit.id,
            AgencySummary.submitted_at.is_not(None),
            AgencySummary.agency_id.in_([agency.id for agency in panel.agencies]),
        )
        .order_by(Agency.name, SummaryItem.column, SummaryItem.id)
    )
    for agency, column, text in rows:
        yield (agency, COLUMN_LABELS[column.value], text)


# --- Themes, findings, recommendations -----------------------------------------------------

THEME_COLUMNS = [
    Column("Theme", 30, WRAPPED),
    Column("Description", 60, WRAPPED),
    Column("Children it reaches", 12, NUMBER),
    Column("Agencies it reaches", 12, NUMBER),
    Column("Items tagged", 12, NUMBER),
    Column("In earlier audits", 40, WRAPPED),
]


def _themes(session: Session, panel: PanelAudit) -> Iterator[tuple[Any, ...]]:
    page = themes_page(session, panel.audit, panel.definition)
    for row in page.rows:
        yield (
            row.theme.name,
            row.theme.description,
            row.reach.children,
            row.reach.agencies,
            row.reach.items,
            row.recurring_words,
        )


FINDING_COLUMNS = [
    Column("Finding", 28),
    Column("Signs of Safety column", 26),
    Column("What the panel found", 80, WRAPPED),
    Column("Themes", 30, WRAPPED),
    Column("Recommendations", 16),
]


def _findings(session: Session, audit: Audit) -> Iterator[tuple[Any, ...]]:
    page = findings_page(session, audit)
    for column, rows in page.columns.items():
        for row in rows:
            yield (
                page.finding_label(row),
                COLUMN_LABELS[column],
                row.finding.text,
                "; ".join(row.theme_names),
                ", ".join(str(n) for n in row.recommendation_numbers),
            )


RECOMMENDATION_COLUMNS = [
    Column("Recommendation", 14, NUMBER),
    Column("What the panel recommends", 60, WRAPPED),
    Column("Action", 60, WRAPPED),
    Column("Success measure", 50, WRAPPED),
    Column("Lead agency", 24),
    Column("Owner", 24),
    Column("Target date", 12, DATE),
    Column("State", 18),
    Column("RAG", 10),
    Column("Days overdue", 10, NUMBER),
]


def _recommendations(session: Session, audit: Audit, today: date) -> Iterator[tuple[Any, ...]]:
    page = findings_page(session, audit)
    actions: dict[int, list[Action]] = {}
    for action in session.scalars(
        select(Action)
        .where(Action.audit_id == audit.id)
        .options(
            selectinload(Action.lead_agency),
            selectinload(Action.owner),
            selectinload(Action.updates),
            selectinload(Action.events),
        )
        .order_by(Action.id)
    ):
        actions.setdefault(action.recommendation_id, []).append(action)
    for row in page.recommendations:
        recommendation = row.recommendation
        mine = actions.get(recommendation.id, [])
        if not mine:
            yield (recommendation.number, recommendation.text, "No action yet", *[None] * 7)
        for action in mine:
            tracked = row_of(action, today)
            yield (
                recommendation.number,
                recommendation.text,
                action.description,
                action.success_measure,
                action.lead_agency.name if action.lead_agency else "",
                action.owner_words,
                action.target_date,
                action.state.label,
                tracked.rag.label if tracked.rag else "",
                tracked.days_overdue or None,
            )


# --- Grades --------------------------------------------------------------------------------

GRADE_COLUMNS = [
    Column("Child", 10),
    Column("Who graded", 30),
    Column("Question", 40, WRAPPED),
    Column("Grade", 24),
    Column("Why this grade", 70, WRAPPED),
]

AGREED = "The panel (agreed grade)"


def _grades(session: Session, panel: PanelAudit) -> Iterator[tuple[Any, ...]]:
    question = overall_question(panel.definition)
    if question is None:
        return
    scales = panel.scales
    codes = {member.id: member.code for member in panel.members}
    given: dict[int, list[tuple[str, Any, str | None]]] = {}
    for member_id, agency, value, rationale in session.execute(
        select(AgencyReturn.member_id, Agency.name, Answer.value, Answer.rationale)
        .join(AgencyReturn, AgencyReturn.id == Answer.return_id)
        .join(Agency, Agency.id == AgencyReturn.agency_id)
        .where(
            AgencyReturn.audit_id == panel.audit.id,
            AgencyReturn.status == ReturnStatus.SUBMITTED,
            AgencyReturn.member_id.in_(codes),
            Answer.question_id == question.id,
        )
        .order_by(Agency.name)
    ):
        if value not in (None, ""):
            given.setdefault(member_id, []).append((agency, value, rationale))
    agreed = {
        grade.member_id: grade
        for grade in session.scalars(select(AgreedGrade).where(AgreedGrade.member_id.in_(codes)))
    }
    for member in panel.members:
        for agency, value, rationale in given.get(member.id, []):
            yield (
                member.code,
                agency,
                question.text,
                grade_words(value, question, scales),
                rationale or "",
            )
        grade = agreed.get(member.id)
        if grade is not None:
            yield (
                member.code,
                AGREED,
                question.text,
                grade_words(grade.grade, question, scales),
                grade.rationale,
            )
