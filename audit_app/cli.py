"""The ``audit-app`` console script; the same commands run as ``flask --app audit_app ...``."""

from __future__ import annotations

import sys

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext

from audit_app import accounts, demo, migrate
from audit_app.errors import DomainError
from audit_app.models import Role


def _session():  # type: ignore[no-untyped-def]
    return current_app.extensions["audit_db"].new_session(actor_label="system: command line")


@click.command("init-db")
@with_appcontext
def init_db_command() -> None:
    """Create or upgrade the database tables (runs every migration)."""
    url = current_app.config["AUDIT_DATABASE_URL"]
    migrate.upgrade(url)
    click.echo("The database is up to date.")


@click.command("create-admin")
@click.option("--email", prompt="Email address", help="The administrator's email address.")
@click.option("--name", "full_name", prompt="Full name", help="The administrator's full name.")
@click.option(
    "--password",
    prompt="Password",
    hide_input=True,
    confirmation_prompt=True,
    help=f"At least {accounts.MIN_PASSWORD_LENGTH} characters (prompted when left out).",
)
@with_appcontext
def create_admin_command(email: str, full_name: str, password: str) -> None:
    """Add an administrator / audit lead who can then add everyone else."""
    session = _session()
    try:
        user = accounts.create_user(
            session, email=email, full_name=full_name, password=password, role=Role.ADMIN
        )
        session.commit()
    except DomainError as error:
        session.rollback()
        raise click.ClickException(error.message) from error
    finally:
        session.close()
    click.echo(f"Administrator {user.email} can now sign in.")


@click.command("demo")
@with_appcontext
def demo_command() -> None:
    """Load a demo partnership with one user per role (only into an empty database)."""
    session = _session()
    try:
        result = demo.load_demo(session)
        session.commit()
    except DomainError as error:
        session.rollback()
        raise click.ClickException(error.message) from error
    finally:
        session.close()
    if result.created:
        click.echo("The demo partnership has been loaded.")
    else:
        click.echo("The demo partnership was already loaded; nothing was changed.")
    click.echo("")
    click.echo("Demo logins (all share one password):")
    for login in result.logins:
        who = f"{login.role.label}" + (f", {login.agency}" if login.agency else "")
        click.echo(f"  {login.email:<36} {who}")
    click.echo(f"  Password: {demo.DEMO_PASSWORD}")


COMMANDS = (init_db_command, create_admin_command, demo_command)


def register_commands(app: Flask) -> None:
    for command in COMMANDS:
        app.cli.add_command(command)


def _create_app() -> Flask:
    from audit_app import create_app

    return create_app()


main = FlaskGroup(
    name="audit-app",
    help="Run and manage the multi-agency case file audit service.",
    create_app=_create_app,
    set_debug_flag=False,
)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
