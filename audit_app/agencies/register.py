"""Agencies of the partnership: the rules for adding and changing them."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from audit_app.agencies.models import Agency, AgencySector
from audit_app.core.errors import DomainError


def _check_unique(session: Session, name: str, short_name: str, agency_id: int | None) -> None:
    for column, value, field, what in (
        (Agency.name, name, "name", "name"),
        (Agency.short_name, short_name, "short_name", "short name"),
    ):
        query = select(Agency.id).where(func.lower(column) == value.lower())
        if agency_id is not None:
            query = query.where(Agency.id != agency_id)
        if session.scalar(query) is not None:
            raise DomainError(f"Another agency already has this {what}", field=field)


def save_agency(
    session: Session,
    agency: Agency | None,
    *,
    name: str,
    short_name: str,
    sector: AgencySector,
    contact_email: str | None,
    is_active: bool = True,
    is_demo: bool = False,
) -> Agency:
    name, short_name = name.strip(), short_name.strip()
    if not name:
        raise DomainError("Enter the agency's name", field="name")
    if not short_name:
        raise DomainError("Enter a short name", field="short_name")
    _check_unique(session, name, short_name, agency.id if agency else None)
    if agency is None:
        agency = Agency(is_demo=is_demo)
        session.add(agency)
    agency.name = name
    agency.short_name = short_name
    agency.sector = sector
    agency.contact_email = (contact_email or "").strip().lower() or None
    agency.is_active = is_active
    session.flush()
    return agency


def list_agencies(session: Session, *, active_only: bool = False) -> list[Agency]:
    query = select(Agency).order_by(Agency.name)
    if active_only:
        query = query.where(Agency.is_active.is_(True))
    return list(session.scalars(query))
