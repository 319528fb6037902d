"""How far through a return is, counted in SQL, says what counting its loaded answers says
(issue 9: the reviewer's task list no longer loads every answer to count them)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from audit_app.models import Agency, AgencyReturn, Answer, Audit
from audit_app.returns import answering
from tests.integration.returns.test_returns import (  # noqa: F401 (collecting is a fixture)
    collecting,
    own_return,
)


def _store(session: Session, agency_return: AgencyReturn, values: dict[str, Any]) -> None:
    """Answer rows as they may be stored, empty ones included (a grade's reason given
    without the grade keeps its row; the workbook and older saves may leave others)."""
    for question_id, value in values.items():
        session.add(
            Answer(
                return_id=agency_return.id,
                question_id=question_id,
                value=value,
                rationale="A reason" if question_id == "overall" else None,
            )
        )
    session.flush()


def _loaded(session: Session, agency_return: AgencyReturn) -> answering.Progress:
    definition = answering.definition_for(agency_return)
    answers = answering.answers_of(session, agency_return)
    return answering.progress(definition, answering.values_of(answers))


def test_counted_in_sql_as_in_python(
    session: Session,
    collecting: Audit,  # noqa: F811
    agency: Agency,
) -> None:
    hidden_follow_up = own_return(session, collecting, agency.id, "Child A")
    _store(
        session,
        hidden_follow_up,
        {
            "early_help_offered": "yes",  # so the follow-up is not asked ...
            "missed_opportunity": "Written before the answer above changed",  # ... but kept
            "who_referred": "gp",
            "overall": "",  # only its reason
            "services": [],
            "confidence": None,
            "days_waited": 0,
        },
    )
    asked_follow_up = own_return(session, collecting, agency.id, "Child B")
    _store(
        session,
        asked_follow_up,
        {
            "early_help_offered": "no",
            "missed_opportunity": "Seen twice in May",
            "chronology": [{"date": "2020-01-01", "text": "GP visit"}],
        },
    )
    police = session.scalar(
        select(AgencyReturn).where(
            AgencyReturn.audit_id == collecting.id, AgencyReturn.agency_id != agency.id
        )
    )
    returns = [hidden_follow_up, asked_follow_up, police]
    counted = answering.progress_of_returns(session, returns)
    for agency_return in returns:
        assert counted[agency_return.id] == _loaded(session, agency_return), agency_return.id
    assert counted[hidden_follow_up.id] == answering.Progress(answered=3, asked=9)
    assert counted[asked_follow_up.id] == answering.Progress(answered=3, asked=10)
    assert counted[police.id] == answering.Progress(answered=0, asked=9)
    assert answering.progress_of_returns(session, []) == {}
