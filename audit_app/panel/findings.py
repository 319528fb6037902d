"""The panel's key findings and numbered recommendations, with no Flask.

A finding sits in one Signs of Safety column and is linked to the themes and evidence items
that support it; a recommendation is numbered and linked to the findings it answers. Both
can be edited, reordered and deleted. Every edit names the version it was made on: when a
colleague saved the same finding or recommendation first, the edit is refused with
:class:`PanelConflict` (nothing is lost: the page shows the words back)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.orm.exc import StaleDataError

from audit_app.audits.models import Audit
from audit_app.core.errors import DomainError
from audit_app.panel.models import (
    EvidenceItem,
    EvidenceSource,
    Finding,
    FindingEvidence,
    FindingTheme,
    Recommendation,
    RecommendationFinding,
    Theme,
)
from audit_app.questionnaires.definitions import COLUMN_LABELS, SignsOfSafetyColumn

MAX_FINDING_LENGTH = 2000
MAX_RECOMMENDATION_LENGTH = 2000
COLUMN_ORDER = ("working_well", "worried_about", "needs_to_happen")


class PanelConflict(DomainError):
    """Someone else saved the same thing first: nothing was saved."""


STALE_FINDING = (
    "Someone else changed this finding while you were editing it. Your words have not been "
    "saved: they are shown below. Read the finding as it is now, then make your change again."
)
STALE_RECOMMENDATION = (
    "Someone else changed this recommendation while you were editing it. Your words have not "
    "been saved: they are shown below. Read it as it is now, then make your change again."
)


@dataclass(frozen=True)
class FindingDraft:
    """A finding as the panel wrote it (ids as chosen on the page)."""

    column: str
    text: str
    theme_ids: Sequence[int] = ()
    evidence_ids: Sequence[int] = ()


@dataclass(frozen=True)
class RecommendationDraft:
    text: str
    finding_ids: Sequence[int] = ()


def _text(text: str, limit: int, what: str, field_name: str) -> str:
    text = (text or "").replace("\r\n", "\n").strip()
    if not text:
        raise DomainError(f"Enter the {what}", field=field_name)
    if len(text) > limit:
        raise DomainError(
            f"The {what} must be {limit:,} characters or fewer (it has {len(text):,})",
            field=field_name,
        )
    return text


def _column(value: str) -> SignsOfSafetyColumn:
    if value not in COLUMN_ORDER:
        raise DomainError("Choose the column the finding belongs in", field="column")
    return SignsOfSafetyColumn(value)


def _ids_of(
    session: Session,
    model: type,
    audit_id_column: object,
    ids: Iterable[int],
    audit: Audit,
    field_name: str,
) -> list[int]:
    wanted = sorted(set(ids))
    if not wanted:
        return []
    found = set(
        session.scalars(select(model.id).where(model.id.in_(wanted), audit_id_column == audit.id))  # type: ignore[attr-defined]
    )
    if found != set(wanted):
        raise DomainError("Choose from the list shown", field=field_name)
    return wanted


def _check_links(
    session: Session, audit: Audit, draft: FindingDraft
) -> tuple[list[int], list[int]]:
    themes = _ids_of(session, Theme, Theme.audit_id, draft.theme_ids, audit, "theme_ids")
    evidence = _ids_of(
        session, EvidenceItem, EvidenceItem.audit_id, draft.evidence_ids, audit, "evidence_ids"
    )
    return themes, evidence


def _flush(session: Session, message: str) -> None:
    """Write the changes; a colleague's save first (a stale version, or a number taken at
    the same moment) is a conflict, and nothing of this request is kept."""
    try:
        session.flush()
    except (StaleDataError, IntegrityError):
        raise PanelConflict(message) from None


def _check_version(thing: Finding | Recommendation, seen_version: int, message: str) -> None:
    if thing.version != seen_version:
        raise PanelConflict(message)


# --- Findings ---------------------------------------------------------------------------------


def add_finding(session: Session, audit: Audit, draft: FindingDraft) -> Finding:
    column = _column(draft.column)
    text = _text(draft.text, MAX_FINDING_LENGTH, "finding", "text")
    theme_ids, evidence_ids = _check_links(session, audit, draft)
    last = session.scalar(
        select(func.max(Finding.position)).where(
            Finding.audit_id == audit.id, Finding.column == column
        )
    )
    finding = Finding(
        audit_id=audit.id, column=column, text=text, position=(last + 1) if last is not None else 0
    )
    finding.themes = [FindingTheme(theme_id=theme_id) for theme_id in theme_ids]
    finding.evidence = [FindingEvidence(evidence_item_id=item_id) for item_id in evidence_ids]
    session.add(finding)
    session.flush()
    return finding


def edit_finding(
    session: Session, finding: Finding, seen_version: int, draft: FindingDraft
) -> None:
    audit = session.get(Audit, finding.audit_id)
    assert audit is not None
    _check_version(finding, seen_version, STALE_FINDING)
    column = _column(draft.column)
    text = _text(draft.text, MAX_FINDING_LENGTH, "finding", "text")
    theme_ids, evidence_ids = _check_links(session, audit, draft)
    if column != finding.column:
        last = session.scalar(
            select(func.max(Finding.position)).where(
                Finding.audit_id == audit.id, Finding.column == column
            )
        )
        finding.column = column
        finding.position = (last + 1) if last is not None else 0
    finding.text = text
    _relink(
        finding.themes,
        {link.theme_id: link for link in finding.themes},
        theme_ids,
        lambda i: FindingTheme(theme_id=i),
    )
    _relink(
        finding.evidence,
        {link.evidence_item_id: link for link in finding.evidence},
        evidence_ids,
        lambda i: FindingEvidence(evidence_item_id=i),
    )
    # A change of links alone is a change of the finding: its version moves on too.
    flag_modified(finding, "text")
    _flush(session, STALE_FINDING)


def _relink(links: list, existing: dict[int, object], wanted: list[int], make: object) -> None:  # type: ignore[type-arg]
    for key, link in existing.items():
        if key not in wanted:
            links.remove(link)
    for key in wanted:
        if key not in existing:
            links.append(make(key))  # type: ignore[operator]


def delete_finding(session: Session, finding: Finding, seen_version: int) -> None:
    _check_version(finding, seen_version, STALE_FINDING)
    for link in session.scalars(
        select(RecommendationFinding).where(RecommendationFinding.finding_id == finding.id)
    ):
        session.delete(link)
    column, audit_id = finding.column, finding.audit_id
    session.delete(finding)
    _flush(session, STALE_FINDING)
    _renumber_findings(session, audit_id, column)


def _renumber_findings(session: Session, audit_id: int, column: SignsOfSafetyColumn) -> None:
    rows = session.scalars(
        select(Finding)
        .where(Finding.audit_id == audit_id, Finding.column == column)
        .order_by(Finding.position, Finding.id)
    ).all()
    for position, finding in enumerate(rows):
        if finding.position != position:
            finding.position = position
    session.flush()


def move_finding(session: Session, finding: Finding, direction: str) -> None:
    """Move a finding one place up or down its column."""
    rows = list(
        session.scalars(
            select(Finding)
            .where(Finding.audit_id == finding.audit_id, Finding.column == finding.column)
            .order_by(Finding.position, Finding.id)
        )
    )
    index = rows.index(finding)
    other = index - 1 if direction == "up" else index + 1
    if direction not in ("up", "down") or not 0 <= other < len(rows):
        return
    rows[index], rows[other] = rows[other], rows[index]
    for position, row in enumerate(rows):
        if row.position != position:
            row.position = position
    _flush(session, STALE_FINDING)


# --- Recommendations --------------------------------------------------------------------------


def _check_findings(session: Session, audit: Audit, draft: RecommendationDraft) -> list[int]:
    wanted = sorted(set(draft.finding_ids))
    if not wanted:
        return []
    found = set(
        session.scalars(
            select(Finding.id).where(Finding.id.in_(wanted), Finding.audit_id == audit.id)
        )
    )
    if found != set(wanted):
        raise DomainError("Choose findings from the list shown", field="finding_ids")
    return wanted


def add_recommendation(
    session: Session, audit: Audit, draft: RecommendationDraft
) -> Recommendation:
    text = _text(draft.text, MAX_RECOMMENDATION_LENGTH, "recommendation", "text")
    finding_ids = _check_findings(session, audit, draft)
    last = session.scalar(
        select(func.max(Recommendation.number)).where(Recommendation.audit_id == audit.id)
    )
    recommendation = Recommendation(audit_id=audit.id, number=(last or 0) + 1, text=text)
    recommendation.findings = [RecommendationFinding(finding_id=i) for i in finding_ids]
    session.add(recommendation)
    session.flush()
    return recommendation


def edit_recommendation(
    session: Session, recommendation: Recommendation, seen_version: int, draft: RecommendationDraft
) -> None:
    _check_version(recommendation, seen_version, STALE_RECOMMENDATION)
    text = _text(draft.text, MAX_RECOMMENDATION_LENGTH, "recommendation", "text")
    finding_ids = _check_findings(session, recommendation.audit, draft)
    recommendation.text = text
    _relink(
        recommendation.findings,
        {link.finding_id: link for link in recommendation.findings},
        finding_ids,
        lambda i: RecommendationFinding(finding_id=i),
    )
    flag_modified(recommendation, "text")
    _flush(session, STALE_RECOMMENDATION)


def _renumber(session: Session, audit_id: int, ordered: list[Recommendation]) -> None:
    """Number the recommendations 1, 2, 3 ... in this order. The numbers are unique in an
    audit, so they pass through negative numbers first: no two ever share one."""
    for index, recommendation in enumerate(ordered):
        if recommendation.number != index + 1:
            recommendation.number = -(index + 1)
    _flush(session, STALE_RECOMMENDATION)
    for recommendation in ordered:
        if recommendation.number < 0:
            recommendation.number = -recommendation.number
    _flush(session, STALE_RECOMMENDATION)


def delete_recommendation(
    session: Session, recommendation: Recommendation, seen_version: int
) -> None:
    _check_version(recommendation, seen_version, STALE_RECOMMENDATION)
    if recommendation.actions:
        count = len(recommendation.actions)
        raise DomainError(
            f"Recommendation {recommendation.number} has {count} "
            f"{'action' if count == 1 else 'actions'} in the action plan: remove "
            f"{'it' if count == 1 else 'them'} first"
        )
    audit_id = recommendation.audit_id
    session.delete(recommendation)
    _flush(session, STALE_RECOMMENDATION)
    _renumber(session, audit_id, recommendations_of(session, audit_id))


def move_recommendation(session: Session, recommendation: Recommendation, direction: str) -> None:
    rows = recommendations_of(session, recommendation.audit_id)
    index = rows.index(recommendation)
    other = index - 1 if direction == "up" else index + 1
    if direction not in ("up", "down") or not 0 <= other < len(rows):
        return
    rows[index], rows[other] = rows[other], rows[index]
    _renumber(session, recommendation.audit_id, rows)


def recommendations_of(session: Session, audit_id: int) -> list[Recommendation]:
    return list(
        session.scalars(
            select(Recommendation)
            .where(Recommendation.audit_id == audit_id)
            .options(selectinload(Recommendation.actions))
            .order_by(Recommendation.number)
        )
    )


# --- Reading them all, for the page -------------------------------------------------------------


@dataclass
class FindingRow:
    finding: Finding
    theme_names: list[str] = field(default_factory=list)
    evidence: list[str] = field(default_factory=list)
    recommendation_numbers: list[int] = field(default_factory=list)


@dataclass
class RecommendationRow:
    recommendation: Recommendation
    findings: list[FindingRow] = field(default_factory=list)


@dataclass(frozen=True)
class EvidenceChoice:
    id: int
    source: str
    column: str
    text: str


@dataclass
class FindingsPage:
    columns: dict[str, list[FindingRow]]
    recommendations: list[RecommendationRow]
    themes: list[Theme]
    evidence: list[EvidenceChoice]

    @property
    def finding_count(self) -> int:
        return sum(len(rows) for rows in self.columns.values())

    def finding_label(self, row: FindingRow) -> str:
        column = row.finding.column.value
        return f"{COLUMN_LABELS[column]} {self.columns[column].index(row) + 1}"


def findings_page(session: Session, audit: Audit) -> FindingsPage:
    """Every finding and recommendation of an audit with their links, the themes and the
    evidence items to choose from: a fixed number of statements."""
    findings = list(
        session.scalars(
            select(Finding)
            .where(Finding.audit_id == audit.id)
            .order_by(Finding.position, Finding.id)
        )
    )
    themes = list(
        session.scalars(
            select(Theme).where(Theme.audit_id == audit.id).order_by(func.lower(Theme.name))
        )
    )
    theme_names = {theme.id: theme.name for theme in themes}
    evidence = [
        EvidenceChoice(item_id, title, column.value, text)
        for item_id, title, column, text in session.execute(
            select(EvidenceItem.id, EvidenceSource.title, EvidenceItem.column, EvidenceItem.text)
            .join(EvidenceSource, EvidenceSource.id == EvidenceItem.source_id)
            .where(EvidenceItem.audit_id == audit.id)
            .order_by(EvidenceSource.id, EvidenceItem.position, EvidenceItem.id)
        )
    ]
    evidence_words = {choice.id: f"{choice.source}: {choice.text}" for choice in evidence}
    finding_ids = [finding.id for finding in findings]
    themes_of: dict[int, list[int]] = defaultdict(list)
    evidence_of: dict[int, list[int]] = defaultdict(list)
    if finding_ids:
        for finding_id, theme_id in session.execute(
            select(FindingTheme.finding_id, FindingTheme.theme_id).where(
                FindingTheme.finding_id.in_(finding_ids)
            )
        ):
            themes_of[finding_id].append(theme_id)
        for finding_id, item_id in session.execute(
            select(FindingEvidence.finding_id, FindingEvidence.evidence_item_id).where(
                FindingEvidence.finding_id.in_(finding_ids)
            )
        ):
            evidence_of[finding_id].append(item_id)
    rows = {
        finding.id: FindingRow(
            finding,
            sorted(
                (theme_names[i] for i in themes_of[finding.id] if i in theme_names),
                key=str.casefold,
            ),
            [evidence_words[i] for i in evidence_of[finding.id] if i in evidence_words],
        )
        for finding in findings
    }
    columns: dict[str, list[FindingRow]] = {column: [] for column in COLUMN_ORDER}
    for finding in findings:
        columns[finding.column.value].append(rows[finding.id])
    recommendations = recommendations_of(session, audit.id)
    answered: dict[int, list[int]] = defaultdict(list)
    if recommendations:
        for recommendation_id, finding_id in session.execute(
            select(RecommendationFinding.recommendation_id, RecommendationFinding.finding_id)
            .join(Recommendation, Recommendation.id == RecommendationFinding.recommendation_id)
            .where(Recommendation.audit_id == audit.id)
        ):
            answered[recommendation_id].append(finding_id)
    recommendation_rows = []
    for recommendation in recommendations:
        linked = [rows[i] for i in answered[recommendation.id] if i in rows]
        for row in linked:
            row.recommendation_numbers.append(recommendation.number)
        recommendation_rows.append(RecommendationRow(recommendation, linked))
    return FindingsPage(columns, recommendation_rows, themes, evidence)
