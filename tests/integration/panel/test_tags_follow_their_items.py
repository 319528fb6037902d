"""A tagged answer or summary item can still be cleared: its tags go with it, and the
audit log records them going."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from audit_app.models import Answer, AuditLogEntry, AuditStatus, Theme, ThemeTag
from audit_app.panel import themes
from audit_app.questionnaires.answer_types import answer_type
from audit_app.returns import answering
from tests.integration.panel.conftest import PanelClients


def test_clearing_a_tagged_answer_removes_its_tags(
    panel_world: PanelClients, session: Session
) -> None:
    world = panel_world.world
    agency_return = world.returns[(world.members[0].id, world.agencies[1].id)]
    answers = answering.answers_of(session, agency_return)
    definition = answering.definition_for(agency_return)
    question_id = next(
        qid
        for qid, answer in answers.items()
        if not definition.question(qid).required
        and answer_type(definition.question(qid)).is_answered(answer.value)
    )
    theme = Theme(audit_id=world.audit.id, name="Voice of the child")
    session.add(theme)
    session.flush()
    tag = ThemeTag(theme_id=theme.id, answer_id=answers[question_id].id)
    session.add(tag)
    session.commit()
    tag_id = tag.id
    # Returns reopened, the answer's return sent back for amendment, the reviewer clears it.
    world.audit.status = AuditStatus.COLLECTING
    answering.return_for_amendment(session, agency_return, "Please check the dates")
    answering.save_section(
        session, agency_return, agency_return.version, {question_id: None}, {}, world.reviewer
    )
    session.commit()
    assert session.scalar(select(Answer).where(Answer.id == answers[question_id].id)) is None
    assert session.get(ThemeTag, tag_id) is None
    logged = session.scalars(
        select(AuditLogEntry.action)
        .where(AuditLogEntry.record_type == "theme_tag", AuditLogEntry.record_id == str(tag_id))
        .order_by(AuditLogEntry.id)
    ).all()
    assert logged[-1] == "delete"


def test_a_tagged_answer_is_out_of_the_themes_reach_while_its_return_is_reopened(
    panel_world: PanelClients, session: Session
) -> None:
    world = panel_world.world
    agency_return = world.returns[(world.members[0].id, world.agencies[1].id)]
    answer = next(iter(answering.answers_of(session, agency_return).values()))
    theme = Theme(audit_id=world.audit.id, name="Waiting")
    session.add(theme)
    session.flush()
    session.add(ThemeTag(theme_id=theme.id, answer_id=answer.id))
    session.commit()
    assert themes.reach_of(session, world.audit)[theme.id].items == 1
    # Sent back for amendment: the panel does not read it until it is sent again.
    answering.return_for_amendment(session, agency_return, "Please check the dates")
    session.commit()
    assert themes.reach_of(session, world.audit).get(theme.id, themes.Reach()).items == 0
    shown = themes.items_of(session, world.audit, theme, world.definition)
    assert shown.answers == []
