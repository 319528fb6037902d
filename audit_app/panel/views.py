"""The panel's pages: importing this registers every route on the panel's blueprint."""

from audit_app.panel import (  # noqa: F401  (each module adds its routes)
    board_views,
    child_views,
    evidence_views,
    finding_views,
    home_views,
    meeting_views,
    question_views,
    theme_views,
)
from audit_app.panel.blueprint import blueprint

__all__ = ["blueprint"]
