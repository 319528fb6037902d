"""Real journeys through the service in headless Chromium; axe-core runs on every page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from audit_app.demo import DEMO_LOGINS, DEMO_PASSWORD, DemoLogin
from audit_app.models import Role
from tests.browser.conftest import (
    SCREENSHOT_DIR,
    assert_accessible,
    assert_no_browser_errors,
    click_and_check,
    follow,
    monitor_of,
    screenshot,
    submit,
    visit,
)

pytestmark = pytest.mark.browser

HOME_HEADINGS = {
    Role.ADMIN: "Audit lead home",
    Role.REVIEWER: "Your agency's returns",
    Role.PANEL: "Audit panels you sit on",
    Role.SUBGROUP: "Action plans",
}
SIGN_IN_FAILED = "Enter a correct email address and password"
ADMIN = next(login for login in DEMO_LOGINS if login.role is Role.ADMIN)
REVIEWER = next(login for login in DEMO_LOGINS if login.role is Role.REVIEWER)
PANEL = next(login for login in DEMO_LOGINS if login.role is Role.PANEL)


def h1(page: Page) -> str:
    return " ".join(page.locator("h1").inner_text().split())


def urlpath(page: Page) -> str:
    return re.sub(r"^https?://[^/]+", "", page.url).split("?")[0]


def fill_sign_in(page: Page, email: str, password: str) -> None:
    # exact: the password input's "Show password" button also has "password" in its name.
    page.get_by_label("Email address", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(password)


def sign_in(page: Page, email: str, password: str = DEMO_PASSWORD) -> None:
    """Sign in from the sign-in page; axe runs on the sign-in page and on the home page."""
    visit(page, "/sign-in")
    fill_sign_in(page, email, password)
    submit(page, "Sign in")


def sign_out(page: Page) -> None:
    submit(page, "Sign out")
    assert page.url.endswith("/sign-in")
    assert h1(page) == "Sign in"
    expect(page.locator(".govuk-notification-banner")).to_contain_text("You have signed out.")
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)


def expect_error_summary(page: Page, *messages: str) -> None:
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("There is a problem")
    for message in messages:
        expect(summary.get_by_role("link", name=message)).to_be_visible()
    assert page.title().startswith("Error: "), page.title()
    # GOV.UK Frontend's error summary script moves focus to it: the module script ran.
    expect(summary).to_be_focused()


# --- Every role ---------------------------------------------------------------------------


@pytest.mark.parametrize("login", DEMO_LOGINS, ids=lambda login: login.email.split("@")[0])
def test_sign_in_home_account_sign_out(page: Page, login: DemoLogin) -> None:
    sign_in(page, login.email)

    assert urlpath(page) == "/"
    # A person with more than one role (the CAMHS reviewer also sits on a panel) has one
    # home page with a part for each.
    assert h1(page) == ("Your home page" if login.also_panel else HOME_HEADINGS[login.role])
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    screenshot(page, f"home-{login.email.split('@')[0]}")

    follow(page, "Your account")
    assert urlpath(page) == "/account/password"
    expect(page.get_by_label("New password", exact=True)).to_be_visible()

    sign_out(page)


def test_wrong_password_shows_a_generic_error(page: Page) -> None:
    visit(page, "/sign-in")
    fill_sign_in(page, ADMIN.email, "not-the-password")
    submit(page, "Sign in")

    assert urlpath(page) == "/sign-in"
    expect_error_summary(page, SIGN_IN_FAILED)
    expect(page.get_by_label("Password", exact=True)).to_have_value("")


# --- The administrator's journey -------------------------------------------------------------


def test_admin_adds_an_agency_and_a_reviewer_then_deactivates_them(page: Page) -> None:
    agency_name = "Independent fostering agency"
    person = "Morgan Ellis"
    email = "morgan.ellis@ifa.example.org"
    sign_in(page, ADMIN.email)

    # Add an agency: an empty form first.
    follow(page, "Agencies")
    submit(page, "Add an agency")  # a link styled as a button
    submit(page, "Save agency")
    expect_error_summary(page, "Enter the agency's name", "Enter a short name")
    expect(page.locator("#name-error")).to_contain_text("Enter the agency's name")
    page.locator(".govuk-error-summary").get_by_role("link", name="Enter the agency's name").click()
    expect(page.get_by_label("Agency name", exact=True)).to_be_focused()

    page.get_by_label("Agency name", exact=True).fill(agency_name)
    page.get_by_label("Short name", exact=True).fill("IFA")
    page.get_by_label("Voluntary and community sector", exact=True).check()
    page.get_by_label("Contact email address (optional)", exact=True).fill(
        "safeguarding@ifa.example.org"
    )
    expect(page.get_by_label("This agency takes part in audits", exact=True)).to_be_checked()
    submit(page, "Save agency")

    assert urlpath(page) == "/admin/agencies"
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        f"{agency_name} has been added."
    )
    row = page.get_by_role("row").filter(has_text=agency_name)
    expect(row).to_have_count(1)
    expect(row).to_contain_text("IFA")
    expect(row).to_contain_text("Voluntary and community sector")
    expect(row).to_contain_text("Active")
    change_href = row.get_by_role("link", name=f"Change {agency_name}").get_attribute("href")
    agency_id = (change_href or "").rstrip("/").rsplit("/", 1)[-1]
    assert agency_id.isdigit(), change_href

    # Add a reviewer for that agency.
    follow(page, "Users")
    submit(page, "Add a user")  # a link styled as a button
    page.get_by_label("Full name", exact=True).fill(person)
    page.get_by_label("Email address", exact=True).fill(email)
    page.get_by_label("Job title (optional)", exact=True).fill("Registered manager")
    page.get_by_label("Agency reviewer", exact=True).check()
    page.get_by_label("Agency (agency reviewers only)", exact=True).select_option(label=agency_name)
    page.get_by_label("Temporary password", exact=True).fill("a-temporary-password-2026")
    submit(page, "Save user")

    assert urlpath(page) == "/admin/users"
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        f"{person} has been added as agency reviewer."
    )
    row = page.get_by_role("row").filter(has_text=email)
    expect(row).to_contain_text("Agency reviewer")
    expect(row).to_contain_text("IFA")
    expect(row).to_contain_text("Active")

    # The same person also sits on an audit's panel: a second membership on their page.
    follow(page, f"Change {person}")
    page.get_by_label("Panel member", exact=True).check()
    submit(page, "Add membership")
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Choose the audit whose panel this person sits on"
    )
    screenshot(page, "admin-membership-needs-an-audit")
    page.get_by_label("Panel member", exact=True).check()
    audit_select = page.get_by_label("Audit (panel members; audit leads of one audit)", exact=True)
    audit_title = audit_select.locator("option").nth(1).inner_text()
    audit_select.select_option(index=1)
    submit(page, "Add membership")
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        f"{person} is now: Panel member \u2013 {audit_title}."
    )
    roles = page.locator("#memberships + p + .govuk-summary-list")
    expect(roles).to_contain_text("Agency reviewer \u2013 IFA")
    expect(roles).to_contain_text(f"Panel member \u2013 {audit_title}")
    screenshot(page, "admin-user-memberships")
    follow(page, "Users")

    # The audit log, whole and filtered to agencies.
    follow(page, "Audit log")
    assert h1(page) == "Audit log"
    screenshot(page, "admin-audit-log")
    page.get_by_label("Record type", exact=True).select_option("agency")
    submit(page, "Filter")
    assert "record_type=agency" in page.url
    titles = page.locator(".govuk-summary-card__title")
    expect(titles.first).to_be_visible()
    for title in titles.all_inner_texts():
        assert title.startswith("Agency \u2018"), f"filtered log shows {title!r}"
    expect(titles.filter(has_text="Agency \u2018IFA\u2019 created")).to_have_count(1)
    expect(page.get_by_label("Record type", exact=True)).to_have_value("agency")
    screenshot(page, "admin-audit-log-agency")

    # Deactivate the new reviewer, through the confirmation page.
    follow(page, "Users")
    follow(page, f"Change {person}")
    assert h1(page) == f"Change {person}"
    submit(page, "Deactivate this account")
    assert urlpath(page).endswith("/status")
    assert h1(page) == f"Deactivate {person}'s account"
    expect(page.locator(".govuk-summary-list")).to_contain_text(agency_name)
    submit(page, "Deactivate account")

    assert urlpath(page) == "/admin/users"
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        f"{person}'s account has been deactivated."
    )
    expect(page.get_by_role("row").filter(has_text=email)).to_contain_text("Deactivated")

    # A deactivated account cannot sign in, and is told nothing more than anyone else.
    sign_out(page)
    fill_sign_in(page, email, "a-temporary-password-2026")
    submit(page, "Sign in")
    expect_error_summary(page, SIGN_IN_FAILED)


# --- Error pages ------------------------------------------------------------------------------


def test_reviewer_is_refused_the_admin_pages(page: Page) -> None:
    sign_in(page, REVIEWER.email)
    visit(page, "/admin/users", status=403)
    assert h1(page) == "You do not have permission to see this page"
    expect(page.get_by_role("link", name="Go to your home page")).to_be_visible()
    expect(page.get_by_role("link", name="Users", exact=True)).to_have_count(0)


@pytest.mark.parametrize("login", [None, PANEL], ids=["signed-out", "panel-member"])
def test_unknown_page_is_a_styled_404(page: Page, login: DemoLogin | None) -> None:
    if login is not None:
        sign_in(page, login.email)
    visit(page, "/no-such-page", status=404)
    assert h1(page) == "Page not found"
    expect(page.get_by_text("If you typed the web address, check it is correct.")).to_be_visible()


# --- The checks themselves ------------------------------------------------------------------


def test_the_checks_catch_an_axe_violation_and_a_csp_violation(page: Page) -> None:
    """Guard against a harness that passes because it checks nothing."""
    visit(page, "/sign-in")

    page.evaluate(
        """() => {
          const image = document.createElement('img');
          image.src = '/static/dist/assets/images/favicon.ico';
          document.querySelector('main').append(image);
        }"""
    )
    with pytest.raises(AssertionError, match=r"- image-alt \[critical\]"):
        assert_accessible(page)

    page.evaluate(
        """() => {
          const script = document.createElement('script');
          script.textContent = 'window.inlineScriptRan = true';
          document.body.append(script);
        }"""
    )
    monitor = monitor_of(page)
    for _ in range(40):
        if monitor.csp_violations:
            break
        page.wait_for_timeout(50)
    with pytest.raises(AssertionError, match=r"CSP violation: script-src-elem refused"):
        assert_no_browser_errors(page)
    assert page.evaluate("() => window.inlineScriptRan") is None


def test_audit_lead_previews_uploads_and_compares_templates(page: Page, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The template list, every shipped template's preview, a refused upload, a new version."""
    import yaml

    from audit_app.questionnaires.library import SHIPPED_TEMPLATES

    sign_in(page, ADMIN.email)
    follow(page, "Audit templates")
    assert h1(page) == "Audit templates"
    titles = [
        yaml.safe_load(path.read_text())["title"]
        for path in sorted(SHIPPED_TEMPLATES.glob("*.yaml"))
    ]
    for title in titles:
        follow(page, f"Preview {title}")
        assert h1(page).startswith(f"Preview: {title}")
        # Read-only: the answers cannot be changed.
        first_input = page.locator("fieldset.app-preview input").first
        expect(first_input).to_be_disabled()
        screenshot(page, f"template-preview-{title.split(':')[0].lower().replace(' ', '-')}")
        # As a GP practice's reviewer sees it: only what is asked of primary care.
        every = page.locator("details.app-preview-details").count()
        click_and_check(page, page.get_by_role("link", name="Primary care (GP)"))
        expect(page.locator(".govuk-inset-text")).to_contain_text("a reviewer in Primary care")
        assert 0 < page.locator("details.app-preview-details").count() < every
        page.screenshot(path=str(SCREENSHOT_DIR / "template-preview-as-a-gp.png"))
        visit(page, "/admin/templates")

    # A broken file is refused with every problem listed, and nothing is saved.
    broken = tmp_path / "broken.yaml"
    broken.write_text("id: broken-template\ntitle: Broken\nversion: 1.0\nsections: []\n")
    submit(page, "Upload a template")  # a link styled as a button
    page.get_by_label("Template file").set_input_files(str(broken))
    submit(page, "Upload and check")
    assert page.title().startswith("Error:")
    expect(page.locator("#template-problems")).to_contain_text("must not be empty")
    expect(page.locator("#template-problems")).to_contain_text("put it in quotes")

    # A changed shipped template becomes version 2.1; the versions page says what changed.
    source = SHIPPED_TEMPLATES / "signs-of-safety-macfa.yaml"
    data = yaml.safe_load(source.read_text())
    data["version"] = "2.1"
    data["sections"][0]["questions"][0]["text"] = "What is life like for this child, day to day?"
    changed = tmp_path / "signs-of-safety-macfa-2.1.yaml"
    changed.write_text(yaml.safe_dump(data, sort_keys=False))
    page.get_by_label("Template file").set_input_files(str(changed))
    submit(page, "Upload and check")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("added as a new version")
    follow(page, "Back to versions")
    expect(page.locator("main")).to_contain_text("From version 2.0 to version 2.1")
    expect(page.locator("main")).to_contain_text("Questions reworded (1)")
    screenshot(page, "template-versions")


def test_audit_lead_sets_up_an_audit_and_draws_a_verified_cohort(page: Page, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """From nothing to an open audit with a verified random cohort, in the browser."""
    ward = tmp_path / "ward14.csv"
    lines = ["Local ID,Name,Date of birth,Discharge date,NHS number"]
    lines += [
        f"W14-{n:04d},Invented Child {n},{(n % 27) + 1:02d}/03/20{8 + n % 7:02d},"
        f"2020-{(n % 12) + 1:02d}-10,999 000 {n:04d}"
        for n in range(25)
    ]
    ward.write_text("\r\n".join(lines) + "\r\n")

    sign_in(page, ADMIN.email)
    follow(page, "Audits")
    submit(page, "Set up a new audit")  # a link styled as a button
    submit(page, "Save audit details")  # nothing filled in: an error summary
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the audit's title")
    page.get_by_label("Title", exact=True).fill("Self-harm presentations 2020")
    page.get_by_label(
        "Children in crisis: mental health and emotional wellbeing, version 2.0"
    ).check()
    submit(page, "Save audit details")
    assert h1(page) == "Self-harm presentations 2020"

    follow(page, "Agencies taking part")
    page.get_by_label("Child and Adolescent Mental Health Services").check()
    page.get_by_label("Primary care (GP practices)").check()
    submit(page, "Save agencies")

    follow(page, "Population list")
    page.get_by_label("Population list").set_input_files(str(ward))
    submit(page, "Upload and preview")
    assert h1(page) == "Check the population list"
    page.get_by_label("Column with each child's local id").select_option("Local ID")
    page.get_by_label("Column with the child's name").select_option("Name")
    page.get_by_label("Column with the date of birth (optional)").select_option("Date of birth")
    page.get_by_label("NHS number").check()
    submit(page, "Save columns")

    assert h1(page) == "Draw the cohort"
    page.get_by_label("How many children?").fill("8")
    filter_one = page.get_by_role("group", name="Filter 1")
    filter_one.get_by_label("Column").select_option("Discharge date")
    filter_one.get_by_label("Condition").select_option(label="is on or after")
    filter_one.get_by_label("Value").fill("01/03/2020")
    page.get_by_label("Seed (optional)").fill("browser-test-seed")
    submit(page, "Draw the cohort")
    expect(page.locator("#sampling-record + dl")).to_contain_text("browser-test-seed")
    expect(page.locator("main")).to_contain_text("Child H")
    submit(page, "Verify draw")
    assert h1(page) == "The draw is verified"
    follow(page, "Back to the sampling record")

    # Drawing again: refused without a reason, then made with one (it used to fail with 500).
    follow(page, "Draw again")
    assert h1(page) == "Draw the cohort again"
    page.get_by_label("How many children?").fill("9")
    page.get_by_label("Seed (optional)").fill("browser-test-seed-2")
    submit(page, "Draw the cohort")
    expect_error_summary(page, "Give the reason for drawing again")
    page.get_by_label("Reason for drawing again").fill("The panel agreed nine children")
    submit(page, "Draw the cohort")
    expect(page.locator("#sampling-record + dl")).to_contain_text("browser-test-seed-2")
    expect(page.locator("main")).to_contain_text("Child I")
    submit(page, "Verify draw")
    assert h1(page) == "The draw is verified"
    follow(page, "Back to the sampling record")

    follow(page, "see who they are")
    expect(page.locator("main")).to_contain_text("Invented Child")
    page.go_back()

    submit(page, "Open returns")  # a link styled as a button, to the confirmation page
    submit(page, "Confirm")
    expect(page.locator("main")).to_contain_text("0 of 18")
    screenshot(page, "audit-open")
    assert_no_browser_errors(page)


def test_demo_audit_page_and_reviewer_references(page: Page) -> None:
    """The demo audit's sampling record verifies; a reviewer sees only released references."""
    sign_in(page, ADMIN.email)
    follow(page, "Audits")
    follow(page, "Children in crisis: mental health and emotional wellbeing")
    expect(page.locator("tr.app-row--overdue")).to_contain_text("Police")
    submit(page, "Verify draw")
    assert h1(page) == "The draw is verified"
    follow(page, "Back to the sampling record")
    screenshot(page, "demo-audit")
    sign_out(page)
    sign_in(page, REVIEWER.email)
    # The demo releases ward numbers (not NHS numbers) to CAMHS; names are never shown.
    returns = page.locator("main table", has=page.locator("caption", has_text="Returns"))
    expect(returns).to_contain_text("Local id: W14-")
    expect(page.locator("main")).not_to_contain_text("NHS number")
    from audit_app.demo import demo_population

    for row in demo_population().rows[:10]:
        expect(page.locator("main")).not_to_contain_text(row["Name"])


def open_return(page: Page, code: str) -> None:
    """Follow a child's link on the reviewer's task list (its name adds the audit's title)."""
    click_and_check(page, page.get_by_role("link", name=re.compile(rf"^{code}\b")).first)


def _answer_everything_on_this_page(page: Page) -> None:
    """Give an answer to every visible question of a return's section (answers reveal
    follow-up questions, so go round until nothing visible is left unanswered)."""
    for _ in range(4):
        _answer_visible(page)


def _answer_visible(page: Page) -> None:
    section = page.locator("fieldset.app-section")
    names: list[str] = []
    for radio in section.locator("input[type=radio]:visible").all():
        name = radio.get_attribute("name") or ""
        if name not in names:
            names.append(name)
            if not section.locator(f'input[name="{name}"]:checked').count():
                radio.check()
    for box in section.locator(".govuk-checkboxes").all():
        if box.is_visible() and not box.locator("input:checked").count():
            box.locator("input[type=checkbox]").first.check()
    for area in section.locator("textarea:visible").all():
        if not area.input_value():
            area.fill("Recorded in the file on the dates given.")
    for field in section.locator("input.govuk-date-input__input:visible").all():
        name = field.get_attribute("id") or ""
        if not field.input_value():
            field.fill("2020" if name.endswith("year") else "3")
    for field in section.locator(
        "input[type=text]:visible, input[inputmode=numeric]:visible"
    ).all():
        if not field.input_value():
            field.fill("2")


def test_reviewer_completes_and_sends_a_return(page: Page) -> None:
    """The whole reviewer journey, with autosave, on the demo's children in crisis audit."""
    sign_in(page, REVIEWER.email)
    # Child B's CAMHS return has not been started in the demo.
    open_return(page, "Child B")
    assert h1(page) == "Child B: your agency's return"
    follow(page, "The child and their presentation")

    # Autosave: type, wait for "Draft saved", leave, come back: the answer is there.
    first_choice = page.locator("fieldset.app-section input[type=checkbox]:visible").first
    first_choice.check()
    expect(page.locator(".app-autosave-status")).to_contain_text("Draft saved", timeout=10_000)
    visit(page, page.url)
    expect(page.locator("fieldset.app-section input[type=checkbox]:visible").first).to_be_checked()

    # A follow-up question appears only once the answer it depends on is given.
    follow(page, "Back to Child B's return")
    follow(page, "Early help before the crisis")
    follow_up = page.locator(".app-question[data-show-if]").first
    expect(follow_up).to_be_hidden()
    target = follow_up.get_attribute("data-show-if") or ""
    wanted = (follow_up.get_attribute("data-show-values") or "").split("|")[0]
    page.locator(f'input[name="{target}"][value="{wanted}"]').check()
    expect(follow_up).to_be_visible()
    expect(page.locator(".app-autosave-status")).to_contain_text("Draft saved", timeout=10_000)
    follow(page, "Back to Child B's return")
    follow(page, "The child and their presentation")

    sections = page.locator("p.govuk-body-s", has_text="Section 1 of").inner_text().split(" of ")[1]
    for number in range(1, int(sections) + 1):
        _answer_everything_on_this_page(page)
        if number == int(sections):  # the overall grade, each grade with its descriptor
            expect(page.locator(".govuk-radios__hint").first).to_be_visible()
            screenshot(page, "reviewer-overall-judgement")
        submit(page, "Save and continue" if number < int(sections) else "Save")
    # "Yes" to "acted on now?": the answers are saved, and the reviewer is taken straight
    # to raising an urgent concern.
    assert h1(page) == "Raise an urgent concern about Child B"
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "raise an urgent concern now"
    )
    screenshot(page, "reviewer-urgent-answer")
    follow(page, "Back")
    assert h1(page) == "Child B: your agency's return"

    follow(page, "Your agency's involvement, date by date")
    page.get_by_label("Day").fill("14")
    page.get_by_label("Month").fill("5")
    page.get_by_label("Year").fill("2020")
    page.get_by_label("What happened?").fill("Attended ED after self-harm; discharged same day")
    page.get_by_label("Yes").check()
    submit(page, "Add to the chronology")
    expect(page.locator("main table")).to_contain_text("14 May 2020")
    follow(page, "Back to Child B's return")

    submit(page, "Check your answers and send")  # a link styled as a button
    expect(page.locator("main")).to_contain_text("What's working well")
    expect(page.locator("main")).to_contain_text("What are we worried about")
    expect(page.locator("main")).to_contain_text("Facts and words recorded")
    screenshot(page, "reviewer-check-answers")
    submit(page, "Send the return")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("has been sent")
    screenshot(page, "reviewer-after-sending")

    # No involvement with another child.
    open_return(page, "Child H")
    follow(page, "My agency had no involvement with this child")
    submit(page, "Record no involvement")  # empty: an error summary
    page.get_by_label("Why did your agency have no involvement?").fill("No record of the family")
    submit(page, "Record no involvement")

    click_and_check(
        page,
        page.get_by_role(
            "link", name=re.compile("^Your agency's summary of findings.*Children in crisis")
        ),
    )
    submit(page, "Make a draft from your answers")
    expect(page.locator("#worried_about ~ .app-summary-item textarea").first).not_to_have_value("")
    submit(page, "Save draft")

    # The offline route: the workbook page, and the download itself.
    follow(page, "Back to your returns")
    click_and_check(
        page,
        page.get_by_role(
            "link", name=re.compile("^Work offline in a spreadsheet.*Children in crisis")
        ),
    )
    assert h1(page) == "Work offline with a workbook"
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("Download")).first.click()
    assert download.value.suggested_filename.endswith(".xlsx")
    sign_out(page)

    # The audit lead returns it for amendment; the reviewer sees why.
    sign_in(page, ADMIN.email)
    follow(page, "Audits")
    follow(page, "Children in crisis: mental health and emotional wellbeing")
    page.locator("table.app-matrix a", has_text="CAMHS for Child B").click()
    page.wait_for_load_state()
    assert_accessible(page)
    page.get_by_label("What needs to change?").fill("Add the date of the CAMHS referral")
    submit(page, "Return for amendment")
    sign_out(page)
    sign_in(page, REVIEWER.email)
    open_return(page, "Child B")
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Add the date of the CAMHS referral"
    )
