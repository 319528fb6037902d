"""An agency's summary as items: the draft from the answers, editing without JavaScript,
saving, conflicts and sending."""

from __future__ import annotations

from typing import Any

import pytest
from bs4 import BeautifulSoup
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict

from audit_app.core.models import utcnow
from audit_app.models import (
    Agency,
    AgencyReturn,
    AgencySummary,
    Answer,
    Audit,
    AuditLogEntry,
    Role,
    SummaryItem,
    User,
)
from audit_app.returns.summaries import MAX_ITEM_LENGTH
from tests.conftest import make_user, page, sign_in, text_of
from tests.integration.returns.test_returns import SECTION_1, own_return, save
from tests.integration.returns.test_returns import collecting as collecting_fixture  # noqa: F401 (fixture)


@pytest.fixture
def collecting(collecting_fixture: Audit) -> Audit:  # noqa: F811 (a fixture)
    """test_returns' audit collecting returns: the reviewer's agency and the police, two
    children (Child A and Child B)."""
    return collecting_fixture


def form_as_shown(soup: BeautifulSoup, action: str, **changes: str) -> MultiDict[str, Any]:
    """What a browser sends for the summary form as shown, with the button ``action`` and
    any fields changed."""
    form = soup.select_one("main form[method=post]")
    assert form is not None
    data: MultiDict[str, Any] = MultiDict()
    for field in form.find_all(["input", "textarea", "select"]):
        name = field.get("name")
        if not name or field.get("type") == "submit":
            continue
        if field.name == "textarea":
            data.add(name, field.get_text().removeprefix("\n"))
        elif field.name == "select":
            chosen = field.find("option", selected=True) or field.find("option")
            data.add(name, chosen["value"])
        else:
            data.add(name, field.get("value", ""))
    for name, value in changes.items():
        data[name] = value
    data["action"] = action
    return data


def press(client: FlaskClient, url: str, action: str, **changes: str) -> Any:
    """Press a button on the summary page as it is now."""
    return client.post(url, data=form_as_shown(page(client.get(url)), action, **changes))


def items_of(session: Session, audit: Audit, agency: Agency) -> list[SummaryItem]:
    session.expire_all()
    summary = session.scalar(
        select(AgencySummary).where(
            AgencySummary.audit_id == audit.id, AgencySummary.agency_id == agency.id
        )
    )
    assert summary is not None
    return sorted(summary.items, key=lambda item: (item.column.value, item.position))


def texts(session: Session, audit: Audit, agency: Agency, column: str) -> list[str]:
    return [i.text for i in items_of(session, audit, agency) if i.column.value == column]


def test_the_draft_groups_answers_into_items_that_link_to_them(
    client: FlaskClient,
    users: dict[Role, User],
    session: Session,
    collecting: Audit,
    agency: Agency,
) -> None:
    sign_in(client, users[Role.REVIEWER].email)
    for code in ("Child A", "Child B"):
        save(
            client,
            f"/returns/{own_return(session, collecting, agency.id, code).id}/sections/1",
            SECTION_1,
        )
    url = f"/audits/{collecting.id}/summary"
    before = page(client.get(url))
    assert before.select("textarea[name$='-text']") == []  # no draft until asked for
    assert client.post(url, data=form_as_shown(before, "draft")).status_code == 302
    worried = texts(session, collecting, agency, "worried_about")
    assert (
        "In 2 of 2 children, “Was early help offered before the crisis?”: No (2 children)."
        in worried
    )
    missed = next(text for text in worried if "What chance to help earlier was missed?" in text)
    assert missed.startswith("In 2 of 2 children")
    # One item per question across the children, each with the answers it came from.
    assert len(worried) == 2
    answers = session.scalars(
        select(Answer.id).where(Answer.question_id == "early_help_offered")
    ).all()
    item = next(i for i in items_of(session, collecting, agency) if "early help" in i.text)
    assert sorted(item.answer_ids) == sorted(answers)
    soup = page(client.get(url))
    link = soup.select_one(f"#item-{item.id} a[href$='#question-early_help_offered']")
    assert link is not None and "Child A" in link.get_text()
    assert soup.select_one(f"#item-{item.id} a:-soup-contains('Child B')") is not None
    # The item's words are logged as a digest, not in clear.
    logged = session.scalar(
        select(AuditLogEntry)
        .where(AuditLogEntry.record_type == "summary_item", AuditLogEntry.record_id == str(item.id))
        .order_by(AuditLogEntry.id)
    )
    assert logged is not None and logged.after["text"].startswith("[")
    assert "early help" not in str(logged.after)


def test_the_draft_is_not_rebuilt_until_asked(
    client: FlaskClient,
    users: dict[Role, User],
    session: Session,
    collecting: Audit,
    agency: Agency,
) -> None:
    sign_in(client, users[Role.REVIEWER].email)
    base = f"/returns/{own_return(session, collecting, agency.id).id}/sections/1"
    save(client, base, SECTION_1)
    url = f"/audits/{collecting.id}/summary"
    press(client, url, "draft")
    drafted = texts(session, collecting, agency, "worried_about")
    save(client, base, {**SECTION_1, "early_help_offered": "yes"})
    page(client.get(url))
    assert texts(session, collecting, agency, "worried_about") == drafted
    assert press(client, url, "draft").status_code == 302  # "Rebuild the draft"
    assert texts(session, collecting, agency, "worried_about") == []
    assert texts(session, collecting, agency, "working_well")[0].startswith(
        "In 1 of 2 children, “Was early help offered before the crisis?”: Yes (1 child)"
    )


def test_items_are_edited_added_moved_and_removed_without_javascript(
    client: FlaskClient,
    users: dict[Role, User],
    session: Session,
    collecting: Audit,
    agency: Agency,
) -> None:
    sign_in(client, users[Role.REVIEWER].email)
    url = f"/audits/{collecting.id}/summary"
    assert (
        press(client, url, "add-working_well", **{"new-working_well": "First"}).status_code == 302
    )
    press(client, url, "add-working_well", **{"new-working_well": "Second"})
    press(client, url, "save", **{"new-working_well": "Third", "new-needs_to_happen": "Plan"})
    assert texts(session, collecting, agency, "working_well") == ["First", "Second", "Third"]
    first, second, third = (i for i in items_of(session, collecting, agency) if i.text != "Plan")
    moved = press(client, url, f"up-{third.id}")
    assert moved.status_code == 302 and moved.location.endswith(f"#item-{third.id}")
    assert texts(session, collecting, agency, "working_well") == ["First", "Third", "Second"]
    press(client, url, f"down-{first.id}", **{f"item-{second.id}-text": "Second, reworded"})
    assert texts(session, collecting, agency, "working_well") == [
        "Third",
        "First",
        "Second, reworded",
    ]
    press(client, url, f"remove-{first.id}")
    press(client, url, "save", **{f"item-{third.id}-column": "worried_about"})
    assert texts(session, collecting, agency, "working_well") == ["Second, reworded"]
    assert texts(session, collecting, agency, "worried_about") == ["Third"]
    # An item cleared is removed; a column cleared on purpose stays clear.
    press(client, url, "save", **{f"item-{second.id}-text": ""})
    assert texts(session, collecting, agency, "working_well") == []
    soup = page(client.get(url))
    assert soup.select_one("#working_well + p").get_text() == "No items in this column yet."
    assert texts(session, collecting, agency, "needs_to_happen") == ["Plan"]


def test_an_item_too_long_is_refused_and_the_text_kept(
    client: FlaskClient,
    users: dict[Role, User],
    session: Session,
    collecting: Audit,
    agency: Agency,
) -> None:
    sign_in(client, users[Role.REVIEWER].email)
    url = f"/audits/{collecting.id}/summary"
    press(client, url, "save", **{"new-worried_about": "Short"})
    (item,) = items_of(session, collecting, agency)
    long = "x" * (MAX_ITEM_LENGTH + 1)
    refused = press(client, url, "save", **{f"item-{item.id}-text": long})
    assert refused.status_code == 200
    soup = page(refused)
    assert soup.select_one(f".govuk-error-summary a[href='#item-{item.id}-text']") is not None
    assert soup.find("textarea", attrs={"name": f"item-{item.id}-text"}).get_text().strip() == long
    assert texts(session, collecting, agency, "worried_about") == ["Short"]


def test_two_people_saving_at_once_and_sending_to_the_panel(
    app: Flask,
    users: dict[Role, User],
    session: Session,
    collecting: Audit,
    agency: Agency,
) -> None:
    client = app.test_client()
    reviewer = users[Role.REVIEWER]
    sign_in(client, reviewer.email)
    url = f"/audits/{collecting.id}/summary"
    colleague = app.test_client()
    sign_in(colleague, make_user(session, Role.REVIEWER, agency, email="c2@example.org").email)
    theirs = page(colleague.get(url))
    mine = press(client, url, "save", **{"new-working_well": "GP follow-up after ED"})
    assert mine.status_code == 302
    late = colleague.post(
        url, data=form_as_shown(theirs, "save", **{"new-working_well": "My own careful words"})
    )
    late_page = page(late)
    assert "Someone else saved this summary" in text_of(late_page)
    assert "My own careful words" in text_of(late_page.select_one("#your-text"))
    assert late_page.find("textarea", string=lambda s: "GP follow-up after ED" in (s or ""))
    # Sending needs at least one item, and records who sent it.
    sent = press(client, url, "send", **{"new-worried_about": "Late early help"})
    assert sent.status_code == 302
    summary = session.scalar(select(AgencySummary).where(AgencySummary.audit_id == collecting.id))
    session.refresh(summary)
    assert summary.submitted_by_id == reviewer.id
    done = page(client.get(url))
    assert "Sent to the panel" in text_of(done)
    assert done.select("main textarea") == [] and done.select("main form") == []
    shown = text_of(done)
    assert shown.index("What's working well") < shown.index("GP follow-up after ED")
    assert shown.index("What are we worried about") < shown.index("Late early help")


def test_a_summary_with_no_items_cannot_be_sent(
    client: FlaskClient,
    users: dict[Role, User],
    collecting: Audit,
) -> None:
    sign_in(client, users[Role.REVIEWER].email)
    url = f"/audits/{collecting.id}/summary"
    refused = press(client, url, "send")
    assert refused.status_code == 200
    assert "Write the summary before sending it" in text_of(page(refused))


def test_an_agency_summary_of_60_children_saved_untouched_is_saved(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 9's bad input: a draft of every answer of 60 children used to fill one box past
    its own limit, so saving it untouched was refused. Each child here has a long written
    answer (the draft's old box would hold about 30,000 characters)."""
    from audit_app.returns import answering
    from tests.integration.test_statement_counts import build, isolated

    monkeypatch.setattr("audit_app.demo.DEMO_POPULATION_SIZE", 70)  # the ward's list is 46
    with isolated(app) as session:
        world = build(app, session, 60)
        own = session.scalars(
            select(AgencyReturn).where(
                AgencyReturn.audit_id == world.audit.id,
                AgencyReturn.agency_id == world.first_return.agency_id,
            )
        ).all()
        assert len(own) == 60
        for number, agency_return in enumerate(own):
            written = f"Child {number}: " + "the GP saw her twice in May and wrote it down. " * 10
            answering.save_section(
                session,
                agency_return,
                agency_return.version,
                {"early_help_offered": "no", "missed_opportunity": written, "who_referred": "gp"},
                {},
                None,
            )
        session.commit()
        url = f"/audits/{world.audit.id}/summary"
        client = world.reviewer
        assert press(client, url, "draft").status_code == 302
        shown = page(client.get(url))
        boxes = shown.select("main textarea")
        assert all(len(box.get_text()) <= MAX_ITEM_LENGTH + 1 for box in boxes)
        saved = client.post(url, data=form_as_shown(shown, "save"))
        assert saved.status_code == 302, text_of(page(saved))[:500]
        summary = session.scalar(
            select(AgencySummary).where(AgencySummary.audit_id == world.audit.id)
        )
        session.refresh(summary)
        assert summary.version >= 2 and summary.items
        missed = next(item for item in summary.items if "What chance" in item.text)
        assert missed.text.startswith("In 60 of 60 children")
        assert len(missed.answer_ids) == 60


def test_the_lead_and_the_panel_read_the_summaries_as_items_by_column(
    app: Flask,
    users: dict[Role, User],
    session: Session,
    collecting: Audit,
    agency: Agency,
) -> None:
    reviewer = app.test_client()
    sign_in(reviewer, users[Role.REVIEWER].email)
    section = f"/returns/{own_return(session, collecting, agency.id).id}/sections/1"
    save(reviewer, section, SECTION_1)
    url = f"/audits/{collecting.id}/summary"
    press(reviewer, url, "draft")
    press(reviewer, url, "save", **{"new-needs_to_happen": "Plan every discharge with the GP"})
    panel_member = make_user(session, Role.PANEL, audit_id=collecting.id, email="p@example.org")
    collecting.returns_shared_at = utcnow()  # the panel reads once the lead shares them
    session.commit()
    lead = app.test_client()
    sign_in(lead, users[Role.ADMIN].email)
    panel = app.test_client()
    sign_in(panel, panel_member.email)
    summaries_url = f"/audits/{collecting.id}/summaries"
    # Not sent yet: the lead sees it started, the panel sees nothing of it.
    assert f"/audits/{collecting.id}/summaries" in str(page(lead.get(f"/audits/{collecting.id}")))
    started = text_of(page(lead.get(summaries_url)))
    assert f"{agency.name} Started (" in started and "Police Not started" in started
    assert "Plan every discharge" not in started
    waiting = text_of(page(panel.get(summaries_url)))
    assert agency.name not in waiting and "2 agencies have not sent one yet" in waiting
    assert summaries_url in str(page(panel.get("/")))

    press(reviewer, url, "send")
    for client, link in ((lead, "lead"), (panel, None)):
        soup = page(client.get(summaries_url))
        shown = text_of(soup)
        assert shown.index(agency.name) < shown.index("What needs to happen")
        assert shown.index("What needs to happen") < shown.index("Plan every discharge")
        assert "In 1 of 2 children" in shown and "Secret Name" not in shown
        links = soup.select(".app-item-sources a")
        if link == "lead":
            assert links and all(f"/audits/{collecting.id}/returns/" in a["href"] for a in links)
        else:
            assert links == [] and "Child A" in text_of(soup.select_one(".app-item-sources"))
    # A reviewer never reads the summaries page, nor does a panel member of another audit.
    assert reviewer.get(summaries_url).status_code == 403
    outsider = app.test_client()
    other = Audit(title="Another audit")
    session.add(other)
    session.flush()
    sign_in(
        outsider, make_user(session, Role.PANEL, audit_id=other.id, email="o@example.org").email
    )
    assert outsider.get(summaries_url).status_code == 403


def test_an_expired_summary_form_shows_the_typed_items_again_and_saves_nothing(
    client: FlaskClient,
    users: dict[Role, User],
    session: Session,
    collecting: Audit,
    agency: Agency,
) -> None:
    """The page was open a long time, or the person signed in again in another tab: what
    they typed comes back with the version the page was built from, and nothing is saved."""
    sign_in(client, users[Role.REVIEWER].email)
    url = f"/audits/{collecting.id}/summary"
    press(client, url, "add-working_well", **{"new-working_well": "Saved before"})
    shown = page(client.get(url))
    assert shown.select_one("form[data-keep-unsaved][data-shows-saved]") is not None
    [item] = items_of(session, collecting, agency)
    typed = form_as_shown(
        shown,
        "save",
        **{f"item-{item.id}-text": "Reworded, then the session ended", "new-worried_about": "New"},
    )
    typed["csrf_token"] = "a-token-from-an-earlier-session"
    response = client.post(url, data=typed)
    assert response.status_code == 200
    soup = page(response)
    assert "Your answers have not been saved yet" in text_of(soup)
    assert soup.find("textarea", attrs={"name": f"item-{item.id}-text"}).get_text().strip() == (
        "Reworded, then the session ended"
    )
    assert soup.find(attrs={"name": "new-worried_about"}).get_text().strip() == "New" or (
        soup.find(attrs={"name": "new-worried_about"}).get("value") == "New"
    )
    assert soup.find("input", attrs={"name": "version"})["value"] == typed["version"]
    # The form shown again is not what the server holds: the script must not treat it so.
    assert soup.select_one("form[data-keep-unsaved][data-shows-saved]") is None
    assert texts(session, collecting, agency, "working_well") == ["Saved before"]
    assert texts(session, collecting, agency, "worried_about") == []
    # Saving it again works.
    assert client.post(url, data=form_as_shown(soup, "save")).status_code == 302
    assert texts(session, collecting, agency, "working_well") == [
        "Reworded, then the session ended"
    ]
    assert texts(session, collecting, agency, "worried_about") == ["New"]


def test_a_summary_carried_over_from_blocks_can_be_saved_and_shortened(
    session: Session, users: dict[Role, User], collecting: Audit, agency: Agency
) -> None:
    """Migration 0008 made one item per line of an old block: a column may hold more items
    than the limit, and an item more text. It still saves untouched and can be shortened;
    only growing past the limits is refused."""
    from audit_app.core.errors import DomainError
    from audit_app.models import SignsOfSafetyColumn
    from audit_app.returns.summaries import (
        MAX_ITEMS_PER_COLUMN,
        ItemEdit,
        ItemMove,
        save_summary,
    )

    summary = AgencySummary(audit_id=collecting.id, agency_id=agency.id)
    session.add(summary)
    long_line = "Child A: " + "seen in clinic; " * 200
    assert len(long_line) > MAX_ITEM_LENGTH
    for position in range(MAX_ITEMS_PER_COLUMN + 5):
        summary.items.append(
            SummaryItem(
                column=SignsOfSafetyColumn.WORRIED_ABOUT,
                position=position,
                text=long_line if position == 0 else f"Line {position}",
                answer_ids=[],
            )
        )
    session.flush()
    reviewer = users[Role.REVIEWER]

    def as_shown() -> list[ItemEdit]:
        return [ItemEdit(item.id, item.column.value, item.text) for item in summary.items]

    save_summary(session, collecting, agency.id, summary.version, as_shown(), reviewer)
    second = sorted(summary.items, key=lambda item: item.position)[1]
    save_summary(
        session,
        collecting,
        agency.id,
        summary.version,
        as_shown(),
        reviewer,
        move=ItemMove("remove", second.id),
    )
    assert len(summary.items) == MAX_ITEMS_PER_COLUMN + 4
    with pytest.raises(DomainError, match="at most"):
        save_summary(
            session,
            collecting,
            agency.id,
            summary.version,
            [*as_shown(), ItemEdit(None, "worried_about", "One more")],
            reviewer,
        )
    first = min(summary.items, key=lambda item: item.position)
    changed = [
        ItemEdit(
            item.id, item.column.value, item.text + " (edited)" if item is first else item.text
        )
        for item in summary.items
    ]
    with pytest.raises(DomainError, match="characters or fewer"):
        save_summary(session, collecting, agency.id, summary.version, changed, reviewer)
