"""Migration 0011: a 0-10 grade becomes a scaling, its answers numbers; the version keeps its
earlier fingerprint, matches the shipped file as it is now, and the downgrade puts it all
back."""

from __future__ import annotations

import json
from pathlib import Path

from alembic import command
from sqlalchemy import JSON, column, select, table, text

from audit_app.agencies.register import save_agency
from audit_app.core.db import Database
from audit_app.core.migrate import alembic_config, upgrade
from audit_app.models import AgencyReturn, AgencySector, Role
from audit_app.questionnaires.library import SHIPPED_TEMPLATES, load_template
from audit_app.questionnaires.template_format import parse
from audit_app.returns.models import Answer
from tests.conftest import collecting_audit, make_user
from tests.databases import fresh_database

SHIPPED = (SHIPPED_TEMPLATES / "children-in-crisis.yaml").read_text()
AS_IT_WAS = SHIPPED.replace(
    "- id: safety_scaling\n        type: scaling\n", "- id: safety_scaling\n        type: grade\n"
)


ANSWERS = table("answer", column("id"), column("question_id"), column("value", JSON))


def _answers(database: Database) -> dict[int, object]:
    with database.engine.connect() as connection:
        rows = connection.execute(
            select(ANSWERS.c.id, ANSWERS.c.value).where(ANSWERS.c.question_id == "safety_scaling")
        )
        return {row[0]: row[1] for row in rows}


def test_a_0_to_10_grade_becomes_a_scaling_and_back(tmp_path: Path) -> None:
    assert AS_IT_WAS != SHIPPED
    with fresh_database(tmp_path, "scalings") as url:
        upgrade(url)
        database = Database(url)
        try:
            session = database.new_session(actor_label="test")
            old = load_template(session, AS_IT_WAS.encode(), "children-in-crisis.yaml").version
            old_hash = old.content_hash
            agency = save_agency(session, None, name="Children's Social Care",
                                 short_name="CSC", sector=AgencySector.SOCIAL_CARE,
                                 contact_email=None)  # fmt: skip
            lead = make_user(session, Role.ADMIN, email="lead@example.org")
            audit = collecting_audit(session, old, lead, [agency], ("Child A", "Child B"))
            given = {}
            for agency_return, value in zip(
                session.scalars(select(AgencyReturn).where(AgencyReturn.audit_id == audit.id)),
                ("7", "not_known"),
                strict=True,
            ):
                answer = Answer(return_id=agency_return.id, question_id="safety_scaling")
                answer.value = value
                session.add(answer)
                session.flush()
                given[answer.id] = value
            session.commit()
            session.close()
            command.downgrade(alembic_config(url), "0010")  # as a database at 0010 held it
            assert _answers(database) == given

            upgrade(url)
            with database.engine.connect() as connection:
                row = connection.execute(
                    text(
                        "SELECT content, source_text, content_hash, replaced_content_hash"
                        " FROM audit_template_version"
                    )
                ).one()
            content = json.loads(row[0]) if isinstance(row[0], str) else row[0]
            asked = {q["id"]: q for s in content["sections"] for q in s["questions"]}
            assert asked["safety_scaling"]["type"] == "scaling"
            assert asked["overall_grade"]["type"] == "grade"  # a grade on another scale
            assert row[1] == SHIPPED  # only the one line changed
            assert row[2] == parse(SHIPPED.encode(), "children-in-crisis.yaml").content_hash
            assert row[3] == old_hash
            assert sorted(_answers(database).values(), key=str) == [7, "not_known"]

            session = database.new_session(actor_label="test")
            again = load_template(session, SHIPPED.encode(), "children-in-crisis.yaml")
            assert not again.created  # the shipped file is the version the audit uses
            session.rollback()
            session.close()

            command.downgrade(alembic_config(url), "0010")
            assert _answers(database) == given
            with database.engine.connect() as connection:
                source, content_hash = connection.execute(
                    text("SELECT source_text, content_hash FROM audit_template_version")
                ).one()
            assert source == AS_IT_WAS and content_hash == old_hash
        finally:
            database.engine.dispose()
