"""The partnership's agencies."""

from __future__ import annotations

import enum

from sqlalchemy import (
    Boolean,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column

from audit_app.core.models import Base, Timestamped, enum_column


class AgencySector(enum.Enum):
    SOCIAL_CARE = "social_care"
    HEALTH = "health"
    MENTAL_HEALTH = "mental_health"
    PRIMARY_CARE = "primary_care"
    EDUCATION = "education"
    POLICE = "police"
    YOUTH_JUSTICE = "youth_justice"
    EARLY_HELP = "early_help"
    VOLUNTARY = "voluntary"
    OTHER = "other"

    @property
    def label(self) -> str:
        return SECTOR_LABELS[self]


SECTOR_LABELS = {
    AgencySector.SOCIAL_CARE: "Children's social care",
    AgencySector.HEALTH: "Acute or community health",
    AgencySector.MENTAL_HEALTH: "Mental health (CAMHS)",
    AgencySector.PRIMARY_CARE: "Primary care (GP)",
    AgencySector.EDUCATION: "Education",
    AgencySector.POLICE: "Police",
    AgencySector.YOUTH_JUSTICE: "Youth justice",
    AgencySector.EARLY_HELP: "Early help",
    AgencySector.VOLUNTARY: "Voluntary and community sector",
    AgencySector.OTHER: "Other",
}


class Agency(Timestamped, Base):
    __tablename__ = "agency"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    short_name: Mapped[str] = mapped_column(String(40), unique=True)
    sector: Mapped[AgencySector] = mapped_column(enum_column(AgencySector))
    contact_email: Mapped[str | None] = mapped_column(String(320))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)

    def __str__(self) -> str:
        return self.name
