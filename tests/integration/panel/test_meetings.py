"""The record of the panel's meetings: date, who attended from which agency, decisions."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from audit_app.models import PanelMeeting
from tests.conftest import csrf_token, page, text_of
from tests.integration.panel.conftest import PanelClients


def test_a_meeting_is_recorded_with_panel_members_and_others(
    panel_world: PanelClients, session: Session
) -> None:
    world = panel_world.world
    url = f"/panel/{world.audit.id}/meetings"
    soup = page(panel_world.chair.get(url))
    assert "Sam Chair, panel chair" in text_of(soup)
    police = world.agencies[2]
    response = panel_world.chair.post(
        url,
        data={
            "csrf_token": csrf_token(soup),
            "held_on-day": "3",
            "held_on-month": "11",
            "held_on-year": "2026",
            "panel_member": [str(world.chair.id), str(world.reviewer.id)],
            "attendee-0-name": "Pat Inspector",
            "attendee-0-role": "Detective sergeant",
            "attendee-0-agency": str(police.id),
            "attendee-1-name": "",
            "attendee-1-role": "",
            "attendee-1-agency": "",
            "decisions": "Agreed four themes & <three> recommendations.",
        },
    )
    assert response.status_code == 302
    meeting = session.scalars(
        select(PanelMeeting).where(PanelMeeting.audit_id == world.audit.id)
    ).one()
    assert meeting.held_on == date(2026, 11, 3)
    assert [(a.name, a.role, a.agency_id) for a in meeting.attendees] == [
        ("Sam Chair", "Panel chair", None),
        (world.reviewer.full_name, "Panel member", world.agencies[1].id),
        ("Pat Inspector", "Detective sergeant", police.id),
    ]
    words = text_of(page(panel_world.chair.get(url)))
    assert "3 November 2026" in words
    assert "Pat Inspector, Detective sergeant (Police)" in words
    assert "Agreed four themes & <three> recommendations." in words


def test_bad_meeting_records_are_refused_and_keep_what_was_typed(
    panel_world: PanelClients, session: Session
) -> None:
    world = panel_world.world
    url = f"/panel/{world.audit.id}/meetings"
    future = date.today() + timedelta(days=3)
    cases = (
        (
            {"held_on-day": "31", "held_on-month": "2", "held_on-year": "2026"},
            "Enter the date",
            "held_on-day",
        ),
        (
            {
                "held_on-day": str(future.day),
                "held_on-month": str(future.month),
                "held_on-year": str(future.year),
            },
            "today or in the past",
            "held_on-day",
        ),
        (
            {
                "held_on-day": "1",
                "held_on-month": "2",
                "held_on-year": "2026",
                "attendee-0-role": "Nurse",
            },
            "Enter the name of attendee 1",
            "attendee-0-name",
        ),
        (
            {"held_on-day": "1", "held_on-month": "2", "held_on-year": "2026"},
            "Say who attended",
            "attendees",
        ),
        (
            {
                "held_on-day": "1",
                "held_on-month": "2",
                "held_on-year": "2026",
                "panel_member": str(world.chair.id),
                "decisions": "x" * 5001,
            },
            "5,000 characters or fewer",
            "decisions",
        ),
    )
    for data, message, field in cases:
        soup = page(panel_world.chair.get(url))
        form = {
            "csrf_token": csrf_token(soup),
            "attendee-0-name": "",
            "attendee-0-role": "",
            "attendee-0-agency": "",
            "decisions": "Keep these words",
            **data,
        }
        soup = page(panel_world.chair.post(url, data=form))
        summary = soup.find(class_="govuk-error-summary")
        assert summary is not None and message in text_of(summary), message
        assert summary.find("a")["href"] == f"#{field}"
        assert soup.find(id=field) is not None
        if field != "decisions":
            assert soup.find("textarea", id="decisions").get_text() == "Keep these words"
    assert (
        session.scalars(select(PanelMeeting).where(PanelMeeting.audit_id == world.audit.id)).all()
        == []
    )


def test_a_stale_edit_is_refused_and_another_audits_meeting_is_not_found(
    panel_world: PanelClients, session: Session
) -> None:
    world = panel_world.world
    from audit_app.panel import meetings

    meeting = meetings.record_meeting(
        session,
        world.audit,
        meetings.MeetingDraft(
            date(2026, 10, 1), [meetings.AttendeeDraft("Sam Chair", "Panel chair")], "First"
        ),
    )
    elsewhere = meetings.record_meeting(
        session,
        world.other_audit,
        meetings.MeetingDraft(date(2026, 10, 1), [meetings.AttendeeDraft("Someone")], ""),
    )
    session.commit()
    url = f"/panel/{world.audit.id}/meetings/{meeting.id}"
    soup = page(panel_world.chair.get(url))
    form = {
        "csrf_token": csrf_token(soup),
        "version": str(meeting.version),
        "held_on-day": "1",
        "held_on-month": "10",
        "held_on-year": "2026",
        "attendee-0-name": "Sam Chair",
        "attendee-0-role": "Panel chair",
        "attendee-0-agency": "",
    }
    assert panel_world.chair.post(url, data={**form, "decisions": "Second"}).status_code == 302
    late = {"attendee-1-name": "Dr Late", "attendee-1-role": "GP", "attendee-1-agency": ""}
    soup = page(
        panel_world.chair.post(url, data={**form, **late, "decisions": "Third, typed late"})
    )
    assert "Someone else changed this meeting's record" in text_of(soup)
    typed = text_of(soup.find(id="your-text"))  # every field typed is shown back
    assert "Third, typed late" in typed
    assert "1 October 2026" in typed and "Sam Chair, Panel chair" in typed
    assert "Dr Late, GP" in typed
    session.expire_all()
    assert session.get(PanelMeeting, meeting.id).decisions == "Second"
    assert (
        panel_world.chair.get(f"/panel/{world.audit.id}/meetings/{elsewhere.id}").status_code == 404
    )
    assert panel_world.other_panel.get(f"/panel/{world.audit.id}/meetings").status_code == 403


def test_an_edit_of_a_meeting_deleted_meanwhile_keeps_what_was_typed(
    panel_world: PanelClients, session: Session
) -> None:
    from audit_app.panel import meetings

    world = panel_world.world
    meeting = meetings.record_meeting(
        session,
        world.audit,
        meetings.MeetingDraft(date(2026, 10, 1), [meetings.AttendeeDraft("Sam Chair")], "First"),
    )
    session.commit()
    url = f"/panel/{world.audit.id}/meetings/{meeting.id}"
    token = csrf_token(page(panel_world.chair.get(url)))
    meetings.delete_meeting(session, meeting, meeting.version)
    session.commit()
    typed = {
        "csrf_token": token, "version": "1", "held_on-day": "2", "held_on-month": "10",
        "held_on-year": "2026", "attendee-0-name": "Dr Late", "attendee-0-role": "GP",
        "attendee-0-agency": "", "decisions": "Words typed while it was deleted",
    }  # fmt: skip
    response = panel_world.chair.post(url, data=typed)
    assert response.status_code == 200
    soup = page(response)
    assert "Someone else deleted this meeting's record" in text_of(
        soup.find(class_="govuk-error-summary")
    )
    assert soup.find("textarea", attrs={"name": "decisions"}).get_text() == (
        "Words typed while it was deleted"
    )
    assert soup.find("input", attrs={"name": "attendee-0-name"})["value"] == "Dr Late"
    assert soup.find("input", attrs={"name": "held_on-day"})["value"] == "2"
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(PanelMeeting)) == 0
