"""The demo's panel in progress: the whole demo loaded, and the panel's work on it."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from audit_app.demo import DEMO_LOGINS, DEMO_PASSWORD, load_demo
from audit_app.demo_panel import build_demo_panel
from audit_app.models import (
    Agency,
    AgencyReturn,
    Audit,
    AuditStatus,
    ChildIdentity,
    CohortMember,
    Role,
    User,
)
from audit_app.panel.models import (
    AgreedGrade,
    EvidenceItem,
    EvidenceKind,
    EvidenceSource,
    Finding,
    Recommendation,
    RecommendationFinding,
    Theme,
    ThemeTag,
)
from audit_app.panel.questions import earlier_audits
from audit_app.panel.themes import earlier_themes
from audit_app.questionnaires.definitions import COLUMNS
from audit_app.returns import answering
from audit_app.returns.models import (
    AgencySummary,
    Answer,
    ChronologyEntry,
    ReturnStatus,
    SummaryItem,
)
from tests.conftest import page, sign_in, text_of

CURRENT_TITLE = "Children in crisis: mental health and emotional wellbeing"


def _audits(session: Session) -> tuple[Audit, Audit]:
    current = session.scalars(select(Audit).where(Audit.title == CURRENT_TITLE)).one()
    earlier = session.scalars(
        select(Audit).where(Audit.is_demo.is_(True), Audit.id != current.id)
    ).one()
    return current, earlier


def loaded(session: Session) -> tuple[Audit, Audit]:
    """The demo, with its panel in progress (built here only while demo.py does not yet)."""
    load_demo(session)
    current, earlier = _audits(session)
    if current.returns_shared_at is None:
        users: dict[Any, User] = {}
        for login in DEMO_LOGINS:
            user = session.scalars(select(User).where(User.email == login.email)).one()
            users[login.agency or login.role] = user
        agencies = {
            agency.short_name: agency
            for agency in session.scalars(select(Agency).where(Agency.is_demo.is_(True)))
        }
        build_demo_panel(session, current, earlier, users, agencies, date.today())
    session.flush()
    return current, earlier


def test_the_demo_has_a_panel_in_progress(session: Session) -> None:
    current, earlier = loaded(session)
    for check in (
        _the_current_audit_is_shared_and_its_sent_returns_are_complete,
        _the_answers_vary_so_the_panel_sees_agreement_and_disagreement,
        _four_agencies_sent_their_summaries,
        _the_panel_has_evidence_themes_grades_findings_and_recommendations,
        _the_earlier_audit_has_graded_returns_to_compare_with,
        _no_child_is_named_in_anything_written,
    ):
        check(session, current, earlier)


def _the_current_audit_is_shared_and_its_sent_returns_are_complete(
    session: Session, current: Audit, earlier: Audit
) -> None:
    assert current.status is AuditStatus.COLLECTING
    assert current.returns_shared_at is not None
    submitted = session.scalars(
        select(AgencyReturn).where(
            AgencyReturn.audit_id == current.id, AgencyReturn.status == ReturnStatus.SUBMITTED
        )
    ).all()
    assert len(submitted) >= 10
    for agency_return in submitted:
        answers = answering.answers_of(session, agency_return)
        assert len(answers) > 20, agency_return.agency.short_name
        definition = answering.definition_for(agency_return)
        assert answering.missing_answers(definition, answers) == []
        assert agency_return.submitted_at is not None
    entries = session.scalars(
        select(ChronologyEntry)
        .join(AgencyReturn, AgencyReturn.id == ChronologyEntry.return_id)
        .where(AgencyReturn.audit_id == current.id)
    ).all()
    assert len(entries) >= 2 * len(submitted)
    assert any(entry.missed_opportunity for entry in entries)


def _the_answers_vary_so_the_panel_sees_agreement_and_disagreement(
    session: Session, current: Audit, earlier: Audit
) -> None:
    rows = session.execute(
        select(AgencyReturn.member_id, Answer.question_id, Answer.value)
        .join(AgencyReturn, AgencyReturn.id == Answer.return_id)
        .where(AgencyReturn.audit_id == current.id, AgencyReturn.status == ReturnStatus.SUBMITTED)
    ).all()
    grades = {value for _, question, value in rows if question == "overall_grade"}
    assert grades == {"outstanding", "good", "requires_improvement", "inadequate"}
    scalings: dict[int, list[int]] = {}
    for member, question, value in rows:
        if question == "safety_scaling" and not isinstance(value, str):
            assert isinstance(value, int)  # kept as the number, never as text
            scalings.setdefault(member, []).append(value)
    assert any(max(s) - min(s) >= 3 for s in scalings.values() if len(s) > 1)
    assert any(value == "not_known" for _, _, value in rows)
    assert any(value == "does_not_apply" for _, _, value in rows)


def _four_agencies_sent_their_summaries(session: Session, current: Audit, earlier: Audit) -> None:
    sent = session.scalars(
        select(AgencySummary).where(
            AgencySummary.audit_id == current.id, AgencySummary.submitted_at.is_not(None)
        )
    ).all()
    assert len(sent) == 4
    assert all(summary.items for summary in sent)


def _the_panel_has_evidence_themes_grades_findings_and_recommendations(
    session: Session, current: Audit, earlier: Audit
) -> None:
    sources = session.scalars(
        select(EvidenceSource).where(EvidenceSource.audit_id == current.id)
    ).all()
    kinds = {source.kind for source in sources}
    assert kinds == set(EvidenceKind)
    event = next(s for s in sources if s.kind is EvidenceKind.CHILD_VOICE)
    assert event.participants == 71
    assert sum(1 for item in event.items if item.is_quote) >= 5
    survey = next(s for s in sources if s.kind is EvidenceKind.SURVEY)
    assert survey.participants == 71 and survey.survey is not None
    assert survey.survey["responses"] == 71
    for question in survey.survey["questions"]:
        assert sum(count for _, count in question["counts"]) <= 71
    interviews = [s for s in sources if s.kind is EvidenceKind.PROFESSIONAL_INTERVIEW]
    assert len(interviews) == 2
    assert all({i.column.value for i in s.items} == set(COLUMNS) for s in interviews)

    themes = session.scalars(select(Theme).where(Theme.audit_id == current.id)).all()
    assert "Communication with schools" in {theme.name for theme in themes}
    tags = session.scalars(
        select(ThemeTag).where(ThemeTag.theme_id.in_([theme.id for theme in themes]))
    ).all()
    assert len(tags) >= 30
    assert {theme.id for theme in themes} == {tag.theme_id for tag in tags}
    for target in ("answer_id", "summary_item_id", "evidence_item_id", "chronology_entry_id"):
        assert any(getattr(tag, target) for tag in tags), target

    member_ids = select(CohortMember.id).where(CohortMember.audit_id == current.id)
    agreed = session.scalars(select(AgreedGrade).where(AgreedGrade.member_id.in_(member_ids))).all()
    assert len(agreed) == 3
    assert all(grade.question_id == "overall_grade" and grade.rationale for grade in agreed)

    findings = session.scalars(select(Finding).where(Finding.audit_id == current.id)).all()
    assert {finding.column.value for finding in findings} == set(COLUMNS)
    assert all(finding.themes for finding in findings)
    recommendations = session.scalars(
        select(Recommendation)
        .where(Recommendation.audit_id == current.id)
        .order_by(Recommendation.number)
    ).all()
    assert [r.number for r in recommendations] == [1, 2]
    linked = session.scalar(
        select(func.count(RecommendationFinding.id)).where(
            RecommendationFinding.recommendation_id.in_([r.id for r in recommendations])
        )
    )
    assert linked and linked >= 2


def _the_earlier_audit_has_graded_returns_to_compare_with(
    session: Session, current: Audit, earlier: Audit
) -> None:
    assert earlier.status is AuditStatus.MONITORING
    grades = session.scalars(
        select(Answer.value)
        .join(AgencyReturn, AgencyReturn.id == Answer.return_id)
        .where(
            AgencyReturn.audit_id == earlier.id,
            AgencyReturn.status == ReturnStatus.SUBMITTED,
            Answer.question_id == "overall_grade",
        )
    ).all()
    assert len(grades) >= 6
    assert "good" in grades and "inadequate" in grades
    assert [found.id for found in earlier_audits(session, current)] == [earlier.id]
    recurring = earlier_themes(session, current)
    assert "communication with schools" in {key.casefold() for key in recurring}


def _no_child_is_named_in_anything_written(
    session: Session, current: Audit, earlier: Audit
) -> None:
    names = [
        name
        for name in session.scalars(
            select(ChildIdentity.full_name)
            .join(CohortMember, CohortMember.id == ChildIdentity.member_id)
            .where(CohortMember.audit_id.in_([current.id, earlier.id]))
        )
    ]
    assert names
    audit_ids = [current.id, earlier.id]
    texts: list[str] = []
    for value, rationale in session.execute(
        select(Answer.value, Answer.rationale)
        .join(AgencyReturn, AgencyReturn.id == Answer.return_id)
        .where(AgencyReturn.audit_id.in_(audit_ids))
    ):
        texts += [str(value), rationale or ""]
    for what, response in session.execute(
        select(ChronologyEntry.what_happened, ChronologyEntry.agency_response)
        .join(AgencyReturn, AgencyReturn.id == ChronologyEntry.return_id)
        .where(AgencyReturn.audit_id.in_(audit_ids))
    ):
        texts += [what, response]
    texts += session.scalars(
        select(SummaryItem.text)
        .join(AgencySummary, AgencySummary.id == SummaryItem.summary_id)
        .where(AgencySummary.audit_id.in_(audit_ids))
    ).all()
    texts += session.scalars(
        select(EvidenceItem.text).where(EvidenceItem.audit_id.in_(audit_ids))
    ).all()
    texts += session.scalars(
        select(EvidenceSource.notes).where(EvidenceSource.audit_id.in_(audit_ids))
    ).all()
    texts += session.scalars(select(Finding.text).where(Finding.audit_id.in_(audit_ids))).all()
    texts += session.scalars(
        select(Recommendation.text).where(Recommendation.audit_id.in_(audit_ids))
    ).all()
    texts += session.scalars(select(AgreedGrade.rationale)).all()
    everything = "\n".join(texts).casefold()
    for name in names:
        assert name.casefold() not in everything, name
        assert name.split()[-1].casefold() not in everything.split(), name


def test_the_chair_reads_the_panel_in_progress(app: Flask, session: Session) -> None:
    current, _ = loaded(session)
    session.commit()
    chair = next(login for login in DEMO_LOGINS if login.role is Role.PANEL)
    client = app.test_client()
    sign_in(client, chair.email, DEMO_PASSWORD)
    base = f"/panel/{current.id}"
    member = session.scalars(
        select(CohortMember).where(CohortMember.audit_id == current.id, CohortMember.position == 0)
    ).one()
    theme = session.scalars(
        select(Theme).where(Theme.audit_id == current.id, Theme.name == "Voice of the child")
    ).one()
    event = session.scalars(
        select(EvidenceSource).where(
            EvidenceSource.audit_id == current.id, EvidenceSource.kind == EvidenceKind.SURVEY
        )
    ).one()
    expected = {
        "/": "2 recommendations",
        "/children": "Child A",
        f"/children/{member.id}": "Requires improvement",
        "/board": "What's working well",
        "/evidence": "engagement event",
        f"/evidence/{event.id}": "Face to face at school",
        "/themes": "Communication with schools",
        f"/themes/{theme.id}": "Voice of the child",
        "/findings": "Schools were often the last to know",
        "/questions": "Overall, how good was your agency",
        "/questions/overall_grade": "Children in crisis (first audit, 2021)",
        "/meetings": "Ruth Adeyemi",
    }
    problems = []
    for path, words in expected.items():
        response = client.get(base + path)
        if response.status_code != 200:
            problems.append(f"{path}: {response.status_code}")
            continue
        shown = text_of(page(response))
        if " ".join(words.split()).casefold() not in " ".join(shown.split()).casefold():
            problems.append(f"{path}: {words!r} not shown")
    assert problems == []
