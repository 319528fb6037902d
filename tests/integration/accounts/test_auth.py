"""Signing in and out, throttling, deactivation and sessions."""

from __future__ import annotations

from datetime import timedelta

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from audit_app.accounts import users as accounts
from audit_app.accounts.memberships import add_membership
from audit_app.models import Role, SignInAttempt, User
from tests.conftest import PASSWORD, csrf_token, page, post_form, sign_in, text_of

GENERIC = "Enter a correct email address and password"


def test_anonymous_visitor_is_sent_to_sign_in(client: FlaskClient) -> None:
    response = client.get("/")
    assert response.status_code == 302
    assert response.location == "/sign-in"
    response = client.get("/admin/users")
    assert response.location == "/sign-in?next=/admin/users"


def test_sign_in_lands_on_the_role_home(client: FlaskClient, users: dict[Role, User]) -> None:
    homes = {
        Role.ADMIN: "Audit lead home",
        Role.REVIEWER: "Your agency's returns",
        Role.PANEL: "Audit panels you sit on",
        Role.SUBGROUP: "Action plans",
    }
    for role, heading in homes.items():
        fresh = client.application.test_client()
        response = sign_in(fresh, users[role].email)
        assert response.status_code == 302 and response.location == "/"
        soup = page(fresh.get("/"))
        assert soup.h1.get_text(strip=True) == heading


def test_wrong_password_and_unknown_email_get_the_same_message(
    client: FlaskClient, users: dict[Role, User]
) -> None:
    wrong_password = sign_in(client, users[Role.ADMIN].email, "not the password")
    unknown_email = sign_in(client, "nobody@example.org", "not the password")
    for response in (wrong_password, unknown_email):
        assert response.status_code == 200
        soup = page(response)
        assert soup.title.get_text().startswith("Error: ")
        summary = soup.select_one(".govuk-error-summary")
        assert summary is not None and GENERIC in summary.get_text()
    # Neither page gives away whether the account exists.
    summaries = [
        text_of(page(r).select_one(".govuk-error-summary")) for r in (wrong_password, unknown_email)
    ]
    assert summaries[0] == summaries[1]


def test_empty_sign_in_form_names_both_fields(client: FlaskClient) -> None:
    response = post_form(client, "/sign-in", {"email": "", "password": ""})
    soup = page(response)
    errors = [a.get_text(strip=True) for a in soup.select(".govuk-error-summary a")]
    assert errors == ["Enter your email address", "Enter your password"]


THROTTLED = "too many times"


def _fail(client: FlaskClient, email: str, times: int, remote_addr: str = "127.0.0.1") -> None:
    for _ in range(times):
        body = sign_in(client, email, "wrong password!", remote_addr).get_data(as_text=True)
        assert GENERIC in body


def test_repeated_failures_from_one_address_are_throttled(
    client: FlaskClient, users: dict[Role, User], session: Session
) -> None:
    email = users[Role.PANEL].email
    _fail(client, email, accounts.MAX_FAILURES_PER_EMAIL)
    # Even the right password waits while throttled, and waiting is not counted as failing.
    response = sign_in(client, email, PASSWORD)
    assert response.status_code == 200 and THROTTLED in response.get_data(as_text=True)
    attempts = session.scalars(select(SignInAttempt).where(SignInAttempt.email == email)).all()
    assert len(attempts) == accounts.MAX_FAILURES_PER_EMAIL


def test_someone_guessing_elsewhere_cannot_lock_the_owner_out(
    client: FlaskClient, users: dict[Role, User]
) -> None:
    email = users[Role.ADMIN].email
    _fail(client, email, accounts.MAX_FAILURES_PER_EMAIL, remote_addr="203.0.113.9")
    for _ in range(3):  # the guesser keeps trying and keeps waiting
        body = sign_in(client, email, "wrong password!", "203.0.113.9").get_data(as_text=True)
        assert THROTTLED in body
    owner = client.application.test_client()
    assert sign_in(owner, email, PASSWORD, remote_addr="198.51.100.1").location == "/"


def test_the_wait_ends_after_the_window(
    client: FlaskClient, users: dict[Role, User], session: Session
) -> None:
    email = users[Role.PANEL].email
    _fail(client, email, accounts.MAX_FAILURES_PER_EMAIL)
    assert THROTTLED in sign_in(client, email, PASSWORD).get_data(as_text=True)
    for attempt in session.scalars(select(SignInAttempt).where(SignInAttempt.email == email)):
        attempt.at -= accounts.THROTTLE_WINDOW + timedelta(seconds=1)
    session.commit()
    assert sign_in(client, email, PASSWORD).location == "/"


def test_a_success_clears_the_count(client: FlaskClient, users: dict[Role, User]) -> None:
    email = users[Role.PANEL].email
    _fail(client, email, accounts.MAX_FAILURES_PER_EMAIL - 1)
    assert sign_in(client.application.test_client(), email, PASSWORD).location == "/"
    _fail(client, email, accounts.MAX_FAILURES_PER_EMAIL - 1)
    assert sign_in(client.application.test_client(), email, PASSWORD).location == "/"


def test_an_address_failing_on_many_accounts_is_throttled(
    client: FlaskClient, users: dict[Role, User], session: Session
) -> None:
    session.add_all(
        SignInAttempt(email=f"guess{n}@example.org", remote_addr="192.0.2.7", succeeded=False)
        for n in range(accounts.MAX_FAILURES_PER_ADDRESS)
    )
    session.commit()
    body = sign_in(client, users[Role.ADMIN].email, PASSWORD, "192.0.2.7").get_data(as_text=True)
    assert THROTTLED in body
    assert sign_in(client, users[Role.ADMIN].email, PASSWORD, "192.0.2.8").location == "/"


def test_next_only_follows_paths_on_this_service(
    client: FlaskClient, users: dict[Role, User]
) -> None:
    soup = page(client.get("/sign-in?next=https://evil.example/"))
    response = client.post(
        "/sign-in?next=https://evil.example/",
        data={
            "csrf_token": csrf_token(soup),
            "email": users[Role.ADMIN].email,
            "password": PASSWORD,
        },
    )
    assert response.location == "/"
    other = client.application.test_client()
    soup = page(other.get("/sign-in?next=/admin/users"))
    response = other.post(
        "/sign-in?next=/admin/users",
        data={
            "csrf_token": csrf_token(soup),
            "email": users[Role.ADMIN].email,
            "password": PASSWORD,
        },
    )
    assert response.location == "/admin/users"


def test_sign_out_ends_the_session(client: FlaskClient, users: dict[Role, User]) -> None:
    sign_in(client, users[Role.PANEL].email)
    soup = page(client.get("/"))
    form = soup.find("form", action="/sign-out")
    assert form is not None
    response = client.post("/sign-out", data={"csrf_token": csrf_token(form)})
    assert response.location == "/sign-in"
    assert client.get("/").location == "/sign-in"


def test_a_copied_cookie_stops_working_after_sign_out(
    client: FlaskClient, users: dict[Role, User]
) -> None:
    sign_in(client, users[Role.PANEL].email)
    cookie = client.get_cookie("audit_session")
    assert cookie is not None
    copy = client.application.test_client()
    copy.set_cookie("audit_session", cookie.value)
    assert copy.get("/").status_code == 200
    form = page(client.get("/")).find("form", action="/sign-out")
    client.post("/sign-out", data={"csrf_token": csrf_token(form)})
    assert copy.get("/").location == "/sign-in"


def test_sign_out_without_csrf_token_is_refused(
    client: FlaskClient, users: dict[Role, User]
) -> None:
    sign_in(client, users[Role.PANEL].email)
    response = client.post("/sign-out", data={})
    assert response.status_code == 400
    assert "Your form has expired" in page(response).h1.get_text()
    assert client.get("/").status_code == 200  # still signed in


def test_deactivated_user_is_signed_out_at_next_request(
    client: FlaskClient, users: dict[Role, User], session: Session
) -> None:
    reviewer = users[Role.REVIEWER]
    sign_in(client, reviewer.email)
    assert client.get("/").status_code == 200
    accounts.set_active(session, reviewer, False, acting_user=users[Role.ADMIN])
    session.commit()
    response = client.get("/")
    assert response.status_code == 302 and response.location == "/sign-in"
    # And they cannot sign in again.
    assert GENERIC in sign_in(client, reviewer.email).get_data(as_text=True)


def test_changing_role_ends_open_sessions(
    client: FlaskClient, users: dict[Role, User], session: Session
) -> None:
    panel = users[Role.PANEL]
    sign_in(client, panel.email)
    add_membership(session, panel, Role.SUBGROUP)
    session.commit()
    assert client.get("/").location == "/sign-in"


def test_password_is_hashed_with_a_modern_kdf(users: dict[Role, User]) -> None:
    stored = users[Role.ADMIN].password_hash
    assert stored.startswith("scrypt:") and PASSWORD not in stored


def test_change_own_password(client: FlaskClient, users: dict[Role, User]) -> None:
    user = users[Role.SUBGROUP]
    sign_in(client, user.email)
    new = {"password": "a new long password", "confirm": "a new long password"}
    wrong_current = post_form(client, "/account/password", {"current_password": "guess", **new})
    assert "current password is not correct" in page(wrong_current).get_text()
    short = post_form(
        client,
        "/account/password",
        {"current_password": PASSWORD, "password": "short", "confirm": "short"},
    )
    assert "12 characters or more" in page(short).select_one(".govuk-error-summary").get_text()
    mismatch = post_form(
        client,
        "/account/password",
        {"current_password": PASSWORD, "password": "a new long password", "confirm": "other"},
    )
    assert "do not match" in page(mismatch).get_text()
    ok = post_form(client, "/account/password", {"current_password": PASSWORD, **new})
    assert ok.status_code == 302
    assert client.get("/").status_code == 200  # this session carries on
    other = client.application.test_client()
    assert sign_in(other, user.email, "a new long password").location == "/"
