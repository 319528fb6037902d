"""The panel's evidence, themes, tags, grades, findings, recommendations and meetings in the
audit log's words."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from audit_app.core.log_words import (
    Describer,
    Name,
    by_id,
    enum_words,
    register_describer,
    register_names,
)
from audit_app.panel.models import (
    EvidenceItem,
    EvidenceKind,
    EvidenceSource,
    Finding,
    PanelMeeting,
    Recommendation,
    Theme,
)
from audit_app.questionnaires.models import SignsOfSafetyColumn


def _themes(session: Session, ids: set[int]) -> dict[int, str]:
    rows = by_id(session, select(Theme.id, Theme.name).where(Theme.id.in_(ids)))
    return {key: f"Theme \u2018{name}\u2019" for key, name in rows.items()}


def _sources(session: Session, ids: set[int]) -> dict[int, str]:
    rows = by_id(
        session, select(EvidenceSource.id, EvidenceSource.title).where(EvidenceSource.id.in_(ids))
    )
    return {key: f"Evidence \u2018{title}\u2019" for key, title in rows.items()}


def _evidence(session: Session, ids: set[int]) -> dict[int, Name]:
    rows = session.execute(
        select(EvidenceItem.id, EvidenceSource.title)
        .join(EvidenceSource, EvidenceSource.id == EvidenceItem.source_id)
        .where(EvidenceItem.id.in_(ids))
    )
    return {key: Name("Evidence item", f"\u2018{title}\u2019") for key, title in rows}


def _findings(session: Session, ids: set[int]) -> dict[int, str]:
    rows = by_id(session, select(Finding.id, Finding.position).where(Finding.id.in_(ids)))
    return {key: "Key finding" for key in rows}


def _recommendations(session: Session, ids: set[int]) -> dict[int, str]:
    rows = by_id(
        session,
        select(Recommendation.id, Recommendation.number).where(Recommendation.id.in_(ids)),
    )
    return {key: f"Recommendation {number}" for key, number in rows.items()}


def _meetings(session: Session, ids: set[int]) -> dict[int, str]:
    rows = by_id(
        session, select(PanelMeeting.id, PanelMeeting.held_on).where(PanelMeeting.id.in_(ids))
    )
    return {key: f"Panel meeting of {held_on:%-d %B %Y}" for key, held_on in rows.items()}


def register() -> None:
    register_names("theme", _themes)
    register_names("evidence_source", _sources)
    register_names("evidence", _evidence)
    register_names("finding", _findings)
    register_names("recommendation", _recommendations)
    register_names("panel_meeting", _meetings)
    columns = enum_words(SignsOfSafetyColumn)
    register_describer(
        Describer(
            "evidence_source",
            "Evidence",
            "Evidence sources",
            kind="evidence_source",
            refers={"audit_id": "audit", "agency_id": "agency", "created_by_id": "user"},
            values={"kind": enum_words(EvidenceKind)},
        )
    )
    register_describer(
        Describer(
            "evidence_item",
            "Evidence item",
            "Evidence items",
            kind="evidence",
            refers={"audit_id": "audit", "source_id": "evidence_source"},
            values={"column": columns},
        )
    )
    register_describer(
        Describer("theme", "Theme", "Themes", kind="theme", refers={"audit_id": "audit"})
    )
    register_describer(
        Describer(
            "theme_tag",
            "Theme tag",
            "Theme tags",
            fields={
                "answer_id": "Answer",
                "evidence_item_id": "Evidence item",
                "summary_item_id": "Summary item",
            },
            refers={
                "theme_id": "theme",
                "answer_id": "answer",
                "chronology_entry_id": "chronology",
                "evidence_item_id": "evidence",
                "summary_item_id": "summary_item",
                "tagged_by_id": "user",
            },
            fallback=lambda values, _named: "Theme tag",
        )
    )
    register_describer(
        Describer(
            "agreed_grade",
            "Agreed grade",
            "Agreed grades",
            fields={"member_id": "Child", "agreed_by_id": "Agreed by"},
            refers={"member_id": "member", "agreed_by_id": "user"},
            fallback=lambda values, _named: "Agreed grade",
        )
    )
    register_describer(
        Describer(
            "finding",
            "Key finding",
            "Key findings",
            kind="finding",
            refers={"audit_id": "audit"},
            values={"column": columns},
            fallback=lambda values, _named: "Key finding",
        )
    )
    for table, noun, plural, refers in (
        ("finding_theme", "Theme of a key finding", "Themes of key findings",
         {"finding_id": "finding", "theme_id": "theme"}),
        ("finding_evidence", "Evidence for a key finding", "Evidence for key findings",
         {"finding_id": "finding", "evidence_item_id": "evidence"}),
        ("recommendation_finding", "Finding a recommendation answers",
         "Findings recommendations answer",
         {"recommendation_id": "recommendation", "finding_id": "finding"}),
        ("panel_attendee", "Panel attendee", "Panel attendees",
         {"meeting_id": "panel_meeting", "agency_id": "agency"}),
    ):  # fmt: skip
        register_describer(
            Describer(
                table,
                noun,
                plural,
                refers=refers,
                fallback=lambda values, _named, noun=noun: noun,
            )
        )
    register_describer(
        Describer(
            "recommendation",
            "Recommendation",
            "Recommendations",
            kind="recommendation",
            refers={"audit_id": "audit"},
        )
    )
    register_describer(
        Describer(
            "panel_meeting",
            "Panel meeting",
            "Panel meetings",
            kind="panel_meeting",
            refers={"audit_id": "audit"},
        )
    )
