"""Agency returns: answering the template for one child, without ever losing anyone's typing.

A save names the version of the return the person's page was built from ("seen"). It is
refused with :class:`ReturnConflict`, writing nothing, when the return's version is no
longer the seen one; the caller shows the person what they typed. The check is made twice:
against the version read in this request, and in the UPDATE itself, which SQLAlchemy's
version counter writes as ``UPDATE ... WHERE id = :id AND version = :read`` (and the read
version equals the seen one, or the save was already refused). So a stale page posted
later, and two saves racing from the same version, are both refused.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, String, cast, func, select
from sqlalchemy.orm import Session, aliased, joinedload
from sqlalchemy.orm.exc import StaleDataError

from audit_app.accounts.models import User
from audit_app.agencies.models import Agency
from audit_app.audits.models import AuditStatus
from audit_app.core.audit_log import update_versioned
from audit_app.core.errors import DomainError
from audit_app.core.models import today, utcnow
from audit_app.questionnaires.answer_types import answer_type
from audit_app.questionnaires.definitions import (
    GAP_LABELS,
    SUB_HEADING_LABELS,
    AuditTemplateDefinition,
    Question,
)
from audit_app.questionnaires.library import definition_of
from audit_app.questionnaires.models import SignsOfSafetyColumn
from audit_app.returns.models import (
    AgencyReturn,
    Answer,
    ChronologyEntry,
    ReturnStatus,
    UrgentConcern,
)

EDITABLE = (ReturnStatus.NOT_STARTED, ReturnStatus.DRAFT, ReturnStatus.RETURNED)
COLUMN_ORDER = ("working_well", "worried_about", "needs_to_happen")


class ReturnConflict(DomainError):
    """Someone else saved this return after the person's page was loaded."""

    def __init__(self, agency_return: AgencyReturn) -> None:
        super().__init__(
            "Someone else saved this return while you were working on it, so your changes "
            "have not been saved. Your text is shown below: copy it, then reload the page to "
            "see their version and add yours."
        )
        self.agency_return = agency_return


def definition_for(agency_return: AgencyReturn) -> AuditTemplateDefinition:
    """The template as the return's agency answers it: only what is asked of its sector."""
    version = agency_return.audit.template_version
    if version is None:
        raise DomainError("This audit has no template")
    definition = definition_of(version)
    if not definition.targets_sectors:
        return definition  # the same for every agency: no need to load the agency
    return definition.for_sector(agency_return.agency.sector.value)


def answers_of(session: Session, agency_return: AgencyReturn) -> dict[str, Answer]:
    return {
        answer.question_id: answer
        for answer in session.scalars(select(Answer).where(Answer.return_id == agency_return.id))
    }


def values_of(answers: dict[str, Answer]) -> dict[str, Any]:
    return {question_id: answer.value for question_id, answer in answers.items()}


def is_shown(
    question: Question, values: dict[str, Any], definition: AuditTemplateDefinition
) -> bool:
    """Whether a question is asked, given the answers so far (a condition on a hidden
    question is not met)."""
    condition = question.show_if
    if condition is None:
        return True
    target = definition.question(condition.question)
    if target is None or not is_shown(target, values, definition):
        return False
    answer = values.get(condition.question)
    given = answer if isinstance(answer, list) else [answer]
    return any(str(value) in condition.values for value in given if value is not None)


def _answered(value: Any) -> bool:
    return value not in (None, "", [])


@dataclass
class Progress:
    answered: int
    asked: int

    @property
    def percent(self) -> int:
        return round(100 * self.answered / self.asked) if self.asked else 0


def progress(definition: AuditTemplateDefinition, values: dict[str, Any]) -> Progress:
    asked = [q for q in definition.questions if is_shown(q, values, definition)]
    return Progress(sum(1 for q in asked if _answered(values.get(q.id))), len(asked))


@dataclass
class _Shape:
    """What counting a template's progress needs: how many questions are always asked, the
    questions asked only on a condition, and the ids of every question whose answer decides
    whether one is asked (the conditions' targets and the conditional questions)."""

    always_asked: int
    conditional: list[Question]
    deciding: set[str]


def _shape(definition: AuditTemplateDefinition) -> _Shape:
    conditional = [q for q in definition.questions if q.show_if is not None]
    deciding = {q.id for q in conditional} | {
        q.show_if.question for q in conditional if q.show_if is not None
    }
    return _Shape(len(definition.questions) - len(conditional), conditional, deciding)


def _answered_in_sql() -> ColumnElement[bool]:
    """SQL for "this answer holds a value": not NULL, JSON null, empty text or empty list,
    as :func:`_answered` says in Python (an answer row may hold only a grade's reason)."""
    return Answer.value.is_not(None) & cast(Answer.value, String).not_in(["null", '""', "[]"])


def progress_of_returns(
    session: Session, agency_returns: Sequence[AgencyReturn]
) -> dict[int, Progress]:
    """How far through each return is, as :func:`progress` says, without loading its answers:
    the answered ones are counted in SQL, and only the answers that decide whether a
    conditional question is asked (and those questions' own) are read. Two queries whatever
    the number of returns and questions. Every answer is to a question of its return's
    template (``save_section`` refuses any other), so the count needs no list of ids."""
    definitions = {
        r.id: definition_of(r.audit.template_version)
        for r in agency_returns
        if r.audit.template_version is not None
    }
    if not definitions:
        return {}
    if any(definition.targets_sectors for definition in definitions.values()):
        # Each agency sees only what is asked of its sector: one query for the sectors.
        agency_ids = {r.agency_id for r in agency_returns}
        sectors = {
            agency_id: sector
            for agency_id, sector in session.execute(
                select(Agency.id, Agency.sector).where(Agency.id.in_(agency_ids))
            )
        }
        definitions = {
            r.id: definitions[r.id].for_sector(sectors[r.agency_id].value)
            for r in agency_returns
            if r.id in definitions
        }
    counted = dict(
        session.execute(
            select(Answer.return_id, func.count(Answer.id))
            .where(Answer.return_id.in_(definitions), _answered_in_sql())
            .group_by(Answer.return_id)
        ).all()
    )
    shapes = {id(d): _shape(d) for d in definitions.values()}
    deciding = set().union(*(shape.deciding for shape in shapes.values()))
    values: dict[int, dict[str, Any]] = {return_id: {} for return_id in definitions}
    if deciding:
        for return_id, question_id, value in session.execute(
            select(Answer.return_id, Answer.question_id, Answer.value).where(
                Answer.return_id.in_(definitions), Answer.question_id.in_(deciding)
            )
        ):
            values[return_id][question_id] = value
    result = {}
    for return_id, definition in definitions.items():
        shape = shapes[id(definition)]
        given = values[return_id]
        shown = {q.id for q in shape.conditional if is_shown(q, given, definition)}
        hidden_answered = sum(
            1 for q in shape.conditional if q.id not in shown and _answered(given.get(q.id))
        )
        result[return_id] = Progress(
            counted.get(return_id, 0) - hidden_answered, shape.always_asked + len(shown)
        )
    return result


class SectionState(enum.Enum):
    """Where a section of a return stands, as its task list shows it."""

    NOT_STARTED = "Not started"
    IN_PROGRESS = "In progress"
    COMPLETED = "Completed"
    NOT_ANSWERED = "Not answered"
    """A section of a return sent without it: "no involvement" recorded before answering."""

    @property
    def label(self) -> str:
        return self.value


@dataclass
class SectionProgress(Progress):
    """How far through one section is, and so where it stands."""

    state: SectionState = SectionState.NOT_STARTED


SENT = (ReturnStatus.SUBMITTED, ReturnStatus.NO_INVOLVEMENT)


def section_progress(
    definition: AuditTemplateDefinition, answers: dict[str, Answer], status: ReturnStatus
) -> list[SectionProgress]:
    """Each section's answers and state. A section is completed when every required question
    it asks is answered (with a reason where a grade needs one), whether or not its optional
    questions are; once the return is sent no section is "In progress". A return of "no
    involvement" answers no section."""
    values = values_of(answers)
    missing = {item.section_index for item in missing_answers(definition, answers)}
    result = []
    for index, section in enumerate(definition.sections):
        asked = [q for q in section.questions if is_shown(q, values, definition)]
        answered = sum(1 for q in asked if _answered(values.get(q.id)))
        if status is ReturnStatus.NO_INVOLVEMENT:
            state = SectionState.NOT_ANSWERED
        elif index not in missing and (answered or status in SENT):
            state = SectionState.COMPLETED
        elif status in SENT:
            state = SectionState.NOT_ANSWERED
        elif answered:
            state = SectionState.IN_PROGRESS
        else:
            state = SectionState.NOT_STARTED
        result.append(SectionProgress(answered, len(asked), state))
    return result


def _check_editable(agency_return: AgencyReturn) -> None:
    if agency_return.audit.status is not AuditStatus.COLLECTING:
        raise DomainError("This audit is not collecting returns")
    if agency_return.status not in EDITABLE:
        raise DomainError(
            "This return has been sent in, so it cannot be changed. The audit lead can "
            "return it to you for amendment."
        )


def _check_version(agency_return: AgencyReturn, seen_version: int) -> None:
    if agency_return.version != seen_version:
        raise ReturnConflict(agency_return)


def _flush(session: Session, agency_return: AgencyReturn) -> None:
    agency_return.updated_at = utcnow()  # always UPDATE the return, so its version moves on
    try:
        session.flush()
    except StaleDataError as error:
        session.rollback()
        raise ReturnConflict(agency_return) from error


def save_section(
    session: Session,
    agency_return: AgencyReturn,
    seen_version: int,
    values: dict[str, Any],
    rationales: dict[str, str],
    user: User | None,
) -> None:
    """Save some of a return's answers (one section, or all of them from a workbook)."""
    save_sections(session, [SectionSave(agency_return, seen_version, values, rationales)], user)


@dataclass
class SectionSave:
    """Answers to save to one return, made on a page built from its ``seen_version``."""

    agency_return: AgencyReturn
    seen_version: int
    values: dict[str, Any]
    rationales: dict[str, str] = field(default_factory=dict)


def save_sections(session: Session, saves: list[SectionSave], user: User | None) -> None:
    """Save answers to several returns together, in the same few statements however many
    there are: every return is checked before anything changes, their answers are loaded in
    one query, the returns are moved on to their next version in one UPDATE
    (:func:`update_versioned`, which compares each return's version as the unit of work
    does) and the answers are written in one flush. Every change is in the audit log.

    Raises ``DomainError`` when a return cannot be changed or an answer is not valid, and
    :class:`ReturnConflict` when a return's version is not the one seen; the caller rolls
    back, so nothing is saved unless everything is.
    """
    if not saves:
        return
    for save in saves:
        _check_editable(save.agency_return)
        _check_version(save.agency_return, save.seen_version)
    existing: dict[int, dict[str, Answer]] = {save.agency_return.id: {} for save in saves}
    question_ids = {question_id for save in saves for question_id in save.values}
    # Only the answers being changed (and a few more: any return's answer to any of them).
    for answer in session.scalars(
        select(Answer).where(
            Answer.return_id.in_(list(existing)), Answer.question_id.in_(question_ids)
        )
    ):
        existing[answer.return_id][answer.question_id] = answer
    for save in saves:
        _change_answers(session, save, existing[save.agency_return.id])
    if len(saves) == 1:
        agency_return = saves[0].agency_return
        if agency_return.status is ReturnStatus.NOT_STARTED:
            agency_return.status = ReturnStatus.DRAFT
        _flush(session, agency_return)
        return
    now = utcnow()
    changes: list[tuple[Any, dict[str, Any]]] = [
        (
            save.agency_return,
            {
                "status": ReturnStatus.DRAFT
                if save.agency_return.status is ReturnStatus.NOT_STARTED
                else save.agency_return.status,
                "updated_at": now,
            },
        )
        for save in saves
    ]
    if not update_versioned(session, changes):
        session.rollback()
        raise ReturnConflict(saves[0].agency_return)
    session.flush()


def _change_answers(session: Session, save: SectionSave, existing: dict[str, Answer]) -> None:
    agency_return = save.agency_return
    definition = definition_for(agency_return)
    for question_id, value in save.values.items():
        question = definition.question(question_id)
        if question is None:
            raise DomainError(f"The template has no question {question_id!r}")
        answer = existing.get(question_id)
        if not _answered(value) and not save.rationales.get(question_id):
            if answer is not None:
                session.delete(answer)
            continue
        kind = answer_type(question)
        problem = kind.validate(value, question, definition.scales)
        if problem:
            raise DomainError(problem)
        columns = kind.columns(value, question, definition.scales)
        if answer is None:
            answer = Answer(return_id=agency_return.id, question_id=question_id)
            session.add(answer)
        answer.value = value
        answer.columns = list(columns)
        answer.column = SignsOfSafetyColumn(columns[0]) if columns else None
        answer.rationale = save.rationales.get(question_id) or None


def record_no_involvement(
    session: Session, agency_return: AgencyReturn, seen_version: int, reason: str, user: User
) -> None:
    _check_editable(agency_return)
    _check_version(agency_return, seen_version)
    reason = reason.strip()
    if not reason:
        raise DomainError("Say why your agency had no involvement", field="reason")
    agency_return.status = ReturnStatus.NO_INVOLVEMENT
    agency_return.no_involvement_reason = reason
    agency_return.submitted_at = utcnow()
    agency_return.submitted_by_id = user.id
    _flush(session, agency_return)


@dataclass
class Missing:
    section_index: int
    question: Question
    what: str


def missing_answers(
    definition: AuditTemplateDefinition, answers: dict[str, Answer]
) -> list[Missing]:
    values = values_of(answers)
    missing = []
    for index, section in enumerate(definition.sections):
        for question in section.questions:
            if not is_shown(question, values, definition):
                continue
            answer = answers.get(question.id)
            if question.required and (answer is None or not _answered(answer.value)):
                missing.append(Missing(index, question, "Not answered"))
            elif (
                answer_type(question).needs_reason(question)
                and answer is not None
                and _answered(answer.value)
                and answer_type(question).gap(answer.value, question) is None
                and not (answer.rationale or "").strip()
            ):
                missing.append(Missing(index, question, "Give the reason for the grade"))
    return missing


def submit(session: Session, agency_return: AgencyReturn, seen_version: int, user: User) -> None:
    _check_editable(agency_return)
    _check_version(agency_return, seen_version)
    missing = missing_answers(definition_for(agency_return), answers_of(session, agency_return))
    if missing:
        raise DomainError(
            f"{len(missing)} required {'answer is' if len(missing) == 1 else 'answers are'} "
            "still to give"
        )
    agency_return.status = ReturnStatus.SUBMITTED
    agency_return.submitted_at = utcnow()
    agency_return.submitted_by_id = user.id
    _flush(session, agency_return)


def return_for_amendment(session: Session, agency_return: AgencyReturn, comment: str) -> None:
    """The audit lead sends a submitted return back to the agency with a comment."""
    if agency_return.status not in (ReturnStatus.SUBMITTED, ReturnStatus.NO_INVOLVEMENT):
        raise DomainError("Only a return that has been sent in can be returned for amendment")
    comment = comment.strip()
    if not comment:
        raise DomainError("Say what needs to change", field="comment")
    agency_return.status = ReturnStatus.RETURNED
    agency_return.amendment_comment = comment
    _flush(session, agency_return)


# --- Check your answers ------------------------------------------------------------------


@dataclass
class AnsweredQuestion:
    section_index: int
    question: Question
    summary: str
    rationale: str | None
    sub_headings: list[str] = field(default_factory=list)
    """The Signs of Safety sub-headings of an answer about the child's situation, in words."""
    evidence: str | None = None
    """How strong the evidence is, for a grade followed by that question."""


@dataclass
class CheckAnswers:
    by_column: dict[str, list[AnsweredQuestion]] = field(default_factory=dict)
    gaps: dict[str, list[AnsweredQuestion]] = field(default_factory=dict)
    """"Not known" and "Does not apply" answers, by gap, counted apart from the columns."""
    facts: list[AnsweredQuestion] = field(default_factory=list)
    """Answers that record a fact (a date, a number, a chronology, someone's words)."""
    missing: list[Missing] = field(default_factory=list)


def check_answers(definition: AuditTemplateDefinition, answers: dict[str, Answer]) -> CheckAnswers:
    """Every answer given, under the Signs of Safety column(s) it lands in; gaps and facts,
    which land in none, apart."""
    values = values_of(answers)
    result = CheckAnswers(
        by_column={column: [] for column in COLUMN_ORDER},
        gaps={gap: [] for gap in GAP_LABELS},
    )
    items: dict[str, AnsweredQuestion] = {}
    for index, section in enumerate(definition.sections):
        for question in section.questions:
            answer = answers.get(question.id)
            if answer is None or not _answered(answer.value):
                continue
            if not is_shown(question, values, definition):
                continue
            handler = answer_type(question)
            summary = handler.summary(answer.value, question, definition.scales)
            grade = items.get(question.evidence_of or "")
            if grade is not None:  # shown with the grade it is about
                grade.evidence = summary
                continue
            item = AnsweredQuestion(
                index,
                question,
                summary,
                answer.rationale,
                [
                    SUB_HEADING_LABELS[heading]
                    for heading in handler.sub_headings(answer.value, question, definition.scales)
                ],
            )
            items[question.id] = item
            for column in answer.columns or []:  # every column it lands in
                result.by_column.setdefault(column, []).append(item)
            if not answer.columns:
                gap = handler.gap(answer.value, question)
                if gap is not None:
                    result.gaps[gap].append(item)
                else:
                    result.facts.append(item)
    result.missing = missing_answers(definition, answers)
    return result


# --- Chronology --------------------------------------------------------------------------


def add_chronology_entry(
    session: Session,
    agency_return: AgencyReturn,
    *,
    happened_on: date | None,
    what_happened: str,
    agency_response: str,
    missed_opportunity: bool,
) -> ChronologyEntry:
    _check_editable(agency_return)
    if happened_on is None:
        raise DomainError("Enter the date it happened", field="happened_on")
    if happened_on > today():
        raise DomainError("The date must be today or in the past", field="happened_on")
    if not what_happened.strip():
        raise DomainError("Say what happened", field="what_happened")
    entry = ChronologyEntry(
        return_id=agency_return.id,
        happened_on=happened_on,
        what_happened=what_happened.strip(),
        agency_response=agency_response.strip(),
        missed_opportunity=missed_opportunity,
    )
    session.add(entry)
    # The chronology is apart from the answers: adding to it does not move the return's
    # version on (which would refuse an open section page's next save), unless it starts it.
    if agency_return.status is ReturnStatus.NOT_STARTED:
        agency_return.status = ReturnStatus.DRAFT
        _flush(session, agency_return)
    else:
        session.flush()
    return entry


def delete_chronology_entry(
    session: Session, agency_return: AgencyReturn, entry: ChronologyEntry
) -> None:
    _check_editable(agency_return)
    if entry.return_id != agency_return.id:
        raise DomainError("That entry is not part of this return")
    session.delete(entry)
    session.flush()


def chronology_of(session: Session, agency_return: AgencyReturn) -> list[ChronologyEntry]:
    return list(
        session.scalars(
            select(ChronologyEntry)
            .where(ChronologyEntry.return_id == agency_return.id)
            .order_by(ChronologyEntry.happened_on, ChronologyEntry.id)
        )
    )


# --- Urgent concerns ---------------------------------------------------------------------


def urgent_answers(
    session: Session,
    agency_return: AgencyReturn,
    questions: Iterable[Question],
    values: dict[str, Any],
) -> list[Question]:
    """The questions answered with an answer that means the child may need protecting now
    (the template's ``urgent_if``), while the return has no urgent concern raised: the
    reviewer is to raise one."""
    found = [
        question
        for question in questions
        if question.urgent_if and str(values.get(question.id)) in question.urgent_if
    ]
    if not found:
        return []
    raised = session.scalar(
        select(func.count(UrgentConcern.id)).where(UrgentConcern.return_id == agency_return.id)
    )
    return [] if raised else found


def raise_concern(
    session: Session, agency_return: AgencyReturn, details: str, user: User
) -> UrgentConcern:
    """A reviewer finds that a child may be at risk now: the audit lead is told at once."""
    details = details.strip()
    if not details:
        raise DomainError("Say what you are worried about", field="details")
    concern = UrgentConcern(return_id=agency_return.id, raised_by_id=user.id, details=details)
    session.add(concern)
    session.flush()
    return concern


def deal_with_concern(
    session: Session,
    concern: UrgentConcern,
    user: User,
    *,
    action_taken: str,
    dealt_with_by: str = "",
) -> None:
    """The audit lead marks a concern as dealt with, saying what was done and by whom (the
    lead themself unless they name someone else). The concern stays, with what was done."""
    if concern.acknowledged_at is not None:
        raise DomainError("This concern has already been marked as dealt with")
    action_taken = action_taken.strip()
    if not action_taken:
        raise DomainError("Say what was done about the concern", field="action_taken")
    concern.action_taken = action_taken
    concern.dealt_with_by = dealt_with_by.strip() or user.full_name
    concern.acknowledged_at = utcnow()
    concern.acknowledged_by_id = user.id
    try:
        session.flush()  # the UPDATE names the version read: a colleague's mark comes first
    except StaleDataError as error:
        raise DomainError(
            "Someone else has just marked this concern as dealt with: see what they recorded",
            field="action_taken",
        ) from error


@dataclass
class ConcernRow:
    """An urgent concern with the return it was raised on and who recorded it dealt with."""

    concern: UrgentConcern
    agency_return: AgencyReturn
    recorded_by: User | None = None


@dataclass
class AuditConcerns:
    open: list[ConcernRow]
    dealt_with: list[ConcernRow]


def concerns_of(session: Session, audit_id: int) -> AuditConcerns:
    """Every urgent concern raised in an audit: those still open (newest first) and those
    dealt with (most recently dealt with first), in a fixed number of queries."""
    recorder = aliased(User)
    rows = session.execute(
        select(UrgentConcern, AgencyReturn, recorder)
        .join(AgencyReturn, AgencyReturn.id == UrgentConcern.return_id)
        .outerjoin(recorder, recorder.id == UrgentConcern.acknowledged_by_id)
        .where(AgencyReturn.audit_id == audit_id)
        .options(joinedload(AgencyReturn.agency), joinedload(AgencyReturn.member))
        .order_by(UrgentConcern.raised_at.desc(), UrgentConcern.id.desc())
    )
    found = [ConcernRow(concern, agency_return, user) for concern, agency_return, user in rows]
    dealt_with = sorted(
        (row for row in found if row.concern.is_dealt_with),
        key=lambda row: (row.concern.acknowledged_at, row.concern.id),
        reverse=True,
    )
    return AuditConcerns(
        open=[row for row in found if not row.concern.is_dealt_with], dealt_with=dealt_with
    )
