"""The access declarations themselves."""

from __future__ import annotations

import pytest

from audit_app.core.access import AccessRule, allow, public, signed_in
from audit_app.models import Role


def test_allow_names_roles() -> None:
    @allow(Role.ADMIN, Role.PANEL)
    def view() -> str:
        return ""

    rule: AccessRule = view.access_rule  # type: ignore[attr-defined]
    assert rule.allows(Role.ADMIN) and rule.allows(Role.PANEL)
    assert not rule.allows(Role.REVIEWER) and not rule.allows(None)


def test_signed_in_and_public() -> None:
    @signed_in
    def any_user() -> str:
        return ""

    @public
    def anyone() -> str:
        return ""

    assert all(any_user.access_rule.allows(role) for role in Role)  # type: ignore[attr-defined]
    assert not any_user.access_rule.allows(None)  # type: ignore[attr-defined]
    assert anyone.access_rule.allows(None)  # type: ignore[attr-defined]


def test_allow_needs_a_role() -> None:
    with pytest.raises(ValueError, match="at least one role"):
        allow()
