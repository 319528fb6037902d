"""The audit log page runs as many statements for an audit of 40 children as for one of 5:
every name on a page is looked up in bulk, one statement per kind of name.

A page's count depends on the kinds of record it shows (each kind of name is one query), so
each page here is filtered to kinds that are the same at both sizes."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from audit_app.core.audit_log import Cursor
from audit_app.models import AuditLogEntry
from tests.integration.test_statement_counts import SIZES, build, isolated
from tests.statements import recorded_statements

PAGES: dict[str, str] = {
    "answers": "/admin/audit-log?record_type=answer",
    "answers of the audit": "/admin/audit-log?record_type=answer&audit={a}",
    "urgent concerns": "/admin/audit-log?record_type=urgent_concern",
    "children in the cohort": "/admin/audit-log?record_type=cohort_member&audit={a}",
    "children's identities": "/admin/audit-log?record_type=child_identity",
    "older answers": "/admin/audit-log?record_type=answer&audit={a}&older={cursor}",
}


def measure(app: Flask, children: int) -> dict[str, tuple[int, int]]:
    """(statements, entries shown) for each page."""
    with isolated(app) as session:
        world = build(app, session, children)
        fifth = session.scalars(
            select(AuditLogEntry)
            .where(AuditLogEntry.record_type == "answer")
            .order_by(AuditLogEntry.at.desc(), AuditLogEntry.id.desc())
            .offset(4)
            .limit(1)
        ).one()
        cursor = Cursor.of(fifth).token()
        counts = {}
        for name, url in PAGES.items():
            target = url.format(a=world.audit.id, cursor=cursor)

            def get(target: str = target) -> Any:
                response = world.admin.get(target)
                assert response.status_code == 200, target
                return response

            get()  # once before counting: what the process loads once is not counted
            with recorded_statements(app) as statements:
                body = get().get_data(as_text=True)
            counts[name] = (statements.count, body.count('class="govuk-summary-card '))
        return counts


@pytest.fixture(scope="module")
def counts(app: Flask) -> dict[int, dict[str, tuple[int, int]]]:
    return {children: measure(app, children) for children in SIZES}


@pytest.mark.parametrize("name", list(PAGES))
def test_the_log_page_statement_count_does_not_grow_with_the_cohort(
    counts: dict[int, dict[str, tuple[int, int]]], name: str
) -> None:
    (small, small_entries), (big, big_entries) = (counts[n][name] for n in SIZES)
    print(f"{name}: {small} statements for {small_entries} entries, {big} for {big_entries}")
    assert big_entries > small_entries or big_entries == 50
    assert small == big, f"{name}: {small} -> {big}"
