"""The panel chair's journey through the demo's panel in progress, in the service alone:
open the panel, read a child side by side, see the chronology, agree a grade, tag items on
the board, create and merge a theme, add an interview and a survey, write a finding and a
recommendation, record the meeting. axe-core runs on every page reached (at desktop and
phone widths where the conftest says), and each step leaves a screenshot in /tmp/screens."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from audit_app.demo import DEMO_LOGINS
from audit_app.models import Role
from tests.browser.conftest import click_and_check, screenshot, submit
from tests.browser.test_journeys import sign_in

pytestmark = pytest.mark.browser

CHAIR = next(login for login in DEMO_LOGINS if login.role is Role.PANEL)
CURRENT = "Children in crisis: mental health and emotional wellbeing"


def panel_page(page: Page, name: str) -> None:
    """Go to one of the panel's pages by its navigation."""
    click_and_check(
        page,
        page.get_by_role("navigation", name="The panel's pages").get_by_role("link", name=name),
    )


def test_a_panel_chair_goes_from_returns_to_findings_and_recommendations(
    page: Page, tmp_path: Path
) -> None:
    sign_in(page, CHAIR.email)
    click_and_check(page, page.get_by_role("link", name="Go to the panel's pages for " + CURRENT))
    expect(page.locator("h1")).to_contain_text("The panel for Children in crisis")
    expect(page.locator("main")).to_contain_text("Returns by agency")
    screenshot(page, "panel-overview")

    # A child side by side: every agency's answers, the scaling spread, the chronology.
    panel_page(page, "By child")
    screenshot(page, "panel-children")
    click_and_check(page, page.get_by_role("link", name="Child A", exact=True))
    expect(page.locator("h1")).to_contain_text("Child A")
    expect(page.locator("main")).to_contain_text("points apart")
    expect(
        page.get_by_role("img", name=re.compile("^Multi-agency chronology for Child A"))
    ).to_be_visible()
    chronology = page.locator(
        "table", has=page.locator("caption", has_text="Multi-agency chronology")
    )
    expect(chronology).to_contain_text("Yes")  # a missed chance marked
    screenshot(page, "panel-child")

    # The panel agrees a grade: the agencies' grades stay beside it.
    page.get_by_role("radio", name="Requires improvement").check()
    page.get_by_label("Why the panel agreed this grade").fill(
        "Help came only at the crisis; the agencies' grades of Good did not weigh the waits."
    )
    submit(page, "Save the agreed grade")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("agreed grade for Child A")
    expect(page.locator("main")).to_contain_text("Help came only at the crisis")

    # By question: the distribution as a chart and a table.
    panel_page(page, "By question")
    click_and_check(
        page, page.get_by_role("link", name=re.compile("how good was your agency's practice")).first
    )
    expect(page.get_by_role("img", name=re.compile("^Answers to question"))).to_be_visible()
    expect(page.locator("main")).to_contain_text("Good or better")
    screenshot(page, "panel-question")

    # Themes: create one, then merge it into an existing theme.
    panel_page(page, "Themes")
    page.get_by_label("Name of the theme").fill("Schools told late")
    submit(page, "Add theme")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Schools told late")
    click_and_check(page, page.get_by_role("link", name="Schools told late"))
    page.get_by_label("The theme to merge this one into").select_option(
        label="Communication with schools"
    )
    submit(page, "Continue")
    submit(page, "Merge the themes")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("has been merged into")
    expect(page.locator("h1")).to_contain_text("Communication with schools")
    screenshot(page, "panel-themes")

    # The board: tag an item with a theme without leaving it (the page's script).
    panel_page(page, "Signs of Safety board")
    item = page.locator(".app-board-item").first
    item.get_by_text("Tag with a theme").click()
    item.get_by_label("Theme", exact=True).select_option(label="Voice of the child")
    item.get_by_role("button", name="Add tag").click()
    expect(item.locator(".app-board-tags")).to_contain_text("Voice of the child")
    screenshot(page, "panel-board")

    # Evidence: an interview, and a survey uploaded as CSV.
    panel_page(page, "Evidence")
    click_and_check(page, page.get_by_role("link", name="Add an interview").first)
    page.get_by_label("Role of the person interviewed").fill("School nurse")
    page.get_by_label("Day").fill("3")
    page.get_by_label("Month").fill("11")
    page.get_by_label("Year").fill("2026")
    page.get_by_label(re.compile("What is not working")).fill(
        "Nobody tells us when a pupil is discharged."
    )
    submit(page, "Add the interview")
    expect(page.locator("main")).to_contain_text("Nobody tells us when a pupil is discharged.")
    panel_page(page, "Evidence")
    click_and_check(page, page.get_by_role("link", name="Upload a survey").first)
    survey = tmp_path / "year-9-survey.csv"
    survey.write_text(
        "Do you know who to talk to?,Did school help?\nYes,Yes\nNo,Sometimes\nYes,No\n"
    )
    page.get_by_label("Name of the survey").fill("Year 9 survey")
    page.get_by_label("Day").fill("1")
    page.get_by_label("Month").fill("10")
    page.get_by_label("Year").fill("2026")
    page.get_by_label("Survey results").set_input_files(str(survey))
    submit(page, "Upload the survey")
    expect(page.locator("main")).to_contain_text("3 responses")
    expect(page.get_by_role("img", name=re.compile("^Do you know who to talk to"))).to_be_visible()
    screenshot(page, "panel-survey")

    # Findings and a recommendation that answers them.
    panel_page(page, "Findings and recommendations")
    form = page.locator("form", has=page.get_by_role("button", name="Add the finding"))
    form.get_by_role("radio", name="What are we worried about").check()
    form.get_by_label("The finding").fill("Schools are told late when a pupil leaves hospital.")
    form.get_by_role("checkbox", name="Communication with schools", exact=True).check()
    submit(page, "Add the finding")
    expect(page.locator("main")).to_contain_text(
        "Schools are told late when a pupil leaves hospital."
    )
    form = page.locator("form", has=page.get_by_role("button", name="Add the recommendation"))
    form.get_by_label(re.compile("Recommendation \\d+")).fill(
        "Hospitals tell the school's safeguarding lead before a pupil goes home."
    )
    form.get_by_label(re.compile("Schools are told late")).check()
    submit(page, "Add the recommendation")
    expect(page.locator("#recommendations ~ div").last).to_contain_text("Hospitals tell the school")
    screenshot(page, "panel-findings")

    # The meeting's record, for the report's method section.
    panel_page(page, "Meetings")
    form = page.locator("form", has=page.get_by_role("button", name="Record the meeting"))
    form.get_by_label("Day").fill("4")
    form.get_by_label("Month").fill("11")
    form.get_by_label("Year").fill("2026")
    form.get_by_label(re.compile("Sam Okafor")).check()
    form.get_by_label("What the panel decided").fill("Agreed the themes and two recommendations.")
    submit(page, "Record the meeting")
    expect(page.locator("main")).to_contain_text("Agreed the themes and two recommendations.")
    screenshot(page, "panel-meetings")

    # Back at the overview, the task list shows the work done.
    panel_page(page, "Overview")
    # (Another journey may have added a child to the demo cohort by hand.)
    expect(page.locator("main")).to_contain_text(
        re.compile(r"3 of \d+ children have an agreed grade")
    )
