"""A recommendation's re-audit: when and how, the questions it compares, and good or better
then and now once a later audit is linked."""

from __future__ import annotations

from sqlalchemy.orm import Session

from audit_app.panel import findings
from tests.conftest import csrf_token, page, text_of
from tests.integration.panel.conftest import PanelClients
from tests.integration.panel.test_questions import GRADE, earlier_audit


def test_a_re_audit_is_planned_then_linked_and_compared(
    panel_world: PanelClients, session: Session
) -> None:
    world, chair = panel_world.world, panel_world.chair
    recommendation = findings.add_recommendation(
        session, world.audit, findings.RecommendationDraft("Help schools see early signs", [])
    )
    later = earlier_audit(session, world, "Children in crisis 2028", -700, "good")  # later
    session.commit()
    plan_url = f"/audits/{world.audit.id}/action-plan"
    soup = page(chair.get(plan_url))
    assert "No re-audit is planned yet" in text_of(soup)
    url = soup.select_one('a[href$="/re-audit"]')["href"]
    form = page(chair.get(url))
    token = csrf_token(form)
    assert form.find("option", string="Children in crisis 2028") is not None
    base = {
        "csrf_token": token,
        "version": str(recommendation.version),
        "by-day": "1",
        "by-month": "9",
        "by-year": "2028",
        "how": "A themed re-audit of ten children",
    }
    # Nothing given is not "saved": it is refused, saying what to give.
    empty = page(chair.post(url, data={"csrf_token": token, "version": base["version"]}))
    assert "Give the date of the re-audit" in text_of(empty.find(class_="govuk-error-summary"))
    # Linking a re-audit with nothing to compare is refused, and the words are kept.
    refused = page(chair.post(url, data={**base, "audit_id": str(later.id)}))
    assert "Choose the questions the re-audit compares" in text_of(refused)
    assert refused.find("textarea", attrs={"name": "how"}).get_text() == (
        "A themed re-audit of ten children"
    )
    response = chair.post(url, data={**base, "audit_id": str(later.id), "question_ids": GRADE})
    assert response.status_code == 302
    words = text_of(page(chair.get(plan_url)))
    assert "By 1 September 2028: A themed re-audit of ten children" in words
    assert "Linked re-audit: Children in crisis 2028" in words
    table = (
        page(chair.get(plan_url))
        .find("caption", string="Good or better then and now, on the questions it checks")
        .find_parent("table")
    )
    row = [
        cell.get_text(" ", strip=True)
        for cell in table.select("tbody tr")[0].find_all(["th", "td"])
    ]
    assert row[2].startswith("100%")  # every grade in the re-audit is good
    assert panel_world.other_panel.get(url).status_code == 403
