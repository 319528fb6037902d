"""SMART actions and their progress updates in the audit log's words."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from audit_app.actions.models import Action, RAGStatus
from audit_app.core.log_words import Describer, enum_words, register_describer, register_names
from audit_app.panel.models import Recommendation


def _actions(session: Session, ids: set[int]) -> dict[int, str]:
    rows = session.execute(
        select(Action.id, Recommendation.number)
        .join(Recommendation, Action.recommendation_id == Recommendation.id)
        .where(Action.id.in_(ids))
    )
    return {key: f"Action {key} on recommendation {number}" for key, number in rows}


def register() -> None:
    register_names("action", _actions)
    rag = {"rag": enum_words(RAGStatus)}
    people = {"owner_id": "user", "signed_off_by_id": "user", "lead_agency_id": "agency"}
    register_describer(
        Describer(
            "action",
            "Action",
            "Actions",
            kind="action",
            fields={"rag": "RAG status", "owner_id": "Owner"},
            refers={"recommendation_id": "recommendation", **people},
            values=rag,
        )
    )
    register_describer(
        Describer(
            "action_update",
            "Progress update",
            "Progress updates",
            fields={"rag": "RAG status"},
            refers={"action_id": "action", "author_id": "user"},
            values=rag,
            fallback=lambda values, _named: "Progress update",
        )
    )
