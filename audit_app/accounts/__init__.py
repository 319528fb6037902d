"""People, their memberships (a role with a scope) and signing in."""

from audit_app.accounts import log_words as _log_words

# How the audit log page speaks of this area's records.
_log_words.register()
