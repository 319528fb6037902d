"""Forms for uploading and comparing audit template versions."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired, FileSize
from govuk_frontend_wtf.wtforms_widgets import (
    GovFileInput,
    GovSelect,
    GovSubmitInput,
)
from wtforms import (
    SelectField,
    SubmitField,
)


class TemplateUploadForm(FlaskForm):
    file = FileField(
        "Template file",
        description="A YAML file (.yaml or .yml) of 1 MB or less",
        widget=GovFileInput(),
        validators=[
            FileRequired("Select a template file"),
            FileAllowed(["yaml", "yml"], "The file must be a .yaml or .yml file"),
            FileSize(max_size=1024 * 1024, message="The file must be 1 MB or less"),
        ],
    )
    submit = SubmitField("Upload and check", widget=GovSubmitInput())


class CompareVersionsForm(FlaskForm):
    class Meta:
        csrf = False  # a GET form that changes nothing

    old = SelectField("Earlier version", widget=GovSelect(), coerce=str)
    new = SelectField("Later version", widget=GovSelect(), coerce=str)
