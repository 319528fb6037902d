"""The audit log page on a phone: nothing wider than the screen, long values wrapped, the
change tables scroll inside their cards; axe-core at 375 px; filtering by audit; paging."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import follow, visit
from tests.browser.test_journeys import ADMIN, h1, sign_in

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 800}


def _scroll_width(page: Page) -> int:
    return int(page.evaluate("document.documentElement.scrollWidth"))


@pytest.mark.parametrize(
    "path",
    [
        "/admin/audit-log",
        "/admin/audit-log?record_type=audit_template_version",  # 64-character content hashes
        "/admin/audit-log?record_type=agency_return",  # enum values such as not_started
    ],
)
def test_the_log_fits_a_phone(page: Page, path: str) -> None:
    sign_in(page, ADMIN.email)
    visit(page, path)  # axe-core and the no-sideways-scroll check run at 1280 and 375 px
    page.set_viewport_size(PHONE)  # visit leaves the desktop width: look closer at 375
    assert h1(page) == "Audit log"
    cards = page.locator(".govuk-summary-card")
    expect(cards.first).to_be_visible()
    assert _scroll_width(page) <= PHONE["width"], f"{path} pans sideways"
    widths = page.evaluate(
        """() => [...document.querySelectorAll('.govuk-summary-card')].map(card =>
            card.scrollWidth - card.clientWidth)"""
    )
    assert max(widths) <= 0, f"a card's content is wider than the card: {widths}"
    wrappers = page.locator(".govuk-summary-card .app-table-wrapper")
    assert wrappers.count() >= 1
    assert wrappers.count() == page.locator(".govuk-summary-card table").count()


def test_the_log_is_filtered_by_audit_and_paged_by_key(page: Page) -> None:
    sign_in(page, ADMIN.email)
    visit(page, "/admin/audit-log")
    audit = page.get_by_label("Audit", exact=True)
    options = audit.locator("option").all_inner_texts()
    assert options[0] == "Any audit" and len(options) >= 2
    audit.select_option(label=options[1])
    page.get_by_role("button", name="Filter", exact=True).click()
    page.wait_for_load_state("load")
    assert "audit=" in page.url
    titles = page.locator(".govuk-summary-card__title").all_inner_texts()
    assert titles
    for title in titles:
        assert title.endswith(f"\u2018{options[1]}\u2019") or title.startswith("Audit \u2018")
    if page.get_by_role("link", name="Older entries").count():
        follow(page, "Older entries")
        assert "audit=" in page.url and "older=" in page.url
        expect(page.get_by_role("link", name="Newer entries")).to_be_visible()
