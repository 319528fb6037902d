"""Settings come from the environment; production refuses unsafe ones."""

from __future__ import annotations

from pathlib import Path

import pytest

from audit_app.core.config import ConfigError, load_settings, normalise_database_url

GOOD_KEY = "k" * 40


def test_defaults_use_sqlite_in_instance_and_generate_a_secret(tmp_path: Path) -> None:
    settings = load_settings(tmp_path, {})
    assert settings.database_url == f"sqlite:///{tmp_path / 'audit.sqlite3'}"
    key_file = tmp_path / "secret_key"
    assert key_file.exists() and settings.secret_key == key_file.read_text()
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"
    # Generated once: the same key next time.
    assert load_settings(tmp_path, {}).secret_key == settings.secret_key
    assert settings.partnership_name == "Safeguarding Children Partnership"
    assert not settings.debug and not settings.is_production


def test_environment_overrides(tmp_path: Path) -> None:
    settings = load_settings(
        tmp_path,
        {
            "AUDIT_DATABASE_URL": "postgresql://u@h/db",
            "AUDIT_SECRET_KEY": "from-env",
            "AUDIT_PARTNERSHIP_NAME": "Coventry Safeguarding Children Partnership",
            "AUDIT_MAX_UPLOAD_MB": "2",
        },
    )
    assert settings.database_url == "postgresql+psycopg://u@h/db"
    assert settings.secret_key == "from-env"
    assert not (tmp_path / "secret_key").exists()
    assert settings.partnership_name == "Coventry Safeguarding Children Partnership"
    assert settings.max_upload_bytes == 2 * 1024 * 1024


def test_production_refuses_to_start_without_a_secret_key(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="AUDIT_SECRET_KEY"):
        load_settings(tmp_path, {"AUDIT_ENV": "production"})
    assert not (tmp_path / "secret_key").exists()


@pytest.mark.parametrize("flag", ["AUDIT_DEBUG", "FLASK_DEBUG"])
def test_production_refuses_to_start_in_debug_mode(tmp_path: Path, flag: str) -> None:
    with pytest.raises(ConfigError, match="debug"):
        load_settings(
            tmp_path, {"AUDIT_ENV": "production", "AUDIT_SECRET_KEY": GOOD_KEY, flag: "1"}
        )


def test_production_sets_secure_cookies(tmp_path: Path) -> None:
    settings = load_settings(tmp_path, {"AUDIT_ENV": "production", "AUDIT_SECRET_KEY": GOOD_KEY})
    config = settings.flask_config()
    assert config["SESSION_COOKIE_SECURE"] is True
    assert config["SESSION_COOKIE_HTTPONLY"] is True
    assert config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert config["DEBUG"] is False


def test_unknown_environment_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="AUDIT_ENV"):
        load_settings(tmp_path, {"AUDIT_ENV": "staging"})


def test_short_production_secret_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="32 characters"):
        load_settings(tmp_path, {"AUDIT_ENV": "production", "AUDIT_SECRET_KEY": "short"})


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgres://a@b/c", "postgresql+psycopg://a@b/c"),
        ("postgresql+psycopg2://a@b/c", "postgresql+psycopg://a@b/c"),
        ("postgresql+psycopg://a@b/c", "postgresql+psycopg://a@b/c"),
        ("sqlite:///x.db", "sqlite:///x.db"),
    ],
)
def test_postgres_urls_use_psycopg_3(given: str, expected: str) -> None:
    assert normalise_database_url(given) == expected


def test_proxy_hops(tmp_path: Path) -> None:
    assert load_settings(tmp_path, {"AUDIT_SECRET_KEY": "x"}).proxy_hops == 0
    assert (
        load_settings(tmp_path, {"AUDIT_SECRET_KEY": "x", "AUDIT_PROXY_HOPS": "1"}).proxy_hops == 1
    )
    with pytest.raises(ConfigError, match="AUDIT_PROXY_HOPS"):
        load_settings(tmp_path, {"AUDIT_SECRET_KEY": "x", "AUDIT_PROXY_HOPS": "many"})
