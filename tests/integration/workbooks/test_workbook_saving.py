"""Confirming a workbook: every return saved together, every change still in the audit log."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from audit_app.core.models import AuditLogEntry
from audit_app.models import Agency, Audit, ReturnStatus, Role, User
from audit_app.returns.answering import ReturnConflict, SectionSave, save_sections
from tests.conftest import page
from tests.integration.returns.test_returns import own_return
from tests.integration.workbooks import test_workbook as workbook_tests
from tests.integration.workbooks.test_workbook import answers_of, confirm, download, fill, upload

# test_workbook's fixtures: the app with the workbooks, a reviewer signed in, an audit
# collecting returns from the reviewer's agency.
workbook_app = workbook_tests.workbook_app
client = workbook_tests.client
reviewer = workbook_tests.reviewer
collecting_fixture = workbook_tests.collecting_fixture
collecting = workbook_tests.collecting


def _entries(session: Session, record_type: str, record_id: int) -> list[AuditLogEntry]:
    return list(
        session.scalars(
            select(AuditLogEntry)
            .where(
                AuditLogEntry.record_type == record_type,
                AuditLogEntry.record_id == str(record_id),
            )
            .order_by(AuditLogEntry.id)
        )
    )


def test_confirming_saves_every_return_and_logs_every_change(
    reviewer: FlaskClient,
    session: Session,
    collecting: Audit,
    agency: Agency,
    users: dict[Role, User],
) -> None:
    child_a = own_return(session, collecting, agency.id, "Child A")
    child_b = own_return(session, collecting, agency.id, "Child B")
    versions = {child_a.id: child_a.version, child_b.id: child_b.version}
    raw = download(reviewer, collecting)
    raw = fill(raw, "Child A", {"missed_opportunity": "Seen twice in May"})
    raw = fill(raw, "Child B", {"missed_opportunity": "Not seen", "days_waited": 12})
    saved = confirm(reviewer, page(upload(reviewer, collecting, raw)))
    assert saved.status_code == 302

    assert answers_of(session, child_a)["missed_opportunity"][0] == "Seen twice in May"
    assert answers_of(session, child_b)["days_waited"][0] == 12
    reviewer_id = users[Role.REVIEWER].id
    for agency_return in (child_a, child_b):
        session.refresh(agency_return)
        assert agency_return.status is ReturnStatus.DRAFT
        assert agency_return.version == versions[agency_return.id] + 1
        [entry] = _entries(session, "agency_return", agency_return.id)[-1:]
        assert entry.action == "update" and entry.actor_id == reviewer_id
        assert entry.audit_id == collecting.id
        assert entry.before["status"] == "not_started" and entry.after["status"] == "draft"
        assert "updated_at" in entry.after
    answers = list(
        session.scalars(
            select(AuditLogEntry).where(
                AuditLogEntry.record_type == "answer", AuditLogEntry.action == "create"
            )
        )
    )
    created = {(entry.after["return_id"], entry.after["question_id"]) for entry in answers}
    assert created >= {
        (child_a.id, "missed_opportunity"),
        (child_b.id, "missed_opportunity"),
        (child_b.id, "days_waited"),
    }
    assert {entry.actor_id for entry in answers} == {reviewer_id}


def test_a_return_saved_meanwhile_refuses_the_whole_save(
    session: Session, collecting: Audit, agency: Agency, users: dict[Role, User]
) -> None:
    """The one UPDATE of every return still names each return's version: when one has
    moved on since it was read (another save landed between), nothing is saved."""
    child_a = own_return(session, collecting, agency.id, "Child A")
    child_b = own_return(session, collecting, agency.id, "Child B")
    read = {child_a.id: child_a.version, child_b.id: child_b.version}
    log_before = session.scalar(select(func.count()).select_from(AuditLogEntry))
    # Another save of Child B lands after this request read it.
    session.connection().execute(
        text("UPDATE agency_return SET version = version + 1 WHERE id = :id"), {"id": child_b.id}
    )
    saves = [
        SectionSave(child_a, read[child_a.id], {"missed_opportunity": "Seen twice in May"}),
        SectionSave(child_b, read[child_b.id], {"missed_opportunity": "Not seen"}),
    ]
    with pytest.raises(ReturnConflict):
        save_sections(session, saves, users[Role.REVIEWER])
    session.expire_all()
    assert answers_of(session, child_a) == {} and answers_of(session, child_b) == {}
    assert child_a.version == read[child_a.id] and child_a.status is ReturnStatus.NOT_STARTED
    assert session.scalar(select(func.count()).select_from(AuditLogEntry)) == log_before


def test_saving_several_returns_at_once_moves_each_on_one_version(
    session: Session, collecting: Audit, agency: Agency, users: dict[Role, User]
) -> None:
    child_a = own_return(session, collecting, agency.id, "Child A")
    child_b = own_return(session, collecting, agency.id, "Child B")
    save_sections(
        session,
        [SectionSave(child_a, child_a.version, {"missed_opportunity": "First"})],
        users[Role.REVIEWER],
    )
    read = {child_a.id: child_a.version, child_b.id: child_b.version}
    saves = [
        SectionSave(child_a, read[child_a.id], {"missed_opportunity": "Changed"}),
        SectionSave(child_b, read[child_b.id], {"days_waited": 3}),
    ]
    save_sections(session, saves, users[Role.REVIEWER])
    # The objects in the session know their new versions: saving again from them works.
    assert child_a.version == read[child_a.id] + 1 and child_b.version == read[child_b.id] + 1
    save_sections(
        session, [SectionSave(child_b, child_b.version, {"days_waited": 4})], users[Role.REVIEWER]
    )
    session.expire_all()
    assert answers_of(session, child_a)["missed_opportunity"][0] == "Changed"
    assert answers_of(session, child_b)["days_waited"][0] == 4
    assert child_a.status is child_b.status is ReturnStatus.DRAFT
    [update] = _entries(session, "agency_return", child_a.id)[-1:]
    assert update.action == "update" and set(update.after) == {"updated_at"}  # already a draft
