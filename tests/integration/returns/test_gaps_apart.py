""" "Not known" and "does not apply" are counted apart from the three Signs of Safety
columns, on check your answers and in the agency's summary; facts (dates, numbers,
chronologies) are shown apart too (issue 10)."""

from __future__ import annotations

import pytest
import yaml
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from audit_app.models import (
    Agency,
    Answer,
    Audit,
    Role,
    User,
)
from audit_app.questionnaires.library import load_template
from audit_app.returns.answering import missing_answers
from audit_app.returns.summaries import gaps_of
from tests.conftest import collecting_audit, page, sign_in, text_of
from tests.integration.returns.test_returns import own_return, save
from tests.integration.returns.test_summaries import form_as_shown, texts
from tests.unit.questionnaires.test_lens_and_gaps import _question
from tests.unit.questionnaires.test_template_format import example

EARLY_HELP = "Was early help offered before the crisis?"
WHO = "Who referred the child?"


@pytest.fixture
def gapped(session: Session, users: dict[Role, User], agency: Agency) -> Audit:
    data = example()
    data["id"] = "gapped-audit"
    _question(data, "early_help_offered")["does_not_apply"] = True
    _question(data, "who_referred").update(not_known=True, does_not_apply=True)
    _question(data, "overall").update(not_known=True, evidence_strength=True)
    _question(data, "missed_opportunity").update(lens="situation", column="complicating_factors")
    version = load_template(session, yaml.safe_dump(data).encode(), "gapped.yaml").version
    return collecting_audit(session, version, users[Role.ADMIN], [agency], ("Child A", "Child B"))


def _section(soup: object, heading: str) -> str:
    """The text under a check-your-answers heading, up to the next heading of its level."""
    found = soup.find(["h2", "h3"], string=lambda s: s and s.strip().startswith(heading))  # type: ignore[attr-defined]
    assert found is not None, heading
    parts = []
    for sibling in found.find_next_siblings():
        if sibling.name in ("h2", found.name):
            break
        parts.append(sibling.get_text(" ", strip=True))
    return " ".join(parts)


def test_gaps_and_facts_are_shown_apart_on_check_your_answers(
    client: FlaskClient, users: dict[Role, User], session: Session, gapped: Audit, agency: Agency
) -> None:
    sign_in(client, users[Role.REVIEWER].email)
    child_a = own_return(session, gapped, agency.id, "Child A")
    base = f"/returns/{child_a.id}"
    section = page(client.get(f"{base}/sections/1"))
    # The gap answers are offered, each saying what it means.
    assert section.find("input", attrs={"name": "early_help_offered", "value": "does_not_apply"})
    assert "not counted as a worry" in text_of(section)
    save(
        client,
        f"{base}/sections/1",
        {"early_help_offered": "not_known", "who_referred": "does_not_apply"},
    )
    save(
        client,
        f"{base}/sections/2",
        {"overall": "not_known", "confidence": "high", "referral_date": ["3", "2", "2021"]},
    )
    stored = {
        answer.question_id: answer
        for answer in session.scalars(select(Answer).where(Answer.return_id == child_a.id))
    }
    assert stored["early_help_offered"].columns == [] and stored["who_referred"].columns == []
    assert stored["referral_date"].columns == []  # a fact
    assert stored["confidence"].columns == ["working_well"]

    check = page(client.get(f"{base}/check"))
    worried = _section(check, "What are we worried about")
    working = _section(check, "What's working well")
    assert EARLY_HELP not in worried + working and WHO not in worried + working
    assert "How confident are you?" in working
    not_known = _section(check, "Not known: gaps in what the records show (2)")
    assert EARLY_HELP in not_known and "Overall grade" in not_known
    assert WHO in _section(check, "Does not apply to this agency (1)")
    assert "3 February 2021" in _section(check, "Facts and words recorded")
    # A grade that is not known needs no reason for it.
    assert not any(m.question.id == "overall" for m in missing_answers_of(session, child_a))


def missing_answers_of(session: Session, agency_return: object) -> list:
    from audit_app.returns.answering import definition_for

    answers = {
        a.question_id: a
        for a in session.scalars(select(Answer).where(Answer.return_id == agency_return.id))  # type: ignore[attr-defined]
    }
    return missing_answers(definition_for(agency_return), answers)  # type: ignore[arg-type]


def test_the_agency_summary_counts_gaps_apart_and_drafts_none_of_them(
    app: Flask,
    client: FlaskClient,
    users: dict[Role, User],
    session: Session,
    gapped: Audit,
    agency: Agency,
) -> None:
    sign_in(client, users[Role.REVIEWER].email)
    answers = {
        "Child A": {"early_help_offered": "not_known", "who_referred": "does_not_apply"},
        "Child B": {"early_help_offered": "does_not_apply", "who_referred": "gp"},
    }
    for code, given in answers.items():
        save(
            client, f"/returns/{own_return(session, gapped, agency.id, code).id}/sections/1", given
        )
    gaps = gaps_of(session, gapped, agency.id)
    assert [(g.question_id, g.not_known, g.does_not_apply) for g in gaps.questions] == [
        ("early_help_offered", 1, 1),
        ("who_referred", 0, 1),
    ]
    assert (gaps.not_known, gaps.does_not_apply) == (1, 2)

    url = f"/audits/{gapped.id}/summary"
    before = page(client.get(url))
    table = before.select_one("#gaps ~ table")
    assert table is not None
    rows = [
        [c.get_text(strip=True) for c in tr.find_all(["th", "td"])]
        for tr in table.select("tbody tr")
    ]
    assert rows == [[EARLY_HELP, "1", "1"], [WHO, "0", "1"]]
    assert '1 answer was "Not known" and 2 "Does not apply to my agency"' in text_of(before)
    client.post(url, data=form_as_shown(before, "draft"))
    drafted = " ".join(
        text
        for column in ("working_well", "worried_about", "needs_to_happen")
        for text in texts(session, gapped, agency, column)
    )
    assert EARLY_HELP not in drafted  # only gaps: in no column, so in no item
    assert f"In 1 of 2 children, “{WHO}”: GP (1 child)." in drafted

    # Sent to the panel, the gaps are read with the summary by the audit lead and the panel.
    sent = client.post(url, data=form_as_shown(page(client.get(url)), "send"))
    assert sent.status_code == 302
    lead = app.test_client()
    sign_in(lead, users[Role.ADMIN].email)
    summaries = page(lead.get(f"/audits/{gapped.id}/summaries"))
    table = summaries.select_one(f"#gaps-{agency.id} ~ table")
    assert table is not None
    rows = [
        [c.get_text(strip=True) for c in tr.find_all(["th", "td"])]
        for tr in table.select("tbody tr")
    ]
    assert rows == [[EARLY_HELP, "1", "1"], [WHO, "0", "1"]]


def test_check_your_answers_tags_the_childs_situation_and_keeps_evidence_with_its_grade(
    client: FlaskClient, users: dict[Role, User], session: Session, gapped: Audit, agency: Agency
) -> None:
    sign_in(client, users[Role.REVIEWER].email)
    base = f"/returns/{own_return(session, gapped, agency.id, 'Child B').id}"
    save(
        client,
        f"{base}/sections/1",
        {"early_help_offered": "no", "missed_opportunity": "Seen twice by the GP in May"},
    )
    save(
        client,
        f"{base}/sections/2",
        {"overall": "good", "overall__rationale": "Help in time", "overall_evidence": "strong"},
    )
    check = page(client.get(f"{base}/check"))
    row = next(
        row
        for row in check.select(".govuk-summary-list__row")
        if "What chance to help earlier was missed?" in row.get_text()
    )
    tag = row.select_one(".app-sub-heading")
    assert tag is not None and tag.get_text(" ", strip=True) == (
        "The child's situation: Complicating factors"
    )
    assert "Seen twice by the GP in May" in _section(check, "What are we worried about")
    working = _section(check, "What's working well")
    assert "Overall grade" in working and "Strength of the evidence: Strong" in working
    assert "How strong is the evidence" not in text_of(check)  # not a fact of its own
