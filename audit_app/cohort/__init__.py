"""Population lists, the reproducible draw, the cohort and the children's identities."""

from audit_app.cohort import log_words as _log_words

# How the audit log page speaks of this area's records.
_log_words.register()
