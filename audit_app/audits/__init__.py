"""An audit's life: details, participating agencies, panel, status moves."""

from audit_app.audits import log_words as _log_words

# How the audit log page speaks of this area's records.
_log_words.register()
