"""Evidence beyond the case files: adding each kind of source, bounded words, dates not in
the future, version-checked edits, items by column, and deleting with tags and links."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from audit_app.core.errors import DomainError
from audit_app.models import (
    Agency,
    Audit,
    AuditStatus,
    EvidenceItem,
    EvidenceKind,
    EvidenceSource,
    Finding,
    FindingEvidence,
    SignsOfSafetyColumn,
    Theme,
    ThemeTag,
)
from audit_app.panel import evidence
from audit_app.panel.surveys import read_survey

TODAY = date(2025, 6, 30)


@pytest.fixture
def audit(session: Session, agency: Agency) -> Audit:
    found = Audit(title="Children in crisis 2025")
    session.add(found)
    session.flush()
    return found


def interview(**changes: object) -> evidence.Interview:
    base = evidence.Interview(
        role="Designated safeguarding lead",
        agency_id=None,
        organisation="Hillside Academy",
        held_on=date(2025, 3, 1),
        working_well="Early help referrals are quick",
        worried_about="",
        needs_to_happen="More training on neglect",
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def test_an_interview_gives_an_item_per_answer(
    session: Session, audit: Audit, agency: Agency
) -> None:
    source = evidence.add_interview(
        session, audit, [agency], interview(agency_id=agency.id), None, TODAY
    )
    assert source.kind is EvidenceKind.PROFESSIONAL_INTERVIEW
    assert source.title == f"Interview with Designated safeguarding lead, {agency.name}"
    columns = evidence.items_by_column(source)
    assert [i.text for i in columns["working_well"]] == ["Early help referrals are quick"]
    assert columns["worried_about"] == []
    assert [i.text for i in columns["needs_to_happen"]] == ["More training on neglect"]
    assert all(item.audit_id == audit.id for item in source.items)


def test_an_interview_with_another_organisation_names_it(session: Session, audit: Audit) -> None:
    source = evidence.add_interview(session, audit, [], interview(), None, TODAY)
    assert source.agency_id is None
    assert source.title.endswith("Hillside Academy")


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"role": " "}, "role", "Enter the role"),
        ({"role": "x" * 201}, "role", "200 characters or fewer"),
        ({"held_on": None}, "held_on", "Enter the date"),
        ({"held_on": date(2025, 7, 1)}, "held_on", "today or in the past"),
        ({"working_well": "", "needs_to_happen": ""}, "working_well", "what is working well"),
        ({"worried_about": "x" * 5001}, "worried_about", "5,000 characters or fewer"),
        ({"agency_id": 999_999}, "agency_id", "Choose an agency"),
    ],
)
def test_an_interview_is_refused_naming_the_field(
    session: Session, audit: Audit, changes: dict[str, object], field: str, words: str
) -> None:
    with pytest.raises(DomainError) as caught:
        evidence.add_interview(session, audit, [], interview(**changes), None, TODAY)
    assert caught.value.field == field
    assert words in caught.value.message


def test_an_event_keeps_its_quotes_as_quotes(session: Session, audit: Audit) -> None:
    source = evidence.add_event(
        session,
        audit,
        evidence.Event(
            title="Coventry engagement event",
            held_on=date(2025, 2, 1),
            participants=71,
            notes="Young people talked about feeling heard",
            quotes=[
                evidence.Quote("My worker listens to me", "working_well"),
                evidence.Quote("", "worried_about"),
                evidence.Quote("I had to tell my story again and again", "worried_about"),
            ],
        ),
        None,
        TODAY,
    )
    assert source.participants == 71
    assert [(i.column.value, i.is_quote) for i in source.items] == [
        ("working_well", True),
        ("worried_about", True),
    ]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"participants": 0}, "participants"),
        ({"participants": 100_001}, "participants"),
        ({"participants": None}, "participants"),
        ({"title": ""}, "title"),
        ({"notes": "x" * 5001}, "notes"),
        ({"quotes": [evidence.Quote("Fine", "sideways")]}, "quote_1-column"),
        ({"quotes": [evidence.Quote("", "working_well"), evidence.Quote("x" * 5001, "x")]},
         "quote_2-text"),
    ],
)  # fmt: skip
def test_an_event_is_refused_naming_the_field(
    session: Session, audit: Audit, changes: dict[str, object], field: str
) -> None:
    event = evidence.Event("Event", date(2025, 2, 1), 10, "")
    with pytest.raises(DomainError) as caught:
        evidence.add_event(session, audit, replace(event, **changes), None, TODAY)  # type: ignore[arg-type]
    assert caught.value.field == field


def test_a_survey_stores_its_counts(session: Session, audit: Audit) -> None:
    counts = read_survey(b"Do you feel safe?\nYes\nNo\nYes\n", "survey.csv")
    source = evidence.add_survey(session, audit, "Survey", date(2025, 1, 1), counts, None, TODAY)
    assert source.participants == 3
    assert source.survey == counts.as_json()
    (question,) = evidence.survey_questions(source)
    assert question.number == 1 and question.counts == [("Yes", 2), ("No", 1)]


def test_other_evidence_needs_no_date(session: Session, audit: Audit) -> None:
    source = evidence.add_other(
        session, audit, evidence.Other("Ofsted report", None, "", worried_about="Drift"), None
    )
    assert source.held_on is None
    assert [i.column for i in source.items] == [SignsOfSafetyColumn.WORRIED_ABOUT]


def test_a_closed_audit_takes_no_evidence(session: Session, audit: Audit) -> None:
    audit.status = AuditStatus.CLOSED
    with pytest.raises(DomainError, match="closed"):
        evidence.add_other(session, audit, evidence.Other("Report", None, ""), None)


def test_sources_are_listed_by_kind_with_items_per_column(
    session: Session, audit: Audit, agency: Agency
) -> None:
    evidence.add_interview(session, audit, [agency], interview(agency_id=agency.id), None, TODAY)
    evidence.add_other(session, audit, evidence.Other("Report", None, "", "a", "b", "c"), None)
    grouped = evidence.sources_of(session, audit)
    (row,) = grouped[EvidenceKind.PROFESSIONAL_INTERVIEW]
    assert row.agency == agency.name
    assert row.items == {"working_well": 1, "worried_about": 0, "needs_to_happen": 1}
    (other,) = grouped[EvidenceKind.OTHER]
    assert other.item_count == 3
    assert grouped[EvidenceKind.SURVEY] == []


def test_another_audits_source_is_not_found(session: Session, audit: Audit) -> None:
    source = evidence.add_other(session, audit, evidence.Other("Report", None, ""), None)
    other = Audit(title="Another")
    session.add(other)
    session.flush()
    assert evidence.source_of(session, other, source.id) is None
    assert evidence.source_of(session, audit, source.id) is source


def test_details_are_saved_against_the_version_read(session: Session, audit: Audit) -> None:
    source = evidence.add_other(session, audit, evidence.Other("Report", None, ""), None)
    seen = source.version
    evidence.update_source(
        session, audit, [], source, seen, evidence.Details("Ofsted report", None, notes="Read")
    )
    assert source.title == "Ofsted report" and source.version != seen
    with pytest.raises(evidence.EvidenceConflict):
        evidence.update_source(
            session, audit, [], source, seen, evidence.Details("Mine", None, notes="")
        )


def test_items_are_added_edited_moved_and_removed(session: Session, audit: Audit) -> None:
    source = evidence.add_other(session, audit, evidence.Other("Report", None, "", "a"), None)
    added = evidence.add_item(
        session, audit, source, evidence.ItemInput("working_well", "b", count=12)
    )
    assert added.position == 1 and added.count == 12
    seen = source.version
    evidence.edit_item(
        session, audit, source, added.id, seen, evidence.ItemInput("needs_to_happen", "B", True)
    )
    assert added.column is SignsOfSafetyColumn.NEEDS_TO_HAPPEN and added.position == 0
    assert added.is_quote and added.text == "B"
    with pytest.raises(evidence.EvidenceConflict):  # the version moved on
        evidence.edit_item(session, audit, source, added.id, seen, evidence.ItemInput("x", "y"))
    with pytest.raises(DomainError) as caught:
        evidence.edit_item(
            session, audit, source, added.id, source.version, evidence.ItemInput("x", "y")
        )
    assert caught.value.field == "column"
    with pytest.raises(DomainError) as caught:
        evidence.add_item(session, audit, source, evidence.ItemInput("working_well", " "))
    assert caught.value.field == "text"
    assert evidence.remove_item(session, audit, source, added.id)
    assert not evidence.remove_item(session, audit, source, added.id)
    assert [item.text for item in source.items] == ["a"]


def test_deleting_a_source_takes_its_items_tags_and_finding_links(
    session: Session, audit: Audit
) -> None:
    source = evidence.add_other(session, audit, evidence.Other("Report", None, "", "a", "b"), None)
    theme = Theme(audit_id=audit.id, name="Drift")
    finding = Finding(audit_id=audit.id, column=SignsOfSafetyColumn.WORRIED_ABOUT, text="Drift")
    session.add_all([theme, finding])
    session.flush()
    first = source.items[0]
    session.add_all(
        [
            ThemeTag(theme_id=theme.id, evidence_item_id=first.id),
            FindingEvidence(finding_id=finding.id, evidence_item_id=first.id),
        ]
    )
    session.flush()
    links = evidence.links_of(session, source)
    assert (links.tags, links.findings) == (1, 1)
    with pytest.raises(evidence.EvidenceConflict):
        evidence.delete_source(session, audit, source, source.version + 1)
    evidence.delete_source(session, audit, source, source.version)
    assert session.scalar(select(func.count()).select_from(EvidenceSource)) == 0
    assert session.scalar(select(func.count()).select_from(EvidenceItem)) == 0
    assert session.scalar(select(func.count()).select_from(ThemeTag)) == 0
    assert session.get(Finding, finding.id) is not None
