"""Setting up an audit and its cohort: the rules, with no Flask.

An audit moves draft -> collecting returns -> panel -> action planning -> monitoring ->
closed (and panel may reopen returns). Its cohort is drawn at random from an uploaded
population list (see ``sampling.py`` and ``docs/sampling.md``); children are known by
pseudonymous codes and their identities are held apart, visible to the audit lead only,
until an administrator purges them after the audit closes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, exists, func, or_, select
from sqlalchemy.orm import Session, selectinload

from audit_app.errors import DomainError
from audit_app.models import (
    Agency,
    AgencyReturn,
    Answer,
    Audit,
    AuditAgency,
    AuditStatus,
    AuditTemplateVersion,
    ChildIdentity,
    ChronologyEntry,
    CohortDraw,
    CohortMember,
    PanelMembership,
    PopulationList,
    Reminder,
    ReturnStatus,
    Role,
    UrgentConcern,
    User,
    utcnow,
)
from audit_app.population import ColumnMapping, Population, check_mapping
from audit_app.sampling import (
    DrawResult,
    SamplingError,
    VerifyResult,
    draw,
    parse_filter,
    pseudonym,
    verify,
)

# --- The audit's life --------------------------------------------------------------------

MOVES: dict[AuditStatus, tuple[AuditStatus, ...]] = {
    AuditStatus.DRAFT: (AuditStatus.COLLECTING,),
    AuditStatus.COLLECTING: (AuditStatus.PANEL,),
    AuditStatus.PANEL: (AuditStatus.ACTION_PLANNING, AuditStatus.COLLECTING),
    AuditStatus.ACTION_PLANNING: (AuditStatus.MONITORING,),
    AuditStatus.MONITORING: (AuditStatus.CLOSED,),
    AuditStatus.CLOSED: (),
}

MOVE_LABELS: dict[tuple[AuditStatus, AuditStatus], str] = {
    (AuditStatus.DRAFT, AuditStatus.COLLECTING): "Open returns",
    (AuditStatus.COLLECTING, AuditStatus.PANEL): "Close returns and move to the panel",
    (AuditStatus.PANEL, AuditStatus.COLLECTING): "Reopen returns",
    (AuditStatus.PANEL, AuditStatus.ACTION_PLANNING): "Move to action planning",
    (AuditStatus.ACTION_PLANNING, AuditStatus.MONITORING): "Start monitoring the action plan",
    (AuditStatus.MONITORING, AuditStatus.CLOSED): "Close the audit",
}

STARTED = (
    ReturnStatus.DRAFT,
    ReturnStatus.SUBMITTED,
    ReturnStatus.RETURNED,
    ReturnStatus.NO_INVOLVEMENT,
)
DONE = (ReturnStatus.SUBMITTED, ReturnStatus.NO_INVOLVEMENT)


def _required(value: str | None, field_name: str, message: str) -> str:
    text = (value or "").strip()
    if not text:
        raise DomainError(message, field=field_name)
    return text


@dataclass
class AuditDetails:
    title: str
    theme: str = ""
    terms_of_reference: str = ""
    question: str = ""
    scope_criteria: str = ""
    period_start: date | None = None
    period_end: date | None = None
    template_version_id: int | None = None
    return_deadline: date | None = None
    panel_date: date | None = None


def save_details(
    session: Session, audit: Audit | None, details: AuditDetails, lead: User | None = None
) -> Audit:
    """Create an audit (in draft) or change its details."""
    title = _required(details.title, "title", "Enter the audit's title")
    if details.period_start and details.period_end and details.period_start > details.period_end:
        raise DomainError("The end of the period must be after its start", field="period_end")
    if (
        details.template_version_id is not None
        and session.get(AuditTemplateVersion, details.template_version_id) is None
    ):
        raise DomainError("Choose a template", field="template_version_id")
    changing_template = (
        audit is not None and details.template_version_id != audit.template_version_id
    )
    if changing_template and audit.status is not AuditStatus.DRAFT:  # type: ignore[union-attr]
        raise DomainError(
            "The template cannot change once returns have opened", field="template_version_id"
        )
    if audit is None:
        audit = Audit(status=AuditStatus.DRAFT, lead=lead)
        session.add(audit)
    audit.title = title
    audit.theme = details.theme.strip()
    audit.terms_of_reference = details.terms_of_reference.strip()
    audit.question = details.question.strip()
    audit.scope_criteria = details.scope_criteria.strip()
    audit.period_start = details.period_start
    audit.period_end = details.period_end
    audit.template_version_id = details.template_version_id
    audit.return_deadline = details.return_deadline
    audit.panel_date = details.panel_date
    session.flush()
    return audit


def touched() -> ColumnElement[bool]:
    """A return someone has worked on: started, or with any answer, chronology entry or
    urgent concern hanging off it. Such a return is never deleted."""
    return or_(
        AgencyReturn.status.in_(STARTED),
        exists().where(Answer.return_id == AgencyReturn.id),
        exists().where(ChronologyEntry.return_id == AgencyReturn.id),
        exists().where(UrgentConcern.return_id == AgencyReturn.id),
    )


def returns_started(session: Session, audit: Audit) -> bool:
    return bool(
        session.scalar(
            select(func.count(AgencyReturn.id)).where(AgencyReturn.audit_id == audit.id, touched())
        )
    )


def current_members(audit: Audit) -> list[CohortMember]:
    return [member for member in audit.cohort if member.removed_at is None]


@dataclass
class Readiness:
    """What must be done before returns can open."""

    problems: list[str] = field(default_factory=list)

    @property
    def ready(self) -> bool:
        return not self.problems


def readiness(audit: Audit) -> Readiness:
    result = Readiness()
    if audit.template_version_id is None:
        result.problems.append("Choose the audit template")
    if not audit.agencies:
        result.problems.append("Choose the agencies taking part")
    if not current_members(audit):
        result.problems.append("Draw the cohort of children")
    return result


def move(session: Session, audit: Audit, to: AuditStatus) -> None:
    """Move the audit on (or back) when that is a sensible move from where it is."""
    if to not in MOVES[audit.status]:
        raise DomainError(
            f"An audit that is {audit.status.label.lower()} cannot move to {to.label.lower()}"
        )
    if to is AuditStatus.COLLECTING:
        check = readiness(audit)
        if not check.ready:
            raise DomainError("Before returns can open: " + "; ".join(check.problems).lower())
        create_missing_returns(session, audit)
    audit.status = to
    session.flush()


def create_missing_returns(session: Session, audit: Audit) -> int:
    """One return for every participating agency and every child in the cohort."""
    existing = {
        (agency_id, member_id)
        for agency_id, member_id in session.execute(
            select(AgencyReturn.agency_id, AgencyReturn.member_id).where(
                AgencyReturn.audit_id == audit.id
            )
        )
    }
    created = 0
    for link in audit.agencies:
        for member in current_members(audit):
            if (link.agency_id, member.id) not in existing:
                session.add(
                    AgencyReturn(audit_id=audit.id, agency_id=link.agency_id, member_id=member.id)
                )
                created += 1
    session.flush()
    return created


# --- Agencies and the panel --------------------------------------------------------------


def set_agencies(session: Session, audit: Audit, agency_ids: list[int]) -> None:
    """Choose the participating agencies. One with returns started cannot be taken off."""
    wanted = set(agency_ids)
    known = set(session.scalars(select(Agency.id).where(Agency.id.in_(wanted))))
    if wanted - known:
        raise DomainError("Choose agencies from the list", field="agency_ids")
    for link in list(audit.agencies):
        if link.agency_id not in wanted:
            started = session.scalar(
                select(func.count(AgencyReturn.id)).where(
                    AgencyReturn.audit_id == audit.id,
                    AgencyReturn.agency_id == link.agency_id,
                    touched(),
                )
            )
            if started:
                raise DomainError(
                    f"{link.agency.name} has started its returns, so it stays in the audit",
                    field="agency_ids",
                )
            _delete_unstarted_returns(session, audit, agency_id=link.agency_id)
            audit.agencies.remove(link)
    present = {link.agency_id for link in audit.agencies}
    for agency_id in sorted(wanted - present):
        audit.agencies.append(
            AuditAgency(agency_id=agency_id, return_deadline=audit.return_deadline)
        )
    session.flush()
    if audit.status is AuditStatus.COLLECTING:
        create_missing_returns(session, audit)


def _delete_unstarted_returns(
    session: Session, audit: Audit, *, agency_id: int | None = None, member_id: int | None = None
) -> None:
    query = select(AgencyReturn).where(AgencyReturn.audit_id == audit.id, ~touched())
    if agency_id is not None:
        query = query.where(AgencyReturn.agency_id == agency_id)
    if member_id is not None:
        query = query.where(AgencyReturn.member_id == member_id)
    for agency_return in session.scalars(query):
        session.delete(agency_return)


def save_agency_link(
    session: Session,
    link: AuditAgency,
    *,
    lead_contact: str,
    lead_contact_email: str | None,
    return_deadline: date | None,
    released_reference_fields: list[str],
    reference_columns: list[str],
) -> None:
    unknown = set(released_reference_fields) - set(reference_columns)
    if unknown:
        raise DomainError(
            "Choose reference fields from the list", field="released_reference_fields"
        )
    link.lead_contact = lead_contact.strip()
    link.lead_contact_email = (lead_contact_email or "").strip().lower() or None
    link.return_deadline = return_deadline
    link.released_reference_fields = list(released_reference_fields)
    session.flush()


def set_panel(session: Session, audit: Audit, user_ids: list[int], chair_id: int | None) -> None:
    panel_users = set(
        session.scalars(select(User.id).where(User.id.in_(user_ids), User.role == Role.PANEL))
    )
    if set(user_ids) - panel_users:
        raise DomainError("Choose panel members from the list", field="user_ids")
    if chair_id is not None and chair_id not in panel_users:
        raise DomainError("The chair must be one of the panel members", field="chair_id")
    for membership in list(audit.panel_members):
        if membership.user_id not in panel_users:
            audit.panel_members.remove(membership)
    present = {m.user_id for m in audit.panel_members}
    for user_id in sorted(panel_users - present):
        audit.panel_members.append(PanelMembership(user_id=user_id))
    for membership in audit.panel_members:
        membership.is_chair = membership.user_id == chair_id
    session.flush()


# --- The population list and the draw ----------------------------------------------------


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
    if current_draw(session, audit) is not None and returns_started(session, audit):
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
        if returns_started(session, audit):
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
    _delete_unstarted_returns(session, audit)
    session.flush()
    for member in list(audit.cohort):
        audit.cohort.remove(member)
        session.delete(member)
    session.flush()


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
    from audit_app.population import parse_date

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
        create_missing_returns(session, audit)
    return member


def verify_current_draw(session: Session, audit: Audit) -> VerifyResult:
    """Re-run the recorded draw from the stored list and say whether it gives the same."""
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
    drawn = [
        member.identity.local_id
        for member in sorted(audit.cohort, key=lambda m: m.position)
        if member.draw_id == record.id and member.identity is not None
    ]
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
    return result


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
    reason = _required(reason, "reason", "Give the reason for adding this child")
    stored = current_population(session, audit)
    if stored is None or mapping_of(stored) is None:
        raise DomainError("Upload and map the population list first")
    if not 0 <= row_index < len(stored.rows):
        raise DomainError("Choose a child from the population list", field="row")
    mapping = mapping_of(stored)
    assert mapping is not None
    row = stored.rows[row_index]
    in_cohort = {
        member.identity.local_id for member in current_members(audit) if member.identity is not None
    }
    if row[mapping.local_id] in in_cohort:
        raise DomainError("This child is already in the cohort", field="row")
    return _add_member(session, audit, row, mapping, reason=reason)


def remove_member(session: Session, audit: Audit, member: CohortMember, reason: str) -> None:
    reason = _required(reason, "reason", "Give the reason for removing this child")
    _check_cohort_can_change(audit)
    if member.audit_id != audit.id or member.removed_at is not None:
        raise DomainError("This child is not in the cohort")
    started = session.scalar(
        select(func.count(AgencyReturn.id)).where(AgencyReturn.member_id == member.id, touched())
    )
    if started:
        raise DomainError(
            "Agencies have started returns for this child, so they stay in the cohort"
        )
    _remove_member(session, audit, member, reason)


def _remove_member(session: Session, audit: Audit, member: CohortMember, reason: str) -> None:
    member.removed_at = utcnow()
    member.removed_reason = reason
    _delete_unstarted_returns(session, audit, member_id=member.id)
    session.flush()


# --- Identities and their purge ----------------------------------------------------------


LOCAL_ID_LABEL = "Local id"


def released_references(
    session: Session, agency_id: int, return_ids: list[int]
) -> dict[int, dict[str, str]]:
    """For a reviewer: the reference fields released to their agency, by return id, as
    {label: value} (the local id is labelled "Local id")."""
    if not return_ids:
        return {}
    rows = session.execute(
        select(AgencyReturn.id, AuditAgency.released_reference_fields, ChildIdentity)
        .join(
            AuditAgency,
            (AuditAgency.audit_id == AgencyReturn.audit_id)
            & (AuditAgency.agency_id == AgencyReturn.agency_id),
        )
        .join(ChildIdentity, ChildIdentity.member_id == AgencyReturn.member_id)
        .where(AgencyReturn.id.in_(return_ids), AgencyReturn.agency_id == agency_id)
    )
    found: dict[int, dict[str, str]] = {}
    for return_id, released, identity in rows:
        values = {"local_id": identity.local_id, **identity.references}
        found[return_id] = {
            LOCAL_ID_LABEL if name == "local_id" else name: values[name]
            for name in released or []
            if values.get(name)
        }
    return found


PURGED = "[purged]"


def purge_identities(session: Session, audit: Audit) -> int:
    """After an audit closes, delete who the children are; the pseudonymised findings stay."""
    if audit.status is not AuditStatus.CLOSED:
        raise DomainError("Identities can only be purged once the audit is closed")
    if audit.identities_purged_at is not None:
        raise DomainError("This audit's identities have already been purged")
    members = session.scalars(
        select(CohortMember)
        .where(CohortMember.audit_id == audit.id)
        .options(selectinload(CohortMember.identity))
    ).all()
    purged = 0
    for member in members:
        if member.identity is not None:
            session.delete(member.identity)
            purged += 1
        # Reasons are free text that may name the child.
        if member.added_by_hand_reason:
            member.added_by_hand_reason = PURGED
        if member.removed_reason:
            member.removed_reason = PURGED
    for stored in session.scalars(
        select(PopulationList).where(PopulationList.audit_id == audit.id)
    ):
        stored.rows = []
        stored.row_numbers = []
        stored.filename = PURGED
        stored.is_current = False
    audit.identities_purged_at = utcnow()
    session.flush()
    return purged


# --- Reminders ---------------------------------------------------------------------------

Send = Callable[[str, str, str], None]  # (to, subject, body)


def send_reminders(
    session: Session, audit: Audit, sender: User | None, send: Send | None, service_name: str
) -> RemindersSent:
    """Remind each agency with outstanding returns: by email when it can be sent, and always
    recorded (so the reminder is in the audit log either way). No child is named."""
    if audit.status is not AuditStatus.COLLECTING:
        raise DomainError("Reminders can only be sent while returns are being collected")
    sent: list[Reminder] = []
    failed: list[str] = []
    for progress in returns_matrix(session, audit).agencies:
        outstanding = progress.total - progress.done
        if outstanding <= 0:
            continue
        link = progress.link
        recipient = link.lead_contact_email or link.agency.contact_email
        deadline = link.return_deadline or audit.return_deadline
        due = f" by {deadline.strftime('%-d %B %Y')}" if deadline else ""
        body = (
            f"{link.agency.name} has {outstanding} of {progress.total} returns still to "
            f"complete for the audit '{audit.title}'{due}.\n\n"
            f"Sign in to {service_name} to complete them. Please do not reply with details "
            "of any child."
        )
        emailed = False
        if send is not None and recipient:
            try:
                send(recipient, f"Reminder: {outstanding} audit returns outstanding", body)
            except OSError:
                failed.append(link.agency.name)  # recorded as not emailed; the rest go on
            else:
                emailed = True
        reminder = Reminder(
            audit_id=audit.id,
            agency_id=link.agency_id,
            sent_by_id=sender.id if sender else None,
            recipient=recipient,
            emailed=emailed,
            outstanding=outstanding,
        )
        session.add(reminder)
        sent.append(reminder)
    session.flush()
    return RemindersSent(sent, failed)


@dataclass
class RemindersSent:
    reminders: list[Reminder]
    failed: list[str]  # agencies whose email could not be sent


# --- The returns matrix ------------------------------------------------------------------


@dataclass
class AgencyProgress:
    link: AuditAgency
    total: int = 0
    done: int = 0
    started: int = 0

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0

    def is_overdue(self, today: date) -> bool:
        deadline = self.link.return_deadline or self.link.audit.return_deadline
        return deadline is not None and deadline < today and self.done < self.total


@dataclass
class ReturnsMatrix:
    members: list[CohortMember]
    agencies: list[AgencyProgress]
    cells: dict[tuple[int, int], AgencyReturn]  # (member id, agency id) -> return

    @property
    def total(self) -> int:
        return sum(progress.total for progress in self.agencies)

    @property
    def done(self) -> int:
        return sum(progress.done for progress in self.agencies)

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


def returns_matrix(session: Session, audit: Audit) -> ReturnsMatrix:
    """Every child x agency with the return's status, in two queries whatever the size."""
    links = sorted(audit.agencies, key=lambda link: link.agency.name)
    progress = {link.agency_id: AgencyProgress(link) for link in links}
    cells: dict[tuple[int, int], AgencyReturn] = {}
    for agency_return in session.scalars(
        select(AgencyReturn).where(AgencyReturn.audit_id == audit.id)
    ):
        cells[(agency_return.member_id, agency_return.agency_id)] = agency_return
    members = current_members(audit)
    member_ids = {member.id for member in members}
    for (member_id, agency_id), agency_return in cells.items():
        if member_id not in member_ids or agency_id not in progress:
            continue
        item = progress[agency_id]
        item.total += 1
        if agency_return.status in DONE:
            item.done += 1
        if agency_return.status in STARTED:
            item.started += 1
    return ReturnsMatrix(members=members, agencies=list(progress.values()), cells=cells)
