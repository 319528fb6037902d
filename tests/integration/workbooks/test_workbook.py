"""The offline workbook through the web: download, fill with openpyxl, upload, check, save."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import date
from typing import Any

import openpyxl
import pytest
from bs4 import BeautifulSoup
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from audit_app import create_app
from audit_app.agencies.register import save_agency
from audit_app.models import (
    Agency,
    AgencyReturn,
    AgencySector,
    Answer,
    Audit,
    ReturnStatus,
    Role,
    User,
)
from audit_app.workbooks.workbook import ABOUT_SHEET, FIRST_ROW
from tests.conftest import csrf_token, make_user, page, sign_in, text_of
from tests.integration.returns.test_returns import SECTION_1, SECTION_2, own_return, save
from tests.integration.returns.test_returns import collecting as collecting_fixture  # noqa: F401 (fixture)

# The same answers as SECTION_1 and SECTION_2, as a reviewer writes them in the workbook.
WRITTEN = {
    "early_help_offered": "No",
    "missed_opportunity": "GP saw her twice in May",
    "who_referred": "GP",
    "overall": "Requires improvement",
    "confidence": "High",
    "referral_date": date(2021, 2, 3),
    "days_waited": 42,
    "chronology": "05/06/2020: Seen in ED",
}
WHY = {"overall": "No plan after discharge"}


@pytest.fixture(scope="module")
def workbook_app(app: Flask) -> Iterator[Flask]:
    """The app with the workbooks blueprint, until it is registered in create_app: a fresh
    app sharing the test app's database (so each test's rollback covers it too)."""
    if "workbooks" in app.blueprints:
        yield app
        return
    from audit_app.views import workbooks

    fresh = create_app({"TESTING": True, "AUDIT_DATABASE_URL": app.config["AUDIT_DATABASE_URL"]})
    fresh.register_blueprint(workbooks.blueprint)
    fresh.extensions["audit_db"].engine.dispose()
    fresh.extensions["audit_db"] = app.extensions["audit_db"]
    yield fresh


@pytest.fixture
def collecting(collecting_fixture: Audit) -> Audit:  # noqa: F811 (a fixture)
    """test_returns' audit collecting returns: the reviewer's agency and the police, two
    children."""
    return collecting_fixture


@pytest.fixture
def client(workbook_app: Flask, session: Session) -> FlaskClient:
    return workbook_app.test_client()


@pytest.fixture
def reviewer(client: FlaskClient, users: dict[Role, User]) -> FlaskClient:
    sign_in(client, users[Role.REVIEWER].email)
    return client


def download(client: FlaskClient, audit: Audit) -> bytes:
    response = client.get(f"/audits/{audit.id}/workbook")
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "no-store"
    return response.data


def fill(
    raw: bytes, sheet: str, answers: dict[str, Any], why: dict[str, str] | None = None
) -> bytes:
    """Fill a child's sheet as a reviewer would in Excel."""
    book = openpyxl.load_workbook(io.BytesIO(raw))
    rows = {book[sheet][f"F{row}"].value: row for row in range(FIRST_ROW, book[sheet].max_row + 1)}
    for question_id, value in answers.items():
        cell = book[sheet][f"C{rows[question_id]}"]
        cell.value = value
        if isinstance(value, str):
            cell.data_type = "s"  # typed text, as Excel keeps text that starts with '
    for question_id, reason in (why or {}).items():
        book[sheet][f"D{rows[question_id]}"] = reason
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(client: FlaskClient, audit: Audit, raw: bytes, name: str = "workbook.xlsx") -> Any:
    url = f"/audits/{audit.id}/workbook/upload"
    soup = page(client.get(url))
    return client.post(
        url,
        data={"csrf_token": csrf_token(soup), "file": (io.BytesIO(raw), name)},
        content_type="multipart/form-data",
    )


def confirm(client: FlaskClient, soup: BeautifulSoup, choices: dict[str, str] | None = None) -> Any:
    form = soup.find("form", id="changes")
    assert form is not None, "no changes to confirm"
    parts = [field["value"] for field in form.find_all("input", attrs={"name": "upload"})]
    return client.post(
        form["action"],
        data={"csrf_token": csrf_token(form), "upload": parts, **(choices or {})},
        content_type="multipart/form-data",
    )


def answers_of(session: Session, agency_return: AgencyReturn) -> dict[str, tuple]:
    session.expire_all()
    return {
        a.question_id: (a.value, a.column, a.rationale)
        for a in session.scalars(select(Answer).where(Answer.return_id == agency_return.id))
    }


# --- The round trip ----------------------------------------------------------------------


def test_round_trip_stores_the_same_answers_as_the_web_form(
    reviewer: FlaskClient, session: Session, collecting: Audit, agency: Agency
) -> None:
    child_a = own_return(session, collecting, agency.id, "Child A")
    child_b = own_return(session, collecting, agency.id, "Child B")
    # Child A is answered through the web form.
    base = f"/returns/{child_a.id}/sections"
    assert save(reviewer, f"{base}/1", {**SECTION_1, "action": "continue"}).status_code == 302
    assert save(reviewer, f"{base}/2", SECTION_2).status_code == 302

    workbook_page = page(reviewer.get(f"/audits/{collecting.id}/workbook/upload"))
    assert "Work offline with a workbook" in text_of(workbook_page)
    link = workbook_page.find("a", href=f"/audits/{collecting.id}/workbook")
    assert link is not None
    raw = download(reviewer, collecting)

    # The web form's answers are in the workbook as the reviewer would write them.
    sheet = openpyxl.load_workbook(io.BytesIO(raw))["Child A"]
    written = {sheet[f"F{r}"].value: sheet[f"C{r}"].value for r in range(FIRST_ROW, 14)}
    assert written["early_help_offered"] == "No" and written["overall"] == "Requires improvement"
    assert written["referral_date"].date() == date(2021, 2, 3)
    assert written["chronology"] == "05/06/2020: Seen in ED"

    # Child B is answered in the workbook, offline.
    preview = upload(reviewer, collecting, fill(raw, "Child B", WRITTEN, WHY))
    assert preview.status_code == 200
    soup = page(preview)
    text = text_of(soup)
    assert "Check the changes from your workbook" in text and "Nothing has been saved yet" in text
    assert "Saving will change 8 answers for 1 child" in text
    table = text_of(soup.find("table"))
    assert "Overall grade Not answered Requires improvement Why: No plan after discharge C9" in (
        table
    )
    assert answers_of(session, child_b) == {}  # nothing saved before confirming

    saved = confirm(reviewer, soup)
    assert saved.status_code == 302
    assert saved.location == f"/audits/{collecting.id}/workbook/upload"
    done = text_of(page(reviewer.get(saved.location)))
    assert "saved as drafts: 8 answers for Child B" in done
    assert answers_of(session, child_b) == answers_of(session, child_a)
    session.refresh(child_b)
    assert child_b.status is ReturnStatus.DRAFT

    # Uploading the same workbook again changes nothing.
    again = text_of(page(upload(reviewer, collecting, fill(raw, "Child B", WRITTEN, WHY))))
    assert "makes no changes that can be saved" in again


def test_every_answer_type_round_trips_through_a_new_download(
    reviewer: FlaskClient, session: Session, collecting: Audit, agency: Agency
) -> None:
    child_a = own_return(session, collecting, agency.id, "Child A")
    raw = fill(
        download(reviewer, collecting),
        "Child A",
        {
            **WRITTEN,
            "services": "Social care; CAMHS",
            "chronology": "01/01/2021: Later\n05/06/2020: Seen in ED\n  and sent home",
            "missed_opportunity": '=HYPERLINK("http://evil")',
        },
        WHY,
    )
    confirm(reviewer, page(upload(reviewer, collecting, raw)))
    stored = answers_of(session, child_a)
    assert stored["services"][0] == ["camhs", "social_care"]
    assert stored["chronology"][0] == [
        {"date": "2020-06-05", "text": "Seen in ED\n  and sent home"},
        {"date": "2021-01-01", "text": "Later"},
    ]
    assert stored["missed_opportunity"][0] == '=HYPERLINK("http://evil")'
    # A fresh download writes them back the same way, and as text, not a formula.
    book = openpyxl.load_workbook(io.BytesIO(download(reviewer, collecting)))
    cell = book["Child A"]["C6"]
    assert cell.value == '=HYPERLINK("http://evil")' and cell.data_type == "s"
    assert book["Child A"]["C8"].value == "CAMHS; Social care"
    again = upload(reviewer, collecting, download(reviewer, collecting))
    assert "makes no changes that can be saved" in text_of(page(again))


# --- Stale workbooks: the reviewer chooses --------------------------------------------------


def test_an_answer_changed_online_since_the_download_is_never_overwritten_silently(
    reviewer: FlaskClient, session: Session, collecting: Audit, agency: Agency
) -> None:
    child_a = own_return(session, collecting, agency.id, "Child A")
    raw = download(reviewer, collecting)
    # After the download, someone answers online.
    url = f"/returns/{child_a.id}/sections/2"
    save(reviewer, url, {"overall": "good", "overall__rationale": "Clear plan", "days_waited": "7"})
    filled = fill(
        raw, "Child A", {"overall": "Inadequate", "who_referred": "School"}, {"overall": "None"}
    )
    soup = page(upload(reviewer, collecting, filled))
    text = text_of(soup)
    assert "1 answer was changed online after you downloaded the workbook" in text
    assert "This return has been saved online since you downloaded the workbook" in text
    name = f"choice_{child_a.id}_overall"
    radios = soup.find_all("input", attrs={"name": name})
    assert [r["value"] for r in radios] == ["online", "workbook"]
    labels = text_of(soup.find(id=f"{name}").find_parent("fieldset"))
    assert "Keep the online answer: Good; Why: Clear plan" in labels
    assert "Use the workbook answer: Inadequate; Why: None" in labels
    assert "sheet 'Child A', cell C9" in labels
    # Changed online only: the online answer stays.
    assert "so the online answer is kept: Days waited for assessment" in text

    # Saving without choosing saves nothing at all.
    refused = page(confirm(reviewer, soup))
    summary = text_of(refused.select_one(".govuk-error-summary"))
    assert "Choose which answer to keep for 'Overall grade' (Child A)" in summary
    assert refused.select_one(".govuk-error-summary a")["href"] == f"#{name}"
    assert refused.title.get_text().startswith("Error:")
    stored = answers_of(session, child_a)
    assert stored["overall"][0] == "good" and "who_referred" not in stored

    # Keeping the online answer keeps it; the other change is saved.
    assert confirm(reviewer, refused, {name: "online"}).status_code == 302
    stored = answers_of(session, child_a)
    assert stored["overall"][0::2] == ("good", "Clear plan")
    assert stored["who_referred"][0] == "school"
    assert stored["days_waited"][0] == 7


def test_the_reviewer_can_choose_the_workbook_answer(
    reviewer: FlaskClient, session: Session, collecting: Audit, agency: Agency
) -> None:
    child_a = own_return(session, collecting, agency.id, "Child A")
    raw = download(reviewer, collecting)
    save(reviewer, f"/returns/{child_a.id}/sections/2", {"overall": "good"})
    soup = page(upload(reviewer, collecting, fill(raw, "Child A", {"overall": "Inadequate"})))
    assert confirm(reviewer, soup, {f"choice_{child_a.id}_overall": "workbook"}).status_code == 302
    assert answers_of(session, child_a)["overall"][0] == "inadequate"


def test_a_save_made_while_checking_is_not_lost(
    reviewer: FlaskClient, session: Session, collecting: Audit, agency: Agency
) -> None:
    child_a = own_return(session, collecting, agency.id, "Child A")
    raw = fill(download(reviewer, collecting), "Child A", {"overall": "Good"})
    soup = page(upload(reviewer, collecting, raw))
    save(reviewer, f"/returns/{child_a.id}/sections/2", {"overall": "inadequate"})
    again = page(confirm(reviewer, soup))
    assert "Someone saved some of these returns while you were checking" in text_of(
        again.select_one(".govuk-error-summary")
    )
    assert answers_of(session, child_a)["overall"][0] == "inadequate"
    # The page now shows the conflict to decide.
    assert again.find("input", attrs={"name": f"choice_{child_a.id}_overall"}) is not None


def test_returns_already_sent_in_are_named_and_not_changed(
    reviewer: FlaskClient, session: Session, collecting: Audit, agency: Agency
) -> None:
    child_b = own_return(session, collecting, agency.id, "Child B")
    raw = download(reviewer, collecting)
    child_b.status = ReturnStatus.NO_INVOLVEMENT
    session.commit()
    filled = fill(raw, "Child A", {"who_referred": "GP"})
    filled = fill(filled, "Child B", {"who_referred": "School"})
    soup = page(upload(reviewer, collecting, filled))
    assert "already been sent in, so the workbook's changes to them cannot be saved: Child B" in (
        text_of(soup.select_one("#sent-in"))
    )
    done = confirm(reviewer, soup)
    message = text_of(page(reviewer.get(done.location)))
    assert "1 answer for Child A" in message
    assert "Not changed, because they have already been sent in: Child B" in message
    assert answers_of(session, child_b) == {}


# --- Refused or flagged ----------------------------------------------------------------------


def _refusal(response: Any) -> str:
    assert response.status_code == 200
    soup = page(response)
    assert soup.title.get_text().startswith("Error:")
    assert soup.find("form", id="changes") is None  # no way on to saving
    return text_of(soup.select_one(".govuk-error-summary")) + " " + text_of(soup.select_one("main"))


def test_a_tampered_workbook_is_refused_naming_sheet_and_cell(
    reviewer: FlaskClient, session: Session, collecting: Audit, agency: Agency
) -> None:
    raw = download(reviewer, collecting)
    book = openpyxl.load_workbook(io.BytesIO(raw))
    book[ABOUT_SHEET]["B9"] = "0" * 64  # the template fingerprint
    book["Child A"]["C7"] = "School"
    out = io.BytesIO()
    book.save(out)
    text = _refusal(upload(reviewer, collecting, out.getvalue()))
    assert "Sheet 'About this workbook', cell B9" in text and "tampered" in text

    book = openpyxl.load_workbook(io.BytesIO(raw))
    part = book[ABOUT_SHEET]["B14"]
    part.value = "AAAA" + part.value[4:] if not part.value.startswith("AAAA") else "B" + part.value
    out = io.BytesIO()
    book.save(out)
    text = _refusal(upload(reviewer, collecting, out.getvalue()))
    assert "Sheet 'About this workbook', cell B12" in text and "cells B14" in text
    assert answers_of(session, own_return(session, collecting, agency.id)) == {}


def test_another_agencys_workbook_is_refused(
    workbook_app: Flask,
    reviewer: FlaskClient,
    session: Session,
    collecting: Audit,
    agency: Agency,
) -> None:
    raw = fill(download(reviewer, collecting), "Child A", {"who_referred": "School"})
    police = session.scalar(select(Agency).where(Agency.short_name == "Police"))
    officer = make_user(session, Role.REVIEWER, police, email="police.reviewer@example.org")
    other = workbook_app.test_client()
    sign_in(other, officer.email)
    text = _refusal(upload(other, collecting, raw))
    assert "Sheet 'About this workbook', cell B7" in text
    assert f"This workbook is for {agency.name}, not your agency" in text
    assert answers_of(session, own_return(session, collecting, agency.id)) == {}


def test_bad_values_are_named_and_nothing_is_saved(
    reviewer: FlaskClient, session: Session, collecting: Audit, agency: Agency
) -> None:
    raw = fill(
        download(reviewer, collecting),
        "Child B",
        {
            "early_help_offered": "Maybe",
            "who_referred": "GP",
            "referral_date": "next week",
            "days_waited": "lots",
        },
    )
    response = upload(reviewer, collecting, raw)
    text = _refusal(response)
    assert "Nothing has been saved: the workbook has 3 problems" in text
    rows = [text_of(row) for row in page(response).select("#workbook-problems tbody tr")]
    assert rows[0].startswith("Sheet 'Child B', cell C5 'Maybe' is not one of the answers")
    assert rows[1].startswith("Sheet 'Child B', cell C11 'next week' is not a date")
    assert rows[2].startswith("Sheet 'Child B', cell C12 'lots' is not a whole number")
    assert answers_of(session, own_return(session, collecting, agency.id, "Child B")) == {}


@pytest.mark.parametrize(
    ("raw", "name", "said"),
    [
        (b"PK\x03\x04 not really a zip", "workbook.xlsx", "is not an Excel workbook (.xlsx)"),
        (b"Child,Answer\nA,yes\n", "answers.csv", "The file must be an Excel workbook (.xlsx)"),
        (b"", "workbook.xlsx", "is not an Excel workbook (.xlsx)"),
    ],
    ids=["not-xlsx", "csv", "empty"],
)
def test_what_is_not_a_workbook_is_refused(
    reviewer: FlaskClient, collecting: Audit, raw: bytes, name: str, said: str
) -> None:
    assert said in _refusal(upload(reviewer, collecting, raw, name))


def test_a_zip_bomb_is_refused_before_it_is_opened(
    reviewer: FlaskClient, collecting: Audit
) -> None:
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", b"<x/>")
        archive.writestr("xl/worksheets/sheet1.xml", b" " * (150 * 1024 * 1024))
    assert len(out.getvalue()) < 1024 * 1024
    text = _refusal(upload(reviewer, collecting, out.getvalue()))
    assert "far too large once unpacked" in text


def test_a_tampered_or_foreign_confirmation_is_refused(
    workbook_app: Flask,
    reviewer: FlaskClient,
    session: Session,
    collecting: Audit,
    agency: Agency,
) -> None:
    raw = fill(download(reviewer, collecting), "Child A", {"who_referred": "School"})
    soup = page(upload(reviewer, collecting, raw))
    field = soup.find("input", attrs={"name": "upload"})
    field["value"] = field["value"][:-3] + ("abc" if field["value"][-3:] != "abc" else "xyz")
    text = _refusal(confirm(reviewer, soup))
    assert "Your upload has expired or could not be read" in text
    # Another reviewer of the same agency cannot replay it either.
    soup = page(upload(reviewer, collecting, raw))
    colleague = make_user(session, Role.REVIEWER, agency, email="colleague@example.org")
    other = workbook_app.test_client()
    sign_in(other, colleague.email)
    form = soup.find("form", id="changes")
    response = other.post(
        form["action"],
        data={
            "csrf_token": csrf_token(page(other.get(f"/audits/{collecting.id}/workbook/upload"))),
            "upload": [f["value"] for f in form.find_all("input", attrs={"name": "upload"})],
        },
        content_type="multipart/form-data",
    )
    assert "Your upload has expired or could not be read" in _refusal(response)
    assert answers_of(session, own_return(session, collecting, agency.id)) == {}


# --- Access ----------------------------------------------------------------------------------


def test_a_reviewer_of_an_agency_not_in_the_audit_finds_nothing(
    workbook_app: Flask, session: Session, users: dict[Role, User], collecting: Audit
) -> None:
    education = save_agency(
        session,
        None,
        name="Education",
        short_name="Schools",
        sector=AgencySector.EDUCATION,
        contact_email=None,
    )
    outsider = make_user(session, Role.REVIEWER, education, email="school.reviewer@example.org")
    client = workbook_app.test_client()
    sign_in(client, outsider.email)
    token = csrf_token(page(client.get("/")).find("form", action="/sign-out"))
    base = f"/audits/{collecting.id}/workbook"
    for method, url in [
        ("GET", base),
        ("GET", f"{base}/upload"),
        ("POST", f"{base}/upload"),
        ("POST", f"{base}/confirm"),
    ]:
        response = client.open(
            url,
            method=method,
            data={"csrf_token": token, "file": (io.BytesIO(b"x"), "w.xlsx")},
            content_type="multipart/form-data",
        )
        assert response.status_code == 404, (method, url, response.status_code)
    for url in ("/audits/999999/workbook", "/audits/999999/workbook/upload"):
        assert client.get(url).status_code == 404


def test_only_reviewers_may_use_the_workbook(
    workbook_app: Flask, users: dict[Role, User], collecting: Audit
) -> None:
    for role in (Role.ADMIN, Role.PANEL, Role.SUBGROUP):
        client = workbook_app.test_client()
        sign_in(client, users[role].email)
        assert client.get(f"/audits/{collecting.id}/workbook").status_code == 403
    anonymous = workbook_app.test_client()
    response = anonymous.get(f"/audits/{collecting.id}/workbook/upload")
    assert response.status_code == 302 and response.location.startswith("/sign-in")
