"""An agency's deadline is the audit's unless it has one of its own (issue 9): extending the
audit's deadline must not leave agencies overdue."""

from __future__ import annotations

from datetime import date, timedelta

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from audit_app.audits.lifecycle import AuditDetails, move, save_details, set_agencies
from audit_app.cohort.selection import draw_cohort
from audit_app.models import Agency, Audit, AuditStatus, Reminder, Role, User
from audit_app.returns.tracking import returns_matrix, send_reminders
from audit_app.workbooks.contents import agency_workbook
from tests.conftest import page, post_form, sign_in, text_of
from tests.integration.audits.test_audits import _errors, draft, two_agencies  # noqa: F401

TODAY = date.today()


def _collecting(session: Session, audit: Audit, deadline: date) -> None:
    """``audit`` collecting returns, its agencies linked while its deadline was ``deadline``."""
    details = AuditDetails(
        title=audit.title,
        template_version_id=audit.template_version_id,
        return_deadline=deadline,
    )
    save_details(session, audit, details)
    # Link the agencies again now, as if they were chosen under this deadline.
    links = list(audit.agencies)
    for link in links:
        audit.agencies.remove(link)
    session.flush()
    set_agencies(session, audit, [link.agency_id for link in links])
    draw_cohort(session, audit, size=2, seed="s", filters=[], strata=None, user_id=None)
    move(session, audit, AuditStatus.COLLECTING)
    session.commit()


def _extend(session: Session, audit: Audit, deadline: date) -> None:
    details = AuditDetails(
        title=audit.title, template_version_id=audit.template_version_id, return_deadline=deadline
    )
    save_details(session, audit, details)
    session.commit()


def _overdue_on_the_audit_page(client: FlaskClient, audit: Audit) -> list[str]:
    soup = page(client.get(f"/audits/{audit.id}"))
    return [text_of(row) for row in soup.select("tr.app-row--overdue")]


def test_extending_the_audits_deadline_means_no_agency_is_overdue(
    client: FlaskClient,
    users: dict[Role, User],
    session: Session,
    draft: Audit,  # noqa: F811
    two_agencies: list[Agency],  # noqa: F811
) -> None:
    yesterday, next_week = TODAY - timedelta(days=1), TODAY + timedelta(days=7)
    _collecting(session, draft, yesterday)
    sign_in(client, users[Role.ADMIN].email)
    assert len(_overdue_on_the_audit_page(client, draft)) == 2  # the deadline has passed

    _extend(session, draft, next_week)
    session.expire_all()
    assert all(link.return_deadline is None for link in draft.agencies)  # none of their own
    assert _overdue_on_the_audit_page(client, draft) == []
    assert [p.is_overdue(TODAY) for p in returns_matrix(session, draft).agencies] == [False] * 2
    # Reminders give the new date.
    emails: list[str] = []
    send_reminders(
        session, draft, users[Role.ADMIN], lambda _to, _subject, body: emails.append(body), "x"
    )
    assert len(session.scalars(select(Reminder).where(Reminder.audit_id == draft.id)).all()) == 2
    assert emails and all(f"by {next_week.day} {next_week:%B %Y}" in body for body in emails)
    # The workbook's cover and the reviewer's task list give it too, with nothing overdue.
    workbook = agency_workbook(session, draft, two_agencies[0].id)
    assert workbook.deadline == next_week
    reviewer = FlaskClient(client.application)
    sign_in(reviewer, users[Role.REVIEWER].email)
    task_list = text_of(page(reviewer.get("/")))
    assert "Overdue" not in task_list
    assert f"{next_week.day} {next_week:%B %Y}" in task_list


def test_an_agencys_own_deadline_wins_when_set(
    client: FlaskClient,
    users: dict[Role, User],
    session: Session,
    draft: Audit,  # noqa: F811
    two_agencies: list[Agency],  # noqa: F811
) -> None:
    yesterday, next_week = TODAY - timedelta(days=1), TODAY + timedelta(days=7)
    _collecting(session, draft, next_week)
    police = two_agencies[1]
    sign_in(client, users[Role.ADMIN].email)
    saved = post_form(
        client,
        f"/audits/{draft.id}/agencies/{police.id}",
        {
            "lead_contact": "Police lead",
            "return_deadline": [str(yesterday.day), str(yesterday.month), str(yesterday.year)],
        },
    )
    assert saved.status_code == 302, _errors(saved)
    overdue = _overdue_on_the_audit_page(client, draft)
    assert len(overdue) == 1 and "Police" in overdue[0]
    # Extending the audit's deadline again leaves the police's own deadline as it is.
    _extend(session, draft, next_week + timedelta(days=7))
    session.expire_all()
    link = next(link for link in draft.agencies if link.agency_id == police.id)
    assert link.return_deadline == yesterday and link.effective_deadline == yesterday
    overdue = _overdue_on_the_audit_page(client, draft)
    assert len(overdue) == 1 and "Police" in overdue[0]
    assert agency_workbook(session, draft, police.id).deadline == yesterday
    assert agency_workbook(session, draft, two_agencies[0].id).deadline == next_week + timedelta(
        days=7
    )
    # The agency's page says its deadline is empty unless set.
    form = page(client.get(f"/audits/{draft.id}/agencies/{two_agencies[0].id}"))
    assert "the audit's deadline applies" in text_of(form)
