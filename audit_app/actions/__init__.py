"""SMART actions and the subgroup's tracking of them to completion and impact.

Only its tables exist so far; the action-plan issue builds its rules and pages here."""

from audit_app.actions import log_words as _log_words

# How the audit log page speaks of this area's records.
_log_words.register()
