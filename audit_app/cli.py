"""The ``audit-app`` console script; the same commands run as ``flask --app audit_app ...``."""

from __future__ import annotations

import getpass
import json
import os
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext

from audit_app import demo
from audit_app.accounts import users as accounts
from audit_app.accounts.memberships import add_membership
from audit_app.actions import reminders
from audit_app.actions.models import Action
from audit_app.agencies.models import SECTOR_LABELS, AgencySector
from audit_app.audits.models import Audit
from audit_app.cohort.cli import cohort_group
from audit_app.cohort.identities import purge_identities
from audit_app.core import migrate
from audit_app.core.config import PROJECT_ROOT
from audit_app.core.errors import DomainError
from audit_app.core.models import PARTNERSHIP_TIME_ZONE, today
from audit_app.core.notifications import send_email, smtp_settings
from audit_app.core.roles import Role
from audit_app.exports import records as exports
from audit_app.questionnaires import library as template_library
from audit_app.questionnaires import template_format
from audit_app.questionnaires.answer_types import ESTIMATE_RULE, estimate_return
from audit_app.questionnaires.definitions import AuditTemplateDefinition


def _session():  # type: ignore[no-untyped-def]
    return current_app.extensions["audit_db"].new_session(actor_label="system: command line")


@click.command("init-db")
@with_appcontext
def init_db_command() -> None:
    """Create or upgrade the tables (every migration), then load the shipped templates."""
    url = current_app.config["AUDIT_DATABASE_URL"]
    migrate.upgrade(url)
    click.echo("The database is up to date.")
    session = _session()
    try:
        messages = [result.message for result in template_library.load_shipped_templates(session)]
        session.commit()
    finally:
        session.close()
    for message in messages:
        click.echo(message)


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
    """Add an administrator (and audit lead of every audit) who can then add everyone else."""
    session = _session()
    try:
        user = accounts.create_user(
            session, email=email, full_name=full_name, password=password, role=Role.ADMIN
        )
        # The first administrator also leads every audit, so one person can start everything.
        add_membership(session, user, Role.AUDIT_LEAD)
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
        who = login.description
        click.echo(f"  {login.email:<36} {who}")
    click.echo(f"  Password: {demo.DEMO_PASSWORD}")


@click.group("template")
def template_group() -> None:
    """Check, describe and load audit templates (YAML files)."""


@template_group.command("validate")
@click.argument("paths", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option(
    "--summary",
    is_flag=True,
    help="Also say what a return asks of a reviewer, and about how long it takes a child.",
)
def template_validate_command(paths: tuple[str, ...], summary: bool) -> None:
    """Check template files: exit 0 if all are valid, 1 listing every error otherwise."""
    failed = False
    for path in paths:
        try:
            raw = Path(path).read_bytes()
        except OSError as error:
            click.echo(f"{path}: cannot be read: {error.strerror}", err=True)
            failed = True
            continue
        try:
            definition = template_format.parse(raw, path)
        except template_format.TemplateInvalid as invalid:
            failed = True
            for problem in invalid.errors:
                click.echo(str(problem), err=True)
            continue
        click.echo(
            f"{path}: valid: {definition.id} version {definition.version}, "
            f"{len(definition.sections)} sections, {len(definition.questions)} questions, "
            f"sha256 {definition.content_hash[:12]}"
        )
        if summary:
            for line in _return_summary(definition):
                click.echo(f"  {line}")
    if failed:
        sys.exit(1)


def _return_summary(definition: AuditTemplateDefinition) -> list[str]:
    """What a return asks of a reviewer, and the estimate by the stated rule: for every
    agency, or sector by sector when the template asks some questions of some sectors."""
    if definition.targets_sectors:
        seen = [
            (SECTOR_LABELS[sector], estimate_return(definition.for_sector(sector.value)))
            for sector in AgencySector
        ]
    else:
        seen = [("Every agency", estimate_return(definition))]
    lines = []
    for who, estimate in seen:
        minutes = estimate.minutes
        lines.append(
            f"{who}: {estimate.questions} questions, {estimate.required} of them required "
            f"when asked, {estimate.follow_ups} asked only after a given answer; about "
            f"{minutes} minutes a child ({minutes / 60:.1f} hours), "
            f"{minutes * 10 / 60:.1f} hours for a cohort of 10."
        )
    return [*lines, f"Estimated by the rule: {ESTIMATE_RULE}."]


@template_group.command("schema")
def template_schema_command() -> None:
    """Print the JSON Schema of the template format (for editors)."""
    click.echo(json.dumps(template_format.json_schema(), indent=2))


@template_group.command("load")
@click.argument("paths", nargs=-1, type=click.Path(dir_okay=False, exists=True))
@with_appcontext
def template_load_command(paths: tuple[str, ...]) -> None:
    """Load template files into the service (all the shipped ones when no path is given)."""
    session = _session()
    try:
        if paths:
            results = [
                template_library.load_template(session, Path(p).read_bytes(), p) for p in paths
            ]
        else:
            results = template_library.load_shipped_templates(session)
        messages = [result.message for result in results]
        session.commit()
    except template_format.TemplateInvalid as invalid:
        session.rollback()
        for problem in invalid.errors:
            click.echo(str(problem), err=True)
        sys.exit(1)
    finally:
        session.close()
    for message in messages:
        click.echo(message)


@click.command("purge-identities")
@click.argument("audit_id", type=int)
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_appcontext
def purge_identities_command(audit_id: int, yes: bool) -> None:
    """Delete a closed audit's children's identities; the pseudonymised findings stay."""
    session = _session()
    try:
        audit = session.get(Audit, audit_id)
        if audit is None:
            raise click.ClickException(f"There is no audit {audit_id}")
        if not yes:
            click.confirm(
                f"Purge the identities of every child in '{audit.title}'? This cannot be undone",
                abort=True,
            )
        count = purge_identities(session, audit)
        session.commit()
    except DomainError as error:
        session.rollback()
        raise click.ClickException(error.message) from error
    finally:
        session.close()
    click.echo(f"The identities of {count} children have been purged. The findings remain.")


@click.group("actions")
def actions_group() -> None:
    """The action plans: reminders to owners."""


@actions_group.command("remind")
@click.option("--dry-run", is_flag=True, help="Say what would be sent; send and record nothing.")
@with_appcontext
def remind_command(dry_run: bool) -> None:
    """Remind owners of open actions due within 14 days (once) and overdue (weekly).

    Emails go out when SMTP is set up (AUDIT_SMTP_HOST); either way each reminder is
    recorded, so that it is not sent twice."""
    session = current_app.extensions["audit_db"].new_session(
        write=True, actor_label="system: action reminders"
    )
    base = current_app.config.get("AUDIT_SERVICE_URL") or "http://127.0.0.1:5000"

    def link_of(action: Action) -> str:
        return f"{base}/audits/{action.audit_id}/actions/{action.id}"

    smtp = smtp_settings(current_app.config)
    try:
        due, nobody = reminders.reminders_due(
            reminders.open_actions(session), reminders.sent_so_far(session), today(), link_of
        )
        emailed = failed = 0
        for reminder in due:
            sent = False
            if smtp is not None and not dry_run:
                try:
                    send_email(smtp, reminder.recipient, reminder.subject, reminder.body)
                    sent = True
                    emailed += 1
                except OSError as error:
                    failed += 1
                    click.echo(f"Could not email {reminder.recipient}: {error}", err=True)
            verb = "Would remind" if dry_run else ("Emailed" if sent else "Recorded")
            click.echo(
                f"{verb} {reminder.recipient}: {reminder.kind.label.lower()}, action "
                f"{reminder.action.id} ('{reminder.action.audit.title}', recommendation "
                f"{reminder.action.recommendation.number})"
            )
            if not dry_run:
                reminders.record(session, reminder, sent)
        for action in nobody:
            click.echo(
                f"No one to remind about action {action.id} ('{action.audit.title}'): it has "
                "no owner with an active account and no address to invite.",
                err=True,
            )
        if dry_run:
            session.rollback()
        else:
            session.commit()
    finally:
        session.close()
    if smtp is None and due and not dry_run:
        click.echo("Email is not set up (AUDIT_SMTP_HOST): the reminders were recorded only.")
    click.echo(
        f"{len(due)} {'reminder' if len(due) == 1 else 'reminders'}"
        f"{' would be' if dry_run else ''} due, {emailed} emailed"
        + (f", {failed} could not be emailed" if failed else "")
        + "."
    )


@click.group("export")
def export_group() -> None:
    """Write the audit workbook, the action tracker, the findings report or the meeting pack
    into a folder (exports/ by default). Each export is recorded in the audit log."""


def _write_export(make: Callable[..., exports.ExportedFile], out: Path, *args: Any) -> None:
    """Make the file, write it into ``out`` under its own name (a new name, ``-2`` and so
    on, rather than overwrite; readable by this user only), and record the export: the file
    and its record are kept together or not at all."""
    session = current_app.extensions["audit_db"].new_session(
        write=True, actor_label="system: command line export"
    )
    exporter = exports.Exporter(f"command line ({getpass.getuser()})", None, "command line")
    try:
        try:
            exported = make(session, *args, exporter, datetime.now(UTC))
        except DomainError as error:
            raise click.ClickException(str(error)) from error
        out.mkdir(parents=True, exist_ok=True)
        target = _new_file(out, exported.name)
        try:
            with os.fdopen(os.open(target, os.O_WRONLY), "wb") as file:
                file.write(exported.content)
            session.commit()
        except BaseException:
            target.unlink(missing_ok=True)
            raise
    finally:
        session.close()
    if exported.note:
        click.echo(exported.note, err=True)
    click.echo(f"Wrote {target} ({len(exported.content):,} bytes).")


def _new_file(folder: Path, name: str) -> Path:
    """A file of this name in the folder that did not exist before (made now, empty, mode
    600), or ``name-2``, ``name-3`` ... if it did: never another's file overwritten."""
    stem, suffix = Path(name).stem, Path(name).suffix
    number = 1
    while True:
        target = folder / (name if number == 1 else f"{stem}-{number}{suffix}")
        try:
            os.close(os.open(target, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
        except FileExistsError:
            number += 1
            continue
        return target


def _audit(session_audit_id: int) -> Audit:
    session = current_app.extensions["audit_db"].new_session()
    try:
        audit = session.get(Audit, session_audit_id)
    finally:
        session.close()
    if audit is None:
        raise click.ClickException(f"There is no audit {session_audit_id}.")
    return audit


OUT_OPTION = click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=PROJECT_ROOT / "exports",
    show_default="exports/",
    help="The folder to write into.",
)


@export_group.command("workbook")
@click.argument("audit_id", type=int)
@OUT_OPTION
@with_appcontext
def export_workbook_command(audit_id: int, out: Path) -> None:
    """The audit's workbook (.xlsx): a sheet for each part of the audit."""
    _audit(audit_id)
    _write_export(_with_audit(exports.export_audit_workbook, audit_id), out)


@export_group.command("report")
@click.argument("audit_id", type=int)
@OUT_OPTION
@with_appcontext
def export_report_command(audit_id: int, out: Path) -> None:
    """The audit's findings report (.docx), from the partnership's template if it has one."""
    _audit(audit_id)
    _write_export(_with_audit(_with_partnership(exports.export_findings_report), audit_id), out)


@export_group.command("tracker")
@OUT_OPTION
@with_appcontext
def export_tracker_command(out: Path) -> None:
    """The action tracker (.xlsx): every action across audits, drafts aside."""
    _write_export(exports.export_action_tracker, out)


@export_group.command("pack")
@OUT_OPTION
@click.option(
    "--since",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Show what changed since this day (YYYY-MM-DD); default: since the last pack.",
)
@with_appcontext
def export_pack_command(out: Path, since: datetime | None) -> None:
    """The subgroup's meeting pack (.docx): what changed since the last pack."""
    start = since.replace(tzinfo=PARTNERSHIP_TIME_ZONE) if since else None
    make = _with_partnership(exports.export_meeting_pack)
    _write_export(lambda *args: make(*args, since=start), out)


def _with_partnership(make: Callable[..., exports.ExportedFile]) -> Callable[..., Any]:
    """The Word reports name the partnership (AUDIT_PARTNERSHIP_NAME)."""
    name = str(current_app.config.get("AUDIT_PARTNERSHIP_NAME", ""))

    def with_partnership(*args: Any, **options: Any) -> Any:
        return make(*args, partnership=name, **options)

    return with_partnership


def _with_audit(make: Callable[..., exports.ExportedFile], audit_id: int) -> Callable[..., Any]:
    def with_audit(session: Any, exporter: exports.Exporter, at: datetime) -> Any:
        audit = session.get(Audit, audit_id)
        return make(session, audit, exporter, at)

    return with_audit


COMMANDS = (
    init_db_command,
    create_admin_command,
    demo_command,
    template_group,
    cohort_group,
    purge_identities_command,
    actions_group,
    export_group,
)


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
