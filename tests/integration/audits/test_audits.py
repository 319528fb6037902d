"""Setting up an audit: details, agencies, population, a verified random draw, returns."""

from __future__ import annotations

import io
from datetime import date, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from audit_app.agencies.register import save_agency
from audit_app.audits.lifecycle import (
    MOVES,
    AuditDetails,
    current_members,
    move,
    save_agency_link,
    save_details,
    set_agencies,
    set_panel,
)
from audit_app.cohort.identities import purge_identities
from audit_app.cohort.population import ColumnMapping, read_population
from audit_app.cohort.sampling import draw as sampling_draw
from audit_app.cohort.selection import (
    add_member_by_hand,
    current_draw,
    draw_cohort,
    remove_member,
    save_mapping,
    store_population,
    verify_current_draw,
)
from audit_app.core.errors import DomainError
from audit_app.models import (
    Agency,
    AgencyReturn,
    AgencySector,
    Audit,
    AuditLogEntry,
    AuditStatus,
    AuditTemplateVersion,
    ChildIdentity,
    CohortDraw,
    PopulationList,
    Reminder,
    ReturnStatus,
    Role,
    User,
)
from audit_app.returns.tracking import send_reminders
from tests.conftest import csrf_token, make_user, page, post_form, sign_in, text_of

HEADER = "Local ID,Name,Date of birth,Discharge date,Gender,NHS number\n"


def ward_list(rows: int = 30) -> bytes:
    lines = [HEADER]
    for n in range(rows):
        lines.append(
            f"W14-{n:04d},Child Name {n},{(n % 28) + 1:02d}/0{(n % 9) + 1}/20{6 + n % 8:02d},"
            f"2020-{(n % 12) + 1:02d}-15,{'F' if n % 3 else 'M'},{9000000000 + n}\n"
        )
    return "".join(lines).encode()


MAPPING = {
    "local_id": "Local ID",
    "name": "Name",
    "date_of_birth": "Date of birth",
    "reference_columns": ["NHS number"],
}


def _upload(client: FlaskClient, url: str, content: bytes, filename: str) -> Any:
    soup = page(client.get(url))
    return client.post(
        url,
        data={"csrf_token": csrf_token(soup), "file": (io.BytesIO(content), filename)},
        content_type="multipart/form-data",
    )


def _errors(response: Any) -> list[str]:
    return [a.get_text(strip=True) for a in page(response).select(".govuk-error-summary a")]


@pytest.fixture
def two_agencies(session: Session, agency: Agency) -> list[Agency]:
    police = save_agency(
        session,
        None,
        name="Police",
        short_name="Police",
        sector=AgencySector.POLICE,
        contact_email="police@example.org",
    )
    session.commit()
    return [agency, police]


@pytest.fixture
def draft(
    session: Session,
    users: dict[Role, User],
    template_version: AuditTemplateVersion,
    two_agencies: list[Agency],
) -> Audit:
    """A draft audit with a template, two agencies and a mapped population list."""
    audit = save_details(
        session,
        None,
        AuditDetails(
            title="Children in crisis",
            template_version_id=template_version.id,
            return_deadline=date.today() + timedelta(days=14),
        ),
        lead=users[Role.ADMIN],
    )
    set_agencies(session, audit, [a.id for a in two_agencies])
    stored = store_population(
        session, audit, read_population(ward_list(), "ward14.csv"), users[Role.ADMIN].id
    )
    save_mapping(
        session, stored, ColumnMapping(**{**MAPPING, "reference_columns": ("NHS number",)})
    )
    session.commit()
    return audit


# --- Setting up through the pages --------------------------------------------------------


def test_set_up_an_audit_from_nothing_to_open_returns(
    client: FlaskClient,
    users: dict[Role, User],
    session: Session,
    template_version: AuditTemplateVersion,
    two_agencies: list[Agency],
) -> None:
    sign_in(client, users[Role.ADMIN].email)
    empty = post_form(client, "/audits/new", {"title": "  "})
    assert _errors(empty) == ["Enter the audit's title"]
    backwards = post_form(
        client,
        "/audits/new",
        {
            "title": "Children in crisis",
            "period_start": ["1", "12", "2020"],
            "period_end": ["1", "1", "2020"],
            "template_version_id": str(template_version.id),
        },
    )
    assert _errors(backwards) == ["The end of the period must be after its start"]
    created = post_form(
        client,
        "/audits/new",
        {
            "title": "Children in crisis",
            "theme": "Mental health",
            "period_start": ["1", "1", "2020"],
            "period_end": ["31", "12", "2020"],
            "template_version_id": str(template_version.id),
            "return_deadline": ["1", "3", "2031"],
        },
    )
    assert created.status_code == 302
    audit = session.scalar(select(Audit).where(Audit.title == "Children in crisis"))
    assert audit is not None and audit.status is AuditStatus.DRAFT
    url = f"/audits/{audit.id}"
    assert "Incomplete" in text_of(page(client.get(url)))

    post_form(client, f"{url}/agencies", {"agency_ids": [str(a.id) for a in two_agencies]})
    session.refresh(audit)
    assert {link.agency_id for link in audit.agencies} == {a.id for a in two_agencies}

    bad = _upload(client, f"{url}/population", b"Local ID,Name,Name\n1,A,B\n", "ward.csv")
    assert bad.status_code == 200
    assert "Nothing was imported" in text_of(page(bad))
    uploaded = _upload(client, f"{url}/population", ward_list(), "ward14.csv")
    assert uploaded.status_code == 302 and uploaded.location.endswith("/population/columns")
    columns = page(client.get(uploaded.location))
    assert "W14-0000" in text_of(columns)  # the lead sees a preview
    mapped = post_form(
        client,
        f"{url}/population/columns",
        {
            "local_id": "Local ID",
            "name": "Name",
            "date_of_birth": "Date of birth",
            "reference_columns": ["NHS number"],
        },
    )
    assert mapped.status_code == 302

    too_many = post_form(client, f"{url}/draw", {"size": "31", "seed": "s"})
    assert "only 30" in text_of(page(too_many))
    bad_filter = post_form(
        client,
        f"{url}/draw",
        {
            "size": "5",
            "filter_1_column": "Discharge date",
            "filter_1_condition": ">=",
            "filter_1_value": "the first of January",
        },
    )
    assert _errors(bad_filter)[0].startswith("Filter 1 on Discharge date:")
    drawn = post_form(
        client,
        f"{url}/draw",
        {
            "size": "5",
            "seed": "coventry-2021",
            "filter_1_column": "Discharge date",
            "filter_1_condition": ">=",
            "filter_1_value": "01/01/2020",
        },
    )
    assert drawn.status_code == 302
    record = current_draw(session, audit)
    assert record is not None and record.seed == "coventry-2021"
    shown = text_of(page(client.get(url)))
    assert "coventry-2021" in shown and record.population_fingerprint in shown
    assert "Example multi-agency audit, version 1.0" in shown and "<a " not in shown
    assert "audit-app cohort draw" in shown  # how to check it outside the service
    # The same children as the published algorithm gives.
    population = read_population(ward_list(), "ward14.csv")
    expected = sampling_draw(
        population,
        ColumnMapping(**{**MAPPING, "reference_columns": ("NHS number",)}),
        5,
        "coventry-2021",
        ("Discharge date>=2020-01-01",),
    )
    members = current_members(audit)
    assert [m.identity.local_id for m in members] == [
        population.rows[i]["Local ID"] for i in expected.chosen
    ]
    assert [m.code for m in members] == ["Child A", "Child B", "Child C", "Child D", "Child E"]

    verified = client.post(
        f"{url}/draw/verify", data={"csrf_token": csrf_token(page(client.get(url)))}
    )
    verdict = page(verified)
    assert verdict.h1.get_text(strip=True) == "The draw is verified"
    assert "same 5 children in the same order" in text_of(verdict)
    # Local ids are shown on the page, never carried in a flash message in the cookie.
    assert "W14-" not in (client.get_cookie("audit_session").value or "")

    opened = post_form(client, f"{url}/status", {"to": "collecting_returns"})
    assert opened.status_code == 302
    session.refresh(audit)
    assert audit.status is AuditStatus.COLLECTING
    returns = session.scalars(select(AgencyReturn).where(AgencyReturn.audit_id == audit.id)).all()
    assert len(returns) == 5 * 2
    matrix = page(client.get(url))
    assert "0 of 10" in text_of(matrix)
    assert len(matrix.select(".app-matrix tbody tr")) == 5


def test_returns_cannot_open_before_the_audit_is_ready(
    client: FlaskClient, users: dict[Role, User], session: Session
) -> None:
    audit = save_details(session, None, AuditDetails(title="Empty"))
    session.commit()
    sign_in(client, users[Role.ADMIN].email)
    response = post_form(client, f"/audits/{audit.id}/status", {"to": "collecting_returns"})
    text = text_of(page(response))
    assert "choose the audit template" in text and "draw the cohort of children" in text
    session.refresh(audit)
    assert audit.status is AuditStatus.DRAFT


def test_only_sensible_moves_are_offered(session: Session, draft: Audit) -> None:
    draw_cohort(session, draft, size=3, seed="x", filters=[], strata=None, user_id=None)
    assert MOVES[draft.status] == (AuditStatus.COLLECTING,)
    with pytest.raises(DomainError, match="cannot move to closed"):
        move(session, draft, AuditStatus.CLOSED)
    move(session, draft, AuditStatus.COLLECTING)
    move(session, draft, AuditStatus.PANEL)
    move(session, draft, AuditStatus.COLLECTING)  # the panel may reopen returns
    move(session, draft, AuditStatus.PANEL)
    move(session, draft, AuditStatus.ACTION_PLANNING)
    move(session, draft, AuditStatus.MONITORING)
    move(session, draft, AuditStatus.CLOSED)
    assert MOVES[AuditStatus.CLOSED] == ()
    session.flush()
    moves = session.scalars(
        select(AuditLogEntry)
        .where(
            AuditLogEntry.record_type == "audit",
            AuditLogEntry.record_id == str(draft.id),
            AuditLogEntry.action == "update",
        )
        .order_by(AuditLogEntry.id)
    ).all()
    statuses = [e.after["status"] for e in moves if e.after and "status" in e.after]
    assert statuses == [
        "collecting_returns",
        "panel",
        "collecting_returns",
        "panel",
        "action_planning",
        "monitoring",
        "closed",
    ]


# --- Redraws and changes by hand ----------------------------------------------------------


def test_a_redraw_needs_a_reason_and_is_refused_once_returns_start(
    session: Session, draft: Audit
) -> None:
    draw_cohort(session, draft, size=4, seed="first", filters=[], strata=None, user_id=None)
    with pytest.raises(DomainError, match="reason"):
        draw_cohort(session, draft, size=4, seed="second", filters=[], strata=None, user_id=None)
    draw_cohort(
        session,
        draft,
        size=4,
        seed="second",
        filters=[],
        strata=None,
        user_id=None,
        reason="The first list missed December discharges",
    )
    current = current_members(draft)
    # The new draw replaces the cohort: codes match the published draw (Child A first).
    assert [m.code for m in current] == ["Child A", "Child B", "Child C", "Child D"]
    assert len(draft.cohort) == 4
    records = session.scalars(select(CohortDraw).where(CohortDraw.audit_id == draft.id)).all()
    assert [r.reason for r in records] == ["", "The first list missed December discharges"]
    assert (
        session.scalar(select(func.count(CohortDraw.id)).where(CohortDraw.audit_id == draft.id))
        == 2
    )
    move(session, draft, AuditStatus.COLLECTING)
    started = session.scalars(select(AgencyReturn).where(AgencyReturn.audit_id == draft.id)).first()
    started.status = ReturnStatus.DRAFT
    session.flush()
    with pytest.raises(DomainError, match="Returns have started"):
        draw_cohort(
            session,
            draft,
            size=4,
            seed="third",
            filters=[],
            strata=None,
            user_id=None,
            reason="again",
        )


def test_add_and_remove_a_child_by_hand_with_reasons(
    client: FlaskClient, users: dict[Role, User], session: Session, draft: Audit
) -> None:
    draw_cohort(session, draft, size=3, seed="s", filters=[], strata=None, user_id=None)
    move(session, draft, AuditStatus.COLLECTING)
    session.commit()
    sign_in(client, users[Role.ADMIN].email)
    url = f"/audits/{draft.id}"
    no_reason = post_form(client, f"{url}/cohort/add", {"row": "0", "reason": ""})
    assert _errors(no_reason) == ["Give the reason for adding this child"]
    in_cohort = {m.identity.local_id for m in current_members(draft)}
    row = next(i for i in range(30) if f"W14-{i:04d}" not in in_cohort)
    added = post_form(
        client, f"{url}/cohort/add", {"row": str(row), "reason": "Known to the panel chair"}
    )
    assert added.status_code == 302
    session.refresh(draft)
    child_d = next(m for m in draft.cohort if m.code == "Child D")
    assert child_d.added_by_hand_reason == "Known to the panel chair"
    # Adding a child while returns are collected gives every agency a return for them.
    assert (
        session.scalar(
            select(func.count(AgencyReturn.id)).where(AgencyReturn.member_id == child_d.id)
        )
        == 2
    )
    removed = post_form(
        client, f"{url}/cohort/{child_d.id}/remove", {"reason": "Moved out of area"}
    )
    assert removed.status_code == 302
    session.refresh(child_d)
    assert child_d.removed_at is not None and child_d.removed_reason == "Moved out of area"
    assert (
        session.scalar(
            select(func.count(AgencyReturn.id)).where(AgencyReturn.member_id == child_d.id)
        )
        == 0
    )


# --- Identities apart ---------------------------------------------------------------------


def test_reviewers_see_only_references_released_to_their_agency(
    app: Flask, session: Session, draft: Audit, two_agencies: list[Agency]
) -> None:
    draw_cohort(session, draft, size=3, seed="s", filters=[], strata=None, user_id=None)
    camhs_link = next(lk for lk in draft.agencies if lk.agency_id == two_agencies[0].id)
    save_agency_link(
        session,
        camhs_link,
        lead_contact="",
        lead_contact_email=None,
        return_deadline=None,
        released_reference_fields=["NHS number"],
        reference_columns=["local_id", "NHS number"],
    )
    move(session, draft, AuditStatus.COLLECTING)
    session.commit()
    camhs = make_user(session, Role.REVIEWER, two_agencies[0], email="c@example.org")
    police = make_user(session, Role.REVIEWER, two_agencies[1], email="p@example.org")
    identities = [m.identity for m in current_members(draft)]
    for reviewer, sees_nhs in ((camhs, True), (police, False)):
        client = app.test_client()
        sign_in(client, reviewer.email)
        home = text_of(page(client.get("/")))
        assert "Child A" in home
        for identity in identities:
            assert identity.full_name not in home and identity.local_id not in home
            assert (identity.references["NHS number"] in home) is sees_nhs
        assert client.get(f"/audits/{draft.id}").status_code == 403
        assert client.get(f"/audits/{draft.id}/identities").status_code == 403


def test_panel_and_subgroup_never_see_identities(
    app: Flask, session: Session, draft: Audit, users: dict[Role, User]
) -> None:
    draw_cohort(session, draft, size=3, seed="s", filters=[], strata=None, user_id=None)
    set_panel(session, draft, [users[Role.PANEL].id], users[Role.PANEL].id)
    move(session, draft, AuditStatus.COLLECTING)
    session.commit()
    names = [m.identity.full_name for m in current_members(draft)]
    for role in (Role.PANEL, Role.SUBGROUP):
        client = app.test_client()
        sign_in(client, users[role].email)
        home = text_of(page(client.get("/")))
        assert not any(name in home for name in names)
        for path in ("", "/identities", "/draw", "/population/columns"):
            assert client.get(f"/audits/{draft.id}{path}").status_code == 403


def test_the_lead_sees_identities(
    client: FlaskClient, users: dict[Role, User], session: Session, draft: Audit
) -> None:
    draw_cohort(session, draft, size=3, seed="s", filters=[], strata=None, user_id=None)
    session.commit()
    sign_in(client, users[Role.ADMIN].email)
    shown = text_of(page(client.get(f"/audits/{draft.id}/identities")))
    for member in current_members(draft):
        assert member.identity.full_name in shown and member.code in shown


def test_purge_removes_identities_and_keeps_findings(
    app: Flask, session: Session, draft: Audit
) -> None:
    draw_cohort(session, draft, size=3, seed="s", filters=[], strata=None, user_id=None)
    move(session, draft, AuditStatus.COLLECTING)
    with pytest.raises(DomainError, match="once the audit is closed"):
        purge_identities(session, draft)
    for to in (
        AuditStatus.PANEL,
        AuditStatus.ACTION_PLANNING,
        AuditStatus.MONITORING,
        AuditStatus.CLOSED,
    ):
        move(session, draft, to)
    session.commit()
    returns_before = session.scalar(
        select(func.count(AgencyReturn.id)).where(AgencyReturn.audit_id == draft.id)
    )
    result = app.test_cli_runner().invoke(args=["purge-identities", str(draft.id), "--yes"])
    assert result.exit_code == 0, result.output
    assert "3 children" in result.output
    session.expire_all()
    member_ids = [m.id for m in draft.cohort]
    assert (
        session.scalar(
            select(func.count(ChildIdentity.id)).where(ChildIdentity.member_id.in_(member_ids))
        )
        == 0
    )
    assert all(
        p.rows == []
        for p in session.scalars(select(PopulationList).where(PopulationList.audit_id == draft.id))
    )
    assert [m.code for m in current_members(draft)] == ["Child A", "Child B", "Child C"]
    assert (
        session.scalar(select(func.count(AgencyReturn.id)).where(AgencyReturn.audit_id == draft.id))
        == returns_before
    )
    assert draft.identities_purged_at is not None
    again = app.test_cli_runner().invoke(args=["purge-identities", str(draft.id), "--yes"])
    assert again.exit_code == 1 and "already been purged" in again.output
    with pytest.raises(DomainError, match="purged"):
        verify_current_draw(session, draft)
    logged = session.scalars(
        select(AuditLogEntry).where(
            AuditLogEntry.record_type == "child_identity", AuditLogEntry.action == "delete"
        )
    ).all()
    assert len(logged) >= 3 and all(e.before["full_name"] == "[redacted]" for e in logged)


# --- Returns matrix and reminders ----------------------------------------------------------


def test_overdue_agencies_are_highlighted_and_reminded(
    client: FlaskClient,
    users: dict[Role, User],
    session: Session,
    draft: Audit,
    two_agencies: list[Agency],
) -> None:
    draw_cohort(session, draft, size=2, seed="s", filters=[], strata=None, user_id=None)
    police_link = next(lk for lk in draft.agencies if lk.agency_id == two_agencies[1].id)
    police_link.return_deadline = date.today() - timedelta(days=1)
    move(session, draft, AuditStatus.COLLECTING)
    for agency_return in session.scalars(
        select(AgencyReturn).where(AgencyReturn.agency_id == two_agencies[0].id)
    ):
        agency_return.status = ReturnStatus.SUBMITTED
    session.commit()
    sign_in(client, users[Role.ADMIN].email)
    soup = page(client.get(f"/audits/{draft.id}"))
    overdue = [text_of(row) for row in soup.select("tr.app-row--overdue")]
    assert len(overdue) == 1 and "Police" in overdue[0] and "Overdue" in overdue[0]
    assert "2 of 4" in text_of(soup)
    form = soup.find("form", action=f"/audits/{draft.id}/reminders")
    response = client.post(form["action"], data={"csrf_token": csrf_token(form)})
    assert "recorded in the audit log" in text_of(page(client.get(response.location)))
    reminders = session.scalars(select(Reminder).where(Reminder.audit_id == draft.id)).all()
    assert [(r.agency_id, r.outstanding, r.emailed) for r in reminders] == [
        (two_agencies[1].id, 2, False)
    ]
    assert (
        session.scalar(
            select(func.count(AuditLogEntry.id)).where(AuditLogEntry.record_type == "reminder")
        )
        == 1
    )


def test_reminders_are_emailed_when_smtp_is_set_up(
    app: Flask,
    client: FlaskClient,
    users: dict[Role, User],
    session: Session,
    draft: Audit,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sent: list[Any] = []

    class FakeSMTP:
        def __init__(self, host: str, port: int, timeout: int) -> None:
            assert (host, port) == ("smtp.example.org", 587)

        def __enter__(self) -> FakeSMTP:
            return self

        def __exit__(self, *args: object) -> None:
            return None

        def starttls(self, context: object) -> None:
            return None

        def send_message(self, message: Any) -> None:
            sent.append(message)

    monkeypatch.setattr("audit_app.core.notifications.smtplib.SMTP", FakeSMTP)
    monkeypatch.setitem(app.config, "AUDIT_SMTP_HOST", "smtp.example.org")
    monkeypatch.setitem(app.config, "AUDIT_SMTP_FROM", "audit@example.org")
    draw_cohort(session, draft, size=2, seed="s", filters=[], strata=None, user_id=None)
    move(session, draft, AuditStatus.COLLECTING)
    session.commit()
    sign_in(client, users[Role.ADMIN].email)
    soup = page(client.get(f"/audits/{draft.id}"))
    form = soup.find("form", action=f"/audits/{draft.id}/reminders")
    response = client.post(form["action"], data={"csrf_token": csrf_token(form)})
    assert "1 of 2 agencies were reminded by email" in text_of(page(client.get(response.location)))
    assert [m["To"] for m in sent] == ["police@example.org"]
    body = sent[0].get_content()
    assert "2 of 2 returns" in body
    assert not any(m.identity.full_name in body for m in current_members(draft))


def test_a_stratified_draw_by_age_band_from_the_page(
    client: FlaskClient, users: dict[Role, User], session: Session, draft: Audit
) -> None:
    sign_in(client, users[Role.ADMIN].email)
    response = post_form(
        client,
        f"/audits/{draft.id}/draw",
        {
            "size": "6",
            "seed": "strata",
            "strata_column": "Date of birth",
            "strata_bands": "0-9,10-19 on 31/12/2020",
            "filter_1_column": "Gender",
            "filter_1_condition": "=",
            "filter_1_value": "f",
        },
    )
    assert response.status_code == 302, _errors(response)
    record = current_draw(session, draft)
    assert record.strata_column == "age(Date of birth)@2020-12-31:0-9,10-19"
    assert record.filters == ["Gender=f"]
    assert sum(record.allocation.values()) == 6
    shown = text_of(page(client.get(f"/audits/{draft.id}")))
    assert "Stratified random draw" in shown and "Gender=f" in shown
    # Drawing again shows the same choices filled in, and asks why.
    again = page(client.get(f"/audits/{draft.id}/draw"))
    assert again.find("input", attrs={"name": "filter_1_value"})["value"] == "f"
    assert again.find("input", attrs={"name": "strata_bands"})["value"] == "0-9,10-19 on 31/12/2020"
    no_reason = post_form(client, f"/audits/{draft.id}/draw", {"size": "6", "seed": "x"})
    assert _errors(no_reason) == ["Give the reason for drawing again"]


def test_problems_name_the_spreadsheet_row_even_after_blank_rows(
    client: FlaskClient, users: dict[Role, User], session: Session, draft: Audit
) -> None:
    content = HEADER + "A1,One,01/01/2010,2020-01-01,F,1\n\n\nA1,Two,01/01/2011,2020-01-01,M,2\n"
    sign_in(client, users[Role.ADMIN].email)
    uploaded = _upload(client, f"/audits/{draft.id}/population", content.encode(), "gaps.csv")
    assert uploaded.status_code == 302
    response = post_form(
        client,
        f"/audits/{draft.id}/population/columns",
        {"local_id": "Local ID", "name": "Name", "date_of_birth": "Date of birth"},
    )
    rows = [text_of(r) for r in page(response).select("#population-problems tbody tr")]
    # Row 5 in the spreadsheet, though it is the second child (two blank rows come first).
    assert rows == ["Local ID rows 2 and 5 have the same local id 'A1'"]


def test_names_and_dates_of_birth_can_never_be_released(
    client: FlaskClient, users: dict[Role, User], draft: Audit
) -> None:
    sign_in(client, users[Role.ADMIN].email)
    response = post_form(
        client,
        f"/audits/{draft.id}/population/columns",
        {
            "local_id": "Local ID",
            "name": "Name",
            "date_of_birth": "Date of birth",
            "reference_columns": ["NHS number", "Name", "Date of birth"],
        },
    )
    rows = [text_of(r) for r in page(response).select("#population-problems tbody tr")]
    assert len(rows) == 2 and all("cannot be agency references" in r for r in rows)


def test_filters_cannot_single_out_a_child_by_name(session: Session, draft: Audit) -> None:
    with pytest.raises(DomainError, match="identifies children"):
        draw_cohort(
            session,
            draft,
            size=1,
            seed="s",
            filters=["Name=Child Name 3"],
            strata=None,
            user_id=None,
        )


def test_the_cohort_cannot_change_once_the_audit_has_moved_on(
    session: Session, draft: Audit
) -> None:
    draw_cohort(session, draft, size=2, seed="s", filters=[], strata=None, user_id=None)
    move(session, draft, AuditStatus.COLLECTING)
    move(session, draft, AuditStatus.PANEL)
    with pytest.raises(DomainError, match="cannot change once the audit has moved on"):
        draw_cohort(
            session, draft, size=2, seed="t", filters=[], strata=None, user_id=None, reason="again"
        )
    with pytest.raises(DomainError, match="cannot change"):
        add_member_by_hand(session, draft, 20, "late")
    with pytest.raises(DomainError, match="cannot change"):
        remove_member(session, draft, current_members(draft)[0], "gone")


def test_the_purge_clears_free_text_that_might_name_a_child(session: Session, draft: Audit) -> None:
    draw_cohort(session, draft, size=2, seed="s", filters=[], strata=None, user_id=None)
    add_member_by_hand(session, draft, 29, "Sibling of Child Name 4")
    for to in (
        AuditStatus.COLLECTING,
        AuditStatus.PANEL,
        AuditStatus.ACTION_PLANNING,
        AuditStatus.MONITORING,
        AuditStatus.CLOSED,
    ):
        move(session, draft, to)
    purge_identities(session, draft)
    assert all(m.added_by_hand_reason in (None, "[purged]") for m in draft.cohort)
    stored = session.scalars(
        select(PopulationList).where(PopulationList.audit_id == draft.id)
    ).all()
    assert all(p.filename == "[purged]" and p.rows == [] for p in stored)


def test_a_failed_reminder_email_is_recorded_and_the_rest_go_on(
    session: Session, draft: Audit, users: dict[Role, User], two_agencies: list[Agency]
) -> None:
    draw_cohort(session, draft, size=2, seed="s", filters=[], strata=None, user_id=None)
    for link in draft.agencies:
        link.lead_contact_email = f"{link.agency.short_name.lower()}@example.org"
    move(session, draft, AuditStatus.COLLECTING)
    delivered: list[str] = []

    def send(to: str, subject: str, body: str) -> None:
        if to.startswith("police"):
            raise OSError("connection refused")
        delivered.append(to)

    result = send_reminders(session, draft, users[Role.ADMIN], send, "the service")
    assert delivered == ["camhs@example.org"]
    assert result.failed == ["Police"]
    assert sorted((r.recipient, r.emailed) for r in result.reminders) == [
        ("camhs@example.org", True),
        ("police@example.org", False),
    ]


def test_an_id_column_that_holds_names_is_refused(
    client: FlaskClient, users: dict[Role, User], draft: Audit
) -> None:
    """Swapping the name and id columns would release names to agencies as "Local id"."""
    sign_in(client, users[Role.ADMIN].email)
    response = post_form(
        client,
        f"/audits/{draft.id}/population/columns",
        {"local_id": "Name", "name": "Local ID", "date_of_birth": "Date of birth"},
    )
    soup = page(response)
    assert "The columns chosen do not work with this list" in text_of(soup)
    rows = [text_of(r) for r in soup.select("#population-problems tbody tr")]
    assert rows and "looks like children's names, not ids" in rows[0]
