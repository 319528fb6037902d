"""Agencies, people and memberships in the audit log's words."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from audit_app.accounts.models import Membership, User
from audit_app.agencies.models import Agency, AgencySector
from audit_app.core.log_words import (
    Describer,
    Name,
    by_id,
    enum_words,
    register_describer,
    register_names,
)
from audit_app.core.roles import Role


def _agencies(session: Session, ids: set[int]) -> dict[int, str]:
    return by_id(session, select(Agency.id, Agency.short_name).where(Agency.id.in_(ids)))


def _people(session: Session, ids: set[int]) -> dict[int, str]:
    return by_id(session, select(User.id, User.full_name).where(User.id.in_(ids)))


def _memberships(session: Session, ids: set[int]) -> dict[int, Name]:
    rows = session.execute(
        select(Membership.id, Membership.role, User.full_name)
        .join(User, Membership.user_id == User.id)
        .where(Membership.id.in_(ids))
    )
    return {
        key: Name(f"{person}\u2019s {role.label.lower()} membership") for key, role, person in rows
    }


def register() -> None:
    register_names("agency", _agencies)
    register_names("user", _people)
    register_names("membership", _memberships)
    register_describer(
        Describer(
            "agency",
            "Agency",
            "Agencies",
            kind="agency",
            own_format="Agency \u2018{}\u2019",
            values={"sector": enum_words(AgencySector)},
            fallback=lambda values, _named: values.get("short_name"),
        )
    )
    register_describer(
        Describer(
            "user_account",
            "Person",
            "People",
            kind="user",
            own_format="{}\u2019s account",
            fields={"full_name": "Name", "email": "Email address"},
            fallback=lambda values, _named: values.get("full_name"),
        )
    )
    register_describer(
        Describer(
            "membership",
            "Membership",
            "Memberships",
            kind="membership",
            fields={"user_id": "Person", "is_chair": "Chair"},
            refers={"user_id": "user", "agency_id": "agency", "audit_id": "audit"},
            values={"role": enum_words(Role)},
        )
    )
