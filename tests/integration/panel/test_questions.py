"""The panel's answers by question: every question's figures, a page per question with the
distribution of its answers by agency, good or better per agency, and the comparison with an
earlier audit of the same template. The expected figures are worked out here from the
answers in the database (every answer read one by one), not from the page's own reading."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from typing import Any

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select
from sqlalchemy.orm import Session

from audit_app.models import AgencyReturn, Audit, AuditStatus, CohortMember, ReturnStatus
from audit_app.panel import board, questions
from audit_app.panel.reading import read_panel_audit
from audit_app.questionnaires.answer_types import answer_type
from audit_app.returns.models import Answer
from tests.conftest import page, text_of
from tests.integration.panel.conftest import PanelClients
from tests.integration.panel.world import PanelWorld

GRADE = "overall_grade"
SCALING = "safety_scaling"


def sent_values(session: Session, audit_id: int) -> dict[str, dict[int, list[Any]]]:
    """Every answer of the audit's sent returns (current children), by question and agency."""
    found: dict[str, dict[int, list[Any]]] = defaultdict(lambda: defaultdict(list))
    rows = session.execute(
        select(Answer.question_id, AgencyReturn.agency_id, Answer.value)
        .join(AgencyReturn, AgencyReturn.id == Answer.return_id)
        .join(CohortMember, CohortMember.id == AgencyReturn.member_id)
        .where(
            AgencyReturn.audit_id == audit_id,
            AgencyReturn.status == ReturnStatus.SUBMITTED,
            CohortMember.removed_at.is_(None),
        )
    )
    for question_id, agency_id, value in rows:
        found[question_id][agency_id].append(value)
    return found


def expected_share(world: PanelWorld, values: list[Any], question_id: str) -> tuple[int, int]:
    """(good or better, grades given) worked out answer by answer."""
    question = world.definition.question(question_id)
    assert question is not None
    kind = answer_type(question)
    good = out_of = 0
    for value in values:
        if not kind.is_answered(value) or kind.gap(value, question) is not None:
            continue
        out_of += 1
        good += "working_well" in kind.columns(value, question, world.definition.scales)
    return good, out_of


def words(good: int, out_of: int) -> str:
    return f"{(200 * good + out_of) // (2 * out_of)}% ({good} of {out_of})"


def row_of(soup: BeautifulSoup, href: str) -> list[str]:
    link = soup.find("a", attrs={"href": href})
    assert link is not None, href
    row = link.find_parent("tr")
    return [" ".join(cell.get_text(" ", strip=True).split()) for cell in row.find_all(["th", "td"])]


def test_the_list_shows_every_question_with_figures_from_the_sent_returns(
    panel_world: PanelClients, session: Session
) -> None:
    world = panel_world.world
    base = f"/panel/{world.audit.id}/questions"
    soup = page(panel_world.chair.get(base))
    assert soup.h1.get_text(strip=True) == "Answers by question"
    assert not soup.find("img"), "no chart on the list page"
    values = sent_values(session, world.audit.id)
    scales = world.definition.scales
    for section in world.definition.sections:
        assert section.title in text_of(soup)
    for question in world.definition.questions:
        every = [v for by_agency in values.get(question.id, {}).values() for v in by_agency]
        kind = answer_type(question)
        answered = [v for v in every if kind.is_answered(v)]
        cells = row_of(soup, f"{base}/{question.id}")
        assert cells[1] == str(len(answered)), question.id
        if question.is_fact:
            continue
        columns = defaultdict(int)
        gaps = defaultdict(int)
        for value in answered:
            for column in kind.columns(value, question, scales):
                columns[column] += 1
            if (gap := kind.gap(value, question)) is not None:
                gaps[gap] += 1
        assert cells[2:7] == [
            str(columns["working_well"]),
            str(columns["worried_about"]),
            str(columns["needs_to_happen"]),
            str(gaps["not_known"]),
            str(gaps["does_not_apply"]),
        ], question.id
    for question_id in (GRADE, SCALING):
        every = [v for by_agency in values[question_id].values() for v in by_agency]
        good, out_of = expected_share(world, every, question_id)
        assert out_of > 0
        assert row_of(soup, f"{base}/{question_id}")[7] == words(good, out_of)
    assert "There is no earlier audit of the same template" in text_of(soup)


def test_a_question_page_shows_the_distribution_by_agency_and_good_or_better(
    panel_world: PanelClients, session: Session
) -> None:
    world = panel_world.world
    soup = page(panel_world.chair.get(f"/panel/{world.audit.id}/questions/{GRADE}"))
    words_on_page = text_of(soup)
    question = world.definition.question(GRADE)
    assert question is not None
    assert question.text in soup.h1.get_text()
    figure = soup.find("figure")
    image = figure.find("img")
    assert image["src"] == f"/panel/{world.audit.id}/questions/{GRADE}/chart.svg"
    assert image["alt"].startswith("Answers to question")
    picture = panel_world.chair.get(image["src"])
    assert picture.status_code == 200 and picture.mimetype == "image/svg+xml"
    assert b"<svg" in picture.data
    assert panel_world.other_panel.get(image["src"]).status_code == 403
    assert (
        panel_world.chair.get(f"/panel/{world.audit.id}/questions/nope/chart.svg").status_code
        == 404
    )
    values = sent_values(session, world.audit.id)[GRADE]
    # The distribution table: each grade's count per agency (agencies by name) and in all.
    agencies = sorted(world.agencies, key=lambda a: a.name)
    table = figure.find_next("table")
    headers = [th.get_text(strip=True) for th in table.thead.find_all("th")]
    assert headers == ["Answer", "Where it lands", *(a.short_name for a in agencies), "Total"]
    scale = world.definition.scales[question.scale]
    for level in scale.levels:
        row = table.find("th", string=level.label).find_parent("tr")
        cells = [td.get_text(strip=True) for td in row.find_all("td")]
        counts = [values[a.id].count(level.value) for a in agencies]
        assert cells[1:] == [*map(str, counts), str(sum(counts))], level.value
    # Good or better, per agency and overall.
    table = soup.find("caption", string="Good or better, overall and by agency").parent
    for agency in agencies:
        good, out_of = expected_share(world, values[agency.id], GRADE)
        row = table.find("th", string=agency.name).find_parent("tr")
        cells = [td.get_text(strip=True) for td in row.find_all("td")]
        assert cells[:2] == [str(good), str(out_of)], agency.name
    good, out_of = expected_share(world, [v for vs in values.values() for v in vs], GRADE)
    assert f"Good or better {words(good, out_of)}" in words_on_page
    assert "There is no earlier audit of the same template" in words_on_page


def test_the_safety_scale_page_keeps_not_known_apart(
    panel_world: PanelClients, session: Session
) -> None:
    world = panel_world.world
    soup = page(panel_world.chair.get(f"/panel/{world.audit.id}/questions/{SCALING}"))
    values = sent_values(session, world.audit.id)[SCALING]
    every = [v for vs in values.values() for v in vs]
    gaps = soup.find("caption", string="Gaps, by agency").parent
    row = gaps.find("th", string="Not known").find_parent("tr")
    assert row.find_all("td")[-1].get_text(strip=True) == str(every.count("not_known"))
    good, out_of = expected_share(world, every, SCALING)
    assert out_of == len(every) - every.count("not_known")
    assert f"Good or better {words(good, out_of)}" in text_of(soup)


def test_facts_and_free_text_have_their_own_figures(panel_world: PanelClients) -> None:
    world = panel_world.world
    for question in world.definition.questions:
        response = panel_world.chair.get(f"/panel/{world.audit.id}/questions/{question.id}")
        assert response.status_code == 200, question.id
        soup = page(response)
        if question.is_fact and answer_type(question).choices(question, {}) is None:
            assert not soup.find("img"), question.id  # a fact is summed up, not charted


def test_access_and_unknown_questions(panel_world: PanelClients) -> None:
    world = panel_world.world
    base = f"/panel/{world.audit.id}/questions"
    assert panel_world.other_panel.get(base).status_code == 403
    assert panel_world.other_panel.get(f"{base}/{GRADE}").status_code == 403
    assert panel_world.chair.get(f"{base}/no_such_question").status_code == 404
    assert panel_world.lead.get(f"{base}/{GRADE}").status_code == 200
    assert panel_world.reviewer.get(base).status_code == 200  # CAMHS, also on the panel


def earlier_audit(session: Session, world: PanelWorld, title: str, days: int, grade: str) -> Audit:
    """An audit of the same template, started ``days`` before this one, taken to the panel,
    with the same sent returns as this one but every overall grade ``grade``; and one draft
    return (which must not count)."""
    audit = Audit(
        title=title,
        template_version_id=world.version.id,
        status=AuditStatus.PANEL,
        created_at=world.audit.created_at - timedelta(days=days),
    )
    session.add(audit)
    session.flush()
    members = {}
    for member in world.members:
        members[member.id] = CohortMember(
            audit_id=audit.id, code=member.code, position=member.position
        )
        session.add(members[member.id])
    session.flush()
    for (member_id, agency_id), source in world.returns.items():
        status = source.status
        if status is ReturnStatus.NO_INVOLVEMENT:
            continue
        copy = AgencyReturn(
            audit_id=audit.id, agency_id=agency_id, member_id=members[member_id].id, status=status
        )
        session.add(copy)
        session.flush()
        for answer in session.scalars(select(Answer).where(Answer.return_id == source.id)):
            value = grade if answer.question_id == GRADE else answer.value
            session.add(Answer(return_id=copy.id, question_id=answer.question_id, value=value))
    # A draft return, never counted: a grade that would change the figures.
    extra = CohortMember(audit_id=audit.id, code="Child Z", position=99)
    session.add(extra)
    session.flush()
    draft = AgencyReturn(
        audit_id=audit.id, agency_id=world.agencies[0].id, member_id=extra.id,
        status=ReturnStatus.DRAFT,
    )  # fmt: skip
    session.add(draft)
    session.flush()
    session.add(Answer(return_id=draft.id, question_id=GRADE, value="outstanding"))
    session.commit()
    return audit


def test_good_or_better_then_and_now(panel_world: PanelClients, session: Session) -> None:
    world = panel_world.world
    older = earlier_audit(session, world, "Children in crisis 2021", 700, "good")
    recent = earlier_audit(session, world, "Children in crisis 2023", 300, "inadequate")
    values = sent_values(session, world.audit.id)[GRADE]
    now = expected_share(world, [v for vs in values.values() for v in vs], GRADE)
    base = f"/panel/{world.audit.id}/questions"

    # The most recent earlier audit by default: every grade inadequate then.
    soup = page(panel_world.chair.get(base))
    table = soup.find("caption", string="Good or better then and now").parent
    assert "Then: Children in crisis 2023" in text_of(table)
    row = row_of(table, f"{base}/{GRADE}?compare={recent.id}")
    then_out_of = sum(1 for vs in values.values() for _ in vs)
    assert row[1:3] == [words(0, then_out_of), words(*now)]
    # Another one chosen: every grade good then.
    select_box = soup.find("select", attrs={"name": "compare"})
    assert [o["value"] for o in select_box.find_all("option")] == [str(recent.id), str(older.id)]
    soup = page(panel_world.chair.get(f"{base}?compare={older.id}"))
    table = soup.find("caption", string="Good or better then and now").parent
    row = row_of(table, f"{base}/{GRADE}?compare={older.id}")
    assert row[1] == words(then_out_of, then_out_of)
    # The question's own page.
    soup = page(panel_world.chair.get(f"{base}/{GRADE}?compare={older.id}"))
    table = soup.find("caption", string="Good or better then and now").parent
    assert words(then_out_of, then_out_of) in text_of(table)
    assert words(*now) in text_of(table)
    # The safety scale was not changed: the same then and now.
    soup = page(panel_world.chair.get(f"{base}/{SCALING}"))
    table = soup.find("caption", string="Good or better then and now").parent
    assert "No change" in text_of(table)
    # Not an earlier audit of the same template, or not an audit at all: refused.
    for refused in (world.other_audit.id, world.audit.id, "abc"):
        assert panel_world.chair.get(f"{base}?compare={refused}").status_code == 404
        assert panel_world.chair.get(f"{base}/{GRADE}?compare={refused}").status_code == 404


def test_an_audit_started_later_or_not_at_the_panel_is_not_compared(
    panel_world: PanelClients, session: Session
) -> None:
    world = panel_world.world
    later = earlier_audit(session, world, "Children in crisis 2027", -30, "good")
    collecting = earlier_audit(session, world, "Still collecting", 30, "good")
    collecting.status = AuditStatus.COLLECTING
    session.commit()
    base = f"/panel/{world.audit.id}/questions"
    assert "There is no earlier audit" in text_of(page(panel_world.chair.get(base)))
    for refused in (later.id, collecting.id):
        assert panel_world.chair.get(f"{base}?compare={refused}").status_code == 404


def test_a_real_audit_is_never_compared_with_the_demos(
    panel_world: PanelClients, session: Session
) -> None:
    world = panel_world.world
    older = earlier_audit(session, world, "Demo: children in crisis 2021", 700, "good")
    older.is_demo = True
    session.commit()
    words = text_of(page(panel_world.chair.get(f"/panel/{world.audit.id}/questions")))
    assert "There is no earlier audit of the same template" in words
    assert (
        panel_world.chair.get(f"/panel/{world.audit.id}/questions?compare={older.id}").status_code
        == 404
    )


def _set_answers(session: Session, agency_return: AgencyReturn, values: dict[str, Any]) -> None:
    stored = {
        answer.question_id: answer
        for answer in session.scalars(select(Answer).where(Answer.return_id == agency_return.id))
    }
    for question_id, value in values.items():
        answer = stored.get(question_id) or Answer(
            return_id=agency_return.id, question_id=question_id, columns=[]
        )
        answer.value = value
        session.add(answer)
    session.commit()


def _answered(session: Session, world: PanelWorld, question_id: str) -> int:
    counted = questions.read_counted(
        session, world.audit.id, world.definition, question_ids=[question_id]
    )
    return sum(count for _, count in counted.overall.get(question_id, []))


def test_an_answer_to_a_follow_up_no_longer_asked_is_left_out(
    panel_world: PanelClients, session: Session
) -> None:
    """A reviewer answered a follow-up, then changed the answer it follows: the return keeps
    the follow-up's words (in case they change it back) but it is not part of the return as
    sent, so no figure, board item or tag counts it; a chain of follow-ups is followed, and
    a follow-up to one of a list's choices is asked when the list holds it."""
    world = panel_world.world
    agency_return = world.returns[(world.members[0].id, world.agencies[1].id)]  # CAMHS, sent
    _set_answers(session, agency_return, {
        "early_signs_recognised": "yes", "support_before_crisis": ["gp", "pastoral"],
        "support_helped": "yes", "missed_opportunity": "Seen twice at the GP in May",
    })  # fmt: skip
    helped = _answered(session, world, "support_helped")
    missed = _answered(session, world, "missed_opportunity")
    panel = read_panel_audit(session, session.get(Audit, world.audit.id))
    follow_up = session.scalar(
        select(Answer.id).where(
            Answer.return_id == agency_return.id, Answer.question_id == "support_helped"
        )
    )
    board.check_item(session, panel, "answer", follow_up)  # asked: on the board
    _set_answers(session, agency_return, {"early_signs_recognised": "no"})
    assert _answered(session, world, "support_helped") == helped - 1  # its question's is hidden
    assert _answered(session, world, "missed_opportunity") == missed + 1  # now asked
    with pytest.raises(board.NotInAudit):
        board.check_item(session, panel, "answer", follow_up)
    _set_answers(session, agency_return, {"early_signs_recognised": "yes"})
    assert _answered(session, world, "support_helped") == helped
    _set_answers(session, agency_return, {"support_before_crisis": ["none"]})
    assert _answered(session, world, "support_helped") == helped - 1
