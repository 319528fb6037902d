"""The panel's evidence, themes, tags, findings and recommendations in the audit log's
words."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from audit_app.core.log_words import (
    Describer,
    by_id,
    enum_words,
    register_describer,
    register_names,
)
from audit_app.panel.models import EvidenceItem, EvidenceKind, Recommendation, Theme
from audit_app.questionnaires.models import SignsOfSafetyColumn


def _themes(session: Session, ids: set[int]) -> dict[int, str]:
    rows = by_id(session, select(Theme.id, Theme.name).where(Theme.id.in_(ids)))
    return {key: f"Theme \u2018{name}\u2019" for key, name in rows.items()}


def _evidence(session: Session, ids: set[int]) -> dict[int, str]:
    rows = by_id(
        session, select(EvidenceItem.id, EvidenceItem.source).where(EvidenceItem.id.in_(ids))
    )
    return {key: f"Evidence from {source}" for key, source in rows.items()}


def _recommendations(session: Session, ids: set[int]) -> dict[int, str]:
    rows = by_id(
        session,
        select(Recommendation.id, Recommendation.number).where(Recommendation.id.in_(ids)),
    )
    return {key: f"Recommendation {number}" for key, number in rows.items()}


def register() -> None:
    register_names("theme", _themes)
    register_names("evidence", _evidence)
    register_names("recommendation", _recommendations)
    columns = enum_words(SignsOfSafetyColumn)
    register_describer(
        Describer(
            "evidence_item",
            "Evidence item",
            "Evidence items",
            kind="evidence",
            refers={"audit_id": "audit"},
            values={"kind": enum_words(EvidenceKind), "column": columns},
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
            fields={"answer_id": "Answer", "evidence_item_id": "Evidence item"},
            refers={
                "theme_id": "theme",
                "answer_id": "answer",
                "chronology_entry_id": "chronology",
                "evidence_item_id": "evidence",
                "tagged_by_id": "user",
            },
            fallback=lambda values, _named: "Theme tag",
        )
    )
    register_describer(
        Describer(
            "finding",
            "Key finding",
            "Key findings",
            refers={"audit_id": "audit", "theme_id": "theme"},
            values={"column": columns},
            fallback=lambda values, _named: "Key finding",
        )
    )
    register_describer(
        Describer(
            "recommendation",
            "Recommendation",
            "Recommendations",
            kind="recommendation",
            refers={"audit_id": "audit", "theme_id": "theme"},
        )
    )
