"""How values are written into the audit log."""

from __future__ import annotations

from datetime import UTC, date, datetime

from audit_app.core.audit_log import REDACTED, _logged_value, record_types
from audit_app.models import Role


def test_plain_values_are_kept_as_json() -> None:
    assert _logged_value({}, Role.ADMIN) == "admin"
    assert _logged_value({}, date(2026, 1, 2)) == "2026-01-02"
    assert _logged_value({}, datetime(2026, 1, 2, 3, 4, tzinfo=UTC)) == "2026-01-02T03:04:00+00:00"
    assert _logged_value({}, {"a": [1, 2]}) == {"a": [1, 2]}


def test_redacted_values_never_reach_the_log() -> None:
    assert _logged_value({"audit": "redact"}, "Ava Collins") == REDACTED
    assert _logged_value({"audit": "redact"}, None) is None


def test_large_values_are_summarised() -> None:
    summary = _logged_value({"audit": "summary"}, {"sections": ["x" * 5000]})
    assert summary.startswith("[") and "sha256" in summary and len(summary) < 80


def test_the_log_does_not_log_itself() -> None:
    types = record_types()
    assert "audit_log_entry" not in types and "sign_in_attempt" not in types
    assert {"agency", "user_account", "agency_return", "action"} <= set(types)


def test_log_values_are_shown_as_people_write_them() -> None:
    from audit_app.accounts.audit_log_views import log_value

    assert log_value(None) == "(empty)"
    assert log_value(True) == "Yes" and log_value(False) == "No"
    assert log_value("2026-11-22T13:04:05.123456+00:00") == "22 Nov 2026 13:04:05 UTC"
    assert log_value(["local_id"]) == '["local_id"]'
    assert log_value("Police") == "Police"


def test_a_log_cursor_survives_a_link_to_the_microsecond() -> None:
    from audit_app.core.audit_log import Cursor

    cursor = Cursor(datetime(2026, 11, 30, 18, 4, 5, 123456, tzinfo=UTC), 4321)
    assert Cursor.parse(cursor.token()) == cursor
    for junk in (None, "", "x", "1-", "-1", "1.5-2", "9" * 19 + "-1", "1-2147483648"):
        assert Cursor.parse(junk) is None, junk
    # A cursor far in the future is still one (it finds nothing newer than the log).
    assert Cursor.parse("99999999999999999-1") is not None
    assert Cursor.parse("999999999999999999-1") is None  # beyond the year 9999
