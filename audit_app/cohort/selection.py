"""The cohort, with no Flask: the stored population list and its column mapping, the
seeded draw (see ``sampling.py`` and ``docs/sampling.md``) and its verification, and
children added or removed by hand with a reason."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from audit_app.accounts.models import User
from audit_app.audits.lifecycle import required_text
from audit_app.audits.models import Audit, AuditStatus
from audit_app.audits.participation import returns_ledger
from audit_app.cohort.models import ChildIdentity, CohortDraw, CohortMember, PopulationList
from audit_app.cohort.population import ColumnMapping, Population, check_mapping
from audit_app.cohort.sampling import (
    DrawResult,
    SamplingError,
    VerifyResult,
    draw,
    parse_filter,
    pseudonym,
    verify,
)
from audit_app.core.errors import DomainError
from audit_app.core.models import AuditLogEntry, utcnow


def current_population(session: Session, audit: Audit) -> PopulationList | None:
    return session.scalar(
        select(PopulationList).where(
            PopulationList.audit_id == audit.id, PopulationList.is_current.is_(True)
        )
    )


def store_population(
    session: Session, audit: Audit, population: Population, user_id: int | None
) -> PopulationList:
    """Keep an uploaded population list; it replaces any earlier one not yet drawn from."""
    if audit.identities_purged_at is not None:
        raise DomainError("This audit's identities have been purged")
    if current_draw(session, audit) is not None and returns_ledger().started(session, audit):
        raise DomainError("Returns have started: the population list can no longer change")
    for earlier in session.scalars(
        select(PopulationList).where(
            PopulationList.audit_id == audit.id, PopulationList.is_current.is_(True)
        )
    ):
        earlier.is_current = False
    stored = PopulationList(
        audit_id=audit.id,
        filename=population.source_name,
        columns=list(population.columns),
        rows=[dict(row) for row in population.rows],
        row_numbers=list(population.row_numbers),
        mapping=None,
        uploaded_by_id=user_id,
    )
    session.add(stored)
    session.flush()
    return stored


def population_of(stored: PopulationList) -> Population:
    return Population(
        columns=tuple(stored.columns),
        rows=tuple(dict(row) for row in stored.rows),
        source_name=stored.filename,
        row_numbers=tuple(stored.row_numbers or ()),
    )


def mapping_of(stored: PopulationList) -> ColumnMapping | None:
    if not stored.mapping:
        return None
    return ColumnMapping(
        local_id=stored.mapping["local_id"],
        name=stored.mapping["name"],
        date_of_birth=stored.mapping.get("date_of_birth"),
        reference_columns=tuple(stored.mapping.get("reference_columns", ())),
    )


def save_mapping(session: Session, stored: PopulationList, mapping: ColumnMapping) -> None:
    """Check and keep which columns hold the id, name, date of birth and references."""
    problems = check_mapping(population_of(stored), mapping)
    if problems:
        raise PopulationProblems(problems)
    stored.mapping = {
        "local_id": mapping.local_id,
        "name": mapping.name,
        "date_of_birth": mapping.date_of_birth,
        "reference_columns": list(mapping.reference_columns),
    }
    session.flush()


class PopulationProblems(DomainError):
    """Problems with the population list, each naming a row and column where there is one."""

    def __init__(self, problems: list[Any]) -> None:
        super().__init__(f"The population list has {len(problems)} problem(s)")
        self.problems = problems


def current_draw(session: Session, audit: Audit) -> CohortDraw | None:
    return session.scalar(
        select(CohortDraw)
        .where(CohortDraw.audit_id == audit.id, CohortDraw.is_current.is_(True))
        .order_by(CohortDraw.id.desc())
    )


def draw_cohort(
    session: Session,
    audit: Audit,
    *,
    size: int,
    seed: str,
    filters: list[str],
    strata: str | None,
    user_id: int | None,
    reason: str = "",
) -> CohortDraw:
    """Draw the cohort at random and record how, so anyone can check it.

    A redraw replaces the drawn children; it needs a reason and is only possible before
    any return has been started.
    """
    _check_cohort_can_change(audit)
    stored = current_population(session, audit)
    if stored is None:
        raise DomainError("Upload the population list first")
    mapping = mapping_of(stored)
    if mapping is None:
        raise DomainError("Say which columns hold the id, name and date of birth first")
    private = {mapping.name, *mapping.reference_columns}
    for text in filters:
        column = parse_filter(text).column
        if column in private:
            raise DomainError(
                f"Filters cannot use the column '{column}': it identifies children",
                field="filter_1_value",
            )
    previous = current_draw(session, audit)
    if previous is not None:
        if returns_ledger().started(session, audit):
            raise DomainError("Returns have started, so the cohort cannot be redrawn")
        if not reason.strip():
            raise DomainError("Give the reason for drawing again", field="reason")
    try:
        result = draw(population_of(stored), mapping, size, seed, tuple(filters), strata)
    except SamplingError as error:
        raise PopulationProblems(error.problems) from error
    if previous is not None:
        # Nothing has been worked on yet, so the new draw replaces the cohort outright and
        # its children are Child A, B, ... exactly as the published algorithm names them.
        # The old draw's record (and the reason for drawing again) stays.
        previous.is_current = False
        _delete_cohort(session, audit)
    record = CohortDraw(
        audit_id=audit.id,
        method=result.method,
        seed=result.seed,
        sample_size=size,
        population_size=result.population_size,
        population_fingerprint=result.fingerprint,
        population_list_id=stored.id,
        filters=list(result.filters),
        strata_column=result.strata,
        allocation=dict(result.allocation),
        reason=reason.strip(),
        drawn_by_id=user_id,
    )
    session.add(record)
    session.flush()
    population = population_of(stored)
    for index in result.chosen:
        _add_member(session, audit, population.rows[index], mapping, draw_id=record.id)
    session.flush()
    return record


def _delete_cohort(session: Session, audit: Audit) -> None:
    """Delete every child of the cohort (with their identities and unstarted returns).

    Each child is deleted as it is, without first taking it out of ``audit.cohort``: taking
    it out would set its ``audit_id`` to NULL, and the next query's autoflush (loading its
    identity to delete it too) would then write that NULL and fail.
    """
    returns_ledger().discard_unstarted(session, audit)
    session.flush()
    for member in list(audit.cohort):
        session.delete(member)
    session.flush()
    session.expire(audit, ["cohort"])


def _check_cohort_can_change(audit: Audit) -> None:
    if audit.status not in (AuditStatus.DRAFT, AuditStatus.COLLECTING):
        raise DomainError(
            f"The cohort cannot change once the audit has moved on to {audit.status.label.lower()}"
        )


def _next_position(audit: Audit) -> int:
    return max((member.position for member in audit.cohort), default=-1) + 1


def _add_member(
    session: Session,
    audit: Audit,
    row: dict[str, str],
    mapping: ColumnMapping,
    *,
    draw_id: int | None = None,
    reason: str | None = None,
) -> CohortMember:
    from audit_app.cohort.population import parse_date

    position = _next_position(audit)
    member = CohortMember(
        audit=audit,
        draw_id=draw_id,
        code=pseudonym(position),
        position=position,
        added_by_hand_reason=reason,
    )
    dob_text = row.get(mapping.date_of_birth or "", "") if mapping.date_of_birth else ""
    member.identity = ChildIdentity(
        local_id=row[mapping.local_id],
        full_name=row[mapping.name],
        date_of_birth=parse_date(dob_text) if dob_text else None,
        references={column: row.get(column, "") for column in mapping.reference_columns},
    )
    session.add(member)
    session.flush()
    if audit.status is AuditStatus.COLLECTING:
        returns_ledger().open_missing(session, audit)
    return member


@dataclass(frozen=True)
class HandChange:
    """A child added to or removed from the cohort by hand after the draw."""

    code: str
    added: bool  # False: removed
    at: datetime | None
    by: str | None  # the person's name (or email) from the audit log; None if unknown
    reason: str


@dataclass(frozen=True)
class DrawCheck:
    """The recorded draw re-run (``result``), and what was changed by hand since."""

    result: VerifyResult
    changes: list[HandChange]


def local_ids_in_cohort(session: Session, audit: Audit) -> set[str]:
    """The local ids of the children in the cohort now (one query, whatever its size)."""
    return set(
        session.scalars(
            select(ChildIdentity.local_id)
            .join(CohortMember, ChildIdentity.member_id == CohortMember.id)
            .where(CohortMember.audit_id == audit.id, CohortMember.removed_at.is_(None))
        )
    )


def verify_current_draw(session: Session, audit: Audit) -> DrawCheck:
    """Re-run the recorded draw from the stored list and say whether it gives the same
    children, and which children have been added or removed by hand since."""
    record = current_draw(session, audit)
    if record is None:
        raise DomainError("No cohort has been drawn yet")
    stored = (
        session.get(PopulationList, record.population_list_id)
        if record.population_list_id
        else None
    )
    if stored is None or audit.identities_purged_at is not None:
        raise DomainError(
            "The population list has been purged, so the draw can no longer be re-run"
        )
    mapping = mapping_of(stored)
    assert mapping is not None
    # Every child the draw chose, removed by hand since or not: the draw is checked as made.
    drawn = session.scalars(
        select(ChildIdentity.local_id)
        .join(CohortMember, ChildIdentity.member_id == CohortMember.id)
        .where(CohortMember.audit_id == audit.id, CohortMember.draw_id == record.id)
        .order_by(CohortMember.position)
    ).all()
    result = verify(
        population_of(stored),
        mapping,
        size=record.sample_size,
        seed=record.seed,
        filters=tuple(record.filters),
        strata=record.strata_column,
        fingerprint=record.population_fingerprint,
        chosen_local_ids=tuple(drawn),
        method=record.method,
    )
    return DrawCheck(result, changes_by_hand(session, audit, record))


def changes_by_hand(session: Session, audit: Audit, record: CohortDraw) -> list[HandChange]:
    """The children added or removed by hand since ``record`` was drawn, oldest first, with
    when, by whom (from the audit log) and why (kept on the child). Two queries in all."""
    members = session.scalars(
        select(CohortMember).where(
            CohortMember.audit_id == audit.id,
            or_(CohortMember.draw_id.is_(None), CohortMember.removed_at.is_not(None)),
        )
    ).all()
    if not members:
        return []
    entries = session.execute(
        select(
            AuditLogEntry.record_id,
            AuditLogEntry.action,
            AuditLogEntry.at,
            AuditLogEntry.after,
            AuditLogEntry.actor_label,
            User.full_name,
        )
        .outerjoin(User, User.id == AuditLogEntry.actor_id)
        .where(
            AuditLogEntry.record_type == CohortMember.__tablename__,
            AuditLogEntry.record_id.in_([str(member.id) for member in members]),
            AuditLogEntry.action.in_(("create", "update")),
            AuditLogEntry.at >= record.drawn_at,
        )
        .order_by(AuditLogEntry.at, AuditLogEntry.id)
    ).all()
    added: dict[str, tuple[datetime, str]] = {}
    removed: dict[str, tuple[datetime, str]] = {}
    for record_id, action, at, after, actor_label, full_name in entries:
        who = full_name or actor_label
        if action == "create":
            added[record_id] = (at, who)
        elif after and "removed_at" in after:
            removed[record_id] = (at, who)
    changes: list[HandChange] = []
    for member in members:
        key = str(member.id)
        if member.draw_id is None:
            at, who = added.get(key, (None, None))
            reason = member.added_by_hand_reason or ""
            changes.append(HandChange(member.code, True, at, who, reason))
        if member.removed_at is not None:
            _, who = removed.get(key, (None, None))
            reason = member.removed_reason or ""
            changes.append(HandChange(member.code, False, member.removed_at, who, reason))
    return sorted(changes, key=lambda change: (change.at or record.drawn_at, change.code))


def recorded_draw(record: CohortDraw) -> DrawResult:
    """A stored draw record as the sampling module's result (for the reproduce command)."""
    return DrawResult(
        chosen=tuple(range(record.sample_size)),
        fingerprint=record.population_fingerprint,
        population_size=record.population_size,
        method=record.method,
        seed=record.seed,
        filters=tuple(record.filters),
        strata=record.strata_column,
        allocation=dict(record.allocation),
    )


def add_member_by_hand(session: Session, audit: Audit, row_index: int, reason: str) -> CohortMember:
    """Add a child from the population list who was not drawn, with a reason."""
    _check_cohort_can_change(audit)
    reason = required_text(reason, "reason", "Give the reason for adding this child")
    stored = current_population(session, audit)
    if stored is None or mapping_of(stored) is None:
        raise DomainError("Upload and map the population list first")
    if not 0 <= row_index < len(stored.rows):
        raise DomainError("Choose a child from the population list", field="row")
    mapping = mapping_of(stored)
    assert mapping is not None
    row = stored.rows[row_index]
    if row[mapping.local_id] in local_ids_in_cohort(session, audit):
        raise DomainError("This child is already in the cohort", field="row")
    return _add_member(session, audit, row, mapping, reason=reason)


def remove_member(session: Session, audit: Audit, member: CohortMember, reason: str) -> None:
    reason = required_text(reason, "reason", "Give the reason for removing this child")
    _check_cohort_can_change(audit)
    if member.audit_id != audit.id or member.removed_at is not None:
        raise DomainError("This child is not in the cohort")
    if returns_ledger().started(session, audit, member_id=member.id):
        raise DomainError(
            "Agencies have started returns for this child, so they stay in the cohort"
        )
    _remove_member(session, audit, member, reason)


def _remove_member(session: Session, audit: Audit, member: CohortMember, reason: str) -> None:
    member.removed_at = utcnow()
    member.removed_reason = reason
    returns_ledger().discard_unstarted(session, audit, member_id=member.id)
    session.flush()
