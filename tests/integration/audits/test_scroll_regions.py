"""Scrolling table regions are landmarks: each needs its own label, saying what it holds."""

from __future__ import annotations

from bs4 import BeautifulSoup
from flask.testing import FlaskClient

from audit_app.models import Audit, Role, User
from tests.conftest import page, post_form, sign_in
from tests.integration.audits.test_audits import draft, two_agencies  # noqa: F401 (fixtures)


def region_labels(soup: BeautifulSoup) -> list[str]:
    """The accessible names of the page's scrolling regions, in page order."""
    return [region.get("aria-label", "") for region in soup.select('[role="region"]')]


def test_an_unusable_mapping_shows_two_regions_with_their_own_labels(
    client: FlaskClient,
    users: dict[Role, User],
    draft: Audit,  # noqa: F811 (a fixture)
) -> None:
    """The preview and the problems table were both "Table (scrolls sideways...)"."""
    sign_in(client, users[Role.ADMIN].email)
    soup = page(
        post_form(
            client,
            f"/audits/{draft.id}/population/columns",
            {"local_id": "Name", "name": "Local ID", "date_of_birth": "Date of birth"},
        )
    )
    labels = region_labels(soup)
    assert labels == [
        "The first rows of the population list (scrolls sideways)",
        "Problems in the population list (scrolls sideways)",
    ]
    # Each region holds the table its label names.
    for region in soup.select('[role="region"]'):
        caption = region.find("caption").get_text(" ", strip=True)
        assert region["aria-label"].startswith(caption)
