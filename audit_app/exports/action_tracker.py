"""The action tracker: every action across audits, as the subgroup tracks them.

One row per action that is not a draft, with its chain (audit, recommendation), owner,
dates, state, RAG, latest update and days overdue. The state, RAG, status and effectiveness
columns have drop-down lists, so a subgroup that annotates its copy at a meeting keeps to
the service's words. The RAG follows the written rule (``actions/rag.py``), as on the
subgroup's dashboard.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy.orm import Session

from audit_app.actions.dashboard import all_actions, row_of
from audit_app.actions.models import Action
from audit_app.actions.rag import RAG_RULE, Rag, UpdateStatus
from audit_app.actions.smart import Priority
from audit_app.actions.states import ActionState, Effectiveness
from audit_app.core.spreadsheets import DATE, NUMBER, WRAPPED, Column, TableWorkbook
from audit_app.exports.common import ABOUT_COLUMNS, Made

TRACKER_COLUMNS = [
    Column("Audit", 30, WRAPPED),
    Column("Recommendation number", 17, NUMBER),
    Column("Recommendation", 50, WRAPPED),
    Column("Action id", 10, NUMBER),
    Column("Action", 60, WRAPPED),
    Column("Success measure", 50, WRAPPED),
    Column("Lead agency", 26, WRAPPED),
    Column("Owner", 24, WRAPPED),
    Column("Priority", 10, choices=tuple(p.label for p in Priority)),
    Column("Start date", 12, DATE),
    Column("Target date", 12, DATE),
    Column("State", 20, choices=tuple(s.label for s in ActionState)),
    Column("RAG", 14, choices=tuple(r.label for r in Rag)),
    Column("Latest update", 12, DATE),
    Column("Latest update said", 14, choices=tuple(s.label for s in UpdateStatus)),
    Column("Latest progress", 60, WRAPPED),
    Column("Days open", 10, NUMBER),
    Column("Days overdue", 10, NUMBER),
    Column("Evidence of completion", 50, WRAPPED),
    Column("Effectiveness", 16, choices=tuple(e.label for e in Effectiveness)),
    Column("Evidence of impact", 50, WRAPPED),
    Column("Signed off on", 12, DATE),
]


def tracker_rows(actions: list[Action], made: Made) -> Iterator[tuple[Any, ...]]:
    """A row per action, by audit, recommendation and action."""
    today = made.today
    ordered = sorted(
        actions,
        key=lambda a: (a.audit.created_at, a.audit_id, a.recommendation.number, a.id),
    )
    for action in ordered:
        tracked = row_of(action, today)
        latest = action.updates[-1] if action.updates else None
        yield (
            action.audit.title,
            action.recommendation.number,
            action.recommendation.text,
            action.id,
            action.description,
            action.success_measure,
            action.lead_agency.name if action.lead_agency else "",
            action.owner_words,
            action.priority.label,
            action.start_date,
            action.target_date,
            action.state.label,
            tracked.rag.label if tracked.rag else "",
            latest.written_at.date() if latest else None,
            latest.status.label if latest else "",
            latest.progress if latest else "",
            tracked.days_open,
            tracked.days_overdue,
            action.evidence_of_completion,
            action.effectiveness.label if action.effectiveness else "",
            action.evidence_of_impact,
            action.signed_off_at.date() if action.signed_off_at else None,
        )


def build_action_tracker(session: Session, made: Made) -> bytes:
    """Every action across audits (drafts aside), as the bytes of an .xlsx file."""
    actions = all_actions(session)
    book = TableWorkbook()
    overdue = sum(1 for action in actions if row_of(action, made.today).days_overdue)
    book.add_table(
        "About",
        ABOUT_COLUMNS,
        [
            ("What this is", "Every action of every audit's plan, drafts aside"),
            ("Actions", len(actions)),
            ("Overdue", overdue),
            ("How the RAG is worked out", RAG_RULE),
            ("This file was made", made.when),
            ("Made by", made.by),
            (
                "Drop-down lists",
                "The state, RAG, latest update and effectiveness columns offer the service's "
                "own words; the Lists sheet holds them. Changes made here do not reach the "
                "service: record them on the action's page.",
            ),
        ],
    )
    book.add_table("Actions", TRACKER_COLUMNS, tracker_rows(actions, made), empty="No actions yet")
    return book.save()
