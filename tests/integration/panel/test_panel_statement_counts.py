"""Every panel page runs as many statements for a cohort of two as for four (the evidence
page's guard is beside its tests: it varies what is listed, not the cohort).

Each guard builds its own worlds in transactions of their own, so they live here, apart
from the modules that share one world per module (see ``conftest.py``)."""

from __future__ import annotations

from datetime import date

import pytest
from flask import Flask
from sqlalchemy import select

from audit_app.models import (
    AgencyReturn,
    AgreedGrade,
    Answer,
    ChronologyEntry,
    SummaryItem,
    Theme,
    ThemeTag,
)
from audit_app.panel import findings, meetings
from tests.conftest import sign_in
from tests.integration.panel.test_board import board_url
from tests.integration.panel.test_children import _url as children_url
from tests.integration.panel.test_questions import GRADE, SCALING, earlier_audit
from tests.integration.panel.test_themes import base as themes_url
from tests.integration.panel.test_themes import evidence_item
from tests.integration.panel.world import build_panel_world
from tests.integration.test_statement_counts import isolated
from tests.statements import recorded_statements


def _overview_counts(app: Flask, children: int) -> dict[str, int]:
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


def test_the_overview_findings_and_meetings_pages(app: Flask) -> None:
    assert _overview_counts(app, 2) == _overview_counts(app, 4)


def test_the_board(app: Flask) -> None:
    found = {}
    for children in (2, 4):
        with isolated(app) as session:
            world = build_panel_world(session, children)
            client = app.test_client()
            assert sign_in(client, world.chair.email).status_code == 302
            theme = Theme(audit_id=world.audit.id, name="A theme")
            session.add(theme)
            session.commit()
            with recorded_statements(app) as statements:
                response = client.get(board_url(world))
            assert response.status_code == 200
            with recorded_statements(app) as gaps:
                assert client.get(board_url(world, show="gaps")).status_code == 200
            found[children] = (statements.count, gaps.count)
    assert found[2] == found[4], found


def _children_counts(app: Flask, children: int) -> dict[str, int]:
    with isolated(app) as session:
        world = build_panel_world(session, children)
        session.add(
            AgreedGrade(member_id=world.members[1].id, question_id="overall_grade", grade="good",
                        rationale="Agreed", agreed_by_id=world.chair.id)
        )  # fmt: skip
        session.commit()
        client = app.test_client()
        assert sign_in(client, world.chair.email).status_code == 302
        counts = {}
        for name, url in (
            ("children", children_url(world)),
            ("child", children_url(world, world.members[0])),
            ("graded child", children_url(world, world.members[1])),
        ):
            assert client.get(url).status_code == 200  # once: what a process loads once
            with recorded_statements(app) as statements:
                assert client.get(url).status_code == 200
            counts[name] = statements.count
        return counts


def test_the_children_pages(app: Flask) -> None:
    assert _children_counts(app, 2) == _children_counts(app, 4)


def test_the_question_pages(app: Flask) -> None:
    counts = {}
    for children in (2, 4):
        with isolated(app) as session:
            world = build_panel_world(session, children)
            older = earlier_audit(session, world, "Children in crisis 2021", 700, "good")
            assert older.id
            client = app.test_client()
            assert sign_in(client, world.chair.email).status_code == 302
            found = []
            for url in (
                f"/panel/{world.audit.id}/questions",
                f"/panel/{world.audit.id}/questions/{GRADE}",
                f"/panel/{world.audit.id}/questions/{SCALING}",
            ):
                assert client.get(url).status_code == 200
                with recorded_statements(app) as statements:
                    assert client.get(url).status_code == 200
                found.append(statements.count)
            counts[children] = found
    assert counts[2] == counts[4], counts


def _statement_counts(app: Flask, children: int) -> dict[str, int]:
    with isolated(app) as session:
        world = build_panel_world(session, children)
        theme = Theme(audit_id=world.audit.id, name="Voice")
        other = Theme(audit_id=world.audit.id, name="Early help")
        session.add_all([theme, other])
        session.flush()
        for answer in session.scalars(
            select(Answer)
            .join(AgencyReturn, AgencyReturn.id == Answer.return_id)
            .where(AgencyReturn.audit_id == world.audit.id)
            .order_by(Answer.id)
        ).all()[: 20 * children]:
            session.add(ThemeTag(theme_id=theme.id, answer_id=answer.id))
            session.add(ThemeTag(theme_id=other.id, answer_id=answer.id))
        for entry in session.scalars(select(ChronologyEntry)):
            session.add(ThemeTag(theme_id=theme.id, chronology_entry_id=entry.id))
        for item in session.scalars(select(SummaryItem)):
            session.add(ThemeTag(theme_id=theme.id, summary_item_id=item.id))
        session.add(ThemeTag(theme_id=theme.id, evidence_item_id=evidence_item(session, world).id))
        session.commit()
        client = app.test_client()
        assert sign_in(client, world.chair.email).status_code == 302
        urls = {"themes": themes_url(world), "theme": f"{themes_url(world)}/{theme.id}"}
        counts = {}
        for name, url in urls.items():
            assert client.get(url).status_code == 200  # what a process loads once
            with recorded_statements(app) as statements:
                assert client.get(url).status_code == 200
            counts[name] = statements.count
        return counts


@pytest.mark.usefixtures("app")
def test_the_theme_pages(app: Flask) -> None:
    small, large = _statement_counts(app, 2), _statement_counts(app, 4)
    assert small == large, (small, large)
    print("theme page statements:", small)
