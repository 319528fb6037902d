"""Email, when the partnership has configured an SMTP server; otherwise nothing is sent."""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    sender: str
    username: str | None = None
    password: str | None = None
    starttls: bool = True


def smtp_settings(config: Any) -> SmtpSettings | None:
    """The SMTP settings in the app's config, or None when email is not set up."""
    host = config.get("AUDIT_SMTP_HOST")
    if not host:
        return None
    return SmtpSettings(
        host=host,
        port=int(config.get("AUDIT_SMTP_PORT") or 587),
        sender=config.get("AUDIT_SMTP_FROM") or "noreply@localhost",
        username=config.get("AUDIT_SMTP_USERNAME") or None,
        password=config.get("AUDIT_SMTP_PASSWORD") or None,
        starttls=bool(config.get("AUDIT_SMTP_STARTTLS", True)),
    )


def send_email(settings: SmtpSettings, to: str, subject: str, body: str) -> None:
    message = EmailMessage()
    message["From"] = settings.sender
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    with smtplib.SMTP(settings.host, settings.port, timeout=20) as server:
        if settings.starttls:
            server.starttls(context=ssl.create_default_context())
        if settings.username:
            server.login(settings.username, settings.password or "")
        server.send_message(message)
