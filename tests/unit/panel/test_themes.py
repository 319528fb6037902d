"""Themes: their reach (children, agencies, items), merging, names unique in any case, and
the same theme found in the partnership's earlier audits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from audit_app.core.errors import DomainError
from audit_app.models import (
    Agency,
    AgencyReturn,
    AgencySummary,
    Answer,
    Audit,
    ChronologyEntry,
    CohortMember,
    EvidenceItem,
    EvidenceKind,
    EvidenceSource,
    Finding,
    FindingTheme,
    ReturnStatus,
    SignsOfSafetyColumn,
    SummaryItem,
    Theme,
    ThemeTag,
)
from audit_app.panel import themes
from audit_app.questionnaires.definitions import Question


@dataclass
class Small:
    audit: Audit
    answers: dict[tuple[str, str], Answer]  # (child code, agency short name) -> an answer
    entry: ChronologyEntry  # Child A, CAMHS
    removed_answer: Answer  # the answer of a child taken out of the cohort
    summary_item: SummaryItem  # Police's summary
    evidence: EvidenceItem  # from an interview with a CAMHS nurse
    other_evidence: EvidenceItem  # from a survey (no agency)


@pytest.fixture
def small(session: Session, agency: Agency, other_agency: Agency) -> Small:
    """Children A and B (and C, taken out), CAMHS and Police, one answer per return."""
    audit = Audit(title="Children in crisis 2024")
    session.add(audit)
    session.flush()
    members = [
        CohortMember(audit_id=audit.id, code=code, position=n)
        for n, code in enumerate(("Child A", "Child B", "Child C"))
    ]
    members[2].removed_at = datetime(2024, 5, 1, tzinfo=UTC)
    session.add_all(members)
    session.flush()
    answers = {}
    entry = removed_answer = None
    for member in members:
        for each in (agency, other_agency):
            agency_return = AgencyReturn(
                audit_id=audit.id,
                agency_id=each.id,
                member_id=member.id,
                status=ReturnStatus.SUBMITTED,  # the panel reads sent returns only
            )
            answer = Answer(question_id="q1", value="yes", columns=["working_well"])
            agency_return.answers.append(answer)
            session.add(agency_return)
            if member.code == "Child C":
                removed_answer = answer
            else:
                answers[(member.code, each.short_name)] = answer
            if member.code == "Child A" and each is agency:
                session.flush()
                entry = ChronologyEntry(
                    return_id=agency_return.id, happened_on=date(2024, 3, 1), what_happened="Seen"
                )
                session.add(entry)
    summary = AgencySummary(audit_id=audit.id, agency_id=other_agency.id)
    summary_item = SummaryItem(
        column=SignsOfSafetyColumn.WORRIED_ABOUT, text="Schools not told", answer_ids=[]
    )
    summary.items.append(summary_item)
    interview = EvidenceSource(
        audit_id=audit.id,
        kind=EvidenceKind.PROFESSIONAL_INTERVIEW,
        title="Interview with a CAMHS nurse",
        agency_id=agency.id,
    )
    survey = EvidenceSource(audit_id=audit.id, kind=EvidenceKind.SURVEY, title="Survey")
    evidence = EvidenceItem(
        audit_id=audit.id, source=interview, column=SignsOfSafetyColumn.WORRIED_ABOUT, text="x"
    )
    other_evidence = EvidenceItem(
        audit_id=audit.id, source=survey, column=SignsOfSafetyColumn.WORKING_WELL, text="y"
    )
    session.add_all([summary, evidence, other_evidence])
    session.flush()
    assert entry is not None and removed_answer is not None
    return Small(audit, answers, entry, removed_answer, summary_item, evidence, other_evidence)


def tag(session: Session, theme: Theme, **target: int) -> ThemeTag:
    made = ThemeTag(theme_id=theme.id, **target)
    session.add(made)
    session.flush()
    return made


def test_reach_counts_children_agencies_and_items(session: Session, small: Small) -> None:
    schools = themes.create_theme(session, small.audit, "Communication with schools")
    voice = themes.create_theme(session, small.audit, "Child's voice")
    empty = themes.create_theme(session, small.audit, "Nothing yet")
    for answer in small.answers.values():  # two children in two agencies
        tag(session, schools, answer_id=answer.id)
    tag(session, schools, evidence_item_id=small.evidence.id)  # CAMHS again: no new agency
    tag(session, schools, answer_id=small.removed_answer.id)  # a child taken out: not counted
    tag(session, voice, answer_id=small.answers[("Child A", "CAMHS")].id)
    tag(session, voice, chronology_entry_id=small.entry.id)  # the same child and agency
    tag(session, voice, summary_item_id=small.summary_item.id)  # Police: no child
    tag(session, voice, evidence_item_id=small.other_evidence.id)  # no agency, no child

    reach = themes.reach_of(session, small.audit)
    assert reach[schools.id] == themes.Reach(children=2, agencies=2, items=6)
    assert reach[voice.id] == themes.Reach(children=1, agencies=2, items=4)
    assert empty.id not in reach
    assert themes.reach_of(session, small.audit, [voice.id]) == {voice.id: reach[voice.id]}

    page = themes.themes_page(session, small.audit, None)
    assert [row.theme.name for row in page.rows] == [
        "Communication with schools",
        "Child's voice",
        "Nothing yet",
    ]
    assert page.rows[2].reach == themes.Reach()


def test_reach_sorts_ties_by_agencies_items_then_name(session: Session, small: Small) -> None:
    names = ["b theme", "A theme", "Wider", "More items"]
    made = {name: themes.create_theme(session, small.audit, name) for name in names}
    a_camhs = small.answers[("Child A", "CAMHS")].id
    for name in ("b theme", "A theme"):
        tag(session, made[name], answer_id=a_camhs)
    tag(session, made["Wider"], answer_id=small.answers[("Child A", "Police")].id)
    tag(session, made["Wider"], answer_id=a_camhs)
    tag(session, made["More items"], answer_id=a_camhs)
    tag(session, made["More items"], chronology_entry_id=small.entry.id)
    page = themes.themes_page(session, small.audit, None)
    assert [row.theme.name for row in page.rows] == ["Wider", "More items", "A theme", "b theme"]


def test_merging_moves_tags_and_links_once(session: Session, small: Small) -> None:
    source = themes.create_theme(session, small.audit, "Talking to schools")
    target = themes.create_theme(session, small.audit, "Communication with schools")
    both = small.answers[("Child A", "CAMHS")].id
    tag(session, source, answer_id=both)
    tag(session, target, answer_id=both)
    tag(session, source, evidence_item_id=small.evidence.id)
    tag(session, source, summary_item_id=small.summary_item.id)
    findings = [
        Finding(audit_id=small.audit.id, column=SignsOfSafetyColumn.WORRIED_ABOUT, text=text)
        for text in ("Schools are told late", "Nobody asks the school")
    ]
    session.add_all(findings)
    session.flush()
    session.add_all(
        [
            FindingTheme(finding_id=findings[0].id, theme_id=source.id),
            FindingTheme(finding_id=findings[0].id, theme_id=target.id),
            FindingTheme(finding_id=findings[1].id, theme_id=source.id),
        ]
    )
    session.flush()
    source_id = source.id

    merged = themes.merge_themes(session, small.audit, source, target)

    assert merged == themes.Merged(moved=2, already=1)
    assert session.get(Theme, source_id) is None
    tags = session.execute(
        select(ThemeTag.theme_id, ThemeTag.answer_id, ThemeTag.evidence_item_id)
    ).all()
    assert sorted(tags, key=str) == sorted(
        [
            (target.id, both, None),
            (target.id, None, small.evidence.id),
            (target.id, None, None),  # the summary item
        ],
        key=str,
    )
    links = session.execute(select(FindingTheme.finding_id, FindingTheme.theme_id)).all()
    assert sorted(links) == sorted([(findings[0].id, target.id), (findings[1].id, target.id)])
    assert themes.reach_of(session, small.audit)[target.id].items == 3


def test_a_theme_cannot_merge_into_itself(session: Session, small: Small) -> None:
    theme = themes.create_theme(session, small.audit, "Voice")
    with pytest.raises(DomainError, match="another theme"):
        themes.merge_themes(session, small.audit, theme, theme)


def test_a_name_already_used_is_refused_naming_it(session: Session, small: Small) -> None:
    themes.create_theme(session, small.audit, "Communication with schools")
    with pytest.raises(DomainError) as refused:
        themes.create_theme(session, small.audit, "  communication   WITH schools ")
    assert refused.value.field == "name"
    assert "There is already a theme called 'Communication with schools'" in refused.value.message
    # Another audit may use it.
    other = Audit(title="Another audit")
    session.add(other)
    session.flush()
    assert themes.create_theme(session, other, "Communication with schools").id


def test_names_and_descriptions_are_bounded(session: Session, small: Small) -> None:
    with pytest.raises(DomainError, match="Enter a name"):
        themes.create_theme(session, small.audit, "   ")
    with pytest.raises(DomainError, match="200 characters or fewer"):
        themes.create_theme(session, small.audit, "x" * 201)
    with pytest.raises(DomainError, match="2,000 characters or fewer") as refused:
        themes.create_theme(session, small.audit, "Voice", "x" * 2001)
    assert refused.value.field == "description"
    theme = themes.create_theme(session, small.audit, "  Early   help ", "x" * 2000)
    assert theme.name == "Early help"


def test_renaming_checks_the_version_and_the_name(session: Session, small: Small) -> None:
    theme = themes.create_theme(session, small.audit, "Voice")
    themes.create_theme(session, small.audit, "Early help")
    seen = theme.version
    themes.update_theme(session, small.audit, theme, seen, "The child's voice", "What they say")
    assert (theme.name, theme.description) == ("The child's voice", "What they say")
    assert theme.version != seen
    with pytest.raises(themes.ThemeConflict):
        themes.update_theme(session, small.audit, theme, seen, "Voice again", "")
    with pytest.raises(DomainError, match="already a theme called 'Early help'"):
        themes.update_theme(session, small.audit, theme, theme.version, "EARLY HELP", "")
    # Its own name in another case is fine.
    themes.update_theme(session, small.audit, theme, theme.version, "the child's voice", "")
    assert theme.name == "the child's voice"


def test_deleting_takes_the_tags_and_links_with_it(session: Session, small: Small) -> None:
    theme = themes.create_theme(session, small.audit, "Voice")
    tag(session, theme, answer_id=small.answers[("Child B", "Police")].id)
    finding = Finding(audit_id=small.audit.id, column=SignsOfSafetyColumn.WORKING_WELL, text="t")
    session.add(finding)
    session.flush()
    session.add(FindingTheme(finding_id=finding.id, theme_id=theme.id))
    session.flush()
    assert themes.what_deleting_removes(session, theme) == themes.DeleteCheck(1, 1)
    assert themes.delete_theme(session, small.audit, theme) == themes.DeleteCheck(1, 1)
    assert session.scalars(select(ThemeTag)).all() == []
    assert session.get(Finding, finding.id) is not None


def test_recurring_themes_are_found_in_earlier_audits_by_name(
    session: Session, small: Small
) -> None:
    small.audit.created_at = datetime(2024, 1, 1, tzinfo=UTC)
    earlier = Audit(title="Children in crisis 2021", created_at=datetime(2021, 1, 1, tzinfo=UTC))
    older = Audit(title="Self-harm 2019", created_at=datetime(2019, 1, 1, tzinfo=UTC))
    later = Audit(title="Children in crisis 2026", created_at=datetime(2026, 1, 1, tzinfo=UTC))
    session.add_all([earlier, older, later])
    session.flush()
    session.add_all(
        [
            Theme(audit_id=earlier.id, name="communication  with SCHOOLS"),
            Theme(audit_id=older.id, name="Communication with schools"),
            Theme(audit_id=later.id, name="Communication with schools"),
            Theme(audit_id=earlier.id, name="Waiting times"),
        ]
    )
    session.flush()
    themes.create_theme(session, small.audit, "Communication with schools")
    themes.create_theme(session, small.audit, "Something new")
    page = themes.themes_page(session, small.audit, None)
    words = {row.theme.name: row.recurring_words for row in page.rows}
    assert words == {
        "Communication with schools": (
            "Recurring: also in 'Children in crisis 2021' and 'Self-harm 2019'"
        ),
        "Something new": "",
    }
    # The earlier audits' other themes are offered; the later audit's are not.
    assert [(s.name, s.why) for s in page.suggestions] == [
        ("Waiting times", "in 'Children in crisis 2021'")
    ]


def test_the_template_suggests_themes_not_used_yet() -> None:
    class Definition:
        questions = [
            Question("q1", "yes_no", "Q1", themes=("early help", "child's voice")),
            Question("q2", "yes_no", "Q2", themes=("Early help",)),
            Question("q3", "yes_no", "Q3", themes=("voice",)),
        ]

    found = themes.suggestions(Definition(), {}, used={"voice"})  # type: ignore[arg-type]
    assert [(s.name, s.why) for s in found] == [
        ("Early help", "2 questions in the template"),
        ("Child's voice", "1 question in the template"),
    ]
