"""The Signs of Safety board: counts per column that match the database, gaps apart from the
worries, filters that narrow, paging, and tagging from the board (without the page's
script, and as the script sends it)."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

import pytest
from bs4 import BeautifulSoup
from flask import Flask
from sqlalchemy import event, insert, select
from sqlalchemy.orm import Session

from audit_app.models import AgencyReturn, AgencySummary, Answer, Audit, ReturnStatus, SummaryItem
from audit_app.panel import board
from audit_app.panel.board import PER_PAGE
from audit_app.panel.models import EvidenceItem, EvidenceKind, EvidenceSource, Theme, ThemeTag
from audit_app.panel.reading import read_panel_audit
from audit_app.questionnaires.answer_types import answer_type
from audit_app.questionnaires.models import SignsOfSafetyColumn
from tests.conftest import csrf_token, page, text_of
from tests.integration.panel.conftest import PanelClients
from tests.integration.panel.world import PanelWorld


def board_url(world: PanelWorld, **args: Any) -> str:
    query = "&".join(f"{key}={value}" for key, value in args.items())
    return f"/panel/{world.audit.id}/board" + (f"?{query}" if query else "")


def counts(soup: BeautifulSoup) -> dict[str, int]:
    return {
        cell["data-board-count"]: int(cell.get_text()) for cell in soup.select("[data-board-count]")
    }


def sent_answers(session: Session, world: PanelWorld) -> list[Answer]:
    return list(
        session.scalars(
            select(Answer)
            .join(AgencyReturn, AgencyReturn.id == Answer.return_id)
            .where(
                AgencyReturn.audit_id == world.audit.id,
                AgencyReturn.status == ReturnStatus.SUBMITTED,
            )
        )
    )


def expected_counts(session: Session, world: PanelWorld, **only: Any) -> dict[str, int]:
    """Counted the slow way, answer by answer, with the registry."""
    found: Counter[str] = Counter()
    for answer in sent_answers(session, world):
        agency_return = answer.agency_return
        if "agency" in only and agency_return.agency_id != only["agency"]:
            continue
        if "child" in only and agency_return.member_id != only["child"]:
            continue
        question = world.definition.question(answer.question_id)
        assert question is not None
        for column in answer.columns or []:
            found[column] += 1
        if not answer.columns and answer_type(question).gap(answer.value, question):
            found["gaps"] += 1
    if "child" not in only:
        for item in session.scalars(
            select(SummaryItem)
            .join(AgencySummary)
            .where(
                AgencySummary.audit_id == world.audit.id, AgencySummary.submitted_at.is_not(None)
            )
        ):
            if "agency" in only and item.summary.agency_id != only["agency"]:
                continue
            found[item.column.value] += 1
    return {key: found[key] for key in ("working_well", "worried_about", "needs_to_happen", "gaps")}


def test_the_counts_per_column_match_the_database(
    panel_world: PanelClients, session: Session
) -> None:
    world = panel_world.world
    soup = page(panel_world.chair.get(board_url(world)))
    assert counts(soup) == expected_counts(session, world)
    words = text_of(soup)
    assert "Signs of Safety board" in words
    # Children by code only.
    assert "Amelia" not in words and "Secretname" not in words
    assert "Child A" in words


def test_not_known_is_a_gap_not_a_worry(panel_world: PanelClients, session: Session) -> None:
    world = panel_world.world
    not_known = [a for a in sent_answers(session, world) if a.value == "not_known"]
    assert not_known, "the world answers some questions 'not known'"
    soup = page(panel_world.chair.get(board_url(world)))
    assert counts(soup)["gaps"] >= len(not_known)
    # Listed as gaps, never in a column.
    gaps = page(panel_world.chair.get(board_url(world, show="gaps")))
    assert "Gaps in knowledge" in text_of(gaps)
    listed = {div["id"] for div in gaps.select(".app-board-item")}
    assert f"answer-{not_known[0].id}" in listed or len(listed) == PER_PAGE
    for column in ("working_well", "worried_about", "needs_to_happen"):
        ids = [f"answer-{answer.id}-{column}" for answer in not_known]
        assert not any(gaps.find(id=i) for i in ids)
    # The worried-about list never holds a not-known answer, on any page.
    pages = 1
    number = 1
    while number <= pages:
        soup = page(panel_world.chair.get(board_url(world, column="worried_about", page=number)))
        for answer in not_known:
            assert soup.find(id=f"answer-{answer.id}-worried_about") is None
        found = [int(n) for n in re.findall(r"page \d+ of (\d+)", text_of(soup))]
        pages = found[0] if found else 1
        number += 1


def test_each_filter_narrows(panel_world: PanelClients, session: Session) -> None:
    world = panel_world.world
    everything = counts(page(panel_world.chair.get(board_url(world))))
    camhs = world.agencies[1]
    by_agency = counts(page(panel_world.chair.get(board_url(world, agency=camhs.id))))
    assert by_agency == expected_counts(session, world, agency=camhs.id)
    assert sum(by_agency.values()) < sum(everything.values())
    child = world.members[0]
    by_child = counts(page(panel_world.chair.get(board_url(world, child=child.id))))
    assert by_child == expected_counts(session, world, child=child.id)
    soup = page(panel_world.chair.get(board_url(world, child=child.id)))
    assert "Agency summaries" in text_of(soup)  # said to be left out
    codes = {p.get_text().split(",")[0] for p in soup.select(".app-board-item__source")}
    assert codes == {child.code}
    # A section of the template.
    by_section = counts(page(panel_world.chair.get(board_url(world, section=1))))
    assert sum(by_section.values()) < sum(everything.values())
    # A sub-heading: only answers under it, in its column.
    soup = page(panel_world.chair.get(board_url(world, sub_heading="harm")))
    harm = counts(soup)
    assert harm["worried_about"] > 0
    assert harm["working_well"] == harm["needs_to_happen"] == harm["gaps"] == 0
    assert {h.get_text(strip=True) for h in soup.select(".app-board__sub-heading")} <= {"Harm"}
    # A kind of item.
    summaries_only = counts(page(panel_world.chair.get(board_url(world, kind="summaries"))))
    assert summaries_only["gaps"] == 0
    assert 0 < sum(summaries_only.values()) < sum(everything.values())
    # Unknown values are ignored, not errors.
    assert counts(page(panel_world.chair.get(board_url(world, agency="x", child=99999)))) == (
        everything
    )


def test_sub_headings_show_inside_their_column(panel_world: PanelClients) -> None:
    world = panel_world.world
    soup = page(panel_world.chair.get(board_url(world, column="worried_about")))
    headings = [h.get_text(strip=True) for h in soup.select(".app-board__sub-heading")]
    # The framework's order: harm, danger, complicating factors, then the rest.
    order = ["Harm", "Danger", "Complicating factors", "Not under a sub-heading"]
    assert headings == sorted(headings, key=order.index)
    assert "Harm" in headings


def test_the_board_pages(panel_world: PanelClients) -> None:
    world = panel_world.world
    first = page(panel_world.chair.get(board_url(world, column="worried_about")))
    total = counts(first)["worried_about"]
    assert total > PER_PAGE
    ids_first = [d["id"] for d in first.select(".app-board-item")]
    assert len(ids_first) == PER_PAGE
    second = page(panel_world.chair.get(board_url(world, column="worried_about", page=2)))
    ids_second = [d["id"] for d in second.select(".app-board-item")]
    assert ids_second and not set(ids_first) & set(ids_second)
    assert first.select_one(".govuk-pagination") is not None
    # Every item once across the pages.
    seen = list(ids_first) + ids_second
    number = 3
    while len(seen) < total:
        soup = page(panel_world.chair.get(board_url(world, column="worried_about", page=number)))
        more = [d["id"] for d in soup.select(".app-board-item")]
        assert more
        seen += more
        number += 1
    assert len(seen) == len(set(seen)) == total


def tag_form(soup: BeautifulSoup, anchor: str) -> Any:
    item = soup.find(id=anchor)
    assert item is not None, anchor
    return item.find("form", attrs={"action": re.compile(r"/board/tag$")})


def form_data(form: Any, **typed: str) -> dict[str, str]:
    data = {
        field["name"]: field.get("value", "")
        for field in form.find_all("input")
        if field.get("name")
    }
    data["theme"] = ""
    data.update(typed)
    return data


def first_answer_anchor(soup: BeautifulSoup) -> str:
    return next(d["id"] for d in soup.select(".app-board-item") if d["id"].startswith("answer-"))


def test_tagging_and_untagging_without_javascript(
    panel_world: PanelClients, session: Session
) -> None:
    world = panel_world.world
    url = board_url(world, agency=world.agencies[0].id)
    soup = page(panel_world.chair.get(url))
    anchor = first_answer_anchor(soup)
    answer_id = int(anchor.split("-")[1])
    # A new theme, named inline.
    response = panel_world.chair.post(
        f"/panel/{world.audit.id}/board/tag",
        data=form_data(tag_form(soup, anchor), new_theme="Communication with schools"),
    )
    assert response.status_code == 302
    assert response.location.endswith(f"/board?agency={world.agencies[0].id}#{anchor}")
    theme = session.scalars(select(Theme).where(Theme.audit_id == world.audit.id)).one()
    assert theme.name == "Communication with schools"
    soup = page(panel_world.chair.get(url))
    assert "Tagged 'Communication with schools' (a new theme)" in text_of(soup)
    assert "Communication with schools" in text_of(soup.find(id=anchor))
    # The same theme again, chosen from the list: no error, no second tag.
    response = panel_world.chair.post(
        f"/panel/{world.audit.id}/board/tag",
        data=form_data(tag_form(soup, anchor), theme=str(theme.id)),
    )
    assert response.status_code == 302
    tags = session.scalars(select(ThemeTag).where(ThemeTag.answer_id == answer_id)).all()
    assert len(tags) == 1
    assert "Already tagged" in text_of(page(panel_world.chair.get(url)))
    # Filtered by the theme, the board holds that answer only.
    tagged = page(panel_world.chair.get(board_url(world, theme=theme.id)))
    assert sum(counts(tagged).values()) == len(answer_columns(session, answer_id))
    # A name already used is refused, naming it, and what was typed is shown back.
    soup = page(panel_world.chair.get(url))
    response = panel_world.chair.post(
        f"/panel/{world.audit.id}/board/tag",
        data=form_data(tag_form(soup, anchor), new_theme="communication WITH schools"),
    )
    assert response.status_code == 200
    refused = page(response)
    assert "There is already a theme called 'Communication with schools'" in text_of(refused)
    assert refused.select_one(".govuk-error-summary") is not None
    assert refused.find(id=f"{anchor}-new_theme")["value"] == "communication WITH schools"
    assert session.scalars(select(Theme).where(Theme.audit_id == world.audit.id)).all() == [theme]
    # Remove the tag.
    soup = page(panel_world.chair.get(url))
    remove = soup.find(id=anchor).find("form", attrs={"action": re.compile(r"/board/untag$")})
    data = {f["name"]: f.get("value", "") for f in remove.find_all("input") if f.get("name")}
    response = panel_world.chair.post(f"/panel/{world.audit.id}/board/untag", data=data)
    assert response.status_code == 302 and response.location.endswith(f"#{anchor}")
    session.expire_all()
    assert session.scalars(select(ThemeTag).where(ThemeTag.answer_id == answer_id)).all() == []
    assert "Removed the tag 'Communication with schools'" in text_of(
        page(panel_world.chair.get(url))
    )


def answer_columns(session: Session, answer_id: int) -> list[str]:
    answer = session.get(Answer, answer_id)
    assert answer is not None
    return list(answer.columns or [])


def test_tagging_as_the_page_script_does(panel_world: PanelClients, session: Session) -> None:
    world = panel_world.world
    soup = page(panel_world.chair.get(board_url(world)))
    summary_anchor = (
        next(d["id"] for d in soup.select(".app-board-item") if d["id"].startswith("summary-"))
        if soup.select(".app-board-item[id^=summary-]")
        else None
    )
    anchor = summary_anchor or first_answer_anchor(soup)
    headers = {"X-Requested-With": "fetch"}
    response = panel_world.chair.post(
        f"/panel/{world.audit.id}/board/tag",
        data=form_data(tag_form(soup, anchor), new_theme="Family conflict"),
        headers=headers,
    )
    assert response.status_code == 200
    body = response.get_json()
    assert body["ok"] and body["theme"]["name"] == "Family conflict"
    tags = BeautifulSoup(body["tags_html"], "html.parser")
    assert "Family conflict" in text_of(tags)
    remove = tags.find("form")
    data = {f["name"]: f.get("value", "") for f in remove.find_all("input") if f.get("name")}
    response = panel_world.chair.post(
        f"/panel/{world.audit.id}/board/untag", data=data, headers=headers
    )
    assert response.status_code == 200
    assert "Family conflict" not in text_of(
        BeautifulSoup(response.get_json()["tags_html"], "html.parser")
    )
    # A refused name answers 422 with the message.
    session.add(Theme(audit_id=world.audit.id, name="Housing"))
    session.commit()
    response = panel_world.chair.post(
        f"/panel/{world.audit.id}/board/tag",
        data=form_data(tag_form(soup, anchor), new_theme="Housing"),
        headers=headers,
    )
    assert response.status_code == 422
    assert "already a theme called 'Housing'" in response.get_json()["message"]


def test_items_and_themes_of_another_audit_are_not_found(
    panel_world: PanelClients, session: Session
) -> None:
    world = panel_world.world
    other_theme = Theme(audit_id=world.other_audit.id, name="Elsewhere")
    source = EvidenceSource(
        audit_id=world.other_audit.id, kind=EvidenceKind.OTHER, title="Another audit's note"
    )
    session.add_all([other_theme, source])
    session.flush()
    other_item = EvidenceItem(
        audit_id=world.other_audit.id,
        source_id=source.id,
        column=SignsOfSafetyColumn.WORRIED_ABOUT,
        text="Not this audit's",
    )
    session.add(other_item)
    own_theme = Theme(audit_id=world.audit.id, name="Ours")
    session.add(own_theme)
    session.commit()
    soup = page(panel_world.chair.get(board_url(world)))
    anchor = first_answer_anchor(soup)
    form = tag_form(soup, anchor)
    url = f"/panel/{world.audit.id}/board/tag"
    # Another audit's theme.
    response = panel_world.chair.post(url, data=form_data(form, theme=str(other_theme.id)))
    assert response.status_code == 404
    # Another audit's item.
    response = panel_world.chair.post(
        url, data=form_data(form, kind="evidence", item=str(other_item.id), theme=str(own_theme.id))
    )
    assert response.status_code == 404
    # An answer id that is nobody's.
    response = panel_world.chair.post(
        url, data=form_data(form, item="999999", theme=str(own_theme.id))
    )
    assert response.status_code == 404
    # Another audit's tag.
    other_tag = ThemeTag(theme_id=other_theme.id, evidence_item_id=other_item.id)
    session.add(other_tag)
    session.commit()
    response = panel_world.chair.post(
        f"/panel/{world.audit.id}/board/untag",
        data={"csrf_token": csrf_token(soup), "tag": str(other_tag.id)},
    )
    assert response.status_code == 404
    assert session.get(ThemeTag, other_tag.id) is not None


def test_evidence_items_are_on_the_board(panel_world: PanelClients, session: Session) -> None:
    world = panel_world.world
    source = EvidenceSource(
        audit_id=world.audit.id,
        kind=EvidenceKind.CHILD_VOICE,
        title="Engagement event",
        participants=71,
    )
    session.add(source)
    session.flush()
    session.add(
        EvidenceItem(
            audit_id=world.audit.id,
            source_id=source.id,
            column=SignsOfSafetyColumn.NEEDS_TO_HAPPEN,
            text="Someone to talk to at school",
            is_quote=True,
            count=12,
        )
    )
    session.commit()
    soup = page(panel_world.chair.get(board_url(world, kind="evidence")))
    assert counts(soup)["needs_to_happen"] == 1
    words = text_of(soup)
    assert "Someone to talk to at school" in words and "12 said this" in words


def test_a_panel_member_of_another_audit_is_refused(app: Flask, panel_world: PanelClients) -> None:
    world = panel_world.world
    client = panel_world.other_panel
    assert client.get(board_url(world)).status_code == 403
    # CSRF off, so that the refusal is for access, not for a missing token.
    app.config["WTF_CSRF_ENABLED"] = False
    try:
        for action in ("tag", "untag"):
            response = client.post(f"/panel/{world.audit.id}/board/{action}", data={})
            assert response.status_code == 403
    finally:
        app.config["WTF_CSRF_ENABLED"] = True


def test_a_form_naming_no_item_goes_back_to_the_board(
    app: Flask, panel_world: PanelClients
) -> None:
    """As the route walk sends it: nothing chosen is not an error page."""
    world = panel_world.world
    app.config["WTF_CSRF_ENABLED"] = False
    try:
        for action in ("tag", "untag"):
            response = panel_world.chair.post(
                f"/panel/{world.audit.id}/board/{action}", data={"back": "agency=x&page=2"}
            )
            assert response.status_code == 302
            assert response.location.endswith(f"/panel/{world.audit.id}/board?page=2")
    finally:
        app.config["WTF_CSRF_ENABLED"] = True


def test_a_not_known_yes_no_answer_is_a_gap_on_the_board(
    panel_world: PanelClients, session: Session
) -> None:
    """A yes/no/not known question offers "not known" among its own answers: that answer is
    a gap in knowledge on the board, as on the child's page, never lost."""

    world = panel_world.world
    definition = world.definition
    agency_return = world.returns[(world.members[0].id, world.agencies[0].id)]
    answers = {
        a.question_id: a
        for a in session.scalars(select(Answer).where(Answer.return_id == agency_return.id))
    }
    question = next(
        q
        for q in definition.questions
        if q.id in answers
        and not answer_type(q).gap_choices(q)
        and any(
            answer_type(q).gap(c.value, q)
            for c in answer_type(q).choices(q, definition.scales) or []
        )
    )
    url = f"/panel/{world.audit.id}/board"
    before = page(panel_world.chair.get(url)).find(attrs={"data-board-count": "gaps"}).get_text()
    answer = answers[question.id]
    answer.value, answer.columns, answer.column = "not_known", [], None
    session.commit()
    soup = page(panel_world.chair.get(url))
    after = soup.find(attrs={"data-board-count": "gaps"}).get_text()
    assert int(after) == int(before) + 1
    gaps = text_of(page(panel_world.chair.get(f"{url}?show=gaps")))
    assert question.text in gaps


def _racing(session: Session, model: type, values: dict[str, Any]) -> None:
    """Just before the next flush of a new ``model``, someone else's row with ``values``
    lands first (as a second person's request would, between the check and the insert)."""
    done = []

    def first(flushing: Session, *_: Any) -> None:
        if not done and any(isinstance(obj, model) for obj in flushing.new):
            done.append(True)
            flushing.connection().execute(insert(model.__table__).values(**values))

    event.listen(session, "before_flush", first)


def test_a_tag_or_theme_added_by_someone_else_at_the_same_moment_is_no_error(
    panel_world: PanelClients, session: Session
) -> None:
    world = panel_world.world
    panel = read_panel_audit(session, session.get(Audit, world.audit.id))
    answer_id = session.scalars(
        select(Answer.id)
        .join(AgencyReturn, AgencyReturn.id == Answer.return_id)
        .where(AgencyReturn.audit_id == world.audit.id)
        .order_by(Answer.id)
    ).first()
    theme = Theme(audit_id=world.audit.id, name="Voice")
    session.add(theme)
    session.commit()
    _racing(session, ThemeTag, {"theme_id": theme.id, "answer_id": answer_id})
    tagged = board.tag_item(session, panel, "answer", answer_id, theme.id, "", world.chair.id)
    assert tagged.already and not tagged.created_theme  # tagged, as was asked
    _racing(session, Theme, {"audit_id": world.audit.id, "name": "Early help", "version": 1})
    with pytest.raises(board.TagProblem, match="Someone else has just added a theme called"):
        board.tag_item(session, panel, "answer", answer_id, None, "Early help", world.chair.id)
