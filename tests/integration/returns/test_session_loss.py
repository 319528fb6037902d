"""Typing is not lost when the session ends: an expired form, signed out elsewhere, `next`."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from audit_app.models import (
    Agency,
    AgencyReturn,
    Answer,
    Audit,
    ChronologyEntry,
    ReturnStatus,
    Role,
    UrgentConcern,
    User,
)
from audit_app.returns.answering import raise_concern
from tests.conftest import PASSWORD, csrf_token, page, sign_in, text_of
from tests.integration.returns.test_returns import collecting, own_return  # noqa: F401

TYPED = "GP saw her twice in May; nobody asked about home"
EXPIRED_MESSAGE = "Your answers have not been saved yet"


def _answers(session: Session, return_id: int) -> list[Answer]:
    session.expire_all()
    return list(session.scalars(select(Answer).where(Answer.return_id == return_id)))


def test_an_expired_form_shows_the_typed_answers_again_and_saves_nothing(
    client: FlaskClient,
    users: dict[Role, User],
    session: Session,
    collecting: Audit,  # noqa: F811
    agency: Agency,
) -> None:
    sign_in(client, users[Role.REVIEWER].email)
    agency_return = own_return(session, collecting, agency.id)
    url = f"/returns/{agency_return.id}/sections/1"
    soup = page(client.get(url))
    version = soup.find("input", attrs={"name": "version"})["value"]
    # The page's token no longer matches the session (signed out and in again in another tab).
    response = client.post(
        url,
        data={
            "csrf_token": "a-token-from-an-earlier-session",
            "version": version,
            "missed_opportunity": TYPED,
            "early_help_offered": "no",
            "action": "continue",
        },
    )
    assert response.status_code == 200
    soup = page(response)
    text = text_of(soup)
    assert EXPIRED_MESSAGE in text
    assert soup.find("textarea", attrs={"name": "missed_opportunity"}).get_text() == TYPED
    assert soup.find("input", attrs={"name": "early_help_offered", "value": "no"}).has_attr(
        "checked"
    )
    # The re-rendered form carries a fresh token and the version the page was built from.
    assert csrf_token(soup) != "a-token-from-an-earlier-session"
    assert soup.find("input", attrs={"name": "version"})["value"] == version
    assert _answers(session, agency_return.id) == []

    # Saving it again works.
    response = client.post(
        url,
        data={
            "csrf_token": csrf_token(soup),
            "version": version,
            "missed_opportunity": TYPED,
            "early_help_offered": "no",
            "action": "continue",
        },
    )
    assert response.status_code == 302
    assert TYPED in [answer.value for answer in _answers(session, agency_return.id)]


def test_an_expired_form_of_someone_signed_out_goes_to_sign_in_and_back(
    client: FlaskClient,
    users: dict[Role, User],
    session: Session,
    collecting: Audit,  # noqa: F811
    agency: Agency,
) -> None:
    sign_in(client, users[Role.REVIEWER].email)
    agency_return = own_return(session, collecting, agency.id)
    url = f"/returns/{agency_return.id}/sections/1"
    soup = page(client.get(url))
    # The session cookie has gone (it expired, or the person signed out in another tab).
    client.delete_cookie("audit_session")
    response = client.post(url, data={"csrf_token": csrf_token(soup), "missed_opportunity": TYPED})
    assert response.status_code == 302
    target = urlsplit(response.headers["Location"])
    assert target.path == "/sign-in"
    assert parse_qs(target.query)["next"] == [url]
    sign_in_page = text_of(page(client.get(response.headers["Location"])))
    assert "You have been signed out" in sign_in_page
    assert _answers(session, agency_return.id) == []


def test_signing_in_again_goes_back_to_the_section_page(
    client: FlaskClient,
    users: dict[Role, User],
    session: Session,
    collecting: Audit,  # noqa: F811
    agency: Agency,
) -> None:
    reviewer = users[Role.REVIEWER]
    sign_in(client, reviewer.email)
    agency_return = own_return(session, collecting, agency.id)
    url = f"/returns/{agency_return.id}/sections/1"
    soup = page(client.get(url))
    # Signed out elsewhere: the person's sessions end, this cookie stops working.
    session.get(User, reviewer.id).session_token = "ended-elsewhere"
    session.commit()
    # The page's save as it closed, then Save and continue: the message is said once.
    for _ in range(2):
        response = client.post(
            url, data={"csrf_token": csrf_token(soup), "missed_opportunity": TYPED}
        )
    assert response.status_code == 302
    location = response.headers["Location"]
    assert urlsplit(location).path == "/sign-in"
    assert parse_qs(urlsplit(location).query)["next"] == [url]
    assert text_of(page(client.get(location))).count("You have been signed out") == 1
    assert _answers(session, agency_return.id) == []

    sign_in_page = page(client.get(location))
    response = client.post(
        location,
        data={
            "csrf_token": csrf_token(sign_in_page),
            "email": reviewer.email,
            "password": PASSWORD,
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"] == url
    section = page(client.get(url))
    assert section.find("form", attrs={"data-keep-unsaved": True}) is not None


def test_sign_in_does_not_follow_a_next_that_leaves_the_service(
    client: FlaskClient, users: dict[Role, User]
) -> None:
    reviewer = users[Role.REVIEWER]
    for target in (
        "/\\evil.example",
        "/\\/evil.example",
        "//evil.example",
        "https://evil.example/",
    ):
        client.post("/sign-out")
        client.delete_cookie("audit_session")
        soup = page(client.get("/sign-in"))
        response = client.post(
            f"/sign-in?next={target}",
            data={
                "csrf_token": csrf_token(soup),
                "email": reviewer.email,
                "password": PASSWORD,
            },
        )
        assert response.status_code == 302
        assert response.headers["Location"] == "/", target


def test_an_expired_chronology_entry_is_shown_again_not_saved(
    client: FlaskClient,
    users: dict[Role, User],
    session: Session,
    collecting: Audit,  # noqa: F811
    agency: Agency,
) -> None:
    sign_in(client, users[Role.REVIEWER].email)
    agency_return = own_return(session, collecting, agency.id)
    url = f"/returns/{agency_return.id}/chronology"
    response = client.post(
        url,
        data={
            "csrf_token": "a-token-from-an-earlier-session",
            "happened_on": ["14", "5", "2020"],
            "what_happened": TYPED,
            "agency_response": "Booked a review",
            "missed_opportunity": "yes",
        },
    )
    assert response.status_code == 200
    soup = page(response)
    assert EXPIRED_MESSAGE in text_of(soup)
    # The message links to the form, which is not marked as showing saved answers.
    assert soup.select_one('.govuk-error-summary a[href="#happened_on"]') is not None
    assert soup.find(id="happened_on") is not None
    form = soup.find("form", attrs={"data-keep-unsaved": True})
    assert not form.has_attr("data-shows-saved")
    assert form.find("textarea", attrs={"name": "what_happened"}).get_text() == TYPED
    assert [i["value"] for i in form.find_all("input", attrs={"name": "happened_on"})] == [
        "14",
        "5",
        "2020",
    ]
    session.expire_all()
    assert returns_chronology(session, agency_return.id) == []


def returns_chronology(session: Session, return_id: int) -> list[ChronologyEntry]:
    return list(
        session.scalars(select(ChronologyEntry).where(ChronologyEntry.return_id == return_id))
    )


def test_an_expired_form_for_someone_elses_return_is_still_refused(
    client: FlaskClient,
    users: dict[Role, User],
    session: Session,
    collecting: Audit,  # noqa: F811
    agency: Agency,
) -> None:
    police_return = session.scalar(
        select(AgencyReturn).where(
            AgencyReturn.audit_id == collecting.id, AgencyReturn.agency_id != agency.id
        )
    )
    data = {"csrf_token": "a-token-from-an-earlier-session", "missed_opportunity": TYPED}
    sign_in(client, users[Role.REVIEWER].email)
    response = client.post(f"/returns/{police_return.id}/sections/1", data=data)
    assert response.status_code == 404
    assert TYPED not in response.get_data(as_text=True)
    client.post("/sign-out", data={"csrf_token": csrf_token(page(client.get("/")))})
    sign_in(client, users[Role.PANEL].email)
    response = client.post(f"/returns/{police_return.id}/sections/1", data=data)
    assert response.status_code == 403


def test_an_autosave_with_an_expired_token_says_so_and_saves_nothing(
    client: FlaskClient,
    users: dict[Role, User],
    session: Session,
    collecting: Audit,  # noqa: F811
    agency: Agency,
) -> None:
    sign_in(client, users[Role.REVIEWER].email)
    agency_return = own_return(session, collecting, agency.id)
    response = client.post(
        f"/returns/{agency_return.id}/sections/1/autosave",
        data={"csrf_token": "a-token-from-an-earlier-session", "missed_opportunity": TYPED},
        headers={"X-Requested-With": "fetch"},
    )
    assert response.status_code == 400
    assert response.get_json() == {"saved": False, "expired": True}
    assert _answers(session, agency_return.id) == []


def _expired_post(client: FlaskClient, url: str, **fields: str) -> Any:
    """POST ``fields`` to ``url`` with a token from an earlier session; the page must come
    back (200) with what was typed, the "not saved" message and a form the page's script
    keeps typing for (but not one it restores into: it shows what was sent)."""
    response = client.post(url, data={"csrf_token": "a-token-from-an-earlier-session", **fields})
    assert response.status_code == 200, (url, response.status_code)
    soup = page(response)
    assert EXPIRED_MESSAGE in text_of(soup)
    form = soup.select_one("main form[data-keep-unsaved]")
    assert form is not None and not form.has_attr("data-shows-saved")
    for name, value in fields.items():
        if name != "version":
            assert soup.find("textarea", attrs={"name": name}).get_text().strip() == value
    return soup


def test_an_expired_urgent_concern_is_shown_again_not_lost(
    client: FlaskClient,
    users: dict[Role, User],
    session: Session,
    collecting: Audit,  # noqa: F811
    agency: Agency,
) -> None:
    sign_in(client, users[Role.REVIEWER].email)
    agency_return = own_return(session, collecting, agency.id)
    url = f"/returns/{agency_return.id}/concern"
    assert page(client.get(url)).select_one("form[data-keep-unsaved][data-shows-saved]")
    _expired_post(client, url, details="Her brother says she has not been home for two days")
    session.expire_all()
    assert session.scalars(select(UrgentConcern)).all() == []


def test_an_expired_no_involvement_reason_is_shown_again_not_lost(
    client: FlaskClient,
    users: dict[Role, User],
    session: Session,
    collecting: Audit,  # noqa: F811
    agency: Agency,
) -> None:
    sign_in(client, users[Role.REVIEWER].email)
    agency_return = own_return(session, collecting, agency.id)
    url = f"/returns/{agency_return.id}/no-involvement"
    version = page(client.get(url)).find("input", attrs={"name": "version"})["value"]
    _expired_post(client, url, version=version, reason="Not known to our service before 2025")
    session.expire_all()
    assert session.get(AgencyReturn, agency_return.id).status is ReturnStatus.NOT_STARTED


def test_what_was_done_about_a_concern_is_shown_again_not_lost(
    client: FlaskClient,
    users: dict[Role, User],
    session: Session,
    collecting: Audit,  # noqa: F811
    agency: Agency,
) -> None:
    agency_return = own_return(session, collecting, agency.id)
    concern = raise_concern(session, agency_return, "Worried tonight", users[Role.REVIEWER])
    session.commit()
    sign_in(client, users[Role.ADMIN].email)
    url = f"/concerns/{concern.id}/acknowledge"
    _expired_post(client, url, action_taken="Rang the duty social worker at 4pm")
    session.expire_all()
    assert session.get(UrgentConcern, concern.id).acknowledged_at is None


def test_an_expired_comment_for_amendment_is_shown_again_not_lost(
    client: FlaskClient,
    users: dict[Role, User],
    session: Session,
    collecting: Audit,  # noqa: F811
    agency: Agency,
) -> None:
    agency_return = own_return(session, collecting, agency.id)
    agency_return.status = ReturnStatus.SUBMITTED
    session.commit()
    sign_in(client, users[Role.ADMIN].email)
    url = f"/audits/{collecting.id}/returns/{agency_return.id}"
    _expired_post(client, url, comment="Please add the March strategy meeting")
    session.expire_all()
    assert session.get(AgencyReturn, agency_return.id).status is ReturnStatus.SUBMITTED


def test_a_form_sent_after_signing_out_comes_back_to_its_page_with_its_query(
    client: FlaskClient,
    users: dict[Role, User],
    session: Session,
    collecting: Audit,  # noqa: F811
    agency: Agency,
) -> None:
    """A reviewer of two agencies writes agency 3's summary at ``?agency=3``: signing in
    again comes back there, not to the agency chooser (where the page's script could put
    the typing back into the other agency's form)."""
    sign_in(client, users[Role.REVIEWER].email)
    url = f"/audits/{collecting.id}/summary?agency={agency.id}"
    token = csrf_token(page(client.get(url)))
    client.delete_cookie("audit_session")
    response = client.post(url, data={"csrf_token": token, "new-working_well": TYPED})
    assert response.status_code == 302
    target = urlsplit(response.headers["Location"])
    assert target.path == "/sign-in"
    assert parse_qs(target.query)["next"] == [url]
