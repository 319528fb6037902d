"""Errors the domain raises for people to read (views show them beside the field)."""

from __future__ import annotations


class DomainError(Exception):
    """A rule was broken; ``field`` names the form field it belongs to, when there is one."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
