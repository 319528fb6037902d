"""Evidence beyond the case files, with no Flask: professional interviews, the voice of
children and young people (an engagement event's notes and quotes, a survey's counts), and
other evidence. Each source holds items, each in one Signs of Safety column, which the panel
tags with themes on the board.

Every text is bounded. A source's details and its items' words are saved only against the
version read (two panel members editing at once never lose each other's words: the second
is told, and their words are shown back). Listing the sources takes a fixed number of
statements, whatever the number of sources, items or children.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.exc import StaleDataError

from audit_app.accounts.models import User
from audit_app.agencies.models import Agency
from audit_app.audits.models import Audit, AuditStatus
from audit_app.core.errors import DomainError
from audit_app.core.models import utcnow
from audit_app.panel.models import (
    EvidenceItem,
    EvidenceKind,
    EvidenceSource,
    FindingEvidence,
    ThemeTag,
)
from audit_app.panel.surveys import SurveyCounts
from audit_app.questionnaires.definitions import COLUMN_LABELS, COLUMNS, SignsOfSafetyColumn

MAX_TITLE = 300
MAX_ROLE = 200
MAX_TEXT = 5_000
"""The most characters of notes, or of one item."""
MAX_PARTICIPANTS = 100_000
MAX_ITEMS = 200
"""The most items one source may hold."""
QUOTE_ROWS = 3
"""Empty quote rows on the engagement event's form (more are added on the source's page)."""

KIND_ORDER = (
    EvidenceKind.PROFESSIONAL_INTERVIEW,
    EvidenceKind.CHILD_VOICE,
    EvidenceKind.SURVEY,
    EvidenceKind.OTHER,
)
INTERVIEW_PROMPTS = {
    "working_well": "What is working well",
    "worried_about": "What is not working",
    "needs_to_happen": "What we need more of",
}
"""The interview's three questions, each giving an item in its column."""


class EvidenceConflict(DomainError):
    def __init__(self) -> None:
        super().__init__(
            "Someone else changed this evidence while you were working on it, so your changes "
            "have not been saved. Your words are shown below: check what they saved, then "
            "add yours."
        )


# --- Reading ---------------------------------------------------------------------------------


@dataclass
class SourceRow:
    """One source as the evidence page lists it."""

    source: EvidenceSource
    agency: str | None
    items: dict[str, int] = field(default_factory=lambda: {column: 0 for column in COLUMNS})

    @property
    def item_count(self) -> int:
        return sum(self.items.values())


def sources_of(session: Session, audit: Audit) -> dict[EvidenceKind, list[SourceRow]]:
    """Every source of the audit by kind (newest held first), with its agency's name and its
    items counted per column: two statements."""
    rows: dict[int, SourceRow] = {}
    for source, agency in session.execute(
        select(EvidenceSource, Agency.name)
        .outerjoin(Agency, Agency.id == EvidenceSource.agency_id)
        .where(EvidenceSource.audit_id == audit.id)
        .order_by(EvidenceSource.held_on.desc().nulls_last(), EvidenceSource.id)
    ):
        rows[source.id] = SourceRow(source, agency)
    if rows:
        for source_id, column, count in session.execute(
            select(EvidenceItem.source_id, EvidenceItem.column, func.count())
            .where(EvidenceItem.audit_id == audit.id)
            .group_by(EvidenceItem.source_id, EvidenceItem.column)
        ):
            if source_id in rows:
                rows[source_id].items[column.value] = count
    grouped: dict[EvidenceKind, list[SourceRow]] = {kind: [] for kind in KIND_ORDER}
    for row in rows.values():
        grouped[row.source.kind].append(row)
    return grouped


def source_of(session: Session, audit: Audit, source_id: int) -> EvidenceSource | None:
    """The audit's source ``source_id`` with its items and agency, or None (another audit's
    source is not found)."""
    return session.scalar(
        select(EvidenceSource)
        .where(EvidenceSource.id == source_id, EvidenceSource.audit_id == audit.id)
        .options(selectinload(EvidenceSource.items), selectinload(EvidenceSource.agency))
    )


def items_by_column(source: EvidenceSource) -> dict[str, list[EvidenceItem]]:
    columns: dict[str, list[EvidenceItem]] = {column: [] for column in COLUMNS}
    for item in sorted(source.items, key=lambda item: (item.position, item.id)):
        columns[item.column.value].append(item)
    return columns


def item_of(source: EvidenceSource, item_id: int) -> EvidenceItem | None:
    return next((item for item in source.items if item.id == item_id), None)


@dataclass(frozen=True)
class ItemLinks:
    tags: int = 0
    findings: int = 0


def links_of(session: Session, source: EvidenceSource) -> ItemLinks:
    """How many theme tags and findings point at the source's items (what deleting it takes
    away): two statements."""
    ids = [item.id for item in source.items]
    if not ids:
        return ItemLinks()
    tags = session.scalar(
        select(func.count()).select_from(ThemeTag).where(ThemeTag.evidence_item_id.in_(ids))
    )
    findings = session.scalar(
        select(func.count(func.distinct(FindingEvidence.finding_id))).where(
            FindingEvidence.evidence_item_id.in_(ids)
        )
    )
    return ItemLinks(tags or 0, findings or 0)


# --- Checking what was typed -----------------------------------------------------------------


def _check_open(audit: Audit) -> None:
    if audit.status is AuditStatus.CLOSED:
        raise DomainError("The audit is closed, so its evidence can no longer be changed")


def _bounded(text: str, limit: int, what: str, field_name: str) -> str:
    text = (text or "").strip()
    if len(text) > limit:
        raise DomainError(f"{what} must be {limit:,} characters or fewer", field=field_name)
    return text


def _required(text: str, limit: int, what: str, field_name: str, missing: str) -> str:
    text = _bounded(text, limit, what, field_name)
    if not text:
        raise DomainError(missing, field=field_name)
    return text


def _held_on(held_on: date | None, required: str | None, today: date | None = None) -> date | None:
    if held_on is None:
        if required:
            raise DomainError(required, field="held_on")
        return None
    if held_on > (today or date.today()):
        raise DomainError("The date must be today or in the past", field="held_on")
    return held_on


def _participants(count: int | None, required: bool) -> int | None:
    if count is None:
        if required:
            raise DomainError("Enter how many took part", field="participants")
        return None
    if not 1 <= count <= MAX_PARTICIPANTS:
        raise DomainError(
            f"How many took part must be a whole number from 1 to {MAX_PARTICIPANTS:,}",
            field="participants",
        )
    return count


def _agency(audit_agencies: Sequence[Agency], agency_id: int | None) -> Agency | None:
    if agency_id is None:
        return None
    agency = next((a for a in audit_agencies if a.id == agency_id), None)
    if agency is None:
        raise DomainError("Choose an agency taking part in the audit", field="agency_id")
    return agency


def _column(value: str, field_name: str = "column") -> SignsOfSafetyColumn:
    try:
        return SignsOfSafetyColumn(value)
    except ValueError:
        raise DomainError("Choose a column for the item", field=field_name) from None


def _new_source(
    audit: Audit, user: User | None, kind: EvidenceKind, **values: object
) -> EvidenceSource:
    return EvidenceSource(
        audit_id=audit.id,
        kind=kind,
        created_by_id=user.id if user is not None else None,
        **values,
    )


def _add_item(
    source: EvidenceSource,
    column: SignsOfSafetyColumn,
    text: str,
    *,
    is_quote: bool = False,
    count: int | None = None,
) -> EvidenceItem:
    if len(source.items) >= MAX_ITEMS:
        raise DomainError(
            f"A source can hold {MAX_ITEMS} items at most: join some together", field="text"
        )
    position = 1 + max(
        (item.position for item in source.items if item.column is column), default=-1
    )
    item = EvidenceItem(
        audit_id=source.audit_id,
        column=column,
        text=text,
        is_quote=is_quote,
        count=count,
        position=position,
    )
    source.items.append(item)
    return item


# --- Adding sources --------------------------------------------------------------------------


@dataclass(frozen=True)
class Interview:
    role: str
    agency_id: int | None
    """None: another organisation."""
    organisation: str
    held_on: date | None
    working_well: str = ""
    worried_about: str = ""
    needs_to_happen: str = ""


def interview_title(role: str, agency: Agency | None, organisation: str) -> str:
    where = agency.name if agency is not None else (organisation or "another organisation")
    return f"Interview with {role}, {where}"[:MAX_TITLE]


def add_interview(
    session: Session,
    audit: Audit,
    agencies: Sequence[Agency],
    interview: Interview,
    user: User | None,
    today: date | None = None,
) -> EvidenceSource:
    """A professional interview: its three answers become an item each in their column."""
    _check_open(audit)
    role = _required(
        interview.role, MAX_ROLE, "The role", "role", "Enter the role of the person interviewed"
    )
    agency = _agency(agencies, interview.agency_id)
    organisation = (
        ""
        if agency
        else _bounded(interview.organisation, MAX_ROLE, "The organisation", "organisation")
    )
    held_on = _held_on(interview.held_on, "Enter the date of the interview", today)
    texts = {
        column: _bounded(getattr(interview, column), MAX_TEXT, INTERVIEW_PROMPTS[column], column)
        for column in COLUMNS
    }
    if not any(texts.values()):
        raise DomainError(
            "Say what is working well, what is not working or what we need more of",
            field="working_well",
        )
    source = _new_source(
        audit,
        user,
        EvidenceKind.PROFESSIONAL_INTERVIEW,
        title=interview_title(role, agency, organisation),
        agency_id=agency.id if agency else None,
        role=role,
        held_on=held_on,
        notes="",
    )
    session.add(source)
    for column, text in texts.items():
        if text:
            _add_item(source, SignsOfSafetyColumn(column), text)
    session.flush()
    return source


@dataclass(frozen=True)
class Quote:
    text: str
    column: str


@dataclass(frozen=True)
class Event:
    title: str
    held_on: date | None
    participants: int | None
    notes: str
    quotes: Sequence[Quote] = ()


def add_event(
    session: Session, audit: Audit, event: Event, user: User | None, today: date | None = None
) -> EvidenceSource:
    """An engagement event with children and young people: its notes, and each quote an item
    (a child's own words) in its column."""
    _check_open(audit)
    title = _required(event.title, MAX_TITLE, "The title", "title", "Enter a title for the event")
    held_on = _held_on(event.held_on, "Enter the date of the event", today)
    participants = _participants(event.participants, required=True)
    notes = _bounded(event.notes, MAX_TEXT, "The notes", "notes")
    quotes = []
    for index, quote in enumerate(event.quotes):
        name = f"quote_{index + 1}"
        text = _bounded(quote.text, MAX_TEXT, "A quote", f"{name}-text")
        if text:
            quotes.append((_column(quote.column, f"{name}-column"), text))
    source = _new_source(
        audit,
        user,
        EvidenceKind.CHILD_VOICE,
        title=title,
        held_on=held_on,
        participants=participants,
        notes=notes,
    )
    session.add(source)
    for column, text in quotes:
        _add_item(source, column, text, is_quote=True)
    session.flush()
    return source


def add_survey(
    session: Session,
    audit: Audit,
    title: str,
    held_on: date | None,
    counts: SurveyCounts,
    user: User | None,
    today: date | None = None,
) -> EvidenceSource:
    """A survey's counts per question (read by :func:`audit_app.panel.surveys.read_survey`);
    its responses are how many took part."""
    _check_open(audit)
    title = _required(title, MAX_TITLE, "The title", "title", "Enter a title for the survey")
    held_on = _held_on(held_on, "Enter the date of the survey", today)
    source = _new_source(
        audit,
        user,
        EvidenceKind.SURVEY,
        title=title,
        held_on=held_on,
        participants=counts.responses,
        notes="",
        survey=counts.as_json(),
    )
    session.add(source)
    session.flush()
    return source


@dataclass(frozen=True)
class Other:
    title: str
    held_on: date | None
    notes: str
    working_well: str = ""
    worried_about: str = ""
    needs_to_happen: str = ""


def add_other(
    session: Session, audit: Audit, other: Other, user: User | None, today: date | None = None
) -> EvidenceSource:
    """Other evidence: a title, perhaps a date, notes, and an item in each column given."""
    _check_open(audit)
    title = _required(other.title, MAX_TITLE, "The title", "title", "Enter a title")
    held_on = _held_on(other.held_on, None, today)
    notes = _bounded(other.notes, MAX_TEXT, "The notes", "notes")
    texts = {
        column: _bounded(getattr(other, column), MAX_TEXT, COLUMN_LABELS[column], column)
        for column in COLUMNS
    }
    source = _new_source(audit, user, EvidenceKind.OTHER, title=title, held_on=held_on, notes=notes)
    session.add(source)
    for column, text in texts.items():
        if text:
            _add_item(source, SignsOfSafetyColumn(column), text)
    session.flush()
    return source


# --- Changing a source -----------------------------------------------------------------------


@dataclass(frozen=True)
class Details:
    """A source's details as edited (what its kind does not use is ignored)."""

    title: str
    held_on: date | None
    role: str = ""
    agency_id: int | None = None
    participants: int | None = None
    notes: str = ""


def _save(session: Session, source: EvidenceSource) -> EvidenceSource:
    source.updated_at = utcnow()  # the source's row changes, so its version moves on
    try:
        session.flush()
    except StaleDataError as error:
        session.rollback()
        raise EvidenceConflict() from error
    return source


def _check_version(source: EvidenceSource, seen_version: int | None) -> None:
    if seen_version is None or source.version != seen_version:
        raise EvidenceConflict()


def update_source(
    session: Session,
    audit: Audit,
    agencies: Sequence[Agency],
    source: EvidenceSource,
    seen_version: int | None,
    details: Details,
    today: date | None = None,
) -> EvidenceSource:
    """Save a source's details, if nobody has changed it since ``seen_version`` was read."""
    _check_open(audit)
    _check_version(source, seen_version)
    kind = source.kind
    title = _required(details.title, MAX_TITLE, "The title", "title", "Enter a title")
    required = {
        EvidenceKind.PROFESSIONAL_INTERVIEW: "Enter the date of the interview",
        EvidenceKind.CHILD_VOICE: "Enter the date of the event",
        EvidenceKind.SURVEY: "Enter the date of the survey",
    }.get(kind)
    held_on = _held_on(details.held_on, required, today)
    if kind is EvidenceKind.PROFESSIONAL_INTERVIEW:
        source.role = _required(
            details.role, MAX_ROLE, "The role", "role", "Enter the role of the person interviewed"
        )
        agency = _agency(agencies, details.agency_id)
        source.agency_id = agency.id if agency else None
    if kind is EvidenceKind.CHILD_VOICE:
        source.participants = _participants(details.participants, required=True)
    if kind is not EvidenceKind.PROFESSIONAL_INTERVIEW:
        source.notes = _bounded(details.notes, MAX_TEXT, "The notes", "notes")
    source.title = title
    source.held_on = held_on
    return _save(session, source)


def delete_source(
    session: Session, audit: Audit, source: EvidenceSource, seen_version: int | None
) -> None:
    """Delete a source with its items, their theme tags and their links to findings."""
    _check_open(audit)
    _check_version(source, seen_version)
    _unlink(session, [item.id for item in source.items])
    session.delete(source)
    try:
        session.flush()
    except StaleDataError as error:
        session.rollback()
        raise EvidenceConflict() from error


def _unlink(session: Session, item_ids: list[int]) -> None:
    """Remove the theme tags and finding links of items about to go (each logged)."""
    if not item_ids:
        return
    for tag in session.scalars(select(ThemeTag).where(ThemeTag.evidence_item_id.in_(item_ids))):
        session.delete(tag)
    for link in session.scalars(
        select(FindingEvidence).where(FindingEvidence.evidence_item_id.in_(item_ids))
    ):
        session.delete(link)
    session.flush()


# --- Items -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemInput:
    column: str
    text: str
    is_quote: bool = False
    count: int | None = None


def _item_values(item: ItemInput) -> tuple[SignsOfSafetyColumn, str, int | None]:
    column = _column(item.column)
    text = _required(item.text, MAX_TEXT, "The item", "text", "Enter what the item says")
    if item.count is not None and not 0 <= item.count <= MAX_PARTICIPANTS:
        raise DomainError(
            f"How many said it must be a whole number from 0 to {MAX_PARTICIPANTS:,}",
            field="count",
        )
    return column, text, item.count


def add_item(
    session: Session, audit: Audit, source: EvidenceSource, item: ItemInput
) -> EvidenceItem:
    """Add an item at the end of its column. Adding loses nobody's words, so it is not
    checked against the version read; it moves the source's version on."""
    _check_open(audit)
    column, text, count = _item_values(item)
    added = _add_item(source, column, text, is_quote=item.is_quote, count=count)
    _save(session, source)
    return added


def edit_item(
    session: Session,
    audit: Audit,
    source: EvidenceSource,
    item_id: int,
    seen_version: int | None,
    item: ItemInput,
) -> EvidenceItem:
    """Change an item's words, column, quote mark or count, if nobody has changed the source
    or its items since ``seen_version``. An item moved to another column goes last there."""
    _check_open(audit)
    existing = item_of(source, item_id)
    if existing is None:
        raise EvidenceConflict()  # removed by someone else since the page was read
    _check_version(source, seen_version)
    column, text, count = _item_values(item)
    if existing.column is not column:
        existing.position = 1 + max(
            (other.position for other in source.items if other.column is column), default=-1
        )
        existing.column = column
    existing.text = text
    existing.is_quote = item.is_quote
    existing.count = count
    _save(session, source)
    return existing


def remove_item(session: Session, audit: Audit, source: EvidenceSource, item_id: int) -> bool:
    """Remove an item with its theme tags and finding links; False when it had gone."""
    _check_open(audit)
    existing = item_of(source, item_id)
    if existing is None:
        return False
    _unlink(session, [existing.id])
    source.items.remove(existing)
    _save(session, source)
    return True


# --- A survey's counts, as stored ------------------------------------------------------------


@dataclass(frozen=True)
class StoredQuestion:
    number: int
    """From 1, in the file's order."""
    text: str
    answered: int
    counts: list[tuple[str, int]]
    free_text: bool


def survey_questions(source: EvidenceSource) -> list[StoredQuestion]:
    """The survey's questions and counts as stored on upload ([] for other kinds)."""
    stored = source.survey or {}
    questions = []
    for number, question in enumerate(stored.get("questions") or [], start=1):
        counts = [(str(answer), int(count)) for answer, count in question.get("counts") or []]
        questions.append(
            StoredQuestion(
                number,
                str(question.get("text", "")),
                int(question.get("answered", sum(count for _, count in counts))),
                counts,
                bool(question.get("written", False)),
            )
        )
    return questions
