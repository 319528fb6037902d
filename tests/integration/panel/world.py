"""A panel-ready audit for the panel's tests: the shipped children-in-crisis template, three
agencies of different sectors, children whose returns are answered (every question each
agency is asked, varied by child and agency) and sent, chronologies with a missed chance,
agency summaries sent, an urgent concern dealt with, and the returns shared with the panel.

``build_panel_world(session, children=3)`` makes it; the ``panel_world`` fixture in this
folder's conftest gives one with clients signed in as the lead, a panel member (the chair),
a reviewer (CAMHS) and a panel member of another audit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from audit_app.agencies.register import save_agency
from audit_app.audits.lifecycle import move, set_agencies, set_panel
from audit_app.models import (
    Agency,
    AgencyReturn,
    AgencySector,
    Audit,
    AuditStatus,
    AuditTemplateVersion,
    ChildIdentity,
    CohortMember,
    Role,
    User,
)
from audit_app.questionnaires.answer_types import answer_type
from audit_app.questionnaires.definitions import AuditTemplateDefinition, Question
from audit_app.questionnaires.library import SHIPPED_TEMPLATES, definition_of, load_template
from audit_app.returns import answering, summaries
from tests.conftest import make_user

TEMPLATE_ID = "children-in-crisis"
SECRET_NAMES = ("Amelia Secretname", "Brodie Hiddenname", "Cara Privatename", "Dev Unseen")


@dataclass
class PanelWorld:
    audit: Audit
    version: AuditTemplateVersion
    definition: AuditTemplateDefinition
    agencies: list[Agency]  # social care, CAMHS, police (in that order)
    members: list[CohortMember]
    returns: dict[tuple[int, int], AgencyReturn]  # (member id, agency id) -> return
    lead: User
    chair: User
    reviewer: User  # CAMHS, also on this audit's panel
    other_panel: User  # sits on the panel of another audit only
    other_audit: Audit
    extra: dict[str, Any] = field(default_factory=dict)


def shipped_version(session: Session, template_id: str = TEMPLATE_ID) -> AuditTemplateVersion:
    """The shipped template ``template_id`` loaded as a version (its file alone: reading
    every shipped template's YAML would triple the cost of each world)."""
    path = SHIPPED_TEMPLATES / f"{template_id}.yaml"
    return load_template(session, path.read_bytes(), path.name).version


def value_for(question: Question, definition: AuditTemplateDefinition, n: int) -> Any:
    """A valid stored answer to ``question``, varied by ``n`` (gaps and urgent answers are
    skipped, so every return can be sent; n % 7 == 0 answers "not known" where offered)."""
    kind = answer_type(question)
    choices = kind.choices(question, definition.scales)
    if choices is not None:
        values = [c.value for c in choices if c.value not in question.urgent_if]
        gaps = {"not_known", "does_not_apply"}
        if question.not_known and n % 7 == 0:
            return "not_known"
        plain = [v for v in values if v not in gaps] or values
        if question.type == "multiple_choice":
            return [plain[n % len(plain)]]
        return kind.to_stored(plain[n % len(plain)])  # a scaling's number, as it is kept
    if question.type == "date":
        return (date(2024, 1, 1) + timedelta(days=n % 300)).isoformat()
    if question.type == "number":
        low = question.min if question.min is not None else 0
        high = question.max if question.max is not None else low + 20
        return low + n % (high - low + 1)
    if question.type == "dated_list":
        return [
            {"date": (date(2024, 2, 1) + timedelta(days=n % 90)).isoformat(), "text": f"Seen ({n})"}
        ]
    return f"Answer {n} to {question.id}: the worker saw the child at home."


def answer_return(
    session: Session, agency_return: AgencyReturn, sector: str, n: int, user: User
) -> None:
    """Answer every question the agency is asked (as shown), then send the return."""
    definition = answering.definition_for(agency_return).for_sector(sector)
    values: dict[str, Any] = {}
    rationales: dict[str, str] = {}
    for number, question in enumerate(definition.questions):
        if not answering.is_shown(question, values, definition):
            continue
        values[question.id] = value_for(question, definition, n + number)
        if answer_type(question).takes_reason(question):
            rationales[question.id] = f"Reason {n} for {question.id}"
    answering.save_section(session, agency_return, agency_return.version, values, rationales, user)
    answering.submit(session, agency_return, agency_return.version, user)


def build_panel_world(session: Session, children: int = 3) -> PanelWorld:
    version = shipped_version(session)
    definition = definition_of(version)
    agencies = [
        save_agency(
            session,
            None,
            name="Children's Social Care",
            short_name="CSC",
            sector=AgencySector.SOCIAL_CARE,
            contact_email=None,
        ),
        save_agency(
            session,
            None,
            name="Child and Adolescent Mental Health Services",
            short_name="CAMHS",
            sector=AgencySector.MENTAL_HEALTH,
            contact_email=None,
        ),
        save_agency(
            session,
            None,
            name="Police",
            short_name="Police",
            sector=AgencySector.POLICE,
            contact_email=None,
        ),
    ]
    lead = make_user(session, Role.ADMIN, email="lead@example.org")
    reviewer = make_user(session, Role.REVIEWER, agencies[1], email="camhs@example.org")
    chair = make_user(session, Role.PANEL, email="chair@example.org", full_name="Sam Chair")
    other_panel = make_user(session, Role.PANEL, email="other.panel@example.org")
    audit = Audit(title="Children in crisis", template_version_id=version.id, lead=lead)
    other_audit = Audit(title="Another audit", template_version_id=version.id, lead=lead)
    session.add_all([audit, other_audit])
    session.flush()
    members = []
    for position in range(children):
        member = CohortMember(
            audit_id=audit.id, code=f"Child {chr(65 + position)}", position=position
        )
        member.identity = ChildIdentity(
            local_id=f"LOCAL{position}", full_name=SECRET_NAMES[position % len(SECRET_NAMES)]
        )
        session.add(member)
        members.append(member)
    session.flush()
    set_agencies(session, audit, [agency.id for agency in agencies])
    set_agencies(session, other_audit, [agencies[2].id])
    set_panel(session, audit, [chair.id, reviewer.id], chair.id)
    set_panel(session, other_audit, [other_panel.id], other_panel.id)
    session.refresh(audit)
    move(session, audit, AuditStatus.COLLECTING)
    session.flush()
    returns = {
        (r.member_id, r.agency_id): r
        for r in session.scalars(select(AgencyReturn).where(AgencyReturn.audit_id == audit.id))
    }
    for m_index, member in enumerate(members):
        for a_index, agency in enumerate(agencies):
            agency_return = returns[(member.id, agency.id)]
            if agency.short_name == "Police" and m_index == children - 1 and children > 1:
                answering.record_no_involvement(
                    session, agency_return, agency_return.version, "Not known to us", reviewer
                )
                continue
            answering.add_chronology_entry(
                session,
                agency_return,
                happened_on=date(2024, 3, 1) + timedelta(days=10 * a_index + m_index),
                what_happened=f"{agency.short_name} saw {member.code}",
                agency_response="Referred on",
                missed_opportunity=a_index == 1,
            )
            answer_return(
                session, agency_return, agency.sector.value, m_index * 5 + a_index * 3, reviewer
            )
    for agency in agencies:
        summaries.write_draft(session, audit, agency.id, None)
        summary = summaries.summary_of(session, audit, agency.id)
        assert summary is not None
        summaries.save_summary(
            session,
            audit,
            agency.id,
            summary.version,
            [summaries.ItemEdit(item.id, item.column.value, item.text) for item in summary.items],
            reviewer,
            send=True,
        )
    first = returns[(members[0].id, agencies[1].id)]
    concern = answering.raise_concern(session, first, "Secret worry about Amelia", reviewer)
    answering.deal_with_concern(
        session,
        concern,
        lead,
        action_taken="Referred to the MASH the same day",
        dealt_with_by="MASH team",
    )
    move(session, audit, AuditStatus.PANEL)
    session.commit()
    return PanelWorld(
        audit,
        version,
        definition,
        agencies,
        members,
        returns,
        lead,
        chair,
        reviewer,
        other_panel,
        other_audit,
    )
