"""The workbook preview: each child's table of changes is a region named for that child."""

from __future__ import annotations

import io

import openpyxl
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from audit_app.models import Agency, Audit
from audit_app.workbooks.workbook import FIRST_ROW
from tests.conftest import page
from tests.integration.returns.test_returns import own_return, save
from tests.integration.workbooks.test_workbook import (  # noqa: F401 (fixtures)
    client,
    collecting,
    collecting_fixture,
    download,
    reviewer,
    upload,
    workbook_app,
)


def fill_sheets(raw: bytes, answers: dict[str, dict[str, str]]) -> bytes:
    """Fill several children's sheets, as a reviewer would in Excel."""
    book = openpyxl.load_workbook(io.BytesIO(raw))
    for sheet, values in answers.items():
        rows = {
            book[sheet][f"F{row}"].value: row for row in range(FIRST_ROW, book[sheet].max_row + 1)
        }
        for question_id, value in values.items():
            cell = book[sheet][f"C{rows[question_id]}"]
            cell.value = value
            cell.data_type = "s"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_each_childs_changes_are_a_region_named_for_the_answers_that_will_change(
    reviewer: FlaskClient,  # noqa: F811 (a fixture)
    session: Session,
    collecting: Audit,  # noqa: F811 (a fixture)
    agency: Agency,
) -> None:
    """Two children's changes, one with a conflict: the regions were both "Problems in the
    workbook", which is neither unique nor what they hold."""
    child_a = own_return(session, collecting, agency.id, "Child A")
    raw = download(reviewer, collecting)
    save(reviewer, f"/returns/{child_a.id}/sections/2", {"overall": "good"})
    filled = fill_sheets(
        raw,
        {
            "Child A": {"overall": "Inadequate", "who_referred": "School"},
            "Child B": {"who_referred": "GP"},
        },
    )
    soup = page(upload(reviewer, collecting, filled))
    assert soup.find("input", attrs={"name": f"choice_{child_a.id}_overall"}) is not None
    regions = soup.select('[role="region"]')
    labels = [region.get("aria-label", "") for region in regions]
    assert labels == [
        "Answers that will change for Child A (scrolls sideways)",
        "Answers that will change for Child B (scrolls sideways)",
    ]
    for region in regions:
        caption = region.find("caption").get_text(" ", strip=True)
        assert region["aria-label"].startswith(caption)
