"""The action plan's journey through the demo, in the service alone: the audit lead writes an
action from a recommendation and sees the SMART check warn as they write, keeps the wording
with a reason and opens the action; its owner adds a progress update with an evidence file
and marks it complete; a subgroup member signs it off and reads the dashboard. axe-core runs
on every page reached, and each step leaves a screenshot in /tmp/screens."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import click_and_check, screenshot, submit
from tests.browser.test_journeys import sign_in, sign_out

pytestmark = pytest.mark.browser

LEAD = "audit.lead@demo.example.org"
OWNER = "camhs.reviewer@demo.example.org"
SUBGROUP = "subgroup.member@demo.example.org"
EARLIER = "Children in crisis (first audit, 2021)"
WHAT = "Remind school nurses about the early signs of emotional distress"


def test_an_action_is_written_followed_and_signed_off(page: Page, tmp_path: Path) -> None:
    due = date.today() + timedelta(days=120)
    sign_in(page, LEAD)
    click_and_check(page, page.get_by_role("link", name="Action plans", exact=True))
    click_and_check(page, page.get_by_role("link", name=EARLIER))
    expect(page.locator("h1")).to_have_text("Action plan")
    screenshot(page, "actions-plan")
    click_and_check(page, page.get_by_role("link", name="Add an action for recommendation 2"))

    # The SMART check answers as they write: weak wording with no measure is a warning.
    page.get_by_label("What will be done").fill(WHAT)
    page.get_by_label("Success measure").fill("Nurses are more aware")
    expect(page.locator("#smart-what")).to_contain_text(
        "describes activity rather than a change for children", timeout=5000
    )
    page.get_by_label("Lead agency").select_option(label="Education (schools and colleges)")
    page.get_by_label("The owner").select_option(
        label="Priya Shah (camhs.reviewer@demo.example.org)"
    )
    target = page.get_by_role("group", name="Target date")
    target.get_by_label("Day").fill(str(due.day))
    target.get_by_label("Month").fill(str(due.month))
    target.get_by_label("Year").fill(str(due.year))
    page.get_by_role("radio", name="High").check()
    screenshot(page, "actions-smart-warning")
    submit(page, "Add the action as a draft")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Give a reason for keeping")
    expect(page.get_by_label("What will be done")).to_have_value(WHAT)
    page.get_by_label(re.compile("Reason for keeping a warned wording")).fill(
        "The nurses asked for a reminder before the training is rewritten"
    )
    submit(page, "Add the action as a draft")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("as a draft")
    expect(page.locator("main")).to_contain_text("Kept because: The nurses asked")
    submit(page, "Open the action")
    submit(page, "Open the action")
    expect(page.locator("main")).to_contain_text("Open")
    screenshot(page, "actions-opened")
    sign_out(page)

    # The owner reports progress with evidence, then marks it complete.
    sign_in(page, OWNER)
    click_and_check(page, page.get_by_role("link", name="My actions", exact=True))
    click_and_check(page, page.get_by_role("link", name=WHAT))
    submit(page, "Add a progress update")
    page.get_by_role("radio", name="At risk").check()
    page.get_by_label("What was done").fill("Two of the four sessions are booked.")
    register = tmp_path / "register.pdf"
    register.write_bytes(b"%PDF-1.4\n% the attendance register\n")
    page.get_by_label("Evidence (optional)").set_input_files(str(register))
    submit(page, "Add the update")
    expect(page.locator("#updates ~ div").first).to_contain_text("Two of the four sessions")
    expect(page.get_by_role("link", name="register.pdf")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Amber")
    screenshot(page, "actions-update")
    submit(page, "Mark as complete")
    page.get_by_label("Evidence of completion").fill(
        "All four sessions held; registers on the shared drive."
    )
    submit(page, "Mark as complete")
    expect(page.locator("main")).to_contain_text("Complete, awaiting sign-off")
    expect(page.get_by_role("button", name="Sign off and close")).to_have_count(0)
    sign_out(page)

    # A subgroup member signs it off, then reads the dashboard.
    sign_in(page, SUBGROUP)
    click_and_check(page, page.get_by_role("link", name="Action plans", exact=True))
    click_and_check(page, page.get_by_role("link", name=WHAT).first)
    submit(page, "Sign off and close")
    page.get_by_role("radio", name="Effective", exact=True).check()
    page.get_by_label("Evidence of impact").fill(
        "The nurses' referrals for emotional distress rose from 3 to 11 a term."
    )
    submit(page, "Sign off and close")
    expect(page.locator("main")).to_contain_text("Closed")
    expect(page.locator("main")).to_contain_text("Effective (signed off by Jo Wright")
    screenshot(page, "actions-closed")
    click_and_check(page, page.get_by_role("link", name="Action plans", exact=True))
    expect(page.get_by_role("img", name=re.compile("^RAG of the action plans"))).to_be_visible()
    expect(page.locator("main")).to_contain_text("Overdue")
    screenshot(page, "actions-dashboard")
