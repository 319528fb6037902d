"""Exports and the partnership's report templates in the audit log's words."""

from __future__ import annotations

from audit_app.core.log_words import Describer, enum_words, register_describer
from audit_app.exports.models import EXPORT_KIND_LABELS, ExportKind


def _kind_words(values: dict, _named: object) -> str:  # type: ignore[type-arg]
    kind = values.get("kind")
    try:
        return EXPORT_KIND_LABELS[ExportKind(kind)]
    except ValueError:
        return "Export"


def register() -> None:
    register_describer(
        Describer(
            "export_record",
            "Export",
            "Exports",
            fields={
                "kind": "What",
                "file_name": "File",
                "size_bytes": "Size (bytes)",
                "sha256": "SHA-256 of the file",
                "exported_by_label": "Made on the command line by",
                "via": "How",
                "exported_by_id": "Made by",
            },
            refers={"audit_id": "audit", "exported_by_id": "user"},
            values={
                "kind": enum_words(ExportKind),
                "via": {"download": "Downloaded", "command line": "Made on the command line"},
            },
            fallback=lambda values, named: f"{_kind_words(values, named)} file",
        )
    )
    register_describer(
        Describer(
            "report_template",
            "Report template",
            "Report templates",
            fields={
                "kind": "Report",
                "file_name": "File",
                "sha256": "SHA-256 of the file",
                "uploaded_by_id": "Uploaded by",
            },
            refers={"uploaded_by_id": "user"},
            values={"kind": enum_words(ExportKind)},
            fallback=lambda values, named: (
                f"The partnership's {_kind_words(values, named).lower()} template"
            ),
        )
    )
