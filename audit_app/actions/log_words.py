"""SMART actions and their progress updates in the audit log's words."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from audit_app.actions.models import (
    Action,
    ActionState,
    Effectiveness,
    Priority,
    ReminderKind,
    UpdateStatus,
)
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
    people = {"owner_id": "user", "signed_off_by_id": "user", "lead_agency_id": "agency"}
    register_describer(
        Describer(
            "action",
            "Action",
            "Actions",
            kind="action",
            fields={
                "description": "What will be done",
                "owner_id": "Owner",
                "invitee_name": "Owner to invite",
                "invitee_email": "Owner's email address",
                "state": "State",
                "priority": "Priority",
                "effectiveness": "Effectiveness",
                "smart_override_reason": "Reason for keeping the wording",
                "re_audit_on": "Re-audit",
            },
            refers={"recommendation_id": "recommendation", "audit_id": "audit", **people},
            values={
                "state": enum_words(ActionState),
                "priority": enum_words(Priority),
                "effectiveness": enum_words(Effectiveness),
            },
        )
    )
    register_describer(
        Describer(
            "action_event",
            "Change of state",
            "Changes of state",
            fields={"from_state": "From", "to_state": "To"},
            refers={"action_id": "action", "by_id": "user"},
            values={"from_state": enum_words(ActionState), "to_state": enum_words(ActionState)},
            fallback=lambda values, _named: "Change of state",
        )
    )
    register_describer(
        Describer(
            "action_update",
            "Progress update",
            "Progress updates",
            fields={"status": "Status"},
            refers={"action_id": "action", "author_id": "user"},
            values={"status": enum_words(UpdateStatus)},
            fallback=lambda values, _named: "Progress update",
        )
    )
    register_describer(
        Describer(
            "action_evidence_file",
            "Evidence file",
            "Evidence files",
            fields={"name": "File", "size": "Size in bytes"},
            refers={"action_id": "action", "uploaded_by_id": "user"},
            fallback=lambda values, _named: f"Evidence file {values.get('name', '')}".strip(),
        )
    )  # fmt: skip
    register_describer(
        Describer(
            "action_reminder",
            "Reminder about an action",
            "Reminders about actions",
            fields={"kind": "Kind", "recipient": "Sent to", "emailed": "Emailed"},
            refers={"action_id": "action"},
            values={"kind": enum_words(ReminderKind)},
            fallback=lambda values, _named: "Reminder about an action",
        )
    )
