"""Today is the partnership's (UK) date, not the server's."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from audit_app.core import models


def test_today_is_the_uk_date_after_midnight_in_summer(monkeypatch: pytest.MonkeyPatch) -> None:
    class Summer(datetime):
        @classmethod
        def now(cls, tz: object = None) -> datetime:  # type: ignore[override]
            moment = datetime(2026, 7, 1, 23, 30, tzinfo=UTC)  # 00:30 on 2 July in London
            return moment.astimezone(tz) if tz is not None else moment  # type: ignore[arg-type]

    monkeypatch.setattr(models, "datetime", Summer)
    assert models.today() == date(2026, 7, 2)
