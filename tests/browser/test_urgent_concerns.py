"""An urgent concern in the browser: the reviewer raises it, the audit lead says what was done
and by whom, and the concern stays in the audit's list (issue 9). axe-core runs on every
page on the way."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import click_and_check, follow, screenshot, submit
from tests.browser.test_journeys import ADMIN, REVIEWER, h1, sign_in, sign_out

pytestmark = pytest.mark.browser


def test_a_concern_is_dealt_with_after_saying_what_was_done(page: Page) -> None:
    sign_in(page, REVIEWER.email)
    first = page.locator("main table tbody th a").first
    code = first.inner_text().split(",")[0].strip()
    click_and_check(page, first)
    follow(page, f"Raise an urgent concern about {code}")
    page.get_by_label("What are you worried about?").fill("Bruising seen at the last visit")
    submit(page, "Send to the audit lead now")
    sign_out(page)

    sign_in(page, ADMIN.email)
    banner = page.locator(".govuk-notification-banner", has_text="Urgent concerns")
    expect(banner).to_contain_text("Bruising seen at the last visit")
    click_and_check(page, banner.get_by_role("button", name=re.compile("^Mark as dealt with")))
    assert h1(page) == f"Mark the urgent concern about {code} as dealt with"
    expect(page.get_by_label("Who did it?")).to_have_value(re.compile(r"\S"))

    # Nothing said about what was done: a GOV.UK error on the field.
    submit(page, "Mark as dealt with")
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Say what was done about the concern"
    )
    page.get_by_label("What was done?").fill("Passed to the MASH; visited the same day")
    page.get_by_label("Who did it?").fill("MASH duty team")
    submit(page, "Mark as dealt with")
    assert h1(page) == "Urgent concerns"
    dealt = page.locator(".govuk-summary-card", has_text="Bruising seen at the last visit")
    expect(dealt).to_contain_text("Passed to the MASH; visited the same day")
    expect(dealt).to_contain_text("MASH duty team")
    expect(page.locator("main")).to_contain_text("Dealt with (1)")
    screenshot(page, "urgent-concerns-dealt-with")
