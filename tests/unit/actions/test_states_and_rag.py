"""The state machine of an action and the RAG rule, with no database."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from audit_app.actions.rag import (
    RAG_RULE,
    History,
    Rag,
    UpdateStatus,
    days_open,
    days_overdue,
    plan_rag_on,
    rag_of,
)
from audit_app.actions.states import (
    FROM,
    TO,
    ActionState,
    Actor,
    Move,
    MoveDetails,
    check_move,
    moves_for,
)

TODAY = date(2026, 12, 1)
OWNER = Actor(1, writes_plan=False, on_subgroup=False, owns=True)
SUBGROUP = Actor(2, writes_plan=False, on_subgroup=True, owns=False)
OWNER_ON_SUBGROUP = Actor(3, writes_plan=False, on_subgroup=True, owns=True)
LEAD = Actor(4, writes_plan=True, on_subgroup=False, owns=False)
SOMEONE = Actor(5, writes_plan=False, on_subgroup=False, owns=False)
REASON = "The re-audit found the pathway is not used"


def test_every_move_goes_from_where_it_may_to_one_state() -> None:
    assert set(FROM) == set(TO) == set(Move)
    reachable = {ActionState.DRAFT} | set(TO.values())
    assert reachable == set(ActionState)
    for move, sources in FROM.items():
        assert TO[move] not in sources or move is Move.REOPEN


@pytest.mark.parametrize(
    ("state", "actor", "offered"),
    [
        (ActionState.DRAFT, LEAD, [Move.PUBLISH, Move.CANCEL]),
        (ActionState.DRAFT, OWNER, []),
        (ActionState.OPEN, OWNER, [Move.COMPLETE]),
        (ActionState.OPEN, SUBGROUP, [Move.COMPLETE, Move.CANCEL]),
        (ActionState.AWAITING_SIGN_OFF, SUBGROUP, [Move.SIGN_OFF, Move.SEND_BACK, Move.CANCEL]),
        (ActionState.AWAITING_SIGN_OFF, OWNER_ON_SUBGROUP, [Move.SEND_BACK, Move.CANCEL]),
        (ActionState.AWAITING_SIGN_OFF, OWNER, []),
        (ActionState.CLOSED, SUBGROUP, [Move.REOPEN]),
        (ActionState.CLOSED, OWNER, []),
        (ActionState.CANCELLED, LEAD, [Move.REOPEN]),
        (ActionState.OPEN, SOMEONE, []),
    ],
)
def test_each_move_is_offered_only_where_it_is_allowed(
    state: ActionState, actor: Actor, offered: list[Move]
) -> None:
    assert moves_for(state, actor) == offered
    for move in offered:
        assert state in FROM[move]


def fields(state: ActionState, move: Move, actor: Actor, **details: object) -> list[str]:
    return [
        problem.field
        for problem in check_move(state, move, actor, MoveDetails(**details), TODAY)  # type: ignore[arg-type]
    ]


def test_completing_needs_evidence_of_completion() -> None:
    assert fields(ActionState.OPEN, Move.COMPLETE, OWNER) == ["evidence_of_completion"]
    assert fields(ActionState.OPEN, Move.COMPLETE, OWNER, evidence_of_completion="  ") == [
        "evidence_of_completion"
    ]
    done = "Sessions held on 3 and 10 March; registers on the shared drive"
    assert fields(ActionState.OPEN, Move.COMPLETE, OWNER, evidence_of_completion=done) == []


def test_the_owner_cannot_sign_off_their_own_action() -> None:
    (problem,) = check_move(
        ActionState.AWAITING_SIGN_OFF,
        Move.SIGN_OFF,
        OWNER_ON_SUBGROUP,
        MoveDetails(effectiveness="effective", evidence_of_impact="Re-audit: 80% good"),
        TODAY,
    )
    assert "someone else on the subgroup must sign it off" in problem.message


def test_sign_off_needs_effectiveness_and_impact_or_a_future_re_audit() -> None:
    waiting = ActionState.AWAITING_SIGN_OFF
    assert fields(waiting, Move.SIGN_OFF, SUBGROUP) == ["effectiveness", "evidence_of_impact"]
    assert fields(waiting, Move.SIGN_OFF, SUBGROUP, effectiveness="very") == [
        "effectiveness", "evidence_of_impact"
    ]  # fmt: skip
    assert fields(waiting, Move.SIGN_OFF, SUBGROUP, effectiveness="partly_effective",
                  evidence_of_impact="Waits fell from 14 to 9 weeks") == []  # fmt: skip
    assert fields(waiting, Move.SIGN_OFF, SUBGROUP, effectiveness="effective",
                  re_audit_on=date(2027, 9, 1)) == []  # fmt: skip
    assert fields(waiting, Move.SIGN_OFF, SUBGROUP, effectiveness="effective",
                  re_audit_on=TODAY) == ["re_audit_on"]  # fmt: skip


@pytest.mark.parametrize(
    ("state", "move"),
    [
        (ActionState.AWAITING_SIGN_OFF, Move.SEND_BACK),
        (ActionState.OPEN, Move.CANCEL),
        (ActionState.CLOSED, Move.REOPEN),
        (ActionState.CANCELLED, Move.REOPEN),
    ],
)
def test_sending_back_cancelling_and_reopening_need_a_reason(
    state: ActionState, move: Move
) -> None:
    assert fields(state, move, SUBGROUP) == ["reason"]
    assert fields(state, move, SUBGROUP, reason="too short") == ["reason"]
    assert fields(state, move, SUBGROUP, reason=REASON) == []


def test_a_move_from_the_wrong_state_or_by_the_wrong_person_is_refused() -> None:
    (problem,) = check_move(ActionState.CLOSED, Move.COMPLETE, OWNER, MoveDetails(), TODAY)
    assert problem.message == "An action that is closed cannot be marked as complete"
    assert fields(ActionState.DRAFT, Move.PUBLISH, OWNER) == ["move"]
    assert fields(ActionState.OPEN, Move.COMPLETE, SOMEONE) == ["move"]


# --- The RAG rule -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("state", "target", "latest", "rag"),
    [
        (ActionState.OPEN, date(2027, 1, 1), UpdateStatus.ON_TRACK, Rag.GREEN),
        (ActionState.OPEN, date(2027, 1, 1), UpdateStatus.AT_RISK, Rag.AMBER),
        (ActionState.OPEN, date(2027, 1, 1), UpdateStatus.OFF_TRACK, Rag.RED),
        (ActionState.OPEN, date(2027, 1, 1), None, Rag.NO_UPDATE),
        (ActionState.OPEN, TODAY, UpdateStatus.ON_TRACK, Rag.GREEN),  # due today: not late
        # Past its target date and not complete: red, whatever was said.
        (ActionState.OPEN, date(2026, 11, 30), UpdateStatus.ON_TRACK, Rag.RED),
        (ActionState.OPEN, date(2026, 11, 30), None, Rag.RED),
        (ActionState.AWAITING_SIGN_OFF, date(2026, 1, 1), UpdateStatus.OFF_TRACK, Rag.COMPLETE),
        (ActionState.CLOSED, date(2026, 1, 1), None, Rag.COMPLETE),
        (ActionState.DRAFT, date(2026, 1, 1), None, None),
        (ActionState.CANCELLED, date(2026, 1, 1), UpdateStatus.OFF_TRACK, None),
    ],
)
def test_the_rag_follows_the_written_rule(
    state: ActionState, target: date, latest: UpdateStatus | None, rag: Rag | None
) -> None:
    assert rag_of(state, target, latest, TODAY) is rag


def test_the_rule_is_written_for_the_page() -> None:
    assert "red, whatever its latest update said" in RAG_RULE


def test_days_overdue_and_days_open() -> None:
    assert days_overdue(ActionState.OPEN, date(2026, 11, 21), TODAY) == 10
    assert days_overdue(ActionState.OPEN, date(2026, 12, 21), TODAY) == 0
    assert days_overdue(ActionState.CLOSED, date(2026, 11, 21), TODAY) == 0
    assert days_open(date(2026, 11, 1), None, TODAY) == 30
    assert days_open(date(2026, 11, 1), date(2026, 11, 11), TODAY) == 10
    assert days_open(None, None, TODAY) is None


def test_the_plans_rag_on_any_day_comes_from_the_history() -> None:
    opened = datetime(2026, 9, 1, 10)
    late = History(
        date(2026, 10, 31),
        [(datetime(2026, 8, 20, 9), ActionState.DRAFT), (opened, ActionState.OPEN)],
        [(date(2026, 9, 15), UpdateStatus.ON_TRACK), (date(2026, 10, 15), UpdateStatus.AT_RISK)],
    )
    done = History(
        date(2027, 3, 31),
        [
            (datetime(2026, 8, 20, 9), ActionState.DRAFT),
            (opened, ActionState.OPEN),
            (datetime(2026, 11, 1, 12), ActionState.AWAITING_SIGN_OFF),
        ],
        [(date(2026, 9, 20), UpdateStatus.OFF_TRACK), (date(2026, 9, 20), UpdateStatus.ON_TRACK)],
    )
    assert late.rag_on(date(2026, 8, 1)) is None  # not yet written
    assert late.rag_on(date(2026, 8, 25)) is None  # a draft
    assert late.rag_on(date(2026, 9, 2)) is Rag.NO_UPDATE
    assert late.rag_on(date(2026, 9, 30)) is Rag.GREEN
    assert late.rag_on(date(2026, 10, 20)) is Rag.AMBER
    assert late.rag_on(date(2026, 11, 1)) is Rag.RED  # past its target date
    assert done.rag_on(date(2026, 9, 20)) is Rag.GREEN  # the later of two the same day
    assert plan_rag_on([late, done], date(2026, 10, 20)) == {Rag.AMBER: 1, Rag.GREEN: 1}
    assert plan_rag_on([late, done], date(2026, 11, 2)) == {Rag.RED: 1, Rag.COMPLETE: 1}
