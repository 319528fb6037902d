"""What every export shares: who made it and when, dates in words, the About sheet's
columns."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from audit_app.core.models import PARTNERSHIP_TIME_ZONE
from audit_app.core.spreadsheets import WRAPPED, Column

ABOUT_COLUMNS = [Column("Detail", 28), Column("Value", 90, WRAPPED)]
"""An About sheet: a row per detail."""


@dataclass(frozen=True)
class Made:
    """Who made a file, and when (an aware time)."""

    by: str
    at: datetime

    @property
    def today(self) -> date:
        """The day the file was made where the partnership works (the UK): what days
        overdue and the RAG are counted from, as on the pages."""
        return self.at.astimezone(PARTNERSHIP_TIME_ZONE).date()

    @property
    def when(self) -> str:
        """When, in words, as the pages say a time ("1 December 2026 at 09:30 UTC")."""
        return time_words(self.at)


def time_words(moment: datetime) -> str:
    return moment.strftime("%-d %B %Y at %H:%M UTC")


def date_words(day: date | None) -> str:
    return day.strftime("%-d %B %Y") if day else ""
