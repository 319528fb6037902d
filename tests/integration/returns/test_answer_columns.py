"""An answer lands in every Signs of Safety column it maps to, not only the first."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from alembic import command
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from audit_app.agencies.register import save_agency
from audit_app.audits.lifecycle import move, set_agencies
from audit_app.core.db import Database
from audit_app.core.migrate import alembic_config, upgrade
from audit_app.models import (
    Agency,
    AgencyReturn,
    AgencySector,
    Answer,
    Audit,
    AuditStatus,
    AuditTemplateVersion,
    CohortMember,
    Role,
    SignsOfSafetyColumn,
    User,
)
from audit_app.questionnaires.library import load_template
from audit_app.returns.answering import check_answers, definition_for, save_section
from audit_app.returns.summaries import draft_sources, group_draft
from tests.conftest import EXAMPLE_TEMPLATE, make_user, page, sign_in, text_of
from tests.databases import fresh_database
from tests.integration.returns.test_returns import SECTION_1, own_return, save
from tests.integration.returns.test_returns import collecting as collecting_fixture  # noqa: F401 (fixture)

SERVICES = "Which services were involved? CAMHS, Social care"


def spanning_template() -> bytes:
    """The example template, with the services question mapping its two options to two
    columns: choosing both lands the answer in working well AND worried about."""
    content = yaml.safe_load(EXAMPLE_TEMPLATE.read_text())
    content["id"] = "spanning-columns"
    services = next(
        question
        for section in content["sections"]
        for question in section["questions"]
        if question["id"] == "services"
    )
    del services["column"]
    services["maps"] = {"camhs": "working_well", "social_care": "worried_about"}
    return yaml.safe_dump(content, sort_keys=False).encode()


@pytest.fixture
def template_version(session: Session) -> AuditTemplateVersion:
    version = load_template(session, spanning_template(), "spanning.yaml").version
    session.commit()
    return version


@pytest.fixture
def collecting(collecting_fixture: Audit) -> Audit:  # noqa: F811 (a fixture)
    """test_returns' audit, on the template above."""
    return collecting_fixture


def _between(body: str, start: str, end: str | None) -> str:
    after = body.split(start, 1)[1]
    return after.split(end, 1)[0] if end else after


def test_a_multiple_choice_spanning_two_columns_shows_under_both_on_check_your_answers(
    client: FlaskClient,
    users: dict[Role, User],
    session: Session,
    collecting: Audit,
    agency: Agency,
) -> None:
    sign_in(client, users[Role.REVIEWER].email)
    agency_return = own_return(session, collecting, agency.id)
    base = f"/returns/{agency_return.id}"
    saved = save(client, f"{base}/sections/1", {**SECTION_1, "services": ["camhs", "social_care"]})
    assert saved.status_code == 302

    answer = session.scalar(
        select(Answer).where(Answer.return_id == agency_return.id, Answer.question_id == "services")
    )
    session.refresh(answer)
    assert answer.columns == ["working_well", "worried_about"]
    assert answer.column is SignsOfSafetyColumn.WORKING_WELL  # the first, for older readers
    assert answer.column_list == [
        SignsOfSafetyColumn.WORKING_WELL,
        SignsOfSafetyColumn.WORRIED_ABOUT,
    ]

    body = text_of(page(client.get(f"{base}/check")))
    working = _between(body, "What's working well", "What are we worried about")
    worried = _between(body, "What are we worried about", "What needs to happen")
    needs = _between(body, "What needs to happen", "Your agency's involvement")
    assert SERVICES in working
    assert SERVICES in worried
    assert SERVICES not in needs


def test_one_option_lands_in_its_own_column_only(
    session: Session, collecting: Audit, agency: Agency, users: dict[Role, User]
) -> None:
    agency_return = own_return(session, collecting, agency.id)
    save_section(
        session, agency_return, agency_return.version, {"services": ["social_care"]}, {}, None
    )
    answer = session.scalar(select(Answer).where(Answer.return_id == agency_return.id))
    assert answer.columns == ["worried_about"]
    result = check_answers(definition_for(agency_return), {"services": answer})
    assert [item.question.id for item in result.by_column["worried_about"]] == ["services"]
    assert result.by_column["working_well"] == []


def test_the_summary_draft_lists_a_spanning_answer_under_each_column(
    app: Flask,
    session: Session,
    collecting: Audit,
    agency: Agency,
    users: dict[Role, User],
) -> None:
    agency_return = own_return(session, collecting, agency.id)
    # Saved as the workbook saves: through save_section, which asks the registry.
    save_section(
        session,
        agency_return,
        agency_return.version,
        {"services": ["camhs", "social_care"]},
        {},
        users[Role.REVIEWER],
    )
    sources, children = draft_sources(session, collecting, agency.id)
    draft = group_draft(sources, children)
    for column in ("working_well", "worried_about"):
        assert [source.question_id for source in sources if source.column == column] == [
            "services"
        ], column
        (item,) = draft[column]
        assert item.text == (
            "In 1 of 2 children, “Which services were involved?”: CAMHS, Social care (1 child)."
        )
    assert draft["needs_to_happen"] == []

    client = app.test_client()
    sign_in(client, users[Role.REVIEWER].email)
    url = f"/audits/{collecting.id}/summary"
    soup = page(client.get(url))
    drafted = client.post(
        url,
        data={
            "csrf_token": soup.find("input", attrs={"name": "csrf_token"})["value"],
            "version": "0",
            "action": "draft",
        },
    )
    assert drafted.status_code == 302
    soup = page(client.get(url))
    for column in ("working_well", "worried_about"):
        heading = soup.find("h2", id=column)
        box = heading.find_next("textarea")
        assert "“Which services were involved?”: CAMHS, Social care" in box.text


def test_a_value_the_question_cannot_take_is_refused(
    session: Session, collecting: Audit, agency: Agency
) -> None:
    from audit_app.core.errors import DomainError

    agency_return = own_return(session, collecting, agency.id)
    with pytest.raises(DomainError, match="'housing' is not one of the answers"):
        save_section(
            session, agency_return, agency_return.version, {"services": ["housing"]}, {}, None
        )


def test_the_migration_fills_columns_from_column(tmp_path: Path) -> None:
    """0005 gives each existing answer the list of its one column (none when it had none),
    and a multiple choice answer every column its template version maps its options to."""
    with fresh_database(tmp_path, "columns") as url:
        upgrade(url)
        database = Database(url)
        try:
            session = database.new_session(actor_label="test")
            agency = save_agency(
                session,
                None,
                name="CAMHS",
                short_name="CAMHS",
                sector=AgencySector.HEALTH,
                contact_email=None,
            )
            lead = make_user(session, Role.ADMIN)
            version = load_template(session, spanning_template()).version
            audit = Audit(title="Old answers", template_version_id=version.id, lead=lead)
            session.add(audit)
            session.flush()
            session.add(CohortMember(audit_id=audit.id, code="Child A", position=0))
            session.flush()
            set_agencies(session, audit, [agency.id])
            session.refresh(audit)
            move(session, audit, AuditStatus.COLLECTING)
            agency_return = session.scalar(select(AgencyReturn))
            for question_id, value, column in (
                ("early_help_offered", "yes", SignsOfSafetyColumn.WORKING_WELL),
                ("who_referred", "gp", SignsOfSafetyColumn.WORRIED_ABOUT),
                ("missed_opportunity", "x", None),
                ("services", ["camhs", "social_care"], SignsOfSafetyColumn.WORKING_WELL),
            ):
                session.add(
                    Answer(
                        return_id=agency_return.id,
                        question_id=question_id,
                        value=value,
                        column=column,
                        columns=["made up"],
                    )
                )
            session.commit()
            session.close()
            command.downgrade(alembic_config(url), "0003")  # as the rows were before 0005
            upgrade(url)
            with database.engine.connect() as connection:
                rows = connection.execute(
                    select(Answer.question_id, Answer.columns).order_by(Answer.id)
                ).all()
        finally:
            database.engine.dispose()
    assert [tuple(row) for row in rows] == [
        ("early_help_offered", ["working_well"]),
        ("who_referred", ["worried_about"]),
        ("missed_opportunity", []),
        ("services", ["working_well", "worried_about"]),
    ]


def test_a_workbook_upload_keeps_every_column_too(
    session: Session, collecting: Audit, agency: Agency, users: dict[Role, User]
) -> None:
    import io

    import openpyxl

    from audit_app.workbooks import workbook as wb

    key = "a-test-key-that-is-long-enough-for-hmac"
    contents = wb.agency_workbook(session, collecting, agency.id)
    book = openpyxl.load_workbook(io.BytesIO(wb.build_workbook(contents, key)))
    sheet = book["Child A"]
    row = next(
        r for r in range(wb.FIRST_ROW, sheet.max_row + 1) if sheet[f"F{r}"].value == "services"
    )
    sheet[f"C{row}"] = "CAMHS; Social care"
    out = io.BytesIO()
    book.save(out)
    uploaded = wb.read_workbook(
        out.getvalue(),
        key=key,
        definition=contents.definition,
        audit_id=collecting.id,
        agency_id=agency.id,
    )
    plan = wb.plan_changes(uploaded, contents)
    wb.apply_plan(
        session, plan, {}, users[Role.REVIEWER], agency_id=agency.id, audit_id=collecting.id
    )
    agency_return = own_return(session, collecting, agency.id)
    answer = session.scalar(select(Answer).where(Answer.return_id == agency_return.id))
    assert (answer.value, answer.columns) == (
        ["camhs", "social_care"],
        ["working_well", "worried_about"],
    )
