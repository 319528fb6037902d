"""The panel reads each child side by side, with no Flask: every agency's answers to every
question (questions down, agencies across, by section), the 0-10 safety scalings and how far
apart the agencies are, one multi-agency chronology, and the panel's agreed grade beside the
agencies' own (the moderation).

The panel reads only returns that were sent (submitted): a return still being written, or
returned to its agency for amendment, is shown as "Not sent yet" and none of its answers or
chronology entries are read. An agency with no involvement is shown once, with its reason.

Every reader runs a fixed number of statements, whatever the size of the cohort.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from audit_app.accounts.models import User
from audit_app.agencies.models import Agency
from audit_app.cohort.models import CohortMember
from audit_app.core.errors import DomainError
from audit_app.panel.models import AgreedGrade
from audit_app.panel.reading import PanelAudit, asked_answers
from audit_app.questionnaires.answer_types import answer_type, short
from audit_app.questionnaires.definitions import (
    DOES_NOT_APPLY,
    NOT_KNOWN,
    AuditTemplateDefinition,
    Question,
    Scale,
    Section,
)
from audit_app.returns.answering import is_shown
from audit_app.returns.models import AgencyReturn, Answer, ChronologyEntry, ReturnStatus

SPREAD_FLAG = 3
"""Agencies this many points apart (or more) on a 0-10 scaling are flagged: the disagreement
is itself a finding."""
MAX_RATIONALE = 2000
"""The most characters the panel's reasons for an agreed grade may hold."""
OVERALL_QUESTION_ID = "overall_grade"
SHORT_GRADE = 24


# --- Plain rules ------------------------------------------------------------------------------


def is_scaling(question: Question) -> bool:
    """Whether the question is a 0-10 scaling (the template says so: ``type: scaling``)."""
    return answer_type(question).is_scaling


def scaling_score(value: Any) -> int | None:
    """A stored scaling's number; None for "not known", "does not apply" and blanks."""
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value if 0 <= value <= 10 else None


def spread(scores: Iterable[int | None]) -> int | None:
    """How far apart the agencies' scalings are (highest less lowest); None when fewer than
    two agencies gave one."""
    given = [score for score in scores if score is not None]
    if len(given) < 2:
        return None
    return max(given) - min(given)


def is_flagged(points: int | None) -> bool:
    """Whether agencies are far enough apart to flag (:data:`SPREAD_FLAG` points or more)."""
    return points is not None and points >= SPREAD_FLAG


def overall_question(definition: AuditTemplateDefinition | None) -> Question | None:
    """The question the panel's agreed grade answers: ``overall_grade`` when the template
    has it, else its last grade of the agency's practice (a question on a scale, lens
    "practice"; not the evidence-strength question that follows a grade). Only a grade is
    on a scale, so the registry's types need not be named."""
    if definition is None:
        return None
    found = definition.question(OVERALL_QUESTION_ID)
    if found is not None and found.scale is not None:
        return found
    graded = [
        question
        for question in definition.questions
        if question.scale is not None  # only a grade is on a scale
        and question.lens == "practice"
        and question.evidence_of is None
    ]
    return graded[-1] if graded else None


# --- Returns of a child ---------------------------------------------------------------------


@dataclass(frozen=True)
class ReturnState:
    agency: Agency
    status: ReturnStatus | None
    """None: the agency has no return for the child (should not happen once collecting)."""
    return_id: int | None = None
    no_involvement_reason: str | None = None
    submitted_at: datetime | None = None

    @property
    def is_sent(self) -> bool:
        return self.status is ReturnStatus.SUBMITTED

    @property
    def no_involvement(self) -> bool:
        return self.status is ReturnStatus.NO_INVOLVEMENT

    @property
    def words(self) -> str:
        if self.is_sent:
            return "Sent"
        if self.no_involvement:
            return "No involvement"
        return "Not sent yet"


def _returns_of(session: Session, panel: PanelAudit, member: CohortMember) -> list[ReturnState]:
    found = {
        agency_id: (return_id, status, reason, sent_at)
        for return_id, agency_id, status, reason, sent_at in session.execute(
            select(
                AgencyReturn.id,
                AgencyReturn.agency_id,
                AgencyReturn.status,
                AgencyReturn.no_involvement_reason,
                AgencyReturn.submitted_at,
            ).where(AgencyReturn.audit_id == panel.audit.id, AgencyReturn.member_id == member.id)
        )
    }
    states = []
    for agency in panel.agencies:
        if agency.id not in found:
            states.append(ReturnState(agency, None))
            continue
        return_id, status, reason, sent_at = found[agency.id]
        states.append(ReturnState(agency, status, return_id, reason, sent_at))
    return states


# --- The grid -------------------------------------------------------------------------------

NOT_ASKED = "not_asked"
NOT_SHOWN = "not_shown"
NOT_ANSWERED = "not_answered"
ANSWERED = "answered"
GAP = "gap"


@dataclass(frozen=True)
class Cell:
    kind: str
    """:data:`ANSWERED`, :data:`GAP` (not known, or does not apply), :data:`NOT_ASKED` (not
    asked of the agency's sector), :data:`NOT_SHOWN` (an earlier answer meant it was not
    asked) or :data:`NOT_ANSWERED`."""
    words: str
    rationale: str | None = None
    gap: str | None = None
    """:data:`NOT_KNOWN` or :data:`DOES_NOT_APPLY` for a gap."""

    @property
    def is_gap_in_knowledge(self) -> bool:
        return self.gap == NOT_KNOWN


@dataclass(frozen=True)
class Row:
    question: Question
    cells: list[Cell]
    scaling: Scaling | None = None


@dataclass(frozen=True)
class SectionGrid:
    section: Section
    rows: list[Row]


@dataclass(frozen=True)
class Scaling:
    """One 0-10 scaling question: each sending agency's number (None: not given)."""

    question: Question
    scores: list[tuple[Agency, int | None]]

    @property
    def spread(self) -> int | None:
        return spread(score for _, score in self.scores)

    @property
    def flagged(self) -> bool:
        return is_flagged(self.spread)


@dataclass(frozen=True)
class ChronologyRow:
    happened_on: date
    agency: Agency
    what_happened: str
    agency_response: str
    missed_opportunity: bool


@dataclass(frozen=True)
class AgencyGrade:
    agency: Agency
    words: str
    value: Any
    rationale: str | None
    submitted_at: datetime | None


@dataclass(frozen=True)
class Agreed:
    grade: AgreedGrade
    words: str
    agreed_by: str | None


@dataclass
class ChildSideBySide:
    member: CohortMember
    returns: list[ReturnState]
    sent: list[ReturnState]
    """The agencies across the grid: those whose return was sent, in the panel's order."""
    sections: list[SectionGrid] = field(default_factory=list)
    scalings: list[Scaling] = field(default_factory=list)
    chronology: list[ChronologyRow] = field(default_factory=list)
    overall: Question | None = None
    agency_grades: list[AgencyGrade] = field(default_factory=list)
    agreed: Agreed | None = None

    @property
    def no_involvement(self) -> list[ReturnState]:
        return [state for state in self.returns if state.no_involvement]

    @property
    def not_sent(self) -> list[ReturnState]:
        return [state for state in self.returns if not state.is_sent and not state.no_involvement]

    @property
    def flagged(self) -> list[Scaling]:
        return [scaling for scaling in self.scalings if scaling.flagged]


def _answers(
    session: Session, return_ids: list[int]
) -> dict[int, dict[str, tuple[Any, str | None]]]:
    """The answers of the sent returns: return id -> question id -> (value, rationale)."""
    found: dict[int, dict[str, tuple[Any, str | None]]] = {rid: {} for rid in return_ids}
    if not return_ids:
        return found
    for return_id, question_id, value, rationale in session.execute(
        select(Answer.return_id, Answer.question_id, Answer.value, Answer.rationale).where(
            Answer.return_id.in_(return_ids)
        )
    ):
        found[return_id][question_id] = (value, rationale)
    return found


def _cell(
    question: Question,
    definition: AuditTemplateDefinition,
    sector_definition: AuditTemplateDefinition,
    asked_ids: set[str],
    values: dict[str, Any],
    answers: dict[str, tuple[Any, str | None]],
) -> Cell:
    if question.id not in asked_ids:
        return Cell(NOT_ASKED, "Not asked")
    kind = answer_type(question)
    value, rationale = answers.get(question.id, (None, None))
    if not kind.is_answered(value):
        if not is_shown(question, values, sector_definition):
            return Cell(NOT_SHOWN, "Not asked")
        return Cell(NOT_ANSWERED, "Not answered")
    words = kind.summary(value, question, definition.scales)
    gap = kind.gap(value, question)
    if gap == NOT_KNOWN:
        return Cell(GAP, "Not known: a gap in knowledge", rationale or None, gap)
    if gap == DOES_NOT_APPLY:
        return Cell(GAP, words, rationale or None, gap)
    return Cell(ANSWERED, words, rationale or None)


def read_child(session: Session, panel: PanelAudit, member: CohortMember) -> ChildSideBySide:
    """One child side by side: the sections and the questions asked of at least one agency
    that sent its return (four statements after the panel's own, whatever the cohort)."""
    definition = panel.definition
    returns = _returns_of(session, panel, member)
    sent = [state for state in returns if state.is_sent]
    child = ChildSideBySide(member, returns, sent)
    if definition is None:
        return child
    answers = _answers(session, [state.return_id for state in sent if state.return_id])
    scales = definition.scales
    per_agency = []
    for state in sent:
        sector_definition = definition.for_sector(state.agency.sector.value)
        given = answers.get(state.return_id or 0, {})
        per_agency.append(
            (
                state,
                sector_definition,
                {q.id for q in sector_definition.questions},
                {question_id: value for question_id, (value, _) in given.items()},
                given,
            )
        )
    for section in definition.sections:
        rows = []
        for question in section.questions:
            cells = [
                _cell(question, definition, sector_definition, asked, values, given)
                for _, sector_definition, asked, values, given in per_agency
            ]
            scaling = None
            if is_scaling(question):
                scaling = Scaling(
                    question,
                    [
                        (state.agency, scaling_score(values.get(question.id)))
                        for state, _, asked, values, _ in per_agency
                        if question.id in asked
                    ],
                )
                child.scalings.append(scaling)
            if any(cell.kind != NOT_ASKED for cell in cells):
                rows.append(Row(question, cells, scaling))
        if rows:  # a question asked of none of the agencies that sent is left out
            child.sections.append(SectionGrid(section, rows))
    child.chronology = chronology_of(session, panel, member)
    overall = overall_question(definition)
    child.overall = overall
    if overall is not None:
        kind = answer_type(overall)
        for state, _, asked, _values, given in per_agency:
            if overall.id not in asked:
                continue
            value, rationale = given.get(overall.id, (None, None))
            child.agency_grades.append(
                AgencyGrade(
                    state.agency,
                    kind.summary(value, overall, scales),
                    value,
                    rationale,
                    state.submitted_at,
                )
            )
        child.agreed = agreed_grade(session, member, overall, scales)
    return child


def chronology_of(session: Session, panel: PanelAudit, member: CohortMember) -> list[ChronologyRow]:
    """Every sending agency's chronology entries for the child, in date order (one
    statement)."""
    agencies = {agency.id: agency for agency in panel.agencies}
    rows = []
    for happened_on, agency_id, what, response, missed in session.execute(
        select(
            ChronologyEntry.happened_on,
            AgencyReturn.agency_id,
            ChronologyEntry.what_happened,
            ChronologyEntry.agency_response,
            ChronologyEntry.missed_opportunity,
        )
        .join(AgencyReturn, AgencyReturn.id == ChronologyEntry.return_id)
        .where(
            AgencyReturn.audit_id == panel.audit.id,
            AgencyReturn.member_id == member.id,
            AgencyReturn.status == ReturnStatus.SUBMITTED,
        )
        .order_by(ChronologyEntry.happened_on, ChronologyEntry.id)
    ):
        agency = agencies.get(agency_id)
        if agency is not None:
            rows.append(ChronologyRow(happened_on, agency, what, response or "", bool(missed)))
    rows.sort(key=lambda row: (row.happened_on, row.agency.name))
    return rows


def grade_words(value: Any, question: Question, scales: dict[str, Scale]) -> str:
    return answer_type(question).summary(value, question, scales)


def agreed_grade(
    session: Session, member: CohortMember, question: Question, scales: dict[str, Scale]
) -> Agreed | None:
    """The panel's agreed grade for the child, with who agreed it (one statement)."""
    row = session.execute(
        select(AgreedGrade, User.full_name)
        .outerjoin(User, User.id == AgreedGrade.agreed_by_id)
        .where(AgreedGrade.member_id == member.id)
    ).first()
    if row is None:
        return None
    grade, name = row
    return Agreed(grade, grade_words(grade.grade, question, scales), name)


# --- The list of children -------------------------------------------------------------------


@dataclass
class ChildRow:
    member: CohortMember
    sent: int = 0
    no_involvement: int = 0
    outstanding: int = 0
    grades: dict[int, str] = field(default_factory=dict)
    """Agency id -> its overall grade in words (short)."""
    scalings: dict[str, list[int | None]] = field(default_factory=dict)
    agreed: str | None = None

    @property
    def spread(self) -> int | None:
        """The widest spread between agencies on any of the child's 0-10 scalings."""
        spreads = [
            s for s in (spread(scores) for scores in self.scalings.values()) if s is not None
        ]
        return max(spreads) if spreads else None

    @property
    def flagged(self) -> bool:
        return is_flagged(self.spread)


@dataclass(frozen=True)
class ChildrenList:
    rows: list[ChildRow]
    overall: Question | None
    has_scaling: bool


def list_children(session: Session, panel: PanelAudit) -> ChildrenList:
    """The current children with their returns, grades, scaling spread and agreed grade (three
    statements after the panel's own, whatever the size of the cohort)."""
    rows = {member.id: ChildRow(member) for member in panel.members}
    definition = panel.definition
    agency_ids = {agency.id for agency in panel.agencies}
    for member_id, agency_id, status in session.execute(
        select(AgencyReturn.member_id, AgencyReturn.agency_id, AgencyReturn.status).where(
            AgencyReturn.audit_id == panel.audit.id
        )
    ):
        row = rows.get(member_id)
        if row is None or agency_id not in agency_ids:
            continue
        if status is ReturnStatus.SUBMITTED:
            row.sent += 1
        elif status is ReturnStatus.NO_INVOLVEMENT:
            row.no_involvement += 1
        else:
            row.outstanding += 1
    overall = overall_question(definition)
    scales = definition.scales if definition else {}
    scaling_ids = [q.id for q in definition.questions if is_scaling(q)] if definition else []
    wanted = scaling_ids + ([overall.id] if overall else [])
    if wanted:
        for member_id, agency_id, question_id, value in session.execute(
            select(AgencyReturn.member_id, AgencyReturn.agency_id, Answer.question_id, Answer.value)
            .join(Answer, Answer.return_id == AgencyReturn.id)
            .where(
                AgencyReturn.audit_id == panel.audit.id,
                AgencyReturn.status == ReturnStatus.SUBMITTED,
                Answer.question_id.in_(wanted),
                asked_answers(definition),
            )
        ):
            row = rows.get(member_id)
            if row is None or agency_id not in agency_ids:
                continue
            if (
                overall is not None
                and question_id == overall.id
                and answer_type(overall).is_answered(value)
            ):
                row.grades[agency_id] = short(grade_words(value, overall, scales), SHORT_GRADE)
            if question_id in scaling_ids:
                row.scalings.setdefault(question_id, []).append(scaling_score(value))
    if overall is not None and rows:
        for member_id, grade in session.execute(
            select(AgreedGrade.member_id, AgreedGrade.grade).where(
                AgreedGrade.member_id.in_(list(rows))
            )
        ):
            rows[member_id].agreed = grade_words(grade, overall, scales)
    return ChildrenList(list(rows.values()), overall, bool(scaling_ids))


# --- The agreed grade ----------------------------------------------------------------------


class AgreedGradeConflict(DomainError):
    def __init__(self) -> None:
        super().__init__(
            "Someone else on the panel saved the agreed grade for this child while you were "
            "writing yours, so yours has not been saved. Their grade is shown below; what you "
            "typed is shown too, to agree and save again."
        )


def grade_choices(question: Question, scales: dict[str, Scale]) -> list[tuple[str, str]]:
    """The grades the panel may agree: the levels of the question's scale (no gaps)."""
    scale = scales.get(question.scale or "")
    return [(level.value, level.label) for level in scale.levels] if scale else []


def agree_grade(
    session: Session,
    member: CohortMember,
    question: Question,
    scales: dict[str, Scale],
    seen_version: int,
    grade: str,
    rationale: str,
    user: User | None,
) -> AgreedGrade:
    """Record or change the panel's agreed grade for a child, with its reasons. ``seen_version``
    is the version the page was read at (0: no grade yet); a save based on an older read is
    refused with :class:`AgreedGradeConflict`. The agencies' own grades are left as they are."""
    choices = dict(grade_choices(question, scales))
    if not grade:
        raise DomainError("Select the panel's agreed grade", field="agreed_grade")
    if grade not in choices:
        raise DomainError("Select one of the grades listed", field="agreed_grade")
    rationale = (rationale or "").replace("\r\n", "\n").strip()
    if not rationale:
        raise DomainError("Enter the reasons for the agreed grade", field="rationale")
    if len(rationale) > MAX_RATIONALE:
        raise DomainError(
            f"The reasons for the agreed grade must be {MAX_RATIONALE:,} characters or fewer",
            field="rationale",
        )
    existing = session.scalar(select(AgreedGrade).where(AgreedGrade.member_id == member.id))
    if existing is None:
        if seen_version != 0:
            raise AgreedGradeConflict()
        existing = AgreedGrade(member_id=member.id)
        session.add(existing)
    elif existing.version != seen_version:
        raise AgreedGradeConflict()
    existing.question_id = question.id
    existing.grade = grade
    existing.rationale = rationale
    existing.agreed_by_id = user.id if user is not None else None
    try:
        session.flush()
    except (StaleDataError, IntegrityError) as error:
        # IntegrityError: two people agreed the first grade at once (one grade per child).
        session.rollback()
        raise AgreedGradeConflict() from error
    return existing
