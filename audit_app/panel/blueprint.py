"""The panel's pages for one audit, all under ``/panel/<audit_id>``."""

from __future__ import annotations

from flask import Blueprint

blueprint = Blueprint(
    "panel", __name__, template_folder="templates", url_prefix="/panel/<id:audit_id>"
)
