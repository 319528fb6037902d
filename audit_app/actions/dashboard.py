"""The audit & performance subgroup's view of every action plan (no Flask): what is where,
what is late or due, what has gone quiet, by lead agency and by audit, and the RAG of the
whole plan over time, worked out from the history of states and updates."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from audit_app.actions.models import Action
from audit_app.actions.rag import History, Rag, days_open, days_overdue, plan_rag_on
from audit_app.actions.states import ActionState
from audit_app.audits.models import Audit
from audit_app.charts import Chart, bar_chart

DUE_SOON_DAYS = 30
QUIET_DAYS = 60
MONTHS_SHOWN = 12
RAG_COLOURS = {
    Rag.RED.label: "#d4351c",
    Rag.AMBER.label: "#f47738",
    Rag.GREEN.label: "#00703c",
    Rag.COMPLETE.label: "#1d70b8",
    Rag.NO_UPDATE.label: "#505a5f",
}


@dataclass(frozen=True)
class Filters:
    audit_id: int | None = None
    lead_agency_id: int | None = None
    state: ActionState | None = None
    rag: Rag | None = None


@dataclass
class Row:
    action: Action
    rag: Rag | None
    days_open: int | None
    days_overdue: int
    last_update_on: date | None
    quiet_days: int | None
    """Days since the last update (or since it was opened, with none), for a live action."""


@dataclass
class Dashboard:
    rows: list[Row]
    by_state: dict[ActionState, int]
    by_rag: dict[Rag, int]
    overdue: list[Row]
    due_soon: list[Row]
    quiet: list[Row]
    by_agency: list[tuple[str, int, int]]
    """(lead agency, actions, overdue), most actions first."""
    by_audit: list[tuple[Audit, int, int]]
    audits: list[Audit] = field(default_factory=list)
    """Every audit with actions (for the filter), whatever is filtered."""


def row_of(action: Action, today: date) -> Row:
    last = action.updates[-1].written_at.date() if action.updates else None
    opened = action.opened_on
    quiet = None
    if action.state is ActionState.OPEN:
        since = last or opened
        quiet = (today - since).days if since else None
    return Row(
        action,
        action.rag(today),
        days_open(opened, action.ended_on, today),
        days_overdue(action.state, action.target_date, today),
        last,
        quiet,
    )


def all_actions(session: Session) -> list[Action]:
    """Every action that is not a draft, with what the dashboard reads (five statements)."""
    return list(
        session.scalars(
            select(Action)
            .where(Action.state != ActionState.DRAFT)
            .options(
                selectinload(Action.audit),
                selectinload(Action.recommendation),
                selectinload(Action.lead_agency),
                selectinload(Action.owner),
                selectinload(Action.updates),
                selectinload(Action.events),
            )
            .order_by(Action.target_date, Action.id)
        )
    )


def dashboard(actions: list[Action], filters: Filters, today: date) -> Dashboard:
    audits = sorted({a.audit for a in actions}, key=lambda audit: (audit.title, audit.id))
    rows = [row_of(action, today) for action in actions]
    rows = [
        row
        for row in rows
        if (filters.audit_id is None or row.action.audit_id == filters.audit_id)
        and (filters.lead_agency_id is None or row.action.lead_agency_id == filters.lead_agency_id)
        and (filters.state is None or row.action.state is filters.state)
        and (filters.rag is None or row.rag is filters.rag)
    ]
    states = Counter(row.action.state for row in rows)
    rags = Counter(row.rag for row in rows if row.rag is not None)
    soon = today + timedelta(days=DUE_SOON_DAYS)
    agencies: dict[str, list[int]] = {}
    by_audit: dict[int, list[int]] = {}
    for row in rows:
        name = row.action.lead_agency.name if row.action.lead_agency else "No lead agency"
        counts = agencies.setdefault(name, [0, 0])
        counts[0] += 1
        counts[1] += row.days_overdue > 0
        counts = by_audit.setdefault(row.action.audit_id, [0, 0])
        counts[0] += 1
        counts[1] += row.days_overdue > 0
    audit_of = {audit.id: audit for audit in audits}
    return Dashboard(
        rows=rows,
        by_state={
            state: states.get(state, 0) for state in ActionState if state is not ActionState.DRAFT
        },
        by_rag={rag: rags.get(rag, 0) for rag in Rag},
        overdue=sorted((r for r in rows if r.days_overdue > 0), key=lambda r: -r.days_overdue),
        due_soon=[
            r
            for r in rows
            if r.action.state is ActionState.OPEN
            and r.days_overdue == 0
            and r.action.target_date is not None
            and r.action.target_date <= soon
        ],
        quiet=sorted(
            (r for r in rows if r.quiet_days is not None and r.quiet_days >= QUIET_DAYS),
            key=lambda r: -(r.quiet_days or 0),
        ),
        by_agency=sorted(
            ((name, n, late) for name, (n, late) in agencies.items()), key=lambda t: (-t[1], t[0])
        ),
        by_audit=[(audit_of[i], n, late) for i, (n, late) in by_audit.items()],
        audits=audits,
    )


def month_ends(today: date, months: int = MONTHS_SHOWN) -> list[date]:
    """The last day of each of the ``months`` months up to today's (today for this one)."""
    ends = [today]
    first = today.replace(day=1)
    for _ in range(months - 1):
        first_of_previous = (first - timedelta(days=1)).replace(day=1)
        ends.append(first - timedelta(days=1))
        first = first_of_previous
    return list(reversed(ends))


def history_of(action: Action) -> History:
    return History(
        action.target_date,
        [(event.at, event.to_state) for event in action.events],
        [(update.written_at.date(), update.status) for update in action.updates],
    )


def rag_over_time(actions: list[Action], today: date) -> Chart:
    """The RAG of the whole plan at the end of each month, from the history of states and
    updates (never a stored copy): one bar a month, stacked by RAG."""
    histories = [history_of(action) for action in actions]
    days = month_ends(today)
    counts = [plan_rag_on(histories, day) for day in days]
    shown = (Rag.RED, Rag.AMBER, Rag.GREEN, Rag.NO_UPDATE, Rag.COMPLETE)
    labels = [f"{day:%b %Y}" + (" (today)" if day == today else "") for day in days]
    return bar_chart(
        "RAG of the action plans at the end of each month",
        labels,
        {rag.label: [count.get(rag, 0) for count in counts] for rag in shown},
        value_label="Actions",
        colours=RAG_COLOURS,
        category_label="Month",
    )
