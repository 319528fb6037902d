"""The RAG of an action, by one written rule, and of the whole plan on any day (no Flask).

The RAG is derived, never stored: from the action's state, its target date and the status
of its latest progress update. A plan's RAG over time is taken from the history of states
and updates, not from a stored copy.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum

from audit_app.actions.states import ActionState


class UpdateStatus(Enum):
    """What an owner or the subgroup says in a progress update."""

    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    OFF_TRACK = "off_track"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


class Rag(Enum):
    RED = "red"
    AMBER = "amber"
    GREEN = "green"
    COMPLETE = "complete"
    NO_UPDATE = "no_update"

    @property
    def label(self) -> str:
        return {
            "red": "Red",
            "amber": "Amber",
            "green": "Green",
            "complete": "Complete",
            "no_update": "No update yet",
        }[self.value]


RAG_RULE = (
    "An action that is complete (awaiting sign-off or closed) is shown as complete. An "
    "action past its target date that is not complete is red, whatever its latest update "
    "said. Otherwise the RAG is its latest update's status: on track is green, at risk is "
    "amber, off track is red; an open action with no update yet says so. Draft and "
    "cancelled actions have no RAG."
)
"""The rule in words, for the pages that show a RAG."""

FROM_STATUS = {
    UpdateStatus.ON_TRACK: Rag.GREEN,
    UpdateStatus.AT_RISK: Rag.AMBER,
    UpdateStatus.OFF_TRACK: Rag.RED,
}


def rag_of(
    state: ActionState,
    target_date: date | None,
    latest: UpdateStatus | None,
    today: date,
) -> Rag | None:
    """The RAG of an action now (None for a draft or a cancelled action)."""
    if state in (ActionState.DRAFT, ActionState.CANCELLED):
        return None
    if state.is_complete:
        return Rag.COMPLETE
    if target_date is not None and target_date < today:
        return Rag.RED
    if latest is None:
        return Rag.NO_UPDATE
    return FROM_STATUS[latest]


def days_overdue(state: ActionState, target_date: date | None, today: date) -> int:
    """Days past the target date of an action not complete (0 when not overdue)."""
    if target_date is None or state.is_complete or state is ActionState.CANCELLED:
        return 0
    return max(0, (today - target_date).days)


def days_open(opened_on: date | None, ended_on: date | None, today: date) -> int | None:
    """Days from opening to closing (or to today while it is open); None before opening."""
    if opened_on is None:
        return None
    return max(0, ((ended_on or today) - opened_on).days)


# --- On any day, from the history -------------------------------------------------------------


@dataclass(frozen=True)
class History:
    """One action's history: its target date, each change of state (when, to what) and each
    progress update (on what day, with what status), each list in any order."""

    target_date: date | None
    states: Sequence[tuple[datetime, ActionState]]
    updates: Sequence[tuple[date, UpdateStatus]]

    def state_on(self, day: date) -> ActionState | None:
        """The state at the end of ``day`` (None before the action existed)."""
        reached = [(at, n, state) for n, (at, state) in enumerate(self.states) if at.date() <= day]
        return max(reached, key=lambda item: item[:2])[2] if reached else None

    def latest_on(self, day: date) -> UpdateStatus | None:
        """The status of the last update written by ``day`` (of two the same day, the later
        in the list)."""
        written = [(on, n, status) for n, (on, status) in enumerate(self.updates) if on <= day]
        return max(written, key=lambda item: item[:2])[2] if written else None

    def rag_on(self, day: date) -> Rag | None:
        state = self.state_on(day)
        if state is None:
            return None
        return rag_of(state, self.target_date, self.latest_on(day), day)


def plan_rag_on(histories: Iterable[History], day: date) -> Counter[Rag]:
    """How many of the plan's actions were of each RAG at the end of ``day``."""
    counts: Counter[Rag] = Counter()
    for history in histories:
        rag = history.rag_on(day)
        if rag is not None:
            counts[rag] += 1
    return counts
