"""Audits, their agencies and audit templates in the audit log's words."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from audit_app.agencies.models import Agency
from audit_app.audits.models import Audit, AuditAgency, AuditStatus
from audit_app.core.log_words import (
    Describer,
    Name,
    by_id,
    enum_words,
    register_describer,
    register_names,
)
from audit_app.questionnaires.models import AuditTemplate, AuditTemplateVersion


def _audits(session: Session, ids: set[int]) -> dict[int, str]:
    return by_id(session, select(Audit.id, Audit.title).where(Audit.id.in_(ids)))


def _templates(session: Session, ids: set[int]) -> dict[int, str]:
    return by_id(
        session, select(AuditTemplate.id, AuditTemplate.title).where(AuditTemplate.id.in_(ids))
    )


def _template_versions(session: Session, ids: set[int]) -> dict[int, str]:
    rows = session.execute(
        select(AuditTemplateVersion.id, AuditTemplate.title, AuditTemplateVersion.version_label)
        .join(AuditTemplate, AuditTemplateVersion.template_id == AuditTemplate.id)
        .where(AuditTemplateVersion.id.in_(ids))
    )
    return {key: f"{title} version {label}" for key, title, label in rows}


def _audit_agencies(session: Session, ids: set[int]) -> dict[int, Name]:
    rows = session.execute(
        select(AuditAgency.id, Agency.short_name)
        .join(Agency, AuditAgency.agency_id == Agency.id)
        .where(AuditAgency.id.in_(ids))
    )
    return {key: Name(f"{agency}\u2019s part in the audit") for key, agency in rows}


def register() -> None:
    register_names("audit", _audits)
    register_names("template", _templates)
    register_names("template_version", _template_versions)
    register_names("audit_agency", _audit_agencies)
    register_describer(
        Describer(
            "audit",
            "Audit",
            "Audits",
            kind="audit",
            own_format="Audit \u2018{}\u2019",
            fields={"template_version_id": "Audit template", "lead_id": "Audit lead"},
            refers={"template_version_id": "template_version", "lead_id": "user"},
            values={"status": enum_words(AuditStatus)},
            fallback=lambda values, _named: values.get("title"),
        )
    )
    register_describer(
        Describer(
            "audit_agency",
            "Agency taking part",
            "Agencies taking part",
            kind="audit_agency",
            refers={"agency_id": "agency", "audit_id": "audit"},
        )
    )
    register_describer(
        Describer(
            "audit_template",
            "Audit template",
            "Audit templates",
            kind="template",
            own_format="Audit template \u2018{}\u2019",
            fallback=lambda values, _named: values.get("title"),
        )
    )
    register_describer(
        Describer(
            "audit_template_version",
            "Audit template version",
            "Audit template versions",
            kind="template_version",
            own_format="Audit template \u2018{}\u2019",
            fields={"template_id": "Audit template", "created_by_id": "Created by"},
            refers={"template_id": "template", "created_by_id": "user"},
        )
    )
