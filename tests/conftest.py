"""Fixtures shared by every test: a migrated database per run, a rollback per test."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from audit_app import create_app
from audit_app.accounts.memberships import add_membership
from audit_app.accounts.users import create_user
from audit_app.agencies.register import save_agency
from audit_app.core.db import Database
from audit_app.core.migrate import upgrade
from audit_app.models import Agency, AgencySector, Audit, AuditTemplateVersion, Role, User
from audit_app.questionnaires.library import load_template
from tests.databases import fresh_database

PASSWORD = "correct horse battery"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
EXAMPLE_TEMPLATE = FIXTURES / "every-answer-type.yaml"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with fresh_database(tmp_path_factory.mktemp("db"), "main") as url:
        upgrade(url)
        yield url


@pytest.fixture(scope="session")
def app(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Flask:
    os.environ["AUDIT_DATABASE_URL"] = database_url
    os.environ.setdefault("AUDIT_SECRET_KEY", "test-secret-key-that-is-long-enough-to-use")
    os.environ["AUDIT_ENV"] = "testing"
    evidence = tmp_path_factory.mktemp("evidence")
    return create_app({"TESTING": True, "AUDIT_EVIDENCE_DIR": str(evidence)})


@pytest.fixture
def session(app: Flask) -> Iterator[Session]:
    """A session whose work, and every request's, is rolled back after the test."""
    database: Database = app.extensions["audit_db"]
    connection = database.engine.connect()
    transaction = connection.begin()
    # Every session the app opens joins this transaction (as a savepoint).
    database.session_factory.configure(bind=connection, join_transaction_mode="create_savepoint")
    session = database.new_session(actor_label="test")
    try:
        yield session
    finally:
        session.close()
        transaction.rollback()
        connection.close()
        database.session_factory.configure(
            bind=database.engine, join_transaction_mode="conservative_savepoint"
        )


@pytest.fixture
def client(app: Flask, session: Session) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def agency(session: Session) -> Agency:
    return save_agency(
        session,
        None,
        name="Child and Adolescent Mental Health Services",
        short_name="CAMHS",
        sector=AgencySector.MENTAL_HEALTH,
        contact_email=None,
    )


@pytest.fixture
def other_agency(session: Session) -> Agency:
    return save_agency(
        session,
        None,
        name="Police",
        short_name="Police",
        sector=AgencySector.POLICE,
        contact_email=None,
    )


def make_user(session: Session, role: Role, agency: Agency | None = None, **extra: Any) -> User:
    """A person whose first membership is ``role`` (for ``agency``, or ``audit_id=``).

    An administrator is also made a partnership-wide audit lead, as every administrator was
    before memberships (and as the 0004 migration does). A panel member with no audit named
    is made with no membership yet: ``set_panel`` or ``add_membership`` gives them one."""
    audit_id = extra.pop("audit_id", None)
    email = extra.pop("email", f"{role.value}.{len(session.new)}.{id(extra)}@example.org")
    user = create_user(
        session,
        email=email,
        full_name=extra.pop("full_name", f"Test {role.label}"),
        password=PASSWORD,
        role=None if role is Role.PANEL and audit_id is None else role,
        agency_id=agency.id if agency else None,
        audit_id=audit_id,
        is_chair=extra.pop("is_chair", False),
    )
    if role is Role.ADMIN and extra.pop("also_lead", True):
        add_membership(session, user, Role.AUDIT_LEAD)
    session.commit()
    return user


def panel_audit(session: Session) -> Audit:
    """An audit for the panel member of ``users`` to sit on (a panel membership needs one)."""
    audit = Audit(title="Panel fixture audit")
    session.add(audit)
    session.flush()
    return audit


class People(dict[Role, User]):
    """One person per role. The panel member, and the audit they sit on, are made when a test
    first asks for them, so tests that need no panel start with no audit at all."""

    def __init__(self, session: Session, people: dict[Role, User]) -> None:
        super().__init__(people)
        self.session = session

    def __missing__(self, role: Role) -> User:
        if role is not Role.PANEL:
            raise KeyError(role)
        audit = panel_audit(self.session)
        self[role] = make_user(
            self.session, Role.PANEL, email="panel@example.org", audit_id=audit.id
        )
        return self[role]


@pytest.fixture
def users(session: Session, agency: Agency) -> dict[Role, User]:
    return People(
        session,
        {
            Role.ADMIN: make_user(session, Role.ADMIN, email="lead@example.org"),
            Role.REVIEWER: make_user(session, Role.REVIEWER, agency, email="reviewer@example.org"),
            Role.SUBGROUP: make_user(session, Role.SUBGROUP, email="subgroup@example.org"),
        },
    )


@pytest.fixture
def template_version(session: Session) -> AuditTemplateVersion:
    """The example template (every answer type) loaded as a version."""
    result = load_template(session, EXAMPLE_TEMPLATE.read_bytes(), EXAMPLE_TEMPLATE.name)
    session.commit()
    return result.version


# --- Pages -------------------------------------------------------------------------------


def page(response: Any) -> BeautifulSoup:
    """Parse an HTML response and check what every page must have."""
    soup = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    check_page(soup)
    return soup


def check_page(soup: BeautifulSoup) -> None:
    title = soup.title.get_text(" ", strip=True) if soup.title else ""
    h1s = soup.find_all("h1")
    assert len(h1s) == 1, f"expected one h1, found {len(h1s)}"
    h1 = " ".join(h1s[0].get_text(" ", strip=True).split())
    assert h1 and h1 in " ".join(title.split()), f"title {title!r} does not contain h1 {h1!r}"
    for form in soup.find_all("form"):
        if (form.get("method") or "get").lower() == "post":
            token = form.find("input", attrs={"name": "csrf_token"})
            assert token is not None and token.get("value"), f"POST form without CSRF: {form}"
    assert soup.find("html", attrs={"lang": "en"}) is not None
    assert soup.find(id="main-content") is not None


def csrf_token(soup: BeautifulSoup) -> str:
    field = soup.find("input", attrs={"name": "csrf_token"})
    assert field is not None
    return str(field["value"])


def sign_in(
    client: FlaskClient, email: str, password: str = PASSWORD, remote_addr: str = "127.0.0.1"
) -> Any:
    soup = page(client.get("/sign-in"))
    return client.post(
        "/sign-in",
        data={"csrf_token": csrf_token(soup), "email": email, "password": password},
        environ_base={"REMOTE_ADDR": remote_addr},
    )


def post_form(client: FlaskClient, url: str, data: dict[str, Any]) -> Any:
    """GET the page, then POST to it with its CSRF token and the given fields."""
    soup = page(client.get(url))
    return client.post(url, data={"csrf_token": csrf_token(soup), **data})


def text_of(soup: BeautifulSoup) -> str:
    return re.sub(r"\s+", " ", soup.get_text(" ", strip=True))


def collecting_audit(
    session: Session,
    version: AuditTemplateVersion,
    lead: User,
    agencies: list[Agency],
    codes: tuple[str, ...] = ("Child A",),
    title: str = "Children in crisis",
) -> Audit:
    """An audit on ``version`` collecting returns from ``agencies`` on children ``codes``
    (each with an invented identity), committed."""
    from audit_app.audits.lifecycle import move, set_agencies
    from audit_app.models import AuditStatus, ChildIdentity, CohortMember

    audit = Audit(title=title, template_version_id=version.id, lead=lead)
    session.add(audit)
    session.flush()
    for position, code in enumerate(codes):
        member = CohortMember(audit_id=audit.id, code=code, position=position)
        member.identity = ChildIdentity(local_id=f"L{position}", full_name=f"Secret {position}")
        session.add(member)
    session.flush()
    set_agencies(session, audit, [agency.id for agency in agencies])
    session.refresh(audit)
    move(session, audit, AuditStatus.COLLECTING)
    session.commit()
    return audit
