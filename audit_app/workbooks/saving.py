"""Saving a workbook's changes as draft: every return version-checked, all saved together."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from audit_app.accounts.models import User
from audit_app.core.errors import DomainError
from audit_app.returns.answering import SectionSave, save_sections
from audit_app.returns.models import AgencyReturn
from audit_app.workbooks.changes import ChangePlan

# --- Saving ------------------------------------------------------------------------------


@dataclass
class SaveResult:
    saved: list[tuple[str, int]] = field(default_factory=list)
    """(child code, answers changed) for each return saved."""
    locked: list[str] = field(default_factory=list)
    """Children whose returns had changes in the workbook but could not be changed."""


def apply_plan(
    session: Session,
    plan: ChangePlan,
    choices: dict[str, str],
    user: User | None,
    *,
    agency_id: int,
    audit_id: int,
) -> SaveResult:
    """Save the workbook's changes as draft, all returns in one :func:`save_sections`, so in
    the same few statements however many returns change.

    ``choices`` says, for each conflict's :meth:`Change.choice_name`, "online" or "workbook".
    Raises :class:`DomainError` when a conflict has no choice, and whatever ``save_sections``
    raises (``ReturnConflict`` when a return was saved since the plan was made); the caller
    rolls back, so nothing is saved unless everything is.
    """
    missing = [
        change.question.text
        for return_plan, change in plan.conflicts
        if choices.get(change.choice_name(return_plan.return_id)) not in ("online", "workbook")
    ]
    if missing:
        raise DomainError(
            "Choose which answer to keep for: " + "; ".join(f"'{text}'" for text in missing)
        )
    result = SaveResult(locked=[plan.child_code for plan in plan.locked])
    ids = [return_plan.return_id for return_plan in plan.to_save]
    found = {
        agency_return.id: agency_return
        for agency_return in session.scalars(select(AgencyReturn).where(AgencyReturn.id.in_(ids)))
    }
    saves: list[SectionSave] = []
    for return_plan in plan.to_save:
        values: dict[str, Any] = {}
        rationales: dict[str, str] = {}
        for change in return_plan.changes:
            name = change.choice_name(return_plan.return_id)
            if change.conflict and choices.get(name) != "workbook":
                continue
            value, reason = change.workbook
            values[change.question.id] = value
            if reason:
                rationales[change.question.id] = reason
        if not values:
            continue
        agency_return = found.get(return_plan.return_id)
        if (
            agency_return is None
            or agency_return.agency_id != agency_id
            or agency_return.audit_id != audit_id
        ):
            raise DomainError(f"The return for {return_plan.child_code} cannot be found")
        saves.append(SectionSave(agency_return, return_plan.version, values, rationales))
        result.saved.append((return_plan.child_code, len(values)))
    save_sections(session, saves, user)
    return result
