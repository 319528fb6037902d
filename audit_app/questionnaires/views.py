"""Audit templates: the list to choose from, a preview as reviewers see it, uploads, versions."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from audit_app.agencies.models import SECTOR_LABELS
from audit_app.core.access import allow
from audit_app.core.commit_point import discard_changes
from audit_app.core.roles import Role
from audit_app.core.web import db, parse_id
from audit_app.questionnaires import library as template_library
from audit_app.questionnaires.answer_types import ANSWER_TYPES, estimate_return
from audit_app.questionnaires.definitions import LENS_LABELS, placement_label
from audit_app.questionnaires.forms import CompareVersionsForm, TemplateUploadForm
from audit_app.questionnaires.models import AuditTemplate, AuditTemplateVersion
from audit_app.questionnaires.section_forms import section_form
from audit_app.questionnaires.template_format import COLUMN_LABELS, TemplateInvalid

blueprint = Blueprint(
    "audit_templates", __name__, url_prefix="/admin/templates", template_folder="templates"
)


@blueprint.route("")
@allow(Role.ADMIN)
def index() -> str:
    return render_template(
        "audit_templates/index.html", templates=template_library.list_templates(db())
    )


@blueprint.route("/upload", methods=["GET", "POST"])
@allow(Role.ADMIN)
def upload() -> str | Response:
    form = TemplateUploadForm()
    problems = None
    if form.validate_on_submit():
        upload = form.file.data
        try:
            result = template_library.load_template(
                db(), upload.read(), upload.filename, user_id=current_user.id
            )
        except TemplateInvalid as invalid:
            discard_changes()
            problems = invalid.errors
        else:
            flash(result.message)
            return redirect(url_for("audit_templates.preview", version_id=result.version.id))
    problem = None
    if problems:
        count = f"{len(problems)} problem{'s' if len(problems) != 1 else ''}"
        problem = (
            f"The template was not saved: it has {count}. Correct the file and upload it again."
        )
    return render_template(
        "audit_templates/upload.html",
        form=form,
        problems=problems,
        problem=problem,
        problem_href="#template-problems",
    )


@blueprint.route("/<id:template_id>")
@allow(Role.ADMIN)
def history(template_id: int) -> str:
    template = db().get(AuditTemplate, template_id) or abort(404)
    versions = sorted(template.versions, key=lambda v: (v.created_at, v.id), reverse=True)
    form = CompareVersionsForm(request.args)
    choices = [(str(v.id), f"Version {v.version_label} ({v.content_hash[:8]})") for v in versions]
    form.old.choices = choices
    form.new.choices = choices
    diff = old = new = None
    if len(versions) > 1:
        old = _version_of(template, request.args.get("old")) or versions[1]
        new = _version_of(template, request.args.get("new")) or versions[0]
        form.old.data, form.new.data = str(old.id), str(new.id)
        diff = template_library.compare_versions(old, new)
    return render_template(
        "audit_templates/history.html",
        template=template,
        versions=versions,
        definitions={v.id: template_library.definition_of(v) for v in versions},
        form=form,
        diff=diff,
        old=old,
        new=new,
    )


def _version_of(template: AuditTemplate, value: str | None) -> AuditTemplateVersion | None:
    version_id = parse_id(value)
    return next((v for v in template.versions if v.id == version_id), None)


@blueprint.route("/versions/<id:version_id>")
@allow(Role.ADMIN)
def preview(version_id: int) -> str:
    version = db().get(AuditTemplateVersion, version_id) or abort(404)
    whole = template_library.definition_of(version)
    sector_labels = {sector.value: label for sector, label in SECTOR_LABELS.items()}
    sector = request.args.get("sector")
    if sector not in sector_labels:
        sector = None
    definition = whole.for_sector(sector) if sector else whole
    forms = [section_form(definition, section, read_only=True) for section in definition.sections]
    return render_template(
        "audit_templates/preview.html",
        version=version,
        definition=definition,
        whole=whole,
        sector=sector,
        estimates={value: estimate_return(whole.for_sector(value)) for value in sector_labels},
        sections=list(zip(definition.sections, forms, strict=True)),
        answer_types=ANSWER_TYPES,
        column_labels=COLUMN_LABELS,
        lens_labels=LENS_LABELS,
        placement_label=placement_label,
        sector_labels=sector_labels,
    )
