"""The audit-app command line: init-db, create-admin, demo."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from audit_app.accounts.memberships import holds, leads_partnership
from audit_app.demo import DEMO_LOGINS, DEMO_PASSWORD
from audit_app.models import Agency, Audit, AuditLogEntry, Role, User
from audit_app.questionnaires import template_format
from audit_app.questionnaires.library import SHIPPED_TEMPLATES
from tests.conftest import sign_in
from tests.databases import fresh_database


def test_console_script_lists_the_commands() -> None:
    script = Path(sys.executable).parent / "audit-app"
    result = subprocess.run([str(script), "--help"], capture_output=True, text=True, check=True)
    for command in ("init-db", "create-admin", "demo"):
        assert command in result.stdout


def test_the_same_commands_run_under_flask(app: Flask) -> None:
    assert {"init-db", "create-admin", "demo"} <= set(app.cli.commands)


def test_init_db_on_an_empty_database(tmp_path: Path) -> None:
    with fresh_database(tmp_path, "cli") as url:
        script = Path(sys.executable).parent / "audit-app"
        env = {**os.environ, "AUDIT_DATABASE_URL": url}
        result = subprocess.run(
            [str(script), "init-db"], capture_output=True, text=True, env=env, check=False
        )
        assert result.returncode == 0, result.stderr
        assert "up to date" in result.stdout
        assert result.stdout.count("has been added as a new template") == 3
        again = subprocess.run(
            [str(script), "init-db"], capture_output=True, text=True, env=env, check=True
        )
        assert again.stdout.count("already loaded: nothing has changed") == 3


def test_create_admin_with_options(app: Flask, session: Session) -> None:
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=[
            "create-admin",
            "--email",
            "Lead@Example.org",
            "--name",
            "Lee Lead",
            "--password",
            "a long enough password",
        ]
    )
    assert result.exit_code == 0, result.output
    user = session.scalar(select(User).where(User.email == "lead@example.org"))
    assert user is not None and holds(user, Role.ADMIN)
    assert holds(user, Role.AUDIT_LEAD, audit_id=None) and leads_partnership(user)
    entry = session.scalar(
        select(AuditLogEntry)
        .where(AuditLogEntry.record_type == "user_account", AuditLogEntry.record_id == str(user.id))
        .order_by(AuditLogEntry.id)
    )
    assert entry is not None and entry.actor_label == "system: command line"


def test_create_admin_prompts(app: Flask, session: Session) -> None:
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["create-admin"],
        input="prompted@example.org\nPat Prompt\na long enough password\na long enough password\n",
    )
    assert result.exit_code == 0, result.output
    assert session.scalar(select(User).where(User.email == "prompted@example.org")) is not None


def test_create_admin_refuses_a_short_password(app: Flask, session: Session) -> None:
    result = app.test_cli_runner().invoke(
        args=["create-admin", "--email", "x@example.org", "--name", "X", "--password", "short"]
    )
    assert result.exit_code == 1
    assert "12 characters" in result.output
    assert session.scalar(select(User).where(User.email == "x@example.org")) is None


def test_demo_loads_once_and_prints_the_logins(app: Flask, session: Session) -> None:
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    assert "has been loaded" in first.output
    for login in DEMO_LOGINS:
        assert login.email in first.output
    assert DEMO_PASSWORD in first.output
    counts = (
        session.scalar(select(func.count(Agency.id))),
        session.scalar(select(func.count(User.id))),
        session.scalar(select(func.count(Audit.id))),
    )
    second = runner.invoke(args=["demo"])
    assert second.exit_code == 0
    assert "already loaded" in second.output
    assert counts == (
        session.scalar(select(func.count(Agency.id))),
        session.scalar(select(func.count(User.id))),
        session.scalar(select(func.count(Audit.id))),
    )
    # The demo audits use the shipped children in crisis template.
    audits = session.scalars(select(Audit)).all()
    assert {a.template_version.template.key for a in audits} == {"children-in-crisis"}
    # ... in its new version, the one in the shipped file (issue 10).
    shipped = SHIPPED_TEMPLATES / "children-in-crisis.yaml"
    definition = template_format.parse(shipped.read_bytes(), shipped.name)
    assert definition.version == "2.0"
    assert {a.template_version.content_hash for a in audits} == {definition.content_hash}
    assert {a.template_version.version_label for a in audits} == {"2.0"}
    # Every demo login reaches its home page.
    for login in DEMO_LOGINS:
        client = app.test_client()
        assert sign_in(client, login.email, DEMO_PASSWORD).location == "/"
        assert client.get("/").status_code == 200


def test_demo_refuses_a_database_with_real_data(
    app: Flask, session: Session, users: dict[Role, User]
) -> None:
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 1
    assert "not demo data" in result.output
    assert session.scalar(select(func.count(Audit.id))) == 0
