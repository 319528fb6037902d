"""Audit workbooks, the action tracker and Word reports for the partnership.

Nothing is exported yet; the exports issue builds it here."""
