"""An agency's summary of its findings across the cohort: items in the three Signs of Safety
columns.

Each item is one finding: its column, its words and the answers it came from, so the panel
can tag and count items and follow each one back to the answers. The agency starts from a
draft built once from its answers (when it asks for one: the page never rebuilds it on its
own), grouped into a few readable items per column, one per question across the children
("In 4 of 10 children ..."); then it edits, adds, removes and reorders items, and sends the
summary to the panel. Items are bounded in length and number, so a draft always saves.

Saving is versioned like a return: a save based on an older read is refused and the
person's text is kept.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Row, String, cast, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.exc import StaleDataError

from audit_app.accounts.models import User
from audit_app.agencies.models import Agency
from audit_app.audits.models import Audit, AuditAgency, AuditStatus
from audit_app.cohort.models import CohortMember
from audit_app.core.errors import DomainError
from audit_app.core.models import utcnow
from audit_app.questionnaires.answer_types import answer_type
from audit_app.questionnaires.definitions import (
    DOES_NOT_APPLY,
    GAP_LABELS,
    NOT_KNOWN,
    AuditTemplateDefinition,
    SignsOfSafetyColumn,
)
from audit_app.questionnaires.library import definition_of
from audit_app.returns.answering import COLUMN_ORDER, is_shown
from audit_app.returns.models import (
    AgencyReturn,
    AgencySummary,
    Answer,
    ReturnStatus,
    SummaryItem,
)

MAX_ITEM_LENGTH = 2000
"""The most characters an item may hold."""
MAX_ITEMS_PER_COLUMN = 40
"""The most items a column may hold."""
DRAFT_ITEMS_PER_COLUMN = 8
"""The most items the draft writes in a column: the questions answered for the most
children get an item each, the rest share the last one."""
QUOTE_LENGTH = 160
"""The most characters of one written answer quoted in a draft item."""
MOST_DISTINCT_ANSWERS_COUNTED = 5
"""A question whose answers take at most this many different values (a choice, a grade) is
drafted as counts ("No (3 children)"); one with more (written answers) is quoted child by
child."""


class SummaryConflict(DomainError):
    def __init__(self) -> None:
        super().__init__(
            "Someone else saved this summary while you were working on it, so your changes "
            "have not been saved. Your text is shown below: copy it, then add it to theirs."
        )


# --- The draft: answers grouped into items ---------------------------------------------------


@dataclass(frozen=True)
class DraftSource:
    """One answer that lands in a column, as the draft groups it."""

    column: str
    child: str
    question_id: str
    question: str
    order: int
    """The question's place in the template, to keep the template's order."""
    answer: str
    """The answer in words."""
    answer_id: int


@dataclass
class DraftItem:
    column: str
    text: str
    answer_ids: list[int] = field(default_factory=list)


def _children(count: int) -> str:
    return f"{count} child" if count == 1 else f"{count} children"


def _clip(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _bounded(head: str, parts: Sequence[str], separator: str = "; ") -> str:
    """``head`` followed by as many of ``parts`` as fit in an item, then "and N more"."""
    text = head
    for shown, part in enumerate(parts):
        rest = len(parts) - shown - 1
        tail = f"{separator}and {rest} more." if rest else "."
        candidate = text + (separator if shown else "") + part
        if len(candidate) + len(tail) > MAX_ITEM_LENGTH:
            return text + f"{separator if shown else ''}and {len(parts) - shown} more."
        text = candidate
    return text + "."


def _question_item(column: str, sources: list[DraftSource], children: int) -> DraftItem:
    """One question's answers across the children, in words."""
    first = sources[0]
    answered = len({source.child for source in sources})
    head = f"In {answered} of {_children(children)}, “{_clip(first.question, 300)}”: "
    counts = Counter(source.answer for source in sources)
    if len(counts) <= MOST_DISTINCT_ANSWERS_COUNTED:
        parts = [
            f"{_clip(answer, QUOTE_LENGTH)} ({_children(count)})"
            for answer, count in counts.items()
        ]
        text = _bounded(head, parts, separator=", ")
    else:
        parts = [f"{source.child}: {_clip(source.answer, QUOTE_LENGTH)}" for source in sources]
        text = _bounded(head, parts)
    return DraftItem(column, text, [source.answer_id for source in sources])


def _other_questions_item(column: str, groups: list[list[DraftSource]]) -> DraftItem:
    """The questions left over once a column has its items, in one item."""
    head = f"Also in this column, {len(groups)} other questions: "
    parts = [
        f"“{_clip(group[0].question, 200)}” ({_children(len({s.child for s in group}))})"
        for group in groups
    ]
    ids = [source.answer_id for group in groups for source in group]
    return DraftItem(column, _bounded(head, parts), ids)


def group_draft(sources: Iterable[DraftSource], children: int) -> dict[str, list[DraftItem]]:
    """The draft's items in each column: one per question across the children, in the
    template's order; when a column has more questions than :data:`DRAFT_ITEMS_PER_COLUMN`,
    those answered for the most children keep an item each and the rest share one."""
    by_column: dict[str, dict[str, list[DraftSource]]] = {column: {} for column in COLUMN_ORDER}
    for source in sources:
        by_column.setdefault(source.column, {}).setdefault(source.question_id, []).append(source)
    draft: dict[str, list[DraftItem]] = {}
    for column, questions in by_column.items():
        groups = sorted(questions.values(), key=lambda group: group[0].order)
        if len(groups) > DRAFT_ITEMS_PER_COLUMN:
            kept_count = DRAFT_ITEMS_PER_COLUMN - 1
            most = sorted(
                groups, key=lambda group: (-len({s.child for s in group}), group[0].order)
            )
            kept_ids = {id(group) for group in most[:kept_count]}
            kept = [group for group in groups if id(group) in kept_ids]
            rest = [group for group in groups if id(group) not in kept_ids]
            draft[column] = [_question_item(column, group, children) for group in kept]
            draft[column].append(_other_questions_item(column, rest))
        else:
            draft[column] = [_question_item(column, group, children) for group in groups]
    return draft


def _involved_returns(session: Session, audit: Audit, agency_id: int) -> list[AgencyReturn]:
    return list(
        session.scalars(
            select(AgencyReturn)
            .join(CohortMember, CohortMember.id == AgencyReturn.member_id)
            .where(
                AgencyReturn.audit_id == audit.id,
                AgencyReturn.agency_id == agency_id,
                AgencyReturn.status != ReturnStatus.NO_INVOLVEMENT,
                CohortMember.removed_at.is_(None),
            )
            .options(selectinload(AgencyReturn.member))
            .order_by(CohortMember.position)
        )
    )


@dataclass(frozen=True)
class GapCount:
    """One question's "not known" and "does not apply" answers across the children."""

    question_id: str
    question: str
    not_known: int
    does_not_apply: int


@dataclass(frozen=True)
class Gaps:
    """The agency's answers that land in no column because they are gaps, by question."""

    questions: list[GapCount]

    @property
    def not_known(self) -> int:
        return sum(count.not_known for count in self.questions)

    @property
    def does_not_apply(self) -> int:
        return sum(count.does_not_apply for count in self.questions)


def draft_sources(session: Session, audit: Audit, agency_id: int) -> tuple[list[DraftSource], int]:
    """Every answer of the agency across the cohort under each column it lands in, and the
    number of children the agency was involved with."""
    if audit.template_version is None:
        return [], 0
    definition = definition_of(audit.template_version)
    returns = _involved_returns(session, audit, agency_id)
    # Plain rows, not Answer objects: thousands of answers, read once, changed never.
    answers: dict[int, dict[str, Row[Any]]] = {r.id: {} for r in returns}
    if answers:
        for row in session.execute(
            select(
                Answer.id, Answer.return_id, Answer.question_id, Answer.value, Answer.columns
            ).where(Answer.return_id.in_(answers))
        ):
            answers[row.return_id][row.question_id] = row
    order = {question.id: n for n, question in enumerate(definition.questions)}
    sources = []
    for agency_return in returns:
        given = answers[agency_return.id]
        values = {qid: row.value for qid, row in given.items()}
        for question in definition.questions:
            row = given.get(question.id)
            if row is None or not is_shown(question, values, definition):
                continue
            words = answer_type(question).summary(row.value, question, definition.scales)
            for column in row.columns or []:  # every column the answer lands in
                sources.append(
                    DraftSource(
                        column=column,
                        child=agency_return.member.code,
                        question_id=question.id,
                        question=question.text,
                        order=order[question.id],
                        answer=words,
                        answer_id=row.id,
                    )
                )
    return sources, len(returns)


def gaps_of(session: Session, audit: Audit, agency_id: int) -> Gaps:
    """The agency's "not known" and "does not apply" answers across the cohort, by question:
    counted apart from the columns (a gap in knowledge is not a worry)."""
    return gaps_by_agency(session, audit, [agency_id]).get(agency_id, Gaps([]))


def gaps_by_agency(
    session: Session, audit: Audit, agency_ids: Iterable[int] | None = None
) -> dict[int, Gaps]:
    """Each agency's gap answers across the cohort (or those of ``agency_ids``), by
    question, in one statement."""
    if audit.template_version is None:
        return {}
    definition = definition_of(audit.template_version)
    offering = [
        question
        for question in definition.questions
        if any(
            answer_type(question).gap(choice.value, question)
            for choice in definition.choices.get(question.id, ())
        )
    ]
    if not offering:
        return {}
    deciding: set[str] = set()  # the answers that decide whether each is shown
    for question in offering:
        condition = question.show_if
        while condition is not None and condition.question not in deciding:
            deciding.add(condition.question)
            target = definition.question(condition.question)
            condition = target.show_if if target is not None else None
    # Only gap answers are read (as stored JSON text), and the answers deciding whether
    # their questions are shown: not every answer of the audit.
    gap_answers = Answer.question_id.in_([q.id for q in offering]) & cast(Answer.value, String).in_(
        [json.dumps(gap) for gap in GAP_LABELS]
    )
    statement = (
        select(AgencyReturn.agency_id, Answer.return_id, Answer.question_id, Answer.value)
        .join(AgencyReturn, AgencyReturn.id == Answer.return_id)
        .join(CohortMember, CohortMember.id == AgencyReturn.member_id)
        .where(
            AgencyReturn.audit_id == audit.id,
            AgencyReturn.status != ReturnStatus.NO_INVOLVEMENT,
            CohortMember.removed_at.is_(None),
            or_(gap_answers, Answer.question_id.in_(sorted(deciding))),
        )
    )
    if agency_ids is not None:
        statement = statement.where(AgencyReturn.agency_id.in_(list(agency_ids)))
    values: dict[tuple[int, int], dict[str, Any]] = {}
    for row in session.execute(statement):
        values.setdefault((row.agency_id, row.return_id), {})[row.question_id] = row.value
    counts: dict[int, dict[str, Counter[str]]] = {}
    for (agency, _), given in values.items():
        for question in offering:
            gap = answer_type(question).gap(given.get(question.id), question)
            if gap is not None and is_shown(question, given, definition):
                counts.setdefault(agency, {}).setdefault(question.id, Counter())[gap] += 1
    return {
        agency: Gaps(
            [
                GapCount(
                    q.id, q.text, by_question[q.id][NOT_KNOWN], by_question[q.id][DOES_NOT_APPLY]
                )
                for q in offering
                if q.id in by_question
            ]
        )
        for agency, by_question in counts.items()
    }


# --- Reading ---------------------------------------------------------------------------------


def summary_of(session: Session, audit: Audit, agency_id: int) -> AgencySummary | None:
    """The agency's summary with its items (two statements), or None before it is started."""
    return session.scalar(
        select(AgencySummary)
        .where(AgencySummary.audit_id == audit.id, AgencySummary.agency_id == agency_id)
        .options(selectinload(AgencySummary.items))
    )


def summaries_of_audit(session: Session, audit: Audit) -> list[tuple[Agency, AgencySummary | None]]:
    """Each agency taking part in the audit, by name, with its summary (and the summary's
    items) or None: three statements whatever the number of agencies."""
    agencies = session.scalars(
        select(Agency)
        .join(AuditAgency, AuditAgency.agency_id == Agency.id)
        .where(AuditAgency.audit_id == audit.id)
        .order_by(Agency.name)
    ).all()
    found = {
        summary.agency_id: summary
        for summary in session.scalars(
            select(AgencySummary)
            .where(AgencySummary.audit_id == audit.id)
            .options(selectinload(AgencySummary.items))
        )
    }
    return [(agency, found.get(agency.id)) for agency in agencies]


def items_by_column(summary: AgencySummary | None) -> dict[str, list[SummaryItem]]:
    columns: dict[str, list[SummaryItem]] = {column: [] for column in COLUMN_ORDER}
    for item in summary.items if summary else []:
        columns[item.column.value].append(item)
    for items in columns.values():
        items.sort(key=lambda item: (item.position, item.id))
    return columns


@dataclass
class SourceQuestion:
    """The answers to one question behind an item: the question and each child's answer."""

    question: str
    section_number: int
    question_id: str
    children: list[tuple[str, int]] = field(default_factory=list)
    """(child code, return id) of each answer."""


@dataclass
class ItemSources:
    questions: list[SourceQuestion] = field(default_factory=list)
    not_shown: int = 0
    """Source answers left out of the list (over ``limit``, or cleared since)."""


def sources_of(
    session: Session,
    definition: AuditTemplateDefinition | None,
    items: Sequence[SummaryItem],
    limit: int = 60,
) -> dict[int, ItemSources]:
    """Where each item came from, as questions and children, in one statement: at most
    ``limit`` answers an item (the rest are counted), so the page stays bounded."""
    wanted = {item.id: list(item.answer_ids or [])[:limit] for item in items}
    ids = {answer_id for shown in wanted.values() for answer_id in shown}
    found: dict[int, tuple[int, str, str]] = {}
    if ids:
        rows = session.execute(
            select(Answer.id, Answer.return_id, Answer.question_id, CohortMember.code)
            .join(AgencyReturn, AgencyReturn.id == Answer.return_id)
            .join(CohortMember, CohortMember.id == AgencyReturn.member_id)
            .where(Answer.id.in_(ids))
        )
        found = {row[0]: (row[1], row[2], row[3]) for row in rows}
    places: dict[str, tuple[int, str]] = {}
    if definition is not None:
        for number, section in enumerate(definition.sections, start=1):
            for question in section.questions:
                places[question.id] = (number, question.text)
    result = {}
    for item in items:
        sources = ItemSources(not_shown=len(item.answer_ids or []) - len(wanted[item.id]))
        by_question: dict[str, SourceQuestion] = {}
        for answer_id in wanted[item.id]:
            if answer_id not in found or found[answer_id][1] not in places:
                sources.not_shown += 1
                continue
            return_id, question_id, child = found[answer_id]
            number, text = places[question_id]
            group = by_question.get(question_id)
            if group is None:
                group = by_question[question_id] = SourceQuestion(text, number, question_id)
                sources.questions.append(group)
            group.children.append((child, return_id))
        result[item.id] = sources
    return result


# --- Writing ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemEdit:
    """An item as the agency left it on the page: an existing item (by id) or a new one."""

    item_id: int | None
    column: str
    text: str


@dataclass(frozen=True)
class ItemMove:
    """Move an item one place ``up`` or ``down`` in its column, or ``remove`` it."""

    how: str
    item_id: int


def _open_for_writing(
    session: Session, audit: Audit, agency_id: int, seen_version: int | None
) -> AgencySummary:
    """The summary to change (a new one when there is none), once the version read is
    checked: a save based on an older read is refused."""
    if audit.status not in (AuditStatus.COLLECTING, AuditStatus.PANEL):
        raise DomainError("Summaries can be written while returns are collected and at panel")
    summary = summary_of(session, audit, agency_id)
    if summary is None:
        if seen_version not in (None, 0):
            raise SummaryConflict()
        summary = AgencySummary(audit_id=audit.id, agency_id=agency_id)
        session.add(summary)
    elif summary.version != seen_version:
        raise SummaryConflict()
    elif summary.submitted_at is not None:
        raise DomainError("This summary has been sent to the panel, so it cannot be changed")
    return summary


def _flush(session: Session, summary: AgencySummary) -> AgencySummary:
    summary.updated_at = utcnow()  # the summary's row changes, so its version moves on
    try:
        session.flush()
    except (StaleDataError, IntegrityError) as error:
        # IntegrityError: two people saved the first version at once (unique audit, agency).
        session.rollback()
        raise SummaryConflict() from error
    return summary


def write_draft(
    session: Session, audit: Audit, agency_id: int, seen_version: int | None
) -> AgencySummary:
    """Start the summary from a draft of the agency's answers, or replace its items with a
    new draft when the agency asks to rebuild it."""
    summary = _open_for_writing(session, audit, agency_id, seen_version)
    sources, children = draft_sources(session, audit, agency_id)
    for item in list(summary.items):
        summary.items.remove(item)
    for column, drafted in group_draft(sources, children).items():
        for position, item in enumerate(drafted):
            summary.items.append(
                SummaryItem(
                    column=SignsOfSafetyColumn(column),
                    position=position,
                    text=item.text,
                    answer_ids=item.answer_ids,
                )
            )
    return _flush(session, summary)


def _arrange(
    items: list[SummaryItem], edits: Sequence[ItemEdit], move: ItemMove | None
) -> tuple[dict[str, list[SummaryItem]], list[ItemEdit]]:
    """The items of each column in their new order (existing items edited, moved between
    columns, moved up or down, removed) and the new items still to add."""
    known = {item.id: item for item in items}
    columns: dict[str, list[SummaryItem]] = {column: [] for column in COLUMN_ORDER}
    for item in sorted(items, key=lambda item: (item.position, item.id)):
        columns[item.column.value].append(item)
    new: list[ItemEdit] = []
    for edit in edits:
        if edit.column not in COLUMN_ORDER:
            raise DomainError("Choose a column for each item", field=_field(edit, "column"))
        unchanged = edit.item_id in known and known[edit.item_id].text == edit.text
        # An item kept as it was may be longer (one carried over from a summary written as
        # a block before items): only new or changed text must fit.
        if len(edit.text) > MAX_ITEM_LENGTH and not unchanged:
            raise DomainError(
                f"An item must be {MAX_ITEM_LENGTH:,} characters or fewer: split it into two",
                field=_field(edit, "text"),
            )
        if edit.item_id is None:
            if edit.text:
                new.append(edit)
            continue
        item = known.get(edit.item_id)
        if item is None:
            raise SummaryConflict()  # removed by someone else since the page was read
        if not edit.text:  # an item cleared is removed
            columns[item.column.value].remove(item)
            continue
        item.text = edit.text
        if item.column.value != edit.column:  # moved to another column: it goes last there
            columns[item.column.value].remove(item)
            columns[edit.column].append(item)
    if move is not None:
        where = next(
            (column for column, listed in columns.items() if known.get(move.item_id) in listed),
            None,
        )
        if where is not None:
            listed = columns[where]
            place = listed.index(known[move.item_id])
            if move.how == "remove":
                listed.pop(place)
            elif move.how == "up" and place > 0:
                listed[place - 1], listed[place] = listed[place], listed[place - 1]
            elif move.how == "down" and place < len(listed) - 1:
                listed[place + 1], listed[place] = listed[place], listed[place + 1]
    return columns, new


def _field(edit: ItemEdit, name: str) -> str:
    return f"item-{edit.item_id}-{name}" if edit.item_id else f"new-{edit.column}"


def save_summary(
    session: Session,
    audit: Audit,
    agency_id: int,
    seen_version: int | None,
    edits: Sequence[ItemEdit],
    user: User,
    *,
    move: ItemMove | None = None,
    send: bool = False,
) -> AgencySummary:
    """Save the items as the agency left them (cleared items removed, new ones added at the
    end of their column), move or remove one when ``move`` says so, and send the summary to
    the panel when ``send``."""
    summary = _open_for_writing(session, audit, agency_id, seen_version)
    before = {column: 0 for column in COLUMN_ORDER}
    for item in summary.items:
        before[item.column.value] += 1
    columns, new = _arrange(list(summary.items), edits, move)
    for edit in new:
        columns[edit.column].append(
            SummaryItem(column=SignsOfSafetyColumn(edit.column), text=edit.text, answer_ids=[])
        )
    for column, listed in columns.items():
        # A column already over the limit (carried over from a summary written as a block
        # before items) may still be saved and shortened: only growing past it is refused.
        if len(listed) > max(MAX_ITEMS_PER_COLUMN, before[column]):
            raise DomainError(
                f"A column can hold {MAX_ITEMS_PER_COLUMN} items at most: join some together",
                field=f"new-{column}",
            )
    kept = {id(item) for listed in columns.values() for item in listed}
    for item in list(summary.items):
        if id(item) not in kept:
            summary.items.remove(item)
    for column, listed in columns.items():
        for position, item in enumerate(listed):
            item.position = position
            item.column = SignsOfSafetyColumn(column)
            if item not in summary.items:
                summary.items.append(item)
    if send:
        if not summary.items:
            raise DomainError("Write the summary before sending it", field="new-working_well")
        summary.submitted_at = utcnow()
        summary.submitted_by_id = user.id
    return _flush(session, summary)
