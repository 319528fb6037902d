"""The panel's overview: what is in, what the panel has done, nothing about a child."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.orm import Session

from audit_app.models import AuditStatus
from tests.conftest import csrf_token, page, text_of
from tests.integration.panel.conftest import PanelClients


def test_the_overview_counts_returns_summaries_and_concerns(panel_world: PanelClients) -> None:
    world = panel_world.world
    soup = page(panel_world.chair.get(f"/panel/{world.audit.id}/"))
    words = text_of(soup)
    assert "3 children, 3 agencies" in words
    assert "8 returns are in, 1 with no involvement, 0 outstanding" in words
    assert "3 of 3 agencies have sent their summary" in words
    assert "Reviewers raised 1 urgent concern" in words
    assert "Referred to the MASH the same day (MASH team)" in words
    # Never a child's name or code in what was done about a concern.
    assert "Amelia" not in words and "Secret worry" not in words
    assert "0 of 3 children have an agreed grade" in words


def test_a_panel_member_of_another_audit_is_refused(panel_world: PanelClients) -> None:
    response = panel_world.other_panel.get(f"/panel/{panel_world.world.audit.id}/")
    assert response.status_code == 403


def test_before_sharing_the_panel_sees_only_that_it_waits(
    panel_world: PanelClients, session: Session
) -> None:
    world = panel_world.world
    world.audit.status = AuditStatus.COLLECTING
    world.audit.returns_shared_at = None
    session.commit()
    words = text_of(page(panel_world.chair.get(f"/panel/{world.audit.id}/")))
    assert "has not shared the returns with the panel yet" in words
    assert "Returns by agency" not in words
    response = panel_world.chair.get(f"/panel/{world.audit.id}/children")
    assert response.status_code == 302
    # The lead shares them from the audit page.
    soup = page(panel_world.lead.get(f"/audits/{world.audit.id}"))
    form = soup.find("form", attrs={"action": f"/audits/{world.audit.id}/share"})
    token = form.find("input", attrs={"name": "csrf_token"})["value"]
    assert (
        panel_world.lead.post(
            f"/audits/{world.audit.id}/share", data={"csrf_token": token}
        ).status_code
        == 302
    )
    session.expire_all()
    assert world.audit.returns_shared_at is not None
    assert world.audit.returns_shared_at <= datetime.now(UTC)
    assert panel_world.chair.get(f"/panel/{world.audit.id}/children").status_code == 200


def test_a_closed_audits_panel_work_is_read_only(
    panel_world: PanelClients, session: Session
) -> None:
    world = panel_world.world
    world.audit.status = AuditStatus.CLOSED
    session.commit()
    url = f"/panel/{world.audit.id}/themes"
    token = csrf_token(page(panel_world.chair.get(url)))
    response = panel_world.chair.post(f"{url}/new", data={"csrf_token": token, "name": "Late"})
    assert response.status_code == 302
    words = text_of(page(panel_world.chair.get(response.location)))
    assert "This audit is closed" in words
    assert "Late" not in text_of(page(panel_world.chair.get(url)))


def test_the_agency_summaries_wait_for_sharing_too(
    panel_world: PanelClients, session: Session
) -> None:
    world = panel_world.world
    world.audit.status = AuditStatus.COLLECTING
    world.audit.returns_shared_at = None
    session.commit()
    response = panel_world.chair.get(f"/audits/{world.audit.id}/summaries")
    assert response.status_code == 302 and response.location == f"/panel/{world.audit.id}/"
    assert panel_world.lead.get(f"/audits/{world.audit.id}/summaries").status_code == 200


def test_moving_the_audit_to_the_panel_shares_the_returns_as_the_lead(
    panel_world: PanelClients, session: Session
) -> None:
    world = panel_world.world
    world.audit.status = AuditStatus.COLLECTING
    world.audit.returns_shared_at = None
    world.audit.returns_shared_by_id = None
    session.commit()
    url = f"/audits/{world.audit.id}/status"
    token = csrf_token(page(panel_world.lead.get(f"{url}?to=panel")))
    response = panel_world.lead.post(url, data={"csrf_token": token, "to": "panel"})
    assert response.status_code == 302
    session.expire_all()
    assert world.audit.status is AuditStatus.PANEL
    assert world.audit.returns_shared_at is not None
    assert world.audit.returns_shared_by_id == world.lead.id
