"""Reminders to action owners, before the target date and when overdue (no Flask).

Run by ``audit-app actions remind`` (for cron, say daily), never inside a web request. Each
reminder is recorded (``action_reminder``) whether or not it could be emailed, so that an
owner hears once that an action is due soon and once a week while it is overdue.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from audit_app.actions.models import Action, ActionReminder, ReminderKind
from audit_app.actions.states import ActionState

DUE_SOON_DAYS = 14
"""An owner is reminded once when the target date is this many days away or nearer."""
OVERDUE_EVERY_DAYS = 7
"""While an action is overdue, its owner is reminded again after this many days."""


@dataclass(frozen=True)
class Due:
    action: Action
    kind: ReminderKind
    recipient: str
    subject: str
    body: str


def recipient_of(action: Action) -> str | None:
    if action.owner is not None:
        return action.owner.email if action.owner.is_active else None
    return action.invitee_email or None


def _words(action: Action, kind: ReminderKind, today: date, link: str) -> tuple[str, str]:
    target = action.target_date
    assert target is not None
    when = f"{target:%-d %B %Y}"
    if kind is ReminderKind.DUE_SOON:
        subject = f"An action you own is due on {when}"
        opening = f"This action is due on {when}, in {(target - today).days} days:"
    else:
        days = (today - target).days
        subject = f"An action you own is {days} days overdue"
        opening = f"This action was due on {when} and is {days} days overdue:"
    body = (
        f"{opening}\n\n{action.description}\n\n"
        f"From recommendation {action.recommendation.number} of '{action.audit.title}'.\n\n"
        "Please add a progress update (what was done, and whether it is on track), or mark "
        f"it as complete with the evidence:\n{link}\n"
    )
    return subject, body


def reminders_due(
    actions: Sequence[Action],
    sent: dict[int, list[tuple[ReminderKind, date]]],
    today: date,
    link_of: Callable[[Action], str],
) -> tuple[list[Due], list[Action]]:
    """The reminders to send today, and the actions that need one but have no one to send
    it to (no owner with an active account and no invitee address)."""
    due: list[Due] = []
    nobody: list[Action] = []
    for action in actions:
        if action.state is not ActionState.OPEN or action.target_date is None:
            continue
        left = (action.target_date - today).days
        earlier = sent.get(action.id, [])
        kind = None
        if 0 <= left <= DUE_SOON_DAYS and not any(k is ReminderKind.DUE_SOON for k, _ in earlier):
            kind = ReminderKind.DUE_SOON
        elif left < 0:
            last = max((on for k, on in earlier if k is ReminderKind.OVERDUE), default=None)
            if last is None or (today - last).days >= OVERDUE_EVERY_DAYS:
                kind = ReminderKind.OVERDUE
        if kind is None:
            continue
        recipient = recipient_of(action)
        if recipient is None:
            nobody.append(action)
            continue
        subject, body = _words(action, kind, today, link_of(action))
        due.append(Due(action, kind, recipient, subject, body))
    return due, nobody


def open_actions(session: Session) -> list[Action]:
    return list(
        session.scalars(
            select(Action)
            .where(Action.state == ActionState.OPEN, Action.target_date.is_not(None))
            .options(
                selectinload(Action.owner),
                selectinload(Action.audit),
                selectinload(Action.recommendation),
            )
            .order_by(Action.target_date, Action.id)
        )
    )


def sent_so_far(session: Session) -> dict[int, list[tuple[ReminderKind, date]]]:
    found: dict[int, list[tuple[ReminderKind, date]]] = {}
    rows = session.execute(
        select(ActionReminder.action_id, ActionReminder.kind, ActionReminder.sent_at)
    )
    for action_id, kind, sent_at in rows:
        found.setdefault(action_id, []).append((kind, sent_at.date()))
    return found


def record(session: Session, reminder: Due, emailed: bool) -> None:
    session.add(
        ActionReminder(
            action_id=reminder.action.id,
            kind=reminder.kind,
            recipient=reminder.recipient,
            emailed=emailed,
        )
    )
