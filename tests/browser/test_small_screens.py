"""Small screens and keyboard users: the returns matrix and the reviewer's task list on a
phone and on a desktop, the Sign out button's focus, and the sideways-scroll check itself.

Every page the journeys visit is also checked at 375 px (axe-core, and no sideways panning)
by ``check_page`` in conftest; these tests look closer at the pages designed for phones.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import (
    DESKTOP,
    PHONE,
    assert_accessible,
    assert_no_sideways_scroll,
    follow,
    screenshot,
)
from tests.browser.test_journeys import ADMIN, REVIEWER, sign_in

pytestmark = pytest.mark.browser

DEMO_AUDIT = "Children in crisis: mental health and emotional wellbeing"

# Each status tag in the matrix, measured against the cell it sits in.
MATRIX_TAGS = """
() => [...document.querySelectorAll('table.app-matrix td .govuk-tag')].map((tag) => {
  const cell = tag.closest('td').getBoundingClientRect();
  const box = tag.getBoundingClientRect();
  return {
    text: tag.textContent.trim(),
    overflows: tag.scrollWidth > tag.clientWidth,
    outside: box.left < cell.left - 0.5 || box.right > cell.right + 0.5,
  };
})
"""

FOCUS_STYLE = """
(element) => {
  element.focus();
  const style = getComputedStyle(element);
  return {
    color: style.color,
    background: style.backgroundColor,
    boxShadow: style.boxShadow,
    textDecoration: style.textDecorationLine,
    outlineStyle: style.outlineStyle,
    outlineWidth: style.outlineWidth,
  };
}
"""


def fully_in_view(page: Page, selector_text: str) -> bool:
    """Whether some visible element with exactly this text lies wholly inside the window's
    width (not cut off in a table that scrolls sideways)."""
    return page.evaluate(
        """(text) => [...document.querySelectorAll('main *')]
          .filter((element) => element.children.length === 0
            && element.textContent.trim() === text && element.checkVisibility())
          .some((element) => {
            const box = element.getBoundingClientRect();
            const scroller = element.closest('.app-table-wrapper');
            const right = scroller
              ? Math.min(scroller.getBoundingClientRect().right, window.innerWidth)
              : window.innerWidth;
            return box.left >= 0 && box.right <= right + 0.5;
          })""",
        selector_text,
    )


def test_the_returns_matrix_fits_a_desktop_and_is_a_card_per_child_on_a_phone(
    page: Page,
) -> None:
    sign_in(page, ADMIN.email)
    follow(page, "Audits")
    follow(page, DEMO_AUDIT)

    # Desktop: the whole matrix fits its column, no sideways scrolling, and every status
    # tag stays inside its own cell ("Returned for amendment" spilled under the next one).
    matrix = page.locator("table.app-matrix")
    expect(matrix).to_be_visible()
    wrapper = page.locator(".app-table-wrapper", has=matrix)
    widths = wrapper.evaluate("(element) => [element.scrollWidth, element.clientWidth]")
    assert widths[0] <= widths[1], f"the matrix is {widths[0]} px wide in {widths[1]} px"
    tags = page.evaluate(MATRIX_TAGS)
    assert tags, "no status tags in the matrix"
    assert not [tag for tag in tags if tag["overflows"] or tag["outside"]], tags
    # The short word on screen; the full status for screen readers.
    returned = matrix.locator(".govuk-tag--orange").first
    expect(returned).to_have_text(re.compile(r"^\s*Returned for amendment\s*$"))
    shown = returned.evaluate(
        """(tag) => {
          const copy = tag.cloneNode(true);
          copy.querySelectorAll('.govuk-visually-hidden').forEach((hidden) => hidden.remove());
          return copy.textContent.trim();
        }"""
    )
    assert shown == "Returned"
    expect(page.locator(".app-return-card").first).to_be_hidden()
    screenshot(page, "matrix-1280")

    # Phone: no table to pan across; a card per child, one line per agency's return.
    page.set_viewport_size(PHONE)
    expect(matrix).to_be_hidden()
    children = matrix.locator("tbody tr").count()
    agencies = matrix.locator("thead th").count() - 1
    cards = page.locator(".app-return-card")
    expect(cards).to_have_count(children)
    child_b = cards.filter(has=page.get_by_role("heading", name="Child B", exact=True))
    expect(child_b.get_by_role("link")).to_have_count(agencies)
    camhs = child_b.get_by_role("link", name="CAMHS for Child B", exact=True)
    expect(camhs).to_be_visible()
    assert fully_in_view(page, "Returned for amendment")
    assert_no_sideways_scroll(page)
    assert_accessible(page)
    screenshot(page, "matrix-375")
    camhs.click()
    page.wait_for_load_state()
    assert "/returns/" in page.url
    page.set_viewport_size(DESKTOP)


def test_the_reviewers_task_list_shows_progress_and_deadline_on_a_phone(page: Page) -> None:
    sign_in(page, REVIEWER.email)
    page.set_viewport_size(PHONE)
    # Every column the table has is there without panning sideways.
    for label in ("Status", "How far through", "Deadline", "To find the file", "Audit"):
        assert fully_in_view(page, label), f"{label!r} is off to the side at 375 px"
    card = page.locator(".app-return-card").filter(
        has=page.get_by_role("link", name=re.compile(rf"^Child A\s*, {re.escape(DEMO_AUDIT)}$"))
    )
    expect(card).to_have_count(1)
    expect(card).to_contain_text("answered")
    expect(card).to_contain_text(re.compile(r"\d{1,2} [A-Z][a-z]+ \d{4}"))  # the deadline
    returns = page.locator("main table", has=page.locator("caption", has_text="Returns"))
    expect(returns).to_be_hidden()
    assert_accessible(page)
    screenshot(page, "reviewer-home-375")

    page.set_viewport_size(DESKTOP)
    expect(returns).to_be_visible()
    expect(page.locator(".app-return-card").first).to_be_hidden()
    screenshot(page, "reviewer-home-1280")


def test_the_sign_out_button_has_the_same_focus_style_as_the_navigation_links(
    page: Page,
) -> None:
    sign_in(page, ADMIN.email)
    link = page.locator(
        ".govuk-service-navigation__item:not(.govuk-service-navigation__item--active)"
        " a.govuk-service-navigation__link"
    ).first
    button = page.get_by_role("button", name="Sign out")
    link_style = link.evaluate(FOCUS_STYLE)
    button_style = button.evaluate(FOCUS_STYLE)
    assert link_style["background"] == "rgb(255, 221, 0)", link_style  # GOV.UK yellow
    assert button_style == link_style
    # The yellow covers the same height: the button is no taller than a link's text.
    link_box, button_box = link.bounding_box(), button.bounding_box()
    assert link_box and button_box
    assert abs(button_box["height"] - link_box["height"]) <= 1, (button_box, link_box)


def test_the_sideways_scroll_check_catches_a_page_that_pans(page: Page) -> None:
    """Guard against a check that passes because it measures nothing."""
    sign_in(page, ADMIN.email)
    page.set_viewport_size(PHONE)
    assert_no_sideways_scroll(page)
    page.evaluate(
        """() => {
          const wide = document.createElement('p');
          wide.style.width = '600px';
          wide.textContent = 'Too wide';
          document.querySelector('main').append(wide);
        }"""
    )
    with pytest.raises(AssertionError, match=r"at 375 px wide scrolls sideways to \d+ px"):
        assert_no_sideways_scroll(page)
