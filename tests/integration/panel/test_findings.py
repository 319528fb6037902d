"""Key findings and numbered recommendations: written, linked, reordered, deleted, and two
panel members saving at once never lose each other's words."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from audit_app.models import (
    EvidenceItem,
    EvidenceKind,
    EvidenceSource,
    Finding,
    Recommendation,
    SignsOfSafetyColumn,
    Theme,
)
from audit_app.panel import findings
from tests.conftest import csrf_token, page, text_of
from tests.integration.panel.conftest import PanelClients


def _post(client: FlaskClient, page_url: str, data: dict[str, Any], url: str | None = None) -> Any:
    token = csrf_token(page(client.get(page_url)))
    return client.post(url or page_url, data={"csrf_token": token, **data})


def _themes(session: Session, audit_id: int) -> list[Theme]:
    themes = [Theme(audit_id=audit_id, name=name) for name in ("Voice of the child", "Schools")]
    session.add_all(themes)
    session.commit()
    return themes


def test_a_finding_is_added_with_its_themes_and_evidence(
    panel_world: PanelClients, session: Session
) -> None:
    world = panel_world.world
    themes = _themes(session, world.audit.id)
    source = EvidenceSource(
        audit_id=world.audit.id,
        kind=EvidenceKind.PROFESSIONAL_INTERVIEW,
        title="Interview with a DSL",
    )
    item = EvidenceItem(
        audit_id=world.audit.id,
        source=source,
        column=SignsOfSafetyColumn.WORRIED_ABOUT,
        text="Schools hear late",
    )
    session.add_all([source, item])
    session.commit()
    url = f"/panel/{world.audit.id}/findings"
    response = _post(
        panel_world.chair,
        url,
        {
            "action": "add_finding",
            "column": "worried_about",
            "text": "Schools were told late & <rarely> asked",
            "theme_ids": [str(themes[1].id)],
            "evidence_ids": [str(item.id)],
        },
    )
    assert response.status_code == 302
    finding = session.scalars(select(Finding).where(Finding.audit_id == world.audit.id)).one()
    assert finding.column is SignsOfSafetyColumn.WORRIED_ABOUT
    assert [link.theme_id for link in finding.themes] == [themes[1].id]
    assert [link.evidence_item_id for link in finding.evidence] == [item.id]
    words = text_of(page(panel_world.chair.get(url)))
    assert "Schools were told late & <rarely> asked" in words
    assert "Themes: Schools." in words


def test_bad_findings_are_refused_naming_the_field(
    panel_world: PanelClients, session: Session
) -> None:
    world = panel_world.world
    url = f"/panel/{world.audit.id}/findings"
    for data, message in (
        ({"column": "worried_about", "text": "  "}, "Enter the finding"),
        ({"column": "", "text": "Something"}, "Choose the column"),
        ({"column": "worried_about", "text": "x" * 2001}, "2,000 characters or fewer"),
    ):
        response = _post(panel_world.chair, url, {"action": "add_finding", **data})
        assert response.status_code == 200
        soup = page(response)
        summary = soup.find(class_="govuk-error-summary")
        assert summary is not None and message in text_of(summary)
        link = summary.find("a")["href"]
        assert soup.find(id=link.removeprefix("#")) is not None, link
    assert session.scalars(select(Finding).where(Finding.audit_id == world.audit.id)).all() == []
    # The typed words are shown back in the field after a refusal.
    response = _post(
        panel_world.chair, url, {"action": "add_finding", "column": "", "text": "Keep me"}
    )
    assert page(response).find("textarea", id="new-finding-text").get_text() == "Keep me"


def test_two_people_editing_one_finding_never_lose_words(
    panel_world: PanelClients, session: Session
) -> None:
    world = panel_world.world
    finding = findings.add_finding(
        session, world.audit, findings.FindingDraft("worried_about", "First words")
    )
    session.commit()
    url = f"/panel/{world.audit.id}/findings/{finding.id}"
    token = csrf_token(page(panel_world.chair.get(url)))
    other_token = csrf_token(page(panel_world.reviewer.get(url)))
    seen = str(finding.version)
    assert (
        panel_world.reviewer.post(
            url,
            data={
                "csrf_token": other_token,
                "version": seen,
                "column": "worried_about",
                "text": "The reviewer's words",
            },
        ).status_code
        == 302
    )
    response = panel_world.chair.post(
        url,
        data={
            "csrf_token": token,
            "version": seen,
            "column": "worried_about",
            "text": "The chair's words",
        },
    )
    assert response.status_code == 200
    soup = page(response)
    assert "Someone else changed this finding" in text_of(soup.find(class_="govuk-error-summary"))
    assert "The chair's words" in text_of(soup.find(id="your-text"))
    session.expire_all()
    assert session.get(Finding, finding.id).text == "The reviewer's words"


def test_findings_and_recommendations_reorder_and_renumber(
    panel_world: PanelClients, session: Session
) -> None:
    world = panel_world.world
    audit = world.audit
    first = findings.add_finding(session, audit, findings.FindingDraft("worried_about", "One"))
    second = findings.add_finding(session, audit, findings.FindingDraft("worried_about", "Two"))
    recs = [
        findings.add_recommendation(
            session, audit, findings.RecommendationDraft(f"Do {n}", [first.id])
        )
        for n in (1, 2, 3)
    ]
    session.commit()
    base = f"/panel/{audit.id}"
    _post(
        panel_world.chair,
        f"{base}/findings",
        {"direction": "up"},
        f"{base}/findings/{second.id}/move",
    )
    session.expire_all()
    assert [
        f.text
        for f in session.scalars(
            select(Finding).where(Finding.audit_id == audit.id).order_by(Finding.position)
        )
    ] == ["Two", "One"]
    _post(
        panel_world.chair,
        f"{base}/findings",
        {"direction": "down"},
        f"{base}/recommendations/{recs[0].id}/move",
    )
    session.expire_all()
    assert [r.text for r in findings.recommendations_of(session, audit.id)] == [
        "Do 2",
        "Do 1",
        "Do 3",
    ]
    # Deleting one renumbers the rest, and its links go with it.
    delete_url = f"{base}/recommendations/{recs[1].id}/delete"
    soup = page(panel_world.chair.get(delete_url))
    assert "Delete recommendation 1" in text_of(soup)
    version = soup.find("input", attrs={"name": "version"})["value"]
    assert (
        panel_world.chair.post(
            delete_url, data={"csrf_token": csrf_token(soup), "version": version}
        ).status_code
        == 302
    )
    session.expire_all()
    remaining = findings.recommendations_of(session, audit.id)
    assert [(r.number, r.text) for r in remaining] == [(1, "Do 1"), (2, "Do 3")]
    words = text_of(page(panel_world.chair.get(f"{base}/findings")))
    assert "Recommendation 1 Do 1 Answers: What are we worried about 2" in words
    # A finding deleted leaves the recommendations that answered it.
    findings.delete_finding(
        session, session.get(Finding, first.id), session.get(Finding, first.id).version
    )
    session.commit()
    assert all(not r.findings for r in findings.recommendations_of(session, audit.id))


def test_another_audits_findings_are_not_found_and_other_panels_refused(
    panel_world: PanelClients, session: Session
) -> None:
    world = panel_world.world
    other = findings.add_finding(
        session, world.other_audit, findings.FindingDraft("working_well", "Elsewhere")
    )
    rec = findings.add_recommendation(
        session, world.other_audit, findings.RecommendationDraft("Elsewhere")
    )
    session.commit()
    base = f"/panel/{world.audit.id}"
    assert panel_world.chair.get(f"{base}/findings/{other.id}").status_code == 404
    assert panel_world.chair.get(f"{base}/recommendations/{rec.id}").status_code == 404
    # Linking another audit's finding to a recommendation is refused.
    response = _post(
        panel_world.chair,
        f"{base}/findings",
        {
            "action": "add_recommendation",
            "text": "Do it",
            "finding_ids": [str(other.id)],
        },
    )
    assert "Choose findings from the list shown" in text_of(page(response))
    assert (
        session.scalars(
            select(Recommendation).where(Recommendation.audit_id == world.audit.id)
        ).all()
        == []
    )
    assert panel_world.other_panel.get(f"{base}/findings").status_code == 403


def test_an_edit_of_a_finding_deleted_meanwhile_keeps_the_words(
    panel_world: PanelClients, session: Session
) -> None:
    world = panel_world.world
    finding = findings.add_finding(
        session, world.audit, findings.FindingDraft("worried_about", "To go")
    )
    session.commit()
    url = f"/panel/{world.audit.id}/findings/{finding.id}"
    token = csrf_token(page(panel_world.chair.get(url)))
    findings.delete_finding(session, finding, finding.version)
    session.commit()
    response = panel_world.chair.post(
        url,
        data={"csrf_token": token, "version": "0", "column": "worried_about",
              "text": "My careful rewording"},
    )  # fmt: skip
    assert response.status_code == 200
    soup = page(response)
    assert "Someone else deleted this finding" in text_of(soup.find(class_="govuk-error-summary"))
    assert "My careful rewording" in text_of(soup.find(id="your-text"))
    assert soup.find("textarea", id="new-finding-text").get_text() == "My careful rewording"
