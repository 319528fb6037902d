"""Every route x every kind of membership (and an anonymous visitor), with object scope.

The expectations are written out by hand, not read from the decorators, so that a change
in who may use a page has to be made twice: in the view and here. A route missing from
EXPECTED fails the test; so does a view with no access declaration.

The walk runs on real data in the state the pages need (a population list, a draw, returns
being collected, a chronology entry, an urgent concern): an allowed GET must answer 2xx or
3xx, and every POST route is sent a valid body (read from the page's own form) and must
answer 2xx or 3xx too. Each POST runs in a savepoint that is rolled back, so one probe does
not change what the next one sees.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup
from flask import Flask, url_for
from flask.testing import FlaskClient
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict

from audit_app import create_app
from audit_app.accounts.memberships import add_membership
from audit_app.actions import evidence_files, plan, smart
from audit_app.actions.models import ActionState
from audit_app.actions.smart import ActionDraft
from audit_app.agencies.register import save_agency
from audit_app.audits.lifecycle import AuditDetails, move, save_details, set_agencies
from audit_app.cohort.population import ColumnMapping, read_population
from audit_app.cohort.selection import draw_cohort, save_mapping, store_population
from audit_app.core.access import access_rule_for, allow
from audit_app.core.db import Database
from audit_app.core.migrate import upgrade
from audit_app.core.models import utcnow
from audit_app.exports.word import shipped_template
from audit_app.models import (
    Agency,
    AgencyReturn,
    AgencySector,
    Audit,
    AuditStatus,
    AuditTemplateVersion,
    ChronologyEntry,
    EvidenceItem,
    EvidenceKind,
    EvidenceSource,
    Role,
    SignsOfSafetyColumn,
    Theme,
    UrgentConcern,
    User,
)
from audit_app.panel import findings, meetings
from audit_app.returns import answering
from tests.conftest import EXAMPLE_TEMPLATE, PASSWORD, make_user, page, sign_in, text_of
from tests.databases import fresh_database
from tests.integration.audits.test_audits import MAPPING, ward_list
from tests.integration.panel.world import answer_return
from tests.integration.workbooks.test_workbook import fill

ANYONE = "anyone"
SIGNED_IN = frozenset(Role)
ADMIN = frozenset({Role.ADMIN})
LEAD = frozenset({Role.AUDIT_LEAD})
REVIEWER = frozenset({Role.REVIEWER})
PANEL = frozenset({Role.AUDIT_LEAD, Role.PANEL})  # the panel's pages: its members and the lead

# endpoint -> who may use it
EXPECTED: dict[str, object] = {
    "static": ANYONE,
    "home.index": ANYONE,  # sends anonymous visitors to sign in
    "home.health": ANYONE,
    "auth.sign_in": ANYONE,
    "auth.sign_out": ANYONE,
    "auth.change_password": SIGNED_IN,
    "agencies.index": ADMIN,
    "agencies.agency_new": ADMIN,
    "agencies.agency_edit": ADMIN,
    "accounts.users": ADMIN,
    "accounts.user_new": ADMIN,
    "accounts.user_edit": ADMIN,
    "accounts.user_status": ADMIN,
    "accounts.membership_add": ADMIN,
    "accounts.membership_remove": ADMIN,
    "log.audit_log": ADMIN,
    "audit_templates.index": ADMIN,
    "audit_templates.upload": ADMIN,
    "audit_templates.history": ADMIN,
    "audit_templates.preview": ADMIN,
    "audits.index": LEAD,
    "audits.new": LEAD,  # a partnership-wide audit lead only: see PARTNERSHIP_ONLY
    "audits.show": LEAD,
    "audits.details": LEAD,
    "audits.agencies": LEAD,
    "audits.agency_link": LEAD,
    "audits.panel": LEAD,
    "cohort.population": LEAD,
    "cohort.columns": LEAD,
    "cohort.draw": LEAD,
    "cohort.verify": LEAD,
    "cohort.add_child": LEAD,
    "cohort.remove_child": LEAD,
    "audits.status": LEAD,
    "returns.reminders": LEAD,
    "cohort.identities": LEAD,
    "cohort.purge": LEAD,
    "returns.overview": REVIEWER,
    "returns.section": REVIEWER,
    "returns.autosave": REVIEWER,
    "returns.no_involvement": REVIEWER,
    "returns.chronology": REVIEWER,
    "returns.delete_chronology": REVIEWER,
    "returns.check": REVIEWER,
    "returns.submit": REVIEWER,
    "returns.concern": REVIEWER,
    "returns.acknowledge": LEAD,
    "returns.concerns": LEAD,
    "returns.lead_view": LEAD,
    "summaries.summary": REVIEWER,
    "summaries.audit_summaries": LEAD | {Role.PANEL},
    "audits.share": LEAD,
    "panel.home": PANEL,
    "panel.children": PANEL,
    "panel.questions": PANEL,
    "panel.board": PANEL,
    "panel.evidence": PANEL,
    "panel.themes": PANEL,
    "panel.findings": PANEL,
    "panel.meetings": PANEL,
    "panel.child": PANEL,
    "panel.child_timeline": PANEL,
    "panel.agree_grade": PANEL,
    "panel.question": PANEL,
    "panel.question_chart": PANEL,
    "panel.tag": PANEL,
    "panel.untag": PANEL,
    "panel.interview_new": PANEL,
    "panel.event_new": PANEL,
    "panel.survey_new": PANEL,
    "panel.other_evidence_new": PANEL,
    "panel.evidence_source": PANEL,
    "panel.evidence_source_edit": PANEL,
    "panel.evidence_delete": PANEL,
    "panel.survey_question_chart": PANEL,
    "panel.theme_new": PANEL,
    "panel.theme_suggested": PANEL,
    "panel.theme": PANEL,
    "panel.theme_untag": PANEL,
    "panel.theme_merge": PANEL,
    "panel.theme_delete": PANEL,
    "panel.finding": PANEL,
    "panel.finding_move": PANEL,
    "panel.finding_delete": PANEL,
    "panel.recommendation": PANEL,
    "panel.recommendation_move": PANEL,
    "panel.recommendation_delete": PANEL,
    "panel.meeting": PANEL,
    "actions.plan": PANEL | {Role.SUBGROUP},
    "actions.new": PANEL,
    "actions.check": PANEL,
    "actions.edit": PANEL,
    # An action's own pages: the plan's writers, the subgroup and the action's owner (here the
    # reviewer); the view tells anyone else it is not found (NARROWED).
    "actions.action": SIGNED_IN,
    "actions.move": SIGNED_IN,
    "actions.update": SIGNED_IN,
    "actions.mine": SIGNED_IN,
    "actions.evidence_file": SIGNED_IN,
    "actions.reaudit_page": PANEL | {Role.SUBGROUP},
    "actions.dashboard": LEAD | {Role.SUBGROUP},  # a partnership-wide lead: PARTNERSHIP_ONLY
    "actions.rag_chart": LEAD | {Role.SUBGROUP},
    "workbooks.download": REVIEWER,
    "workbooks.upload": REVIEWER,
    "workbooks.confirm": REVIEWER,
    "exports.audit_downloads": PANEL,
    "exports.audit_workbook": PANEL,
    "exports.findings_report": PANEL,
    "exports.action_tracker": LEAD | {Role.SUBGROUP},  # a partnership-wide lead only
    "exports.meeting_pack": LEAD | {Role.SUBGROUP},
    "exports.report_templates": ADMIN,
    "exports.report_template_file": ADMIN,
    "exports.upload_report_template": ADMIN,
    "exports.remove_report_template": ADMIN,
}
PARTNERSHIP_ONLY = {
    "audits.new",
    "actions.dashboard",
    "actions.rag_chart",
    "exports.action_tracker",
    "exports.meeting_pack",
}
# Routes open to every signed-in person whose view then admits only some (the others get
# 404, as for a thing that is not theirs): endpoint -> the kinds it refuses.
NARROWED: dict[str, set[str]] = {
    endpoint: {"administrator"}
    for endpoint in ("actions.action", "actions.move", "actions.update", "actions.evidence_file")
}
WALK_FILE = evidence_files.check_file("minutes.pdf", b"%PDF-1.4 the minutes")

# One person per kind of membership: (role, scope) where the scope is audit 1 or nothing.
KINDS: dict[str, tuple[Role, str | None]] = {
    "administrator": (Role.ADMIN, None),
    "audit lead": (Role.AUDIT_LEAD, None),
    "audit lead of audit 1": (Role.AUDIT_LEAD, "audit 1"),
    "reviewer": (Role.REVIEWER, "agency A"),
    "panel member": (Role.PANEL, "audit 1"),
    "panel chair": (Role.PANEL, "audit 1 chair"),
    "subgroup member": (Role.SUBGROUP, None),
}


def test_every_registered_route_is_expected(app: Flask) -> None:
    registered = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert registered - set(EXPECTED) == set(), "add new routes to EXPECTED"
    assert set(EXPECTED) - registered == set(), "EXPECTED names a route that is gone"


def test_every_view_declares_who_may_use_it(app: Flask) -> None:
    undeclared = [
        endpoint for endpoint in app.view_functions if access_rule_for(app, endpoint) is None
    ]
    assert undeclared == []


def test_declarations_match_expectations(app: Flask) -> None:
    for endpoint, expected in EXPECTED.items():
        rule = access_rule_for(app, endpoint)
        assert rule is not None
        if expected == ANYONE:
            assert rule.public, endpoint
        else:
            assert not rule.public, endpoint
            assert rule.roles == expected, endpoint
            assert rule.partnership == (endpoint in PARTNERSHIP_ONLY), endpoint


# --- The data the walk runs on ---------------------------------------------------------------


@dataclass
class World:
    agency_a: Agency
    agency_b: Agency
    audit1: Audit
    audit2: Audit
    return_a: AgencyReturn  # agency A's return for audit 1's first child
    return_b: AgencyReturn  # agency B's return for the same child
    entry: ChronologyEntry
    concern: UrgentConcern
    version: AuditTemplateVersion
    people: dict[str, User]
    target: User  # the person the administrator's pages are about
    panel_work: dict[str, int]  # audit 1's theme, survey, finding, recommendation, meeting


def _collecting_audit(
    session: Session, title: str, version: AuditTemplateVersion, agencies: list[Agency]
) -> Audit:
    """An audit with a population list, its columns, a draw of three, collecting returns."""
    audit = save_details(
        session,
        None,
        AuditDetails(
            title=title,
            template_version_id=version.id,
            return_deadline=date.today() + timedelta(days=14),
        ),
    )
    set_agencies(session, audit, [a.id for a in agencies])
    stored = store_population(session, audit, read_population(ward_list(), "ward.csv"), None)
    save_mapping(
        session, stored, ColumnMapping(**{**MAPPING, "reference_columns": ("NHS number",)})
    )
    draw_cohort(session, audit, size=3, seed="walk", filters=[], strata=None, user_id=None)
    move(session, audit, AuditStatus.COLLECTING)
    session.flush()
    return audit


def _return(session: Session, audit: Audit, agency: Agency) -> AgencyReturn:
    member = audit.cohort[0]
    found = (
        session.query(AgencyReturn)
        .filter_by(audit_id=audit.id, agency_id=agency.id, member_id=member.id)
        .one()
    )
    return found


def make_person(session: Session, world_agency: Agency, audit: Audit, kind: str) -> User:
    role, scope = KINDS[kind]
    email = kind.replace(" ", ".") + "@example.org"
    if role is Role.ADMIN:
        return make_user(session, role, email=email, also_lead=False)
    if role is Role.REVIEWER:
        return make_user(session, role, world_agency, email=email)
    if role is Role.PANEL:
        return make_user(
            session, role, email=email, audit_id=audit.id, is_chair=scope == "audit 1 chair"
        )
    if role is Role.AUDIT_LEAD:
        return make_user(session, role, email=email, audit_id=audit.id if scope else None)
    return make_user(session, role, email=email)


def build_world(session: Session, version: AuditTemplateVersion) -> World:
    agency_a = save_agency(
        session,
        None,
        name="Child and Adolescent Mental Health Services",
        short_name="CAMHS",
        sector=AgencySector.MENTAL_HEALTH,
        contact_email=None,
    )
    agency_b = save_agency(
        session, None, name="Police", short_name="Police", sector=AgencySector.POLICE,
        contact_email=None,
    )  # fmt: skip
    audit1 = _collecting_audit(session, "Route walk", version, [agency_a, agency_b])
    audit2 = _collecting_audit(session, "Another audit", version, [agency_b])
    audit1.returns_shared_at = utcnow()  # the panel of audit 1 reads its returns
    return_a = _return(session, audit1, agency_a)
    return_b = _return(session, audit1, agency_b)
    people = {kind: make_person(session, agency_a, audit1, kind) for kind in KINDS}
    entry = ChronologyEntry(return_id=return_a.id, happened_on=date(2020, 1, 1), what_happened="x")
    concern = UrgentConcern(
        return_id=return_a.id, raised_by_id=people["reviewer"].id, details="At risk now"
    )
    session.add_all([entry, concern])
    target = make_user(session, Role.SUBGROUP, email="target@example.org")
    panel_work = _panel_work(session, audit1, return_b, people["reviewer"])
    session.commit()
    return World(
        agency_a, agency_b, audit1, audit2, return_a, return_b, entry, concern, version, people,
        target, panel_work,
    )  # fmt: skip


def _panel_work(
    session: Session, audit: Audit, sent: AgencyReturn, reviewer: User
) -> dict[str, int]:
    """What the panel's pages name in audit 1: agency B's return for the first child sent
    (answered, with a chronology entry), a theme, a survey, a finding, a recommendation and
    a meeting."""
    answering.add_chronology_entry(
        session, sent, happened_on=date(2020, 2, 1), what_happened="Seen by police",
        agency_response="Shared with the MASH", missed_opportunity=True,
    )  # fmt: skip
    answer_return(session, sent, sent.agency.sector.value, 1, reviewer)
    theme = Theme(audit_id=audit.id, name="Walk theme")
    survey = EvidenceSource(
        audit_id=audit.id, kind=EvidenceKind.SURVEY, title="Survey", participants=2,
        survey={"file": "s.csv", "responses": 2, "questions": [
            {"text": "Do you feel safe?", "counts": [["Yes", 1], ["No", 1]]}]},
    )  # fmt: skip
    survey.items = [
        EvidenceItem(audit_id=audit.id, column=SignsOfSafetyColumn.WORKING_WELL, text="Safe")
    ]
    session.add_all([theme, survey])
    session.flush()
    finding = findings.add_finding(session, audit, findings.FindingDraft("worried_about", "Late"))
    recommendation = findings.add_recommendation(
        session, audit, findings.RecommendationDraft("Act sooner", [finding.id])
    )
    meeting = meetings.record_meeting(
        session,
        audit,
        meetings.MeetingDraft(date(2026, 1, 5), [meetings.AttendeeDraft("Chair")], ""),
    )
    action = plan.add_action(
        session, audit, recommendation,
        ActionDraft(what="Deliver training to every school", success_measure="90% attend",
                    lead_agency_id=sent.agency_id, owner_id=reviewer.id,
                    target_date=date.today() + timedelta(days=60), priority="high"),
        None, smart.load_words(), date.today(),
    )  # fmt: skip
    action.state = ActionState.OPEN
    update = plan.add_update(session, action, "on_track", "Started", reviewer, [WALK_FILE])
    return {
        "theme_id": theme.id,
        "source_id": survey.id,
        "finding_id": finding.id,
        "recommendation_id": recommendation.id,
        "meeting_id": meeting.id,
        "action_id": action.id,
        "file_id": update.files[0].id,
    }


# --- Walking the routes ----------------------------------------------------------------------


def _values(world: World, audit: Audit) -> dict[str, object]:
    return {
        "number": 1,
        "audit_id": audit.id,
        "member_id": audit.cohort[0].id,
        "agency_id": world.agency_a.id,
        "user_id": world.target.id,
        "membership_id": world.target.memberships[0].id,
        "template_id": world.version.template_id,
        "version_id": world.version.id,
        "return_id": world.return_a.id,
        "entry_id": world.entry.id,
        "concern_id": world.concern.id,
        **world.panel_work,
        "question_id": "early_help_offered",
        "move": "complete",
        "kind": "findings_report",
        "filename": "dist/application.css",
    }


def _urls(app: Flask, values: dict[str, object]) -> list[tuple[str, str, str]]:
    """(endpoint, method, url) for every rule, with real ids filled in."""
    found = []
    for rule in app.url_map.iter_rules():
        args = {name: values[name] for name in rule.arguments}
        with app.test_request_context():
            url = url_for(rule.endpoint, **args)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            found.append((rule.endpoint, method, url))
    return found


def _allowed(kind: str | None, endpoint: str) -> bool:
    expected = EXPECTED[endpoint]
    if expected == ANYONE:
        return True
    if kind is None:
        return False
    role, scope = KINDS[kind]
    if role not in expected:  # type: ignore[operator]
        return False
    return not (endpoint in PARTNERSHIP_ONLY and scope is not None)


def _form_fields(form: Any) -> MultiDict[str, Any]:
    """What a browser would send for this form as shown (checked boxes, selected options)."""
    data: MultiDict[str, Any] = MultiDict()
    for field in form.find_all(["input", "textarea", "select"]):
        name = field.get("name")
        if not name:
            continue
        if field.name == "textarea":
            data.add(name, field.get_text())
        elif field.name == "select":
            options = field.find_all("option")
            chosen = [o for o in options if o.has_attr("selected")] or [
                o for o in options if o.get("value")
            ]
            if chosen:
                data.add(name, chosen[0].get("value", chosen[0].get_text()))
        elif field.get("type") in ("checkbox", "radio"):
            if field.has_attr("checked"):
                data.add(name, field.get("value", "y"))
        elif field.get("type") not in ("submit", "button", "file", "image"):
            data.add(name, field.get("value", ""))
    button = form.find("button", attrs={"name": True})
    if button is not None:
        data.add(button["name"], button.get("value", ""))
    return data


def _page_form(html: str, post_url: str, page_url: str) -> Any:
    soup = BeautifulSoup(html, "html.parser")
    forms = [f for f in soup.find_all("form") if (f.get("method") or "").lower() == "post"]
    for form in forms:
        if form.get("action") == post_url:
            return form
    if post_url == page_url:
        for form in forms:
            if not form.get("action"):
                return form
    return None


def _body(client: FlaskClient, world: World, endpoint: str, url: str) -> MultiDict[str, Any]:
    """A valid body for a POST: the page's own form as shown, plus what a person types."""
    with client.application.test_request_context():
        pages = {
            "accounts.membership_add": url_for("accounts.user_edit", user_id=world.target.id),
            "accounts.membership_remove": url_for("accounts.user_edit", user_id=world.target.id),
            "cohort.verify": url_for("cohort.draw", audit_id=world.audit1.id),
            "returns.autosave": url_for("returns.section", return_id=world.return_a.id, number=1),
            "returns.delete_chronology": url_for("returns.chronology", return_id=world.return_a.id),
            "returns.submit": url_for("returns.check", return_id=world.return_a.id),
            "returns.reminders": url_for("audits.show", audit_id=world.audit1.id),
            "exports.audit_workbook": url_for("exports.audit_downloads", audit_id=world.audit1.id),
            "exports.findings_report": url_for("exports.audit_downloads", audit_id=world.audit1.id),
            "exports.action_tracker": url_for("actions.dashboard"),
            "exports.meeting_pack": url_for("actions.dashboard"),
            "exports.upload_report_template": url_for("exports.report_templates"),
            "exports.remove_report_template": url_for("exports.report_templates"),
        }  # fmt: skip
    if endpoint == "panel.agree_grade":
        page_url = url.removesuffix("/grade")
    elif endpoint in ("panel.finding_move", "panel.recommendation_move"):
        page_url = url.removesuffix("/move")
    elif endpoint in ("panel.theme_new", "panel.theme_suggested"):
        page_url = url.rsplit("/", 1)[0]
    else:
        page_url = pages.get(endpoint, url)
    data: MultiDict[str, Any] = MultiDict()
    if endpoint not in ("auth.sign_in",):
        form = _page_form(client.get(page_url).get_data(as_text=True), url, page_url)
        if form is not None:
            data = _form_fields(form)
        elif endpoint == "returns.autosave":
            form = _page_form(client.get(page_url).get_data(as_text=True), page_url, page_url)
            data = _form_fields(form)
    typed: dict[str, Any] = {
        "agencies.agency_new": {"name": "Education", "short_name": "Edu", "sector": "education"},
        "accounts.user_new": {
            "full_name": "New Person",
            "email": "new.person@example.org",
            "role": "subgroup",
            "password": "a long temporary password",
        },
        "accounts.membership_add": {"role": "reviewer", "agency_id": str(world.agency_b.id)},
        "audit_templates.upload": {
            "file": (io.BytesIO(EXAMPLE_TEMPLATE.read_bytes()), EXAMPLE_TEMPLATE.name)
        },
        "exports.upload_report_template": {
            "template": (io.BytesIO(shipped_template("findings_report")), "ours.docx")
        },
        "audits.new": {"title": "A new audit", "template_version_id": str(world.version.id)},
        "cohort.population": {"file": (io.BytesIO(ward_list()), "ward.csv")},
        "cohort.draw": {"size": "3", "seed": "again", "reason": "Checking the draw"},
        "cohort.add_child": {"reason": "Missed from the list"},
        "cohort.remove_child": {"reason": "Moved out of the area"},
        "cohort.purge": {"reason": "The audit is over"},
        "returns.no_involvement": {"reason": "No records of this child"},
        "returns.chronology": {
            "happened_on": ["1", "2", "2020"],
            "what_happened": "Seen at clinic",
            "missed_opportunity": "no",
        },
        "returns.concern": {"details": "The child may be at risk now"},
        "panel.agree_grade": {"agreed_grade": "high", "rationale": "Agreed at the panel"},
        "panel.theme_new": {"name": "Communication with schools"},
        "panel.interview_new": {
            "role": "Designated safeguarding lead",
            "held_on": ["1", "2", "2025"],
            "working_well": "Concerns are shared early",
        },
        "panel.event_new": {
            "title": "Engagement event",
            "held_on": ["1", "2", "2025"],
            "participants": "71",
        },
        "panel.survey_new": {
            "title": "Survey",
            "held_on": ["1", "2", "2025"],
            "file": (io.BytesIO(b"Do you feel safe?\nYes\nNo\n"), "survey.csv"),
        },
        "panel.other_evidence_new": {"title": "Ofsted report"},
        "panel.evidence_source": {
            "text": "Young people felt listened to",
            "column": "working_well",
        },
        "panel.findings": {"column": "worried_about", "text": "Help came late"},
        "panel.finding": {"column": "worried_about", "text": "Help came late"},
        "panel.meetings": {
            "held_on-day": "2",
            "held_on-month": "1",
            "held_on-year": "2026",
            "attendee-0-name": "Sam Chair",
        },
        "returns.acknowledge": {"action_taken": "Shared with children's social care"},
        "returns.lead_view": {"comment": "Please add the chronology"},
        "auth.change_password": {
            "current_password": PASSWORD,
            "password": "another long password",
            "confirm": "another long password",
        },
    }.get(endpoint, {})
    for name, value in typed.items():
        data.setlist(name, value if isinstance(value, list) else [value])
    return data


@contextmanager
def _rolled_back(session: Session) -> Iterator[None]:
    """Whatever the request changes is undone afterwards."""
    session.commit()
    connection = session.get_bind()
    savepoint = connection.begin_nested()  # type: ignore[union-attr]
    try:
        yield
    finally:
        savepoint.rollback()
        session.expire_all()


def _ok(response: Any) -> bool:
    return 200 <= response.status_code < 400


def _post(client: FlaskClient, url: str, data: MultiDict[str, Any]) -> Any:
    has_file = any(isinstance(v, tuple) for v in data.values())
    if has_file:
        return client.post(url, data=data, content_type="multipart/form-data")
    return client.post(url, data=data)


def _workbook_round_trip(client: FlaskClient, world: World) -> None:
    """The workbook's upload and confirm need a real workbook: download it, send it back,
    and confirm the preview the upload answers with."""
    audit_id = world.audit1.id
    download = client.get(f"/audits/{audit_id}/workbook")
    assert download.status_code == 200
    filled = fill(download.data, world.return_a.member.code, {"missed_opportunity": "Twice"})
    upload_url = f"/audits/{audit_id}/workbook/upload"
    preview = client.post(
        upload_url,
        data={"file": (io.BytesIO(filled), "workbook.xlsx")},
        content_type="multipart/form-data",
    )
    assert preview.status_code == 200, preview.status_code
    confirm_url = f"/audits/{audit_id}/workbook/confirm"
    form = _page_form(preview.get_data(as_text=True), confirm_url, upload_url)
    assert form is not None, "the preview has a form to confirm the changes"
    confirmed = _post(client, confirm_url, _form_fields(form))
    assert _ok(confirmed), confirmed.status_code


@pytest.mark.parametrize("kind", [None, *KINDS], ids=lambda k: k or "anonymous")
def test_route_membership_matrix(
    app: Flask,
    client: FlaskClient,
    session: Session,
    template_version: AuditTemplateVersion,
    kind: str | None,
) -> None:
    world = build_world(session, template_version)
    evidence_files.store(Path(app.config["AUDIT_EVIDENCE_DIR"]), WALK_FILE)
    person = world.people[kind] if kind else None
    if person is not None:
        assert sign_in(client, person.email).status_code == 302
    # CSRF is off so that a refused POST is refused for access, not for a missing token
    # (test_bad_requests checks CSRF itself).
    app.config["WTF_CSRF_ENABLED"] = False
    workbook_done = False
    try:
        for endpoint, method, url in _urls(app, _values(world, world.audit1)):
            allowed = _allowed(kind, endpoint)
            if endpoint in ("auth.sign_out", "auth.sign_in") and method == "POST":
                _separate_client_signs_in_and_out(app, endpoint)
                continue
            if method == "GET":
                response = client.get(url)
            elif not allowed:
                response = client.post(url, data={})
            elif endpoint in ("workbooks.upload", "workbooks.confirm"):
                # One round trip posts to both. Not rolled back: it saves one draft answer.
                if not workbook_done:
                    _workbook_round_trip(client, world)
                    workbook_done = True
                continue
            else:
                data = _body(client, world, endpoint, url)
                with _rolled_back(session):
                    response = _post(client, url, data)
                _stay_signed_in(client, person)
            if allowed and kind in NARROWED.get(endpoint, ()):
                assert response.status_code == 404, (kind, method, url, response.status_code)
            elif allowed:
                assert _ok(response), (kind, method, url, response.status_code)
            elif kind is None:
                assert response.status_code == 302, (method, url, response.status_code)
                assert response.location.startswith("/sign-in"), (method, url)
            else:
                assert response.status_code == 403, (kind, method, url, response.status_code)
    finally:
        app.config["WTF_CSRF_ENABLED"] = True


def _stay_signed_in(client: FlaskClient, person: User | None) -> None:
    """A POST that changed the person's session token (their password) was rolled back:
    sign in again so that the walk goes on as them."""
    if person is not None and client.get("/account/password").status_code != 200:
        again = client.post("/sign-in", data={"email": person.email, "password": PASSWORD})
        assert again.status_code == 302


def _separate_client_signs_in_and_out(app: Flask, endpoint: str) -> None:
    other = app.test_client()
    signed_in = other.post("/sign-in", data={"email": "target@example.org", "password": PASSWORD})
    assert signed_in.status_code == 302 and signed_in.location == "/", endpoint
    signed_out = other.post("/sign-out", data={})
    assert signed_out.status_code == 302, endpoint
    assert other.get("/").location == "/sign-in"


# --- Object scope ----------------------------------------------------------------------------


def test_a_reviewer_gets_404_for_another_agency(
    client: FlaskClient, session: Session, template_version: AuditTemplateVersion
) -> None:
    world = build_world(session, template_version)
    sign_in(client, world.people["reviewer"].email)
    b, audit1, audit2 = world.return_b.id, world.audit1.id, world.audit2.id
    own = [f"/returns/{world.return_a.id}", f"/audits/{audit1}/summary"]
    for url in own:
        assert client.get(url).status_code == 200, url
    assert client.get(f"/audits/{audit1}/workbook").status_code == 200
    others = [
        f"/returns/{b}",
        f"/returns/{b}/sections/1",
        f"/returns/{b}/chronology",
        f"/returns/{b}/check",
        f"/returns/{b}/concern",
        f"/returns/{b}/no-involvement",
        # Agency B's summary and workbook for audit 1, and audit 2 (agency A takes no part).
        f"/audits/{audit1}/summary?agency={world.agency_b.id}",
        f"/audits/{audit1}/workbook?agency={world.agency_b.id}",
        f"/audits/{audit1}/workbook/upload?agency={world.agency_b.id}",
        f"/audits/{audit2}/summary",
        f"/audits/{audit2}/workbook",
        f"/audits/{audit2}/workbook/upload",
    ]
    for url in others:
        assert client.get(url).status_code == 404, url
    client.application.config["WTF_CSRF_ENABLED"] = False
    try:
        for url in (
            f"/returns/{b}/submit",
            f"/returns/{b}/sections/1/autosave",
            f"/returns/{b}/chronology",
            f"/audits/{audit2}/summary",
        ):
            assert client.post(url, data={}).status_code == 404, url
    finally:
        client.application.config["WTF_CSRF_ENABLED"] = True


def _set_up_pages(audit_id: int, member_id: int) -> list[str]:
    return [
        f"/audits/{audit_id}",
        f"/audits/{audit_id}/details",
        f"/audits/{audit_id}/agencies",
        f"/audits/{audit_id}/panel",
        f"/audits/{audit_id}/status",
        f"/audits/{audit_id}/population",
        f"/audits/{audit_id}/population/columns",
        f"/audits/{audit_id}/draw",
        f"/audits/{audit_id}/cohort/add",
        f"/audits/{audit_id}/cohort/{member_id}/remove",
        f"/audits/{audit_id}/identities",
        f"/audits/{audit_id}/identities/purge",
    ]


def test_an_audit_lead_of_one_audit_is_refused_the_others(
    client: FlaskClient, session: Session, template_version: AuditTemplateVersion
) -> None:
    world = build_world(session, template_version)
    sign_in(client, world.people["audit lead of audit 1"].email)
    for url in _set_up_pages(world.audit1.id, world.audit1.cohort[0].id):
        assert client.get(url).status_code == 200, url
    for url in _set_up_pages(world.audit2.id, world.audit2.cohort[0].id):
        assert client.get(url).status_code == 403, url
    return_2 = _return(session, world.audit2, world.agency_b)
    assert client.get(f"/audits/{world.audit2.id}/returns/{return_2.id}").status_code == 403
    # Partnership-wide pages: a new audit, and the administrator's.
    for url in ("/audits/new", "/admin/users", "/admin/agencies", "/admin/templates"):
        assert client.get(url).status_code == 403, url
    listing = text_of(page(client.get("/audits")))
    assert "Route walk" in listing and "Another audit" not in listing
    assert "Set up a new audit" not in listing
    # An urgent concern about a child of audit 2 is not theirs to mark as dealt with.
    concern_2 = UrgentConcern(return_id=return_2.id, raised_by_id=world.target.id, details="x")
    session.add(concern_2)
    session.commit()
    client.application.config["WTF_CSRF_ENABLED"] = False
    try:
        assert client.post(f"/concerns/{concern_2.id}/acknowledge").status_code == 404
    finally:
        client.application.config["WTF_CSRF_ENABLED"] = True
    home = text_of(page(client.get("/")))
    assert "Route walk" in home and "Another audit" not in home


def test_a_partnership_audit_lead_sees_every_audit(
    client: FlaskClient, session: Session, template_version: AuditTemplateVersion
) -> None:
    world = build_world(session, template_version)
    sign_in(client, world.people["audit lead"].email)
    for audit in (world.audit1, world.audit2):
        assert client.get(f"/audits/{audit.id}").status_code == 200
    listing = text_of(page(client.get("/audits")))
    assert "Route walk" in listing and "Another audit" in listing
    assert client.get("/audits/new").status_code == 200
    assert client.get("/admin/users").status_code == 403  # an audit lead, not an administrator


def test_panel_members_are_refused_other_audits(
    client: FlaskClient, session: Session, template_version: AuditTemplateVersion
) -> None:
    world = build_world(session, template_version)
    for kind in ("panel member", "panel chair"):
        fresh = client.application.test_client()
        sign_in(fresh, world.people[kind].email)
        home = text_of(page(fresh.get("/")))
        assert "Route walk" in home and "Another audit" not in home
        for audit in (world.audit1, world.audit2):
            for url in _set_up_pages(audit.id, audit.cohort[0].id):
                assert fresh.get(url).status_code == 403, url
        assert fresh.get(f"/returns/{world.return_a.id}").status_code == 403


def test_a_reviewer_who_sits_on_a_panel_sees_both_and_nothing_else(
    client: FlaskClient, session: Session, template_version: AuditTemplateVersion
) -> None:
    world = build_world(session, template_version)
    person = world.people["reviewer"]
    add_membership(session, person, Role.PANEL, audit_id=world.audit1.id)
    session.commit()
    sign_in(client, person.email)
    soup = page(client.get("/"))
    assert soup.h1.get_text(strip=True) == "Your home page"
    sections = [h2.get_text(strip=True) for h2 in soup.find_all("h2")]
    assert "Your agency's returns" in sections and "Audit panels you sit on" in sections
    home = text_of(soup)
    assert "Route walk" in home and "Another audit" not in home
    assert client.get(f"/returns/{world.return_a.id}").status_code == 200
    assert client.get(f"/audits/{world.audit1.id}/summary").status_code == 200
    assert client.get(f"/returns/{world.return_b.id}").status_code == 404
    assert client.get(f"/audits/{world.audit2.id}/summary").status_code == 404
    for audit in (world.audit1, world.audit2):
        assert client.get(f"/audits/{audit.id}").status_code == 403


def test_several_agencies_choose_which_one(
    client: FlaskClient, session: Session, template_version: AuditTemplateVersion
) -> None:
    """A person who reviews for two agencies of an audit chooses one; each stays apart."""
    world = build_world(session, template_version)
    person = world.people["reviewer"]
    add_membership(session, person, Role.REVIEWER, agency_id=world.agency_b.id)
    session.commit()
    sign_in(client, person.email)
    audit_id = world.audit1.id
    choose = page(client.get(f"/audits/{audit_id}/summary"))
    assert choose.h1.get_text(strip=True) == "Which agency are you working for?"
    links = {a.get_text(strip=True): a["href"] for a in choose.select("main a.govuk-link")}
    assert set(links) >= {world.agency_a.name, world.agency_b.name}
    for agency in (world.agency_a, world.agency_b):
        summary = page(client.get(f"/audits/{audit_id}/summary?agency={agency.id}"))
        assert agency.name in text_of(summary)
    assert client.get(f"/returns/{world.return_b.id}").status_code == 200
    assert client.get(f"/audits/{audit_id}/summary?agency=999999").status_code == 404


# --- Deny by default, and the panel's scope, on routes made for the test ----------------------


@pytest.fixture(scope="module")
def probe_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """An app on its own database, with two routes added: one that declares nothing, and one
    for the panel members of the audit its address names."""
    os.environ.setdefault("AUDIT_SECRET_KEY", "test-secret-key-that-is-long-enough-to-use")
    os.environ["AUDIT_ENV"] = "testing"
    with fresh_database(Path(tmp_path_factory.mktemp("probe")), "probe") as url:
        upgrade(url)
        app = create_app({"AUDIT_DATABASE_URL": url, "TESTING": True})

        @app.route("/forgot-to-declare")
        def forgot_to_declare() -> str:
            return "children's records"

        @app.route("/audits/<id:audit_id>/panel-probe")
        @allow(Role.PANEL)
        def panel_probe(audit_id: int) -> str:
            return f"panel of audit {audit_id}"

        yield app
        app.extensions["audit_db"].engine.dispose()


@pytest.fixture(scope="module")
def probe_people(probe_app: Flask) -> dict[str, Any]:
    database: Database = probe_app.extensions["audit_db"]
    session = database.new_session(actor_label="test")
    try:
        agency = save_agency(
            session, None, name="CAMHS", short_name="CAMHS", sector=AgencySector.MENTAL_HEALTH,
            contact_email=None,
        )  # fmt: skip
        audits = [Audit(title="Audit 1"), Audit(title="Audit 2")]
        session.add_all(audits)
        session.flush()
        people = {kind: make_person(session, agency, audits[0], kind) for kind in KINDS}
        both = make_user(session, Role.REVIEWER, agency, email="both@example.org")
        add_membership(session, both, Role.PANEL, audit_id=audits[0].id)
        people["reviewer and panel member"] = both
        session.commit()
        return {"emails": {k: p.email for k, p in people.items()}, "audits": [a.id for a in audits]}
    finally:
        session.close()


@pytest.mark.parametrize("kind", [None, *KINDS], ids=lambda k: k or "anonymous")
def test_undeclared_view_is_refused(
    probe_app: Flask, probe_people: dict[str, Any], kind: str | None
) -> None:
    """Deny by default: a view added without a declaration is refused at run time too, for
    every kind of membership."""
    client = probe_app.test_client()
    if kind is not None:
        assert sign_in(client, probe_people["emails"][kind]).status_code == 302
    response = client.get("/forgot-to-declare")
    assert response.status_code == 403, kind
    assert "children's records" not in response.get_data(as_text=True)


@pytest.mark.parametrize("kind", [*KINDS])
def test_a_panel_route_is_for_the_panel_of_that_audit(
    probe_app: Flask, probe_people: dict[str, Any], kind: str
) -> None:
    client = probe_app.test_client()
    sign_in(client, probe_people["emails"][kind])
    audit_1, audit_2 = probe_people["audits"]
    is_panel = KINDS[kind][0] is Role.PANEL
    assert client.get(f"/audits/{audit_1}/panel-probe").status_code == (200 if is_panel else 403)
    assert client.get(f"/audits/{audit_2}/panel-probe").status_code == 403


def test_a_reviewer_on_a_panel_opens_that_panels_pages_only(
    probe_app: Flask, probe_people: dict[str, Any]
) -> None:
    client = probe_app.test_client()
    sign_in(client, probe_people["emails"]["reviewer and panel member"])
    audit_1, audit_2 = probe_people["audits"]
    assert client.get(f"/audits/{audit_1}/panel-probe").status_code == 200
    assert client.get(f"/audits/{audit_2}/panel-probe").status_code == 403
    assert client.get("/forgot-to-declare").status_code == 403
