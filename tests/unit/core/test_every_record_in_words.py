"""Every kind of record the audit log can hold is described in words by its area."""

from __future__ import annotations

import audit_app.models  # noqa: F401  (imports every area, which registers its describers)
from audit_app.core import log_words
from audit_app.core.models import Base


def test_every_logged_table_has_a_describer_with_a_name_for_its_records() -> None:
    logged = [
        mapper.class_.__tablename__
        for mapper in Base.registry.mappers
        if getattr(mapper.class_, "__audited__", True)
        and mapper.class_.__tablename__ != "audit_log_entry"
    ]
    assert "answer" in logged and "summary_item" in logged
    missing = sorted(name for name in logged if name not in log_words._describers)
    assert not missing, f"no describer in words for: {', '.join(missing)}"
    for describer in log_words._describers.values():
        if describer.kind is not None:
            assert describer.kind in log_words._loaders, describer.record_type
        for kind in describer.refers.values():
            assert kind in log_words._loaders, (describer.record_type, kind)
