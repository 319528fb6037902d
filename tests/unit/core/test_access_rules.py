"""The access declarations themselves."""

from __future__ import annotations

import pytest

from audit_app.core.access import AccessRule, allow, public, signed_in
from audit_app.models import Membership, Role


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


def _member(role: Role, agency_id: int | None = None, audit_id: int | None = None) -> Membership:
    return Membership(role=role, agency_id=agency_id, audit_id=audit_id, is_chair=False)


def test_the_scope_of_a_membership_decides() -> None:
    @allow(Role.AUDIT_LEAD, Role.PANEL)
    def audit_page() -> str:
        return ""

    rule: AccessRule = audit_page.access_rule  # type: ignore[attr-defined]
    every_audit = [_member(Role.AUDIT_LEAD)]
    lead_of_1 = [_member(Role.AUDIT_LEAD, audit_id=1)]
    panel_of_1 = [_member(Role.PANEL, audit_id=1)]
    reviewer = [_member(Role.REVIEWER, agency_id=1)]
    assert rule.admits(every_audit, 1) and rule.admits(every_audit, 2)
    assert rule.admits(lead_of_1, 1) and not rule.admits(lead_of_1, 2)
    assert rule.admits(panel_of_1, 1) and not rule.admits(panel_of_1, 2)
    assert not rule.admits(reviewer, 1) and not rule.admits([], 1)
    # Two memberships: either may let the person in.
    assert rule.admits(reviewer + panel_of_1, 1) and not rule.admits(reviewer + panel_of_1, 2)


def test_partnership_only_and_signed_in() -> None:
    @allow(Role.AUDIT_LEAD, partnership=True)
    def new_audit() -> str:
        return ""

    @signed_in
    def account() -> str:
        return ""

    rule: AccessRule = new_audit.access_rule  # type: ignore[attr-defined]
    assert rule.admits([_member(Role.AUDIT_LEAD)])
    assert not rule.admits([_member(Role.AUDIT_LEAD, audit_id=1)])
    assert account.access_rule.admits([])  # type: ignore[attr-defined]
