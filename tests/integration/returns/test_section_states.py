"""A section of a return is completed when its required questions are answered (issue 9).

An optional question left blank used to keep its section "In progress", even after the
return was sent.
"""

from __future__ import annotations

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from audit_app.models import Agency, Audit, ReturnStatus, Role, User
from tests.conftest import csrf_token, page, sign_in, text_of
from tests.integration.returns.test_returns import (  # noqa: F401 (collecting is a fixture)
    SECTION_1,
    SECTION_2,
    collecting,
    own_return,
    save,
)


def _states(client: FlaskClient, url: str) -> list[str]:
    """Each section's status on the return's task list, in order."""
    soup = page(client.get(url))
    return [
        text_of(status)
        for status in soup.select(".govuk-task-list__status")
        if status.get("id", "").startswith("section-")
    ]


def test_a_section_with_its_required_questions_answered_is_completed(
    client: FlaskClient,
    users: dict[Role, User],
    session: Session,
    collecting: Audit,  # noqa: F811
    agency: Agency,
) -> None:
    sign_in(client, users[Role.REVIEWER].email)
    agency_return = own_return(session, collecting, agency.id)
    base = f"/returns/{agency_return.id}"
    assert _states(client, base) == ["Not started", "Not started"]

    # Part of a required answer: in progress.
    save(client, f"{base}/sections/1", {"early_help_offered": "no", "action": "later"})
    assert _states(client, base) == ["In progress", "Not started"]

    # Every required question answered; "Which services were involved?" is optional, blank.
    save(client, f"{base}/sections/1", {**SECTION_1, "action": "later"})
    assert _states(client, base) == ["Completed", "Not started"]

    # A grade needing a reason is not complete without it.
    save(client, f"{base}/sections/2", {**SECTION_2, "overall__rationale": ""})
    assert _states(client, base) == ["Completed", "In progress"]
    save(client, f"{base}/sections/2", SECTION_2)
    assert _states(client, base) == ["Completed", "Completed"]

    # Sent with the optional question still blank: nothing is "In progress".
    check = page(client.get(f"{base}/check"))
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
    assert _states(client, base) == ["Completed", "Completed"]


def test_no_section_of_a_return_sent_as_no_involvement_is_in_progress(
    client: FlaskClient,
    users: dict[Role, User],
    session: Session,
    collecting: Audit,  # noqa: F811
    agency: Agency,
) -> None:
    sign_in(client, users[Role.REVIEWER].email)
    agency_return = own_return(session, collecting, agency.id)
    base = f"/returns/{agency_return.id}"
    save(client, f"{base}/sections/1", {"early_help_offered": "no", "action": "later"})
    sent = save(client, f"{base}/no-involvement", {"reason": "No record of the family"})
    assert sent.status_code == 302
    session.refresh(agency_return)
    assert agency_return.status is ReturnStatus.NO_INVOLVEMENT
    states = _states(client, base)
    assert "In progress" not in states
    assert states == ["Not answered", "Not answered"]
