"""The panel's overview of an audit, with no Flask: the returns in by agency, the agency
summaries sent, urgent concerns (counts and what was done, never which child), and what the
panel has done so far. A fixed number of statements, whatever the size of the audit."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from audit_app.agencies.models import Agency
from audit_app.panel.models import (
    AgreedGrade,
    EvidenceSource,
    Finding,
    PanelMeeting,
    Recommendation,
    Theme,
    ThemeTag,
)
from audit_app.panel.reading import PanelAudit
from audit_app.returns.models import AgencyReturn, AgencySummary, ReturnStatus, UrgentConcern


@dataclass
class AgencyReturns:
    agency: Agency
    submitted: int = 0
    no_involvement: int = 0
    outstanding: int = 0
    summary_sent_at: datetime | None = None

    @property
    def total(self) -> int:
        return self.submitted + self.no_involvement + self.outstanding


@dataclass(frozen=True)
class ConcernDealtWith:
    raised_at: datetime
    agency: str
    action_taken: str | None
    dealt_with_by: str | None


@dataclass
class Concerns:
    raised: int = 0
    dealt_with: int = 0
    what_was_done: list[ConcernDealtWith] = field(default_factory=list)

    @property
    def open(self) -> int:
        return self.raised - self.dealt_with


@dataclass(frozen=True)
class PanelProgress:
    """What the panel has done so far."""

    evidence_sources: int
    themes: int
    tags: int
    graded_children: int
    children: int
    findings: int
    recommendations: int
    meetings: int


@dataclass(frozen=True)
class Overview:
    agencies: list[AgencyReturns]
    concerns: Concerns
    progress: PanelProgress

    @property
    def returns_in(self) -> int:
        return sum(row.submitted for row in self.agencies)

    @property
    def no_involvement(self) -> int:
        return sum(row.no_involvement for row in self.agencies)

    @property
    def outstanding(self) -> int:
        return sum(row.outstanding for row in self.agencies)

    @property
    def summaries_sent(self) -> int:
        return sum(1 for row in self.agencies if row.summary_sent_at)


def overview(session: Session, panel: PanelAudit) -> Overview:
    audit_id = panel.audit.id
    rows = {agency.id: AgencyReturns(agency) for agency in panel.agencies}
    counts = session.execute(
        select(AgencyReturn.agency_id, AgencyReturn.status, func.count())
        .where(
            AgencyReturn.audit_id == audit_id,
            AgencyReturn.member_id.in_(panel.member_ids),
        )
        .group_by(AgencyReturn.agency_id, AgencyReturn.status)
    )
    for agency_id, status, count in counts:
        row = rows.get(agency_id)
        if row is None:
            continue
        if status is ReturnStatus.SUBMITTED:
            row.submitted += count
        elif status is ReturnStatus.NO_INVOLVEMENT:
            row.no_involvement += count
        else:
            row.outstanding += count
    for agency_id, sent_at in session.execute(
        select(AgencySummary.agency_id, AgencySummary.submitted_at).where(
            AgencySummary.audit_id == audit_id
        )
    ):
        if agency_id in rows:
            rows[agency_id].summary_sent_at = sent_at
    concerns = Concerns()
    for raised_at, agency_id, acknowledged_at, action_taken, dealt_with_by in session.execute(
        select(
            UrgentConcern.raised_at,
            AgencyReturn.agency_id,
            UrgentConcern.acknowledged_at,
            UrgentConcern.action_taken,
            UrgentConcern.dealt_with_by,
        )
        .join(AgencyReturn, AgencyReturn.id == UrgentConcern.return_id)
        .where(AgencyReturn.audit_id == audit_id)
        .order_by(UrgentConcern.raised_at, UrgentConcern.id)
    ):
        concerns.raised += 1
        if acknowledged_at is not None:
            concerns.dealt_with += 1
            agency = panel.agency(agency_id)
            concerns.what_was_done.append(
                ConcernDealtWith(
                    raised_at, agency.name if agency else "", action_taken, dealt_with_by
                )
            )
    return Overview(list(rows.values()), concerns, panel_progress(session, panel))


def panel_progress(session: Session, panel: PanelAudit) -> PanelProgress:
    """How much of the panel's work is written (one statement)."""
    audit_id = panel.audit.id

    def count(model: type, *where: object) -> object:
        return select(func.count()).select_from(model).where(*where).scalar_subquery()

    theme_ids = select(Theme.id).where(Theme.audit_id == audit_id)
    row = session.execute(
        select(
            count(EvidenceSource, EvidenceSource.audit_id == audit_id),
            count(Theme, Theme.audit_id == audit_id),
            count(ThemeTag, ThemeTag.theme_id.in_(theme_ids)),
            count(AgreedGrade, AgreedGrade.member_id.in_(panel.member_ids)),
            count(Finding, Finding.audit_id == audit_id),
            count(Recommendation, Recommendation.audit_id == audit_id),
            count(PanelMeeting, PanelMeeting.audit_id == audit_id),
        )
    ).one()
    evidence, themes, tags, graded, findings, recommendations, meetings = row
    return PanelProgress(
        evidence_sources=evidence,
        themes=themes,
        tags=tags,
        graded_children=graded,
        children=len(panel.members),
        findings=findings,
        recommendations=recommendations,
        meetings=meetings,
    )
