"""From an action back to what it answers: its recommendation, the findings that answers,
their themes (with how many children, agencies and items each reaches) and the evidence
behind them (no Flask; four statements however long the chain)."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from audit_app.actions.models import Action
from audit_app.panel.models import (
    EvidenceItem,
    EvidenceSource,
    Finding,
    FindingEvidence,
    FindingTheme,
    RecommendationFinding,
    Theme,
)
from audit_app.panel.themes import Reach, reach_of


@dataclass
class TracedTheme:
    id: int
    name: str
    reach: Reach


@dataclass
class TracedFinding:
    finding: Finding
    themes: list[TracedTheme] = field(default_factory=list)
    evidence: list[tuple[str, str]] = field(default_factory=list)
    """(where it came from, the words) of each evidence item behind the finding."""


@dataclass
class Trace:
    findings: list[TracedFinding]


def trace_of(session: Session, action: Action) -> Trace:
    findings = session.scalars(
        select(Finding)
        .join(RecommendationFinding, RecommendationFinding.finding_id == Finding.id)
        .where(RecommendationFinding.recommendation_id == action.recommendation_id)
        .order_by(Finding.column, Finding.position, Finding.id)
    ).all()
    traced = {finding.id: TracedFinding(finding) for finding in findings}
    if not traced:
        return Trace([])
    themes = session.execute(
        select(FindingTheme.finding_id, Theme.id, Theme.name)
        .join(Theme, Theme.id == FindingTheme.theme_id)
        .where(FindingTheme.finding_id.in_(traced))
        .order_by(Theme.name)
    ).all()
    reaches = reach_of(session, action.audit, sorted({theme_id for _, theme_id, _ in themes}))
    for finding_id, theme_id, name in themes:
        traced[finding_id].themes.append(
            TracedTheme(theme_id, name, reaches.get(theme_id, Reach()))
        )
    evidence = session.execute(
        select(FindingEvidence.finding_id, EvidenceSource.title, EvidenceItem.text)
        .join(EvidenceItem, EvidenceItem.id == FindingEvidence.evidence_item_id)
        .join(EvidenceSource, EvidenceSource.id == EvidenceItem.source_id)
        .where(FindingEvidence.finding_id.in_(traced))
        .order_by(EvidenceItem.id)
    ).all()
    for finding_id, title, text in evidence:
        traced[finding_id].evidence.append((title, text))
    return Trace(list(traced.values()))
