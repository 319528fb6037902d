"""Verify draw after a change by hand says what was changed, in the browser (issue 9)."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.conftest import assert_no_browser_errors, follow, submit
from tests.browser.test_journeys import ADMIN, h1, sign_in


def test_verify_draw_lists_a_child_added_by_hand(page: Page) -> None:
    """The lead adds a child to the demo audit by hand; Verify draw then says so (axe-core
    checks the page with its table of changes)."""
    sign_in(page, ADMIN.email)
    follow(page, "Audits")
    follow(page, "Children in crisis: mental health and emotional wellbeing")
    follow(page, "Add a child by hand")
    page.get_by_label("Child from the population list").select_option(index=1)
    page.get_by_label("Reason for adding this child").fill("Known to the panel chair")
    submit(page, "Add child")
    submit(page, "Verify draw")
    assert h1(page) == "The draw is verified"
    main = page.locator("main")
    expect(main).to_contain_text("Changed by hand since the draw")
    row = main.locator("table tbody tr").first
    expect(row).to_contain_text("Added by hand")
    expect(row).to_contain_text("Known to the panel chair")
    assert_no_browser_errors(page)
