"""The roles a person can hold in the partnership (each membership is one role with a scope)."""

from __future__ import annotations

import enum


class Role(enum.Enum):
    ADMIN = "admin"
    REVIEWER = "reviewer"
    PANEL = "panel"
    SUBGROUP = "subgroup"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]

    @property
    def description(self) -> str:
        return ROLE_DESCRIPTIONS[self]


ROLE_LABELS = {
    Role.ADMIN: "Administrator / audit lead",
    Role.REVIEWER: "Agency reviewer",
    Role.PANEL: "Panel member",
    Role.SUBGROUP: "Audit and performance subgroup member",
}


ROLE_DESCRIPTIONS = {
    Role.ADMIN: "Manages agencies, users and templates; sets up audits and cohorts.",
    Role.REVIEWER: "Completes their own agency's returns and summary. Belongs to one agency.",
    Role.PANEL: "Reads every return of the audits they sit on; writes themes and findings.",
    Role.SUBGROUP: "Reads every action plan, updates progress and signs actions off.",
}
