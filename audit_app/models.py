"""Every table of the service, importable from one place (Alembic and the tests use it).

Each area keeps its own models beside its rules (``audit_app/<area>/models.py``); this
module only gathers them, so that ``Base.metadata`` knows every table.
"""

from __future__ import annotations

from audit_app.accounts.models import Membership, SignInAttempt, User
from audit_app.actions.models import (
    Action,
    ActionEvent,
    ActionState,
    ActionUpdate,
    Effectiveness,
    Priority,
    Rag,
    UpdateStatus,
)
from audit_app.agencies.models import SECTOR_LABELS, Agency, AgencySector
from audit_app.audits.models import (
    AUDIT_STATUS_LABELS,
    Audit,
    AuditAgency,
    AuditStatus,
)
from audit_app.cohort.models import ChildIdentity, CohortDraw, CohortMember, PopulationList
from audit_app.core.models import (
    FREE_TEXT,
    NAMING_CONVENTION,
    AuditLogEntry,
    Base,
    Timestamped,
    UTCDateTime,
    enum_column,
    utcnow,
)
from audit_app.core.roles import ROLE_DESCRIPTIONS, ROLE_LABELS, Role
from audit_app.exports.models import ExportKind, ExportRecord, ReportTemplate
from audit_app.panel.models import (
    AgreedGrade,
    EvidenceItem,
    EvidenceKind,
    EvidenceSource,
    Finding,
    FindingEvidence,
    FindingTheme,
    PanelAttendee,
    PanelMeeting,
    Recommendation,
    RecommendationFinding,
    Theme,
    ThemeTag,
)
from audit_app.questionnaires.models import (
    COLUMN_LABELS,
    AuditTemplate,
    AuditTemplateVersion,
    SignsOfSafetyColumn,
)
from audit_app.returns.models import (
    RETURN_STATUS_LABELS,
    AgencyReturn,
    AgencySummary,
    Answer,
    ChronologyEntry,
    Reminder,
    ReturnStatus,
    SummaryItem,
    UrgentConcern,
)

__all__ = [
    "AUDIT_STATUS_LABELS",
    "COLUMN_LABELS",
    "FREE_TEXT",
    "NAMING_CONVENTION",
    "RETURN_STATUS_LABELS",
    "ROLE_DESCRIPTIONS",
    "ROLE_LABELS",
    "SECTOR_LABELS",
    "Action",
    "ActionEvent",
    "ActionState",
    "ActionUpdate",
    "Agency",
    "AgencyReturn",
    "AgencySector",
    "AgencySummary",
    "AgreedGrade",
    "Answer",
    "Audit",
    "AuditAgency",
    "AuditLogEntry",
    "AuditStatus",
    "AuditTemplate",
    "AuditTemplateVersion",
    "Base",
    "ChildIdentity",
    "ChronologyEntry",
    "CohortDraw",
    "CohortMember",
    "Effectiveness",
    "EvidenceItem",
    "EvidenceKind",
    "EvidenceSource",
    "ExportKind",
    "ExportRecord",
    "Finding",
    "FindingEvidence",
    "FindingTheme",
    "Membership",
    "PanelAttendee",
    "PanelMeeting",
    "PopulationList",
    "Priority",
    "Rag",
    "Recommendation",
    "RecommendationFinding",
    "Reminder",
    "ReportTemplate",
    "ReturnStatus",
    "Role",
    "SignInAttempt",
    "SignsOfSafetyColumn",
    "SummaryItem",
    "Theme",
    "ThemeTag",
    "Timestamped",
    "UTCDateTime",
    "UpdateStatus",
    "UrgentConcern",
    "User",
    "enum_column",
    "utcnow",
]
