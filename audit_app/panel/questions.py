"""The panel's answers by question, with no Flask: how the sent returns answered each
question (counts per Signs of Safety column, gaps in knowledge apart, a fact's own figures),
the percentage good or better for graded questions, overall and per agency, and the same
percentage in an earlier audit of the same template.

Every figure comes from the answer types' ``aggregate`` (the one registry): nothing here
branches on an answer type. The answers are read in one grouped statement (a count per
question, agency and stored value; a count alone for free text, whose every value differs),
never as one object per answer, so a page stays quick at 90,000 answers.

Only sent (submitted) returns of the children in the cohort now count.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, fields, replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import Text, and_, cast, func, or_, select
from sqlalchemy.orm import Session, defer

from audit_app.agencies.models import Agency
from audit_app.audits.models import Audit
from audit_app.cohort.models import CohortMember
from audit_app.panel.reading import SHARED_STATUSES, PanelAudit, asked_answers
from audit_app.questionnaires.answer_types import Aggregate, AnswerType, answer_type
from audit_app.questionnaires.definitions import (
    COLUMN_LABELS,
    COLUMNS,
    AuditTemplateDefinition,
    Question,
    Scale,
    Section,
    placement_label,
)
from audit_app.questionnaires.library import definition_of
from audit_app.questionnaires.models import AuditTemplateVersion
from audit_app.returns.models import AgencyReturn, Answer, ReturnStatus

Scales = dict[str, Scale]
GOOD_COLUMN = "working_well"
"""Where a grade lands when it is good or better: the template's scale (or the question's
own ``maps``) says which levels land there (Ofsted Outstanding and Good; 7 to 10 on the
0-10 safety scale; Green on RAG)."""

BLANK_TEXTS = ("null", '""', "[]")
"""Stored values (as JSON text) that mean "not answered"."""

FIGURE_WORDS = {
    "minimum": "Lowest",
    "maximum": "Highest",
    "median": "Median",
    "earliest": "Earliest",
    "latest": "Latest",
    "entries": "Entries",
}
"""Words for an aggregate's own figures (beyond the answered count, columns and gaps)."""
WITH_UNIT = frozenset({"minimum", "maximum", "median"})
BASE_FIELDS = frozenset({"answered", "columns", "gaps"})
ADDITIVE_TYPES = frozenset({"int", "dict[str, int]"})


# --- Good or better ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Share:
    """How many answers were good or better, out of the answers that gave a grade (gaps in
    knowledge and "does not apply" left out)."""

    good: int
    out_of: int

    @property
    def percent(self) -> int | None:
        """The share as a whole percentage (halves rounded up); None with no grades."""
        if not self.out_of:
            return None
        return (200 * self.good + self.out_of) // (2 * self.out_of)

    @property
    def words(self) -> str:
        if self.percent is None:
            return "No grades"
        return f"{self.percent}% ({self.good} of {self.out_of})"


def is_graded(question: Question, scales: Scales) -> bool:
    """Whether the question's answers are grades: levels of one of the template's scales
    (the registry says the possible answers; the question says its scale)."""
    return (
        not question.is_fact
        and question.scale is not None
        and question.scale in scales
        and answer_type(question).choices(question, scales) is not None
    )


def good_or_better(aggregate: Aggregate) -> Share:
    """The answers whose grade lands in the working-well column, out of every answer
    but the gaps ("not known", "does not apply")."""
    out_of = aggregate.answered - sum(aggregate.gaps.values())
    return Share(aggregate.columns.get(GOOD_COLUMN, 0), max(out_of, 0))


# --- Aggregating counted values -----------------------------------------------------------------


def _additive(aggregate: Aggregate) -> bool:
    """Whether every figure of this kind of aggregate is a count (so that the aggregate of
    many answers is the sum of each answer's)."""
    return all(str(f.type) in ADDITIVE_TYPES for f in fields(aggregate))


def _repeated(counted: Iterable[tuple[Any, int]]) -> Iterator[Any]:
    for value, count in counted:
        for _ in range(count):
            yield value


def aggregate_counted(
    question: Question, scales: Scales, counted: Iterable[tuple[Any, int]]
) -> Aggregate:
    """``aggregate`` of the answers given as (stored value, how many gave it): the same as
    the aggregate of every answer, without repeating each value when every figure is a count
    (then each distinct value is aggregated once and its figures multiplied)."""
    kind: AnswerType = answer_type(question)
    counted = [(value, count) for value, count in counted if count > 0]
    base = kind.aggregate([], question, scales)
    if not _additive(base):
        return kind.aggregate(_repeated(counted), question, scales)
    totals: dict[str, Any] = {
        f.name: dict(getattr(base, f.name))
        if isinstance(getattr(base, f.name), dict)
        else getattr(base, f.name)
        for f in fields(base)
    }
    for value, count in counted:
        part = kind.aggregate([value], question, scales)
        for name, total in totals.items():
            figure = getattr(part, name)
            if isinstance(total, dict):
                for key, number in figure.items():
                    total[key] = total.get(key, 0) + number * count
            else:
                totals[name] = total + figure * count
    return replace(base, **totals)


# --- Reading the answers ------------------------------------------------------------------------


STAND_IN_WORDS = "answered"


def stand_in(question: Question, scales: Scales) -> Any | None:
    """For a question answered in free words (no set answers, not a fact), a valid stored
    answer that stands for any of its answers: each counts only as an answer (its column
    is the question's), so only how many there are is read, never the words. None for
    every other question, whose values are read."""
    kind = answer_type(question)
    if kind.choices(question, scales) is not None or kind.records_fact:
        return None
    value = kind.to_stored(STAND_IN_WORDS)
    if not kind.is_answered(value) or kind.validate(value, question, scales) is not None:
        return None
    return value


@dataclass
class Counted:
    """The answers of one audit as (stored value, count), by question, overall and by agency."""

    overall: dict[str, list[tuple[Any, int]]]
    by_agency: dict[str, dict[int, list[tuple[Any, int]]]]


def _sent(statement: Any, audit_id: int) -> Any:
    """Only the answers of sent returns of the children in the cohort now."""
    return (
        statement.join(AgencyReturn, AgencyReturn.id == Answer.return_id)
        .join(CohortMember, CohortMember.id == AgencyReturn.member_id)
        .where(
            AgencyReturn.audit_id == audit_id,
            AgencyReturn.status == ReturnStatus.SUBMITTED,
            CohortMember.removed_at.is_(None),
        )
    )


def read_counted(
    session: Session,
    audit_id: int,
    definition: AuditTemplateDefinition,
    *,
    question_ids: Iterable[str] | None = None,
    by_agency: bool = False,
) -> Counted:
    """The sent returns' answers of the audit's current children, counted by question (and
    agency) and stored value (as JSON text), in one statement; answers in free words are
    counted, not read, in a second (an answer left blank is not stored: it is deleted).
    Either statement is left out when there is nothing for it to read."""
    wanted = set(question_ids) if question_ids is not None else None
    questions = [q for q in definition.questions if wanted is None or q.id in wanted]
    stand_ins = {q.id: stand_in(q, definition.scales) for q in questions}
    free = sorted(qid for qid, value in stand_ins.items() if value is not None)
    valued = sorted(qid for qid, value in stand_ins.items() if value is None)
    overall: dict[str, list[tuple[Any, int]]] = defaultdict(list)
    per_agency: dict[str, dict[int, list[tuple[Any, int]]]] = defaultdict(lambda: defaultdict(list))
    agency = [AgencyReturn.agency_id] if by_agency else []

    def add(question_id: str, agency_id: int | None, value: Any, count: int) -> None:
        overall[question_id].append((value, count))
        if agency_id is not None:
            per_agency[question_id][agency_id].append((value, count))

    if valued:
        text = cast(Answer.value, Text)
        statement = _sent(select(Answer.question_id, text, func.count(), *agency), audit_id).where(
            asked_answers(definition),
            Answer.question_id.in_(valued),
            Answer.value.is_not(None),
            text.not_in(BLANK_TEXTS),
        )
        for row in session.execute(statement.group_by(Answer.question_id, text, *agency)):
            add(row[0], row[3] if by_agency else None, json.loads(row[1]), row[2])
    if free:
        statement = _sent(select(Answer.question_id, func.count(), *agency), audit_id).where(
            asked_answers(definition), Answer.question_id.in_(free)
        )
        for row in session.execute(statement.group_by(Answer.question_id, *agency)):
            add(row[0], row[2] if by_agency else None, stand_ins[row[0]], row[1])
    return Counted(dict(overall), {qid: dict(v) for qid, v in per_agency.items()})


# --- What a page shows ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    words: str
    value: str


def _value_words(value: Any, unit: str | None) -> str:
    if value is None:
        return "None"
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value.strftime("%-d %B %Y")
    if isinstance(value, float):
        value = int(value) if value.is_integer() else round(value, 1)
    return f"{value} {unit}" if unit else str(value)


def figures_of(aggregate: Aggregate, question: Question) -> list[Figure]:
    """An aggregate's own figures beyond the counts (a number's median, lowest and highest;
    a date's earliest and latest; a list's entries), in words."""
    found = []
    for f in fields(aggregate):
        if f.name in BASE_FIELDS or f.name == "counts":
            continue
        value = getattr(aggregate, f.name)
        unit = question.unit if f.name in WITH_UNIT and value is not None else None
        words = FIGURE_WORDS.get(f.name, f.name.replace("_", " ").capitalize())
        found.append(Figure(words, _value_words(value, unit)))
    return found


@dataclass(frozen=True)
class AnswerCount:
    """One possible answer, where it lands and how many gave it (overall and per agency)."""

    value: str
    label: str
    lands: str
    total: int
    by_agency: list[int]
    gap: bool


@dataclass(frozen=True)
class QuestionSummary:
    """One question's figures for the list page."""

    question: Question
    number: int
    aggregate: Aggregate
    graded: bool
    share: Share | None
    figures: list[Figure]
    choice_counts: list[Figure]
    """How many gave each set answer (gaps apart), in words, for questions with set answers."""

    @property
    def gaps(self) -> int:
        return sum(self.aggregate.gaps.values())

    @property
    def columns(self) -> list[tuple[str, int]]:
        return [(COLUMN_LABELS[c], self.aggregate.columns.get(c, 0)) for c in COLUMNS]

    @property
    def is_fact(self) -> bool:
        return self.question.is_fact

    @property
    def counts(self) -> dict[str, int] | None:
        return getattr(self.aggregate, "counts", None)


@dataclass(frozen=True)
class SectionSummary:
    section: Section
    questions: list[QuestionSummary]

    @property
    def judgements(self) -> list[QuestionSummary]:
        return [q for q in self.questions if not q.is_fact]

    @property
    def facts(self) -> list[QuestionSummary]:
        return [q for q in self.questions if q.is_fact]


def _summary(
    question: Question, number: int, scales: Scales, counted: list[tuple[Any, int]]
) -> QuestionSummary:
    aggregate = aggregate_counted(question, scales, counted)
    graded = is_graded(question, scales)
    kind = answer_type(question)
    labels = {c.value: c.label for c in kind.choices(question, scales) or []}
    counts: dict[str, int] = getattr(aggregate, "counts", None) or {}
    return QuestionSummary(
        question,
        number,
        aggregate,
        graded,
        good_or_better(aggregate) if graded else None,
        figures_of(aggregate, question),
        [
            Figure(labels.get(value, value), str(count))
            for value, count in counts.items()
            if count and kind.gap(value, question) is None
        ],
    )


def numbered(definition: AuditTemplateDefinition) -> dict[str, int]:
    """Each question's number in the template, from 1."""
    return {q.id: n for n, q in enumerate(definition.questions, 1)}


def by_section(session: Session, panel: PanelAudit) -> list[SectionSummary]:
    """Every question of the audit's template, by section, with its figures (one statement)."""
    definition = panel.definition
    if definition is None:
        return []
    counted = read_counted(session, panel.audit.id, definition)
    numbers = numbered(definition)
    return [
        SectionSummary(
            section,
            [
                _summary(q, numbers[q.id], definition.scales, counted.overall.get(q.id, []))
                for q in section.questions
            ],
        )
        for section in definition.sections
    ]


@dataclass(frozen=True)
class AgencyFigures:
    agency: Agency
    aggregate: Aggregate
    share: Share | None
    figures: list[Figure]


@dataclass(frozen=True)
class QuestionDetail:
    """One question's page: its figures overall and per agency, the distribution of its
    answers (set answers only) and where each lands."""

    summary: QuestionSummary
    section: Section
    kind_label: str
    """The answer type, in words."""
    agencies: list[AgencyFigures]
    answers: list[AnswerCount]
    """Each possible answer (gaps last), for questions with set answers."""

    @property
    def question(self) -> Question:
        return self.summary.question

    @property
    def choices(self) -> list[AnswerCount]:
        return [a for a in self.answers if not a.gap]

    @property
    def gap_answers(self) -> list[AnswerCount]:
        return [a for a in self.answers if a.gap]


def section_of(definition: AuditTemplateDefinition, question_id: str) -> Section | None:
    return next(
        (s for s in definition.sections if any(q.id == question_id for q in s.questions)), None
    )


def question_detail(session: Session, panel: PanelAudit, question_id: str) -> QuestionDetail | None:
    """One question's figures, overall and per agency (one statement); None when the
    audit's template has no such question."""
    definition = panel.definition
    question = definition.question(question_id) if definition else None
    if definition is None or question is None:
        return None
    section = section_of(definition, question_id)
    assert section is not None
    scales = definition.scales
    counted = read_counted(
        session, panel.audit.id, definition, question_ids=[question_id], by_agency=True
    )
    summary = _summary(
        question, numbered(definition)[question_id], scales, counted.overall.get(question_id, [])
    )
    by_agency = counted.by_agency.get(question_id, {})
    agencies = []
    for agency in panel.agencies:
        aggregate = aggregate_counted(question, scales, by_agency.get(agency.id, []))
        agencies.append(
            AgencyFigures(
                agency,
                aggregate,
                good_or_better(aggregate) if summary.graded else None,
                figures_of(aggregate, question),
            )
        )
    answers: list[AnswerCount] = []
    kind = answer_type(question)
    counts = summary.counts
    if counts is not None:
        labels = {c.value: c.label for c in kind.choices(question, scales) or []}
        for value, total in counts.items():
            gap = kind.gap(value, question) is not None
            lands = (
                "A gap: counted apart"
                if gap
                else ", ".join(placement_label(p) for p in kind.placements(value, question, scales))
                or "No column"
            )
            answers.append(
                AnswerCount(
                    value,
                    labels.get(value, value),
                    lands,
                    total,
                    [getattr(a.aggregate, "counts", {}).get(value, 0) for a in agencies],
                    gap,
                )
            )
        answers.sort(key=lambda a: a.gap)  # gaps last, the answers' own order otherwise
    return QuestionDetail(summary, section, kind.label, agencies, answers)


# --- Comparison with an earlier audit -------------------------------------------------------------


@dataclass(frozen=True)
class EarlierAudit:
    id: int
    title: str
    created_at: datetime
    version: AuditTemplateVersion


def earlier_audits(session: Session, audit: Audit) -> list[EarlierAudit]:
    """The partnership's audits before this one (created earlier) on the same template (any
    version of it) whose returns reached the panel, most recent first (one statement); the
    demo's audits only for a demo audit."""
    version = audit.template_version
    if version is None:
        return []
    rows = session.execute(
        select(Audit.id, Audit.title, Audit.created_at, AuditTemplateVersion)
        .join(AuditTemplateVersion, AuditTemplateVersion.id == Audit.template_version_id)
        .where(
            AuditTemplateVersion.template_id == version.template_id,
            Audit.id != audit.id,
            Audit.is_demo == audit.is_demo,  # the demo's audits are never compared with real ones
            or_(
                Audit.created_at < audit.created_at,
                and_(Audit.created_at == audit.created_at, Audit.id < audit.id),
            ),
            or_(Audit.returns_shared_at.is_not(None), Audit.status.in_(SHARED_STATUSES)),
        )
        .order_by(Audit.created_at.desc(), Audit.id.desc())
        # The content is read only when the template is not built yet (definition_of).
        .options(defer(AuditTemplateVersion.content), defer(AuditTemplateVersion.source_text))
    )
    return [EarlierAudit(*row) for row in rows]


class NotEligible(LookupError):
    """The audit asked for is not an earlier audit of the same template."""


def choose_earlier(earlier: list[EarlierAudit], asked: str | None) -> EarlierAudit | None:
    """The earlier audit to compare with: the one asked for (by id), else the most recent.

    Raises :class:`NotEligible` for an id that is not one of ``earlier``."""
    if asked is None or asked == "":
        return earlier[0] if earlier else None
    found = next((e for e in earlier if str(e.id) == asked.strip()), None)
    if found is None:
        raise NotEligible(asked)
    return found


@dataclass(frozen=True)
class Comparison:
    question: Question
    number: int
    then: Share
    now: Share

    @property
    def change(self) -> int | None:
        """Percentage points now less then (None when either has no grades)."""
        if self.then.percent is None or self.now.percent is None:
            return None
        return self.now.percent - self.then.percent

    @property
    def change_words(self) -> str:
        change = self.change
        if change is None:
            return "Cannot compare"
        if change == 0:
            return "No change"
        points = "point" if abs(change) == 1 else "points"
        return f"{'Up' if change > 0 else 'Down'} {abs(change)} percentage {points}"


def compare(
    session: Session,
    panel: PanelAudit,
    earlier: EarlierAudit,
    now: dict[str, Aggregate],
) -> list[Comparison]:
    """Good or better then (in the earlier audit) and now, per graded question in both
    templates (matched by id), in this template's order (one statement)."""
    definition = panel.definition
    if definition is None:
        return []
    then_definition = definition_of(earlier.version)
    scales = definition.scales
    shared = [
        q
        for q in definition.questions
        if q.id in now
        and is_graded(q, scales)
        and (then_q := then_definition.question(q.id)) is not None
        and is_graded(then_q, then_definition.scales)
    ]
    if not shared:
        return []
    counted = read_counted(
        session, earlier.id, then_definition, question_ids=[q.id for q in shared]
    )
    numbers = numbered(definition)
    found = []
    for question in shared:
        then_question = then_definition.question(question.id)
        assert then_question is not None
        then = aggregate_counted(
            then_question, then_definition.scales, counted.overall.get(question.id, [])
        )
        found.append(
            Comparison(
                question,
                numbers[question.id],
                good_or_better(then),
                good_or_better(now[question.id]),
            )
        )
    return found
