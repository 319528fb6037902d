"""Configuration read from the environment.

Every setting the service reads is listed in :data:`SETTINGS` and in the README's table.
"""

from __future__ import annotations

import os
import secrets
import time
from dataclasses import dataclass, field
from pathlib import Path

SETTINGS: dict[str, str] = {
    "AUDIT_ENV": "development (default), testing or production",
    "AUDIT_DATABASE_URL": "SQLAlchemy URL; default: a SQLite file in instance/",
    "AUDIT_SECRET_KEY": "signs sessions and CSRF tokens; generated into instance/ when absent",
    "AUDIT_PARTNERSHIP_NAME": "shown in the header",
    "AUDIT_MAX_UPLOAD_MB": "largest request body accepted, in megabytes (default 5)",
    "AUDIT_DEBUG": "1 turns on Flask debug mode (refused in production)",
    "AUDIT_PROXY_HOPS": "how many reverse proxies to trust for X-Forwarded-For/-Proto (default 0)",
    "AUDIT_EVIDENCE_DIR": "folder for action evidence files; default: instance/evidence",
    "AUDIT_SERVICE_URL": "the service's address, for links in emails sent by commands",
    "AUDIT_SMART_WORDS": "a YAML file of the SMART check's word lists; default: the shipped one",
    "AUDIT_SMTP_HOST": "SMTP server for reminders and alerts; unset: nothing is emailed",
    "AUDIT_SMTP_PORT": "SMTP port (default 587)",
    "AUDIT_SMTP_FROM": "the From address of emails",
    "AUDIT_SMTP_USERNAME": "SMTP user name, when the server needs one",
    "AUDIT_SMTP_PASSWORD": "SMTP password, when the server needs one",
    "AUDIT_SMTP_STARTTLS": "1 (default) to use STARTTLS, 0 not to",
}

# The checkout (or installed tree) that holds audit_app/, migrations/ and audit_templates/.
PROJECT_ROOT = Path(__file__).resolve().parent.parent.parent


class ConfigError(RuntimeError):
    """The environment does not describe a configuration the service may start with."""


@dataclass(frozen=True)
class Settings:
    env: str
    database_url: str
    secret_key: str
    partnership_name: str
    max_upload_bytes: int
    debug: bool
    proxy_hops: int = 0
    smtp: dict[str, object] = field(default_factory=dict)
    evidence_dir: str | None = None
    smart_words: str | None = None
    service_url: str = "http://127.0.0.1:5000"

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    def flask_config(self) -> dict[str, object]:
        return {
            "SECRET_KEY": self.secret_key,
            "DEBUG": self.debug,
            "TESTING": self.env == "testing",
            "AUDIT_ENV": self.env,
            "AUDIT_DATABASE_URL": self.database_url,
            "AUDIT_PARTNERSHIP_NAME": self.partnership_name,
            "AUDIT_PROXY_HOPS": self.proxy_hops,
            "AUDIT_EVIDENCE_DIR": self.evidence_dir,
            "AUDIT_SMART_WORDS": self.smart_words,
            "AUDIT_SERVICE_URL": self.service_url,
            **self.smtp,
            "MAX_CONTENT_LENGTH": self.max_upload_bytes,
            "SESSION_COOKIE_HTTPONLY": True,
            "SESSION_COOKIE_SAMESITE": "Lax",
            "SESSION_COOKIE_SECURE": self.is_production,
            "SESSION_COOKIE_NAME": "audit_session",
            "REMEMBER_COOKIE_SECURE": self.is_production,
            "REMEMBER_COOKIE_HTTPONLY": True,
            "PERMANENT_SESSION_LIFETIME": 8 * 60 * 60,
            "WTF_CSRF_TIME_LIMIT": None,  # tokens live as long as the signed-in session
            "WTF_CSRF_SSL_STRICT": self.is_production,
        }


def _truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


def secret_key_from_instance(instance_path: Path) -> str:
    """Read the generated secret key, making it once when it does not exist yet."""
    key_file = instance_path / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    try:
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another worker starting at the same moment made it first
        return _read_key_when_written(key_file)
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


def _read_key_when_written(key_file: Path) -> str:
    for _ in range(50):
        key = key_file.read_text().strip()
        if key:
            return key
        time.sleep(0.02)
    raise ConfigError(f"{key_file} is empty: delete it and start again")


def load_settings(instance_path: Path, environ: dict[str, str] | None = None) -> Settings:
    """Build settings from the environment, refusing unsafe production set-ups."""
    env_vars = dict(os.environ if environ is None else environ)
    env = env_vars.get("AUDIT_ENV", "development").strip().lower() or "development"
    if env not in {"development", "testing", "production"}:
        raise ConfigError(f"AUDIT_ENV must be development, testing or production, not {env!r}")
    debug = _truthy(env_vars.get("AUDIT_DEBUG")) or _truthy(env_vars.get("FLASK_DEBUG"))
    secret = env_vars.get("AUDIT_SECRET_KEY", "").strip()
    if env == "production":
        if debug:
            raise ConfigError("Refusing to start: debug mode is on in production.")
        if not secret:
            raise ConfigError("Refusing to start: AUDIT_SECRET_KEY is not set in production.")
        if len(secret) < 32:
            raise ConfigError("Refusing to start: AUDIT_SECRET_KEY must be at least 32 characters.")
    if not secret:
        secret = secret_key_from_instance(instance_path)
    database_url = env_vars.get("AUDIT_DATABASE_URL", "").strip()
    if not database_url:
        instance_path.mkdir(parents=True, exist_ok=True)
        database_url = f"sqlite:///{instance_path / 'audit.sqlite3'}"
    try:
        max_upload_mb = float(env_vars.get("AUDIT_MAX_UPLOAD_MB", "5"))
    except ValueError as exc:
        raise ConfigError("AUDIT_MAX_UPLOAD_MB must be a number of megabytes.") from exc
    hops = env_vars.get("AUDIT_PROXY_HOPS", "0").strip() or "0"
    if not hops.isdigit():
        raise ConfigError("AUDIT_PROXY_HOPS must be a whole number (0 when not behind a proxy).")
    return Settings(
        env=env,
        database_url=normalise_database_url(database_url),
        secret_key=secret,
        partnership_name=env_vars.get("AUDIT_PARTNERSHIP_NAME", "").strip()
        or "Safeguarding Children Partnership",
        max_upload_bytes=int(max_upload_mb * 1024 * 1024),
        debug=debug,
        proxy_hops=int(hops),
        evidence_dir=env_vars.get("AUDIT_EVIDENCE_DIR", "").strip() or None,
        smart_words=env_vars.get("AUDIT_SMART_WORDS", "").strip() or None,
        service_url=env_vars.get("AUDIT_SERVICE_URL", "").strip().rstrip("/")
        or "http://127.0.0.1:5000",
        smtp={
            "AUDIT_SMTP_HOST": env_vars.get("AUDIT_SMTP_HOST", "").strip() or None,
            "AUDIT_SMTP_PORT": env_vars.get("AUDIT_SMTP_PORT", "").strip() or "587",
            "AUDIT_SMTP_FROM": env_vars.get("AUDIT_SMTP_FROM", "").strip() or None,
            "AUDIT_SMTP_USERNAME": env_vars.get("AUDIT_SMTP_USERNAME", "").strip() or None,
            "AUDIT_SMTP_PASSWORD": env_vars.get("AUDIT_SMTP_PASSWORD", "") or None,
            "AUDIT_SMTP_STARTTLS": env_vars.get("AUDIT_SMTP_STARTTLS", "1").strip() != "0",
        },
    )


def normalise_database_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL whatever driver the URL names."""
    for prefix in ("postgres://", "postgresql://", "postgresql+psycopg2://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url
