"""One commit point: views change things, the end of the request commits or rolls back."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask, flash, redirect
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from audit_app import create_app, csrf
from audit_app.agencies.register import save_agency
from audit_app.core.access import public
from audit_app.core.commit_point import after_commit, discard_changes
from audit_app.core.web import db
from audit_app.models import Agency, AgencyReturn, AgencySector, Audit, ReturnStatus, Role, User
from tests.conftest import csrf_token, page, post_form, sign_in, text_of
from tests.integration.returns.test_returns import collecting as collecting_fixture  # noqa: F401 (fixture)
from tests.integration.returns.test_returns import own_return, save
from tests.statements import recorded_statements

PACKAGE = Path(__file__).resolve().parents[3] / "audit_app"


def _add_agency(name: str) -> Agency:
    return save_agency(
        db(), None, name=name, short_name=name[:10], sector=AgencySector.POLICE, contact_email=None
    )


@pytest.fixture(scope="module")
def commit_app(app: Flask) -> Iterator[Flask]:
    """A fresh app with a few views of its own, sharing the test app's database (so each
    test's rollback covers it too)."""
    fresh = create_app({"TESTING": True, "AUDIT_DATABASE_URL": app.config["AUDIT_DATABASE_URL"]})
    fresh.extensions["audit_db"].engine.dispose()
    fresh.extensions["audit_db"] = app.extensions["audit_db"]
    fresh.config["PROPAGATE_EXCEPTIONS"] = False  # errors become the 500 page, as when live
    calls: list[str] = []
    fresh.config["CALLS"] = calls

    def route(rule: str, methods: tuple[str, ...] = ("POST",)):
        def decorate(view):
            view = csrf.exempt(public(view))
            fresh.add_url_rule(rule, view.__name__, view, methods=list(methods))
            return view

        return decorate

    @route("/t/saves")
    def saves() -> object:
        _add_agency("Saved")
        after_commit(lambda: calls.append("email after commit"))
        flash("Saved")
        return redirect("/t/done")

    @route("/t/saves-json")
    def saves_json() -> object:
        _add_agency("Saved by autosave")
        return {"saved": True}

    @route("/t/raises")
    def raises() -> object:
        _add_agency("Raised")
        after_commit(lambda: calls.append("must not run"))
        raise RuntimeError("something went wrong after a change")

    @route("/t/refuses")
    def refuses() -> object:
        _add_agency("Refused")
        after_commit(lambda: calls.append("must not run"))
        return {"saved": False}, 409

    @route("/t/discards")
    def discards() -> object:
        _add_agency("Discarded")
        discard_changes()
        return "The form again, with its problem"

    @route("/t/reads", methods=("GET",))
    def reads() -> object:
        _add_agency("Written while reading")
        return "A page"

    @route("/t/fails-on-commit")
    def fails_on_commit() -> object:
        _add_agency("Twice")
        # Not flushed by the view: the duplicate name is found by the commit itself.
        db().add(Agency(name="Twice", short_name="Twice 2", sector=AgencySector.POLICE))
        flash("Saved, says the view")
        return redirect("/t/done")

    yield fresh


@pytest.fixture
def commit_client(commit_app: Flask, session: Session) -> FlaskClient:
    commit_app.config["CALLS"].clear()
    return commit_app.test_client()


def _agencies(session: Session) -> list[str]:
    session.expire_all()
    return sorted(session.scalars(select(Agency.name)))


def test_a_successful_post_is_committed_once_and_then_runs_its_after_commit_work(
    commit_app: Flask, commit_client: FlaskClient, session: Session
) -> None:
    with recorded_statements(commit_app) as statements:
        response = commit_client.post("/t/saves")
    assert response.status_code == 302
    assert statements.commits == 1, statements.transactions
    assert "rollback_savepoint" not in statements.transactions
    assert _agencies(session) == ["Saved"]
    assert commit_app.config["CALLS"] == ["email after commit"]
    with commit_client.session_transaction() as cookie:
        assert cookie["_flashes"] == [("message", "Saved")]


def test_a_success_that_is_not_a_redirect_is_committed(
    commit_app: Flask, commit_client: FlaskClient, session: Session
) -> None:
    with recorded_statements(commit_app) as statements:
        assert commit_client.post("/t/saves-json").status_code == 200
    assert statements.commits == 1
    assert _agencies(session) == ["Saved by autosave"]


def test_a_view_that_raises_after_changing_data_leaves_nothing_saved(
    commit_app: Flask, commit_client: FlaskClient, session: Session
) -> None:
    with recorded_statements(commit_app) as statements:
        response = commit_client.post("/t/raises")
    assert response.status_code == 500
    assert statements.commits == 0
    assert _agencies(session) == []
    assert commit_app.config["CALLS"] == []


def test_a_refusal_is_rolled_back(
    commit_app: Flask, commit_client: FlaskClient, session: Session
) -> None:
    with recorded_statements(commit_app) as statements:
        assert commit_client.post("/t/refuses").status_code == 409
    assert statements.commits == 0
    assert _agencies(session) == []
    assert commit_app.config["CALLS"] == []


def test_a_view_may_discard_its_changes_and_still_answer_200(
    commit_client: FlaskClient, session: Session
) -> None:
    assert commit_client.post("/t/discards").status_code == 200
    assert _agencies(session) == []


def test_reading_a_page_commits_nothing(
    commit_app: Flask, commit_client: FlaskClient, session: Session
) -> None:
    with recorded_statements(commit_app) as statements:
        assert commit_client.get("/t/reads").status_code == 200
    assert statements.commits == 0
    assert _agencies(session) == []


def test_a_failed_commit_is_the_error_page_and_withdraws_the_views_messages(
    commit_client: FlaskClient, session: Session
) -> None:
    with commit_client.session_transaction() as cookie:
        cookie["_flashes"] = [("message", "From an earlier page")]
    response = commit_client.post("/t/fails-on-commit")
    assert response.status_code == 500
    body = response.get_data(as_text=True)
    assert "Sorry, there is a problem with the service" in body
    # Nothing was saved, so the view's message goes; one queued before it is still shown.
    assert "Saved, says the view" not in body
    assert "From an earlier page" in body
    assert _agencies(session) == []
    with commit_client.session_transaction() as cookie:
        assert "_flashes" not in cookie


def test_only_the_commit_point_commits_during_a_request() -> None:
    """Views and rules no longer commit. Outside requests the CLI keeps its own commits."""
    allowed = {"core/commit_point.py", "cli.py", "demo.py"}
    found = {
        str(path.relative_to(PACKAGE))
        for path in PACKAGE.rglob("*.py")
        if re.search(r"\bcommit\(\)", path.read_text(encoding="utf-8"))
    }
    assert "core/commit_point.py" in found
    assert found <= allowed, sorted(found - allowed)


@pytest.fixture
def collecting(collecting_fixture: Audit) -> Audit:  # noqa: F811 (a fixture)
    """test_returns' audit collecting returns from the reviewer's agency and the police."""
    return collecting_fixture


def test_a_refused_change_shown_on_the_form_again_keeps_nothing_the_rule_did_first(
    client: FlaskClient,
    session: Session,
    users: dict[Role, User],
    agency: Agency,
    collecting: Audit,
) -> None:
    """Taking two agencies off: the first (nothing started) is taken off, then the second
    (a return started) is refused. The form comes back (200) with the problem, and the
    first agency is still in the audit with its returns, as before the one commit point."""
    police = next(link.agency for link in collecting.agencies if link.agency_id != agency.id)
    started = session.scalar(
        select(AgencyReturn).where(
            AgencyReturn.audit_id == collecting.id, AgencyReturn.agency_id == police.id
        )
    )
    started.status = ReturnStatus.DRAFT
    session.commit()
    links = sorted(link.agency_id for link in collecting.agencies)
    assert links[0] == agency.id, "the agency with nothing started is looked at first"
    returns_before = session.scalar(select(func.count()).select_from(AgencyReturn))
    sign_in(client, users[Role.ADMIN].email)

    response = post_form(client, f"/audits/{collecting.id}/agencies", {"agency_ids": []})

    assert response.status_code == 200
    assert "Police has started its returns, so it stays in the audit" in text_of(page(response))
    session.expire_all()
    assert sorted(link.agency_id for link in session.get(Audit, collecting.id).agencies) == links
    assert session.scalar(select(func.count()).select_from(AgencyReturn)) == returns_before


def test_saving_a_section_commits_once(
    app: Flask,
    users: dict[Role, User],
    session: Session,
    collecting: Audit,
    agency: Agency,
) -> None:
    client = app.test_client()
    sign_in(client, users[Role.REVIEWER].email)
    url = f"/returns/{own_return(session, collecting, agency.id).id}/sections/1"
    soup = page(client.get(url))
    with recorded_statements(app) as statements:
        response = save(client, url, {"missed_opportunity": "Seen twice", "action": "later"}, soup)
    assert response.status_code == 302
    assert statements.commits == 1, statements.transactions


def test_the_urgent_concern_email_goes_only_once_the_concern_is_committed(
    app: Flask,
    users: dict[Role, User],
    session: Session,
    collecting: Audit,
    agency: Agency,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    commits_when_sent: list[int] = []
    monkeypatch.setitem(app.config, "AUDIT_SMTP_HOST", "smtp.example.org")
    client = app.test_client()
    sign_in(client, users[Role.REVIEWER].email)
    url = f"/returns/{own_return(session, collecting, agency.id).id}/concern"
    soup = page(client.get(url))
    with recorded_statements(app) as statements:
        monkeypatch.setattr(
            "audit_app.returns.views.send_email",
            lambda *_args: commits_when_sent.append(statements.commits),
        )
        client.post(url, data={"csrf_token": csrf_token(soup), "details": "At risk tonight"})
        # Refused (nothing to say): nothing saved, so no email.
        client.post(url, data={"csrf_token": csrf_token(soup), "details": " "})
    assert commits_when_sent == [1]
