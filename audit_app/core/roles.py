"""The roles a person can hold in the partnership (each membership is one role with a scope)."""

from __future__ import annotations

import enum


class Role(enum.Enum):
    # The values are stored in ``membership.role``; ``admin`` is the administrator.
    ADMIN = "admin"
    AUDIT_LEAD = "audit_lead"
    REVIEWER = "reviewer"
    PANEL = "panel"
    SUBGROUP = "subgroup"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]

    @property
    def description(self) -> str:
        return ROLE_DESCRIPTIONS[self]

    @property
    def scope(self) -> Scope:
        return ROLE_SCOPES[self]


class Scope(enum.Enum):
    """What a membership of a role is for."""

    PARTNERSHIP = "partnership"
    PARTNERSHIP_OR_AUDIT = "partnership or one audit"
    AGENCY = "one agency"
    AUDIT = "one audit"


ROLE_LABELS = {
    Role.ADMIN: "Administrator",
    Role.AUDIT_LEAD: "Audit lead",
    Role.REVIEWER: "Agency reviewer",
    Role.PANEL: "Panel member",
    Role.SUBGROUP: "Audit and performance subgroup member",
}


ROLE_DESCRIPTIONS = {
    Role.ADMIN: "Manages agencies, people and their memberships, and audit templates.",
    Role.AUDIT_LEAD: (
        "Sets up audits and cohorts, sees identities and reads returns: of every audit, "
        "or of one audit."
    ),
    Role.REVIEWER: "Completes one agency's returns and summary. Choose the agency.",
    Role.PANEL: "Reads every return of one audit and writes themes and findings.",
    Role.SUBGROUP: "Reads every action plan, updates progress and signs actions off.",
}


ROLE_SCOPES = {
    Role.ADMIN: Scope.PARTNERSHIP,
    Role.AUDIT_LEAD: Scope.PARTNERSHIP_OR_AUDIT,
    Role.REVIEWER: Scope.AGENCY,
    Role.PANEL: Scope.AUDIT,
    Role.SUBGROUP: Scope.PARTNERSHIP,
}
