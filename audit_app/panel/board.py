"""The Signs of Safety board, with no Flask: every item of an audit in the three columns
(the answers of sent returns, the items of sent agency summaries, the evidence items), with
the Signs of Safety sub-headings inside each column where the template gives one, and the
"not known" and "does not apply" answers apart as gaps in knowledge (never worries); and
tagging an item with a theme.

Where an answer lands is never re-derived here: the column(s) are those the registry stored
on the answer (``Answer.columns``), the sub-headings are asked of the registry
(``answer_type(q).sub_headings``). As both depend only on the question and the value, the
answers are counted in one statement grouped by question, stored columns and (for questions
with set answers) value; each group is placed once in Python, and the page's own rows are
then fetched by the keys of the groups that land where the page looks. A fixed number of
statements, whatever the size of the audit, and never more than a page of rows.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import String, case, cast, exists, func, literal, literal_column, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from audit_app.agencies.models import Agency
from audit_app.cohort.models import CohortMember
from audit_app.core.errors import DomainError
from audit_app.panel.models import EvidenceItem, EvidenceSource, Theme, ThemeTag
from audit_app.panel.reading import PanelAudit, asked_answers
from audit_app.questionnaires.answer_types import answer_type
from audit_app.questionnaires.definitions import (
    COLUMN_LABELS,
    COLUMNS,
    GAP_LABELS,
    SUB_HEADING_LABELS,
    SUB_HEADINGS,
    Question,
    column_of,
)
from audit_app.questionnaires.models import SignsOfSafetyColumn
from audit_app.returns.models import (
    AgencyReturn,
    AgencySummary,
    Answer,
    ReturnStatus,
    SummaryItem,
)

PER_PAGE = 20
"""Items of each column on one page of the board."""

KINDS = {
    "answers": "Answers from the case files",
    "summaries": "Agency summaries",
    "evidence": "Other evidence",
}
"""The kinds of item on the board, as the filter names them."""

KIND_OF_TARGET = {"answer": "answers", "summary": "summaries", "evidence": "evidence"}
"""A tag form's ``kind`` (one item) and the kind of item it is."""

THEME_NAME_MAX = 200

# Filters a board address may carry (the tag forms send them back, to return to the page).
FILTER_KEYS = ("agency", "child", "section", "theme", "sub_heading", "kind", "column", "show")

_ANSWERED = object()
"""Stands for the value of an answer to a question without set answers whose stored columns
say it was answered: where such an answer lands does not depend on its words."""


# --- Filters -------------------------------------------------------------------------------


@dataclass(frozen=True)
class BoardFilters:
    agency: int | None = None
    child: int | None = None
    section: int | None = None
    """A section of the template, from 1."""
    theme: int | None = None
    sub_heading: str | None = None
    kind: str | None = None
    column: str | None = None
    show: str | None = None
    """"gaps": list the gaps in knowledge instead of the columns."""
    page: int = 1

    @property
    def narrowed(self) -> bool:
        """Whether any filter narrows the items (paging and showing aside)."""
        return any(
            value is not None
            for value in (
                self.agency,
                self.child,
                self.section,
                self.theme,
                self.sub_heading,
                self.kind,
            )
        )

    def args(self, **changes: Any) -> dict[str, Any]:
        """The filters as an address's query (without empty ones and page 1)."""
        chosen = replace(self, **changes)
        found: dict[str, Any] = {
            key: getattr(chosen, key)
            for key in FILTER_KEYS
            if getattr(chosen, key) not in (None, "")
        }
        if chosen.page > 1:
            found["page"] = chosen.page
        return found

    def includes(self, kind: str) -> bool:
        """Whether items of ``kind`` can be on the board with these filters: summaries and
        evidence are not about one child, nor in a section, nor under a sub-heading."""
        if self.kind is not None and self.kind != kind:
            return False
        return kind == "answers" or (
            self.child is None and self.section is None and self.sub_heading is None
        )


def whole_number(raw: Any) -> int | None:
    try:
        number = int(str(raw).strip())
    except (TypeError, ValueError):
        return None
    return number if number > 0 else None


def read_filters(
    args: Mapping[str, Any], panel: PanelAudit, theme_ids: Sequence[int]
) -> BoardFilters:
    """The filters an address asks for; anything unknown is left out (never an error)."""
    sections = len(panel.definition.sections) if panel.definition else 0
    agency = whole_number(args.get("agency"))
    child = whole_number(args.get("child"))
    section = whole_number(args.get("section"))
    theme = whole_number(args.get("theme"))
    sub_heading = args.get("sub_heading") or None
    kind = args.get("kind") or None
    column = args.get("column") or None
    show = args.get("show") or None
    return BoardFilters(
        agency=agency if agency is not None and panel.agency(agency) else None,
        child=child if child is not None and panel.member(child) else None,
        section=section if section is not None and section <= sections else None,
        theme=theme if theme in theme_ids else None,
        sub_heading=sub_heading if sub_heading in SUB_HEADINGS else None,
        kind=kind if kind in KINDS else None,
        column=column if column in COLUMNS else None,
        show=show if show == "gaps" else None,
        page=min(whole_number(args.get("page")) or 1, 100_000),
    )


# --- Where each group of answers lands ------------------------------------------------------


@dataclass(frozen=True)
class Placement:
    """Where the answers to one question with one stored placement land."""

    columns: tuple[str, ...]
    sub_headings: tuple[str, ...]
    gap: str | None

    def sub_heading_in(self, column: str) -> str | None:
        return next((s for s in self.sub_headings if column_of(s) == column), None)


def place(
    question: Question | None, value: Any, stored_columns: Sequence[str], scales: Any
) -> Placement:
    """Where an answer lands on the board: its stored columns, the sub-headings the registry
    gives within them, or the gap it is (then in no column)."""
    columns = tuple(c for c in stored_columns if c in COLUMNS)
    if question is None:
        return Placement(columns, (), None)
    kind = answer_type(question)
    if not columns:
        gap = kind.gap(value, question) if value is not _ANSWERED else None
        return Placement((), (), gap)
    shown = "answered" if value is _ANSWERED else value
    sub_headings = tuple(
        s for s in kind.sub_headings(shown, question, scales) if column_of(s) in columns
    )
    return Placement(columns, sub_headings, None)


@dataclass(frozen=True)
class Group:
    question_id: str
    value_key: str | None
    columns_key: str
    count: int
    placement: Placement


# --- The statements ------------------------------------------------------------------------


@dataclass(frozen=True)
class Layout:
    """What the template says about where its questions' answers land, as far as the
    statements need it (worked out from the registry, once per page)."""

    value_dependent: tuple[str, ...]
    """Questions whose answers' sub-heading depends on the answer chosen."""
    fixed: dict[str, str]
    """Questions whose every answer lands under one sub-heading: that sub-heading."""
    gap_questions: tuple[str, ...]
    """Questions that offer "not known" or "does not apply"."""


def layout_of(panel: PanelAudit) -> Layout:
    value_dependent, fixed, gaps = [], {}, []
    for question in panel.definition.questions if panel.definition else []:
        kind = answer_type(question)
        choices = kind.choices(question, panel.scales)
        # A question that can be answered with a gap: one that offers "not known" or "does
        # not apply" (a yes/no/not known question offers "not known" among its own answers).
        if choices is not None and any(kind.gap(c.value, question) for c in choices):
            gaps.append(question.id)
        if question.column is not None:
            if question.column in SUB_HEADINGS:
                fixed[question.id] = question.column
        elif choices is not None and any(
            kind.sub_headings(choice.value, question, panel.scales) for choice in choices
        ):
            value_dependent.append(question.id)
    return Layout(tuple(value_dependent), fixed, tuple(gaps))


def _columns_key() -> ColumnElement[Any]:
    return cast(Answer.columns, String)


def _value_key(layout: Layout) -> ColumnElement[Any]:
    """The value as stored text where it decides the sub-heading, NULL elsewhere: the
    answers of the other questions group by question and stored columns alone."""
    if not layout.value_dependent:
        return literal(None, String)
    return case(
        (Answer.question_id.in_(layout.value_dependent), cast(Answer.value, String)), else_=None
    )


GAP_VALUES = {gap: json.dumps(gap) for gap in GAP_LABELS}
"""The gap answers ("not known", "does not apply") as a value is stored."""


def _is_gap(layout: Layout, gap: str | None = None) -> ColumnElement[bool]:
    """An answer that is a gap in knowledge: in no column, to a question that offers the
    gap, answering it."""
    values = [GAP_VALUES[gap]] if gap else list(GAP_VALUES.values())
    return (
        (_columns_key() == "[]")
        & Answer.question_id.in_(layout.gap_questions)
        & cast(Answer.value, String).in_(values)
    )


def _in_column(column: str) -> ColumnElement[bool]:
    """Whether the stored columns name ``column`` (a pattern written out, not built for
    each row: "_" matches itself, as any one character)."""
    return _columns_key().like(literal_column(f"'%\"{column}\"%'"))


def _section_question_ids(panel: PanelAudit, section: int) -> list[str]:
    if panel.definition is None:
        return []
    return [q.id for q in panel.definition.sections[section - 1].questions]


def _answer_where(panel: PanelAudit, filters: BoardFilters) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = [
        AgencyReturn.audit_id == panel.audit.id,
        AgencyReturn.status == ReturnStatus.SUBMITTED,
        AgencyReturn.member_id.in_(panel.member_ids),
        asked_answers(panel.definition),
    ]
    if filters.agency is not None:
        where.append(AgencyReturn.agency_id == filters.agency)
    if filters.child is not None:
        where.append(AgencyReturn.member_id == filters.child)
    if filters.section is not None:
        where.append(Answer.question_id.in_(_section_question_ids(panel, filters.section)))
    if filters.theme is not None:
        where.append(
            Answer.id.in_(
                select(ThemeTag.answer_id).where(
                    ThemeTag.theme_id == filters.theme, ThemeTag.answer_id.is_not(None)
                )
            )
        )
    return where


def column_counts(
    session: Session, panel: PanelAudit, filters: BoardFilters, layout: Layout
) -> tuple[dict[str, int], dict[str, int]]:
    """The answers the filters keep in each column (as stored: one in two columns counts in
    both), and the gaps in knowledge by gap: one pass over the answers, no grouping."""
    sums = [func.sum(case((_in_column(column), 1), else_=0)) for column in COLUMNS]
    if layout.gap_questions:
        sums += [func.sum(case((_is_gap(layout, gap), 1), else_=0)) for gap in GAP_VALUES]
    row = session.execute(
        select(*sums)
        .select_from(Answer)
        .join(AgencyReturn, AgencyReturn.id == Answer.return_id)
        .where(*_answer_where(panel, filters))
    ).one()
    counts = [int(n or 0) for n in row] + [0] * (len(COLUMNS) + len(GAP_VALUES) - len(row))
    return (
        dict(zip(COLUMNS, counts[: len(COLUMNS)], strict=True)),
        dict(zip(GAP_VALUES, counts[len(COLUMNS) :], strict=True)),
    )


def answer_groups(
    session: Session, panel: PanelAudit, filters: BoardFilters, layout: Layout
) -> list[Group]:
    """The answers the filters keep to the questions whose answers land under a
    sub-heading, counted by question, stored columns and (where it decides) value, each
    group placed by the registry (one statement, over those questions only)."""
    value_key = _value_key(layout).label("value_key")
    columns_key = _columns_key().label("columns_key")
    rows = session.execute(
        select(Answer.question_id, value_key, columns_key, func.count())
        .join(AgencyReturn, AgencyReturn.id == Answer.return_id)
        .where(
            *_answer_where(panel, filters),
            Answer.question_id.in_([*layout.fixed, *layout.value_dependent]),
        )
        # By the output columns' names: PostgreSQL would not match the expressions, whose
        # parameters are bound apart in each clause.
        .group_by(Answer.question_id, literal_column("value_key"), literal_column("columns_key"))
    )
    definition = panel.definition
    groups = []
    for question_id, value_text, columns_text, count in rows:
        question = definition.question(question_id) if definition else None
        value = json.loads(value_text) if value_text is not None else _ANSWERED
        stored_columns = json.loads(columns_text) if columns_text else []
        placement = place(question, value, stored_columns or [], panel.scales)
        groups.append(Group(question_id, value_text, columns_text or "", count, placement))
    return groups


def _summary_where(panel: PanelAudit, filters: BoardFilters) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = [
        AgencySummary.audit_id == panel.audit.id,
        AgencySummary.submitted_at.is_not(None),
        AgencySummary.agency_id.in_([agency.id for agency in panel.agencies]),
    ]
    if filters.agency is not None:
        where.append(AgencySummary.agency_id == filters.agency)
    if filters.theme is not None:
        where.append(
            exists().where(
                ThemeTag.summary_item_id == SummaryItem.id, ThemeTag.theme_id == filters.theme
            )
        )
    return where


def _evidence_where(panel: PanelAudit, filters: BoardFilters) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = [EvidenceItem.audit_id == panel.audit.id]
    if filters.agency is not None:
        where.append(EvidenceSource.agency_id == filters.agency)
    if filters.theme is not None:
        where.append(
            exists().where(
                ThemeTag.evidence_item_id == EvidenceItem.id, ThemeTag.theme_id == filters.theme
            )
        )
    return where


# --- What the board shows ------------------------------------------------------------------


@dataclass(frozen=True)
class Tag:
    id: int
    theme_id: int
    theme: str


@dataclass
class BoardItem:
    kind: str
    """"answer", "summary" or "evidence" (what a tag form names)."""
    id: int
    column: str | None
    words: str
    """What it says: an answer in words, a summary item's or evidence item's text."""
    question: str | None = None
    rationale: str | None = None
    agency: str | None = None
    child: str | None = None
    section: str | None = None
    source: str | None = None
    is_quote: bool = False
    count: int | None = None
    sub_heading: str | None = None
    gap: str | None = None
    tags: list[Tag] = field(default_factory=list)

    @property
    def anchor(self) -> str:
        return f"{self.kind}-{self.id}" + (f"-{self.column}" if self.column else "")

    @property
    def sub_heading_label(self) -> str | None:
        return SUB_HEADING_LABELS.get(self.sub_heading or "")

    @property
    def gap_label(self) -> str | None:
        return GAP_LABELS.get(self.gap or "")


@dataclass
class SubHeadingGroup:
    sub_heading: str | None
    items: list[BoardItem]

    @property
    def label(self) -> str:
        return SUB_HEADING_LABELS.get(self.sub_heading or "", "Not under a sub-heading")


@dataclass
class BoardColumn:
    column: str
    answers: int = 0
    summaries: int = 0
    evidence: int = 0
    by_sub_heading: dict[str, int] = field(default_factory=dict)
    """Answers under each sub-heading of this column (those the template gives)."""
    items: list[BoardItem] = field(default_factory=list)

    @property
    def label(self) -> str:
        return COLUMN_LABELS[self.column]

    @property
    def total(self) -> int:
        return self.answers + self.summaries + self.evidence

    @property
    def sub_headings(self) -> list[str]:
        return [s for s, column in SUB_HEADINGS.items() if column == self.column]

    @property
    def groups(self) -> list[SubHeadingGroup]:
        """The page's items by sub-heading, in the framework's order (items without one
        last)."""
        found: list[SubHeadingGroup] = []
        for item in self.items:
            if found and found[-1].sub_heading == item.sub_heading:
                found[-1].items.append(item)
            else:
                found.append(SubHeadingGroup(item.sub_heading, [item]))
        return found


@dataclass
class Board:
    filters: BoardFilters
    columns: list[BoardColumn]
    gaps: dict[str, int]
    """Gap answers the filters keep, by gap ("not_known", "does_not_apply")."""
    gap_items: list[BoardItem]
    themes: list[tuple[int, str]]
    pages: int
    excluded: list[str]
    """The kinds of item these filters leave out, in words (to say so on the page)."""

    @property
    def gaps_total(self) -> int:
        return sum(self.gaps.values())

    @property
    def total(self) -> int:
        return sum(column.total for column in self.columns)

    @property
    def shown_columns(self) -> list[BoardColumn]:
        if self.filters.column is None:
            return self.columns
        return [c for c in self.columns if c.column == self.filters.column]


def _sub_heading_rank(column: str, sub_heading: str | None) -> int:
    order = [s for s, c in SUB_HEADINGS.items() if c == column]
    return order.index(sub_heading) if sub_heading in order else len(order)


def themes_of(session: Session, audit_id: int) -> list[tuple[int, str]]:
    """The audit's themes as (id, name), by name (one statement)."""
    return [
        (theme_id, name)
        for theme_id, name in session.execute(
            select(Theme.id, Theme.name).where(Theme.audit_id == audit_id).order_by(Theme.name)
        )
    ]


def read_board(
    session: Session,
    panel: PanelAudit,
    filters: BoardFilters,
    themes: list[tuple[int, str]],
) -> Board:
    """The board for these filters: counts per column and sub-heading (all items the
    filters keep), and one page of items of each column shown (or of the gaps)."""
    columns = {column: BoardColumn(column) for column in COLUMNS}
    gaps: Counter[str] = Counter()

    # Answers: counted in each column in one pass; those under a sub-heading grouped and
    # placed by the registry.
    layout = layout_of(panel)
    under_filter: list[Group] = []
    """The groups of questions whose sub-heading depends on the value that land under the
    sub-heading filtered by (to fetch their answers by question and value)."""
    if filters.includes("answers"):
        if filters.sub_heading is None:
            in_columns, gap_counts = column_counts(session, panel, filters, layout)
            for column, count in in_columns.items():
                columns[column].answers = count
            gaps.update({gap: n for gap, n in gap_counts.items() if n})
        for group in answer_groups(session, panel, filters, layout):
            for column in group.placement.columns:
                sub_heading = group.placement.sub_heading_in(column)
                if sub_heading is None:
                    continue
                if filters.sub_heading not in (None, sub_heading):
                    continue
                counts = columns[column].by_sub_heading
                counts[sub_heading] = counts.get(sub_heading, 0) + group.count
                if sub_heading == filters.sub_heading:
                    columns[column].answers += group.count
                    if group.question_id in layout.value_dependent:
                        under_filter.append(group)

    # Agency summaries and evidence items: counted by column.
    if filters.includes("summaries"):
        for column, count in session.execute(
            select(SummaryItem.column, func.count())
            .join(AgencySummary, AgencySummary.id == SummaryItem.summary_id)
            .where(*_summary_where(panel, filters))
            .group_by(SummaryItem.column)
        ):
            columns[column.value].summaries = count
    if filters.includes("evidence"):
        for column, count in session.execute(
            select(EvidenceItem.column, func.count())
            .join(EvidenceSource, EvidenceSource.id == EvidenceItem.source_id)
            .where(*_evidence_where(panel, filters))
            .group_by(EvidenceItem.column)
        ):
            columns[column.value].evidence = count

    offset = (filters.page - 1) * PER_PAGE
    gap_items: list[BoardItem] = []
    if filters.show == "gaps":
        pages = max(1, -(-sum(gaps.values()) // PER_PAGE))
        gap_items = _answer_items(session, panel, filters, _is_gap(layout), None, offset, PER_PAGE)
    else:
        shown = [filters.column] if filters.column else list(COLUMNS)
        pages = max(1, *(-(-columns[c].total // PER_PAGE) for c in shown))
        for column in shown:
            board_column = columns[column]
            items: list[BoardItem] = []
            # The column's list is its answers, then summary items, then evidence items.
            start, stop = offset, offset + PER_PAGE
            answers = (start, min(stop, board_column.answers))
            items += _answer_items(
                session,
                panel,
                filters,
                _column_where(column, filters, layout, under_filter),
                column,
                answers[0],
                max(0, answers[1] - answers[0]),
            )
            start_s = max(0, start - board_column.answers)
            stop_s = min(board_column.summaries, stop - board_column.answers)
            items += _summary_items(
                session, panel, filters, column, start_s, max(0, stop_s - start_s)
            )
            before = board_column.answers + board_column.summaries
            start_e = max(0, start - before)
            stop_e = min(board_column.evidence, stop - before)
            items += _evidence_items(
                session, panel, filters, column, start_e, max(0, stop_e - start_e)
            )
            board_column.items = items
    _add_tags(session, [item for c in columns.values() for item in c.items] + gap_items)
    excluded = [
        words
        for kind, words in KINDS.items()
        if not filters.includes(kind) and (filters.kind is None)
    ]
    return Board(
        filters,
        list(columns.values()),
        dict(gaps),
        gap_items,
        themes,
        pages,
        excluded,
    )


def _column_where(
    column: str, filters: BoardFilters, layout: Layout, under_filter: list[Group]
) -> ColumnElement[bool]:
    """The answers in a column (as stored), and under the sub-heading filtered by: every
    answer to a question whose answers all land under it, and the answers with the values
    that do to a question where that depends on the value."""
    where = _in_column(column)
    if filters.sub_heading is None:
        return where
    fixed = [q for q, sub_heading in layout.fixed.items() if sub_heading == filters.sub_heading]
    keys = sorted({f"{group.question_id}\x1f{group.value_key}" for group in under_filter})
    by_value = Answer.question_id + literal("\x1f") + cast(Answer.value, String)
    return where & (
        Answer.question_id.in_(fixed)
        | (Answer.question_id.in_(layout.value_dependent) & by_value.in_(keys))
    )


def _answer_items(
    session: Session,
    panel: PanelAudit,
    filters: BoardFilters,
    where: ColumnElement[bool],
    column: str | None,
    offset: int,
    limit: int,
) -> list[BoardItem]:
    """One page of the answers the filters and ``where`` keep, in the order they were
    written (a return's answers together), placed by the registry and put under their
    sub-headings within the page: one statement, even for none."""
    if not filters.includes("answers"):
        return []
    page = (
        select(Answer.id)
        .join(AgencyReturn, AgencyReturn.id == Answer.return_id)
        .where(*_answer_where(panel, filters), where)
        .order_by(Answer.id)
        .offset(offset)
        .limit(max(0, limit))
        .subquery()
    )
    rows = session.execute(
        select(
            Answer.id,
            Answer.question_id,
            Answer.value,
            Answer.columns,
            Answer.rationale,
            CohortMember.code,
            Agency.name,
        )
        .join(page, page.c.id == Answer.id)
        .join(AgencyReturn, AgencyReturn.id == Answer.return_id)
        .join(CohortMember, CohortMember.id == AgencyReturn.member_id)
        .join(Agency, Agency.id == AgencyReturn.agency_id)
        .order_by(Answer.id)
    )
    definition = panel.definition
    sections = (
        {q.id: section.title for section in definition.sections for q in section.questions}
        if definition
        else {}
    )
    items = []
    for answer_id, question_id, value, stored_columns, rationale, code, agency in rows:
        question = definition.question(question_id) if definition else None
        placement = place(question, value, stored_columns or [], panel.scales)
        words = (
            answer_type(question).summary(value, question, panel.scales)
            if question is not None
            else str(value)
        )
        items.append(
            BoardItem(
                kind="answer",
                id=answer_id,
                column=column,
                words=words,
                question=question.text if question else question_id,
                rationale=rationale or None,
                agency=agency,
                child=code,
                section=sections.get(question_id),
                sub_heading=placement.sub_heading_in(column) if column else None,
                gap=placement.gap,
            )
        )
    if column is not None:  # under their sub-headings, in the framework's order
        items.sort(key=lambda item: _sub_heading_rank(column, item.sub_heading))
    return items


def _summary_items(
    session: Session,
    panel: PanelAudit,
    filters: BoardFilters,
    column: str,
    offset: int,
    limit: int,
) -> list[BoardItem]:
    # Run even for no rows, so that a page runs as many statements whatever the cohort.
    if not filters.includes("summaries"):
        return []
    rows = session.execute(
        select(SummaryItem.id, SummaryItem.text, Agency.name)
        .join(AgencySummary, AgencySummary.id == SummaryItem.summary_id)
        .join(Agency, Agency.id == AgencySummary.agency_id)
        .where(*_summary_where(panel, filters), SummaryItem.column == _column_enum(column))
        .order_by(Agency.name, SummaryItem.position, SummaryItem.id)
        .offset(offset)
        .limit(max(0, limit))
    )
    return [
        BoardItem(kind="summary", id=item_id, column=column, words=text, agency=agency)
        for item_id, text, agency in rows
    ]


def _evidence_items(
    session: Session,
    panel: PanelAudit,
    filters: BoardFilters,
    column: str,
    offset: int,
    limit: int,
) -> list[BoardItem]:
    # Run even for no rows, so that a page runs as many statements whatever the cohort.
    if not filters.includes("evidence"):
        return []
    rows = session.execute(
        select(
            EvidenceItem.id,
            EvidenceItem.text,
            EvidenceItem.is_quote,
            EvidenceItem.count,
            EvidenceSource.title,
            Agency.name,
        )
        .join(EvidenceSource, EvidenceSource.id == EvidenceItem.source_id)
        .outerjoin(Agency, Agency.id == EvidenceSource.agency_id)
        .where(*_evidence_where(panel, filters), EvidenceItem.column == _column_enum(column))
        .order_by(EvidenceSource.id, EvidenceItem.position, EvidenceItem.id)
        .offset(offset)
        .limit(max(0, limit))
    )
    return [
        BoardItem(
            kind="evidence",
            id=item_id,
            column=column,
            words=text,
            source=title,
            agency=agency,
            is_quote=is_quote,
            count=count,
        )
        for item_id, text, is_quote, count, title, agency in rows
    ]


def _column_enum(column: str) -> SignsOfSafetyColumn:
    return SignsOfSafetyColumn(column)


def _add_tags(session: Session, items: list[BoardItem]) -> None:
    """The theme tags of the page's items (one statement, whatever the page holds)."""
    by_target: dict[tuple[str, int], list[BoardItem]] = {}
    for item in items:
        by_target.setdefault((item.kind, item.id), []).append(item)
    ids = {kind: [i for k, i in by_target if k == kind] for kind in KIND_OF_TARGET}
    rows = session.execute(
        select(
            ThemeTag.id,
            ThemeTag.theme_id,
            Theme.name,
            ThemeTag.answer_id,
            ThemeTag.summary_item_id,
            ThemeTag.evidence_item_id,
        )
        .join(Theme, Theme.id == ThemeTag.theme_id)
        .where(
            ThemeTag.answer_id.in_(ids["answer"])
            | ThemeTag.summary_item_id.in_(ids["summary"])
            | ThemeTag.evidence_item_id.in_(ids["evidence"])
        )
        .order_by(Theme.name)
    )
    for tag_id, theme_id, name, answer_id, summary_item_id, evidence_item_id in rows:
        if answer_id is not None:
            target = ("answer", answer_id)
        elif summary_item_id is not None:
            target = ("summary", summary_item_id)
        else:
            target = ("evidence", evidence_item_id)
        for item in by_target.get(target, []):
            item.tags.append(Tag(tag_id, theme_id, name))


def item_tags(session: Session, kind: str, item_id: int) -> list[Tag]:
    """One item's tags (for the page's script, after a change)."""
    item = BoardItem(kind=kind, id=item_id, column=None, words="")
    _add_tags(session, [item])
    return item.tags


# --- Tagging ---------------------------------------------------------------------------------


class NotInAudit(LookupError):
    """An item or theme named in a form is not one of this audit's (the page says 404)."""


class TagProblem(DomainError):
    """A tag cannot be added as asked; ``field`` is "theme" or "new_theme"."""


@dataclass(frozen=True)
class Tagged:
    theme_id: int
    theme: str
    created_theme: bool
    already: bool


def _target_column(kind: str) -> Any:
    return {
        "answer": ThemeTag.answer_id,
        "summary": ThemeTag.summary_item_id,
        "evidence": ThemeTag.evidence_item_id,
    }[kind]


def check_item(session: Session, panel: PanelAudit, kind: str, item_id: int) -> None:
    """Raise :class:`NotInAudit` unless the item is on this audit's board."""
    if kind == "answer":
        found = session.scalar(
            select(Answer.id)
            .join(AgencyReturn, AgencyReturn.id == Answer.return_id)
            .where(
                Answer.id == item_id,
                AgencyReturn.audit_id == panel.audit.id,
                AgencyReturn.status == ReturnStatus.SUBMITTED,
                asked_answers(panel.definition),
            )
        )
    elif kind == "summary":
        found = session.scalar(
            select(SummaryItem.id)
            .join(AgencySummary, AgencySummary.id == SummaryItem.summary_id)
            .where(
                SummaryItem.id == item_id,
                AgencySummary.audit_id == panel.audit.id,
                AgencySummary.submitted_at.is_not(None),
            )
        )
    elif kind == "evidence":
        found = session.scalar(
            select(EvidenceItem.id).where(
                EvidenceItem.id == item_id, EvidenceItem.audit_id == panel.audit.id
            )
        )
    else:
        found = None
    if found is None:
        raise NotInAudit(kind)


def _same_name(name: str) -> str:
    return " ".join(name.split()).casefold()


def tag_item(
    session: Session,
    panel: PanelAudit,
    kind: str,
    item_id: int,
    theme_id: int | None,
    new_theme: str,
    user_id: int | None,
) -> Tagged:
    """Tag an item of this audit with one of its themes, or with a new theme named here.
    Tagging an item twice with a theme changes nothing."""
    check_item(session, panel, kind, item_id)
    name = " ".join((new_theme or "").split())
    if name and theme_id is not None:
        raise TagProblem("Choose a theme from the list or name a new theme, not both", "new_theme")
    if not name and theme_id is None:
        raise TagProblem("Choose a theme, or name a new theme", "theme")
    created = False
    if name:
        if len(name) > THEME_NAME_MAX:
            raise TagProblem(
                f"The new theme's name must be {THEME_NAME_MAX} characters or fewer",
                "new_theme",
            )
        existing = session.execute(
            select(Theme.id, Theme.name).where(Theme.audit_id == panel.audit.id)
        ).all()
        for _, used in existing:
            if _same_name(used) == _same_name(name):
                raise TagProblem(
                    f"There is already a theme called '{used}': choose it from the list",
                    "new_theme",
                )
        # No savepoint around the insert: on SQLite the request's first write begins its
        # transaction again holding the write lock, which would end a savepoint taken
        # before it. The names were checked just above; a theme named at the same moment
        # by someone else is refused by the unique constraint: this request's work is
        # rolled back (it has done nothing else) and the person told.
        theme = Theme(audit_id=panel.audit.id, name=name)
        session.add(theme)
        try:
            session.flush()
        except IntegrityError:
            session.rollback()
            raise TagProblem(
                f"Someone else has just added a theme called '{name}': choose it from the list",
                "new_theme",
            ) from None
        created = True
        theme_id, theme_name = theme.id, theme.name
    else:
        found = session.execute(
            select(Theme.id, Theme.name).where(
                Theme.id == theme_id, Theme.audit_id == panel.audit.id
            )
        ).first()
        if found is None:
            raise NotInAudit("theme")
        theme_id, theme_name = found
    target = _target_column(kind)
    already = session.scalar(
        select(ThemeTag.id).where(ThemeTag.theme_id == theme_id, target == item_id)
    )
    if already is None:
        # (No savepoint: see above.) The same tag added at the same moment by someone else
        # is refused by the unique index: the item is tagged, as was asked. The theme is
        # not new then (a theme made here has no one else's tags), so nothing is lost.
        session.add(ThemeTag(theme_id=theme_id, tagged_by_id=user_id, **{target.key: item_id}))
        try:
            session.flush()
        except IntegrityError:
            session.rollback()
            return Tagged(theme_id, theme_name, False, True)
    return Tagged(theme_id, theme_name, created, already is not None)


@dataclass(frozen=True)
class Untagged:
    kind: str
    item_id: int
    theme: str


def untag(session: Session, panel: PanelAudit, tag_id: int) -> Untagged:
    """Take a tag off an item (:class:`NotInAudit` for a tag of another audit)."""
    tag = session.get(ThemeTag, tag_id)
    theme = session.get(Theme, tag.theme_id) if tag is not None else None
    if tag is None or theme is None or theme.audit_id != panel.audit.id:
        raise NotInAudit("tag")
    if tag.answer_id is not None:
        kind, item_id = "answer", tag.answer_id
    elif tag.summary_item_id is not None:
        kind, item_id = "summary", tag.summary_item_id
    elif tag.evidence_item_id is not None:
        kind, item_id = "evidence", tag.evidence_item_id
    else:
        raise NotInAudit("tag")  # a chronology entry's tag is not the board's
    session.delete(tag)
    session.flush()
    return Untagged(kind, item_id, theme.name)


# --- The page's controls ---------------------------------------------------------------------


def filter_choices(
    panel: PanelAudit, filters: BoardFilters, themes: Sequence[tuple[int, str]]
) -> dict[str, list[dict[str, Any]]]:
    """The options of each filter's select, the chosen one selected."""

    def items(
        chosen: Any, pairs: Sequence[tuple[Any, str]], none_text: str
    ) -> list[dict[str, Any]]:
        return [{"value": "", "text": none_text}] + [
            {"value": str(value), "text": text, "selected": value == chosen}
            for value, text in pairs
        ]

    sections = panel.definition.sections if panel.definition else ()
    return {
        "agency": items(filters.agency, [(a.id, a.name) for a in panel.agencies], "Every agency"),
        "child": items(filters.child, [(m.id, m.code) for m in panel.members], "Every child"),
        "section": items(
            filters.section,
            [(n, s.title) for n, s in enumerate(sections, 1)],
            "Every section",
        ),
        "theme": items(filters.theme, list(themes), "Any theme, or none"),
        "sub_heading": items(
            filters.sub_heading,
            [
                (key, f"{COLUMN_LABELS[SUB_HEADINGS[key]]}: {words}")
                for key, words in SUB_HEADING_LABELS.items()
            ],
            "Every sub-heading, and none",
        ),
        "kind": items(filters.kind, list(KINDS.items()), "Every kind"),
        "column": items(filters.column, list(COLUMN_LABELS.items()), "All three columns"),
    }


def page_numbers(current: int, pages: int) -> list[int | None]:
    """The page numbers a pager shows: the first, the last, and those next to the current
    one, with None for each gap between them."""
    wanted = sorted({1, pages, current - 1, current, current + 1} & set(range(1, pages + 1)))
    found: list[int | None] = []
    for number in wanted:
        if found and found[-1] is not None and number - found[-1] > 1:
            found.append(None)
        found.append(number)
    return found
