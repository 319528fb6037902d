"""A theme tags an answer, a chronology entry or an evidence item once (on SQLite and
PostgreSQL alike: run with AUDIT_TEST_DATABASE_URL for the latter)."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from audit_app.models import (
    Answer,
    ChronologyEntry,
    EvidenceItem,
    EvidenceKind,
    EvidenceSource,
    SignsOfSafetyColumn,
    Theme,
    ThemeTag,
)
from tests.integration.test_statement_counts import build


@pytest.fixture
def targets(app: Flask, session: Session) -> dict[str, int]:
    world = build(app, session, 2)
    source = EvidenceSource(
        audit_id=world.audit.id,
        kind=EvidenceKind.PROFESSIONAL_INTERVIEW,
        title="Interview with a school nurse",
    )
    evidence = EvidenceItem(
        audit_id=world.audit.id,
        source=source,
        column=SignsOfSafetyColumn.WORRIED_ABOUT,
        text="Nobody asked the child",
    )
    session.add(evidence)
    session.flush()
    answer_id = session.scalars(
        select(Answer.id).where(Answer.return_id == world.first_return.id)
    ).first()
    entry_id = session.scalars(
        select(ChronologyEntry.id).where(ChronologyEntry.return_id == world.first_return.id)
    ).first()
    themes = [Theme(audit_id=world.audit.id, name=name) for name in ("Voice", "Neglect")]
    session.add_all(themes)
    session.flush()
    return {
        "answer_id": answer_id,
        "chronology_entry_id": entry_id,
        "evidence_item_id": evidence.id,
        "theme": themes[0].id,
        "other_theme": themes[1].id,
    }


@pytest.mark.parametrize("target", ["answer_id", "chronology_entry_id", "evidence_item_id"])
def test_the_same_theme_cannot_tag_the_same_thing_twice(
    session: Session, targets: dict[str, int], target: str
) -> None:
    session.add(ThemeTag(theme_id=targets["theme"], **{target: targets[target]}))
    session.flush()
    # Another theme on the same thing, and the same theme on the other kinds, are fine.
    session.add(ThemeTag(theme_id=targets["other_theme"], **{target: targets[target]}))
    for other in ("answer_id", "chronology_entry_id", "evidence_item_id"):
        if other != target:
            session.add(ThemeTag(theme_id=targets["theme"], **{other: targets[other]}))
    session.flush()

    nested = session.begin_nested()
    session.add(ThemeTag(theme_id=targets["theme"], **{target: targets[target]}))
    with pytest.raises(IntegrityError, match=f"uq_theme_tag_theme_id_{target}|UNIQUE"):
        session.flush()
    nested.rollback()


def test_a_tag_still_has_exactly_one_target(session: Session, targets: dict[str, int]) -> None:
    nested = session.begin_nested()
    session.add(
        ThemeTag(
            theme_id=targets["theme"],
            answer_id=targets["answer_id"],
            evidence_item_id=targets["evidence_item_id"],
        )
    )
    with pytest.raises(IntegrityError, match="one_target"):
        session.flush()
    nested.rollback()
