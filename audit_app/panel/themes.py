"""The panel's themes, with no Flask: naming, describing, merging and deleting them, the
reach of each (how many children, agencies and items it touches), the themes of the
partnership's earlier audits with the same name, and the themes the template suggests.

Every reading here runs a fixed number of statements, whatever the size of the audit: the
reach of every theme is one statement, the earlier audits' themes one, and a theme's
tagged items one per kind of item.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import and_, case, func, null, or_, select, union_all
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from audit_app.agencies.models import Agency
from audit_app.audits.models import Audit
from audit_app.cohort.models import CohortMember
from audit_app.core.errors import DomainError
from audit_app.panel.models import (
    EvidenceItem,
    EvidenceSource,
    Finding,
    FindingTheme,
    Theme,
    ThemeTag,
)
from audit_app.panel.reading import asked_answers
from audit_app.questionnaires.answer_types import answer_type
from audit_app.questionnaires.definitions import COLUMN_LABELS, AuditTemplateDefinition
from audit_app.questionnaires.library import definition_of
from audit_app.returns.models import (
    AgencyReturn,
    AgencySummary,
    Answer,
    ChronologyEntry,
    ReturnStatus,
    SummaryItem,
)

MAX_NAME_LENGTH = 200
MAX_DESCRIPTION_LENGTH = 2000
ITEMS_SHOWN = 500
"""The most items of each kind a theme's page lists (its reach still counts them all)."""


class ThemeConflict(DomainError):
    def __init__(self) -> None:
        super().__init__(
            "Someone else changed this theme while you were working on it, so your changes "
            "have not been saved. What you typed is shown below: check their version, then "
            "save yours again."
        )


class ThemeNotFound(LookupError):
    """A theme or tag named in a request is not this audit's (the page answers 404)."""


# --- Names -----------------------------------------------------------------------------------


def tidy_name(name: str) -> str:
    """A theme's name as kept: trimmed, with runs of spaces made one."""
    return " ".join((name or "").split())


def name_key(name: str) -> str:
    """What makes two names the same: case and spacing aside."""
    return tidy_name(name).casefold()


def _check_name(session: Session, audit: Audit, name: str, theme: Theme | None) -> str:
    tidied = tidy_name(name)
    if not tidied:
        raise DomainError("Enter a name for the theme", field="name")
    if len(tidied) > MAX_NAME_LENGTH:
        raise DomainError(
            f"The theme's name must be {MAX_NAME_LENGTH} characters or fewer", field="name"
        )
    key = name_key(tidied)
    for other_id, other_name in session.execute(
        select(Theme.id, Theme.name).where(Theme.audit_id == audit.id)
    ):
        if name_key(other_name) == key and (theme is None or other_id != theme.id):
            raise DomainError(
                f"There is already a theme called '{other_name}'. Choose another name, or "
                "add to that theme instead.",
                field="name",
            )
    return tidied


def _check_description(description: str) -> str:
    description = (description or "").strip()
    if len(description) > MAX_DESCRIPTION_LENGTH:
        raise DomainError(
            f"The description must be {MAX_DESCRIPTION_LENGTH:,} characters or fewer",
            field="description",
        )
    return description


def _flush(session: Session) -> None:
    try:
        session.flush()
    except StaleDataError as error:
        session.rollback()
        raise ThemeConflict() from error
    except IntegrityError as error:
        # Two people named a theme the same at once: the unique (audit, name) refused one.
        session.rollback()
        raise DomainError(
            "Someone else has just added a theme with this name. Choose another name.",
            field="name",
        ) from error


# --- Writing ---------------------------------------------------------------------------------


def theme_of(session: Session, audit: Audit, theme_id: int) -> Theme:
    """The audit's theme ``theme_id``; :class:`ThemeNotFound` for another audit's."""
    theme = session.get(Theme, theme_id)
    if theme is None or theme.audit_id != audit.id:
        raise ThemeNotFound(theme_id)
    return theme


def create_theme(session: Session, audit: Audit, name: str, description: str = "") -> Theme:
    """A new theme of the audit. A name the audit already uses (in any case) is refused,
    naming the theme that has it."""
    description = _check_description(description)
    theme = Theme(
        audit_id=audit.id, name=_check_name(session, audit, name, None), description=description
    )
    session.add(theme)
    _flush(session)
    return theme


def update_theme(
    session: Session,
    audit: Audit,
    theme: Theme,
    seen_version: int | None,
    name: str,
    description: str,
) -> Theme:
    """Rename and describe a theme. A save based on an older read of the theme (someone
    else saved it since) is refused with :class:`ThemeConflict`."""
    if theme.audit_id != audit.id:
        raise ThemeNotFound(theme.id)
    if seen_version != theme.version:
        raise ThemeConflict()
    tidied = _check_name(session, audit, name, theme)
    description = _check_description(description)
    theme.name = tidied
    theme.description = description
    _flush(session)
    return theme


@dataclass(frozen=True)
class Merged:
    moved: int
    """Tags moved to the target."""
    already: int
    """Tags dropped as the target already tagged the same item."""


def merge_themes(session: Session, audit: Audit, source: Theme, target: Theme) -> Merged:
    """Move every tag and finding link of ``source`` to ``target`` (an item or finding the
    target already has is kept once), then delete ``source``."""
    if source.audit_id != audit.id or target.audit_id != audit.id:
        raise ThemeNotFound(target.id)
    if source.id == target.id:
        raise DomainError("Choose another theme to merge this one into", field="into")
    tags = list(
        session.scalars(select(ThemeTag).where(ThemeTag.theme_id.in_((source.id, target.id))))
    )
    targeted = {
        (kind, getattr(tag, kind))
        for tag in tags
        if tag.theme_id == target.id
        for kind in THEME_TAG_KINDS
        if getattr(tag, kind) is not None
    }
    moved = already = 0
    for tag in tags:
        if tag.theme_id != source.id:
            continue
        key = next((kind, getattr(tag, kind)) for kind in THEME_TAG_KINDS if getattr(tag, kind))
        if key in targeted:
            session.delete(tag)
            already += 1
        else:
            tag.theme_id = target.id
            targeted.add(key)
            moved += 1
    links = list(
        session.scalars(
            select(FindingTheme).where(FindingTheme.theme_id.in_((source.id, target.id)))
        )
    )
    linked = {link.finding_id for link in links if link.theme_id == target.id}
    for link in links:
        if link.theme_id != source.id:
            continue
        if link.finding_id in linked:
            session.delete(link)
        else:
            link.theme_id = target.id
            linked.add(link.finding_id)
    _flush(session)  # the tags and links first: the theme they pointed at goes next
    session.delete(source)
    _flush(session)
    return Merged(moved, already)


@dataclass(frozen=True)
class DeleteCheck:
    """What deleting a theme takes with it."""

    tags: int
    findings: int


def what_deleting_removes(session: Session, theme: Theme) -> DeleteCheck:
    tags = session.scalar(select(func.count(ThemeTag.id)).where(ThemeTag.theme_id == theme.id))
    findings = session.scalar(
        select(func.count(FindingTheme.id)).where(FindingTheme.theme_id == theme.id)
    )
    return DeleteCheck(tags or 0, findings or 0)


def delete_theme(session: Session, audit: Audit, theme: Theme) -> DeleteCheck:
    """Delete a theme with its tags (the items stay) and its links to findings (the
    findings stay)."""
    if theme.audit_id != audit.id:
        raise ThemeNotFound(theme.id)
    tags = list(session.scalars(select(ThemeTag).where(ThemeTag.theme_id == theme.id)))
    links = list(session.scalars(select(FindingTheme).where(FindingTheme.theme_id == theme.id)))
    for row in (*tags, *links):
        session.delete(row)
    _flush(session)
    session.delete(theme)
    _flush(session)
    return DeleteCheck(len(tags), len(links))


def remove_tag(session: Session, audit: Audit, theme: Theme, tag_id: int) -> None:
    """Take the theme off one item (the item stays)."""
    tag = session.get(ThemeTag, tag_id)
    if theme.audit_id != audit.id or tag is None or tag.theme_id != theme.id:
        raise ThemeNotFound(tag_id)
    session.delete(tag)
    _flush(session)


THEME_TAG_KINDS = ("answer_id", "chronology_entry_id", "evidence_item_id", "summary_item_id")


# --- Reach -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reach:
    children: int = 0
    """Children in the cohort now (not those taken out) with a tagged answer or entry."""
    agencies: int = 0
    items: int = 0


def _definition(audit: Audit) -> AuditTemplateDefinition | None:
    return definition_of(audit.template_version) if audit.template_version else None


def _tagged_rows(audit: Audit, theme_ids: Sequence[int] | None) -> Any:
    """One row per tag of the audit's themes: the theme, the child (a current one, else
    NULL), the agency (NULL when none) and the tag."""

    def of_audit(query: Any) -> Any:
        query = query.join(Theme, Theme.id == ThemeTag.theme_id).where(Theme.audit_id == audit.id)
        return query.where(ThemeTag.theme_id.in_(theme_ids)) if theme_ids is not None else query

    current_child = case((CohortMember.removed_at.is_(None), AgencyReturn.member_id), else_=null())
    answers = of_audit(
        select(
            ThemeTag.theme_id.label("theme_id"),
            current_child.label("member_id"),
            AgencyReturn.agency_id.label("agency_id"),
            ThemeTag.id.label("tag_id"),
        )
        .join(Answer, Answer.id == ThemeTag.answer_id)
        .join(AgencyReturn, AgencyReturn.id == Answer.return_id)
        .join(CohortMember, CohortMember.id == AgencyReturn.member_id)
        .where(
            AgencyReturn.audit_id == audit.id,
            AgencyReturn.status == ReturnStatus.SUBMITTED,
            asked_answers(_definition(audit)),
        )
    )
    entries = of_audit(
        select(ThemeTag.theme_id, current_child, AgencyReturn.agency_id, ThemeTag.id)
        .join(ChronologyEntry, ChronologyEntry.id == ThemeTag.chronology_entry_id)
        .join(AgencyReturn, AgencyReturn.id == ChronologyEntry.return_id)
        .join(CohortMember, CohortMember.id == AgencyReturn.member_id)
        .where(AgencyReturn.audit_id == audit.id, AgencyReturn.status == ReturnStatus.SUBMITTED)
    )
    summary_items = of_audit(
        select(ThemeTag.theme_id, null(), AgencySummary.agency_id, ThemeTag.id)
        .join(SummaryItem, SummaryItem.id == ThemeTag.summary_item_id)
        .join(AgencySummary, AgencySummary.id == SummaryItem.summary_id)
        .where(AgencySummary.audit_id == audit.id)
    )
    evidence = of_audit(
        select(ThemeTag.theme_id, null(), EvidenceSource.agency_id, ThemeTag.id)
        .join(EvidenceItem, EvidenceItem.id == ThemeTag.evidence_item_id)
        .join(EvidenceSource, EvidenceSource.id == EvidenceItem.source_id)
        .where(EvidenceItem.audit_id == audit.id)
    )
    return union_all(answers, entries, summary_items, evidence).subquery("tagged")


def reach_of(
    session: Session, audit: Audit, theme_ids: Sequence[int] | None = None
) -> dict[int, Reach]:
    """The reach of the audit's themes (of ``theme_ids`` only, when given), by theme id, in
    one statement. A theme with no tags is absent: its reach is ``Reach()``."""
    tagged = _tagged_rows(audit, theme_ids)
    rows = session.execute(
        select(
            tagged.c.theme_id,
            func.count(tagged.c.member_id.distinct()),
            func.count(tagged.c.agency_id.distinct()),
            func.count(tagged.c.tag_id),
        ).group_by(tagged.c.theme_id)
    )
    return {
        theme_id: Reach(children, agencies, items) for theme_id, children, agencies, items in rows
    }


# --- Recurring themes ------------------------------------------------------------------------


@dataclass(frozen=True)
class EarlierAudit:
    id: int
    title: str
    theme_name: str
    """The theme's name as that audit wrote it."""


def earlier_themes(session: Session, audit: Audit) -> dict[str, list[EarlierAudit]]:
    """The themes of the partnership's audits created before this one, by :func:`name_key`,
    most recent audit first (one statement). A demo audit is matched with demo audits only,
    and a real one with real ones."""
    created = audit.created_at
    earlier = or_(
        Audit.created_at < created, and_(Audit.created_at == created, Audit.id < audit.id)
    )
    rows = session.execute(
        select(Theme.name, Audit.id, Audit.title)
        .join(Audit, Audit.id == Theme.audit_id)
        .where(Audit.id != audit.id, Audit.is_demo == audit.is_demo, earlier)
        .order_by(Audit.created_at.desc(), Audit.id.desc(), Theme.name)
    )
    found: dict[str, list[EarlierAudit]] = defaultdict(list)
    for name, audit_id, title in rows:
        listed = found[name_key(name)]
        if not any(seen.id == audit_id for seen in listed):
            listed.append(EarlierAudit(audit_id, title, name))
    return dict(found)


def recurring_words(earlier: Iterable[EarlierAudit]) -> str:
    """In words: Recurring: also in 'Children in crisis 2021' and 'Self-harm 2019' (or nothing)."""
    titles = [f"'{audit.title}'" for audit in earlier]
    if not titles:
        return ""
    listed = titles[0] if len(titles) == 1 else ", ".join(titles[:-1]) + " and " + titles[-1]
    return f"Recurring: also in {listed}"


# --- The themes page -------------------------------------------------------------------------


@dataclass(frozen=True)
class ThemeRow:
    theme: Theme
    reach: Reach
    recurring: list[EarlierAudit]

    @property
    def recurring_words(self) -> str:
        return recurring_words(self.recurring)


@dataclass(frozen=True)
class Suggestion:
    name: str
    why: str
    """Where it comes from, in words."""


@dataclass
class ThemesPage:
    rows: list[ThemeRow]
    suggestions: list[Suggestion] = field(default_factory=list)


def sort_key(row: ThemeRow) -> tuple[int, int, int, str]:
    return (-row.reach.children, -row.reach.agencies, -row.reach.items, name_key(row.theme.name))


def themes_page(
    session: Session, audit: Audit, definition: AuditTemplateDefinition | None
) -> ThemesPage:
    """Every theme of the audit with its reach and the earlier audits that had it, sorted by
    reach (children, then agencies, then items, then name); and the names the template and
    the earlier audits suggest that are not used yet. Three statements."""
    themes = list(session.scalars(select(Theme).where(Theme.audit_id == audit.id)))
    reach = reach_of(session, audit)
    earlier = earlier_themes(session, audit)
    rows = sorted(
        (
            ThemeRow(theme, reach.get(theme.id, Reach()), earlier.get(name_key(theme.name), []))
            for theme in themes
        ),
        key=sort_key,
    )
    used = {name_key(theme.name) for theme in themes}
    return ThemesPage(rows, suggestions(definition, earlier, used))


def suggestions(
    definition: AuditTemplateDefinition | None,
    earlier: dict[str, list[EarlierAudit]],
    used: set[str],
) -> list[Suggestion]:
    """Names not used yet: those the template's questions hint (``themes:``), most hinted
    first, then those of the earlier audits."""
    hinted: dict[str, list[str]] = {}
    counts: dict[str, int] = defaultdict(int)
    for question in definition.questions if definition else []:
        for hint in question.themes:
            key = name_key(hint)
            if not key or key in used:
                continue
            tidied = tidy_name(hint)
            hinted.setdefault(key, [tidied[:1].upper() + tidied[1:]])
            counts[key] += 1
    found = [
        Suggestion(
            hinted[key][0],
            f"{counts[key]} {'question' if counts[key] == 1 else 'questions'} in the template",
        )
        for key in sorted(hinted, key=lambda key: (-counts[key], key))
    ]
    for key, audits in earlier.items():
        if key in used or key in hinted:
            continue
        found.append(Suggestion(audits[0].theme_name, f"in '{audits[0].title}'"))
    return found


def suggested_names(
    session: Session, audit: Audit, definition: AuditTemplateDefinition | None
) -> dict[str, str]:
    """The names on offer now, by :func:`name_key` (to check what a form sent)."""
    page = themes_page(session, audit, definition)
    return {name_key(s.name): s.name for s in page.suggestions}


# --- One theme's page ------------------------------------------------------------------------


@dataclass(frozen=True)
class TaggedAnswer:
    tag_id: int
    child: str
    agency: str
    question: str
    answer: str


@dataclass(frozen=True)
class TaggedEntry:
    tag_id: int
    child: str
    agency: str
    happened_on: date
    what_happened: str
    missed_opportunity: bool


@dataclass(frozen=True)
class TaggedSummaryItem:
    tag_id: int
    agency: str
    column: str
    text: str


@dataclass(frozen=True)
class TaggedEvidence:
    tag_id: int
    source: str
    agency: str
    column: str
    text: str
    is_quote: bool


@dataclass
class ThemeItems:
    answers: list[TaggedAnswer] = field(default_factory=list)
    entries: list[TaggedEntry] = field(default_factory=list)
    summary_items: list[TaggedSummaryItem] = field(default_factory=list)
    evidence: list[TaggedEvidence] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.answers) + len(self.entries) + len(self.summary_items) + len(self.evidence)


def _column_label(column: Any) -> str:
    value = getattr(column, "value", column)
    return COLUMN_LABELS.get(value, "") if value else ""


def items_of(
    session: Session,
    audit: Audit,
    theme: Theme,
    definition: AuditTemplateDefinition | None,
    limit: int = ITEMS_SHOWN,
) -> ThemeItems:
    """Every item the theme tags, by kind (one statement per kind; at most ``limit`` of
    each): answers by child, agency and question; chronology entries by date; summary items
    by agency; evidence by source."""
    items = ThemeItems()
    questions = {q.id: q for q in definition.questions} if definition else {}
    scales = definition.scales if definition else {}
    order = {question_id: n for n, question_id in enumerate(questions)}
    rows = session.execute(
        select(
            ThemeTag.id,
            CohortMember.code,
            CohortMember.position,
            Agency.name,
            Answer.question_id,
            Answer.value,
        )
        .join(Answer, Answer.id == ThemeTag.answer_id)
        .join(AgencyReturn, AgencyReturn.id == Answer.return_id)
        .join(CohortMember, CohortMember.id == AgencyReturn.member_id)
        .join(Agency, Agency.id == AgencyReturn.agency_id)
        .where(
            ThemeTag.theme_id == theme.id,
            AgencyReturn.audit_id == audit.id,
            AgencyReturn.status == ReturnStatus.SUBMITTED,
            CohortMember.removed_at.is_(None),
            asked_answers(definition),
        )
        .order_by(CohortMember.position, Agency.name, ThemeTag.id)
        .limit(limit)
    ).all()
    answers = []
    for tag_id, code, position, agency, question_id, value in rows:
        question = questions.get(question_id)
        words = (
            answer_type(question).summary(value, question, scales)
            if question is not None
            else str(value)
        )
        text = question.text if question is not None else question_id
        answers.append(
            ((position, agency, order.get(question_id, len(order))),
             TaggedAnswer(tag_id, code, agency, text, words))
        )  # fmt: skip
    items.answers = [answer for _, answer in sorted(answers, key=lambda pair: pair[0])]
    items.entries = [
        TaggedEntry(*row)
        for row in session.execute(
            select(
                ThemeTag.id,
                CohortMember.code,
                Agency.name,
                ChronologyEntry.happened_on,
                ChronologyEntry.what_happened,
                ChronologyEntry.missed_opportunity,
            )
            .join(ChronologyEntry, ChronologyEntry.id == ThemeTag.chronology_entry_id)
            .join(AgencyReturn, AgencyReturn.id == ChronologyEntry.return_id)
            .join(CohortMember, CohortMember.id == AgencyReturn.member_id)
            .join(Agency, Agency.id == AgencyReturn.agency_id)
            .where(
                ThemeTag.theme_id == theme.id,
                AgencyReturn.audit_id == audit.id,
                AgencyReturn.status == ReturnStatus.SUBMITTED,
                CohortMember.removed_at.is_(None),
            )
            .order_by(ChronologyEntry.happened_on, CohortMember.position, ThemeTag.id)
            .limit(limit)
        )
    ]
    items.summary_items = [
        TaggedSummaryItem(tag_id, agency, _column_label(column), text)
        for tag_id, agency, column, text in session.execute(
            select(ThemeTag.id, Agency.name, SummaryItem.column, SummaryItem.text)
            .join(SummaryItem, SummaryItem.id == ThemeTag.summary_item_id)
            .join(AgencySummary, AgencySummary.id == SummaryItem.summary_id)
            .join(Agency, Agency.id == AgencySummary.agency_id)
            .where(ThemeTag.theme_id == theme.id, AgencySummary.audit_id == audit.id)
            .order_by(Agency.name, SummaryItem.column, SummaryItem.position, ThemeTag.id)
            .limit(limit)
        )
    ]
    items.evidence = [
        TaggedEvidence(tag_id, title, agency or "", _column_label(column), text, is_quote)
        for tag_id, title, agency, column, text, is_quote in session.execute(
            select(
                ThemeTag.id,
                EvidenceSource.title,
                Agency.name,
                EvidenceItem.column,
                EvidenceItem.text,
                EvidenceItem.is_quote,
            )
            .join(EvidenceItem, EvidenceItem.id == ThemeTag.evidence_item_id)
            .join(EvidenceSource, EvidenceSource.id == EvidenceItem.source_id)
            .outerjoin(Agency, Agency.id == EvidenceSource.agency_id)
            .where(ThemeTag.theme_id == theme.id, EvidenceItem.audit_id == audit.id)
            .order_by(EvidenceSource.title, EvidenceItem.position, ThemeTag.id)
            .limit(limit)
        )
    ]
    return items


def findings_of(session: Session, theme: Theme) -> list[Finding]:
    """The findings the theme supports, in column and position order (one statement)."""
    return list(
        session.scalars(
            select(Finding)
            .join(FindingTheme, FindingTheme.finding_id == Finding.id)
            .where(FindingTheme.theme_id == theme.id)
            .order_by(Finding.column, Finding.position)
        )
    )


def other_themes(session: Session, audit: Audit, theme: Theme) -> list[Theme]:
    """The audit's other themes, by name (to merge into)."""
    return sorted(
        session.scalars(select(Theme).where(Theme.audit_id == audit.id, Theme.id != theme.id)),
        key=lambda other: name_key(other.name),
    )
