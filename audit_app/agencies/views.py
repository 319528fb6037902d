"""The partnership administrator's agency pages."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from audit_app.agencies import register as agencies
from audit_app.agencies.forms import AgencyForm
from audit_app.agencies.models import Agency, AgencySector
from audit_app.core.access import allow
from audit_app.core.errors import DomainError
from audit_app.core.forms import attach_error
from audit_app.core.roles import Role
from audit_app.core.web import db

blueprint = Blueprint("agencies", __name__, url_prefix="/admin", template_folder="templates")


@blueprint.route("/agencies", endpoint="index")
@allow(Role.ADMIN)
def agencies_page() -> str:
    return render_template("agencies/agencies.html", agencies=agencies.list_agencies(db()))


@blueprint.route("/agencies/new", methods=["GET", "POST"])
@allow(Role.ADMIN)
def agency_new() -> str | Response:
    return _agency_form(None)


@blueprint.route("/agencies/<id:agency_id>", methods=["GET", "POST"])
@allow(Role.ADMIN)
def agency_edit(agency_id: int) -> str | Response:
    agency = db().get(Agency, agency_id) or abort(404)
    return _agency_form(agency)


def _agency_form(agency: Agency | None) -> str | Response:
    form = AgencyForm(obj=agency) if agency else AgencyForm(is_active=True)
    if request.method == "GET" and agency is not None:
        form.sector.data = agency.sector.value
    if form.validate_on_submit():
        try:
            saved = agencies.save_agency(
                db(),
                agency,
                name=form.name.data or "",
                short_name=form.short_name.data or "",
                sector=AgencySector(form.sector.data),
                contact_email=form.contact_email.data,
                is_active=bool(form.is_active.data),
            )
        except DomainError as error:
            attach_error(form, error)
        else:
            flash(f"{saved.name} has been {'saved' if agency else 'added'}.")
            return redirect(url_for("agencies.index"))
    return render_template("agencies/agency_form.html", form=form, agency=agency)
