"""Population lists, draws, the cohort and identities in the audit log's words (children
by their code only)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from audit_app.cohort.models import ChildIdentity, CohortDraw, CohortMember, PopulationList
from audit_app.core.log_words import Describer, Name, by_id, register_describer, register_names


def _members(session: Session, ids: set[int]) -> dict[int, str]:
    return by_id(
        session, select(CohortMember.id, CohortMember.code).where(CohortMember.id.in_(ids))
    )


def _identities(session: Session, ids: set[int]) -> dict[int, Name]:
    rows = session.execute(
        select(ChildIdentity.id, CohortMember.code)
        .join(CohortMember, ChildIdentity.member_id == CohortMember.id)
        .where(ChildIdentity.id.in_(ids))
    )
    return {key: Name(f"Identity of {code}") for key, code in rows}


def _population_lists(session: Session, ids: set[int]) -> dict[int, str]:
    return by_id(
        session,
        select(PopulationList.id, PopulationList.filename).where(PopulationList.id.in_(ids)),
    )


def _draws(session: Session, ids: set[int]) -> dict[int, str]:
    return by_id(session, select(CohortDraw.id, CohortDraw.seed).where(CohortDraw.id.in_(ids)))


def register() -> None:
    register_names("member", _members)
    register_names("identity", _identities)
    register_names("population_list", _population_lists)
    register_names("draw", _draws)
    register_describer(
        Describer(
            "cohort_member",
            "Cohort member",
            "Cohort members (children)",
            kind="member",
            own_format="{} in the cohort",
            fields={"draw_id": "Draw", "code": "Child"},
            refers={"draw_id": "draw", "audit_id": "audit"},
            fallback=lambda values, _named: values.get("code"),
        )
    )
    register_describer(
        Describer(
            "child_identity",
            "Child\u2019s identity",
            "Children\u2019s identities",
            kind="identity",
            fields={"member_id": "Child", "local_id": "Local identifier"},
            refers={"member_id": "member"},
        )
    )
    register_describer(
        Describer(
            "population_list",
            "Population list",
            "Population lists",
            kind="population_list",
            own_format="Population list \u2018{}\u2019",
            fields={"uploaded_by_id": "Uploaded by"},
            refers={"uploaded_by_id": "user", "audit_id": "audit"},
        )
    )
    register_describer(
        Describer(
            "cohort_draw",
            "Cohort draw",
            "Cohort draws",
            kind="draw",
            own_format="Cohort draw with seed \u2018{}\u2019",
            fields={"population_list_id": "Population list", "drawn_by_id": "Drawn by"},
            refers={
                "population_list_id": "population_list",
                "drawn_by_id": "user",
                "audit_id": "audit",
            },
            fallback=lambda values, _named: values.get("seed"),
        )
    )
