"""What a workbook is made from: an agency's returns for an audit, read from the database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from audit_app.audits.models import Audit, AuditAgency, AuditStatus
from audit_app.cohort.models import CohortMember
from audit_app.core.errors import DomainError
from audit_app.questionnaires.definitions import AuditTemplateDefinition
from audit_app.questionnaires.library import definition_of
from audit_app.returns.answering import EDITABLE
from audit_app.returns.models import AgencyReturn, Answer, ReturnStatus
from audit_app.workbooks.layout import Pair

# --- What the workbook is made from --------------------------------------------------------


@dataclass(frozen=True)
class ReturnState:
    """One return as it is in the database now."""

    return_id: int
    child_code: str
    version: int
    status: ReturnStatus
    editable: bool
    answers: dict[str, Pair]


@dataclass(frozen=True)
class AgencyWorkbook:
    """An agency's returns for an audit, as the workbook shows them."""

    audit_id: int
    audit_title: str
    agency_id: int
    agency_name: str
    definition: AuditTemplateDefinition
    collecting: bool
    returns: list[ReturnState]
    deadline: date | None = None


def agency_workbook(session: Session, audit: Audit, agency_id: int) -> AgencyWorkbook:
    """The agency's returns for the audit (children still in the cohort), answers included,
    in the same few queries whatever the cohort's size."""
    if audit.template_version is None:
        raise DomainError("This audit has no template")
    definition = definition_of(audit.template_version)
    link = session.scalar(
        select(AuditAgency).where(
            AuditAgency.audit_id == audit.id, AuditAgency.agency_id == agency_id
        )
    )
    if link is None:
        raise DomainError("Your agency is not taking part in this audit")
    # The workbook holds only what is asked of the agency's sector.
    definition = definition.for_sector(link.agency.sector.value)
    rows = session.execute(
        select(AgencyReturn, CohortMember.code)
        .join(CohortMember, CohortMember.id == AgencyReturn.member_id)
        .where(
            AgencyReturn.audit_id == audit.id,
            AgencyReturn.agency_id == agency_id,
            CohortMember.removed_at.is_(None),
        )
        .order_by(CohortMember.position, AgencyReturn.id)
    ).all()
    ids = [agency_return.id for agency_return, _ in rows]
    answers: dict[int, dict[str, Pair]] = {return_id: {} for return_id in ids}
    if ids:
        # Plain rows, not Answer objects: a workbook's thousands of answers are only read.
        found = session.execute(
            select(Answer.return_id, Answer.question_id, Answer.value, Answer.rationale).where(
                Answer.return_id.in_(ids)
            )
        )
        for return_id, question_id, value, rationale in found:
            answers[return_id][question_id] = (value, rationale)
    collecting = audit.status is AuditStatus.COLLECTING
    return AgencyWorkbook(
        audit_id=audit.id,
        audit_title=audit.title,
        agency_id=agency_id,
        agency_name=link.agency.name,
        definition=definition,
        collecting=collecting,
        returns=[
            ReturnState(
                return_id=agency_return.id,
                child_code=code,
                version=agency_return.version,
                status=agency_return.status,
                editable=collecting and agency_return.status in EDITABLE,
                answers=answers[agency_return.id],
            )
            for agency_return, code in rows
        ],
        deadline=link.effective_deadline,
    )


def return_statuses(session: Session, audit: Audit, agency_id: int) -> list[ReturnStatus]:
    """The status of each of the agency's returns for the audit (children still in it)."""
    return list(
        session.scalars(
            select(AgencyReturn.status)
            .join(CohortMember, CohortMember.id == AgencyReturn.member_id)
            .where(
                AgencyReturn.audit_id == audit.id,
                AgencyReturn.agency_id == agency_id,
                CohortMember.removed_at.is_(None),
            )
        )
    )
