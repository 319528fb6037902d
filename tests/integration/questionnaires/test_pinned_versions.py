"""An audit pinned to a version written before issue 10's rules keeps it: its stored content
still builds and its answers land where they did (issue 10: "audits already pinned to 1.0
keep it"), though the same file could no longer be loaded as a new version."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from audit_app.questionnaires import template_format as tf
from audit_app.questionnaires.answer_types import answer_type
from audit_app.questionnaires.library import definition_of, load_template
from audit_app.questionnaires.models import AuditTemplate, AuditTemplateVersion

OLD = Path(__file__).resolve().parents[2] / "fixtures" / "children-in-crisis-1.1.yaml"


def test_a_stored_version_from_before_the_new_rules_still_builds_as_it_was(
    session: Session,
) -> None:
    content = tf.read_yaml(OLD.read_bytes())
    # The file breaks today's rules, so it cannot be loaded again ...
    with pytest.raises(tf.TemplateInvalid, match="gap in knowledge"):
        load_template(session, OLD.read_bytes(), OLD.name)
    # ... but a version stored before them is read from the database as it always was.
    template = AuditTemplate(key="children-in-crisis-old", title=content["title"])
    version = AuditTemplateVersion(
        template=template,
        version_label=content["version"],
        content=content,
        content_hash=tf.content_hash(content),
        source_text=OLD.read_text(),
    )
    session.add(version)
    session.flush()
    definition = definition_of(version)
    assert definition.version == "1.1" and len(definition.questions) > 50
    first = next(q for q in definition.questions if q.maps.get("not_known") == "worried_about")
    assert answer_type(first).columns("not_known", first, definition.scales) == ["worried_about"]
    dated = definition.question("neuro_referral_date")
    assert dated is not None and dated.is_fact  # a date is a fact now ...
    # ... but one this version placed in a column is still placed there.
    assert answer_type(dated).columns("2020-01-01", dated, definition.scales) == ["worried_about"]
