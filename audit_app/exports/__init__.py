"""What leaves the service for the partnership: the audit workbook and the action tracker
(spreadsheets), the findings report and the subgroup's meeting pack (Word)."""

from audit_app.exports import log_words as _log_words

# How the audit log page speaks of this area's records.
_log_words.register()
