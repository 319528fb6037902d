"""The offline workbook: a reviewer downloads their agency's workbook for an audit, fills it
in offline, uploads it, checks every change it makes and saves them as draft.

Between the check and the save nothing is kept on the server: the page carries what was read
from the workbook in a hidden field, signed so it cannot be altered, and the save compares
every return's version with the one the reviewer was shown.
"""

from __future__ import annotations

import io
import re
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired, FileSize
from govuk_frontend_wtf.wtforms_widgets import GovFileInput, GovRadioInput, GovSubmitInput
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.wrappers import Response
from wtforms import RadioField, SubmitField
from wtforms.validators import InputRequired

from audit_app.agencies.models import Agency
from audit_app.audits.models import Audit, AuditStatus
from audit_app.core.access import allow
from audit_app.core.errors import DomainError
from audit_app.core.models import today
from audit_app.core.roles import Role
from audit_app.core.web import db
from audit_app.questionnaires.definitions import AuditTemplateDefinition
from audit_app.questionnaires.library import definition_of
from audit_app.returns.answering import EDITABLE, ReturnConflict
from audit_app.returns.reviewing_views import agency_args, reviewing_agency_id
from audit_app.workbooks import workbook
from audit_app.workbooks.workbook import AgencyWorkbook, ChangePlan, UploadedWorkbook, WorkbookError

blueprint = Blueprint("workbooks", __name__, template_folder="templates")

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TOKEN_SALT = "workbook-upload"  # noqa: S105 (a salt, not a secret)
TOKEN_MAX_AGE = 24 * 60 * 60
TOKEN_PART = 400_000
"""The signed upload is split over hidden fields of at most this many characters (each form
field must stay under Flask's MAX_FORM_MEMORY_SIZE)."""


class WorkbookUploadForm(FlaskForm):
    file = FileField(
        "Upload your workbook",
        description="The Excel workbook (.xlsx) you downloaded from this page and filled in",
        widget=GovFileInput(),
        validators=[
            FileRequired("Select your workbook"),
            FileAllowed(["xlsx"], "The file must be an Excel workbook (.xlsx)"),
            FileSize(max_size=workbook.MAX_BYTES, message="The file must be 10 MB or less"),
        ],
    )
    submit = SubmitField("Upload and check", widget=GovSubmitInput())


def _own_audit(audit_id: int) -> Audit:
    """An audit open to returns that the signed-in reviewer's agency takes part in; any other
    audit is not found."""
    audit = db().get(Audit, audit_id)
    if audit is None or audit.status is AuditStatus.DRAFT or audit.template_version is None:
        abort(404)
    g.workbook_agency_id = reviewing_agency_id(audit, request.endpoint or "workbooks.upload")
    g.workbook_agency_args = agency_args(audit, g.workbook_agency_id)
    return audit


def _agency_id() -> int:
    """The agency whose workbook this is: one the signed-in person reviews for (see
    ``_own_audit``)."""
    return int(g.workbook_agency_id)


def _agency() -> Agency | None:
    return db().get(Agency, _agency_id())


def _as_the_agency_sees_it(definition: AuditTemplateDefinition) -> AuditTemplateDefinition:
    """Only what the template asks of the agency's sector."""
    agency = _agency()
    return definition.for_sector(agency.sector.value) if agency else definition


# --- Download --------------------------------------------------------------------------------


@blueprint.route("/audits/<id:audit_id>/workbook")
@allow(Role.REVIEWER)
def download(audit_id: int) -> Response:
    audit = _own_audit(audit_id)
    contents = workbook.agency_workbook(db(), audit, _agency_id())
    data = workbook.build_workbook(
        contents,
        current_app.config["SECRET_KEY"],
        upload_url=url_for(
            "workbooks.upload", audit_id=audit.id, _external=True, **g.workbook_agency_args
        ),
    )
    name = re.sub(r"[^A-Za-z0-9]+", "-", f"{audit.title} {contents.agency_name}").strip("-")
    return send_file(
        io.BytesIO(data),
        mimetype=XLSX,
        as_attachment=True,
        download_name=f"{name[:80] or 'audit'}-workbook-{today().isoformat()}.xlsx",
    )


# --- Upload and check ------------------------------------------------------------------------


@blueprint.route("/audits/<id:audit_id>/workbook/upload", methods=["GET", "POST"])
@allow(Role.REVIEWER)
def upload(audit_id: int) -> str:
    audit = _own_audit(audit_id)
    form = WorkbookUploadForm()
    if not form.validate_on_submit():
        return _render_upload(audit, form)
    if audit.status is not AuditStatus.COLLECTING:
        return _render_upload(audit, form, problem="This audit is not collecting returns")
    upload = form.file.data
    filename = _safe_name(upload.filename)
    contents = workbook.agency_workbook(db(), audit, _agency_id())
    try:
        uploaded = workbook.read_workbook(
            upload.read(workbook.MAX_BYTES + 1),
            key=current_app.config["SECRET_KEY"],
            definition=contents.definition,
            audit_id=audit.id,
            agency_id=_agency_id(),
            filename=filename,
            earlier_hashes=_earlier_hashes(audit),
        )
    except WorkbookError as error:
        return _render_upload(audit, form, problems=error.problems)
    plan = workbook.plan_changes(uploaded, contents)
    return _render_preview(
        audit, contents, plan, uploaded, filename, _confirm_form(plan, contents, formdata=None)
    )


def _earlier_hashes(audit: Audit) -> frozenset[str]:
    version = audit.template_version
    replaced = version.replaced_content_hash if version is not None else None
    return frozenset({replaced} if replaced else set())


def _safe_name(filename: str | None) -> str:
    name = re.sub(r"[\x00-\x1f]", "", (filename or "").rsplit("/", 1)[-1].rsplit("\\", 1)[-1])
    return name[:120] or "The workbook"


def _render_upload(
    audit: Audit,
    form: WorkbookUploadForm,
    *,
    problem: str | None = None,
    problems: list[workbook.WorkbookProblem] | None = None,
) -> str:
    if problems and problem is None:
        if len(problems) == 1:
            problem = f"Nothing has been saved. {problems[0]}"
        else:
            problem = (
                f"Nothing has been saved: the workbook has {len(problems)} problems. Correct "
                "them in the workbook and upload it again."
            )
    statuses = workbook.return_statuses(db(), audit, _agency_id())
    return render_template(
        "workbooks/upload.html",
        audit=audit,
        agency=_agency(),
        definition=_as_the_agency_sees_it(definition_of(audit.template_version)),
        children=len(statuses),
        editable=sum(1 for status in statuses if status in EDITABLE),
        collecting=audit.status is AuditStatus.COLLECTING,
        form=form,
        problems=problems,
        problem=problem,
        problem_href="#workbook-problems" if problems else "#file",
    )


# --- Confirm ---------------------------------------------------------------------------------


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=TOKEN_SALT)


def _token(audit: Audit, plan: ChangePlan, uploaded: UploadedWorkbook, filename: str) -> list[str]:
    """What the page must carry to the save, signed, in parts."""
    token = _serializer().dumps(
        {
            "user": current_user.id,
            "audit": audit.id,
            "agency": _agency_id(),
            "filename": filename,
            "versions": plan.versions(),
            "workbook": uploaded.to_data(),
        }
    )
    return [token[i : i + TOKEN_PART] for i in range(0, len(token), TOKEN_PART)]


def _read_token(audit: Audit, template_hash: str) -> tuple[UploadedWorkbook, dict, str] | None:
    token = "".join(request.form.getlist("upload"))
    if not token:
        return None
    try:
        data = _serializer().loads(token, max_age=TOKEN_MAX_AGE)
        uploaded = UploadedWorkbook.from_data(data["workbook"])
    except (BadSignature, KeyError, TypeError, ValueError):
        return None
    if (
        data.get("user") != current_user.id
        or data.get("audit") != audit.id
        or data.get("agency") != _agency_id()
        or uploaded.audit_id != audit.id
        or uploaded.agency_id != _agency_id()
        or uploaded.template_hash != template_hash
    ):
        return None
    return uploaded, data.get("versions") or {}, str(data.get("filename") or "The workbook")


def _confirm_form(plan: ChangePlan, contents: AgencyWorkbook, **kwargs: Any) -> FlaskForm:
    """A form with a choice for each answer changed both online and in the workbook."""
    definition = contents.definition
    fields: dict[str, Any] = {}
    for return_plan, change in plan.conflicts:
        question = change.question
        online = workbook.describe(question, change.online, definition).replace("\n", "; ")
        offline = workbook.describe(question, change.workbook, definition).replace("\n", "; ")
        fields[change.choice_name(return_plan.return_id)] = RadioField(
            question.text,
            choices=[
                ("online", f"Keep the online answer: {online}"),
                ("workbook", f"Use the workbook answer: {offline}"),
            ],
            validators=[
                InputRequired(
                    f"Choose which answer to keep for '{question.text}' ({return_plan.child_code})"
                )
            ],
            widget=GovRadioInput(),
        )
    fields["submit"] = SubmitField("Save as draft", widget=GovSubmitInput())
    return type("WorkbookConfirmForm", (FlaskForm,), fields)(**kwargs)


def _render_preview(
    audit: Audit,
    contents: AgencyWorkbook,
    plan: ChangePlan,
    uploaded: UploadedWorkbook,
    filename: str,
    form: FlaskForm,
    problem: str | None = None,
) -> str:
    return render_template(
        "workbooks/preview.html",
        audit=audit,
        agency=_agency(),
        definition=contents.definition,
        plan=plan,
        uploaded=uploaded,
        filename=filename,
        form=form,
        token=_token(audit, plan, uploaded, filename),
        describe=workbook.describe,
        problem=problem,
        problem_href="#changes",
    )


@blueprint.route("/audits/<id:audit_id>/workbook/confirm", methods=["POST"])
@allow(Role.REVIEWER)
def confirm(audit_id: int) -> str | Response:
    audit = _own_audit(audit_id)
    session = db()
    contents = workbook.agency_workbook(session, audit, _agency_id())
    loaded = _read_token(audit, contents.definition.content_hash)
    if loaded is None:
        return _render_upload(
            audit,
            WorkbookUploadForm(formdata=None),
            problem="Your upload has expired or could not be read, so nothing has been saved. "
            "Upload the workbook again.",
        )
    uploaded, versions, filename = loaded
    plan = workbook.plan_changes(uploaded, contents)
    if plan.versions() != versions:
        return _render_preview(
            audit,
            contents,
            plan,
            uploaded,
            filename,
            _confirm_form(plan, contents, formdata=None),
            problem=MOVED_ON,
        )
    form = _confirm_form(plan, contents)
    if not form.validate_on_submit():
        return _render_preview(audit, contents, plan, uploaded, filename, form)
    choices = {}
    for return_plan, change in plan.conflicts:
        name = change.choice_name(return_plan.return_id)
        choices[name] = form[name].data
    try:
        result = workbook.apply_plan(
            session,
            plan,
            choices,
            current_user,
            agency_id=_agency_id(),
            audit_id=audit.id,
        )
    except (ReturnConflict, DomainError) as error:
        session.rollback()
        contents = workbook.agency_workbook(session, audit, _agency_id())
        plan = workbook.plan_changes(uploaded, contents)
        return _render_preview(
            audit,
            contents,
            plan,
            uploaded,
            filename,
            _confirm_form(plan, contents, formdata=None),
            problem=MOVED_ON if isinstance(error, ReturnConflict) else error.message,
        )
    flash(_saved_message(result, bool(plan.conflicts)))
    return redirect(url_for("workbooks.upload", audit_id=audit.id, **g.workbook_agency_args))


MOVED_ON = (
    "Someone saved some of these returns while you were checking the changes, so nothing has "
    "been saved. The changes below are up to date: check them and save again."
)


def _saved_message(result: workbook.SaveResult, kept_online: bool) -> str:
    if result.saved:
        counts = ", ".join(
            f"{count} {'answer' if count == 1 else 'answers'} for {child}"
            for child, count in result.saved
        )
        message = f"Your workbook's answers have been saved as drafts: {counts}."
    elif kept_online:
        message = "Nothing was changed: you kept the online answers."
    else:
        message = "Nothing was changed."
    if result.locked:
        message += (
            " Not changed, because they have already been sent in: "
            + ", ".join(result.locked)
            + ". Ask the audit lead to return them for amendment, then upload the workbook "
            "again."
        )
    return message
