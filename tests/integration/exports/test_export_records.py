"""Every export is recorded (who, what, when, how) and in the audit log; the command line
writes safe file names into exports/ and never overwrites; the administrator's own report
template is checked before it is used."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime
from pathlib import Path

from docx import Document
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from audit_app.core.models import AuditLogEntry
from audit_app.core.roles import Role
from audit_app.exports.models import ExportKind, ExportRecord, ReportTemplate
from audit_app.exports.records import file_name, slug
from audit_app.exports.word import shipped_template
from tests.conftest import make_user, page, sign_in, text_of
from tests.integration.panel.conftest import PanelClients


def _admin(app: Flask, session: Session) -> FlaskClient:
    person = make_user(session, Role.ADMIN, email="admin.person@example.org")
    session.commit()
    client = app.test_client()
    assert sign_in(client, person.email).status_code == 302
    return client


def _upload(client: FlaskClient, kind: str, content: bytes, name: str = "ours.docx") -> object:
    soup = page(client.get("/report-templates"))
    token = soup.find("input", attrs={"name": "csrf_token"})["value"]
    return client.post(
        f"/report-templates/{kind}",
        data={"csrf_token": token, "template": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
    )


def _with_paragraph(template: bytes, words: str) -> bytes:
    document = Document(io.BytesIO(template))
    document.add_paragraph(words)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_file_names_are_safe_and_say_what_and_when() -> None:
    at = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)
    assert slug("Children in crisis: ../../etc/passwd & <script>") == (
        "children-in-crisis-etc-passwd-script"
    )
    assert slug("Écoles / Ward 14 — 2020") == "ecoles-ward-14-2020"
    assert file_name(ExportKind.ACTION_TRACKER, at) == "action-tracker-2026-12-01.xlsx"
    assert file_name(ExportKind.MEETING_PACK, at) == "subgroup-meeting-pack-2026-12-01.docx"


def test_the_administrator_replaces_a_report_template_and_an_unknown_field_is_refused(
    app: Flask, panel_world: PanelClients, session: Session
) -> None:
    client = _admin(app, session)
    listed = text_of(page(client.get("/report-templates")))
    assert "The template that comes with the service" in listed

    refused = _upload(
        client,
        "findings_report",
        _with_paragraph(shipped_template("findings_report"), "Child: {{ child_name }}"),
    )
    assert refused.status_code == 400
    said = text_of(page(refused))
    assert "child_name" in said and "There is a problem" in said
    refused = _upload(client, "findings_report", b"not a word document", "report.docx")
    assert refused.status_code == 400
    assert session.scalar(select(ReportTemplate)) is None

    ours = _with_paragraph(shipped_template("findings_report"), "Published by Ourtown LSCP")
    done = _upload(client, "findings_report", ours)
    assert done.status_code == 302
    stored = session.scalars(select(ReportTemplate)).one()
    assert stored.kind is ExportKind.FINDINGS_REPORT and stored.content == ours
    assert "ours.docx" in text_of(page(client.get("/report-templates")))
    again = client.get("/report-templates/findings_report.docx")
    assert again.status_code == 200 and again.data == ours
    logged = session.scalars(
        select(AuditLogEntry).where(AuditLogEntry.record_type == "report_template")
    ).all()
    assert logged and "content" not in (logged[0].after or {})

    # The lead's report now uses it.
    world = panel_world.world
    form = page(panel_world.lead.get(f"/audits/{world.audit.id}/downloads"))
    token = form.find("input", attrs={"name": "csrf_token"})["value"]
    report = panel_world.lead.post(
        f"/audits/{world.audit.id}/downloads/findings-report", data={"csrf_token": token}
    )
    assert report.status_code == 200
    assert "Published by Ourtown LSCP" in _document_text(report.data)

    # And back to the shipped one.
    listed_page = page(client.get("/report-templates"))
    token = listed_page.find("input", attrs={"name": "csrf_token"})["value"]
    assert (
        client.post(
            "/report-templates/findings_report/remove", data={"csrf_token": token}
        ).status_code
        == 302
    )
    assert session.scalar(select(ReportTemplate)) is None
    assert client.get("/report-templates/findings_report.docx").data == shipped_template(
        "findings_report"
    )
    assert client.get("/report-templates/workbook.docx").status_code == 404


def _document_text(content: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(content)) as package:
        return package.read("word/document.xml").decode()


def test_the_command_line_writes_each_export_into_a_folder_and_records_it(
    app: Flask, panel_world: PanelClients, session: Session, tmp_path: Path
) -> None:
    world = panel_world.world
    runner = app.test_cli_runner()
    for args in (
        ["workbook", str(world.audit.id)],
        ["report", str(world.audit.id)],
        ["tracker"],
        ["pack"],
        ["workbook", str(world.audit.id)],
    ):
        result = runner.invoke(args=["export", *args, "--out", str(tmp_path)])
        assert result.exit_code == 0, result.output
        assert result.output.startswith(f"Wrote {tmp_path}/")
    names = sorted(path.name for path in tmp_path.iterdir())
    stem = f"{slug(world.audit.title)}-audit-workbook-{datetime.now(UTC).date().isoformat()}"
    assert f"{stem}.xlsx" in names and f"{stem}-2.xlsx" in names  # never overwritten
    assert len(names) == 5 and not any(name.endswith(".part") for name in names)
    assert all((tmp_path / name).stat().st_mode & 0o777 == 0o600 for name in names)
    records = session.scalars(select(ExportRecord).order_by(ExportRecord.id)).all()
    assert [r.kind for r in records] == [
        ExportKind.AUDIT_WORKBOOK,
        ExportKind.FINDINGS_REPORT,
        ExportKind.ACTION_TRACKER,
        ExportKind.MEETING_PACK,
        ExportKind.AUDIT_WORKBOOK,
    ]
    assert all(
        r.via == "command line" and r.exported_by_label.startswith("command line") for r in records
    )
    assert (
        len(
            session.scalars(
                select(AuditLogEntry).where(AuditLogEntry.record_type == "export_record")
            ).all()
        )
        == 5
    )

    admin = _admin(app, session)
    log = text_of(page(admin.get("/admin/audit-log")))
    assert "Meeting pack file" in log or "Subgroup meeting pack file" in log
    assert "Audit workbook file" in log and "Made on the command line" in log

    since = runner.invoke(args=["export", "pack", "--since", "2026-01-31", "--out", str(tmp_path)])
    assert since.exit_code == 0, since.output
    wrong = runner.invoke(args=["export", "pack", "--since", "31/01/2026", "--out", str(tmp_path)])
    assert wrong.exit_code != 0 and "--since" in wrong.output

    missing = runner.invoke(args=["export", "workbook", "999999", "--out", str(tmp_path)])
    assert missing.exit_code != 0 and "There is no audit 999999" in missing.output


def test_the_subgroup_chooses_what_the_meeting_pack_counts_changes_since(
    app: Flask, panel_world: PanelClients, session: Session
) -> None:
    person = make_user(session, Role.SUBGROUP, email="subgroup.person@example.org")
    session.commit()
    client = app.test_client()
    assert sign_in(client, person.email).status_code == 302
    dashboard = page(client.get("/action-plans"))
    assert "No pack has been made yet" in text_of(dashboard)
    token = dashboard.find("input", attrs={"name": "csrf_token"})["value"]
    wrong = client.post(
        "/action-plans/meeting-pack",
        data={"csrf_token": token, "since-day": "31", "since-month": "2", "since-year": "2026"},
    )
    assert wrong.status_code == 302 and wrong.headers["Location"].endswith("#downloads")
    assert "Enter a real date" in text_of(page(client.get("/action-plans")))
    assert session.scalar(select(ExportRecord)) is None
    chosen = client.post(
        "/action-plans/meeting-pack",
        data={"csrf_token": token, "since-day": "1", "since-month": "11", "since-year": "2026"},
    )
    assert chosen.status_code == 200
    assert "1 November 2026" in _document_text(chosen.data)
    assert "The last pack was made by" in text_of(page(client.get("/action-plans")))
