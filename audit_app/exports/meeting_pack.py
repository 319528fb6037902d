"""The audit & performance subgroup's meeting pack (Word, from an editable template): the state
of every open action plan, the overdue actions, the RAG of the plans over time, and what has
changed since the last pack.

The actions are those the subgroup's dashboard reads (``dashboard.all_actions``: every action
that is not a draft, of every audit), their RAG by the one written rule (``row_of``) and the
RAG over time from their history (``rag_over_time``). The context is plain data; its
top-level names are ``word.KNOWN_FIELDS["meeting_pack"]``.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from audit_app.accounts.models import User
from audit_app.actions.dashboard import Row, all_actions, rag_over_time, row_of
from audit_app.actions.models import Action
from audit_app.actions.rag import Rag
from audit_app.actions.states import ActionState
from audit_app.audits.models import Audit, AuditStatus
from audit_app.charts import Chart
from audit_app.exports.findings_report import action_row, today_of, words_date
from audit_app.exports.word import render_docx, shipped_template

KIND = "meeting_pack"
TITLE = "Action plans: meeting pack"
STATE_FIELDS = {
    ActionState.OPEN: "open",
    ActionState.AWAITING_SIGN_OFF: "awaiting_sign_off",
    ActionState.CLOSED: "closed",
    ActionState.CANCELLED: "cancelled",
}
RAG_FIELDS = {
    Rag.RED: "red",
    Rag.AMBER: "amber",
    Rag.GREEN: "green",
    Rag.NO_UPDATE: "no_update",
    Rag.COMPLETE: "complete",
}
RAG_COLUMNS = {
    Rag.RED.label: "red",
    Rag.AMBER.label: "amber",
    Rag.GREEN.label: "green",
    Rag.NO_UPDATE.label: "no_update",
    Rag.COMPLETE.label: "complete",
    "Total": "total",
}


def _counts(rows: list[Row]) -> dict[str, int]:
    states = Counter(row.action.state for row in rows)
    rags = Counter(row.rag for row in rows if row.rag is not None)
    return {
        "actions": len(rows),
        **{name: states.get(state, 0) for state, name in STATE_FIELDS.items()},
        "overdue": sum(1 for row in rows if row.days_overdue > 0),
        **{name: rags.get(rag, 0) for rag, name in RAG_FIELDS.items()},
    }


def _is_open_plan(audit: Audit, rows: list[Row]) -> bool:
    """A plan the subgroup still follows: its audit is not closed, or an action is live."""
    return audit.status is not AuditStatus.CLOSED or any(
        row.action.state in (ActionState.OPEN, ActionState.AWAITING_SIGN_OFF) for row in rows
    )


def _number(action: Action) -> int | None:
    return action.recommendation.number if action.recommendation else None


def _rag_table(chart: Chart) -> list[dict[str, Any]]:
    headers = chart.table.headers
    table = []
    for row in chart.table.rows:
        month = {"month": row[0], **dict.fromkeys(RAG_COLUMNS.values(), 0)}
        for header, value in zip(headers[1:], row[1:], strict=True):
            if header in RAG_COLUMNS:
                month[RAG_COLUMNS[header]] = value
        table.append(month)
    return table


def _people(session: Session, actions: list[Action]) -> dict[int, str]:
    """The names of those who moved or updated the actions (one statement)."""
    ids = {e.by_id for a in actions for e in a.events if e.by_id}
    ids |= {u.author_id for a in actions for u in a.updates if u.author_id}
    if not ids:
        return {}
    return dict(session.execute(select(User.id, User.full_name).where(User.id.in_(ids))).all())


def meeting_pack_context(
    session: Session,
    *,
    since: datetime | None,
    generated_by: str,
    now: datetime,
    partnership: str = "",
) -> tuple[dict[str, Any], dict[str, Chart]]:
    """The meeting pack's fields (plain data) and its chart (``charts.rag_over_time``).
    ``since``: when the previous pack was made (None: this is the first)."""
    # Times read from the database are aware (UTC); a naive time given here is taken as UTC.
    now = now if now.tzinfo else now.replace(tzinfo=UTC)
    since = since if since is None or since.tzinfo else since.replace(tzinfo=UTC)
    today = today_of(now)
    actions = all_actions(session)
    rows = [row_of(action, today) for action in actions]
    by_audit: dict[int, list[Row]] = {}
    for row in rows:
        by_audit.setdefault(row.action.audit_id, []).append(row)
    audits = {row.action.audit_id: row.action.audit for row in rows}
    open_plans = sorted(
        (audit_id for audit_id, plan in by_audit.items() if _is_open_plan(audits[audit_id], plan)),
        key=lambda audit_id: (audits[audit_id].title.casefold(), audit_id),
    )
    followed = [row for audit_id in open_plans for row in by_audit[audit_id]]
    plans = [
        {
            "audit": audits[audit_id].title,
            "status": audits[audit_id].status.label,
            **_counts(by_audit[audit_id]),
        }
        for audit_id in open_plans
    ]
    overdue = []
    for row in sorted(
        (r for r in followed if r.days_overdue > 0),
        key=lambda r: (-r.days_overdue, r.action.id),
    ):
        action = row.action
        latest = action.updates[-1] if action.updates else None
        overdue.append(
            {
                **action_row(action, today, _number(action)),
                "audit": action.audit.title,
                "days_overdue": row.days_overdue,
                "latest_update": (
                    f"{latest.status.label}: {latest.progress}" if latest else "No update yet"
                ),
                "latest_update_on": words_date(latest.written_at) if latest else "",
            }
        )
    chart = rag_over_time([row.action for row in followed], today)
    people = _people(session, actions)
    moves: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    new_actions: list[dict[str, Any]] = []
    if since is not None:
        for action in actions:
            common = {
                "action": action.description,
                "audit": action.audit.title,
                "recommendation": _number(action) or "",
            }
            if action.created_at is not None and since <= action.created_at <= now:
                new_actions.append(
                    {
                        **action_row(action, today, _number(action)),
                        "audit": action.audit.title,
                        "added_on": words_date(action.created_at),
                        "_at": action.created_at,
                    }
                )
            for event in action.events:
                if event.from_state is None or not since <= event.at <= now:
                    continue  # being written is not a move
                moves.append(
                    {
                        **common,
                        "on": words_date(event.at),
                        "from_state": event.from_state.label,
                        "to_state": event.to_state.label,
                        "by": people.get(event.by_id or 0, ""),
                        "reason": event.reason or "",
                        "_at": event.at,
                    }
                )
            for update in action.updates:
                if not since <= update.written_at <= now:
                    continue
                updates.append(
                    {
                        **common,
                        "on": words_date(update.written_at),
                        "status": update.status.label,
                        "progress": update.progress,
                        "by": people.get(update.author_id or 0, ""),
                        "_at": update.written_at,
                    }
                )
    for found in (moves, updates, new_actions):
        found.sort(key=lambda item: item["_at"])
        for item in found:
            del item["_at"]
    context: dict[str, Any] = {
        "title": TITLE,
        "partnership": partnership,
        "generated_on": words_date(today),
        "generated_by": generated_by,
        "since": words_date(since) if since else "",
        "first_pack": since is None,
        "totals": _counts(followed),
        "plans": plans,
        "overdue": overdue,
        "rag_table": _rag_table(chart),
        "moves": moves,
        "updates": updates,
        "new_actions": new_actions,
    }
    return context, {"rag_over_time": chart}


def build_meeting_pack(
    session: Session,
    *,
    since: datetime | None,
    generated_by: str,
    now: datetime,
    template: bytes | None = None,
    partnership: str = "",
) -> bytes:
    """The meeting pack as a .docx (``template``: the partnership's own; None: the shipped
    one)."""
    context, charts = meeting_pack_context(
        session, since=since, generated_by=generated_by, now=now, partnership=partnership
    )
    return render_docx(
        template if template is not None else shipped_template(KIND), context, charts
    )
