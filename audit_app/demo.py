"""A demo partnership: the agencies of the seed audits, one user per role, two audits.

The current audit follows the children in crisis audit (10 children discharged from a
paediatric ward after a mental health crisis) and is collecting returns, with its panel in
progress on those sent (``demo_panel``); an earlier one on the same template is being
monitored, with the recommendations the seed panel made turned into actions.
Names of children are invented. Nothing here is used unless someone runs ``audit-app demo``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from audit_app.accounts.memberships import add_membership
from audit_app.accounts.models import User
from audit_app.accounts.users import create_user
from audit_app.actions.models import (
    Action,
    ActionEvent,
    ActionState,
    ActionUpdate,
    Effectiveness,
    Priority,
    UpdateStatus,
)
from audit_app.agencies.models import Agency, AgencySector
from audit_app.agencies.register import save_agency
from audit_app.audits.lifecycle import current_members, move
from audit_app.audits.models import Audit, AuditAgency, AuditStatus
from audit_app.cohort.population import ColumnMapping, Population
from audit_app.cohort.selection import draw_cohort, save_mapping, store_population
from audit_app.core.errors import DomainError
from audit_app.core.models import utcnow
from audit_app.core.roles import Role
from audit_app.demo_panel import build_demo_panel
from audit_app.panel.models import Recommendation
from audit_app.questionnaires.library import load_shipped_templates
from audit_app.questionnaires.models import AuditTemplateVersion
from audit_app.returns.models import AgencyReturn, ReturnStatus

DEMO_PASSWORD = "demo-password-2026"  # noqa: S105 (published demo login)


@dataclass(frozen=True)
class DemoLogin:
    """A demo person: their first role (for ``agency``), and whether they also sit on the
    current demo audit's panel."""

    email: str
    role: Role
    agency: str | None
    also_panel: bool = False
    password: str = DEMO_PASSWORD

    @property
    def description(self) -> str:
        if self.role is Role.ADMIN:
            return "Administrator and audit lead (every audit)"
        if self.role is Role.PANEL:
            return "Panel member (chair) of both demo audits"
        words = self.role.label + (f", {self.agency}" if self.agency else "")
        return words + (", and panel member of the current demo audit" if self.also_panel else "")


DEMO_AGENCIES: list[tuple[str, str, AgencySector]] = [
    ("Children's Social Care (including MASH)", "CSC", AgencySector.SOCIAL_CARE),
    ("Child and Adolescent Mental Health Services", "CAMHS", AgencySector.MENTAL_HEALTH),
    ("Acute hospital paediatric ward", "Hospital", AgencySector.HEALTH),
    ("Primary care (GP practices)", "GP", AgencySector.PRIMARY_CARE),
    ("Education (schools and colleges)", "Education", AgencySector.EDUCATION),
    ("Police", "Police", AgencySector.POLICE),
    ("Early Help", "Early Help", AgencySector.EARLY_HELP),
    ("Youth Justice Service", "YJS", AgencySector.YOUTH_JUSTICE),
    ("Forensic CAMHS", "FCAMHS", AgencySector.MENTAL_HEALTH),
    ("Voluntary sector mental health charity", "Mind", AgencySector.VOLUNTARY),
]

DEMO_LOGINS = [
    DemoLogin("audit.lead@demo.example.org", Role.ADMIN, None),
    DemoLogin("camhs.reviewer@demo.example.org", Role.REVIEWER, "CAMHS", also_panel=True),
    DemoLogin("gp.reviewer@demo.example.org", Role.REVIEWER, "GP"),
    DemoLogin("panel.chair@demo.example.org", Role.PANEL, None),
    DemoLogin("subgroup.member@demo.example.org", Role.SUBGROUP, None),
]

DEMO_NAMES = {
    "audit.lead@demo.example.org": ("Alex Morgan", "Partnership business unit manager"),
    "camhs.reviewer@demo.example.org": ("Priya Shah", "CAMHS quality lead"),
    "gp.reviewer@demo.example.org": ("Dr Tom Hughes", "Named GP for safeguarding"),
    "panel.chair@demo.example.org": ("Sam Okafor", "Designated nurse, panel chair"),
    "subgroup.member@demo.example.org": ("Jo Wright", "Chair, audit and performance subgroup"),
}

# Invented children: the demo never holds a real person's details. The NHS numbers are in
# the 999 range, which the NHS keeps for testing.
_FIRST = [
    "Ava",
    "Noah",
    "Mia",
    "Leo",
    "Isla",
    "Oscar",
    "Ruby",
    "Jack",
    "Freya",
    "Ethan",
    "Amara",
    "Kai",
    "Zara",
    "Harley",
    "Maya",
    "Theo",
    "Ellie",
    "Rohan",
    "Lily",
    "Aaron",
]
_LAST = [
    "Collins",
    "Patel",
    "Evans",
    "Turner",
    "Begum",
    "Reid",
    "Nowak",
    "Ahmed",
    "Clarke",
    "Moore",
    "Okafor",
    "Hughes",
    "Khan",
    "Walsh",
    "Singh",
]
DEMO_POPULATION_SIZE = 46
DEMO_SEED = "ward14-2021"
DEMO_FILTERS = ["Discharge date>=2020-01-01", "Discharge date<=2020-12-31"]


def demo_population() -> Population:
    """A ward's discharge list of invented children: 46 rows, 6 of them outside 2020."""
    rows = []
    for n in range(DEMO_POPULATION_SIZE):
        born = date(2004 + n % 9, 1 + (n * 5) % 12, 1 + (n * 7) % 28)
        discharged = date(
            2019 + (1 if n < 40 else 2 * (n % 2)), 1 + (n * 11) % 12, 1 + (n * 3) % 28
        )
        rows.append(
            {
                "Ward number": f"W14-{193 + n * 7:04d}",
                "Name": f"{_FIRST[n % len(_FIRST)]} {_LAST[(n * 7) % len(_LAST)]}",
                "Date of birth": born.strftime("%d/%m/%Y"),
                "Discharge date": discharged.isoformat(),
                "Gender": ["Female", "Male", "Female", "Non-binary", "Male"][n % 5],
                "NHS number": f"999 {100 + n:03d} {4000 + n * 13:04d}",
            }
        )
    columns = tuple(rows[0])
    return Population(columns=columns, rows=tuple(rows), source_name="ward14-discharges-2020.csv")


DEMO_MAPPING = ColumnMapping(
    local_id="Ward number",
    name="Name",
    date_of_birth="Date of birth",
    reference_columns=("NHS number",),
)


# The recommendations the seed audit's panel made, each with one SMART action.
SEED_RECOMMENDATIONS: list[tuple[str, str, str, str, str]] = [
    (
        "Develop a coherent communication strategy promoting messages and resources about "
        "mental health and emotional wellbeing to children, young people, parents and "
        "professionals.",
        "Publish a joint communication plan with a calendar of campaigns agreed by all agencies.",
        "Plan published; survey of 100 practitioners shows 75% know where to find resources.",
        "CAMHS",
        "on_track",
    ),
    (
        "Upskill professionals in schools on emotional dysregulation, coping strategies, "
        "interventions and the importance of a trusted adult.",
        "Deliver training to the designated safeguarding lead of every secondary school.",
        "90% of secondary schools' DSLs trained; "
        "re-audit shows a trusted adult named in 8 of 10 files.",
        "Education",
        "at_risk",
    ),
    (
        "Practitioners consistently hear and record the views, thoughts and feelings of the "
        "child and use them to influence decisions.",
        "Add a 'voice of the child' prompt to assessment and review templates in every agency.",
        "Re-audit finds the child's voice recorded and used in at least 9 of 10 files.",
        "CSC",
        "awaiting_sign_off",
    ),
    (
        "Education completes a self-assessment with schools on their response to children with "
        "mental ill health and emotional distress.",
        "Send the self-assessment to all schools and report the returns to the subgroup.",
        "80% of schools return the self-assessment; good practice shared at the DSL forum.",
        "Education",
        "overdue",
    ),
    (
        "Strengthen professionals' understanding of the transforming care pathway and the "
        "support for children with a diagnosis or suspected ASD or learning disability.",
        "Run briefings on the pathway for practitioners in every agency.",
        "Briefings held in every agency; fewer referrals returned as not meeting criteria.",
        "CAMHS",
        "at_risk",
    ),
    (
        "Promote the reducing parental conflict training delivered through the early help "
        "partnership.",
        "Promote the training in every agency's bulletin each quarter.",
        "Attendance from at least five agencies each quarter.",
        "Early Help",
        "closed",
    ),
]


# How far each seed action has got: its state, its latest update's status, and its target
# date in days from today (the overdue one is red whatever its update said).
DEMO_PROGRESS: dict[str, tuple[ActionState, UpdateStatus, int]] = {
    "on_track": (ActionState.OPEN, UpdateStatus.ON_TRACK, 90),
    "at_risk": (ActionState.OPEN, UpdateStatus.AT_RISK, 30),
    "awaiting_sign_off": (ActionState.AWAITING_SIGN_OFF, UpdateStatus.ON_TRACK, 10),
    "overdue": (ActionState.OPEN, UpdateStatus.ON_TRACK, -20),
    "closed": (ActionState.CLOSED, UpdateStatus.ON_TRACK, -60),
}


@dataclass(frozen=True)
class DemoResult:
    created: bool
    logins: list[DemoLogin]


class NotADemoDatabase(DomainError):
    """The database holds real data: the demo must never be mixed into it."""


def has_non_demo_data(session: Session) -> bool:
    real_users = session.scalar(select(func.count(User.id)).where(User.is_demo.is_(False)))
    real_audits = session.scalar(select(func.count(Audit.id)).where(Audit.is_demo.is_(False)))
    real_agencies = session.scalar(select(func.count(Agency.id)).where(Agency.is_demo.is_(False)))
    return bool(real_users or real_audits or real_agencies)


def demo_loaded(session: Session) -> bool:
    return session.scalar(select(User.id).where(User.email == DEMO_LOGINS[0].email)) is not None


def load_demo(session: Session, today: date | None = None) -> DemoResult:
    """Load the demo partnership once; refuse a database that holds anything else."""
    if has_non_demo_data(session):
        raise NotADemoDatabase(
            "This database holds data that is not demo data. The demo is only loaded into "
            "an empty database, so that real records and invented ones never mix."
        )
    if demo_loaded(session):
        return DemoResult(created=False, logins=DEMO_LOGINS)
    today = today or date.today()
    templates = {
        result.version.template.key: result.version for result in load_shipped_templates(session)
    }
    crisis_template = templates["children-in-crisis"]
    agencies = {
        short: save_agency(
            session,
            None,
            name=name,
            short_name=short,
            sector=sector,
            contact_email=None,
            is_demo=True,
        )
        for name, short, sector in DEMO_AGENCIES
    }
    users: dict[Role | str, User] = {}
    # Panel memberships are for an audit: the panel chair is added once the audits exist.
    for login in DEMO_LOGINS:
        if login.role is not Role.PANEL:
            users[login.agency or login.role] = _demo_user(session, login, agencies)
    # The administrator also leads every audit, as one business unit manager does.
    add_membership(session, users[Role.ADMIN], Role.AUDIT_LEAD)
    current = _current_audit(session, today, agencies, users, crisis_template)
    earlier = _earlier_audit(session, today, agencies, users)
    earlier.template_version = crisis_template
    for login in DEMO_LOGINS:
        if login.role is Role.PANEL:
            chair = _demo_user(session, login, agencies, audit_id=current.id, is_chair=True)
            add_membership(session, chair, Role.PANEL, audit_id=earlier.id, is_chair=True)
            users[Role.PANEL] = chair
        elif login.also_panel:
            add_membership(
                session, users[login.agency or login.role], Role.PANEL, audit_id=current.id
            )
    build_demo_panel(session, current, earlier, users, agencies, today)
    session.flush()
    return DemoResult(created=True, logins=DEMO_LOGINS)


def _demo_user(
    session: Session, login: DemoLogin, agencies: dict[str, Agency], **scope: object
) -> User:
    full_name, job_title = DEMO_NAMES[login.email]
    return create_user(
        session,
        email=login.email,
        full_name=full_name,
        password=login.password,
        role=login.role,
        agency_id=agencies[login.agency].id if login.agency else None,
        job_title=job_title,
        is_demo=True,
        **scope,  # type: ignore[arg-type]
    )


def _current_audit(
    session: Session,
    today: date,
    agencies: dict[str, Agency],
    users: dict[Role | str, User],
    template_version: AuditTemplateVersion,
) -> Audit:
    audit = Audit(
        title="Children in crisis: mental health and emotional wellbeing",
        theme="Children and young people in mental health crisis",
        terms_of_reference=(
            "To explore the pathway available to children and young people experiencing "
            "mental ill health and emotional distress, and whether lower level support in the "
            "community prevents escalation into crisis and admission to the paediatric ward."
        ),
        question=(
            "How well do lower level mental health support services help children manage "
            "their mental health and prevent escalation into crisis?"
        ),
        scope_criteria=(
            "Children discharged from the paediatric ward after a mental health crisis between "
            "January and December 2020; 10 children chosen at random."
        ),
        period_start=date(2020, 1, 1),
        period_end=date(2020, 12, 31),
        status=AuditStatus.DRAFT,
        template_version=template_version,
        return_deadline=today + timedelta(days=21),
        panel_date=today + timedelta(days=42),
        lead=users[Role.ADMIN],
        is_demo=True,
    )
    session.add(audit)
    taking_part = ["CSC", "CAMHS", "Hospital", "GP", "Education", "Police"]
    for index, short in enumerate(taking_part):
        # Police were given an earlier deadline, now passed, so the overdue view has a case;
        # the others have none of their own (the audit's applies).
        deadline = today - timedelta(days=3) if short == "Police" else None
        audit.agencies.append(
            AuditAgency(
                agency=agencies[short],
                lead_contact=f"{short} safeguarding lead",
                return_deadline=deadline,
                released_reference_fields=["NHS number"] if index % 2 == 0 else ["local_id"],
            )
        )
    session.flush()
    # A real draw from the invented ward list, so the sampling record can be verified.
    stored = store_population(session, audit, demo_population(), users[Role.ADMIN].id)
    save_mapping(session, stored, DEMO_MAPPING)
    draw_cohort(
        session,
        audit,
        size=10,
        seed=DEMO_SEED,
        filters=DEMO_FILTERS,
        strata=None,
        user_id=users[Role.ADMIN].id,
    )
    members = current_members(audit)
    # A spread of statuses, so every page has something to show.
    pattern = [
        ReturnStatus.SUBMITTED,
        ReturnStatus.DRAFT,
        ReturnStatus.NOT_STARTED,
        ReturnStatus.NO_INVOLVEMENT,
        ReturnStatus.SUBMITTED,
        ReturnStatus.RETURNED,
    ]
    move(session, audit, AuditStatus.COLLECTING)  # a return per agency and child
    returns = {
        (r.agency_id, r.member_id): r
        for r in session.scalars(select(AgencyReturn).where(AgencyReturn.audit_id == audit.id))
    }
    for a_index, short in enumerate(taking_part):
        for m_index, member in enumerate(members):
            agency_return = returns[(agencies[short].id, member.id)]
            status = pattern[(a_index + m_index) % len(pattern)]
            agency_return.status = status
            if status is ReturnStatus.NO_INVOLVEMENT:
                agency_return.no_involvement_reason = (
                    "No record of contact with this child in the audit period."
                )
            if status is ReturnStatus.RETURNED:
                agency_return.amendment_comment = "Please add the dates of the two ED attendances."
            if status is ReturnStatus.SUBMITTED:
                agency_return.submitted_at = utcnow()
    session.flush()
    return audit


def _earlier_audit(
    session: Session, today: date, agencies: dict[str, Agency], users: dict[Role | str, User]
) -> Audit:
    audit = Audit(
        title="Children in crisis (first audit, 2021)",
        theme="Children and young people in mental health crisis",
        question="Are children in crisis supported early enough, and by whom?",
        scope_criteria="Children discharged from the paediatric ward, January to December 2020.",
        status=AuditStatus.MONITORING,
        return_deadline=today - timedelta(days=300),
        panel_date=today - timedelta(days=250),
        lead=users[Role.ADMIN],
        is_demo=True,
    )
    session.add(audit)
    session.flush()
    subgroup = users[Role.SUBGROUP]
    opened = utcnow() - timedelta(days=200)
    for number, (text, action_text, measure, lead, progress) in enumerate(SEED_RECOMMENDATIONS, 1):
        recommendation = Recommendation(audit_id=audit.id, number=number, text=text)
        session.add(recommendation)
        session.flush()
        state, status, due_in = DEMO_PROGRESS[progress]
        done = state.is_complete
        owner = users["CAMHS"] if lead == "CAMHS" else None  # Priya Shah owns CAMHS's
        action = Action(
            audit_id=audit.id,
            recommendation_id=recommendation.id,
            description=action_text,
            success_measure=measure,
            lead_agency_id=agencies[lead].id,
            owner_id=owner.id if owner else None,
            invitee_name="" if owner else f"{lead} safeguarding lead",
            invitee_email=""
            if owner
            else f"{lead.lower().replace(' ', '.')}.lead@demo.example.org",
            start_date=today - timedelta(days=200),
            target_date=today + timedelta(days=due_in),
            priority=Priority.HIGH if number <= 2 else Priority.MEDIUM,
            state=state,
            evidence_of_completion=DEMO_COMPLETION.get(number, "") if done else "",
        )
        if state is ActionState.CLOSED:
            action.effectiveness = Effectiveness.PARTLY_EFFECTIVE
            action.evidence_of_impact = (
                "Attendance from four agencies a quarter, not five: the re-audit will check "
                "whether parents' conflict is now recognised earlier."
            )
            action.re_audit_on = today + timedelta(days=300)
            action.signed_off_by_id = subgroup.id
        session.add(action)
        session.flush()
        path = [ActionState.DRAFT, ActionState.OPEN]
        if done:
            path.append(ActionState.AWAITING_SIGN_OFF)
        if state is ActionState.CLOSED:
            path.append(ActionState.CLOSED)
        previous = None
        for reached, days in zip(path, (-1, 0, 120, 170), strict=False):
            at = opened + timedelta(days=days)  # written, opened, completed, signed off
            session.add(
                ActionEvent(
                    action_id=action.id,
                    at=at,
                    from_state=previous,
                    to_state=reached,
                    by_id=subgroup.id,
                )
            )
            previous = reached
        if state is ActionState.CLOSED:
            action.signed_off_at = at
        # A report to most subgroup meetings: the RAG over time is drawn from these.
        history = [(150, UpdateStatus.ON_TRACK), (100, UpdateStatus.AT_RISK), (40, status)]
        if progress == "overdue":  # gone quiet: the dashboard lists it
            history = [(150, UpdateStatus.ON_TRACK), (75, status)]
        if done:  # the updates came before it was marked complete (80 days ago)
            history = [(150, UpdateStatus.ON_TRACK), (100, UpdateStatus.ON_TRACK)]
        for days_ago, said in history if progress != "on_track" else history[1:]:
            session.add(
                ActionUpdate(
                    action_id=action.id,
                    author_id=owner.id if owner else subgroup.id,
                    written_at=utcnow() - timedelta(days=days_ago),
                    status=said,
                    progress=DEMO_UPDATE_WORDS[said],
                )
            )
    _more_demo_actions(session, audit, today, agencies, users)
    return audit


DEMO_COMPLETION = {
    3: "The prompt is in the assessment and review templates of every agency; screenshots "
    "of each are on the partnership's shared drive.",
    6: "Training dates published in every agency's bulletin each quarter since March.",
}

DEMO_UPDATE_WORDS = {
    UpdateStatus.ON_TRACK: "Reported to the audit and performance subgroup: on plan.",
    UpdateStatus.AT_RISK: "Two sessions were cancelled for lack of cover; new dates are set.",
    UpdateStatus.OFF_TRACK: "No progress this quarter: the lead has changed post.",
}


def _more_demo_actions(
    session: Session,
    audit: Audit,
    today: date,
    agencies: dict[str, Agency],
    users: dict[Role | str, User],
) -> None:
    """A draft not yet opened and a cancelled action, so that the plan has every state."""
    lead = users[Role.ADMIN]
    recommendations = {
        r.number: r
        for r in session.scalars(select(Recommendation).where(Recommendation.audit_id == audit.id))
    }
    draft = Action(
        audit_id=audit.id,
        recommendation_id=recommendations[3].id,
        description="Audit 20 case records a quarter for the child's voice prompt being used",
        success_measure="9 of 10 records audited show the child's words used in the plan",
        lead_agency_id=agencies["CSC"].id,
        owner_id=users["CAMHS"].id,
        start_date=today + timedelta(days=14),
        target_date=today + timedelta(days=200),
        priority=Priority.MEDIUM,
        state=ActionState.DRAFT,
    )
    cancelled = Action(
        audit_id=audit.id,
        recommendation_id=recommendations[1].id,
        description="Circulate the communication plan to all staff",
        success_measure="Staff know about it",
        lead_agency_id=agencies["CAMHS"].id,
        invitee_name="CAMHS safeguarding lead",
        invitee_email="camhs.lead@demo.example.org",
        target_date=today + timedelta(days=30),
        priority=Priority.LOW,
        state=ActionState.CANCELLED,
        smart_override_reason="Agreed at the panel as a first step before the campaign calendar",
        smart_warnings=[
            {
                "rule": "weak_wording",
                "message": "The wording 'circulate' describes activity rather than a change "
                "for children, and the success measure has no number or comparison to show one.",
            }
        ],
    )
    session.add_all([draft, cancelled])
    session.flush()
    written = utcnow() - timedelta(days=190)
    session.add_all(
        [
            ActionEvent(action_id=draft.id, at=utcnow() - timedelta(days=5),
                        to_state=ActionState.DRAFT, by_id=lead.id),
            ActionEvent(action_id=cancelled.id, at=written, to_state=ActionState.DRAFT,
                        by_id=lead.id),
            ActionEvent(action_id=cancelled.id, at=written + timedelta(days=2),
                        from_state=ActionState.DRAFT, to_state=ActionState.OPEN, by_id=lead.id),
            ActionEvent(action_id=cancelled.id, at=written + timedelta(days=40),
                        from_state=ActionState.OPEN, to_state=ActionState.CANCELLED,
                        by_id=users[Role.SUBGROUP].id,
                        reason="Replaced by the joint communication plan (recommendation 1)."),
        ]
    )  # fmt: skip
