"""Reviewers complete returns: drafts, conflicts, check answers, submit, amendment, concerns."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from audit_app.agencies.register import save_agency
from audit_app.audits.lifecycle import AuditDetails, move, save_details, set_agencies
from audit_app.core.errors import DomainError
from audit_app.models import (
    Agency,
    AgencyReturn,
    AgencySector,
    Answer,
    Audit,
    AuditLogEntry,
    AuditStatus,
    AuditTemplateVersion,
    ChildIdentity,
    CohortMember,
    ReturnStatus,
    Role,
    UrgentConcern,
    User,
)
from tests.conftest import csrf_token, make_user, page, sign_in, text_of

# The example template's answers that complete a return (section 1 and section 2).
SECTION_1 = {
    "early_help_offered": "no",
    "missed_opportunity": "GP saw her twice in May",
    "who_referred": "gp",
}
SECTION_2 = {
    "overall": "requires_improvement",
    "overall__rationale": "No plan after discharge",
    "confidence": "high",
    "referral_date": ["3", "2", "2021"],
    "days_waited": "42",
    "chronology-0-when": ["5", "6", "2020"],
    "chronology-0-what": "Seen in ED",
}


@pytest.fixture
def collecting(
    session: Session,
    users: dict[Role, User],
    agency: Agency,
    template_version: AuditTemplateVersion,
) -> Audit:
    """An audit collecting returns from the reviewer's agency and the police, two children."""
    police = save_agency(
        session,
        None,
        name="Police",
        short_name="Police",
        sector=AgencySector.POLICE,
        contact_email=None,
    )
    audit = Audit(
        title="Children in crisis", template_version_id=template_version.id, lead=users[Role.ADMIN]
    )
    session.add(audit)
    session.flush()
    for position in range(2):
        member = CohortMember(audit_id=audit.id, code=f"Child {'AB'[position]}", position=position)
        member.identity = ChildIdentity(
            local_id=f"L{position}", full_name=f"Secret Name {position}"
        )
        session.add(member)
    session.flush()
    set_agencies(session, audit, [agency.id, police.id])
    session.refresh(audit)
    move(session, audit, AuditStatus.COLLECTING)
    session.commit()
    return audit


def own_return(
    session: Session, audit: Audit, agency_id: int, code: str = "Child A"
) -> AgencyReturn:
    return session.scalar(
        select(AgencyReturn)
        .join(CohortMember)
        .where(
            AgencyReturn.audit_id == audit.id,
            AgencyReturn.agency_id == agency_id,
            CohortMember.code == code,
        )
    )


def save(client: FlaskClient, url: str, data: dict[str, Any], soup: Any = None) -> Any:
    soup = soup or page(client.get(url))
    version = soup.find("input", attrs={"name": "version"})["value"]
    return client.post(url, data={"csrf_token": csrf_token(soup), "version": version, **data})


def test_a_reviewer_completes_a_return_section_by_section(
    client: FlaskClient,
    users: dict[Role, User],
    session: Session,
    collecting: Audit,
    agency: Agency,
) -> None:
    sign_in(client, users[Role.REVIEWER].email)
    home = page(client.get("/"))
    assert "0 of 8 answered" in text_of(home) or "0 of 9 answered" in text_of(home)
    agency_return = own_return(session, collecting, agency.id)
    base = f"/returns/{agency_return.id}"
    overview = text_of(page(client.get(base)))
    assert "Child A: your agency's return" in overview and "Secret Name" not in overview

    # A draft can be saved half done, and comes back as it was left.
    later = save(client, f"{base}/sections/1", {"early_help_offered": "no", "action": "later"})
    assert later.status_code == 302 and later.location == base
    session.refresh(agency_return)
    assert agency_return.status is ReturnStatus.DRAFT
    again = page(client.get(f"{base}/sections/1"))
    assert again.find("input", attrs={"name": "early_help_offered", "value": "no"}).has_attr(
        "checked"
    )

    # Nothing required while drafting; formats still are.
    bad = save(client, f"{base}/sections/2", {"days_waited": "lots"})
    assert bad.status_code == 200 and "Not a valid integer value" in text_of(page(bad))

    cont = save(client, f"{base}/sections/1", {**SECTION_1, "action": "continue"})
    assert cont.location == f"{base}/sections/2"
    check = page(client.get(f"{base}/check"))
    assert "still to give before you can send" in text_of(check)
    assert check.find("form", action=f"{base}/submit") is None
    save(client, f"{base}/sections/2", SECTION_2)

    check = page(client.get(f"{base}/check"))
    text = text_of(check)
    worried = text.split("What are we worried about")[1].split("What needs to happen")[0]
    assert "Was early help offered before the crisis? No" in worried
    assert "Requires improvement" in worried and "Why: No plan after discharge" in worried
    working = text.split("What's working well")[1].split("What are we worried about")[0]
    assert "Who referred the child? GP" in working
    change = check.find("a", href=f"{base}/sections/1#question-early_help_offered")
    assert change is not None

    form = check.find("form", action=f"{base}/submit")
    sent = client.post(
        form["action"],
        data={
            "csrf_token": csrf_token(form),
            "version": form.find("input", attrs={"name": "version"})["value"],
        },
    )
    assert sent.status_code == 302
    session.refresh(agency_return)
    assert agency_return.status is ReturnStatus.SUBMITTED
    assert agency_return.submitted_by_id == users[Role.REVIEWER].id
    # Read-only now.
    refused = save(client, f"{base}/sections/1", {"early_help_offered": "yes"})
    assert "cannot be changed" in text_of(page(refused))
    assert (
        session.scalar(
            select(Answer.value).where(
                Answer.return_id == agency_return.id, Answer.question_id == "early_help_offered"
            )
        )
        == "no"
    )


def test_two_people_saving_at_once_lose_nothing(
    app: Flask,
    users: dict[Role, User],
    session: Session,
    collecting: Audit,
    agency: Agency,
) -> None:
    colleague = make_user(session, Role.REVIEWER, agency, email="colleague@example.org")
    first, second = app.test_client(), app.test_client()
    sign_in(first, users[Role.REVIEWER].email)
    sign_in(second, colleague.email)
    url = f"/returns/{own_return(session, collecting, agency.id).id}/sections/1"
    first_page, second_page = page(first.get(url)), page(second.get(url))
    assert (
        save(first, url, {"missed_opportunity": "First person's words"}, first_page).status_code
        == 302
    )
    refused = save(
        second, url, {"missed_opportunity": "Second person's careful notes"}, second_page
    )
    assert refused.status_code == 200
    soup = page(refused)
    assert "Someone else saved this return" in text_of(soup)
    assert "Second person's careful notes" in text_of(soup.select_one("#your-text"))
    # The form now shows the other person's saved answer, with the new version to save on.
    assert (
        "First person's words" in soup.find("textarea", attrs={"name": "missed_opportunity"}).text
    )
    stored = session.scalar(select(Answer.value).where(Answer.question_id == "missed_opportunity"))
    assert stored == "First person's words"
    merged = save(second, url, {"missed_opportunity": "Both sets of notes"}, soup)
    assert merged.status_code == 302


def test_a_stale_form_posted_later_is_refused(
    client: FlaskClient,
    users: dict[Role, User],
    session: Session,
    collecting: Audit,
    agency: Agency,
) -> None:
    sign_in(client, users[Role.REVIEWER].email)
    url = f"/returns/{own_return(session, collecting, agency.id).id}/sections/1"
    old_page = page(client.get(url))
    save(client, url, {"missed_opportunity": "Saved in another tab"})
    refused = save(client, url, {"missed_opportunity": "From the old tab"}, old_page)
    assert "Someone else saved this return" in text_of(page(refused))


def test_autosave_saves_and_reports_conflicts(
    client: FlaskClient,
    users: dict[Role, User],
    session: Session,
    collecting: Audit,
    agency: Agency,
) -> None:
    sign_in(client, users[Role.REVIEWER].email)
    agency_return = own_return(session, collecting, agency.id)
    url = f"/returns/{agency_return.id}/sections/1"
    soup = page(client.get(url))
    token, version = csrf_token(soup), soup.find("input", attrs={"name": "version"})["value"]
    saved = client.post(
        f"{url}/autosave",
        data={"csrf_token": token, "version": version, "missed_opportunity": "typed so far"},
    )
    assert saved.status_code == 200 and saved.get_json()["saved"] is True
    new_version = saved.get_json()["version"]
    assert new_version == int(version) + 1
    stale = client.post(
        f"{url}/autosave",
        data={"csrf_token": token, "version": version, "missed_opportunity": "typed later"},
    )
    assert stale.status_code == 409 and stale.get_json()["conflict"] is True
    again = client.post(
        f"{url}/autosave",
        data={
            "csrf_token": token,
            "version": str(new_version),
            "missed_opportunity": "typed later",
        },
    )
    assert again.status_code == 200


def test_no_involvement_with_a_reason(
    client: FlaskClient,
    users: dict[Role, User],
    session: Session,
    collecting: Audit,
    agency: Agency,
) -> None:
    sign_in(client, users[Role.REVIEWER].email)
    agency_return = own_return(session, collecting, agency.id, "Child B")
    url = f"/returns/{agency_return.id}/no-involvement"
    soup = page(client.get(url))
    data = {
        "csrf_token": csrf_token(soup),
        "version": soup.find("input", attrs={"name": "version"})["value"],
    }
    empty = client.post(url, data={**data, "reason": " "})
    assert "Say why your agency had no involvement" in text_of(page(empty))
    done = client.post(url, data={**data, "reason": "No record of the family"})
    assert done.status_code == 302
    session.refresh(agency_return)
    assert agency_return.status is ReturnStatus.NO_INVOLVEMENT
    assert agency_return.no_involvement_reason == "No record of the family"


def test_chronology_entries(
    client: FlaskClient,
    users: dict[Role, User],
    session: Session,
    collecting: Audit,
    agency: Agency,
) -> None:
    sign_in(client, users[Role.REVIEWER].email)
    url = f"/returns/{own_return(session, collecting, agency.id).id}/chronology"
    soup = page(client.get(url))
    bad = client.post(
        url,
        data={
            "csrf_token": csrf_token(soup),
            "happened_on": ["31", "2", "2020"],
            "what_happened": "",
            "missed_opportunity": "yes",
        },
    )
    errors = text_of(page(bad).select_one(".govuk-error-summary"))
    assert "must be a real date" in errors and "Say what happened" in errors
    added = client.post(
        url,
        data={
            "csrf_token": csrf_token(soup),
            "happened_on": ["3", "2", "2020"],
            "what_happened": "GP appointment: low mood",
            "agency_response": "Referred to CAMHS",
            "missed_opportunity": "yes",
        },
    )
    assert added.status_code == 302
    listing = page(client.get(url))
    assert "GP appointment: low mood" in text_of(listing) and "3 February 2020" in text_of(listing)
    remove = listing.select_one("main table form")
    removed = client.post(remove["action"], data={"csrf_token": csrf_token(remove)})
    assert removed.status_code == 302
    assert "GP appointment" not in text_of(page(client.get(url)).select_one("main"))


def test_the_lead_returns_a_return_for_amendment(
    app: Flask,
    users: dict[Role, User],
    session: Session,
    collecting: Audit,
    agency: Agency,
) -> None:
    agency_return = own_return(session, collecting, agency.id, "Child B")
    agency_return.status = ReturnStatus.NO_INVOLVEMENT
    session.commit()
    lead = app.test_client()
    sign_in(lead, users[Role.ADMIN].email)
    url = f"/audits/{collecting.id}/returns/{agency_return.id}"
    soup = page(lead.get(url))
    assert "Return it for amendment" in text_of(soup)
    response = lead.post(
        url, data={"csrf_token": csrf_token(soup), "comment": "Your records show a 2020 referral"}
    )
    assert response.status_code == 302
    session.refresh(agency_return)
    assert agency_return.status is ReturnStatus.RETURNED
    reviewer = app.test_client()
    sign_in(reviewer, users[Role.REVIEWER].email)
    overview = text_of(page(reviewer.get(f"/returns/{agency_return.id}")))
    assert "Returned for amendment" in overview and "Your records show a 2020 referral" in overview


def test_an_urgent_concern_reaches_the_lead_at_once(
    app: Flask,
    users: dict[Role, User],
    session: Session,
    collecting: Audit,
    agency: Agency,
) -> None:
    reviewer = app.test_client()
    sign_in(reviewer, users[Role.REVIEWER].email)
    url = f"/returns/{own_return(session, collecting, agency.id).id}/concern"
    soup = page(reviewer.get(url))
    assert (
        reviewer.post(url, data={"csrf_token": csrf_token(soup), "details": ""}).status_code == 200
    )
    sent = reviewer.post(
        url,
        data={
            "csrf_token": csrf_token(soup),
            "details": "Recent self-harm; no safety plan on file",
        },
    )
    assert sent.status_code == 302
    lead = app.test_client()
    sign_in(lead, users[Role.ADMIN].email)
    home = page(lead.get("/"))
    banner = text_of(home.select_one(".govuk-notification-banner"))
    assert "Urgent concerns" in banner and "Child A" in banner and "no safety plan" in banner
    link = home.select_one(".govuk-notification-banner a.govuk-button")
    form = page(lead.get(link["href"])).select_one("main form")
    lead.post(link["href"], data={"csrf_token": csrf_token(form), "action_taken": "Phoned CSC"})
    assert page(lead.get("/")).select_one("#concerns-title") is None
    assert session.scalar(select(UrgentConcern)).acknowledged_by_id == users[Role.ADMIN].id
    assert (
        session.scalar(select(AuditLogEntry).where(AuditLogEntry.record_type == "urgent_concern"))
        is not None
    )


def test_another_agency_cannot_reach_a_return_whatever_the_url(
    app: Flask,
    users: dict[Role, User],
    session: Session,
    collecting: Audit,
    agency: Agency,
) -> None:
    police = session.scalar(select(Agency).where(Agency.short_name == "Police"))
    outsider = make_user(session, Role.REVIEWER, police, email="police.reviewer@example.org")
    client = app.test_client()
    sign_in(client, outsider.email)
    theirs = own_return(session, collecting, agency.id)
    token = csrf_token(page(client.get("/")).find("form", action="/sign-out"))
    for method, path in [
        ("GET", ""),
        ("GET", "/sections/1"),
        ("POST", "/sections/1"),
        ("POST", "/sections/1/autosave"),
        ("GET", "/no-involvement"),
        ("POST", "/no-involvement"),
        ("GET", "/chronology"),
        ("POST", "/chronology"),
        ("GET", "/check"),
        ("POST", "/submit"),
        ("GET", "/concern"),
        ("POST", "/concern"),
    ]:
        response = client.open(
            f"/returns/{theirs.id}{path}",
            method=method,
            data={"csrf_token": token, "version": "1", "reason": "x"},
        )
        assert response.status_code == 404, (method, path, response.status_code)
    session.refresh(theirs)
    assert theirs.status is ReturnStatus.NOT_STARTED


def test_a_hidden_follow_up_does_not_block_sending(
    client: FlaskClient,
    users: dict[Role, User],
    session: Session,
    collecting: Audit,
    agency: Agency,
) -> None:
    """'What chance was missed?' is only asked when early help was not offered."""
    sign_in(client, users[Role.REVIEWER].email)
    base = f"/returns/{own_return(session, collecting, agency.id).id}"
    save(client, f"{base}/sections/1", {"early_help_offered": "yes", "who_referred": "school"})
    save(client, f"{base}/sections/2", SECTION_2)
    check = page(client.get(f"{base}/check"))
    assert check.select_one("#still-to-answer") is None
    assert check.find("form", action=f"{base}/submit") is not None


def test_a_summary_belongs_to_the_agencies_in_the_audit(
    app: Flask,
    users: dict[Role, User],
    session: Session,
    collecting: Audit,
) -> None:
    outsider_agency = save_agency(
        session,
        None,
        name="Schools",
        short_name="Ed",
        sector=AgencySector.EDUCATION,
        contact_email=None,
    )
    outsider = make_user(session, Role.REVIEWER, outsider_agency, email="ed@example.org")
    client = app.test_client()
    sign_in(client, outsider.email)
    assert client.get(f"/audits/{collecting.id}/summary").status_code == 404


def test_an_autosave_hours_after_the_page_loaded_still_saves(
    client: FlaskClient,
    users: dict[Role, User],
    session: Session,
    collecting: Audit,
    agency: Agency,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """CSRF tokens live as long as the signed-in session, so a page left open all
    afternoon does not lose its autosave to an expired token."""
    import time

    sign_in(client, users[Role.REVIEWER].email)
    url = f"/returns/{own_return(session, collecting, agency.id).id}/sections/1"
    soup = page(client.get(url))
    later = time.time() + 6 * 60 * 60
    monkeypatch.setattr("itsdangerous.timed.time.time", lambda: later)
    response = client.post(
        f"{url}/autosave",
        data={
            "csrf_token": csrf_token(soup),
            "version": soup.find("input", attrs={"name": "version"})["value"],
            "missed_opportunity": "typed over a long afternoon",
        },
    )
    assert response.status_code == 200 and response.get_json()["saved"] is True


def test_an_urgent_concern_is_emailed_to_the_lead_when_smtp_is_set_up(
    app: Flask,
    users: dict[Role, User],
    session: Session,
    collecting: Audit,
    agency: Agency,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sent: list[tuple[str, str, str]] = []
    monkeypatch.setitem(app.config, "AUDIT_SMTP_HOST", "smtp.example.org")
    monkeypatch.setattr(
        "audit_app.returns.views.send_email",
        lambda settings, to, subject, body: sent.append((to, subject, body)),
    )
    client = app.test_client()
    sign_in(client, users[Role.REVIEWER].email)
    url = f"/returns/{own_return(session, collecting, agency.id).id}/concern"
    soup = page(client.get(url))
    client.post(url, data={"csrf_token": csrf_token(soup), "details": "Secret Name 0 is at risk"})
    assert [(to, subject) for to, subject, _ in sent] == [
        (users[Role.ADMIN].email, "Urgent concern raised in an audit")
    ]
    body = sent[0][2]
    assert "Child A" in body and "Secret Name" not in body  # the email names no child


def test_saving_a_return_sent_in_meanwhile_shows_the_text_back(
    app: Flask,
    users: dict[Role, User],
    session: Session,
    collecting: Audit,
    agency: Agency,
) -> None:
    client = app.test_client()
    sign_in(client, users[Role.REVIEWER].email)
    agency_return = own_return(session, collecting, agency.id)
    url = f"/returns/{agency_return.id}/sections/1"
    open_page = page(client.get(url))
    agency_return.status = ReturnStatus.SUBMITTED  # a colleague sent it in meanwhile
    session.commit()
    response = save(client, url, {"missed_opportunity": "Words typed meanwhile"}, open_page)
    soup = page(response)
    assert "has been sent in, so your changes have not been saved" in text_of(soup)
    assert "Words typed meanwhile" in text_of(soup.select_one("#your-text"))


def test_no_involvement_without_the_version_seen_is_refused(
    client: FlaskClient,
    users: dict[Role, User],
    session: Session,
    collecting: Audit,
    agency: Agency,
) -> None:
    sign_in(client, users[Role.REVIEWER].email)
    agency_return = own_return(session, collecting, agency.id)
    url = f"/returns/{agency_return.id}/no-involvement"
    soup = page(client.get(url))
    for version in ("", "abc", "1.5"):
        response = client.post(
            url, data={"csrf_token": csrf_token(soup), "version": version, "reason": "No record"}
        )
        assert response.status_code == 200 and "Someone else saved" in text_of(page(response))
    session.refresh(agency_return)
    assert agency_return.status is ReturnStatus.NOT_STARTED


def test_a_removed_childs_return_is_gone(
    client: FlaskClient,
    users: dict[Role, User],
    session: Session,
    collecting: Audit,
    agency: Agency,
) -> None:
    agency_return = own_return(session, collecting, agency.id, "Child B")
    agency_return.member.removed_at = agency_return.created_at
    session.commit()
    sign_in(client, users[Role.REVIEWER].email)
    assert client.get(f"/returns/{agency_return.id}").status_code == 404


def test_the_template_is_fixed_once_returns_open(session: Session, collecting: Audit) -> None:
    with pytest.raises(DomainError, match="cannot change once returns have opened"):
        save_details(session, collecting, AuditDetails(title="x"))


def test_numbers_have_a_sensible_limit_and_chronology_leaves_the_version_alone(
    client: FlaskClient,
    users: dict[Role, User],
    session: Session,
    collecting: Audit,
    agency: Agency,
) -> None:
    sign_in(client, users[Role.REVIEWER].email)
    agency_return = own_return(session, collecting, agency.id)
    base = f"/returns/{agency_return.id}"
    huge = save(client, f"{base}/sections/2", {"days_waited": "12345678901234567890"})
    assert "Enter a whole number of 0 or more" in text_of(page(huge)) or "smaller" in text_of(
        page(huge)
    )
    section_page = page(client.get(f"{base}/sections/1"))
    save(client, f"{base}/sections/1", {"who_referred": "gp"})
    session.refresh(agency_return)
    before = agency_return.version
    soup = page(client.get(f"{base}/chronology"))
    client.post(
        f"{base}/chronology",
        data={
            "csrf_token": csrf_token(soup),
            "happened_on": ["3", "2", "2020"],
            "what_happened": "Seen",
            "missed_opportunity": "no",
        },
    )
    session.refresh(agency_return)
    assert agency_return.version == before  # an open section page can still save
    assert section_page is not None


def test_a_dated_list_always_has_room_for_more(
    client: FlaskClient,
    users: dict[Role, User],
    session: Session,
    collecting: Audit,
    agency: Agency,
) -> None:
    sign_in(client, users[Role.REVIEWER].email)
    url = f"/returns/{own_return(session, collecting, agency.id).id}/sections/2"
    entries = {}
    for n in range(3):
        entries[f"chronology-{n}-when"] = ["1", str(n + 1), "2020"]
        entries[f"chronology-{n}-what"] = f"Event {n}"
    save(client, url, entries)
    soup = page(client.get(url))
    whats = soup.select('textarea[name^="chronology-"][name$="-what"]')
    assert [w.text.strip() for w in whats] == ["Event 0", "Event 1", "Event 2", "", ""]


def test_pressing_send_twice_is_not_an_error(
    client: FlaskClient,
    users: dict[Role, User],
    session: Session,
    collecting: Audit,
    agency: Agency,
) -> None:
    sign_in(client, users[Role.REVIEWER].email)
    base = f"/returns/{own_return(session, collecting, agency.id).id}"
    save(client, f"{base}/sections/1", SECTION_1)
    save(client, f"{base}/sections/2", SECTION_2)
    form = page(client.get(f"{base}/check")).find("form", action=f"{base}/submit")
    data = {
        "csrf_token": csrf_token(form),
        "version": form.find("input", attrs={"name": "version"})["value"],
    }
    assert client.post(form["action"], data=data).status_code == 302
    again = client.post(form["action"], data=data)
    assert again.status_code == 302
    assert "has been sent to the audit lead" in text_of(page(client.get(again.location)))
