"""A chronology entry records something that has happened: a date in the future is refused
with an error on the date field (issue 9)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from audit_app.core.errors import DomainError
from audit_app.core.models import today
from audit_app.models import Agency, Audit, ChronologyEntry, Role, User
from audit_app.returns import answering
from tests.conftest import csrf_token, page, sign_in, text_of
from tests.integration.returns.test_returns import (  # noqa: F401 (collecting is a fixture)
    collecting,
    own_return,
)


def _entries(session: Session) -> int:
    return session.scalar(select(func.count(ChronologyEntry.id))) or 0


def test_a_chronology_date_in_the_future_is_refused_on_the_field(
    client: FlaskClient,
    users: dict[Role, User],
    session: Session,
    collecting: Audit,  # noqa: F811
    agency: Agency,
) -> None:
    sign_in(client, users[Role.REVIEWER].email)
    url = f"/returns/{own_return(session, collecting, agency.id).id}/chronology"
    soup = page(client.get(url))
    tomorrow = today() + timedelta(days=1)
    refused = client.post(
        url,
        data={
            "csrf_token": csrf_token(soup),
            "happened_on": [str(tomorrow.day), str(tomorrow.month), str(tomorrow.year)],
            "what_happened": "Planned review meeting",
            "missed_opportunity": "no",
        },
    )
    assert refused.status_code == 200
    result = page(refused)
    summary = result.select_one(".govuk-error-summary")
    assert "The date must be today or in the past" in text_of(summary)
    assert summary.select_one('a[href^="#happened_on"]') is not None
    field = result.select_one("#happened_on").find_parent(class_="govuk-form-group")
    assert "govuk-form-group--error" in field["class"]
    assert "The date must be today or in the past" in text_of(field)
    # What was typed stays in the form.
    assert result.select_one("textarea[name=what_happened]").text.strip() == (
        "Planned review meeting"
    )
    assert _entries(session) == 0

    now = today()
    added = client.post(
        url,
        data={
            "csrf_token": csrf_token(soup),
            "happened_on": [str(now.day), str(now.month), str(now.year)],
            "what_happened": "Seen today",
            "missed_opportunity": "no",
        },
    )
    assert added.status_code == 302
    assert _entries(session) == 1


def test_the_rule_refuses_a_future_date_whoever_calls_it(
    session: Session,
    collecting: Audit,  # noqa: F811
    agency: Agency,
) -> None:
    with pytest.raises(DomainError) as refused:
        answering.add_chronology_entry(
            session,
            own_return(session, collecting, agency.id),
            happened_on=today() + timedelta(days=400),
            what_happened="Next year",
            agency_response="",
            missed_opportunity=False,
        )
    assert refused.value.field == "happened_on"
    assert refused.value.message == "The date must be today or in the past"
