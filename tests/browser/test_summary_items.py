"""The GP reviewer writes the agency summary as items: a draft from the answers, then
adding, moving, rewording and removing items (each a plain form button, no JavaScript
needed), saving and sending. axe-core runs on every page reached."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from audit_app.demo import DEMO_LOGINS
from tests.browser.conftest import click_and_check, submit, visit
from tests.browser.test_journeys import sign_in, sign_out

GP = next(login for login in DEMO_LOGINS if login.agency == "GP")
PANEL = next(login for login in DEMO_LOGINS if login.role.value == "panel")
LEAD = DEMO_LOGINS[0]


def items(page: Page, column: str) -> list[str]:
    """The texts of a column's items, in order."""
    boxes = page.locator(".app-summary-item textarea[name$='-text']")
    texts = []
    for n in range(boxes.count()):
        box = boxes.nth(n)
        chosen = box.locator("xpath=ancestor::fieldset//select").input_value()
        if chosen == column:
            texts.append(box.input_value())
    return texts


def test_a_reviewer_drafts_edits_and_sends_the_summary_as_items(page: Page) -> None:
    sign_in(page, GP.email)
    click_and_check(
        page,
        page.get_by_role("link", name=re.compile("^Your agency's summary of findings")).first,
    )
    submit(page, "Make a draft from your answers")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("A draft has been made")

    page.get_by_label(re.compile("Add an item to What needs to happen")).fill(
        "Share discharge plans with GPs"
    )
    submit(page, "Add item to What needs to happen")
    page.get_by_label(re.compile("Add an item to What needs to happen")).fill("Ask the child")
    submit(page, "Add item to What needs to happen")
    assert items(page, "needs_to_happen")[-2:] == [
        "Share discharge plans with GPs",
        "Ask the child",
    ]

    # Move the last item up: the page comes back at the item moved.
    last = len(items(page, "needs_to_happen"))
    submit(page, f"Move up item {last} in What needs to happen")
    assert items(page, "needs_to_happen")[-2:] == [
        "Ask the child",
        "Share discharge plans with GPs",
    ]
    assert page.url.endswith(
        "#"
        + page.locator(".app-summary-item")
        .filter(has=page.locator("textarea", has_text="Ask the child"))
        .get_attribute("id")
    )

    # Reword one and remove another, then send.
    asked = page.locator(".app-summary-item textarea", has_text="Ask the child")
    asked.fill("Ask the child what helped")
    submit(page, f"Remove item {last} in What needs to happen")
    assert items(page, "needs_to_happen")[-1] == "Ask the child what helped"
    submit(page, "Send the summary to the panel")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("sent to the panel")
    expect(page.locator("main textarea")).to_have_count(0)
    expect(page.locator("main")).to_contain_text("Ask the child what helped")
    expect(page.locator("main")).not_to_contain_text("Share discharge plans with GPs")

    summaries = re.sub(r"^https?://[^/]+|/summary.*$", "", page.url) + "/summaries"

    # The panel reads it, item by item, from their home page; the audit lead from the audit.
    sign_out(page)
    sign_in(page, PANEL.email)
    click_and_check(page, page.locator(f"a[href='{summaries}']"))
    expect(page.locator("main")).to_contain_text("Ask the child what helped")
    sign_out(page)
    sign_in(page, LEAD.email)
    visit(page, summaries.removesuffix("/summaries"))
    click_and_check(page, page.get_by_role("link", name="Read the agencies' summaries"))
    expect(page.locator("main")).to_contain_text("Ask the child what helped")
