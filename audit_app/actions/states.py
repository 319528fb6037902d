"""The life of an action, as a state machine with no Flask and no database.

draft --publish--> open --complete--> awaiting sign-off --sign off--> closed
                     ^                      |
                     +------send back-------+   (with a reason)
closed or cancelled --reopen--> open          (with a reason)
draft, open or awaiting sign-off --cancel--> cancelled   (with a reason)

* **Complete** needs evidence of completion (what was done, and where it can be seen).
* **Sign off** is by a member of the audit & performance subgroup who does not own the
  action, with a judgement of how effective it was and either evidence of impact or the
  date of a re-audit that will measure it.
* **Send back**, **reopen** and **cancel** each need a reason.

:func:`moves_for` says which moves a person is offered; :func:`check_move` what is wrong
with one as asked (every problem, each naming its field); the views offer only the first
and refuse what the second finds.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import Enum

MAX_TEXT = 5000
MIN_REASON = 10


class ActionState(Enum):
    DRAFT = "draft"
    OPEN = "open"
    AWAITING_SIGN_OFF = "awaiting_sign_off"
    CLOSED = "closed"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return {
            "draft": "Draft",
            "open": "Open",
            "awaiting_sign_off": "Complete, awaiting sign-off",
            "closed": "Closed",
            "cancelled": "Cancelled",
        }[self.value]

    @property
    def is_complete(self) -> bool:
        """Done, whether or not signed off yet (for the RAG rule: never red for lateness)."""
        return self in (ActionState.AWAITING_SIGN_OFF, ActionState.CLOSED)

    @property
    def takes_updates(self) -> bool:
        """Progress updates are added to a live action only (a closed one is reopened first)."""
        return self in (ActionState.OPEN, ActionState.AWAITING_SIGN_OFF)


class Effectiveness(Enum):
    EFFECTIVE = "effective"
    PARTLY_EFFECTIVE = "partly_effective"
    NOT_EFFECTIVE = "not_effective"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


class Move(Enum):
    PUBLISH = "publish"
    COMPLETE = "complete"
    SIGN_OFF = "sign_off"
    SEND_BACK = "send_back"
    CANCEL = "cancel"
    REOPEN = "reopen"

    @property
    def label(self) -> str:
        return {
            "publish": "Open the action",
            "complete": "Mark as complete",
            "sign_off": "Sign off and close",
            "send_back": "Send back to the owner",
            "cancel": "Cancel the action",
            "reopen": "Reopen the action",
        }[self.value]

    @property
    def past(self) -> str:
        return _past(self)


FROM: dict[Move, frozenset[ActionState]] = {
    Move.PUBLISH: frozenset({ActionState.DRAFT}),
    Move.COMPLETE: frozenset({ActionState.OPEN}),
    Move.SIGN_OFF: frozenset({ActionState.AWAITING_SIGN_OFF}),
    Move.SEND_BACK: frozenset({ActionState.AWAITING_SIGN_OFF}),
    Move.CANCEL: frozenset({ActionState.DRAFT, ActionState.OPEN, ActionState.AWAITING_SIGN_OFF}),
    Move.REOPEN: frozenset({ActionState.CLOSED, ActionState.CANCELLED}),
}
TO: dict[Move, ActionState] = {
    Move.PUBLISH: ActionState.OPEN,
    Move.COMPLETE: ActionState.AWAITING_SIGN_OFF,
    Move.SIGN_OFF: ActionState.CLOSED,
    Move.SEND_BACK: ActionState.OPEN,
    Move.CANCEL: ActionState.CANCELLED,
    Move.REOPEN: ActionState.OPEN,
}


@dataclass(frozen=True)
class Actor:
    """Who asks, as far as the rules care."""

    user_id: int
    writes_plan: bool
    """The audit's lead or a member of its panel: they write and open actions."""
    on_subgroup: bool
    """A member of the audit & performance subgroup: they sign off, send back, reopen."""
    owns: bool
    """The action's owner."""


def may(move: Move, actor: Actor) -> bool:
    """Whether this person may ask for the move at all (whatever the state)."""
    if move is Move.PUBLISH:
        return actor.writes_plan
    if move is Move.COMPLETE:
        return actor.owns or actor.on_subgroup or actor.writes_plan
    if move is Move.SIGN_OFF:
        return actor.on_subgroup and not actor.owns
    if move in (Move.SEND_BACK, Move.REOPEN):
        return actor.on_subgroup or actor.writes_plan
    return actor.writes_plan or actor.on_subgroup  # cancel


def moves_for(state: ActionState, actor: Actor) -> list[Move]:
    """The moves to offer this person for an action in ``state``, in a sensible order."""
    return [move for move in Move if state in FROM[move] and may(move, actor)]


@dataclass(frozen=True)
class MoveDetails:
    """What a move is asked with (each used by the moves that need it)."""

    evidence_of_completion: str = ""
    effectiveness: str = ""
    evidence_of_impact: str = ""
    re_audit_on: date | None = None
    reason: str = ""


@dataclass(frozen=True)
class MoveProblem:
    field: str
    message: str


def check_move(
    state: ActionState, move: Move, actor: Actor, details: MoveDetails, today: date
) -> list[MoveProblem]:
    """Every problem with ``move`` asked by ``actor`` for an action in ``state`` (empty when
    it may go ahead)."""
    if state not in FROM[move]:
        return [
            MoveProblem(
                "move",
                f"An action that is {state.label.lower()} cannot be {_past(move)}",
            )
        ]
    if move is Move.SIGN_OFF and actor.owns:
        return [
            MoveProblem(
                "move",
                "You own this action, so someone else on the subgroup must sign it off",
            )
        ]
    if not may(move, actor):
        return [MoveProblem("move", "You cannot do this to this action")]
    problems = []
    if move is Move.COMPLETE:
        problems += _text(
            "evidence_of_completion",
            details.evidence_of_completion,
            "Say what was done and where the evidence of it can be seen",
        )
    if move is Move.SIGN_OFF:
        if details.effectiveness not in {e.value for e in Effectiveness}:
            problems.append(MoveProblem("effectiveness", "Choose how effective the action was"))
        impact = details.evidence_of_impact.strip()
        if not impact and details.re_audit_on is None:
            problems.append(
                MoveProblem(
                    "evidence_of_impact",
                    "Give the evidence of impact, or the date of the re-audit that will measure it",
                )
            )
        elif len(impact) > MAX_TEXT:
            problems.append(MoveProblem("evidence_of_impact", _too_long("The evidence")))
        if details.re_audit_on is not None and not impact and details.re_audit_on <= today:
            problems.append(
                MoveProblem(
                    "re_audit_on", "The re-audit that will measure it must be in the future"
                )
            )
    if move in (Move.SEND_BACK, Move.CANCEL, Move.REOPEN):
        problems += _text("reason", details.reason, "Give the reason", minimum=MIN_REASON)
    return problems


def _text(field: str, value: str, missing: str, minimum: int = 1) -> list[MoveProblem]:
    text = value.strip()
    if len(text) < minimum:
        more = f" (at least {minimum} characters)" if minimum > 1 else ""
        return [MoveProblem(field, missing + more)]
    if len(text) > MAX_TEXT:
        return [MoveProblem(field, _too_long("It"))]
    return []


def _too_long(what: str) -> str:
    return f"{what} must be {MAX_TEXT:,} characters or fewer"


def _past(move: Move) -> str:
    return {
        Move.PUBLISH: "opened",
        Move.COMPLETE: "marked as complete",
        Move.SIGN_OFF: "signed off",
        Move.SEND_BACK: "sent back",
        Move.CANCEL: "cancelled",
        Move.REOPEN: "reopened",
    }[move]
