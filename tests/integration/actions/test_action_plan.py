"""Writing actions from a recommendation with the SMART check, moving them through their
states, progress updates, the RAG, and who may do what."""

from __future__ import annotations

import io
from datetime import date, timedelta
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from audit_app.actions.models import Action, ActionEvent, ActionState
from audit_app.core.models import today
from audit_app.models import AuditLogEntry, Role
from audit_app.panel import findings
from tests.conftest import csrf_token, make_user, page, sign_in, text_of
from tests.integration.panel.conftest import PanelClients

SOON = today() + timedelta(days=90)
MEASURE = "A re-audit in 2028 shows 75% good or better on early signs"


def _recommendation(session: Session, panel_world: PanelClients) -> Any:
    audit = panel_world.world.audit
    finding = findings.add_finding(
        session, audit, findings.FindingDraft("worried_about", "Early signs were missed")
    )
    recommendation = findings.add_recommendation(
        session, audit, findings.RecommendationDraft("Help schools see early signs", [finding.id])
    )
    session.commit()
    return recommendation


def _form(panel_world: PanelClients, **changes: str) -> dict[str, str]:
    world = panel_world.world
    form = {
        "what": "Deliver training on early signs to every school's safeguarding lead",
        "success_measure": MEASURE,
        "lead_agency": str(world.agencies[1].id),
        "owner_kind": "account",
        "owner": str(world.reviewer.id),
        "start_date-day": "",
        "start_date-month": "",
        "start_date-year": "",
        "target_date-day": str(SOON.day),
        "target_date-month": str(SOON.month),
        "target_date-year": str(SOON.year),
        "priority": "high",
        "override_reason": "",
    }
    return {**form, **changes}


def _post(client: FlaskClient, url: str, data: dict[str, str]) -> Any:
    token = csrf_token(page(client.get(url)))
    return client.post(url, data={"csrf_token": token, **data})


def _subgroup(app: Flask, session: Session) -> FlaskClient:
    person = make_user(session, Role.SUBGROUP, email="subgroup.member@example.org")
    client = app.test_client()
    assert sign_in(client, person.email).status_code == 302
    return client


def test_an_action_is_written_checked_and_saved_as_a_draft(
    panel_world: PanelClients, session: Session
) -> None:
    world, chair = panel_world.world, panel_world.chair
    recommendation = _recommendation(session, panel_world)
    plan_url = f"/audits/{world.audit.id}/action-plan"
    soup = page(chair.get(plan_url))
    link = soup.select_one('a[href$="/actions/new"]')
    assert link is not None and "Add an action" in link.get_text()
    url = link["href"]
    # What an action cannot do without is refused, naming each field.
    soup = page(
        _post(
            chair,
            url,
            _form(
                panel_world,
                success_measure="",
                owner="",
                lead_agency="",
                **{"target_date-year": "2020"},
            ),
        )
    )
    summary = text_of(soup.find(class_="govuk-error-summary"))
    assert "Say how we will know the action made a difference to children" in summary
    assert "Choose the lead agency" in summary
    assert "Choose the owner" in summary
    assert "The target date must be today or in the future" in summary
    assert soup.find("textarea", attrs={"name": "what"}).get_text().startswith("Deliver training")
    # Weak wording without a measure: a warning, kept only with a reason.
    weak = _form(
        panel_world,
        what="Remind staff of the early signs guidance",
        success_measure="Staff are clearer",
    )
    soup = page(_post(chair, url, weak))
    assert "describes activity rather than a change for children" in text_of(
        soup.find(id="smart-what")
    )
    assert "Give a reason for keeping the wording" in text_of(
        soup.find(class_="govuk-error-summary")
    )
    response = _post(chair, url, {**weak, "override_reason": "The board asked for it first"})
    assert response.status_code == 302
    action = session.scalars(select(Action).where(Action.audit_id == world.audit.id)).one()
    assert action.state is ActionState.DRAFT and action.recommendation_id == recommendation.id
    assert [w["rule"] for w in action.smart_warnings] == ["weak_wording"]
    assert action.smart_override_reason == "The board asked for it first"
    soup = page(chair.get(response.location))
    assert "Kept because: The board asked for it first" in text_of(soup)
    assert "Early signs were missed" in text_of(soup.find(id="chain").find_next("h3"))


def test_the_smart_check_answers_as_they_write(panel_world: PanelClients, session: Session) -> None:
    world, chair = panel_world.world, panel_world.chair
    _recommendation(session, panel_world)
    token = csrf_token(page(chair.get(f"/audits/{world.audit.id}/action-plan")))
    response = chair.post(
        f"/audits/{world.audit.id}/actions/check",
        data={"csrf_token": token, "what": "Staff to review and cascade and circulate it"},
    )
    found = {(p["field"], p["severity"]) for p in response.get_json()["problems"]}
    assert ("what", "warning") in found
    assert ("success_measure", "refused") not in found  # not reached yet: not nagged
    other = panel_world.other_panel  # on another audit's panel
    other_token = csrf_token(page(other.get("/")))
    response = other.post(
        f"/audits/{world.audit.id}/actions/check", data={"csrf_token": other_token}
    )
    assert response.status_code == 403


def test_an_action_goes_from_draft_to_closed_and_back(
    app: Flask, panel_world: PanelClients, session: Session
) -> None:
    world, chair = panel_world.world, panel_world.chair
    # An owner who holds no role in this audit (a CSC reviewer): owning it is enough.
    person = make_user(session, Role.REVIEWER, world.agencies[0], email="owner@example.org")
    owner = app.test_client()
    assert sign_in(owner, person.email).status_code == 302
    _recommendation(session, panel_world)
    url = f"/audits/{world.audit.id}/action-plan"
    assert owner.get(url).status_code == 403  # the plan is the panel's and the subgroup's
    new_url = page(chair.get(url)).select_one('a[href$="/actions/new"]')["href"]
    action_url = _post(chair, new_url, _form(panel_world, owner=str(person.id))).location
    action = session.scalars(select(Action).where(Action.audit_id == world.audit.id)).one()
    base = f"/audits/{world.audit.id}/actions/{action.id}"
    # Only a moves offered may be asked for: the owner cannot open a draft.
    assert "Open the action" not in text_of(page(owner.get(action_url)))
    assert _post(chair, f"{base}/move/publish", {"version": str(action.version)}).status_code == 302
    session.expire_all()
    assert action.state is ActionState.OPEN
    # The owner reports progress; the RAG follows it.
    assert (
        _post(
            owner,
            f"{base}/updates/new",
            {"status": "at_risk", "progress": "Two of five sessions held"},
        ).status_code
        == 302
    )
    soup = page(owner.get(action_url))
    assert "Amber" in text_of(soup.find("dt", string="RAG").find_next("dd"))
    # Completing needs evidence of completion.
    soup = page(_post(owner, f"{base}/move/complete", {"version": str(action.version)}))
    assert "Say what was done and where the evidence of it can be seen" in text_of(soup)
    session.expire_all()
    assert (
        _post(
            owner,
            f"{base}/move/complete",
            {
                "version": str(action.version),
                "evidence_of_completion": "Registers on the shared drive",
            },
        ).status_code
        == 302
    )
    session.expire_all()
    assert action.state is ActionState.AWAITING_SIGN_OFF
    # The owner may not sign it off; a subgroup member who does not own it may.
    assert "Sign off and close" not in text_of(page(owner.get(action_url)))
    subgroup = _subgroup(app, session)
    soup = page(_post(subgroup, f"{base}/move/sign_off", {"version": str(action.version)}))
    assert "Choose how effective the action was" in text_of(soup)
    assert (
        _post(
            subgroup,
            f"{base}/move/sign_off",
            {
                "version": str(action.version),
                "effectiveness": "partly_effective",
                "evidence_of_impact": "Re-audit: 6 of 10 files show early signs acted on",
            },
        ).status_code
        == 302
    )
    session.expire_all()
    assert action.state is ActionState.CLOSED and action.signed_off_at is not None
    # A closed action takes no update until it is reopened, with a reason.
    response = owner.get(f"{base}/updates/new")
    assert response.status_code == 200
    soup = page(_post(owner, f"{base}/updates/new", {"status": "on_track", "progress": "More"}))
    assert "it takes updates once it is open again" in text_of(soup)
    soup = page(_post(subgroup, f"{base}/move/reopen", {"version": str(action.version)}))
    assert "Give the reason" in text_of(soup)
    assert (
        _post(
            subgroup,
            f"{base}/move/reopen",
            {
                "version": str(action.version),
                "reason": "The re-audit found the training did not reach primary schools",
            },
        ).status_code
        == 302
    )
    session.expire_all()
    events = session.scalars(
        select(ActionEvent).where(ActionEvent.action_id == action.id).order_by(ActionEvent.id)
    ).all()
    assert [e.to_state for e in events] == [
        ActionState.DRAFT,
        ActionState.OPEN,
        ActionState.AWAITING_SIGN_OFF,
        ActionState.CLOSED,
        ActionState.OPEN,
    ]
    assert events[-1].reason.startswith("The re-audit found")
    # Every move is in the audit log: the change of state and the action's new state.
    logged = session.scalars(
        select(AuditLogEntry.record_type).where(
            AuditLogEntry.record_type.in_(["action_event", "action", "action_update"])
        )
    ).all()
    assert logged.count("action_event") >= len(events)
    assert "action_update" in logged and "action" in logged
    mine = text_of(page(owner.get("/my-actions")))
    assert "Deliver training on early signs" in mine


def test_two_people_editing_one_action_never_lose_words(
    panel_world: PanelClients, session: Session
) -> None:
    world, chair, lead = panel_world.world, panel_world.chair, panel_world.lead
    _recommendation(session, panel_world)
    new_url = page(chair.get(f"/audits/{world.audit.id}/action-plan")).select_one(
        'a[href$="/actions/new"]'
    )["href"]
    _post(chair, new_url, _form(panel_world))
    action = session.scalars(select(Action).where(Action.audit_id == world.audit.id)).one()
    url = f"/audits/{world.audit.id}/actions/{action.id}/edit"
    chair_token = csrf_token(page(chair.get(url)))
    lead_token = csrf_token(page(lead.get(url)))
    seen = str(action.version)
    assert (
        lead.post(
            url,
            data={
                "csrf_token": lead_token,
                "version": seen,
                **_form(panel_world, what="Deliver the lead's version"),
            },
        ).status_code
        == 302
    )
    soup = page(
        chair.post(
            url,
            data={
                "csrf_token": chair_token,
                "version": seen,
                **_form(panel_world, what="Deliver the chair's version"),
            },
        )
    )
    assert "Someone else changed this action" in text_of(soup.find(class_="govuk-error-summary"))
    assert "Deliver the chair's version" in text_of(soup.find(id="your-text"))
    session.expire_all()
    assert action.description == "Deliver the lead's version"


def test_only_the_plan_writers_the_subgroup_and_the_owner_read_an_action(
    app: Flask, panel_world: PanelClients, session: Session
) -> None:
    world = panel_world.world
    _recommendation(session, panel_world)
    new_url = page(panel_world.chair.get(f"/audits/{world.audit.id}/action-plan")).select_one(
        'a[href$="/actions/new"]'
    )["href"]
    _post(panel_world.chair, new_url, _form(panel_world, owner=str(world.lead.id)))
    action = session.scalars(select(Action).where(Action.audit_id == world.audit.id)).one()
    url = f"/audits/{world.audit.id}/actions/{action.id}"
    assert panel_world.lead.get(url).status_code == 200  # the lead, here also the owner
    assert panel_world.chair.get(url).status_code == 200
    assert _subgroup(app, session).get(url).status_code == 200
    assert panel_world.other_panel.get(url).status_code == 404  # another audit's panel
    assert panel_world.other_panel.get(f"/audits/{world.audit.id}/action-plan").status_code == 403
    # The CAMHS reviewer sits on this audit's panel: they read it as a panel member.
    assert panel_world.reviewer.get(url).status_code == 200
    assert panel_world.other_panel.get(f"{url}/updates/new").status_code == 404
    assert panel_world.lead.get(f"/audits/{world.audit.id}/actions/999999").status_code == 404
    assert date.today()  # (the dates above are relative to today)


def test_an_owner_sends_evidence_files_with_an_update(
    app: Flask, panel_world: PanelClients, session: Session
) -> None:
    world, chair = panel_world.world, panel_world.chair
    person = make_user(session, Role.REVIEWER, world.agencies[0], email="owner@example.org")
    owner = app.test_client()
    assert sign_in(owner, person.email).status_code == 302
    _recommendation(session, panel_world)
    new_url = page(chair.get(f"/audits/{world.audit.id}/action-plan")).select_one(
        'a[href$="/actions/new"]'
    )["href"]
    _post(chair, new_url, _form(panel_world, owner=str(person.id)))
    action = session.scalars(select(Action).where(Action.audit_id == world.audit.id)).one()
    base = f"/audits/{world.audit.id}/actions/{action.id}"
    _post(chair, f"{base}/move/publish", {"version": str(action.version)})
    url = f"{base}/updates/new"
    token = csrf_token(page(owner.get(url)))
    # A renamed program is refused, naming it; the words typed are kept; nothing is saved.
    response = owner.post(
        url,
        data={"csrf_token": token, "status": "on_track", "progress": "Sessions booked",
              "files": [(io.BytesIO(b"MZ\x90\x00program"), "register.pdf")]},
        content_type="multipart/form-data",
    )  # fmt: skip
    soup = page(response)
    assert "'register.pdf' is not a PDF" in text_of(soup.find(class_="govuk-error-summary"))
    assert soup.find("textarea", attrs={"name": "progress"}).get_text() == "Sessions booked"
    session.expire_all()
    assert session.get(Action, action.id).updates == []
    response = owner.post(
        url,
        data={"csrf_token": token, "status": "on_track", "progress": "Sessions booked",
              "files": [(io.BytesIO(b"%PDF-1.4 the register"), "register.pdf")]},
        content_type="multipart/form-data",
    )  # fmt: skip
    assert response.status_code == 302
    soup = page(owner.get(f"{base}"))
    link = soup.select_one('a[href*="/files/"]')
    assert link is not None and link.get_text(strip=True) == "register.pdf"
    download = owner.get(link["href"])
    assert download.status_code == 200 and download.data == b"%PDF-1.4 the register"
    assert download.mimetype == "application/pdf"
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert panel_world.other_panel.get(link["href"]).status_code == 404


def _draft_action(panel_world: PanelClients, session: Session) -> tuple[Action, str]:
    world, chair = panel_world.world, panel_world.chair
    _recommendation(session, panel_world)
    new_url = page(chair.get(f"/audits/{world.audit.id}/action-plan")).select_one(
        'a[href$="/actions/new"]'
    )["href"]
    _post(chair, new_url, _form(panel_world))
    action = session.scalars(select(Action).where(Action.audit_id == world.audit.id)).one()
    return action, f"/audits/{world.audit.id}/actions/{action.id}"


def test_a_move_after_someone_elses_keeps_what_was_typed(
    app: Flask, panel_world: PanelClients, session: Session
) -> None:
    action, base = _draft_action(panel_world, session)
    chair, lead = panel_world.chair, panel_world.lead
    token = csrf_token(page(chair.get(f"{base}/move/cancel")))
    seen = str(action.version)
    # The lead opens it meanwhile; the chair's cancel, with its reason, comes too late.
    assert _post(lead, f"{base}/move/publish", {"version": seen}).status_code == 302
    typed = "Duplicated by the action on recommendation 2"
    response = chair.post(
        f"{base}/move/cancel", data={"csrf_token": token, "version": seen, "reason": typed}
    )
    assert response.status_code == 200
    soup = page(response)
    assert "Someone else changed this action" in text_of(soup.find(class_="govuk-error-summary"))
    assert soup.find("textarea", attrs={"name": "reason"}).get_text() == typed
    # A stale page for a move no longer offered: the words are shown back, not lost.
    stale = chair.post(f"{base}/move/publish", data={"csrf_token": token, "version": seen,
                                                     "reason": "Kept words"})  # fmt: skip
    assert "it cannot be opened" in text_of(page(stale))


def test_a_cancelled_draft_reopens_as_a_draft(
    app: Flask, panel_world: PanelClients, session: Session
) -> None:
    action, base = _draft_action(panel_world, session)
    chair = panel_world.chair
    reason = "Written against the wrong recommendation"
    assert _post(chair, f"{base}/move/cancel", {"version": str(action.version),
                                                "reason": reason}).status_code == 302  # fmt: skip
    session.expire_all()
    assert _post(chair, f"{base}/move/reopen", {"version": str(action.version),
                                                "reason": reason}).status_code == 302  # fmt: skip
    session.expire_all()
    assert action.state is ActionState.DRAFT  # never opened: no updates, no RAG yet


def test_an_edit_that_comes_too_late_shows_every_field_typed(
    panel_world: PanelClients, session: Session
) -> None:
    action, base = _draft_action(panel_world, session)
    chair, lead = panel_world.chair, panel_world.lead
    token = csrf_token(page(chair.get(f"{base}/edit")))
    seen = str(action.version)
    assert _post(lead, f"{base}/move/publish", {"version": seen}).status_code == 302
    typed = _form(panel_world, what="Deliver it my way", priority="low",
                  override_reason="Agreed at the panel meeting")  # fmt: skip
    soup = page(chair.post(f"{base}/edit", data={"csrf_token": token, "version": seen, **typed}))
    shown = text_of(soup.find(id="your-text"))
    assert "Deliver it my way" in shown and "Low" in shown
    assert "Child and Adolescent Mental Health Services" in shown  # the lead agency chosen
    assert f"{SOON.day}/{SOON.month}/{SOON.year}" in shown
