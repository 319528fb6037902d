"""The administrator reads the append-only audit log, in words."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from flask import Blueprint, render_template, request
from sqlalchemy import select

from audit_app.accounts.models import User
from audit_app.audits.models import Audit
from audit_app.core.access import allow
from audit_app.core.audit_log import COUNT_LIMIT, Cursor, record_types, search_log
from audit_app.core.forms import AuditLogFilterForm
from audit_app.core.log_words import in_words, record_type_labels
from audit_app.core.roles import Role
from audit_app.core.web import db, parse_id

blueprint = Blueprint("log", __name__, template_folder="templates")

PAGING = ("older", "newer", "page")


@blueprint.app_template_filter("log_value")
def log_value(value: object) -> str:
    """Show a logged value as a person would write it."""
    if value is None or value == "":
        return "(empty)"
    if value is True:
        return "Yes"
    if value is False:
        return "No"
    if isinstance(value, str) and len(value) >= 19 and value[10:11] == "T":
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return value
        return moment.astimezone(UTC).strftime("%-d %b %Y %H:%M:%S UTC")
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


@blueprint.route("/admin/audit-log")
@allow(Role.ADMIN)
def audit_log() -> str:
    form = AuditLogFilterForm(request.args)
    people = db().scalars(select(User).order_by(User.full_name))
    form.person.choices = [("", "Anyone")] + [
        (str(u.id), f"{u.full_name} ({u.email})") for u in people
    ]
    form.record_type.choices = [("", "Any record"), *record_type_labels(record_types())]
    audits = db().execute(select(Audit.id, Audit.title).order_by(Audit.title, Audit.id))
    form.audit.choices = [("", "Any audit")] + [(str(key), title) for key, title in audits]
    filters: dict[str, object] = {}
    if not request.args or form.validate():
        filters = {
            "actor_id": parse_id(form.person.data),
            "record_type": form.record_type.data or None,
            "audit_id": parse_id(form.audit.data),
            "date_from": form.date_from.data,
            "date_to": form.date_to.data,
        }
    log_page = search_log(
        db(),
        older_than=Cursor.parse(request.args.get("older")),
        newer_than=Cursor.parse(request.args.get("newer")),
        **filters,  # type: ignore[arg-type]
    )
    # Keep every filter (a date is three values) in the links to other pages.
    query = {k: v for k, v in request.args.to_dict(flat=False).items() if k not in PAGING}
    return render_template(
        "log/audit_log.html",
        form=form,
        entries=in_words(db(), log_page.entries),
        total=log_page.total,
        count_limit=COUNT_LIMIT,
        newer=log_page.newer.token() if log_page.newer else None,
        older=log_page.older.token() if log_page.older else None,
        paged=bool(request.args.get("older") or request.args.get("newer")),
        query=query,
    )
