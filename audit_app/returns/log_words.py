"""Agency returns, answers, chronology, urgent concerns, summaries and reminders in the
audit log's words: "CAMHS return for Child A", never a child's name."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from audit_app.agencies.models import Agency
from audit_app.audits.models import Audit
from audit_app.cohort.models import CohortMember
from audit_app.core.log_words import (
    Describer,
    Name,
    enum_words,
    register_describer,
    register_names,
)
from audit_app.questionnaires.models import AuditTemplateVersion, SignsOfSafetyColumn
from audit_app.returns.models import (
    AgencyReturn,
    AgencySummary,
    Answer,
    ChronologyEntry,
    ReturnStatus,
    SummaryItem,
    UrgentConcern,
)


def return_words(agency: str, code: str) -> str:
    return f"{agency} return for {code}"


def _on_returns(session: Session, model: Any, ids: set[int]) -> dict[int, str]:
    """For records sitting on a return: their id and the return's words."""
    rows = session.execute(
        select(model.id, Agency.short_name, CohortMember.code)
        .join(AgencyReturn, model.return_id == AgencyReturn.id)
        .join(Agency, AgencyReturn.agency_id == Agency.id)
        .join(CohortMember, AgencyReturn.member_id == CohortMember.id)
        .where(model.id.in_(ids))
    )
    return {key: return_words(agency, code) for key, agency, code in rows}


def _returns(session: Session, ids: set[int]) -> dict[int, str]:
    rows = session.execute(
        select(AgencyReturn.id, Agency.short_name, CohortMember.code)
        .join(Agency, AgencyReturn.agency_id == Agency.id)
        .join(CohortMember, AgencyReturn.member_id == CohortMember.id)
        .where(AgencyReturn.id.in_(ids))
    )
    return {key: return_words(agency, code) for key, agency, code in rows}


def _question_texts(content: Any) -> dict[str, str]:
    texts = {}
    for section in (content or {}).get("sections", []) if isinstance(content, dict) else []:
        for question in section.get("questions", []):
            if isinstance(question, dict) and "id" in question:
                texts[str(question["id"])] = str(question.get("text") or question["id"])
    return texts


def _answers(session: Session, ids: set[int]) -> dict[int, Name]:
    """ "Answer to 'Was the child seen alone?'" on its return: two statements, the answers
    with their returns, then the template versions they answer (each once)."""
    rows = session.execute(
        select(
            Answer.id,
            Answer.question_id,
            Agency.short_name,
            CohortMember.code,
            Audit.template_version_id,
        )
        .join(AgencyReturn, Answer.return_id == AgencyReturn.id)
        .join(Agency, AgencyReturn.agency_id == Agency.id)
        .join(CohortMember, AgencyReturn.member_id == CohortMember.id)
        .join(Audit, AgencyReturn.audit_id == Audit.id)
        .where(Answer.id.in_(ids))
    ).all()
    versions = {row.template_version_id for row in rows if row.template_version_id is not None}
    questions: dict[int, dict[str, str]] = {}
    if versions:
        questions = {
            key: _question_texts(content)
            for key, content in session.execute(
                select(AuditTemplateVersion.id, AuditTemplateVersion.content).where(
                    AuditTemplateVersion.id.in_(versions)
                )
            )
        }
    return {
        row.id: Name(
            "Answer to \u2018"
            + questions.get(row.template_version_id, {}).get(row.question_id, row.question_id)
            + "\u2019",
            return_words(row.short_name, row.code),
        )
        for row in rows
    }


def _chronology(session: Session, ids: set[int]) -> dict[int, Name]:
    return {
        key: Name("Chronology entry", where)
        for key, where in _on_returns(session, ChronologyEntry, ids).items()
    }


def _concerns(session: Session, ids: set[int]) -> dict[int, Name]:
    return {
        key: Name("Urgent concern", where)
        for key, where in _on_returns(session, UrgentConcern, ids).items()
    }


def _summaries(session: Session, ids: set[int]) -> dict[int, str]:
    rows = session.execute(
        select(AgencySummary.id, Agency.short_name)
        .join(Agency, AgencySummary.agency_id == Agency.id)
        .where(AgencySummary.id.in_(ids))
    )
    return {key: f"{agency} agency summary" for key, agency in rows}


def _summary_items(session: Session, ids: set[int]) -> dict[int, Name]:
    rows = session.execute(
        select(SummaryItem.id, Agency.short_name)
        .join(AgencySummary, SummaryItem.summary_id == AgencySummary.id)
        .join(Agency, AgencySummary.agency_id == Agency.id)
        .where(SummaryItem.id.in_(ids))
    )
    return {key: Name("Item", f"{agency} agency summary") for key, agency in rows}


COLUMNS = enum_words(SignsOfSafetyColumn)


def register() -> None:
    register_names("return", _returns)
    register_names("answer", _answers)
    register_names("chronology", _chronology)
    register_names("concern", _concerns)
    register_names("summary", _summaries)
    register_names("summary_item", _summary_items)
    people = {"submitted_by_id": "Sent by", "raised_by_id": "Raised by"}
    register_describer(
        Describer(
            "agency_return",
            "Agency return",
            "Agency returns",
            kind="return",
            fields={"member_id": "Child", **people},
            refers={
                "agency_id": "agency",
                "member_id": "member",
                "audit_id": "audit",
                "submitted_by_id": "user",
            },
            values={"status": enum_words(ReturnStatus)},
            fallback=lambda values, named: return_words(
                named("agency_id") or "An agency\u2019s",
                named("member_id") or "a child no longer in the cohort",
            ),
        )
    )
    register_describer(
        Describer(
            "answer",
            "Answer",
            "Answers",
            kind="answer",
            fields={
                "return_id": "Return",
                "question_id": "Question",
                "value": "Answer",
                "column": "Signs of Safety column",
                "columns": "Signs of Safety columns",
            },
            refers={"return_id": "return"},
            values={"column": COLUMNS, "columns": COLUMNS},
            fallback=lambda values, named: Name(
                f"Answer to question \u2018{values.get('question_id', '?')}\u2019",
                named("return_id"),
            ),
        )
    )
    register_describer(
        Describer(
            "chronology_entry",
            "Chronology entry",
            "Chronology entries",
            kind="chronology",
            fields={"return_id": "Return"},
            refers={"return_id": "return"},
        )
    )
    register_describer(
        Describer(
            "urgent_concern",
            "Urgent concern",
            "Urgent concerns",
            kind="concern",
            fields={
                "return_id": "Return",
                "acknowledged_by_id": "Recorded as dealt with by",
                "acknowledged_at": "Dealt with on",
                "action_taken": "What was done",
                "dealt_with_by": "Who did it",
                **people,
            },
            refers={"return_id": "return", "raised_by_id": "user", "acknowledged_by_id": "user"},
        )
    )
    register_describer(
        Describer(
            "agency_summary",
            "Agency summary",
            "Agency summaries",
            kind="summary",
            fields=people,
            refers={"agency_id": "agency", "audit_id": "audit", "submitted_by_id": "user"},
        )
    )
    register_describer(
        Describer(
            "summary_item",
            "Agency summary item",
            "Agency summary items",
            kind="summary_item",
            fields={
                "summary_id": "Summary",
                "column": "Signs of Safety column",
                "position": "Place in its column",
                "answer_ids": "Answers it came from",
            },
            refers={"summary_id": "summary"},
            values={"column": COLUMNS},
            fallback=lambda values, named: Name("Item", named("summary_id")),
        )
    )
    register_describer(
        Describer(
            "reminder",
            "Reminder",
            "Reminders",
            fields={"sent_by_id": "Sent by"},
            refers={"agency_id": "agency", "audit_id": "audit", "sent_by_id": "user"},
            fallback=lambda values, _named: "Reminder",
        )
    )
