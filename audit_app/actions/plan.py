"""Writing an audit's action plan and following it: the rules, with no Flask.

Actions are written from a recommendation by the panel and the audit lead, checked for
SMARTness (``smart.py``), moved through their states (``states.py``) with every move kept
in ``action_event``, and followed by dated progress updates (append-only). Every change is
in the audit log (the session's log hooks); saves are version-checked, so two people saving
at once never lose each other's words.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.exc import StaleDataError

from audit_app.accounts.models import User
from audit_app.actions import smart
from audit_app.actions.evidence_files import CheckedFile
from audit_app.actions.models import Action, ActionEvent, ActionEvidenceFile, ActionUpdate
from audit_app.actions.rag import UpdateStatus
from audit_app.actions.smart import ActionDraft, Priority, SmartWords
from audit_app.actions.states import (
    TO,
    ActionState,
    Actor,
    Effectiveness,
    Move,
    MoveDetails,
    MoveProblem,
    check_move,
)
from audit_app.agencies.models import Agency
from audit_app.audits.models import Audit
from audit_app.core.errors import DomainError
from audit_app.core.models import utcnow
from audit_app.panel.models import Recommendation

MAX_PROGRESS = 5000

STALE_ACTION = (
    "Someone else changed this action while you were editing it. Your words have not been "
    "saved: they are shown below. Read the action as it is now, then make your change again."
)


class ActionConflict(DomainError):
    """Someone else saved the action first: nothing was saved."""

    def __init__(self) -> None:
        super().__init__(STALE_ACTION)


class ActionRefused(DomainError):
    """The action cannot be saved as written: each problem names its field."""

    def __init__(self, problems: list[smart.Problem]) -> None:
        super().__init__(problems[0].message, problems[0].field)
        self.problems = problems


class MoveRefused(DomainError):
    def __init__(self, problems: list[MoveProblem]) -> None:
        super().__init__(problems[0].message, problems[0].field)
        self.problems = problems


# --- Writing an action ------------------------------------------------------------------------


def _people_problems(session: Session, draft: ActionDraft) -> list[smart.Problem]:
    """The lead agency and the owner must exist (and the owner's account be active)."""
    problems = []
    if draft.lead_agency_id is not None:
        agency = session.get(Agency, draft.lead_agency_id)
        if agency is None or not agency.is_active:
            problems.append(
                smart.Problem("lead_agency", "Choose the lead agency from the list",
                              smart.Severity.REFUSED, "lead_agency_unknown")
            )  # fmt: skip
    if draft.owner_id is not None:
        owner = session.get(User, draft.owner_id)
        if owner is None or not owner.is_active:
            problems.append(
                smart.Problem("owner", "Choose the owner from the list",
                              smart.Severity.REFUSED, "owner_unknown")
            )  # fmt: skip
    return problems


def saving_problems(
    session: Session,
    draft: ActionDraft,
    words: SmartWords,
    today: date,
    kept_target: date | None = None,
) -> list[smart.Problem]:
    """What stops the action being saved (empty: it may be). ``kept_target``: the target
    date an edited action already has, which stays acceptable once it has passed (an overdue
    action can still have its owner changed)."""
    problems = smart.check_for_saving(draft, words, today)
    if kept_target is not None and draft.target_date == kept_target:
        problems = [p for p in problems if p.rule != "target_in_the_past"]
    return [*problems, *_people_problems(session, draft)]


def _account_for(session: Session, email: str) -> User | None:
    return session.scalar(
        select(User).where(func.lower(User.email) == email.strip().lower(), User.is_active)
    )


def _with_known_owner(session: Session, draft: ActionDraft) -> ActionDraft:
    """Someone "to invite" who already has an account owns the action as that account."""
    if draft.owner_id is not None or not draft.owner_email.strip():
        return draft
    account = _account_for(session, draft.owner_email)
    if account is None:
        return draft
    return replace(draft, owner_id=account.id, owner_name="", owner_email="")


def claim_invitations(session: Session, user: User) -> int:
    """A new account takes over the actions it was invited to own (by email address).
    Returns how many."""
    actions = session.scalars(
        select(Action).where(
            Action.owner_id.is_(None), func.lower(Action.invitee_email) == user.email.lower()
        )
    ).all()
    for action in actions:
        action.owner_id = user.id
        action.invitee_name = ""
        action.invitee_email = ""
    session.flush()
    return len(actions)


@dataclass(frozen=True)
class Invitee:
    name: str
    email: str
    actions: int


def invitees(session: Session) -> list[Invitee]:
    """The people named to own live actions who have no account yet, by address."""
    rows = session.execute(
        select(Action.invitee_name, Action.invitee_email)
        .where(
            Action.owner_id.is_(None),
            Action.invitee_email != "",
            Action.state.in_([ActionState.DRAFT, ActionState.OPEN, ActionState.AWAITING_SIGN_OFF]),
        )
        .order_by(Action.invitee_name)
    ).all()
    found: dict[str, list[str]] = {}
    for name, email in rows:
        found.setdefault(email.lower(), []).append(name)
    taken = set(
        session.scalars(select(func.lower(User.email)).where(func.lower(User.email).in_(found)))
    )
    return [
        Invitee(names[0], email, len(names))
        for email, names in sorted(found.items(), key=lambda item: item[1][0].lower())
        if email not in taken
    ]


def _fill(action: Action, draft: ActionDraft, words: SmartWords, today: date) -> None:
    warnings = smart.warnings_of(draft, words, today)
    action.description = draft.what.strip()
    action.success_measure = draft.success_measure.strip()
    action.lead_agency_id = draft.lead_agency_id
    action.owner_id = draft.owner_id
    action.invitee_name = "" if draft.owner_id is not None else draft.owner_name.strip()
    action.invitee_email = "" if draft.owner_id is not None else draft.owner_email.strip()
    action.start_date = draft.start_date
    action.target_date = draft.target_date
    action.priority = Priority(draft.priority)
    action.smart_override_reason = draft.override_reason.strip() if warnings else ""
    action.smart_warnings = [{"rule": w.rule, "message": w.message} for w in warnings]


def add_action(
    session: Session,
    audit: Audit,
    recommendation: Recommendation,
    draft: ActionDraft,
    user: User | None,
    words: SmartWords,
    today: date,
) -> Action:
    """A new draft action from the recommendation, checked as it is saved."""
    if recommendation.audit_id != audit.id:
        raise DomainError("That recommendation is not this audit's")
    problems = saving_problems(session, draft, words, today)
    if problems:
        raise ActionRefused(problems)
    action = Action(audit_id=audit.id, recommendation_id=recommendation.id)
    _fill(action, _with_known_owner(session, draft), words, today)
    action.state = ActionState.DRAFT
    session.add(action)
    session.flush()
    session.add(
        ActionEvent(
            action_id=action.id, from_state=None, to_state=ActionState.DRAFT,
            by_id=user.id if user else None,
        )
    )  # fmt: skip
    session.flush()
    return action


def edit_action(
    session: Session,
    action: Action,
    seen_version: int,
    draft: ActionDraft,
    words: SmartWords,
    today: date,
) -> None:
    """Save the action as written, unless someone else saved it since ``seen_version``.
    A closed or cancelled action is reopened first."""
    if action.version != seen_version:
        raise ActionConflict()  # (a move by someone else is a change too: words shown back)
    if action.state in (ActionState.CLOSED, ActionState.CANCELLED):
        raise DomainError(
            f"This action is {action.state.label.lower()}: reopen it before changing it"
        )
    problems = saving_problems(session, draft, words, today, kept_target=action.target_date)
    if problems:
        raise ActionRefused(problems)
    _fill(action, _with_known_owner(session, draft), words, today)
    _flush(session)


def _flush(session: Session) -> None:
    try:
        session.flush()
    except StaleDataError:
        raise ActionConflict() from None


# --- Moving it on -----------------------------------------------------------------------------


def move_action(
    session: Session,
    action: Action,
    seen_version: int,
    move: Move,
    actor: Actor,
    details: MoveDetails,
    user: User,
    today: date,
) -> None:
    """Move the action on as ``actor`` asks, kept in its history with who, when and why."""
    if action.version != seen_version:
        raise ActionConflict()
    problems = check_move(action.state, move, actor, details, today)
    if problems:
        raise MoveRefused(problems)
    before = action.state
    action.state = TO[move]
    if move is Move.REOPEN and before is ActionState.CANCELLED:
        # Back to where it was cancelled from: a draft nobody opened stays a draft.
        cancelled = [e for e in action.events if e.to_state is ActionState.CANCELLED]
        if cancelled and cancelled[-1].from_state is ActionState.DRAFT:
            action.state = ActionState.DRAFT
    reason = details.reason.strip()
    if move is Move.COMPLETE:
        action.evidence_of_completion = details.evidence_of_completion.strip()
    elif move is Move.SIGN_OFF:
        action.effectiveness = Effectiveness(details.effectiveness)
        action.evidence_of_impact = details.evidence_of_impact.strip()
        action.re_audit_on = details.re_audit_on
        action.signed_off_at = utcnow()
        action.signed_off_by_id = user.id
    elif move in (Move.REOPEN, Move.SEND_BACK):
        action.signed_off_at = None
        action.signed_off_by_id = None
        action.effectiveness = None
    session.add(
        ActionEvent(
            action_id=action.id, from_state=before, to_state=action.state, by_id=user.id,
            reason=reason,
        )
    )  # fmt: skip
    _flush(session)


# --- Progress ---------------------------------------------------------------------------------


def add_update(
    session: Session,
    action: Action,
    status: str,
    progress: str,
    user: User,
    files: Sequence[CheckedFile] = (),
) -> ActionUpdate:
    """A dated progress update (append-only: never changed or deleted), with the evidence
    files already checked (``evidence_files.check_files``); the caller keeps their bytes in
    the evidence folder once this has not refused."""
    if action.state is ActionState.DRAFT:
        raise DomainError("This action is still a draft: it takes updates once it is opened")
    if not action.state.takes_updates:
        raise DomainError(
            f"This action is {action.state.label.lower()}: it takes updates once it is open "
            "again (reopen it first)"
        )
    if status not in {s.value for s in UpdateStatus}:
        raise DomainError("Choose on track, at risk or off track", "status")
    text = progress.strip()
    if not text:
        raise DomainError("Say what was done since the last update", "progress")
    if len(text) > MAX_PROGRESS:
        raise DomainError(f"The update must be {MAX_PROGRESS:,} characters or fewer", "progress")
    update = ActionUpdate(
        action_id=action.id, author_id=user.id, status=UpdateStatus(status), progress=text
    )
    session.add(update)
    session.flush()
    for checked in files:
        session.add(
            ActionEvidenceFile(
                action_id=action.id, update_id=update.id, name=checked.name, kind=checked.kind,
                content_type=checked.content_type, size=checked.size, sha256=checked.sha256,
                uploaded_by_id=user.id,
            )
        )  # fmt: skip
    session.flush()
    return update


# --- Reading ----------------------------------------------------------------------------------


def actions_of(session: Session, audit_id: int) -> list[Action]:
    """The audit's actions with what their rows show (owner, agency, updates), by
    recommendation: three statements however many there are."""
    return list(
        session.scalars(
            select(Action)
            .where(Action.audit_id == audit_id)
            .options(
                selectinload(Action.owner),
                selectinload(Action.lead_agency),
                selectinload(Action.updates),
            )
            .order_by(Action.recommendation_id, Action.id)
        )
    )


@dataclass(frozen=True)
class Person:
    id: int
    name: str
    email: str


def possible_owners(session: Session) -> list[Person]:
    """Everyone with an active account, by name (an owner need hold no role: owning the
    action is what lets them update it)."""
    rows = session.execute(
        select(User.id, User.full_name, User.email)
        .where(User.is_active.is_(True))
        .order_by(User.full_name, User.id)
    )
    return [Person(*row) for row in rows]
