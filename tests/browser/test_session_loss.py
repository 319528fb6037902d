"""Typing is not lost when the session ends: signed out elsewhere mid-edit, the answers come
back after signing in again, with a message, and then save."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from audit_app.demo import DEMO_LOGINS, DEMO_PASSWORD
from audit_app.models import Role
from tests.browser.conftest import (
    click_and_check,
    monitor_of,
    screenshot,
    submit,
    visit,
)

pytestmark = pytest.mark.browser

GP = next(login for login in DEMO_LOGINS if login.role is Role.REVIEWER and login.agency == "GP")
TYPED = "Seen twice in May 2020 with low mood; no follow-up booked.\nNo safeguarding referral made."
RESTORED = (
    "You were signed out before your answers were saved. We have put back what you typed on "
    "this page. Check it and select Save and continue."
)
# Section 2 of the demo's template ("Early help before the crisis"): a free-text answer
# and a yes / no / not known one.
NAME = "early_help_next"
CHOICE = "early_signs_recognised"
KEPT_KEYS = (
    """() => Object.keys(sessionStorage).filter((key) => key.startsWith("audit-app:unsaved:"))"""
)


def fill_sign_in(page: Page, email: str) -> None:
    page.get_by_label("Email address", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)


def open_editable_return(page: Page) -> str:
    """The first of the GP reviewer's returns that is not started or in progress: its path."""
    row = page.locator("main tbody tr").filter(
        has=page.locator(".govuk-tag", has_text=re.compile("Not started|In progress"))
    )
    link = row.first.get_by_role("link").first
    click_and_check(page, link)
    return page.url


def sign_out_elsewhere(
    browser: Browser, base_url: str, then_save: tuple[str, str, str] | None = None
) -> None:
    """The same person signs in on another device and signs out there: every session ends.
    ``then_save`` (page, field, text): they sign in there again and save that answer."""
    context = browser.new_context(base_url=base_url)
    try:
        other = context.new_page()
        for _ in range(2 if then_save else 1):
            other.goto("/sign-in")
            fill_sign_in(other, GP.email)
            other.get_by_role("button", name="Sign in", exact=True).click()
            other.wait_for_url(re.compile(r"/$"))
            with other.expect_navigation():
                other.get_by_role("button", name="Sign out", exact=True).click()
            assert other.url.endswith("/sign-in")
        if then_save:
            other.goto("/sign-in")
            fill_sign_in(other, GP.email)
            other.get_by_role("button", name="Sign in", exact=True).click()
            other.wait_for_url(re.compile(r"/$"))
            other.goto(then_save[0])
            other.locator(f'textarea[name="{then_save[1]}"]').fill(then_save[2])
            with other.expect_navigation():
                other.get_by_role("button", name="Save and continue", exact=True).click()
            assert not other.url.endswith(then_save[0])
    finally:
        context.close()


def test_answers_typed_when_signed_out_elsewhere_come_back_after_signing_in(
    page: Page, browser: Browser
) -> None:
    visit(page, "/sign-in")
    fill_sign_in(page, GP.email)
    submit(page, "Sign in")
    open_editable_return(page)
    click_and_check(page, page.locator("main a[href$='/sections/2']").first)
    section_path = re.sub(r"^https?://[^/]+", "", page.url)
    answer = page.locator(f'fieldset.app-section textarea[name="{NAME}"]')
    choice = page.locator(f'fieldset.app-section input[name="{CHOICE}"][value="not_known"]')
    expect(answer).not_to_have_value(TYPED)
    expect(choice).not_to_be_checked()

    sign_out_elsewhere(browser, monitor_of(page).base_url)

    choice.check()
    answer.fill(TYPED)
    # The autosave finds the session has ended, and says what will happen.
    expect(page.locator(".app-autosave-status")).to_contain_text(
        "What you typed is kept in this browser tab", timeout=10_000
    )
    assert page.evaluate(KEPT_KEYS), "nothing was kept in the tab"
    screenshot(page, "session-loss-1-signed-out-while-typing")

    # Save and continue leads to sign-in, which says why.
    submit(page, "Save and continue")
    assert re.sub(r"^https?://[^/]+", "", page.url) == f"/sign-in?next={section_path}"
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "You have been signed out, so your changes have not been saved"
    )
    screenshot(page, "session-loss-2-sign-in")

    # Signing in again goes back to the section page, with the answer put back.
    fill_sign_in(page, GP.email)
    submit(page, "Sign in")
    assert re.sub(r"^https?://[^/]+", "", page.url) == section_path
    banner = page.locator(".app-kept-banner")
    expect(banner).to_contain_text(RESTORED)
    expect(banner).to_be_focused()
    expect(answer).to_have_value(TYPED)
    expect(choice).to_be_checked()
    screenshot(page, "session-loss-3-answers-put-back")

    # Saving stores it, and the tab forgets its copy.
    submit(page, "Save and continue")
    assert not page.evaluate(KEPT_KEYS)
    visit(page, section_path)
    expect(answer).to_have_value(TYPED)
    expect(choice).to_be_checked()
    expect(page.locator(".app-kept-banner")).to_have_count(0)


def test_an_answer_saved_elsewhere_since_is_not_overwritten_by_the_kept_copy(
    page: Page, browser: Browser
) -> None:
    """Signed out, and meanwhile a different answer to the same question is saved on another
    device: after signing in again, that answer stays and what was typed is shown beside
    it; the other answers typed are put back."""
    visit(page, "/sign-in")
    fill_sign_in(page, GP.email)
    submit(page, "Sign in")
    open_editable_return(page)
    click_and_check(page, page.locator("main a[href$='/sections/3']").first)
    section_path = re.sub(r"^https?://[^/]+", "", page.url)
    schools_next = page.locator('fieldset.app-section textarea[name="schools_next"]')
    choice = page.locator('fieldset.app-section input[name="school_in_planning"][value="no"]')
    expect(choice).not_to_be_checked()
    saved_elsewhere = "Invite the school nurse to the discharge meeting."

    sign_out_elsewhere(
        browser, monitor_of(page).base_url, (section_path, "schools_next", saved_elsewhere)
    )

    choice.check()
    schools_next.fill(TYPED)
    expect(page.locator(".app-autosave-status")).to_contain_text(
        "What you typed is kept in this browser tab", timeout=10_000
    )
    submit(page, "Save and continue")
    fill_sign_in(page, GP.email)
    submit(page, "Sign in")
    assert re.sub(r"^https?://[^/]+", "", page.url) == section_path

    banner = page.locator(".app-kept-banner")
    expect(banner).to_contain_text(RESTORED)
    expect(banner).to_contain_text(
        "A different answer to one question has been saved since you typed yours"
    )
    expect(choice).to_be_checked()  # put back: nobody else changed it
    expect(schools_next).to_have_value(saved_elsewhere)  # left alone
    kept = page.locator("#question-schools_next .app-kept-answer")
    expect(kept).to_contain_text("a different answer has been saved since")
    expect(kept).to_contain_text("No safeguarding referral made.")
    screenshot(page, "session-loss-4-saved-elsewhere-since")


def test_a_page_opened_before_signing_in_again_in_another_tab_keeps_what_was_typed(
    page: Page,
) -> None:
    """Signed out and in again in another tab: this tab's form no longer matches the session.
    Autosave says so; Save and continue shows the form again with what was typed (not saved);
    saving it again stores it."""
    visit(page, "/sign-in")
    fill_sign_in(page, GP.email)
    submit(page, "Sign in")
    open_editable_return(page)
    click_and_check(page, page.locator("main a[href$='/sections/4']").first)
    section_path = re.sub(r"^https?://[^/]+", "", page.url)
    answer = page.locator("fieldset.app-section textarea:visible").first
    name = answer.get_attribute("name")

    other = page.context.new_page()  # the same browser: the same cookie
    try:
        other.goto("/")
        with other.expect_navigation():
            other.get_by_role("button", name="Sign out", exact=True).click()
        fill_sign_in(other, GP.email)
        with other.expect_navigation():
            other.get_by_role("button", name="Sign in", exact=True).click()
    finally:
        other.close()

    answer.fill(TYPED)
    expect(page.locator(".app-autosave-status")).to_contain_text(
        "This page was opened before you last signed in", timeout=10_000
    )
    # The refused autosave is expected: its 400 is not a fault of the page.
    monitor = monitor_of(page)
    monitor.failed_requests[:] = [r for r in monitor.failed_requests if "/autosave" not in r]
    monitor.console_errors[:] = [e for e in monitor.console_errors if "status of 400" not in e]

    submit(page, "Save and continue")
    assert re.sub(r"^https?://[^/]+", "", page.url) == section_path
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Your answers have not been saved yet"
    )
    expect(page.locator(f'textarea[name="{name}"]')).to_have_value(TYPED)
    assert page.evaluate(KEPT_KEYS), "the copy kept in the tab was dropped before the save"
    screenshot(page, "session-loss-5-expired-form-shown-again")

    submit(page, "Save and continue")
    assert not page.evaluate(KEPT_KEYS)
    visit(page, section_path)
    expect(page.locator(f'textarea[name="{name}"]')).to_have_value(TYPED)
