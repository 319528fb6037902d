"""Agency returns: answering, chronology, urgent concerns, progress, agency summaries."""

from audit_app.audits.participation import register_returns_ledger
from audit_app.cohort.identities import register_free_text_purge
from audit_app.returns import log_words as _log_words
from audit_app.returns.purge import purge_concern_details
from audit_app.returns.tracking import Ledger

# Changing an audit's agencies or cohort opens, keeps or discards returns through this.
register_returns_ledger(Ledger())

# Purging an audit's identities clears urgent concerns' details too.
register_free_text_purge(purge_concern_details)

# How the audit log page speaks of this area's records.
_log_words.register()
