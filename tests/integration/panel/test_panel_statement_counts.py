"""The panel's overview, findings and meetings pages run as many statements for a cohort of
two as for four (each other panel page has its own guard beside its tests)."""

from __future__ import annotations

from datetime import date

from flask import Flask

from audit_app.panel import findings, meetings
from tests.conftest import sign_in
from tests.integration.panel.world import build_panel_world
from tests.integration.test_statement_counts import isolated
from tests.statements import recorded_statements


def _counts(app: Flask, children: int) -> dict[str, int]:
    with isolated(app) as session:
        world = build_panel_world(session, children)
        audit = world.audit
        first = findings.add_finding(session, audit, findings.FindingDraft("worried_about", "A"))
        findings.add_finding(session, audit, findings.FindingDraft("working_well", "B"))
        findings.add_recommendation(session, audit, findings.RecommendationDraft("R", [first.id]))
        meetings.record_meeting(
            session,
            audit,
            meetings.MeetingDraft(date(2026, 1, 5), [meetings.AttendeeDraft("A")], ""),
        )
        session.commit()
        client = app.test_client()
        assert sign_in(client, world.chair.email).status_code == 302
        counts = {}
        base = f"/panel/{audit.id}"
        for name, url in (
            ("overview", f"{base}/"),
            ("findings", f"{base}/findings"),
            ("a finding", f"{base}/findings/{first.id}"),
            ("meetings", f"{base}/meetings"),
        ):
            assert client.get(url).status_code == 200  # once: what a process loads once
            with recorded_statements(app) as statements:
                assert client.get(url).status_code == 200
            counts[name] = statements.count
        return counts


def test_the_pages_run_as_many_statements_at_two_children_as_at_four(app: Flask) -> None:
    assert _counts(app, 2) == _counts(app, 4)
