"""Downloading every export from the demo, as people do: the audit lead downloads the audit
workbook and the findings report from the audit's Downloads page; a subgroup member
downloads the action tracker and the meeting pack from Action plans; the administrator
reads the Report templates page. axe-core runs on every page reached; each file is
checked to be what it says and LibreOffice opens every one."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from docx import Document
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from tests.browser.conftest import click_and_check, screenshot
from tests.browser.test_journeys import sign_in, sign_out
from tests.office import converted_to_pdf

pytestmark = pytest.mark.browser

LEAD = "audit.lead@demo.example.org"
SUBGROUP = "subgroup.member@demo.example.org"
CURRENT = "Children in crisis: mental health and emotional wellbeing"


def _download(page: Page, button: str, folder: Path) -> Path:
    with page.expect_download() as waiting:
        page.get_by_role("button", name=button, exact=True).click()
    download = waiting.value
    assert download.failure() is None
    target = folder / download.suggested_filename
    download.save_as(target)
    return target


def test_each_file_is_downloaded_from_its_page(page: Page, tmp_path: Path) -> None:
    sign_in(page, LEAD)
    click_and_check(page, page.get_by_role("link", name="Audits", exact=True))
    click_and_check(page, page.get_by_role("link", name=CURRENT, exact=True))
    click_and_check(
        page, page.get_by_role("link", name="Download the audit workbook or the findings report")
    )
    expect(page.locator("h1")).to_have_text("Downloads")
    workbook = _download(page, "Download the audit workbook", tmp_path)
    report = _download(page, "Download the findings report", tmp_path)
    assert workbook.name.startswith("children-in-crisis-mental-health")
    assert workbook.suffix == ".xlsx" and report.suffix == ".docx"
    book = load_workbook(workbook, read_only=True)
    assert book.sheetnames[:3] == ["About", "Contents", "Cohort"]
    headings = [
        p.text for p in Document(str(report)).paragraphs if p.style.name.startswith("Heading")
    ]
    assert any("Recommendations" in heading for heading in headings)
    page.reload()
    expect(page.locator("main table")).to_contain_text("Findings report")
    screenshot(page, "exports-downloads")
    click_and_check(page, page.get_by_role("link", name="Report templates", exact=True))
    expect(page.locator("h1")).to_have_text("Report templates")
    screenshot(page, "exports-report-templates")
    sign_out(page)

    sign_in(page, SUBGROUP)
    click_and_check(page, page.get_by_role("link", name="Action plans", exact=True))
    tracker = _download(page, "Download the action tracker", tmp_path)
    pack = _download(page, "Download the meeting pack", tmp_path)
    with zipfile.ZipFile(io.BytesIO(tracker.read_bytes())) as package:
        assert "xl/tables/table1.xml" in package.namelist()
    pack_headings = [
        p.text for p in Document(str(pack)).paragraphs if p.style.name.startswith("Heading")
    ]
    assert "Overdue actions" in pack_headings and "RAG over time" in pack_headings
    page.reload()
    expect(page.locator("main")).to_contain_text("The last pack was made by")
    screenshot(page, "exports-action-plans")
    converted_to_pdf([workbook, report, tracker, pack], tmp_path / "pdf")
