"""The audit log page says what happened in words, filters by audit, and pages by key."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from audit_app.models import (
    Agency,
    AuditLogEntry,
    ChildIdentity,
    CohortMember,
)
from tests.conftest import page, text_of
from tests.integration.test_statement_counts import build

TITLE = "Children in crisis"


def _titles(soup) -> list[str]:  # type: ignore[no-untyped-def]
    return [t.get_text(" ", strip=True) for t in soup.select(".govuk-summary-card__title")]


def test_entries_are_written_with_their_audit(app: Flask, session: Session) -> None:
    world = build(app, session, 3)
    by_type = dict(
        session.execute(
            select(AuditLogEntry.record_type, func.count())
            .where(AuditLogEntry.audit_id == world.audit.id)
            .group_by(AuditLogEntry.record_type)
        ).all()
    )
    # Records with their own audit_id, and those that reach it through a parent.
    for record_type in (
        "audit",
        "agency_return",
        "answer",
        "chronology_entry",
        "urgent_concern",
        "cohort_member",
        "child_identity",
        "population_list",
    ):
        assert by_type.get(record_type), record_type
    stray = session.scalar(
        select(func.count())
        .select_from(AuditLogEntry)
        .where(
            AuditLogEntry.record_type.in_(["answer", "child_identity", "agency_return"]),
            AuditLogEntry.audit_id.is_(None),
        )
    )
    assert stray == 0
    agencies = session.scalars(
        select(AuditLogEntry.audit_id).where(AuditLogEntry.record_type == "agency")
    ).all()
    assert agencies and set(agencies) == {None}


def test_the_log_speaks_in_words_and_never_names_a_child(app: Flask, session: Session) -> None:
    world = build(app, session, 3)
    soup = page(world.admin.get(f"/admin/audit-log?audit={world.audit.id}&record_type=answer"))
    titles = _titles(soup)
    assert titles
    codes = session.scalars(
        select(CohortMember.code).where(CohortMember.audit_id == world.audit.id)
    ).all()
    question = "Answer to \u2018Was early help offered before the crisis?\u2019 created on CAMHS"
    assert any(t.startswith(question) for t in titles), titles
    for title in titles:
        assert title.endswith(f"in \u2018{TITLE}\u2019"), title
        assert any(f"return for {code} " in title for code in codes), title

    returns = _titles(
        page(world.admin.get(f"/admin/audit-log?audit={world.audit.id}&record_type=agency_return"))
    )
    assert f"CAMHS return for {codes[0]} created in \u2018{TITLE}\u2019" in returns
    shown = text_of(page(world.admin.get(f"/admin/audit-log?audit={world.audit.id}")))
    assert not re.search(r"\b(agency_return|member_id|return_id|agency_id)\b", shown)
    names = session.scalars(
        select(ChildIdentity.full_name)
        .join(CohortMember)
        .where(CohortMember.audit_id == world.audit.id)
    ).all()
    assert names and not any(name in shown for name in names)

    # A field holding another record's id shows that record's name.
    police = session.scalars(select(Agency).where(Agency.short_name == "Police")).one()
    created = page(
        world.admin.get(f"/admin/audit-log?audit={world.audit.id}&record_type=agency_return")
    )
    cells = text_of(created)
    assert "Child" in cells and codes[0] in cells and police.short_name in cells


def test_the_audit_filter_finds_every_entry_of_the_audit_and_paging_is_by_key(
    app: Flask, session: Session
) -> None:
    world = build(app, session, 10)
    expected = session.scalar(
        select(func.count())
        .select_from(AuditLogEntry)
        .where(AuditLogEntry.audit_id == world.audit.id)
    )
    assert expected and expected > 100  # more than two pages
    url = f"/admin/audit-log?audit={world.audit.id}"
    first = page(world.admin.get(url))
    assert f"{expected} entries" in text_of(first)
    seen: list[str] = []
    pages = [first]
    soup = first
    while True:
        seen += [card.get_text(" ", strip=True) for card in soup.select(".govuk-summary-card")]
        older = soup.select_one(".govuk-pagination__next a")
        if older is None:
            break
        assert "Older entries" in older.get_text() and "audit=" in older["href"]
        soup = page(world.admin.get(older["href"]))
        pages.append(soup)
    assert len(seen) == expected
    assert len(set(seen)) == expected  # each entry once (they differ by field values/times)
    odd = [t for s in pages for t in _titles(s) if not t.endswith(f"\u2018{TITLE}\u2019")]
    assert odd == [f"Audit \u2018{TITLE}\u2019 changed", f"Audit \u2018{TITLE}\u2019 created"]

    # Back from the last page by "Newer entries" gives the page before it again.
    newer = pages[-1].select_one(".govuk-pagination__prev a")
    assert newer is not None and "Newer entries" in newer.get_text()
    back = page(world.admin.get(newer["href"]))
    assert _titles(back) == _titles(pages[-2])
    assert first.select_one(".govuk-pagination__prev") is None


def test_a_cursor_that_is_not_one_shows_the_first_page(app: Flask, session: Session) -> None:
    world = build(app, session, 2)
    first = _titles(page(world.admin.get("/admin/audit-log")))
    for junk in ("x", "12-", "-3", "9" * 40 + "-1", "1.5-2"):
        response = world.admin.get(f"/admin/audit-log?older={junk}&newer={junk}")
        assert response.status_code == 200
        assert _titles(page(response)) == first
    # Cursors at the far ends of what a link can hold are answered, not refused.
    assert world.admin.get("/admin/audit-log?older=99999999999999999-2147483647").status_code == 200
    assert world.admin.get("/admin/audit-log?newer=99999999999999999-1").status_code == 200
    assert world.admin.get("/admin/audit-log?older=0-0").status_code == 200


def test_the_count_stops_at_its_limit(
    app: Flask, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    from audit_app.accounts import audit_log_views
    from audit_app.core import audit_log

    world = build(app, session, 5)
    monkeypatch.setattr(audit_log, "COUNT_LIMIT", 5)
    monkeypatch.setattr(audit_log_views, "COUNT_LIMIT", 5)
    shown = text_of(page(world.admin.get("/admin/audit-log")))
    assert "More than 5 entries, 50 on this page" in shown


def test_a_deleted_record_is_still_named_from_what_was_logged(app: Flask, session: Session) -> None:
    from audit_app.models import AgencyReturn, Answer, ReturnStatus

    world = build(app, session, 2)
    police = session.scalars(select(Agency).where(Agency.short_name == "Police")).one()
    unstarted = session.scalars(
        select(AgencyReturn).where(
            AgencyReturn.agency_id == police.id, AgencyReturn.status == ReturnStatus.NOT_STARTED
        )
    ).first()
    assert unstarted is not None
    code = unstarted.member.code
    answer = session.scalars(
        select(Answer).where(Answer.return_id == world.first_return.id)
    ).first()
    question = answer.question_id
    session.delete(unstarted)
    session.delete(answer)
    session.commit()

    returns = _titles(page(world.admin.get("/admin/audit-log?record_type=agency_return")))
    assert f"Police return for {code} deleted in \u2018{TITLE}\u2019" in returns
    answers = _titles(page(world.admin.get("/admin/audit-log?record_type=answer")))
    assert answers[0].startswith(f"Answer to question \u2018{question}\u2019 deleted on CAMHS")
