"""The multi-agency panel: evidence, themes, grades, findings, recommendations.

Only its tables exist so far; the panel issue builds its rules and pages here."""

from audit_app.panel import log_words as _log_words

# How the audit log page speaks of this area's records.
_log_words.register()
