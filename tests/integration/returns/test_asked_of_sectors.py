"""An agency sees only what the template asks of its sector: on its return's pages, in its
offline workbook, and in how far through its return is (issue 10's ``asked_of``)."""

from __future__ import annotations

import io

import openpyxl
import pytest
import yaml
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from audit_app.agencies.register import save_agency
from audit_app.audits.lifecycle import move, set_agencies
from audit_app.models import (
    Agency,
    AgencySector,
    Audit,
    AuditStatus,
    ChildIdentity,
    CohortMember,
    Role,
    User,
)
from audit_app.questionnaires import template_format as tf
from audit_app.questionnaires.library import load_shipped_templates, load_template
from audit_app.workbooks.workbook import FIRST_ROW
from tests.conftest import collecting_audit, make_user, page, sign_in, text_of
from tests.integration.returns.test_returns import own_return
from tests.unit.questionnaires.test_asked_of import _targeted

EARLY_HELP = "Was early help offered before the crisis?"


@pytest.fixture
def police(session: Session) -> Agency:
    return save_agency(
        session,
        None,
        name="Police",
        short_name="Police",
        sector=AgencySector.POLICE,
        contact_email=None,
    )


@pytest.fixture
def targeted(session: Session, users: dict[Role, User], agency: Agency, police: Agency) -> Audit:
    """An audit whose first section ("Early help") is asked of mental health and health
    only: the reviewer's agency (CAMHS) answers it, the police do not."""
    data = _targeted()
    data["id"] = "targeted-audit"
    version = load_template(session, yaml.safe_dump(data).encode(), "targeted.yaml").version
    audit = Audit(title="Targeted", template_version_id=version.id, lead=users[Role.ADMIN])
    session.add(audit)
    session.flush()
    member = CohortMember(audit_id=audit.id, code="Child A", position=0)
    member.identity = ChildIdentity(local_id="L0", full_name="Secret Name")
    session.add(member)
    session.flush()
    set_agencies(session, audit, [agency.id, police.id])
    session.refresh(audit)
    move(session, audit, AuditStatus.COLLECTING)
    session.commit()
    return audit


def _workbook_question_ids(client: FlaskClient, audit: Audit) -> set[str]:
    response = client.get(f"/audits/{audit.id}/workbook")
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    sheet = book["Child A"]
    return {
        sheet[f"F{row}"].value
        for row in range(FIRST_ROW, sheet.max_row + 1)
        if sheet[f"F{row}"].value
    }


def test_camhs_and_the_police_see_different_questions(
    app: Flask,
    client: FlaskClient,
    session: Session,
    users: dict[Role, User],
    agency: Agency,
    police: Agency,
    targeted: Audit,
) -> None:
    camhs_return = own_return(session, targeted, agency.id)
    police_return = own_return(session, targeted, police.id)
    officer = make_user(session, Role.REVIEWER, police, email="officer@example.org")

    sign_in(client, users[Role.REVIEWER].email)
    overview = text_of(page(client.get(f"/returns/{camhs_return.id}")))
    assert "Early help" in overview and "Quality" in overview
    assert EARLY_HELP in text_of(page(client.get(f"/returns/{camhs_return.id}/sections/1")))
    camhs_questions = _workbook_question_ids(client, targeted)
    assert {"early_help_offered", "who_referred", "overall"} <= camhs_questions

    police_client = app.test_client()
    sign_in(police_client, officer.email)
    overview = text_of(page(police_client.get(f"/returns/{police_return.id}")))
    assert "Quality" in overview and "Early help" not in overview
    first = text_of(page(police_client.get(f"/returns/{police_return.id}/sections/1")))
    assert "Overall grade" in first and EARLY_HELP not in first
    assert police_client.get(f"/returns/{police_return.id}/sections/2").status_code == 404
    check = text_of(page(police_client.get(f"/returns/{police_return.id}/check")))
    assert EARLY_HELP not in check
    # How far through counts only what is asked: the five questions of "Quality".
    assert "0 of 6 answered" in text_of(page(police_client.get("/")))
    police_questions = _workbook_question_ids(police_client, targeted)
    assert "overall" in police_questions
    assert police_questions.isdisjoint({"early_help_offered", "who_referred", "services"})


@pytest.fixture
def gp(session: Session) -> Agency:
    return save_agency(
        session,
        None,
        name="Riverside GP practice",
        short_name="GP",
        sector=AgencySector.PRIMARY_CARE,
        contact_email=None,
    )


@pytest.fixture
def crisis_audit(session: Session, users: dict[Role, User], agency: Agency, gp: Agency) -> Audit:
    """An audit on the shipped children-in-crisis template, with CAMHS and a GP practice."""
    versions = {r.version.template.key: r.version for r in load_shipped_templates(session)}
    return collecting_audit(
        session, versions["children-in-crisis"], users[Role.ADMIN], [agency, gp]
    )


def _asked_on_the_pages(client: FlaskClient, return_id: int) -> set[str]:
    """Every question id on the return's section pages, as the reviewer sees them."""
    asked: set[str] = set()
    number = 1
    while (response := client.get(f"/returns/{return_id}/sections/{number}")).status_code == 200:
        for block in page(response).select("[id^='question-']"):
            asked.add(block["id"].removeprefix("question-"))
        number += 1
    assert number > 1
    return asked


def test_a_gp_and_camhs_see_different_questions_of_the_shipped_template(
    app: Flask,
    client: FlaskClient,
    session: Session,
    users: dict[Role, User],
    agency: Agency,
    gp: Agency,
    crisis_audit: Audit,
) -> None:
    camhs_return = own_return(session, crisis_audit, agency.id)
    gp_return = own_return(session, crisis_audit, gp.id)
    doctor = make_user(session, Role.REVIEWER, gp, email="practice.manager@example.org")
    session.commit()

    sign_in(client, users[Role.REVIEWER].email)
    camhs_pages = _asked_on_the_pages(client, camhs_return.id)
    camhs_book = _workbook_question_ids(client, crisis_audit)
    gp_client = app.test_client()
    sign_in(gp_client, doctor.email)
    gp_pages = _asked_on_the_pages(gp_client, gp_return.id)
    gp_book = _workbook_question_ids(gp_client, crisis_audit)

    # Each sees what the template asks of its sector, on the pages and in the workbook alike.
    definition = tf.build(crisis_audit.template_version.content)
    for asked, book, sector in (
        (camhs_pages, camhs_book, "mental_health"),
        (gp_pages, gp_book, "primary_care"),
    ):
        expected = {q.id for q in definition.for_sector(sector).questions}
        assert asked == expected and book == expected
    # CAMHS is asked about its own assessment of the crisis; a GP is not.
    assert "assessed_within_48_hours" in camhs_pages - gp_pages
    assert gp_pages - camhs_pages, "the GP is asked something CAMHS is not"
    assert "overall_grade" in camhs_pages & gp_pages  # the core is asked of both
