"""Every page parses, has a title containing its h1, CSRF on every form, and safe headers."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from audit_app import create_app
from audit_app.accounts.memberships import reviewer_agency_ids
from audit_app.core.access import public
from audit_app.demo import DEMO_LOGINS, DEMO_PASSWORD, load_demo
from audit_app.models import Audit, Role, User
from tests.conftest import page, sign_in, text_of

ADMIN_PAGES = [
    "/",
    "/admin/agencies",
    "/admin/agencies/new",
    "/admin/agencies/{agency_id}",
    "/admin/users",
    "/admin/users/new",
    "/admin/users/{user_id}",
    "/admin/users/{user_id}/status",
    "/admin/audit-log",
    "/admin/audit-log?page=2",
    "/account/password",
]


def test_every_page_for_every_demo_role(app: Flask, session: Session) -> None:
    load_demo(session)
    session.commit()
    reviewer = next(user for user in session.query(User) if reviewer_agency_ids(user))
    for login in DEMO_LOGINS:
        client = app.test_client()
        page(client.get("/sign-in"))
        sign_in(client, login.email, DEMO_PASSWORD)
        urls = ADMIN_PAGES if login.role is Role.ADMIN else ["/", "/account/password"]
        for url in urls:
            response = client.get(
                url.format(agency_id=min(reviewer_agency_ids(reviewer)), user_id=reviewer.id)
            )
            assert response.status_code == 200, (login.email, url)
            page(response)


def test_demo_home_pages_show_their_data(app: Flask, session: Session) -> None:
    load_demo(session)
    session.commit()
    seen = {}
    for login in DEMO_LOGINS:
        client = app.test_client()
        sign_in(client, login.email, DEMO_PASSWORD)
        seen[login.email] = text_of(page(client.get("/")))
    assert "Children in crisis: mental health and emotional wellbeing" in seen[DEMO_LOGINS[0].email]
    camhs = seen["camhs.reviewer@demo.example.org"]
    assert "Child A" in camhs and "Child J" in camhs
    assert "Ava Collins" not in camhs  # children appear by code only
    assert "Panel date" in seen["panel.chair@demo.example.org"]
    subgroup = seen["subgroup.member@demo.example.org"]
    assert "coherent communication strategy" not in subgroup  # actions, not recommendation text
    assert "Publish a joint communication plan" in subgroup and "Overdue" in subgroup


def test_security_headers(client: FlaskClient) -> None:
    response = client.get("/sign-in")
    headers = response.headers
    csp = headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "script-src 'self' 'nonce-" in csp and "unsafe-inline" not in csp
    nonce = csp.split("'nonce-")[1].split("'")[0]
    assert f'nonce="{nonce}"' in response.get_data(as_text=True)
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["Cache-Control"] == "no-store"
    assert "camera=()" in headers["Permissions-Policy"]


def test_session_cookie_is_http_only(client: FlaskClient, users: dict[Role, User]) -> None:
    response = sign_in(client, users[Role.ADMIN].email)
    cookie = response.headers["Set-Cookie"]
    assert "audit_session=" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_header_has_partnership_name_and_no_crown(client: FlaskClient) -> None:
    soup = page(client.get("/sign-in"))
    header = soup.select_one(".govuk-generic-header")
    assert header is not None
    assert "Safeguarding Children Partnership" in header.get_text()
    assert soup.select(".govuk-header__logotype, .govuk-footer__crown, svg.govuk-logo") == []
    assert "Crown copyright" not in soup.get_text()
    assert "GOV.UK" not in soup.get_text()


def test_the_navigation_marks_the_section_a_page_is_in(
    client: FlaskClient, users: dict[Role, User], session: Session
) -> None:
    audit = Audit(title="Navigation")
    session.add(audit)
    session.commit()
    sign_in(client, users[Role.ADMIN].email)

    def marked(path: str) -> tuple[list[str], list[str]]:
        soup = page(client.get(path))
        items = soup.select(".govuk-service-navigation__item")
        active = [i.get_text(strip=True) for i in items if "--active" in " ".join(i["class"])]
        current = [i.get_text(strip=True) for i in items if i.select_one("[aria-current]")]
        return active, current

    assert marked("/audits") == (["Audits"], ["Audits"])
    # The audit's own page and its cohort pages (another area's blueprint) are under Audits.
    assert marked(f"/audits/{audit.id}")[0] == ["Audits"]
    assert marked(f"/audits/{audit.id}/population")[0] == ["Audits"]
    assert marked("/admin/users")[0] == ["Users"]
    assert marked("/")[0] == ["Home"]


def test_styled_404_and_403(client: FlaskClient, users: dict[Role, User]) -> None:
    missing = client.get("/no-such-page")
    assert missing.status_code == 404
    assert page(missing).h1.get_text(strip=True) == "Page not found"
    sign_in(client, users[Role.REVIEWER].email)
    forbidden = client.get("/admin/users")
    assert forbidden.status_code == 403
    assert "permission" in page(forbidden).h1.get_text()


def test_500_page_shows_no_stack_trace(database_url: str) -> None:
    app = create_app(
        {"TESTING": False, "PROPAGATE_EXCEPTIONS": False, "AUDIT_DATABASE_URL": database_url}
    )

    @app.route("/boom")
    @public
    def boom() -> str:
        raise RuntimeError("secret internals")

    response = app.test_client().get("/boom")
    assert response.status_code == 500
    body = response.get_data(as_text=True)
    assert "Sorry, there is a problem with the service" in page(response).h1.get_text()
    assert "secret internals" not in body and "Traceback" not in body


def test_request_over_the_upload_limit_is_refused(app: Flask, client: FlaskClient) -> None:
    limit = app.config["MAX_CONTENT_LENGTH"]
    response = client.post("/sign-in", data={"email": "x" * (limit + 1)})
    assert response.status_code == 413
    assert "too large" in page(response).h1.get_text()


def test_partnership_name_from_the_environment(monkeypatch, database_url: str) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("AUDIT_PARTNERSHIP_NAME", "Coventry Safeguarding Children Partnership")
    app = create_app({"AUDIT_DATABASE_URL": database_url})
    soup = page(app.test_client().get("/sign-in"))
    assert (
        "Coventry Safeguarding Children Partnership"
        in soup.select_one(".govuk-generic-header").get_text()
    )
    assert "Coventry Safeguarding Children Partnership" in soup.title.get_text()


def test_health_answers_without_signing_in(client: FlaskClient) -> None:
    response = client.get("/health")
    assert response.status_code == 200 and response.get_json() == {"status": "ok"}


def test_static_files_touch_no_database(
    app: Flask, client: FlaskClient, users: dict[Role, User]
) -> None:
    from sqlalchemy import event

    sign_in(client, users[Role.ADMIN].email)
    statements: list[str] = []
    engine = app.extensions["audit_db"].engine

    def record(conn: object, cursor: object, statement: str, *args: object) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        assert client.get("/static/dist/application.css").status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert statements == []
