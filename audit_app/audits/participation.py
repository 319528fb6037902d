"""What setting up an audit needs to know of its returns.

The returns area builds on audits and the cohort (it imports them, never the other way),
yet choosing an audit's agencies, opening returns and changing the cohort must open, keep
or discard returns. The returns area says how by registering its ledger here when it is
imported (``audit_app/returns/__init__.py``); importing ``audit_app.models`` loads it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from audit_app.audits.models import Audit


class ReturnsLedger(Protocol):
    def started(
        self,
        session: Session,
        audit: Audit,
        *,
        agency_id: int | None = None,
        member_id: int | None = None,
    ) -> bool:
        """Has anyone worked on a return of this audit (of this agency, of this child)?"""
        ...

    def open_missing(self, session: Session, audit: Audit) -> int:
        """One return for every participating agency and child; how many were new."""
        ...

    def discard_unstarted(
        self,
        session: Session,
        audit: Audit,
        *,
        agency_id: int | None = None,
        member_id: int | None = None,
    ) -> None:
        """Delete the returns nobody has worked on (of this agency, of this child)."""
        ...


_ledger: ReturnsLedger | None = None


def register_returns_ledger(ledger: ReturnsLedger) -> None:
    global _ledger
    _ledger = ledger


def returns_ledger() -> ReturnsLedger:
    if _ledger is None:
        raise RuntimeError("The returns area is not loaded: import audit_app.models first")
    return _ledger
