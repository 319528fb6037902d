"""The styled error page renders even when the request broke its database session."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from audit_app import create_app, csrf
from audit_app.core.access import public
from audit_app.core.web import db
from audit_app.models import Agency, AgencySector, Role, User
from tests.conftest import page, sign_in, text_of


@pytest.fixture(scope="module")
def broken_app(app: Flask) -> Iterator[Flask]:
    """A fresh app with a view whose flush fails, sharing the test app's database."""
    fresh = create_app({"TESTING": True, "AUDIT_DATABASE_URL": app.config["AUDIT_DATABASE_URL"]})
    fresh.extensions["audit_db"].engine.dispose()
    fresh.extensions["audit_db"] = app.extensions["audit_db"]
    fresh.config["PROPAGATE_EXCEPTIONS"] = False  # errors become the 500 page, as when live

    def fails_to_flush() -> object:
        session = db()
        for short_name in ("One", "Two"):
            session.add(Agency(name="Same", short_name=short_name, sector=AgencySector.POLICE))
        session.flush()  # the duplicate name breaks the session (it needs a rollback)
        return "never reached"

    view = csrf.exempt(public(fails_to_flush))
    fresh.add_url_rule("/t/fails-to-flush", view.__name__, view, methods=["POST"])
    yield fresh


@pytest.fixture
def signed_in(broken_app: Flask, session: Session, users: dict[Role, User]) -> FlaskClient:
    client = broken_app.test_client()
    assert sign_in(client, users[Role.ADMIN].email).status_code == 302
    return client


def _is_the_styled_500_page(response: object) -> str:
    assert response.status_code == 500
    soup = page(response)
    assert soup.select_one(".govuk-generic-header") is not None
    assert soup.select_one("link[rel=stylesheet]") is not None
    assert soup.h1.get_text(strip=True) == "Sorry, there is a problem with the service"
    return text_of(soup)


def test_a_failed_flush_gives_the_styled_500_page_with_the_navigation(
    signed_in: FlaskClient,
) -> None:
    shown = _is_the_styled_500_page(signed_in.post("/t/fails-to-flush"))
    # The session was rolled back, so the person's own menu could still be shown.
    assert "Audit log" in shown and "Sign out" in shown


def test_the_500_page_renders_even_if_the_layout_cannot_reach_the_database(
    signed_in: FlaskClient,
) -> None:
    """Should the menu fail too (the database gone), the page comes without it."""

    def unreachable() -> list[dict[str, object]]:
        raise RuntimeError("the database is unreachable")

    processors = signed_in.application.template_context_processors[None]
    processors.append(lambda: {"navigation_items": unreachable})
    try:
        shown = _is_the_styled_500_page(signed_in.post("/t/fails-to-flush"))
    finally:
        processors.pop()
    assert "Audit log" not in shown and "Sign out" not in shown
