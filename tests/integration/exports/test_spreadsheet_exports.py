"""The audit workbook and the action tracker: who may download them, what is in them (the
same figures as the panel's pages), the audit log, no child's identity, no formula, and
LibreOffice opening both."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from audit_app.actions.models import Action, ActionEvent, ActionState, ActionUpdate, UpdateStatus
from audit_app.audits.models import AuditStatus
from audit_app.core.models import AuditLogEntry, today, utcnow
from audit_app.core.roles import Role
from audit_app.exports.models import ExportKind, ExportRecord
from audit_app.panel.board import tag_item
from audit_app.panel.children import overall_question
from audit_app.panel.findings import (
    FindingDraft,
    RecommendationDraft,
    add_finding,
    add_recommendation,
)
from audit_app.panel.models import AgreedGrade
from audit_app.panel.reading import read_panel_audit
from audit_app.returns.models import Answer
from tests.conftest import make_user, page, sign_in
from tests.integration.panel.conftest import PanelClients
from tests.office import converted_to_pdf

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_FINDING = '=HYPERLINK("http://evil.example","Click")'
FORMULA_RECOMMENDATION = "+SUM(1,2) then @cmd|' /C calc'!A0"


def _csrf(client: FlaskClient, url: str) -> str:
    soup = page(client.get(url))
    field = soup.find("input", attrs={"name": "csrf_token"})
    assert field is not None, f"no form on {url}"
    return str(field["value"])


def _download(client: FlaskClient, form_page: str, url: str) -> Any:
    return client.post(url, data={"csrf_token": _csrf(client, form_page)})


def _enrich(session: Session, panel_world: PanelClients) -> dict[str, Any]:
    """A theme tagged on two children's answers, a finding and a recommendation whose words a
    spreadsheet would take for formulas, an action with an update, an agreed grade, and
    identities with dates of birth and references."""
    world = panel_world.world
    panel = read_panel_audit(session, world.audit)
    answers = list(
        session.scalars(
            select(Answer).where(Answer.return_id.in_([r.id for r in world.returns.values()]))
        )
    )
    first = tag_item(
        session, panel, "answer", answers[0].id, None, "Communication with school", None
    )
    tag_item(session, panel, "answer", answers[-1].id, first.theme_id, "", None)
    finding = add_finding(
        session, world.audit, FindingDraft("worried_about", FORMULA_FINDING, [first.theme_id])
    )
    recommendation = add_recommendation(
        session, world.audit, RecommendationDraft(FORMULA_RECOMMENDATION, [finding.id])
    )
    action = Action(
        audit_id=world.audit.id,
        recommendation_id=recommendation.id,
        description="Train every designated safeguarding lead",
        success_measure="80% of leads trained by March",
        lead_agency_id=world.agencies[0].id,
        invitee_name="Jo Bloggs",
        invitee_email="jo@example.org",
        target_date=today() - timedelta(days=5),
        state=ActionState.OPEN,
    )
    session.add(action)
    session.flush()
    session.add(
        ActionEvent(
            action_id=action.id, at=utcnow() - timedelta(days=40), to_state=ActionState.OPEN
        )
    )
    session.add(
        ActionUpdate(action_id=action.id, status=UpdateStatus.AT_RISK, progress="Half trained")
    )
    question = overall_question(panel.definition)
    assert question is not None
    session.add(
        AgreedGrade(
            member_id=world.members[0].id,
            question_id=question.id,
            grade=str(question_choices(panel, question)[0]),
            rationale="Agreed at the panel",
        )
    )
    secrets = []
    for n, member in enumerate(world.members):
        assert member.identity is not None
        member.identity.date_of_birth = date(2010, 3, 14 + n)
        member.identity.references = {"social care": f"SECRETREF{n}99"}
        born = member.identity.date_of_birth
        secrets += [
            member.identity.full_name,
            *member.identity.full_name.split(),
            f"SECRETREF{n}99",
            member.identity.local_id,
            born.isoformat(),
            born.strftime("%d/%m/%Y"),
            born.strftime("%-d %B %Y"),
            f"<v>{(born - date(1899, 12, 30)).days}</v>",  # as a spreadsheet's date number
        ]
    session.commit()
    return {"theme": first.theme_id, "finding": finding, "recommendation": recommendation,
            "action": action, "secrets": secrets}  # fmt: skip


def question_choices(panel: Any, question: Any) -> list[str]:
    from audit_app.questionnaires.answer_types import answer_type

    return [c.value for c in answer_type(question).choices(question, panel.scales) or []]


def _rows(book: Any, sheet: str) -> list[dict[str, Any]]:
    rows = list(book[sheet].iter_rows(values_only=True))
    header = rows[0]
    return [dict(zip(header, row, strict=True)) for row in rows[1:]]


def test_the_lead_downloads_the_audit_workbook_with_the_panels_figures(
    app: Flask, panel_world: PanelClients, session: Session, tmp_path: Path
) -> None:
    world = panel_world.world
    made = _enrich(session, panel_world)
    base = f"/audits/{world.audit.id}/downloads"
    response = _download(panel_world.lead, base, base + "/workbook")
    assert response.status_code == 200
    assert response.mimetype == XLSX
    disposition = response.headers["Content-Disposition"]
    assert re.search(
        r"attachment; filename=[a-z0-9-]+-audit-workbook-\d{4}-\d{2}-\d{2}\.xlsx", disposition
    )
    assert response.headers["Cache-Control"] == "no-store"
    content = response.data
    book = load_workbook(io.BytesIO(content))

    # The accessible spreadsheet conventions: each sheet one named table from A1, a frozen
    # header, short sheet names, no merged cells, the first sheet active.
    assert book.sheetnames[:2] == ["About", "Contents"]
    assert book.active.title == "About"
    for sheet in book.worksheets:
        assert len(sheet.title) <= 31
        assert len(sheet.tables) == 1, sheet.title
        table = next(iter(sheet.tables.values()))
        assert table.ref.startswith("A1:") and table.autoFilter is not None
        assert sheet.freeze_panes == "A2"
        assert not sheet.merged_cells.ranges
        assert all(cell.value not in (None, "") for cell in sheet[1])
        assert all(
            any(v not in (None, "") for v in row) for row in sheet.iter_rows(values_only=True)
        )
    contents = _rows(book, "Contents")
    assert [row["Sheet"] for row in contents] == book.sheetnames
    for row in contents:
        rows = book[row["Sheet"]].max_row - 1
        assert row["Rows"] == rows or (row["Rows"] == 0 and rows == 1), row["Sheet"]

    # The board's counts, as the board page shows them.
    board_page = page(panel_world.lead.get(f"/panel/{world.audit.id}/board"))
    shown = {
        cell["data-board-count"]: int(cell.get_text())
        for cell in board_page.select("[data-board-count]")
    }
    sheet_totals = {
        row["Signs of Safety column"]: row["All items"]
        for row in _rows(book, "Signs of Safety board")
        if row["Sub-heading"] == "All"
    }
    assert sheet_totals["What's working well"] == shown["working_well"]
    assert sheet_totals["What are we worried about"] == shown["worried_about"]
    assert sheet_totals["What needs to happen"] == shown["needs_to_happen"]

    # The themes with their reach, as the themes page shows them.
    themes_page = page(panel_world.lead.get(f"/panel/{world.audit.id}/themes"))
    row = themes_page.find("a", string="Communication with school").find_parent("tr")
    cells = [cell.get_text(strip=True) for cell in row.find_all("td")]
    theme = next(r for r in _rows(book, "Themes") if r["Theme"] == "Communication with school")
    assert [
        str(theme["Children it reaches"]),
        str(theme["Agencies it reaches"]),
        str(theme["Items tagged"]),
    ] == cells[:3]

    # The cohort as the children page counts it.
    children_page = page(panel_world.lead.get(f"/panel/{world.audit.id}/children"))
    cohort = {row["Child"]: row for row in _rows(book, "Cohort")}
    assert list(cohort) == [m.code for m in world.members]
    for row in children_page.select("main table tbody tr"):
        code = row.find("th").get_text(strip=True)
        sent, none, outstanding = (int(c.get_text(strip=True)) for c in row.find_all("td")[:3])
        counted = cohort[code]
        assert (counted["Returns sent"], counted["No involvement"]) == (sent, none)
        assert counted["Returns not sent"] == outstanding
        agreed = row.find_all("td")[-1].get_text(strip=True)
        assert (counted["Agreed grade"] or "Not agreed yet") == agreed

    # Every answer of the sent returns, as the by-question page counts them.
    questions_page = page(panel_world.lead.get(f"/panel/{world.audit.id}/questions"))
    returns = _rows(book, "Returns")
    assert {r["Child"] for r in returns} <= {m.code for m in world.members}
    checked = 0
    for row in questions_page.select("main table tbody tr"):
        heading = row.find("th").get_text(" ", strip=True)
        number = int(heading.split(".", 1)[0])
        cells = [c.get_text(strip=True) for c in row.find_all("td")]
        mine = [r for r in returns if r["Question number"] == number]
        assert len(mine) == int(cells[0]), heading  # every table: "Answered" first
        checked += 1
        if len(cells) < 5:  # a fact: no Signs of Safety columns
            continue
        well, worried, needs, not_known = (int(c) for c in cells[1:5])
        placed = [r["Signs of Safety column"] or "" for r in mine]
        assert sum("What's working well" in p for p in placed) == well, heading
        assert sum("What are we worried about" in p for p in placed) == worried, heading
        assert sum("What needs to happen" in p for p in placed) == needs, heading
        assert sum("not known" in p for p in placed) == not_known, heading
    assert checked > 10 and len(returns) > 0

    # Findings, recommendations and their action, grades: the words exactly, as text.
    findings = _rows(book, "Findings")
    assert [r["What the panel found"] for r in findings] == [FORMULA_FINDING]
    recommendations = _rows(book, "Recommendations and actions")
    assert recommendations[0]["What the panel recommends"] == FORMULA_RECOMMENDATION
    assert recommendations[0]["Action"] == "Train every designated safeguarding lead"
    assert recommendations[0]["RAG"] == "Red" and recommendations[0]["Days overdue"] == 5
    grades = _rows(book, "Grades")
    assert any(
        r["Who graded"] == "The panel (agreed grade)" and r["Child"] == "Child A" for r in grades
    )

    # No formula anywhere, and no child's identity anywhere in the file.
    _no_formula_or_secret(content, made["secrets"])

    # The export is recorded and in the audit log.
    record = session.scalars(select(ExportRecord)).one()
    assert record.kind is ExportKind.AUDIT_WORKBOOK and record.audit_id == world.audit.id
    assert record.exported_by_id == world.lead.id and record.size_bytes == len(content)
    logged = session.scalars(
        select(AuditLogEntry).where(AuditLogEntry.record_type == "export_record")
    ).one()
    assert logged.actor_id == world.lead.id and logged.audit_id == world.audit.id
    listed = page(panel_world.lead.get(base))
    assert record.file_name in listed.get_text()

    tracker = _download(_subgroup(app, session), "/action-plans", "/action-plans/tracker")
    assert tracker.status_code == 200
    (tmp_path / "workbook.xlsx").write_bytes(content)
    (tmp_path / "tracker.xlsx").write_bytes(tracker.data)
    converted_to_pdf([tmp_path / "workbook.xlsx", tmp_path / "tracker.xlsx"], tmp_path / "pdf")


def _no_formula_or_secret(content: bytes, secrets: list[str]) -> None:
    with zipfile.ZipFile(io.BytesIO(content)) as package:
        for name in package.namelist():
            xml = package.read(name).decode("utf-8", "replace")
            if name.startswith("xl/worksheets/"):
                assert "<f>" not in xml and "<f " not in xml, name
            for secret in secrets:
                assert secret not in xml, (secret, name)


def _subgroup(app: Flask, session: Session) -> FlaskClient:
    person = make_user(session, Role.SUBGROUP, email="subgroup.member@example.org")
    session.commit()
    client = app.test_client()
    assert sign_in(client, person.email).status_code == 302
    return client


def test_the_subgroup_downloads_the_tracker_with_every_action(
    app: Flask, panel_world: PanelClients, session: Session
) -> None:
    made = _enrich(session, panel_world)
    client = _subgroup(app, session)
    dashboard = page(client.get("/action-plans"))
    assert dashboard.find("button", string=re.compile("Download the action tracker"))
    response = _download(client, "/action-plans", "/action-plans/tracker")
    assert response.status_code == 200 and response.mimetype == XLSX
    book = load_workbook(io.BytesIO(response.data))
    actions = _rows(book, "Actions")
    assert len(actions) == 1
    row = actions[0]
    assert row["Audit"] == panel_world.world.audit.title
    assert row["Recommendation"] == FORMULA_RECOMMENDATION
    assert row["Owner"] == "Jo Bloggs (to invite)" or "Jo Bloggs" in row["Owner"]
    assert row["State"] == "Open" and row["RAG"] == "Red" and row["Days overdue"] == 5
    assert row["Latest update said"] == "At risk" and row["Latest progress"] == "Half trained"
    checks = book["Actions"].data_validations.dataValidation
    lists = {
        book["Actions"].cell(1, next(iter(check.sqref.ranges)).min_col).value: check
        for check in checks
    }
    assert set(lists) == {"Priority", "State", "RAG", "Latest update said", "Effectiveness"}
    assert all(check.type == "list" for check in checks)
    choices = _rows(book, "Lists")
    assert [r["State"] for r in choices if r["State"]] == [
        "Draft", "Open", "Complete, awaiting sign-off", "Closed", "Cancelled"
    ]  # fmt: skip
    _no_formula_or_secret(response.data, made["secrets"])
    record = session.scalars(select(ExportRecord)).one()
    assert record.kind is ExportKind.ACTION_TRACKER and record.audit_id is None


def test_only_the_lead_and_the_audits_panel_download_its_workbook(
    app: Flask, panel_world: PanelClients, session: Session
) -> None:
    world = panel_world.world
    url = f"/audits/{world.audit.id}/downloads/workbook"
    assert (
        panel_world.chair.post(
            url,
            data={"csrf_token": _csrf(panel_world.chair, f"/audits/{world.audit.id}/downloads")},
        ).status_code
        == 200
    )
    assert panel_world.other_panel.get(f"/audits/{world.audit.id}/downloads").status_code == 403
    other = panel_world.other_panel
    other_token = _csrf(other, "/account/password")
    assert other.post(url, data={"csrf_token": other_token}).status_code == 403
    assert panel_world.lead.post(url).status_code == 400  # no CSRF token
    assert panel_world.lead.get(url).status_code == 405  # a download is a POST, never a link
    subgroup = _subgroup(app, session)
    assert (
        subgroup.post(url, data={"csrf_token": _csrf(subgroup, "/action-plans")}).status_code == 403
    )
    assert (
        panel_world.chair.post(
            "/action-plans/tracker",
            data={"csrf_token": _csrf(panel_world.chair, "/account/password")},
        ).status_code
        == 403
    )
    assert (
        session.scalar(
            select(ExportRecord).where(ExportRecord.exported_by_id == world.other_panel.id)
        )
        is None
    )


def test_a_closed_audits_files_can_still_be_downloaded(
    panel_world: PanelClients, session: Session
) -> None:
    world = panel_world.world
    world.audit.status = AuditStatus.CLOSED
    session.commit()
    base = f"/audits/{world.audit.id}/downloads"
    for url in (base + "/workbook", base + "/findings-report"):
        response = _download(panel_world.chair, base, url)
        assert response.status_code == 200, url
        assert response.headers["Content-Disposition"].startswith("attachment")
    assert len(session.scalars(select(ExportRecord)).all()) == 2
