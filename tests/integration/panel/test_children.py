"""The panel's "By child" pages: the children, each child side by side (every agency's answers,
the scalings and their spread, one chronology), and the panel's agreed grade beside the
agencies' own."""

from __future__ import annotations

from datetime import date

import pytest
from bs4 import BeautifulSoup, Tag
from sqlalchemy import select
from sqlalchemy.orm import Session

from audit_app.core.models import utcnow
from audit_app.models import AgreedGrade, Answer, CohortMember
from audit_app.panel.children import MAX_RATIONALE
from audit_app.questionnaires.answer_types import answer_type
from tests.conftest import csrf_token, page, text_of
from tests.integration.panel.conftest import PanelClients
from tests.integration.panel.world import SECRET_NAMES, PanelWorld


def _url(world: PanelWorld, member: CohortMember | None = None, tail: str = "") -> str:
    base = f"/panel/{world.audit.id}/children"
    return base if member is None else f"{base}/{member.id}{tail}"


def _grid_cell(soup: BeautifulSoup, question_text: str, agency_short: str) -> Tag:
    """The cell of the side-by-side grid for a question (row) and an agency (column)."""
    for table in soup.select("table.app-side-by-side"):
        headers = [th.get_text(" ", strip=True) for th in table.select("thead th")]
        if agency_short not in headers:
            continue
        column = headers.index(agency_short)
        for row in table.select("tbody tr"):
            header = row.find("th")
            if header is not None and header.get_text(" ", strip=True).startswith(question_text):
                return row.find_all(["th", "td"])[column]
    raise AssertionError(f"no cell for {question_text!r} and {agency_short}")


def _stored(session: Session, world: PanelWorld, member: CohortMember, agency_index: int) -> dict:
    agency_return = world.returns[(member.id, world.agencies[agency_index].id)]
    return {
        answer.question_id: answer
        for answer in session.scalars(select(Answer).where(Answer.return_id == agency_return.id))
    }


def test_the_children_are_listed_by_code_with_grades_and_no_names(
    panel_world: PanelClients,
) -> None:
    world = panel_world.world
    soup = page(panel_world.chair.get(_url(world)))
    words = text_of(soup)
    for member in world.members:
        assert soup.find("a", href=_url(world, member), string=member.code) is not None
    for name in SECRET_NAMES:
        assert name not in words and name.split()[0] not in words
    table = soup.find("table", class_="app-side-by-side")
    headers = [th.get_text(" ", strip=True) for th in table.select("thead th")]
    assert headers[:4] == ["Child", "Returns sent", "No involvement", "Outstanding"]
    assert "CSC grade" in headers and "Police grade" in headers
    last = table.select("tbody tr")[-1]
    cells = [cell.get_text(" ", strip=True) for cell in last.find_all(["th", "td"])]
    assert cells[:4] == [world.members[-1].code, "2", "1", "0"]
    assert "Not agreed yet" in words
    assert soup.find(attrs={"role": "region", "tabindex": "0"}) is not None


def test_the_chair_reads_every_agency_side_by_side(
    panel_world: PanelClients, session: Session
) -> None:
    world = panel_world.world
    member = world.members[0]
    soup = page(panel_world.chair.get(_url(world, member)))
    words = text_of(soup)
    assert f"{member.code}: every agency side by side" in soup.h1.get_text(" ", strip=True)
    for name in SECRET_NAMES:
        assert name not in words and name.split()[0] not in words
    definition = world.definition
    checked = 0
    for agency_index, agency in enumerate(world.agencies):
        stored = _stored(session, world, member, agency_index)
        asked = {q.id for q in definition.for_sector(agency.sector.value).questions}
        for question_id in ("overall_grade", "safety_scaling", "presentation", "sex"):
            question = definition.question(question_id)
            assert question is not None
            cell = _grid_cell(soup, question.text, agency.short_name)
            cell_words = " ".join(cell.get_text(" ", strip=True).split())
            if question_id not in asked:
                assert cell_words == "Not asked", (agency.short_name, question_id)
                continue
            answer = stored[question_id]
            kind = answer_type(question)
            if kind.gap(answer.value, question) == "not_known":
                assert "gap in knowledge" in cell_words
                assert cell.find(class_="app-gap") is not None
            else:
                assert kind.summary(answer.value, question, definition.scales) in cell_words
            if answer.rationale:
                assert answer.rationale in cell_words
            checked += 1
    assert checked >= 8
    # The grid scrolls sideways in a region a keyboard can reach.
    region = soup.find(attrs={"role": "region", "tabindex": "0"})
    assert region is not None and region.get("aria-label")


def test_no_involvement_is_shown_once_with_its_reason(panel_world: PanelClients) -> None:
    world = panel_world.world
    member = world.members[-1]  # the police had no involvement with the last child
    soup = page(panel_world.chair.get(_url(world, member)))
    words = text_of(soup)
    assert words.count("Not known to us") == 1
    for table in soup.select("table.app-side-by-side"):
        headers = [th.get_text(" ", strip=True) for th in table.select("thead th")]
        assert headers[0] == "Question" and sorted(headers[1:]) == ["CAMHS", "CSC"]


def test_a_return_not_sent_is_not_read(panel_world: PanelClients, session: Session) -> None:
    world = panel_world.world
    member = world.members[0]
    police = world.returns[(member.id, world.agencies[2].id)]
    from audit_app.returns.models import ReturnStatus

    police.status = ReturnStatus.RETURNED
    session.commit()
    soup = page(panel_world.chair.get(_url(world, member)))
    assert "Not sent yet" in text_of(soup)
    for table in soup.select("table.app-side-by-side"):
        headers = [th.get_text(" ", strip=True) for th in table.select("thead th")]
        assert "Police" not in headers
    assert "Police saw" not in text_of(soup)  # nor its chronology


def test_the_scalings_are_compared_and_a_wide_spread_is_flagged(
    panel_world: PanelClients, session: Session
) -> None:
    world = panel_world.world
    member = world.members[0]
    for agency_index, score in ((0, 2), (1, 7), (2, 4)):
        _stored(session, world, member, agency_index)["safety_scaling"].value = score
    session.commit()
    soup = page(panel_world.chair.get(_url(world, member)))
    words = text_of(soup)
    assert "Spread between agencies: 5 points" in words
    warning = soup.find(class_="govuk-warning-text")
    assert warning is not None
    assert "Agencies are 5 points apart" in text_of(warning)
    assert "the disagreement is itself a finding" in text_of(warning)
    listing = text_of(page(panel_world.chair.get(_url(world))))
    assert "5 points apart" in listing
    # Close enough: no warning.
    for agency_index, score in ((0, 6), (1, 7), (2, 8)):
        _stored(session, world, member, agency_index)["safety_scaling"].value = score
    session.commit()
    soup = page(panel_world.chair.get(_url(world, member)))
    assert soup.find(class_="govuk-warning-text") is None
    assert "Spread between agencies: 2 points" in text_of(soup)


def test_one_chronology_in_date_order_with_missed_chances_marked(
    panel_world: PanelClients,
) -> None:
    world = panel_world.world
    member = world.members[0]
    soup = page(panel_world.chair.get(_url(world, member)))
    figure = soup.find("figure")
    image = figure.find("img")
    assert image["src"].endswith("/chronology.svg")
    assert "timeline of 3 dated entries" in image["alt"]
    table = soup.find("caption", string=f"Multi-agency chronology for {member.code}").parent
    rows = [
        [c.get_text(" ", strip=True) for c in row.find_all("td")]
        for row in table.select("tbody tr")
    ]
    assert [row[1] for row in rows] == ["CSC", "CAMHS", "Police"]
    days = [date.fromisoformat(f"2024-03-{n:02d}") for n in (1, 11, 21)]
    assert [row[0] for row in rows] == [f"{day:%-d %B %Y}" for day in days]
    assert [row[4] for row in rows] == ["No", "Yes", "No"]  # CAMHS's entry was a missed chance
    assert rows[1][2] == f"CAMHS saw {member.code}"


def _agree(client, world: PanelWorld, member: CohortMember, **fields: str):
    soup = page(client.get(_url(world, member)))
    form = soup.find("form", attrs={"action": _url(world, member, "/grade")})
    version = form.find("input", attrs={"name": "version"})["value"]
    fields = {
        ("agreed_grade" if name == "grade" else name): value for name, value in fields.items()
    }
    data = {"csrf_token": csrf_token(soup), "version": version, **fields}
    return client.post(_url(world, member, "/grade"), data=data)


def test_the_panel_agrees_a_grade_and_the_agency_grades_stay(
    panel_world: PanelClients, session: Session
) -> None:
    world = panel_world.world
    member = world.members[0]
    response = _agree(
        panel_world.chair, world, member, grade="requires_improvement",
        rationale="The school was not told.\nHelp came late.",
    )  # fmt: skip
    assert response.status_code == 302
    assert response.headers["Location"].endswith(_url(world, member) + "#agreed")
    soup = page(panel_world.chair.get(_url(world, member)))
    words = text_of(soup)
    assert "The panel's agreed grade for Child A has been saved" in words
    moderation = soup.find("caption", string="Agency grades and the agreed grade").parent
    moderation_words = text_of(moderation)
    assert "The panel (agreed by Sam Chair)" in moderation_words
    assert "Requires improvement" in moderation_words
    assert "The school was not told." in moderation_words
    for agency_index, agency in enumerate(world.agencies):
        stored = _stored(session, world, member, agency_index)["overall_grade"]
        assert agency.name in moderation_words
        assert stored.rationale in moderation_words  # the agencies' grades stay
    saved = session.scalar(select(AgreedGrade).where(AgreedGrade.member_id == member.id))
    assert saved.grade == "requires_improvement" and saved.agreed_by_id == world.chair.id
    assert saved.question_id == "overall_grade"
    # Changed later, by another panel member: the form shows what is saved.
    form = soup.find("form", attrs={"action": _url(world, member, "/grade")})
    assert form.find("input", attrs={"value": "requires_improvement"}).has_attr("checked")
    response = _agree(panel_world.reviewer, world, member, grade="good", rationale="On reflection")
    assert response.status_code == 302
    session.expire_all()
    saved = session.scalar(select(AgreedGrade).where(AgreedGrade.member_id == member.id))
    assert (saved.grade, saved.rationale, saved.agreed_by_id) == (
        "good", "On reflection", world.reviewer.id,
    )  # fmt: skip
    listing = text_of(page(panel_world.chair.get(_url(world))))
    assert "Good" in listing
    assert "1 of 3 children have an agreed grade" in text_of(
        page(panel_world.chair.get(f"/panel/{world.audit.id}/"))
    )


def test_a_stale_save_is_refused_and_what_was_typed_is_shown_back(
    panel_world: PanelClients, session: Session
) -> None:
    world = panel_world.world
    member = world.members[1]
    chair_page = page(panel_world.chair.get(_url(world, member)))
    stale_version = chair_page.find("input", attrs={"name": "version"})["value"]
    assert (
        _agree(panel_world.reviewer, world, member, grade="good", rationale="First").status_code
        == 302
    )
    response = panel_world.chair.post(
        _url(world, member, "/grade"),
        data={"csrf_token": csrf_token(chair_page), "version": stale_version,
              "agreed_grade": "inadequate", "rationale": "My careful reasons, typed at length"},
    )  # fmt: skip
    assert response.status_code == 200
    soup = page(response)
    words = text_of(soup)
    assert "Someone else on the panel saved the agreed grade" in words
    typed = soup.find(id="your-text")
    assert "My careful reasons, typed at length" in text_of(typed)
    assert "Inadequate" in text_of(typed)
    session.expire_all()
    saved = session.scalar(select(AgreedGrade).where(AgreedGrade.member_id == member.id))
    assert (saved.grade, saved.rationale) == ("good", "First")
    # The form now holds the other person's grade and its version: saving again works.
    assert soup.find("input", attrs={"name": "version"})["value"] == str(saved.version)


@pytest.mark.parametrize(
    ("rationale", "message"),
    [("   ", "Enter the reasons for the agreed grade"),
     ("x" * (MAX_RATIONALE + 1), "must be 2,000 characters or fewer")],
)  # fmt: skip
def test_a_grade_without_reasons_or_too_long_is_refused_naming_the_field(
    panel_world: PanelClients, session: Session, rationale: str, message: str
) -> None:
    world = panel_world.world
    member = world.members[0]
    response = _agree(panel_world.chair, world, member, grade="good", rationale=rationale)
    assert response.status_code == 200
    soup = page(response)
    summary = soup.find(class_="govuk-error-summary")
    assert summary is not None and message in text_of(summary)
    assert summary.find("a", href="#rationale") is not None
    assert soup.title.get_text().startswith("Error:")
    assert session.scalar(select(AgreedGrade).where(AgreedGrade.member_id == member.id)) is None
    # What was typed stays in the box.
    if rationale.strip():
        assert soup.find("textarea", attrs={"name": "rationale"}).get_text() == rationale


def test_a_grade_must_be_chosen_from_the_scale(panel_world: PanelClients) -> None:
    world = panel_world.world
    member = world.members[0]
    for grade in ("", "excellent", "not_known"):
        response = _agree(panel_world.chair, world, member, grade=grade, rationale="Reasons")
        assert response.status_code == 200
        assert "Select" in text_of(page(response).find(class_="govuk-error-summary"))


def test_a_panel_member_of_another_audit_is_refused_everywhere(panel_world: PanelClients) -> None:
    world = panel_world.world
    member = world.members[0]
    client = panel_world.other_panel
    assert client.get(_url(world)).status_code == 403
    assert client.get(_url(world, member)).status_code == 403
    token = csrf_token(page(client.get("/")))
    response = client.post(
        _url(world, member, "/grade"),
        data={"csrf_token": token, "version": "0", "agreed_grade": "good", "rationale": "No"},
    )
    assert response.status_code == 403


def test_a_child_of_another_audit_or_taken_out_is_not_found(
    panel_world: PanelClients, session: Session
) -> None:
    world = panel_world.world
    stranger = CohortMember(audit_id=world.other_audit.id, code="Child Z", position=0)
    session.add(stranger)
    removed = world.members[1]
    removed.removed_at = utcnow()
    removed.removed_reason = "Moved away"
    session.commit()
    soup = page(panel_world.chair.get(_url(world, world.members[0])))
    token = csrf_token(soup)
    for member in (stranger, removed):
        assert panel_world.chair.get(_url(world, member)).status_code == 404
        response = panel_world.chair.post(
            _url(world, member, "/grade"),
            data={"csrf_token": token, "version": "0", "agreed_grade": "good", "rationale": "Why"},
        )
        assert response.status_code == 404
    assert session.scalar(select(AgreedGrade)) is None
    assert removed.code not in text_of(page(panel_world.chair.get(_url(world))))


def test_the_reviewer_on_the_panel_sees_every_agency_here(panel_world: PanelClients) -> None:
    world = panel_world.world
    soup = page(panel_world.reviewer.get(_url(world, world.members[0])))
    headers = [
        th.get_text(" ", strip=True) for th in soup.select("table.app-side-by-side thead th")
    ]
    assert {"CSC", "CAMHS", "Police"} <= set(headers)
    assert "Police saw Child A" in text_of(soup)


def test_the_lead_reads_the_pages_too(panel_world: PanelClients) -> None:
    world = panel_world.world
    assert panel_world.lead.get(_url(world)).status_code == 200
    assert panel_world.lead.get(_url(world, world.members[0])).status_code == 200


def test_an_expired_form_is_shown_again_with_what_was_typed(panel_world: PanelClients) -> None:
    world = panel_world.world
    member = world.members[0]
    response = panel_world.chair.post(
        _url(world, member, "/grade"),
        data={"csrf_token": "expired", "version": "0", "agreed_grade": "good",
              "rationale": "Typed before the token ran out"},
    )  # fmt: skip
    assert response.status_code in (200, 400)
    soup = page(response)
    assert soup.find(class_="govuk-error-summary") is not None
    assert soup.find("textarea", attrs={"name": "rationale"}).get_text() == (
        "Typed before the token ran out"
    )
    assert soup.find("input", attrs={"name": "agreed_grade", "value": "good"}).has_attr("checked")


def test_the_chronology_picture_is_an_image_of_its_own(panel_world: PanelClients) -> None:
    world = panel_world.world
    member = world.members[0]
    url = f"/panel/{world.audit.id}/children/{member.id}"
    soup = page(panel_world.chair.get(url))
    image = soup.find("img", src=f"{url}/chronology.svg")
    assert image is not None and image["alt"].startswith("Multi-agency chronology for Child A")
    picture = panel_world.chair.get(f"{url}/chronology.svg")
    assert picture.status_code == 200 and picture.mimetype == "image/svg+xml"
    assert b"<svg" in picture.data and b"Child A" in picture.data
    assert panel_world.other_panel.get(f"{url}/chronology.svg").status_code == 403
