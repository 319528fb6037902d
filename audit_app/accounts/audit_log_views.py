"""The administrator reads the append-only audit log."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime

from flask import Blueprint, render_template, request
from sqlalchemy import select

from audit_app.accounts.models import User
from audit_app.core.access import allow
from audit_app.core.audit_log import PAGE_SIZE, record_types, search_log
from audit_app.core.forms import AuditLogFilterForm
from audit_app.core.roles import Role
from audit_app.core.web import db, parse_id

MAX_PAGE = 100_000

blueprint = Blueprint("log", __name__, template_folder="templates")


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
    form.record_type.choices = [("", "Any record")] + [(name, name) for name in record_types()]
    filters: dict[str, object] = {}
    if not request.args or form.validate():
        filters = {
            "actor_id": parse_id(form.person.data),
            "record_type": form.record_type.data or None,
            "date_from": form.date_from.data,
            "date_to": form.date_to.data,
        }
    page_number = min(parse_id(request.args.get("page")) or 1, MAX_PAGE)
    entries, total = search_log(db(), page=page_number, **filters)  # type: ignore[arg-type]
    pages = max(1, math.ceil(total / PAGE_SIZE))
    # Keep every filter (a date is three values) in the links to other pages.
    query = {k: v for k, v in request.args.to_dict(flat=False).items() if k != "page"}
    return render_template(
        "log/audit_log.html",
        form=form,
        entries=entries,
        total=total,
        page=page_number,
        pages=pages,
        query=query,
    )
