"""Free text reaches the audit log only as a digest, unless a column opts in explicitly."""

from __future__ import annotations

from sqlalchemy import Column, String, Text

from audit_app.core.audit_log import _logged_value, log_treatment
from audit_app.core.models import Base

# The free-text columns logged in clear: each describes the partnership's own work, and
# none is about a child. Adding one here is a decision, not an accident.
LOGGED_IN_CLEAR = {
    ("audit", "terms_of_reference"),
    ("audit", "question"),
    ("audit", "scope_criteria"),
    ("audit_template_version", "purpose"),
}

WORDS = "Ava Collins was seen alone at school"


def _free_text_columns() -> list[tuple[str, Column[object]]]:
    import audit_app.models  # noqa: F401  (every area's models)

    found = []
    for mapper in Base.registry.mappers:
        if not getattr(mapper.class_, "__audited__", True):
            continue
        for attr in mapper.column_attrs:
            column = attr.columns[0]
            kind = column.type
            if isinstance(kind, Text) or (
                isinstance(kind, String) and (kind.length is None or kind.length > 1000)
            ):
                found.append((mapper.class_.__tablename__, column))
    return found


def test_every_free_text_column_is_logged_as_a_digest_unless_allowed() -> None:
    columns = _free_text_columns()
    assert len(columns) > 20
    in_clear = []
    for table, column in columns:
        logged = _logged_value(log_treatment(column), WORDS)
        if (table, column.name) in LOGGED_IN_CLEAR:
            assert logged == WORDS, (table, column.name)
        elif WORDS in str(logged):
            in_clear.append(f"{table}.{column.name}")
        else:
            assert "sha256" in logged, (table, column.name, logged)
    assert in_clear == []


def test_a_new_text_column_is_a_digest_without_saying_so() -> None:
    for column in (Column("notes", Text), Column("notes", String), Column("notes", String(4000))):
        logged = _logged_value(log_treatment(column), WORDS)
        assert WORDS not in logged and "sha256" in logged


def test_short_strings_and_opted_in_text_are_logged_as_they_are() -> None:
    assert _logged_value(log_treatment(Column("code", String(40))), "Child A") == "Child A"
    clear = Column("purpose", Text, info={"audit": "clear"})
    assert _logged_value(log_treatment(clear), WORDS) == WORDS
    redacted = Column("name", Text, info={"audit": "redact"})
    assert _logged_value(log_treatment(redacted), WORDS) == "[redacted]"
