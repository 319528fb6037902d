"""Drawing the cohort again from the page, simple and stratified (issue 9: it crashed)."""

from __future__ import annotations

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from audit_app.audits.lifecycle import current_members
from audit_app.cohort.selection import current_draw
from audit_app.models import Audit, CohortDraw, Role, User
from tests.conftest import page, post_form, sign_in, text_of
from tests.integration.audits.test_audits import _errors


def _draw(client: FlaskClient, audit: Audit, **fields: str) -> object:
    return post_form(client, f"/audits/{audit.id}/draw", fields)


def test_a_simple_draw_can_be_drawn_again_with_a_reason(
    client: FlaskClient, users: dict[Role, User], session: Session, draft: Audit
) -> None:
    sign_in(client, users[Role.ADMIN].email)
    first = _draw(client, draft, size="4", seed="first")
    assert first.status_code == 302, _errors(first)
    first_ids = {m.identity.local_id for m in current_members(draft)}

    refused = _draw(client, draft, size="5", seed="second")
    assert refused.status_code == 200
    assert _errors(refused) == ["Give the reason for drawing again"]

    again = _draw(client, draft, size="5", seed="second", reason="The list missed December")
    assert again.status_code == 302, _errors(again)
    session.expire_all()
    record = current_draw(session, draft)
    assert record is not None and record.seed == "second" and record.sample_size == 5
    assert record.reason == "The list missed December"
    members = current_members(draft)
    assert [m.code for m in members] == [f"Child {c}" for c in "ABCDE"]
    assert all(m.draw_id == record.id for m in members)
    assert {m.identity.local_id for m in members} != first_ids
    draws = session.scalars(select(CohortDraw).where(CohortDraw.audit_id == draft.id)).all()
    assert [(d.seed, d.is_current) for d in draws] == [("first", False), ("second", True)]
    shown = text_of(page(client.get(f"/audits/{draft.id}")))
    assert "The list missed December" in shown


def test_a_stratified_draw_can_be_drawn_again_with_a_reason(
    client: FlaskClient, users: dict[Role, User], session: Session, draft: Audit
) -> None:
    sign_in(client, users[Role.ADMIN].email)
    strata = {"strata_column": "Gender"}
    first = _draw(client, draft, size="6", seed="first", **strata)
    assert first.status_code == 302, _errors(first)
    again = _draw(client, draft, size="8", seed="second", reason="Wrong size agreed", **strata)
    assert again.status_code == 302, _errors(again)
    session.expire_all()
    record = current_draw(session, draft)
    assert record is not None and record.strata_column == "Gender"
    assert sum(record.allocation.values()) == 8
    assert len(current_members(draft)) == 8
    verdict = page(
        client.post(
            f"/audits/{draft.id}/draw/verify",
            data={"csrf_token": _token(client, f"/audits/{draft.id}")},
        )
    )
    assert verdict.h1.get_text(strip=True) == "The draw is verified"


def _token(client: FlaskClient, url: str) -> str:
    from tests.conftest import csrf_token

    return csrf_token(page(client.get(url)))
